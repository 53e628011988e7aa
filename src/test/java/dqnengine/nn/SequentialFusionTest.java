package dqnengine.nn;

import dqnengine.backend.Backend;
import dqnengine.backend.Conv2dShape;
import dqnengine.backend.cpu.ReferenceBackend;
import dqnengine.tensor.Tensor;
import dqnengine.testing.TestTensors;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link Sequential} runs a convolution with the ReLU after it as one op forward
 * ({@code conv2dForwardRelu}) and a ReLU with the convolution after it as one op backward
 * ({@code conv2dBackwardDataRelu}). Both must leave exactly what the layers' own passes, one
 * after the other, leave; and the chain must really take the fused ops (a backend that gets one
 * wrong changes the result).
 */
class SequentialFusionTest {

    private static Sequential net() {
        Random rng = new Random(3);
        return new Sequential(new Conv2d(2, 4, 3, 1, 0, rng), new ReLU(), new Conv2d(4, 3, 2, 2, 0, rng), new ReLU(),
                new Flatten(), new Linear(3 * 2 * 2, 2, rng));
    }

    /** Each layer's forward and backward in turn, nothing fused; returns dL/dx and the parameters' gradients. */
    private static List<float[]> layerByLayer(Backend be, Sequential net, Tensor x, Tensor dy) {
        Tensor h = x;
        for (Layer layer : net.layers()) h = layer.forward(be, h);
        Tensor g = dy;
        for (int k = net.layers().size() - 1; k >= 0; k--) g = net.layers().get(k).backward(be, g, true);
        return results(net, g);
    }

    private static List<float[]> chained(Backend be, Sequential net, Tensor x, Tensor dy) {
        net.forward(be, x);
        return results(net, net.backward(be, dy, true));
    }

    private static List<float[]> results(Sequential net, Tensor dx) {
        List<float[]> out = new ArrayList<>();
        out.add(dx.data.clone());
        for (Parameter p : net.parameters()) {
            out.add(p.grad().data.clone());
            p.zeroGrad();
        }
        return out;
    }

    @Test
    void theFusedPassesLeaveWhatTheLayersOwnPassesLeave() {
        Random rng = new Random(9);
        Tensor x = TestTensors.uniform(rng, 3, 2, 7, 7), dy = TestTensors.uniform(rng, 3, 2);
        Backend be = new ReferenceBackend();
        Sequential net = net();
        List<float[]> separate = layerByLayer(be, net, x, dy), fused = chained(be, net, x, dy);
        assertEquals(separate.size(), fused.size());
        for (int i = 0; i < separate.size(); i++) assertArrayEquals(separate.get(i), fused.get(i), "result " + i);
        int nonZero = 0;
        for (float v : separate.get(0)) if (v != 0f) nonZero++;
        assertTrue(nonZero > 0, "dL/dx is all zeros: the case tests nothing");
    }

    @Test
    void theChainTakesTheFusedBackwardOp() {
        Random rng = new Random(9);
        Tensor x = TestTensors.uniform(rng, 3, 2, 7, 7), dy = TestTensors.uniform(rng, 3, 2);
        int[] calls = {0};
        Backend unmasked = new ReferenceBackend() {                 // forgets the ReLU's mask in the fused op only
            @Override
            public void conv2dBackwardDataRelu(Conv2dShape g, Tensor d, Tensor w, Tensor reluOutput, Tensor dx) {
                calls[0]++;
                conv2dBackwardData(g, d, w, dx);
            }
        };
        Sequential net = net();
        List<float[]> right = chained(new ReferenceBackend(), net, x, dy), wrong = chained(unmasked, net, x, dy);
        assertEquals(1, calls[0], "one ReLU followed by a convolution, one fused op");
        boolean differs = false;
        for (int i = 0; i < right.size(); i++) differs |= !java.util.Arrays.equals(right.get(i), wrong.get(i));
        assertTrue(differs, "a fused op without its mask went unnoticed");
    }

    /**
     * Between two convolutions the fast CPU backend takes the activation pixel-major (conv1's output
     * and conv2's input gradient; see {@link Conv2dShape}); the chain must give what the reference
     * gives with every activation channel-major, and must really run that way.
     */
    @Test
    void theActivationBetweenTwoConvolutionsIsPixelMajorWhereTheBackendTakesIt() {
        Random rng = new Random(5);
        Conv2d conv1 = new Conv2d(4, 32, 8, 4, 0, rng), conv2 = new Conv2d(32, 64, 4, 2, 0, rng), conv3 = new Conv2d(64, 64, 3, 1, 0, rng);
        Sequential net = new Sequential(conv1, new ReLU(), conv2, new ReLU(), conv3, new ReLU(), new Flatten(), new Linear(64, 6, rng));
        Tensor x = TestTensors.uniform(new Random(6), 3, 4, 36, 36), dy = TestTensors.uniform(new Random(7), 3, 6);
        Backend ref = new ReferenceBackend();
        List<float[]> expected = chained(ref, net, x, dy);
        Tensor qRef = net.forward(ref, x).copy();
        assertTrue(!conv1.shape().pixelMajorOut() && !conv2.shape().pixelMajorIn(), "the reference keeps every activation channel-major");
        try (dqnengine.backend.cpu.FastCpuBackend fast = new dqnengine.backend.cpu.FastCpuBackend(2)) {
            List<float[]> actual = chained(fast, net, x, dy);
            assertTrue(conv1.shape().pixelMajorOut(), "conv1's output pixel-major on the fast backend");
            assertTrue(conv2.shape().pixelMajorIn() && !conv2.shape().pixelMajorOut(), "conv2's input pixel-major, its output not");
            assertTrue(!conv3.shape().pixelMajorIn() && !conv3.shape().pixelMajorOut(), "conv3 channel-major (its producer's input is pixel-major)");
            TestTensors.assertClose(qRef, net.forward(fast, x), 1e-4, 1e-5, "Q-values");
            assertEquals(expected.size(), actual.size());
            for (int i = 0; i < expected.size(); i++) {
                TestTensors.assertClose(expected.get(i), actual.get(i), 1e-3, 1e-5, i == 0 ? "dL/dx" : net.parameters().get(i - 1).name() + " gradient");
            }
        }
        // back on the reference, the same layers go back to channel-major
        net.forward(ref, x);
        assertTrue(!conv1.shape().pixelMajorOut() && !conv2.shape().pixelMajorIn(), "the layouts follow the backend");
    }
}
