package dqnengine.nn;

import dqnengine.backend.Backend;
import dqnengine.backend.Backends;
import dqnengine.backend.cpu.ReferenceBackend;
import dqnengine.optim.Adam;
import dqnengine.optim.GradClip;
import dqnengine.optim.Optimizer;
import dqnengine.optim.RmsProp;
import dqnengine.tensor.Tensor;
import dqnengine.testing.TestTensors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A linear layer's weight gradient left as the product dyᵀ·x for the optimizer to make where it
 * uses it ({@link Parameter}'s class comment): every way of reading, adding to or replacing the
 * gradient must see what the stored gradient would have been, and the update from the product must
 * leave the parameters exactly as the update from the stored gradient. Each case runs a network
 * twice from the same seed, once with its gradients read before the optimizer's step (which makes
 * the product and stores it) and once without (the update from the product), on the fast CPU
 * backend, whose update from the product never stores it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ProductGradientTest {
    private Backend be;

    @BeforeAll
    void open() { be = Backends.create("cpu", 2); }

    @AfterAll
    void close() { be.close(); }

    /** conv, ReLU, flatten, linear (ragged strips and panels: 37 rows of 60), ReLU, linear. */
    private static Sequential network() {
        Random rng = new Random(3);
        return new Sequential(new Conv2d(2, 4, 3, 1, 0, rng), new ReLU(), new Flatten(),
                new Linear(4 * 5 * 5, 37, rng), new ReLU(), new Linear(37, 3, rng));
    }

    private static Tensor input(long seed) { return TestTensors.uniform(new Random(seed), 5, 2, 7, 7); }

    private static Optimizer optimizer(String kind, List<Parameter> params) {
        return switch (kind) {
            case "adam" -> new Adam(params, 1e-2f, 0.9f, 0.999f, 1e-8f);
            case "rmsprop-nature" -> RmsProp.nature(params);
            case "rmsprop-momentum" -> new RmsProp(params, 1e-3f, 0.95f, 0.01f, 0.9f, true, false);
            default -> throw new IllegalArgumentException(kind);
        };
    }

    private static List<float[]> values(Sequential net) {
        List<float[]> out = new ArrayList<>();
        for (Parameter p : net.parameters()) out.add(p.value().data.clone());
        return out;
    }

    private static void assertSame(List<float[]> expected, List<float[]> actual, String what) {
        assertEquals(expected.size(), actual.size());
        for (int i = 0; i < expected.size(); i++) assertArrayEquals(expected.get(i), actual.get(i), what + ", parameter " + i);
    }

    /** Three steps of forward, fresh backward and update; with readGradients every gradient is read before each update. */
    private List<float[]> train(String kind, boolean readGradients, List<Boolean> productsSeen) {
        Sequential net = network();
        Optimizer opt = optimizer(kind, net.parameters());
        for (int step = 0; step < 3; step++) {
            Tensor y = net.forward(be, input(step));
            net.backwardFresh(be, TestTensors.uniform(new Random(10 + step), y.shape()), false);
            for (Parameter p : net.parameters()) {
                productsSeen.add(p.hasProduct());
                if (readGradients) assertNotNull(p.grad());
            }
            opt.step(be);
        }
        return values(net);
    }

    @ParameterizedTest
    @ValueSource(strings = {"adam", "rmsprop-nature", "rmsprop-momentum"})
    void theUpdateFromTheProductEqualsTheUpdateFromTheStoredGradient(String kind) {
        List<Boolean> read = new ArrayList<>(), fused = new ArrayList<>();
        List<float[]> expected = train(kind, true, read), actual = train(kind, false, fused);
        assertSame(expected, actual, kind);
        // the two linear weights (parameters 2 and 4 of conv w, conv b, fc1 w, fc1 b, fc2 w, fc2 b) took products, nothing else
        for (int i = 0; i < fused.size(); i++) assertEquals(i % 6 == 2 || i % 6 == 4, fused.get(i), "product pending, parameter " + i % 6);
    }

    /** The gradients of a network whose optimizer takes no products (SGD): the stored gradients, as always. */
    private static List<float[]> plainGradients(Backend be, Tensor x, Tensor dy, boolean twice, Tensor dy2) {
        Sequential net = network();
        net.forward(be, x);
        net.backwardFresh(be, dy, false);
        if (twice) net.backward(be, dy2, false);
        List<float[]> out = new ArrayList<>();
        for (Parameter p : net.parameters()) out.add(p.grad().data.clone());
        return out;
    }

    @Test
    void aPendingProductIsMadeWhenReadAndTheUpdateSaysWhenNoGradientWasStored() {
        Tensor x = input(1);
        Sequential net = network();
        Optimizer opt = optimizer("adam", net.parameters());
        Tensor y = net.forward(be, x);
        Tensor dy = TestTensors.uniform(new Random(2), y.shape());
        net.backwardFresh(be, dy, false);
        Parameter fc1 = net.parameters().get(2);
        assertTrue(fc1.hasProduct());
        assertSame(plainGradients(be, x, dy, false, null), gradients(net), "gradients read from pending products");
        assertFalse(fc1.hasProduct());

        net.forward(be, x);
        net.backwardFresh(be, dy, false);
        opt.step(be);                                                   // uses the products
        IllegalStateException e = assertThrows(IllegalStateException.class, fc1::grad);
        assertTrue(e.getMessage().contains("3.weight"), e.getMessage());
        net.zeroGrad();
        assertArrayEquals(new float[fc1.grad().size()], fc1.grad().data, "zeroGrad starts a new sum");
    }

    private static List<float[]> gradients(Sequential net) {
        List<float[]> out = new ArrayList<>();
        for (Parameter p : net.parameters()) out.add(p.grad().data.clone());
        return out;
    }

    @Test
    void aBackwardPassThatAddsToAPendingProductAddsToTheProduct() {
        Tensor x = input(4);
        Sequential net = network();
        optimizer("adam", net.parameters());
        Tensor y = net.forward(be, x);
        Tensor dy = TestTensors.uniform(new Random(5), y.shape()), dy2 = TestTensors.uniform(new Random(6), y.shape());
        net.backwardFresh(be, dy, false);
        net.backward(be, dy2, false);                                   // its upstream layers overwrite the buffer the product's dy is
        assertSame(plainGradients(be, x, dy, true, dy2), gradients(net), "fresh backward then an added one");
    }

    @Test
    void aForwardPassBeforeTheGradientIsReadDoesNotChangeIt() {
        Tensor x = input(7);
        Sequential net = network();
        optimizer("adam", net.parameters());
        Tensor y = net.forward(be, x);
        Tensor dy = TestTensors.uniform(new Random(8), y.shape());
        net.backwardFresh(be, dy, false);
        net.forward(be, input(9));                                      // overwrites the activations the product's x is
        assertSame(plainGradients(be, x, dy, false, null), gradients(net), "gradients read after another forward pass");
    }

    @Test
    void clippingReadsTheProductsAndTheClippedStepEqualsTheStepWithoutProducts() {
        List<float[]> expected = null;
        for (boolean products : new boolean[] {false, true}) {
            Sequential net = network();
            Optimizer opt = optimizer("adam", net.parameters());
            Tensor y = net.forward(be, input(11));
            net.backwardFresh(be, TestTensors.uniform(new Random(12), y.shape()), false);
            if (!products) for (Parameter p : net.parameters()) p.grad();    // every gradient made and stored before clipping
            double norm = GradClip.clipGlobalNorm(be, net.parameters(), 1e-3);
            assertTrue(norm > 1e-3, "the case must clip: norm " + norm);
            for (Parameter p : net.parameters()) assertFalse(p.hasProduct());
            opt.step(be);
            if (expected == null) expected = values(net);
            else assertSame(expected, values(net), "clipped step");
        }
    }

    @Test
    void theReferenceBackendMakesTheProductAndUpdatesAsTheFastOneDoes() {
        Backend ref = new ReferenceBackend();
        List<float[]> onRef = new ArrayList<>();
        for (Backend b : new Backend[] {ref, be}) {
            Sequential net = network();
            Optimizer opt = optimizer("adam", net.parameters());
            Tensor y = net.forward(b, input(13));
            net.backwardFresh(b, TestTensors.uniform(new Random(14), y.shape()), false);
            opt.step(b);
            List<float[]> v = values(net);
            if (onRef.isEmpty()) onRef.addAll(v);
            else for (int i = 0; i < v.size(); i++) {
                for (int j = 0; j < v.get(i).length; j++) {
                    assertEquals(onRef.get(i)[j], v.get(i)[j], 1e-5, "parameter " + i + " element " + j);
                }
            }
        }
    }
}
