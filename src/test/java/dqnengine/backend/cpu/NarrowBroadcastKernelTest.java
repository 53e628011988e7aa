package dqnengine.backend.cpu;

import dqnengine.backend.Conv2dShape;
import dqnengine.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static dqnengine.testing.TestTensors.assertClose;
import static dqnengine.testing.TestTensors.centred;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** {@link NarrowBroadcastKernel}: its vector form against the plain loop, and which convolutions {@link DirectConv} gives it. */
class NarrowBroadcastKernelTest {
    private static final int L = BroadcastKernel.LANES;

    @Test
    void theVectorFormEqualsThePlainLoop() {
        assumeTrue(FastCpuBackendTest.preferredVectorBits() >= 256, "no vector kernels on this CPU");
        NarrowBroadcastKernel vector = new NarrowBroadcastKernel();
        assertEquals(L / 2, vector.lanes(), "one vector: half the two-vector tile");
        Random rng = new Random(7);
        int taps = 41, lanes = vector.lanes();
        float[] x = centred(rng, 3000), w = centred(rng, taps * lanes), acc0 = centred(rng, 12 * lanes);
        int[] offsets = new int[taps], rowBase = new int[12];
        for (int t = 0; t < taps; t++) offsets[t] = rng.nextInt(1500);
        for (int r = 0; r < 12; r++) rowBase[r] = rng.nextInt(1500);
        float[] plain = acc0.clone(), vec = acc0.clone();
        new BroadcastKernel.Scalar(12, lanes).accumulate(x, rowBase, offsets, 5, taps, w, 0, plain);    // from tap 5: the sum starts where it is told
        vector.accumulate(x, rowBase, offsets, 5, taps, w, 0, vec);
        assertClose(plain, vec, 1e-5, 1e-5, "acc");
    }

    @Test
    void convolutionsThatFillHalfOfOneBlockTakeItAndEqualTheReference() {
        Random rng = new Random(9);
        ReferenceBackend ref = new ReferenceBackend();
        // MinAtar's layer (half of one block); a full block; one full block and a half one, which stay with the wide kernel;
        // half a block again with ragged tiles (128 pixels, 16 taps: neither a multiple of 12). One DirectConv for all, so
        // that its buffers go from one kernel's tiles to the other's and back.
        Conv2dShape[] shapes = {new Conv2dShape(3, 4, 10, 10, L / 2, 3, 3, 1, 0), new Conv2dShape(2, 3, 8, 7, L, 2, 2, 1, 0),
                new Conv2dShape(2, 3, 8, 7, L + L / 2, 2, 2, 1, 0), new Conv2dShape(2, 4, 9, 9, L / 2, 2, 2, 1, 0)};
        CountingBroadcastKernel counting = new CountingBroadcastKernel(L / 2);
        try (ThreadTeam team = new ThreadTeam(2)) {
            DirectConv dc = new DirectConv(team, new BroadcastKernel.Scalar(12), new RunKernel[0], counting);
            for (Conv2dShape g : shapes) {
                int xs = g.batch() * g.inChannels() * g.inHeight() * g.inWidth(), ws = g.outChannels() * g.inChannels() * g.kernelH() * g.kernelW();
                int ys = g.batch() * g.outChannels() * g.outHeight() * g.outWidth();
                float[] x = centred(rng, xs), w = centred(rng, ws), b = centred(rng, g.outChannels()), dy = centred(rng, ys);
                Tensor xt = Tensor.wrap(x.clone(), g.batch(), g.inChannels(), g.inHeight(), g.inWidth());
                Tensor wt = Tensor.wrap(w.clone(), g.outChannels(), g.inChannels(), g.kernelH(), g.kernelW());
                Tensor y = Tensor.zeros(g.batch(), g.outChannels(), g.outHeight(), g.outWidth());
                Tensor dw = Tensor.zeros(g.outChannels(), g.inChannels(), g.kernelH(), g.kernelW()), db = Tensor.zeros(g.outChannels());
                ref.conv2dForward(g, xt, wt, Tensor.wrap(b.clone(), g.outChannels()), y);
                ref.conv2dBackwardWeights(g, xt, Tensor.wrap(dy.clone(), g.batch(), g.outChannels(), g.outHeight(), g.outWidth()), dw, db);
                counting.tiles.set(0);
                float[] gotY = new float[ys], gotDw = new float[ws], gotDb = new float[g.outChannels()];
                dc.forward(g, x, w, b, gotY);
                dc.weightGradient(g, x, dy, gotDw, gotDb);
                assertClose(y.data, gotY, 1e-4, 1e-4, g + " y");
                assertClose(dw.data, gotDw, 1e-4, 1e-4, g + " dW");
                assertClose(db.data, gotDb, 1e-4, 1e-4, g + " db");
                int pixels = g.batch() * g.outHeight() * g.outWidth(), taps = g.inChannels() * g.kernelH() * g.kernelW();
                int expected = g.outChannels() < L ? (pixels + 11) / 12 + (taps + 11) / 12 : 0;     // forward tiles, then weight-gradient units
                assertEquals(expected, counting.tiles.get(), g + ": tiles given to the narrow kernel");
            }
        }
    }

    @Test
    void aNarrowKernelMustBeHalfTheWidth() {
        try (ThreadTeam team = new ThreadTeam(1)) {
            assertThrows(IllegalArgumentException.class, () -> new DirectConv(team, new BroadcastKernel.Scalar(12), new RunKernel[0], new BroadcastKernel.Scalar(12)));
            assertThrows(IllegalArgumentException.class, () -> new DirectConv(team, new BroadcastKernel.Scalar(12, L / 2), new RunKernel[0], null));
        }
    }
}
