package dqnengine.backend.cpu;

import dqnengine.backend.Conv2dShape;
import dqnengine.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;

import static dqnengine.testing.TestTensors.assertClose;
import static dqnengine.testing.TestTensors.centred;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** {@link RunKernel}: its vector form against its plain loop, and which convolutions {@link DirectConv} sends to it. */
class RunKernelTest {
    private static final int L = RunKernel.LANES;

    @Test
    void theVectorFormEqualsThePlainLoop() {
        assumeTrue(FastCpuBackendTest.preferredVectorBits() >= 256, "no vector kernels on this CPU");
        Random rng = new Random(3);
        int taps = 37;
        float[] x = centred(rng, 2000), w = centred(rng, taps * L), acc0 = centred(rng, RunKernel.RUN * L);
        int[] offsets = new int[taps];
        for (int t = 0; t < taps; t++) offsets[t] = rng.nextInt(1500);
        float[] plain = acc0.clone(), vector = acc0.clone();
        new RunKernel.Scalar().accumulate(x, 17, offsets, 3, taps, w, 0, plain);         // from tap 3: the sum starts where it is told
        new RunKernel.Vector().accumulate(x, 17, offsets, 3, taps, w, 0, vector);
        assertClose(plain, vector, 1e-5, 1e-5, "acc");
    }

    /** Counts the tiles it is given, and computes them with the plain loop. */
    private static final class Counting implements RunKernel {
        final AtomicInteger tiles = new AtomicInteger();

        @Override
        public void accumulate(float[] x, int base, int[] offsets, int from, int to, float[] vectors, int vecOff, float[] acc) {
            tiles.incrementAndGet();
            new RunKernel.Scalar().accumulate(x, base, offsets, from, to, vectors, vecOff, acc);
        }
    }

    private static float[] forward(Conv2dShape g, float[] x, float[] w, float[] b, DirectConv dc) {
        float[] y = new float[g.batch() * g.outChannels() * g.outHeight() * g.outWidth()];
        dc.forward(g, x, w, b, y);
        return y;
    }

    @Test
    void strideFourConvolutionsWithRowsOfTenGoThroughItAndEqualTheReference() {
        assertTrue(RunKernel.fits(4, 20), "conv1: rows of 20");
        assertFalse(RunKernel.fits(2, 20));
        assertFalse(RunKernel.fits(4, 9));
        Random rng = new Random(5);
        ReferenceBackend ref = new ReferenceBackend();
        // conv1-like with rows of 10 pixels; and a stride-2 one, which the run kernel does not take
        for (Conv2dShape g : new Conv2dShape[] {new Conv2dShape(2, 3, 44, 44, 48, 8, 8, 4, 0), new Conv2dShape(2, 3, 11, 10, 32, 3, 3, 2, 0)}) {
            float[] x = centred(rng, g.batch() * g.inChannels() * g.inHeight() * g.inWidth());
            float[] w = centred(rng, g.outChannels() * g.inChannels() * g.kernelH() * g.kernelW()), b = centred(rng, g.outChannels());
            Counting counting = new Counting();
            try (ThreadTeam team = new ThreadTeam(2)) {
                float[] y = forward(g, x, w, b, new DirectConv(team, new BroadcastKernel.Scalar(12), counting));
                Tensor expected = Tensor.zeros(g.batch(), g.outChannels(), g.outHeight(), g.outWidth());
                ref.conv2dForward(g, Tensor.wrap(x, g.batch(), g.inChannels(), g.inHeight(), g.inWidth()),
                        Tensor.wrap(w, g.outChannels(), g.inChannels(), g.kernelH(), g.kernelW()), Tensor.wrap(b, g.outChannels()), expected);
                assertClose(expected.data, y, 1e-4, 1e-4, g.toString());
            }
            int runs = g.batch() * g.outHeight() * g.outWidth() / RunKernel.RUN, blocks = (g.outChannels() + L - 1) / L;
            assertEquals(RunKernel.fits(g.stride(), g.outWidth()) ? runs * blocks : 0, counting.tiles.get(), g + ": tiles given to the run kernel");
        }
    }
}
