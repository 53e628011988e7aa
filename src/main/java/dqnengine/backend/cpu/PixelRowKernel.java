package dqnengine.backend.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The forward pass of MinAtar's convolution (4 → 16 channels, 3 × 3, stride 1, 10 × 10 in,
 * 8 × 8 out) with output pixels as the lanes: a tile is {@link #ROWS} = 4 output rows of 8
 * pixels, two 512-bit vectors, × {@link #CHANNELS} = 8 output channels (half of the layer's 16).
 *
 * <pre>
 *   acc[o][l] = bias[o], then for t in [0, taps):
 *       acc[o][l] += xs[base + offsets[t] + l] · w[t·16 + o0 + o]     l &lt; 32, o &lt; 8
 *   out[dst + o·channelStride + l] = max(0, acc[o][l])                 (the max only with relu)
 * </pre>
 * A tap's 32 inputs must lie side by side, and in x they do not (four rows of 8 out of rows of
 * 10), so {@link DirectConv} first copies each image shifted, xs[c][q][h][j] = x[c][h][j + q] for
 * j &lt; 8, where the rows h … h + 3 of one (c, q) are neighbours. A tap is then two vector loads
 * and 8 broadcasts of weights for 16 multiply-adds, and a tile is written back as 16 vector stores
 * (four rows of 8 of one channel are neighbours in y too). With the channels as the lanes
 * ({@link NarrowBroadcastKernel}), each tile's 12 × 36 multiply-adds came with 192 scalar stores,
 * a bias copy and 12 bases, and the pass ran at about 30% of the FMA peak. MinAtar's batch of 32,
 * one thread, Zen 4: 71 µs a call so, 35 µs with this tile (43 µs with all 16 channels in a tile of
 * two rows: 16 broadcasts for 16 multiply-adds).
 */
interface PixelRowKernel {
    int ROW = 8;                     // pixels of an output row
    int ROWS = 4;                    // output rows of a tile: 32 pixels, two 512-bit vectors
    int CHANNELS = 8;                // output channels of a tile
    int LAYER_CHANNELS = 16;         // output channels of the layers it takes (w holds 16 a tap)

    /** One tile: channels [o0, o0 + 8) of rows [base / 8, base / 8 + 4) of the shifted image xs. */
    void tile(float[] xs, int base, int[] offsets, int taps, float[] w, int o0, float[] bias, boolean relu, float[] out, int dst, int channelStride);

    /** The plain loop, the reference (and the form beside the plain 12-row loop, with 512-bit blocks). */
    final class Scalar implements PixelRowKernel {
        @Override
        public void tile(float[] xs, int base, int[] offsets, int taps, float[] w, int o0, float[] bias, boolean relu, float[] out, int dst, int channelStride) {
            for (int o = 0; o < CHANNELS; o++) {
                for (int l = 0; l < ROWS * ROW; l++) {
                    float sum = bias[o0 + o];                    // the sums start from the bias, as the other direct kernels' do
                    for (int t = 0; t < taps; t++) sum += xs[base + offsets[t] + l] * w[t * LAYER_CHANNELS + o0 + o];
                    out[dst + o * channelStride + l] = relu ? Math.max(0f, sum) : sum;
                }
            }
        }
    }

    /**
     * 8 channels × 2 vectors, 16 accumulators. 512-bit vectors only, the JVM's one width: a second
     * species in the same JVM (256-bit vectors of one row each, tried first) made the engine's
     * Vector API call sites polymorphic, and MinAtar's whole step went from 0.66 to 5.2 ms.
     */
    final class Vector implements PixelRowKernel {
        private static final VectorSpecies<Float> S = VectorSupport.Width.SPECIES;
        private static final int L = 16;

        Vector() {
            if (S.length() != L) throw new IllegalStateException("PixelRowKernel.Vector needs 512-bit vectors, the JVM has " + S.vectorBitSize());
        }

        @Override
        public void tile(float[] xs, int base, int[] offsets, int taps, float[] w, int o0, float[] bias, boolean relu, float[] out, int dst, int channelStride) {
            FloatVector b0 = FloatVector.broadcast(S, bias[o0]), b1 = FloatVector.broadcast(S, bias[o0 + 1]);
            FloatVector b2 = FloatVector.broadcast(S, bias[o0 + 2]), b3 = FloatVector.broadcast(S, bias[o0 + 3]);
            FloatVector b4 = FloatVector.broadcast(S, bias[o0 + 4]), b5 = FloatVector.broadcast(S, bias[o0 + 5]);
            FloatVector b6 = FloatVector.broadcast(S, bias[o0 + 6]), b7 = FloatVector.broadcast(S, bias[o0 + 7]);
            FloatVector a00 = b0, a01 = b0, a10 = b1, a11 = b1, a20 = b2, a21 = b2, a30 = b3, a31 = b3;
            FloatVector a40 = b4, a41 = b4, a50 = b5, a51 = b5, a60 = b6, a61 = b6, a70 = b7, a71 = b7;
            for (int t = 0; t < taps; t++) {
                int i = base + offsets[t], v = t * LAYER_CHANNELS + o0;
                FloatVector x0 = FloatVector.fromArray(S, xs, i), x1 = FloatVector.fromArray(S, xs, i + L);
                FloatVector w0 = FloatVector.broadcast(S, w[v]); a00 = w0.fma(x0, a00); a01 = w0.fma(x1, a01);
                FloatVector w1 = FloatVector.broadcast(S, w[v + 1]); a10 = w1.fma(x0, a10); a11 = w1.fma(x1, a11);
                FloatVector w2 = FloatVector.broadcast(S, w[v + 2]); a20 = w2.fma(x0, a20); a21 = w2.fma(x1, a21);
                FloatVector w3 = FloatVector.broadcast(S, w[v + 3]); a30 = w3.fma(x0, a30); a31 = w3.fma(x1, a31);
                FloatVector w4 = FloatVector.broadcast(S, w[v + 4]); a40 = w4.fma(x0, a40); a41 = w4.fma(x1, a41);
                FloatVector w5 = FloatVector.broadcast(S, w[v + 5]); a50 = w5.fma(x0, a50); a51 = w5.fma(x1, a51);
                FloatVector w6 = FloatVector.broadcast(S, w[v + 6]); a60 = w6.fma(x0, a60); a61 = w6.fma(x1, a61);
                FloatVector w7 = FloatVector.broadcast(S, w[v + 7]); a70 = w7.fma(x0, a70); a71 = w7.fma(x1, a71);
            }
            if (relu) {                    // here, not in a helper taking a vector: C2 did not inline such a call and boxed every vector (an earlier form: 73 µs a call against 43)
                FloatVector z = FloatVector.zero(S);
                a00 = a00.max(z); a01 = a01.max(z); a10 = a10.max(z); a11 = a11.max(z); a20 = a20.max(z); a21 = a21.max(z); a30 = a30.max(z); a31 = a31.max(z);
                a40 = a40.max(z); a41 = a41.max(z); a50 = a50.max(z); a51 = a51.max(z); a60 = a60.max(z); a61 = a61.max(z); a70 = a70.max(z); a71 = a71.max(z);
            }
            int d = dst;
            a00.intoArray(out, d); a01.intoArray(out, d + L); d += channelStride;
            a10.intoArray(out, d); a11.intoArray(out, d + L); d += channelStride;
            a20.intoArray(out, d); a21.intoArray(out, d + L); d += channelStride;
            a30.intoArray(out, d); a31.intoArray(out, d + L); d += channelStride;
            a40.intoArray(out, d); a41.intoArray(out, d + L); d += channelStride;
            a50.intoArray(out, d); a51.intoArray(out, d + L); d += channelStride;
            a60.intoArray(out, d); a61.intoArray(out, d + L); d += channelStride;
            a70.intoArray(out, d); a71.intoArray(out, d + L);
        }
    }
}
