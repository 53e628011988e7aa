package dqnengine.backend.cpu;

import dqnengine.backend.Conv2dShape;
import dqnengine.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static dqnengine.testing.TestTensors.assertClose;
import static dqnengine.testing.TestTensors.centred;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** {@link PixelRowKernel}: its vector form against its plain loop, and which convolutions {@link DirectConv} sends to it. */
class PixelRowKernelTest {
    private static final int O = PixelRowKernel.CHANNELS;

    @Test
    void theVectorFormEqualsThePlainLoop() {
        assumeTrue(VectorSupport.vectorBits() >= 512, "the vector form is 512-bit only (this JVM's width)");
        Random rng = new Random(21);
        int taps = 37, lanes = PixelRowKernel.ROWS * PixelRowKernel.ROW;
        float[] x = centred(rng, 3000), w = centred(rng, taps * 16), bias = centred(rng, 16);
        int[] offsets = new int[taps];
        for (int t = 0; t < taps; t++) offsets[t] = rng.nextInt(2500);
        for (int o0 : new int[] {0, 8}) {
            for (boolean relu : new boolean[] {false, true}) {
                float[] plain = centred(rng, 40 * O + 50), vec = plain.clone();                    // 8 channels, 40 apart, written from 9 on
                new PixelRowKernel.Scalar().tile(x, 13, offsets, taps, w, o0, bias, relu, plain, 9, 40);
                new PixelRowKernel.Vector().tile(x, 13, offsets, taps, w, o0, bias, relu, vec, 9, 40);
                assertClose(plain, vec, 1e-5, 1e-5, "channels from " + o0 + ", relu " + relu);
                for (int o = 0; o < O; o++) {
                    for (int l = 0; l < lanes; l++) {
                        double sum = bias[o0 + o];
                        for (int t = 0; t < taps; t++) sum += (double) x[13 + offsets[t] + l] * w[t * 16 + o0 + o];
                        assertEquals(relu ? Math.max(0, sum) : sum, vec[9 + o * 40 + l], 1e-4, "channel " + (o0 + o) + ", pixel " + l);
                    }
                    for (int l = lanes; l < 40; l++) assertEquals(plain[9 + o * 40 + l], vec[9 + o * 40 + l], "left alone");
                }
            }
        }
    }

    @Test
    void takesSixteenChannelsAtStrideOneWithRowsOfEightInFoursBesideTheNarrowKernel() {
        try (ThreadTeam team = new ThreadTeam(1)) {
            DirectConv plain = new DirectConv(team, new BroadcastKernel.Scalar(12));
            int half = BroadcastKernel.LANES / 2;
            boolean narrowIsSixteen = half == 16;                   // 512-bit blocks: MinAtar's 16 channels are half of one
            assertEquals(narrowIsSixteen, plain.byPixelRows(new Conv2dShape(32, 4, 10, 10, 16, 3, 3, 1, 0)), "MinAtar's conv");
            assertFalse(plain.byPixelRows(new Conv2dShape(32, 4, 11, 11, 16, 3, 3, 1, 0)), "rows of 9");
            assertFalse(plain.byPixelRows(new Conv2dShape(32, 4, 11, 10, 16, 3, 3, 1, 0)), "9 rows of 8: not in fours");
            assertFalse(plain.byPixelRows(new Conv2dShape(32, 4, 17, 17, 16, 3, 3, 2, 0)), "stride 2 (rows of 8)");
            assertFalse(plain.byPixelRows(new Conv2dShape(32, 4, 10, 10, 32, 3, 3, 1, 0)), "32 channels");
            assertFalse(new DirectConv(team, new BroadcastKernel.Scalar(12), new RunKernel[0], null)
                    .byPixelRows(new Conv2dShape(32, 4, 10, 10, 16, 3, 3, 1, 0)), "no narrow kernel, no rows");
        }
    }

    @Test
    void minAtarsConvolutionThroughItEqualsTheReferenceOnAnyThreads() {
        assumeTrue(BroadcastKernel.LANES / 2 == 16, "16 channels fill half a block only with 512-bit blocks");
        Random rng = new Random(23);
        ReferenceBackend ref = new ReferenceBackend();
        // MinAtar's layer at 3 images, and a 2-channel input with a 2 × 4 kernel (8 × 8 out of 9 × 11)
        for (Conv2dShape g : new Conv2dShape[] {new Conv2dShape(3, 4, 10, 10, 16, 3, 3, 1, 0), new Conv2dShape(2, 2, 9, 11, 16, 2, 4, 1, 0)}) {
            float[] x = centred(rng, g.batch() * g.inChannels() * g.inHeight() * g.inWidth());
            float[] w = centred(rng, g.outChannels() * g.inChannels() * g.kernelH() * g.kernelW()), b = centred(rng, g.outChannels());
            Tensor y = Tensor.zeros(g.batch(), g.outChannels(), g.outHeight(), g.outWidth());
            ref.conv2dForward(g, Tensor.wrap(x, g.batch(), g.inChannels(), g.inHeight(), g.inWidth()),
                    Tensor.wrap(w, g.outChannels(), g.inChannels(), g.kernelH(), g.kernelW()), Tensor.wrap(b, g.outChannels()), y);
            float[] relu = y.data.clone();
            for (int i = 0; i < relu.length; i++) relu[i] = Math.max(0f, relu[i]);
            BroadcastKernel[] kernels = FastCpuBackendTest.preferredVectorBits() >= 512
                    ? new BroadcastKernel[] {new BroadcastKernel.Scalar(12), VectorSupport.bestBroadcastKernel()}
                    : new BroadcastKernel[] {new BroadcastKernel.Scalar(12)};
            for (BroadcastKernel kernel : kernels) {
                float[][] got = new float[2][];
                int[] threads = {1, 3};
                for (int k = 0; k < 2; k++) {
                    try (ThreadTeam team = new ThreadTeam(threads[k])) {
                        DirectConv dc = new DirectConv(team, kernel);
                        assertTrue(dc.byPixelRows(g), g + " by rows");
                        got[k] = new float[y.size()];
                        dc.forward(g, x, w, b, got[k]);
                        assertClose(y.data, got[k], 1e-4, 1e-4, g + " " + kernel.getClass().getSimpleName());
                        float[] gotRelu = new float[y.size()];
                        dc.forward(g, x, w, b, gotRelu, true);
                        assertClose(relu, gotRelu, 1e-4, 1e-4, g + " with its ReLU");
                    }
                }
                assertArrayEquals(got[0], got[1], g + ": 1 against 3 threads");
            }
        }
    }
}
