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

    /** A backend with one deliberately wrong backward op (or host-side step), to prove the checks catch it. */
    private static final class BrokenBackend extends ReferenceBackend {
        private final String broken;
        private Tensor lastToHost, pendingDq;

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
            } else if (broken.equals("conv-weight")) {                         // the kernel read flipped (convolution, not correlation)
                Tensor right = Tensor.zerosLike(dw);
                super.conv2dBackwardWeights(g, x, dy, right, db);
                int kh = g.kernelH(), kw = g.kernelW();
                for (int oc = 0; oc < dw.size() / (kh * kw); oc++)
                    for (int p = 0; p < kh; p++)
                        for (int q = 0; q < kw; q++)
                            dw.data[(oc * kh + p) * kw + q] += right.data[(oc * kh + kh - 1 - p) * kw + kw - 1 - q];
            } else {
                super.conv2dBackwardWeights(g, x, dy, dw, db);
            }
        }

        @Override
        public void gemm(boolean transA, boolean transB, float alpha, Tensor a, Tensor b, float beta, Tensor c) {
            // Linear's dW = dyᵀ·x is the only product with transA, its dx = dy·w the only one with neither
            // operand transposed (the forward is x·wᵀ); scale the broken one by 1.05.
            boolean wrong = broken.equals("linear-weight") && transA || broken.equals("linear-input") && !transA && !transB;
            super.gemm(transA, transB, wrong ? 1.05f * alpha : alpha, a, b, beta, c);
        }

        @Override
        public void sumRowsInto(Tensor dy, Tensor db) {
            if (!broken.equals("linear-bias")) {
                super.sumRowsInto(dy, db);
                return;
            }
            Tensor sum = Tensor.zerosLike(db);                                 // the batch mean instead of the sum
            super.sumRowsInto(dy, sum);
            for (int j = 0; j < db.size(); j++) db.data[j] += sum.data[j] / dy.dim(0);
        }

        @Override
        public void reluBackward(Tensor y, Tensor dy, Tensor dx) {
            super.reluBackward(y, dy, dx);
            if (broken.equals("relu")) for (int i = 0; i < dx.size(); i++) if (y.data[i] == 0f) dx.data[i] = dy.data[i]; // passes through
        }

        // The dueling head splits dQ into dV and dA on the host; it reads dQ (toHost), then says it
        // wrote dV [N,1] and then dA [N,A] (hostWrote), the protocol a device backend relies on.
        @Override
        public void toHost(Tensor t) { lastToHost = t; }

        @Override
        public void hostWrote(Tensor t) {
            if (t.rank() == 2 && t.dim(1) == 1 && lastToHost != null) {         // dV = Σ_k dQ[n,k]
                if (broken.equals("dueling-value")) for (int i = 0; i < t.size(); i++) t.data[i] /= lastToHost.dim(1);  // the mean instead
                pendingDq = lastToHost;
            } else if (pendingDq != null) {                                      // dA = dQ − mean_k dQ, written right after dV
                if (broken.equals("dueling-advantage")) System.arraycopy(pendingDq.data, 0, t.data, 0, t.size());  // the mean not removed
                pendingDq = null;
            }
        }
    }

    @ParameterizedTest
    @CsvSource({"conv-data", "conv-weight", "conv-bias", "linear-weight", "linear-bias", "linear-input"})
    void aWrongBackwardPassFailsTheCheck(String broken) {
        Random rng = new Random(7);
        Sequential net = smoothChain(rng);
        Tensor x = TestTensors.uniform(rng, 2, 2, 5, 5);
        assertPasses(check.check(new ReferenceBackend(), net, x, 16));
        assertFalse(check.check(new BrokenBackend(broken), net, x, 16).isEmpty(), "a broken " + broken + " backward went unnoticed");
    }

    @ParameterizedTest
    @CsvSource({"linear-weight", "linear-bias", "linear-input"})
    void aWrongLinearBackwardFailsTheLayersOwnCheck(String broken) {
        Random rng = new Random(1);
        Linear layer = new Linear(7, 5, rng);
        Tensor x = TestTensors.uniform(rng, 3, 7);
        assertPasses(check.check(new ReferenceBackend(), layer, x, 11));
        List<String> failures = check.check(new BrokenBackend(broken), layer, x, 11);
        String term = broken.equals("linear-input") ? "input" : broken.substring("linear-".length());
        assertFalse(failures.isEmpty(), "a broken " + broken + " backward went unnoticed");
        assertTrue(failures.stream().allMatch(f -> f.startsWith(term + "[")), "only the broken term fails: " + failures);
    }

    @Test
    void aWrongConvWeightGradientFailsTheConvCheck() {
        Random rng = new Random(2);
        Conv2d layer = new Conv2d(3, 4, 3, 2, 1, rng);
        Tensor x = TestTensors.uniform(rng, 2, 3, 7, 6);
        assertPasses(check.check(new ReferenceBackend(), layer, x, 12));
        List<String> failures = check.check(new BrokenBackend("conv-weight"), layer, x, 12);
        assertFalse(failures.isEmpty(), "a flipped conv weight gradient went unnoticed");
        assertTrue(failures.stream().allMatch(f -> f.startsWith("weight[")), "only the weight fails: " + failures);
    }

    /**
     * A Flatten whose backward hands dy back in channels-last order ([N, H, W, C] read as
     * [N, C, H, W]): the layout mistake a flatten can make. The forward is the real one.
     */
    private static final class ChannelsLastFlatten implements Layer {
        private final Flatten flatten = new Flatten();
        private Tensor input;

        @Override
        public Tensor forward(Backend be, Tensor x) {
            input = x;
            return flatten.forward(be, x);
        }

        @Override
        public Tensor backward(Backend be, Tensor dy, boolean needInputGrad) {
            Tensor right = flatten.backward(be, dy, needInputGrad);
            int n = input.dim(0), c = input.dim(1), h = input.dim(2), w = input.dim(3);
            Tensor dx = Tensor.zerosLike(input);
            for (int b = 0; b < n; b++)
                for (int k = 0; k < c; k++)
                    for (int i = 0; i < h * w; i++) dx.data[(b * c + k) * h * w + i] = right.data[(b * h * w + i) * c + k];
            return dx;
        }

        @Override
        public List<Parameter> parameters() { return List.of(); }

        @Override
        public int[] outputShape(int[] in) { return flatten.outputShape(in); }
    }

    @Test
    void aFlattenThatReordersTheGradientFailsTheCheck() {
        Tensor x = TestTensors.uniform(new Random(4), 2, 3, 2, 2);
        assertPasses(check.check(be, new Flatten(), x, 14));
        assertFalse(check.check(be, new ChannelsLastFlatten(), x, 14).isEmpty(), "a reordered Flatten gradient went unnoticed");
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

    @ParameterizedTest
    @CsvSource({"dueling-value", "dueling-advantage"})
    void aWrongDuelingHeadBackwardFailsTheCheck(String broken) {
        Random rng = new Random(21);
        DuelingHead head = new DuelingHead(5, 4, 3, rng);
        Tensor x = TestTensors.uniform(rng, 2, 5);
        GradientCheck headCheck = new GradientCheck(1e-3, 1e-2, 1e-3, 40);
        assertPasses(headCheck.check(new BrokenBackend("none"), head, x, 22));     // the interception alone changes nothing
        List<String> failures = headCheck.check(new BrokenBackend(broken), head, x, 22);
        String stream = broken.equals("dueling-value") ? "value." : "advantage.";
        assertTrue(failures.stream().anyMatch(f -> f.startsWith(stream)), "a broken " + broken + " split went unnoticed: " + failures);
    }
}
