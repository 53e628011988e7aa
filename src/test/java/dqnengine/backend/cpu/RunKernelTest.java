package dqnengine.backend.cpu;

import dqnengine.backend.Conv2dShape;
import dqnengine.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;

import static dqnengine.testing.TestTensors.assertClose;
import static dqnengine.testing.TestTensors.centred;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** {@link RunKernel}: its vector form against its plain loop, and which convolutions {@link DirectConv} sends to it. */
class RunKernelTest {
    private static final int L = RunKernel.LANES;

    @Test
    void everyVectorFormEqualsThePlainLoopOfItsShape() {
        assumeTrue(FastCpuBackendTest.preferredVectorBits() >= 256, "no vector kernels on this CPU");
        RunKernel[] vector = RunKernel.vectorKernels(), plainKernels = RunKernel.plainKernels();
        assertEquals(plainKernels.length, vector.length);
        Random rng = new Random(3);
        int taps = 37;
        for (int i = 0; i < vector.length; i++) {
            RunKernel v = vector[i], p = plainKernels[i];
            assertEquals(p.run(), v.run(), "run of kernel " + i);
            assertEquals(p.stride(), v.stride(), "stride of kernel " + i);
            if (i > 0) assertTrue(vector[i - 1].run() >= v.run(), "longest run first");
            float[] x = centred(rng, 2200), w = centred(rng, taps * L), acc0 = centred(rng, v.run() * L);
            int[] offsets = new int[taps];
            for (int t = 0; t < taps; t++) offsets[t] = rng.nextInt(1500);                // + 17 + 8 · 64 (the longest reach) < 2200
            float[] plain = acc0.clone(), vec = acc0.clone();
            p.accumulate(x, 17, offsets, 3, taps, w, 0, plain);         // from tap 3: the sum starts where it is told
            v.accumulate(x, 17, offsets, 3, taps, w, 0, vec);
            assertClose(plain, vec, 1e-5, 1e-5, v.getClass().getSimpleName());
            float[] outPlain = centred(rng, 5 * 40 + 60), outVec = outPlain.clone();            // 5 channels, 40 apart, written from 7 on
            p.writeBack(plain, outPlain, 7, 5, 40);
            v.writeBack(plain, outVec, 7, 5, 40);
            assertArrayEquals(outPlain, outVec, v.getClass().getSimpleName() + " write-back");
            for (int l = 0; l < 5; l++)
                for (int r = 0; r < v.run(); r++) assertEquals(plain[r * L + l], outVec[7 + l * 40 + r], "row " + r + " of channel " + l);
        }
    }

    /** Counts the tiles it is given, and computes them with the plain loop of its shape. */
    private static final class Counting implements RunKernel {
        final AtomicInteger tiles = new AtomicInteger();
        private final RunKernel plain;

        Counting(int run, int stride) { this.plain = new RunKernel.Scalar(run, stride); }

        @Override
        public int run() { return plain.run(); }

        @Override
        public int stride() { return plain.stride(); }

        @Override
        public void writeBack(float[] acc, float[] out, int dst, int lanes, int channelStride) {
            plain.writeBack(acc, out, dst, lanes, channelStride);
        }

        @Override
        public void accumulate(float[] x, int base, int[] offsets, int from, int to, float[] vectors, int vecOff, float[] acc) {
            tiles.incrementAndGet();
            plain.accumulate(x, base, offsets, from, to, vectors, vecOff, acc);
        }
    }

