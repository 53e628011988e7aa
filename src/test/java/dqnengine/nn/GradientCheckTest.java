package dqnengine.nn;

import dqnengine.backend.Backend;
import dqnengine.backend.Conv2dShape;
import dqnengine.backend.cpu.ReferenceBackend;
import dqnengine.tensor.Tensor;
import dqnengine.testing.GradientCheck;
import dqnengine.testing.TestTensors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Finite-difference checks of every layer's backward pass, on inputs and every parameter. */
class GradientCheckTest {
    private final Backend be = new ReferenceBackend();
    private final GradientCheck check = GradientCheck.standard();

    private static void assertPasses(List<String> failures) {
        assertTrue(failures.isEmpty(), () -> failures.size() + " mismatches, first: " + failures.get(0));
    }

    @Test
    void linearGradientsMatchFiniteDifferences() {
        Random rng = new Random(1);
        Linear layer = new Linear(7, 5, rng);
        assertPasses(check.check(be, layer, TestTensors.uniform(rng, 3, 7), 11));
    }

    @ParameterizedTest(name = "[{0},{1},{2},{3}] -> {4} k{5} s{6} p{7}")
    @CsvSource({
            "2, 3, 7, 6, 4, 3, 2, 1",     // odd sizes, stride and padding
            "1, 2, 5, 5, 3, 3, 1, 0",     // stride 1, no padding
            "2, 2, 9, 9, 3, 4, 2, 0",     // Nature conv2-like geometry
            "1, 4, 20, 20, 2, 8, 4, 0",   // Nature conv1-like geometry
            "1, 1, 4, 4, 2, 2, 3, 2",     // padding larger than stride overlap
    })
    void conv2dGradientsMatchFiniteDifferences(int n, int c, int h, int w, int o, int k, int s, int p) {
        Random rng = new Random(2);
        Conv2d layer = new Conv2d(c, o, k, s, p, rng);
        assertPasses(check.check(be, layer, TestTensors.uniform(rng, n, c, h, w), 12));
    }

    @Test
    void reluGradientMatchesFiniteDifferencesOffTheKink() {
        Random rng = new Random(3);
        // h = 0.01 in the check, inputs at least 0.1 from zero: no sample crosses the kink.
        assertPasses(check.check(be, new ReLU(), TestTensors.awayFromZero(rng, 0.1f, 2, 3, 4, 5), 13));
    }

    @Test
    void flattenGradientMatchesFiniteDifferences() {
        Random rng = new Random(4);
        assertPasses(check.check(be, new Flatten(), TestTensors.uniform(rng, 2, 3, 2, 2), 14));
    }

    /**
     * A chain without ReLUs: perturbing a weight shifts many hidden pre-activations at once, and
     * one of them crossing zero would make the finite difference meaningless. ReLU is checked
     * on its own above, off its kink.
     */
    private static Sequential smoothChain(Random rng) {
        return new Sequential(new Conv2d(2, 3, 3, 2, 1, rng), new Flatten(), new Linear(3 * 3 * 3, 4, rng), new Linear(4, 2, rng));
    }

    @Test
    void sequentialChainsGradientsThroughEveryLayer() {
        Random rng = new Random(5);
        assertPasses(check.check(be, smoothChain(rng), TestTensors.uniform(rng, 2, 2, 5, 5), 15));
    }

    @Test
    void parameterGradientsAccumulateAcrossBackwardPassesUntilZeroed() {
        Random rng = new Random(6);
        Linear layer = new Linear(3, 2, rng);
        Tensor x = TestTensors.uniform(rng, 4, 3);
        Tensor dy = TestTensors.uniform(rng, 4, 2);
        layer.forward(be, x);
        layer.backward(be, dy, false);
        Tensor once = layer.weight().grad().copy();
        layer.backward(be, dy, false);
        for (int i = 0; i < once.size(); i++) assertEquals(2 * once.data[i], layer.weight().grad().data[i], 1e-6f);
        layer.weight().zeroGrad();
        layer.backward(be, dy, false);
        for (int i = 0; i < once.size(); i++) assertEquals(once.data[i], layer.weight().grad().data[i], 1e-6f);
    }

    // ------------------------------------------------------------------ the check can fail

    /** A backend with one deliberately wrong backward op, to prove the checks catch it. */
    private static final class BrokenBackend extends ReferenceBackend {
        private final String broken;

        BrokenBackend(String broken) { this.broken = broken; }

        @Override
        public void conv2dBackwardData(Conv2dShape g, Tensor dy, Tensor w, Tensor dx) {
            super.conv2dBackwardData(g, dy, w, dx);
            if (broken.equals("conv-data")) dx.data[dx.size() / 2] += 0.5f;        // one wrong entry
        }

        @Override
        public void conv2dBackwardWeights(Conv2dShape g, Tensor x, Tensor dy, Tensor dw, Tensor db) {
            if (broken.equals("conv-bias")) {                                  // forgets the bias gradient
                super.conv2dBackwardWeights(g, x, dy, dw, Tensor.zerosLike(db));
            } else {
                super.conv2dBackwardWeights(g, x, dy, dw, db);
            }
        }

        @Override
        public void gemm(boolean transA, boolean transB, float alpha, Tensor a, Tensor b, float beta, Tensor c) {
            // Linear's dW = dyᵀ·x is the only product with transA; scale it by 1.05.
            super.gemm(transA, transB, broken.equals("linear-weight") && transA ? 1.05f * alpha : alpha, a, b, beta, c);
        }

        @Override
        public void reluBackward(Tensor y, Tensor dy, Tensor dx) {
            super.reluBackward(y, dy, dx);
            if (broken.equals("relu")) for (int i = 0; i < dx.size(); i++) if (y.data[i] == 0f) dx.data[i] = dy.data[i]; // passes through
        }
    }

    @ParameterizedTest
    @CsvSource({"conv-data", "conv-bias", "linear-weight"})
    void aWrongBackwardPassFailsTheCheck(String broken) {
        Random rng = new Random(7);
        Sequential net = smoothChain(rng);
        Tensor x = TestTensors.uniform(rng, 2, 2, 5, 5);
        assertPasses(check.check(new ReferenceBackend(), net, x, 16));
        assertFalse(check.check(new BrokenBackend(broken), net, x, 16).isEmpty(), "a broken " + broken + " backward went unnoticed");
    }

    @Test
    void aReluThatPassesGradientThroughNegativeInputsFailsTheCheck() {
        Tensor x = TestTensors.awayFromZero(new Random(8), 0.1f, 2, 3, 4, 5);
        assertPasses(check.check(new ReferenceBackend(), new ReLU(), x, 17));
        assertFalse(check.check(new BrokenBackend("relu"), new ReLU(), x, 17).isEmpty());
    }

    @Test
    void duelingHeadGradientsMatchFiniteDifferences() {
        Random rng = new Random(21);
        DuelingHead head = new DuelingHead(5, 4, 3, rng);
        // A step of 1e-3: with 1e-2 some hidden pre-activations of the two streams cross their ReLU kink.
        assertPasses(new GradientCheck(1e-3, 1e-2, 1e-3, 40).check(be, head, TestTensors.uniform(rng, 2, 5), 22));
        // Q = V + A − mean(A): the mean advantage of every row is removed.
        Tensor q = head.forward(be, TestTensors.uniform(rng, 2, 5));
        assertEquals(3, q.dim(1));
        assertEquals(8, head.parameters().size(), "value and advantage streams: 2 Linear layers each, weight and bias");
        assertEquals("value.0.weight", head.parameters().get(0).name());
        assertEquals("advantage.2.bias", head.parameters().get(7).name());
    }
}
