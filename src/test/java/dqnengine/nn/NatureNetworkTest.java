package dqnengine.nn;

import dqnengine.backend.Backend;
import dqnengine.backend.cpu.FastCpuBackend;
import dqnengine.backend.cpu.ReferenceBackend;
import dqnengine.loss.Huber;
import dqnengine.optim.Adam;
import dqnengine.tensor.Tensor;
import dqnengine.testing.TestTensors;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The Nature DQN network built from the public API: shapes, parameter count, and training wiring. */
class NatureNetworkTest {
    private final Backend be = new ReferenceBackend();

    @Test
    void hasTheNaturePaperShapesAndParameterCount() {
        Sequential net = Networks.nature(4, 6, new Random(0));
        assertArrayEquals(new int[] {32, 6}, net.outputShape(new int[] {32, 4, 84, 84}));
        // conv1 32·4·8·8+32, conv2 64·32·4·4+64, conv3 64·64·3·3+64, fc1 3136·512+512, fc2 512·6+6
        assertEquals(8_224 + 32_832 + 36_928 + 1_606_144 + 3_078, net.parameterCount());
        assertEquals("0.weight", net.parameters().get(0).name());
        assertEquals("9.bias", net.parameters().get(9).name());
    }

    @Test
    void forwardAndBackwardAtBatch32GiveFiniteGradientsForEveryParameter() {
        Random rng = new Random(1);
        Sequential net = Networks.nature(4, 6, rng);
        Tensor x = Tensor.zeros(32, 4, 84, 84);
        for (int i = 0; i < x.size(); i++) x.data[i] = rng.nextFloat();
        Tensor q = net.forward(be, x);
        assertTrue(q.hasShape(32, 6));
        int[] actions = new int[32];
        for (int i = 0; i < 32; i++) actions[i] = i % 6;
        Tensor dq = Tensor.zeros(32, 6);
        float loss = new Huber().compute(be, q, actions, Tensor.zeros(32).fill(1f), dq);
        assertTrue(Float.isFinite(loss));
        net.zeroGrad();
        assertEquals(null, net.backward(be, dq, false), "the first layer must not compute an input gradient");
        for (Parameter p : net.parameters()) {
            double ss = be.sumOfSquares(p.grad());
            assertTrue(Double.isFinite(ss) && ss > 0, p.name() + " got no gradient");
        }
    }

    @Test
    void adamDrivesAFixedRegressionBatchLossDown() {
        // A fixed batch of 32 random frames with fixed targets: memorising it must work if the
        // forward, backward, loss and optimizer are wired together correctly. Run on the fast
        // backend for time; BackendParityTest pins it to the reference.
        Random rng = new Random(2);
        Sequential net = Networks.nature(4, 6, rng);
        int n = 32;
        Tensor x = TestTensors.uniform(rng, n, 4, 84, 84);
        int[] actions = new int[n];
        Tensor target = Tensor.zeros(n);
        for (int i = 0; i < n; i++) {
            actions[i] = rng.nextInt(6);
            target.data[i] = rng.nextFloat() * 2 - 1;
        }
        Adam adam = new Adam(net.parameters(), 1e-4f);
        Huber huber = new Huber();
        Tensor dq = Tensor.zeros(n, 6);
        float first = 0, last = 0;
        try (Backend fast = new FastCpuBackend(2)) {
            for (int step = 0; step < 200; step++) {
                adam.zeroGrad();
                float loss = huber.compute(fast, net.forward(fast, x), actions, target, dq);
                net.backward(fast, dq);
                adam.step(fast);
                if (step == 0) first = loss;
                last = loss;
            }
        }
        assertTrue(last < 0.01f * first, "loss went from " + first + " to " + last);
    }
}