    @Test
    void aConvolutionTakesTheLongestRunThatCutsItsRowsAndTheInputGradientOneOfStrideOne() {
        RunKernel[] kernels = RunKernel.plainKernels();
        assertEquals(10, RunKernel.choose(kernels, 4, 20).run(), "conv1: rows of 20 at stride 4");
        assertEquals(9, RunKernel.choose(kernels, 2, 9).run(), "conv2: rows of 9 at stride 2");
        assertEquals(7, RunKernel.choose(kernels, 1, 7).run(), "conv3: rows of 7 at stride 1");
        assertEquals(9, RunKernel.choose(kernels, 1, 81).run(), "an input gradient through dy, 81 pixels an image");
        assertEquals(7, RunKernel.choose(kernels, 1, 49).run(), "an input gradient through dy, 49 pixels an image");
        assertNull(RunKernel.choose(kernels, 1, 10), "rows of 10 at stride 1");
        assertEquals(9, RunKernel.choose(kernels, 1, 9).run(), "conv2's input gradient by rows of dx: rows of 9 in dy");
        assertNull(RunKernel.choose(kernels, 2, 20), "rows of 20 at stride 2");
        assertNull(RunKernel.choose(kernels, 4, 9), "rows of 9 at stride 4");
        assertEquals(8, RunKernel.choose(kernels, 1, 8).run(), "conv1's weight gradient: kernel rows of 8 taps");
        assertEquals(8, RunKernel.choose(kernels, 1, 64).run(), "an input gradient of 64 pixels an image");
        assertNull(RunKernel.choose(kernels, 1, 4), "conv2's kernel rows of 4 taps");
        assertNull(RunKernel.choose(kernels, 1, 3), "conv3's kernel rows of 3 taps");
    }

    /** conv2's and conv3's input gradients go by rows of dx, with a run of exactly their output rows through dy; conv1's does not exist. */
    @Test
    void theNatureInputGradientsGoByRowsOfDxWithRunsOfTheirOutputRows() {
        try (ThreadTeam team = new ThreadTeam(1)) {
            DirectConv dc = new DirectConv(team, new BroadcastKernel.Scalar(12), RunKernel.plainKernels());
            assertEquals(9, dc.inputRowKernel(new Conv2dShape(32, 32, 20, 20, 64, 4, 4, 2, 0)).run(), "conv2: rows of 9 through dy");
            assertEquals(7, dc.inputRowKernel(new Conv2dShape(32, 64, 9, 9, 64, 3, 3, 1, 0)).run(), "conv3: rows of 7 through dy");
            assertNull(dc.inputRowKernel(new Conv2dShape(32, 4, 84, 84, 32, 8, 8, 4, 0)), "conv1: 4 input channels fill no block");
            assertNull(dc.inputRowKernel(new Conv2dShape(1, 32, 8, 8, 32, 3, 3, 1, 0)), "rows of 6 through dy: no kernel of that run");
            assertNull(dc.inputRowKernel(new Conv2dShape(1, 64, 8, 40, 32, 2, 2, 2, 0)), "a row of dx of 20 pixels: more than the tile's 12");
        }
    }

    private static Conv2dShape[] shapes() {
        // rows of 10 at stride 4 and kernel rows of 8 taps (conv1-like, one full and one half block; one image, as acting runs
        // it: more go to Winograd's F(2×2, 2×2) where the channels fill blocks); rows of 9 at stride 2
        // (4 input channels: its input gradient through dy, 81 pixels an image); rows of 7 at stride 1 (conv3-like, 3 images:
        // tasks of 4 and fewer; its input gradient by rows of dx: runs of 7 through dy into rows of 9); a stride-2 one with rows
        // of 4 and 20 pixels an image, which no run kernel takes. The input gradient by rows of dx: conv2's shape (runs of 9
        // through dy into every other pixel of a row of 20), with a row of dx that no tap reaches (21 rows, the last written
        // as zeros), and two channel blocks with one tap a row (runs of 9 into rows of 9)
        return new Conv2dShape[] {new Conv2dShape(1, 3, 44, 44, 48, 8, 8, 4, 0), new Conv2dShape(2, 4, 20, 20, 32, 4, 4, 2, 0),
                new Conv2dShape(3, 32, 9, 9, 32, 3, 3, 1, 0), new Conv2dShape(2, 3, 11, 10, 32, 3, 3, 2, 0),
                new Conv2dShape(2, 32, 20, 20, 64, 4, 4, 2, 0), new Conv2dShape(2, 32, 21, 20, 32, 4, 4, 2, 0),
                new Conv2dShape(1, 64, 8, 18, 32, 2, 2, 2, 0)};
    }

