package dqnengine.backend.cpu;

import dqnengine.backend.Backend;
import dqnengine.nn.Networks;
import dqnengine.nn.Sequential;
import dqnengine.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link Backend#runBoth} on the fast CPU backend: the DQN update's two forward passes at the same time. */
class RunBothTest {

    private static Tensor input(Random rng, int... shape) {
        Tensor t = Tensor.zeros(shape);
        for (int i = 0; i < t.size(); i++) t.data[i] = rng.nextFloat();
        return t;
    }

    /** The target and online forward passes, run at once on two threads, equal the same passes one after the other on one thread, bit for bit. */
    @Test
    void twoForwardPassesAtOnceEqualThemOneAfterTheOtherBitForBit() {
        for (String net : List.of("nature", "minatar")) {
            Random rng = new Random(7);
            boolean nature = net.equals("nature");
            Sequential online = nature ? Networks.nature(4, 6, rng) : Networks.minatar(4, 6, rng);
            Sequential target = nature ? Networks.nature(4, 6, rng) : Networks.minatar(4, 6, rng);
            int side = nature ? 84 : 10, batch = nature ? 5 : 32;
            Tensor s = input(rng, batch, 4, side, side), s2 = input(rng, batch, 4, side, side);
            float[] q, nextQ;
            try (FastCpuBackend one = new FastCpuBackend(1)) {
                nextQ = target.forward(one, s2).data.clone();
                q = online.forward(one, s).data.clone();
            }
            try (FastCpuBackend two = new FastCpuBackend(2)) {
                Tensor[] out = new Tensor[2];
                Backend[] first = new Backend[3], second = new Backend[3];   // each piece's backend, per round
                for (int round = 0; round < 3; round++) {           // the two backends are made once and reused
                    int r = round;
                    two.runBoth(b -> { first[r] = b; out[0] = target.forward(b, s2); }, b -> { second[r] = b; out[1] = online.forward(b, s); });
                    assertArrayEquals(nextQ, out[0].data, net + ": target network's Q");
                    assertArrayEquals(q, out[1].data, net + ": online network's Q");
                }
                assertNotSame(two, first[0], "the pieces run on backends of their own, one thread each");
                assertNotSame(two, second[0]);
                assertNotSame(first[0], second[0]);
                for (int round = 1; round < 3; round++) {
                    assertSame(first[0], first[round]);
                    assertSame(second[0], second[round]);
                }
            }
        }
    }

    /** A backward pass, whose linear layers compute their weight and input gradients at once on two threads, equals one thread's bit for bit. */
    @Test
    void aBackwardPassWithBothGradientsAtOnceEqualsOneThreadBitForBit() {
        for (String net : List.of("nature", "minatar")) {
            boolean nature = net.equals("nature");
            List<float[]> grads = new ArrayList<>();
            for (int threads : new int[] {1, 2}) {
                Random rng = new Random(11);
                Sequential online = nature ? Networks.nature(4, 6, rng) : Networks.minatar(4, 6, rng);
                int side = nature ? 84 : 10, batch = nature ? 3 : 32;
                Tensor s = input(rng, batch, 4, side, side), dq = input(rng, batch, 6);
                try (FastCpuBackend be = new FastCpuBackend(threads)) {
                    for (int step = 0; step < 2; step++) {                  // the second pass adds to the first's gradients
                        online.forward(be, s);
                        online.backward(be, dq);
                    }
                }
                int total = online.parameters().stream().mapToInt(p -> p.grad().size()).sum(), at = 0;
                float[] all = new float[total];
                for (var p : online.parameters()) {
                    System.arraycopy(p.grad().data, 0, all, at, p.grad().size());
                    at += p.grad().size();
                }
                grads.add(all);
            }
            assertArrayEquals(grads.get(0), grads.get(1), net + ": every parameter's gradient");
        }
    }

    @Test
    void withOneThreadBothPiecesRunOnThisBackendInOrder() {
        try (FastCpuBackend one = new FastCpuBackend(1)) {
            List<String> order = new ArrayList<>();
            one.runBoth(b -> { assertSame(one, b); order.add("first"); }, b -> { assertSame(one, b); order.add("second"); });
            assertEquals(List.of("first", "second"), order);
        }
    }

    @Test
    void aPieceThatCallsRunBothOnTheOuterBackendIsRefused() {
        try (FastCpuBackend two = new FastCpuBackend(2)) {
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> two.runBoth(b -> two.runBoth(x -> { }, x -> { }), b -> { }));
            assertTrue(e.getMessage().contains("runBoth"), e.getMessage());
            float[] done = new float[2];                            // and the backend still works afterwards
            two.runBoth(b -> done[0] = 1, b -> done[1] = 1);
            assertArrayEquals(new float[] {1, 1}, done);
        }
    }

    @Test
    void aFailureInEitherPieceReachesTheCaller() {
        try (FastCpuBackend two = new FastCpuBackend(2)) {
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> two.runBoth(b -> { }, b -> { throw new IllegalStateException("second piece failed"); }));
            assertEquals("second piece failed", e.getMessage());
            // the backend is still usable afterwards
            float[] done = new float[2];
            two.runBoth(b -> done[0] = 1, b -> done[1] = 1);
            assertArrayEquals(new float[] {1, 1}, done);
        }
    }
}
