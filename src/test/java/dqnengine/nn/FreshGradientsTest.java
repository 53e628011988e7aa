package dqnengine.nn;

import dqnengine.backend.Backend;
import dqnengine.backend.Backends;
import dqnengine.backend.cpu.ReferenceBackend;
import dqnengine.tensor.Tensor;
import dqnengine.testing.TestTensors;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * {@link Layer#backwardFresh} leaves what zeroing every gradient and then {@link Layer#backward}
 * leave, whatever the gradients held before: here NaN, which any pass that adds to the old
 * values instead of overwriting them carries into the result.
 */
class FreshGradientsTest {

    /** The layers and networks a learner trains; each name builds the same network every time (same seed). */
    private static Layer build(String which) {
        Random rng = new Random(17);
        return switch (which) {
            case "linear" -> new Linear(12, 5, rng);
            case "conv" -> new Conv2d(3, 4, 3, 2, 0, rng);
            case "mlp" -> Networks.mlp(12, new int[] {8, 8}, 3, false, rng);
            case "minatar" -> Networks.minatar(4, 3, rng);                // conv, ReLU, flatten, linear: the fused pair's first layer without one
            case "small-nature" -> new Sequential(new Conv2d(2, 4, 3, 1, 0, rng), new ReLU(), new Conv2d(4, 3, 2, 2, 0, rng), new ReLU(),
                    new Flatten(), new Linear(12, 6, rng), new ReLU(), new Linear(6, 2, rng));
            case "dueling" -> Networks.mlpDueling(12, new int[] {8}, 3, false, rng);
            default -> throw new IllegalArgumentException(which);
        };
    }

    private static int[] inputShape(String which) {
        return switch (which) {
            case "conv" -> new int[] {2, 3, 7, 7};
            case "minatar" -> new int[] {2, 4, 10, 10};
            case "small-nature" -> new int[] {3, 2, 7, 7};
            default -> new int[] {4, 12};
        };
    }

    /** dL/dx then every parameter gradient, after a forward pass and the given backward pass from NaN gradients. */
    private static List<float[]> run(Backend be, String which, boolean fresh, boolean zeroFirst) {
        Layer layer = build(which);
        Random rng = new Random(5);
        Tensor x = TestTensors.uniform(rng, inputShape(which));
        Tensor y = layer.forward(be, x);
        Tensor dy = TestTensors.uniform(rng, y.shape());
        for (Parameter p : layer.parameters()) p.grad().fill(Float.NaN);           // whatever a previous step left
        if (zeroFirst) for (Parameter p : layer.parameters()) p.zeroGrad();
        Tensor dx = fresh ? layer.backwardFresh(be, dy, true) : layer.backward(be, dy, true);
        List<float[]> out = new ArrayList<>();
        out.add(dx.data.clone());
        for (Parameter p : layer.parameters()) out.add(p.grad().data.clone());
        return out;
    }

    private static String firstDifference(List<float[]> expected, List<float[]> actual) {
        if (expected.size() != actual.size()) return "sizes " + expected.size() + " and " + actual.size();
        for (int i = 0; i < expected.size(); i++) {
            float[] e = expected.get(i), a = actual.get(i);
            for (int j = 0; j < e.length; j++) {
                if (!(e[j] == a[j])) return "result " + i + " (0 is dL/dx, then the parameters), element " + j + ": " + e[j] + " against " + a[j];
            }
        }
        return null;
    }

    @ParameterizedTest
    @ValueSource(strings = {"linear", "conv", "mlp", "minatar", "small-nature", "dueling"})
    void aFreshBackwardLeavesWhatZeroingThenBackwardLeaves(String which) {
        for (Supplier<Backend> make : List.<Supplier<Backend>>of(ReferenceBackend::new, () -> Backends.create("cpu", 2))) {
            try (Backend be = make.get()) {
                List<float[]> zeroed = run(be, which, false, true), fresh = run(be, which, true, false);
                String diff = firstDifference(zeroed, fresh);
                if (diff != null) fail(be.name() + ", " + which + ": " + diff);
                // and the check can fail: a plain backward from the same NaN gradients differs
                assertTrue(firstDifference(zeroed, run(be, which, false, false)) != null, "NaN gradients did not show");
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"linear", "small-nature"})
    void aFreshBackwardStillAddsOnLaterPlainBackwardPasses(String which) {
        Backend be = new ReferenceBackend();
        Layer layer = build(which);
        Random rng = new Random(5);
        Tensor x = TestTensors.uniform(rng, inputShape(which));
        Tensor dy = TestTensors.uniform(rng, layer.forward(be, x).shape());
        layer.backwardFresh(be, dy, false);
        List<float[]> once = new ArrayList<>();
        for (Parameter p : layer.parameters()) once.add(p.grad().data.clone());
        layer.backward(be, dy, false);
        for (int i = 0; i < once.size(); i++) {
            float[] twice = layer.parameters().get(i).grad().data;
            for (int j = 0; j < twice.length; j++) assertEquals(2 * once.get(i)[j], twice[j], 1e-5f * Math.max(1f, Math.abs(twice[j])));
        }
    }
}