    @Test
    void convolutionsGoThroughTheKernelThatFitsAndEqualTheReference() {
        Random rng = new Random(5);
        ReferenceBackend ref = new ReferenceBackend();
        for (Conv2dShape g : shapes()) {
            float[] x = centred(rng, g.batch() * g.inChannels() * g.inHeight() * g.inWidth());
            float[] w = centred(rng, g.outChannels() * g.inChannels() * g.kernelH() * g.kernelW()), b = centred(rng, g.outChannels());
            float[] dy = centred(rng, g.batch() * g.outChannels() * g.outHeight() * g.outWidth());
            RunKernel[] plain = RunKernel.plainKernels();
            Counting[] counting = new Counting[plain.length];
            for (int i = 0; i < plain.length; i++) counting[i] = new Counting(plain[i].run(), plain[i].stride());
            Tensor xt = Tensor.wrap(x, g.batch(), g.inChannels(), g.inHeight(), g.inWidth());
            Tensor wt = Tensor.wrap(w, g.outChannels(), g.inChannels(), g.kernelH(), g.kernelW());
            Tensor dyt = Tensor.wrap(dy, g.batch(), g.outChannels(), g.outHeight(), g.outWidth());
            Tensor y = Tensor.zeros(g.batch(), g.outChannels(), g.outHeight(), g.outWidth()), dx = Tensor.zeros(g.batch(), g.inChannels(), g.inHeight(), g.inWidth());
            ref.conv2dForward(g, xt, wt, Tensor.wrap(b, g.outChannels()), y);
            ref.conv2dBackwardData(g, dyt, wt, dx);
            try (ThreadTeam team = new ThreadTeam(2)) {
                DirectConv dc = new DirectConv(team, new BroadcastKernel.Scalar(12), counting);
                float[] gotY = new float[y.size()];
                dc.forward(g, x, w, b, gotY);
                assertClose(y.data, gotY, 1e-4, 1e-4, g + " forward");
                int[] forwardTiles = new int[plain.length];
                for (int i = 0; i < plain.length; i++) forwardTiles[i] = counting[i].tiles.getAndSet(0);
                RunKernel byRows = dc.inputRowKernel(g);
                boolean data = DirectConv.appliesToData(g);              // every shape of the rows' path too (its channels fill blocks)
                if (data) {
                    float[] gotDx = new float[dx.size()];
                    Arrays.fill(gotDx, Float.NaN);                           // every element must be written, the unreached ones as 0
                    dc.dataGradient(g, dy, w, gotDx);
                    assertClose(dx.data, gotDx, 1e-4, 1e-4, g + " input gradient");
                }
                int[] dataTiles = new int[plain.length];
                for (int i = 0; i < plain.length; i++) dataTiles[i] = counting[i].tiles.getAndSet(0);
                Tensor dw = Tensor.zeros(g.outChannels(), g.inChannels(), g.kernelH(), g.kernelW()), db = Tensor.zeros(g.outChannels());
                ref.conv2dBackwardWeights(g, xt, dyt, dw, db);
                float[] gotDw = new float[dw.size()], gotDb = new float[g.outChannels()];
                dc.weightGradient(g, x, dy, gotDw, gotDb);
                assertClose(dw.data, gotDw, 1e-4, 1e-4, g + " weight gradient");
                assertClose(db.data, gotDb, 1e-4, 1e-4, g + " bias gradient");
                RunKernel fwd = RunKernel.choose(counting, g.stride(), g.outWidth());
                RunKernel dwRun = RunKernel.choose(counting, 1, g.kernelW());
                RunKernel dxRun = byRows != null ? byRows : data ? RunKernel.choose(counting, 1, g.outHeight() * g.outWidth()) : null;
                int blocks = (g.outChannels() + L - 1) / L, pixels = g.batch() * g.outHeight() * g.outWidth();
                for (int i = 0; i < plain.length; i++) {
                    assertEquals(counting[i] == fwd ? pixels / fwd.run() * blocks : 0, forwardTiles[i], g + ": forward tiles of run kernel " + i);
                    int tapBlocks = g.inChannels() * g.kernelH() * g.kernelW() / L;
                    int rowTiles = byRows == null ? 0 : g.batch() * g.inChannels() / L * reachedRows(g) * g.stride() * (g.kernelW() / g.stride());
                    // (by rows of dx: a run through dy for each row of dx that a tap reaches, phase of its columns and mq)
                    assertEquals(counting[i] != dxRun ? 0 : byRows != null ? rowTiles : pixels / dxRun.run() * tapBlocks, dataTiles[i],
                            g + ": input-gradient tiles of run kernel " + i);
                    int taps = g.inChannels() * g.kernelH() * g.kernelW(), chunks = (pixels + DirectConv.PIXEL_CHUNK - 1) / DirectConv.PIXEL_CHUNK;
                    assertEquals(counting[i] == dwRun ? taps / dwRun.run() * blocks * chunks : 0, counting[i].tiles.get(), g + ": weight-gradient tiles of run kernel " + i);
                }
            }
        }
    }

    /** Rows h of dx that some tap reaches: a row i0 − mp of dy exists, i0 = h / s, mp &lt; KH / s. */
    private static int reachedRows(Conv2dShape g) {
        int reached = 0;
        for (int h = 0; h < g.inHeight(); h++) {
            int i0 = h / g.stride();
            if (Math.max(0, i0 - g.outHeight() + 1) <= Math.min(g.kernelH() / g.stride() - 1, i0)) reached++;
        }
        return reached;
    }

    /** dx is summed in an order fixed by the shape (tasks of 4 images), not by the thread count: 1 and 3 threads agree bit for bit. */
    @Test
    void theInputGradientIsTheSameOnAnyNumberOfThreads() {
        BroadcastKernel kernel = FastCpuBackendTest.preferredVectorBits() >= 256 ? VectorSupport.bestBroadcastKernel() : new BroadcastKernel.Scalar(12);
        Random rng = new Random(7);
        // 6 images (tasks of 4 and 2): 25 pixels each (tiles across the images' boundaries), 49 each (runs of 7 where a run kernel is there)
        for (Conv2dShape g : new Conv2dShape[] {new Conv2dShape(6, 8, 6, 6, 32, 2, 2, 1, 0), new Conv2dShape(6, 32, 9, 9, 32, 3, 3, 1, 0)}) {
            float[] w = centred(rng, g.outChannels() * g.inChannels() * g.kernelH() * g.kernelW());
            float[] dy = centred(rng, g.batch() * g.outChannels() * g.outHeight() * g.outWidth());
            float[][] dx = new float[2][g.batch() * g.inChannels() * g.inHeight() * g.inWidth()];
            int[] threads = {1, 3};
            for (int i = 0; i < 2; i++) {
                try (ThreadTeam team = new ThreadTeam(threads[i])) {
                    new DirectConv(team, kernel).dataGradient(g, dy, w, dx[i]);
                }
            }
            assertArrayEquals(dx[0], dx[1], g + ": 1 against 3 threads");
        }
    }

    @Test
    void aRunLongerThanTheTileIsRefused() {
        try (ThreadTeam team = new ThreadTeam(1)) {
            assertThrows(IllegalArgumentException.class, () -> new DirectConv(team, new BroadcastKernel.Scalar(6), RunKernel.plainKernels()));
        }
    }
}
