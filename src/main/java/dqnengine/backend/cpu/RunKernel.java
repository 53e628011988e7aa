package dqnengine.backend.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The direct convolution's inner loop for a tile of {@link #run()} neighbouring output pixels of
 * one output row of a stride-{@link #stride()} convolution (the Nature network's conv1: 8 × 8
 * kernel, stride 4, rows of 20 pixels, two tiles of 10 per row; conv2: rows of 9 at stride 2;
 * conv3: rows of 7 at stride 1). Their windows start {@link #stride()} apart in x, so the tile's
 * inputs for tap t lie at fixed distances from one index:
 *
 * <pre>
 *   for t in [from, to):
 *       acc[r][l] += x[base + offsets[t] + stride·r] · vectors[vecOff + t·LANES + l]     r &lt; run, l &lt; LANES
 * </pre>
 * The input gradient takes the same loop with stride 1: by rows of dx (conv2, conv3), r runs over
 * the OW pixels of a row of dy, each added into every s-th pixel of a row of dx from a column tap's
 * offset on, and t over (kernel row tap, output channel) for that column tap; elsewhere r runs over
 * neighbouring pixels of one image in dy, t over output channels.
 * {@link BroadcastKernel}'s tile has a base per row (12 of them: x86 has 16 general registers,
 * and each row's index is checked against the array on its own); here the JIT keeps one index
 * and checks the bounds once per step. Measured alone, one thread, conv1's 256 taps: 165–178
 * GFLOP/s against 142–147 for the 12-row kernel. The distances must be constants in the code for
 * the JIT to fold them into the loads, so each (run, stride) is a class of its own, the same loop
 * unrolled; which one a convolution takes is {@link #choose}'s.
 */
interface RunKernel {
    int LANES = BroadcastKernel.LANES;

    /** Pixels per tile. */
    int run();

    /** How far apart in x neighbouring pixels' windows start: the convolution's stride (1 for the input gradient's runs through dy). */
    int stride();

    void accumulate(float[] x, int base, int[] offsets, int from, int to, float[] vectors, int vecOff, float[] acc);

    /**
     * A forward tile's outputs, each channel's run side by side in y: out[dst + l·channelStride + r]
     * = acc[r·LANES + l] for l &lt; lanes, r &lt; {@link #run()}. Each class passes its run to
     * {@link #writeRows} as a constant, so the JIT unrolls the rows: with the run read from a field,
     * conv1's forward pass took 1.12× as long (sixth session) and 1.04× again in the eighth
     * session's window, before this.
     */
    void writeBack(float[] acc, float[] out, int dst, int lanes, int channelStride);

    /** The loop of {@link #writeBack}, for runs of {@code run} pixels. */
    static void writeRows(float[] acc, float[] out, int dst, int lanes, int channelStride, int run) {
        for (int l = 0; l < lanes; l++) {
            int row = dst + l * channelStride;
            for (int r = 0; r < run; r++) out[row + r] = acc[r * LANES + l];
        }
    }

    /** Whether rows of {@code length} pixels at this stride cut into whole tiles of this kernel. */
    default boolean fits(int stride, int length) {
        return stride == stride() && length % run() == 0;
    }

    /** The first kernel of {@code kernels} (longest run first) that fits, or null. */
    static RunKernel choose(RunKernel[] kernels, int stride, int length) {
        for (RunKernel k : kernels) if (k.fits(stride, length)) return k;
        return null;
    }

    /** The kernel of {@code kernels} whose run is exactly {@code run} pixels at this stride, or null. */
    static RunKernel exact(RunKernel[] kernels, int stride, int run) {
        for (RunKernel k : kernels) if (k.stride() == stride && k.run() == run) return k;
        return null;
    }

    /**
     * The vector kernels, longest run first: 10 at stride 4 (conv1's rows of 20), 9 at stride 2
     * (conv2's rows of 9), 9 at 64 apart (the same rows of a pixel-major x), 9 at stride 1 (conv2's input gradient by rows of dx: rows of 9 through
     * dy; its write-back of conv3's rows of 9), 8 at stride 1 (conv1's weight gradient, kernel rows
     * of 8 taps), 7 at stride 1 (conv3's rows of 7, forward and through dy for its input gradient).
     */
    static RunKernel[] vectorKernels() {
        return new RunKernel[] {new Vector10x4(), new Vector9x2(), new Vector9x64(), new Vector9x1(), new Vector8x1(), new Vector7x1()};
    }

    /** The same shapes as plain loops, so the parity tests check the tiling without vectors too. */
    static RunKernel[] plainKernels() {
        return new RunKernel[] {new Scalar(10, 4), new Scalar(9, 2), new Scalar(9, 64), new Scalar(9, 1), new Scalar(8, 1), new Scalar(7, 1)};
    }

    /** The plain loop. */
    final class Scalar implements RunKernel {
        private final int run, stride;

        Scalar(int run, int stride) {
            this.run = run;
            this.stride = stride;
        }

        @Override
        public int run() { return run; }

        @Override
        public int stride() { return stride; }

        @Override
        public void writeBack(float[] acc, float[] out, int dst, int lanes, int channelStride) {
            writeRows(acc, out, dst, lanes, channelStride, run);
        }

        @Override
        public void accumulate(float[] x, int base, int[] offsets, int from, int to, float[] vectors, int vecOff, float[] acc) {
            for (int r = 0; r < run; r++) {
                for (int t = from; t < to; t++) {
                    float xv = x[base + offsets[t] + stride * r];
                    int v = vecOff + t * LANES;
                    for (int l = 0; l < LANES; l++) acc[r * LANES + l] += xv * vectors[v + l];
                }
            }
        }
    }

    /** 10 rows × 2 vectors at stride 4: 20 accumulators; per step 2 vector loads and 10 broadcasts for 20 multiply-adds. */
    final class Vector10x4 implements RunKernel {
        private static final VectorSpecies<Float> S = VectorSupport.Width.SPECIES;
        private static final int L = VectorSupport.LANES;

        @Override
        public int run() { return 10; }

        @Override
        public int stride() { return 4; }

        @Override
        public void writeBack(float[] acc, float[] out, int dst, int lanes, int channelStride) {
            writeRows(acc, out, dst, lanes, channelStride, 10);
        }

        @Override
        public void accumulate(float[] x, int base, int[] offsets, int from, int to, float[] vectors, int vecOff, float[] acc) {
            FloatVector a00 = FloatVector.fromArray(S, acc, 0 * L), a01 = FloatVector.fromArray(S, acc, 1 * L);
            FloatVector a10 = FloatVector.fromArray(S, acc, 2 * L), a11 = FloatVector.fromArray(S, acc, 3 * L);
            FloatVector a20 = FloatVector.fromArray(S, acc, 4 * L), a21 = FloatVector.fromArray(S, acc, 5 * L);
            FloatVector a30 = FloatVector.fromArray(S, acc, 6 * L), a31 = FloatVector.fromArray(S, acc, 7 * L);
            FloatVector a40 = FloatVector.fromArray(S, acc, 8 * L), a41 = FloatVector.fromArray(S, acc, 9 * L);
            FloatVector a50 = FloatVector.fromArray(S, acc, 10 * L), a51 = FloatVector.fromArray(S, acc, 11 * L);
            FloatVector a60 = FloatVector.fromArray(S, acc, 12 * L), a61 = FloatVector.fromArray(S, acc, 13 * L);
            FloatVector a70 = FloatVector.fromArray(S, acc, 14 * L), a71 = FloatVector.fromArray(S, acc, 15 * L);
            FloatVector a80 = FloatVector.fromArray(S, acc, 16 * L), a81 = FloatVector.fromArray(S, acc, 17 * L);
            FloatVector a90 = FloatVector.fromArray(S, acc, 18 * L), a91 = FloatVector.fromArray(S, acc, 19 * L);
            for (int t = from; t < to; t++) {
                int i = base + offsets[t], v = vecOff + t * LANES;
                FloatVector w0 = FloatVector.fromArray(S, vectors, v), w1 = FloatVector.fromArray(S, vectors, v + L);
                FloatVector x0 = FloatVector.broadcast(S, x[i]); a00 = x0.fma(w0, a00); a01 = x0.fma(w1, a01);
                FloatVector x1 = FloatVector.broadcast(S, x[i + 4]); a10 = x1.fma(w0, a10); a11 = x1.fma(w1, a11);
                FloatVector x2 = FloatVector.broadcast(S, x[i + 8]); a20 = x2.fma(w0, a20); a21 = x2.fma(w1, a21);
                FloatVector x3 = FloatVector.broadcast(S, x[i + 12]); a30 = x3.fma(w0, a30); a31 = x3.fma(w1, a31);
                FloatVector x4 = FloatVector.broadcast(S, x[i + 16]); a40 = x4.fma(w0, a40); a41 = x4.fma(w1, a41);
                FloatVector x5 = FloatVector.broadcast(S, x[i + 20]); a50 = x5.fma(w0, a50); a51 = x5.fma(w1, a51);
                FloatVector x6 = FloatVector.broadcast(S, x[i + 24]); a60 = x6.fma(w0, a60); a61 = x6.fma(w1, a61);
                FloatVector x7 = FloatVector.broadcast(S, x[i + 28]); a70 = x7.fma(w0, a70); a71 = x7.fma(w1, a71);
                FloatVector x8 = FloatVector.broadcast(S, x[i + 32]); a80 = x8.fma(w0, a80); a81 = x8.fma(w1, a81);
                FloatVector x9 = FloatVector.broadcast(S, x[i + 36]); a90 = x9.fma(w0, a90); a91 = x9.fma(w1, a91);
            }
            a00.intoArray(acc, 0 * L); a01.intoArray(acc, 1 * L);
            a10.intoArray(acc, 2 * L); a11.intoArray(acc, 3 * L);
            a20.intoArray(acc, 4 * L); a21.intoArray(acc, 5 * L);
            a30.intoArray(acc, 6 * L); a31.intoArray(acc, 7 * L);
            a40.intoArray(acc, 8 * L); a41.intoArray(acc, 9 * L);
            a50.intoArray(acc, 10 * L); a51.intoArray(acc, 11 * L);
            a60.intoArray(acc, 12 * L); a61.intoArray(acc, 13 * L);
            a70.intoArray(acc, 14 * L); a71.intoArray(acc, 15 * L);
            a80.intoArray(acc, 16 * L); a81.intoArray(acc, 17 * L);
            a90.intoArray(acc, 18 * L); a91.intoArray(acc, 19 * L);
        }
    }

    /** 9 rows × 2 vectors at stride 2: 18 accumulators; per step 2 vector loads and 9 broadcasts for 18 multiply-adds. */
    final class Vector9x2 implements RunKernel {
        private static final VectorSpecies<Float> S = VectorSupport.Width.SPECIES;
        private static final int L = VectorSupport.LANES;

        @Override
        public int run() { return 9; }

        @Override
        public int stride() { return 2; }

        @Override
        public void writeBack(float[] acc, float[] out, int dst, int lanes, int channelStride) {
            writeRows(acc, out, dst, lanes, channelStride, 9);
        }

        @Override
        public void accumulate(float[] x, int base, int[] offsets, int from, int to, float[] vectors, int vecOff, float[] acc) {
            FloatVector a00 = FloatVector.fromArray(S, acc, 0 * L), a01 = FloatVector.fromArray(S, acc, 1 * L);
            FloatVector a10 = FloatVector.fromArray(S, acc, 2 * L), a11 = FloatVector.fromArray(S, acc, 3 * L);
            FloatVector a20 = FloatVector.fromArray(S, acc, 4 * L), a21 = FloatVector.fromArray(S, acc, 5 * L);
            FloatVector a30 = FloatVector.fromArray(S, acc, 6 * L), a31 = FloatVector.fromArray(S, acc, 7 * L);
            FloatVector a40 = FloatVector.fromArray(S, acc, 8 * L), a41 = FloatVector.fromArray(S, acc, 9 * L);
            FloatVector a50 = FloatVector.fromArray(S, acc, 10 * L), a51 = FloatVector.fromArray(S, acc, 11 * L);
            FloatVector a60 = FloatVector.fromArray(S, acc, 12 * L), a61 = FloatVector.fromArray(S, acc, 13 * L);
            FloatVector a70 = FloatVector.fromArray(S, acc, 14 * L), a71 = FloatVector.fromArray(S, acc, 15 * L);
            FloatVector a80 = FloatVector.fromArray(S, acc, 16 * L), a81 = FloatVector.fromArray(S, acc, 17 * L);
            for (int t = from; t < to; t++) {
                int i = base + offsets[t], v = vecOff + t * LANES;
                FloatVector w0 = FloatVector.fromArray(S, vectors, v), w1 = FloatVector.fromArray(S, vectors, v + L);
                FloatVector x0 = FloatVector.broadcast(S, x[i]); a00 = x0.fma(w0, a00); a01 = x0.fma(w1, a01);
                FloatVector x1 = FloatVector.broadcast(S, x[i + 2]); a10 = x1.fma(w0, a10); a11 = x1.fma(w1, a11);
                FloatVector x2 = FloatVector.broadcast(S, x[i + 4]); a20 = x2.fma(w0, a20); a21 = x2.fma(w1, a21);
                FloatVector x3 = FloatVector.broadcast(S, x[i + 6]); a30 = x3.fma(w0, a30); a31 = x3.fma(w1, a31);
                FloatVector x4 = FloatVector.broadcast(S, x[i + 8]); a40 = x4.fma(w0, a40); a41 = x4.fma(w1, a41);
                FloatVector x5 = FloatVector.broadcast(S, x[i + 10]); a50 = x5.fma(w0, a50); a51 = x5.fma(w1, a51);
                FloatVector x6 = FloatVector.broadcast(S, x[i + 12]); a60 = x6.fma(w0, a60); a61 = x6.fma(w1, a61);
                FloatVector x7 = FloatVector.broadcast(S, x[i + 14]); a70 = x7.fma(w0, a70); a71 = x7.fma(w1, a71);
                FloatVector x8 = FloatVector.broadcast(S, x[i + 16]); a80 = x8.fma(w0, a80); a81 = x8.fma(w1, a81);
            }
            a00.intoArray(acc, 0 * L); a01.intoArray(acc, 1 * L);
            a10.intoArray(acc, 2 * L); a11.intoArray(acc, 3 * L);
            a20.intoArray(acc, 4 * L); a21.intoArray(acc, 5 * L);
            a30.intoArray(acc, 6 * L); a31.intoArray(acc, 7 * L);
            a40.intoArray(acc, 8 * L); a41.intoArray(acc, 9 * L);
            a50.intoArray(acc, 10 * L); a51.intoArray(acc, 11 * L);
            a60.intoArray(acc, 12 * L); a61.intoArray(acc, 13 * L);
            a70.intoArray(acc, 14 * L); a71.intoArray(acc, 15 * L);
            a80.intoArray(acc, 16 * L); a81.intoArray(acc, 17 * L);
        }
    }

    /**
     * 9 rows × 2 vectors 64 floats apart: conv2's rows of 9 when its x is pixel-major (32 channels a
     * pixel, stride 2; see {@code Conv2dShape}); otherwise {@link Vector9x2}'s loop.
     */
    final class Vector9x64 implements RunKernel {
        private static final VectorSpecies<Float> S = VectorSupport.Width.SPECIES;
        private static final int L = VectorSupport.LANES;

        @Override
        public int run() { return 9; }

        @Override
        public int stride() { return 64; }

        @Override
        public void writeBack(float[] acc, float[] out, int dst, int lanes, int channelStride) {
            writeRows(acc, out, dst, lanes, channelStride, 9);
        }

        @Override
        public void accumulate(float[] x, int base, int[] offsets, int from, int to, float[] vectors, int vecOff, float[] acc) {
            FloatVector a00 = FloatVector.fromArray(S, acc, 0 * L), a01 = FloatVector.fromArray(S, acc, 1 * L);
            FloatVector a10 = FloatVector.fromArray(S, acc, 2 * L), a11 = FloatVector.fromArray(S, acc, 3 * L);
            FloatVector a20 = FloatVector.fromArray(S, acc, 4 * L), a21 = FloatVector.fromArray(S, acc, 5 * L);
            FloatVector a30 = FloatVector.fromArray(S, acc, 6 * L), a31 = FloatVector.fromArray(S, acc, 7 * L);
            FloatVector a40 = FloatVector.fromArray(S, acc, 8 * L), a41 = FloatVector.fromArray(S, acc, 9 * L);
            FloatVector a50 = FloatVector.fromArray(S, acc, 10 * L), a51 = FloatVector.fromArray(S, acc, 11 * L);
            FloatVector a60 = FloatVector.fromArray(S, acc, 12 * L), a61 = FloatVector.fromArray(S, acc, 13 * L);
            FloatVector a70 = FloatVector.fromArray(S, acc, 14 * L), a71 = FloatVector.fromArray(S, acc, 15 * L);
            FloatVector a80 = FloatVector.fromArray(S, acc, 16 * L), a81 = FloatVector.fromArray(S, acc, 17 * L);
            for (int t = from; t < to; t++) {
                int i = base + offsets[t], v = vecOff + t * LANES;
                FloatVector w0 = FloatVector.fromArray(S, vectors, v), w1 = FloatVector.fromArray(S, vectors, v + L);
                FloatVector x0 = FloatVector.broadcast(S, x[i]); a00 = x0.fma(w0, a00); a01 = x0.fma(w1, a01);
                FloatVector x1 = FloatVector.broadcast(S, x[i + 64]); a10 = x1.fma(w0, a10); a11 = x1.fma(w1, a11);
                FloatVector x2 = FloatVector.broadcast(S, x[i + 128]); a20 = x2.fma(w0, a20); a21 = x2.fma(w1, a21);
                FloatVector x3 = FloatVector.broadcast(S, x[i + 192]); a30 = x3.fma(w0, a30); a31 = x3.fma(w1, a31);
                FloatVector x4 = FloatVector.broadcast(S, x[i + 256]); a40 = x4.fma(w0, a40); a41 = x4.fma(w1, a41);
                FloatVector x5 = FloatVector.broadcast(S, x[i + 320]); a50 = x5.fma(w0, a50); a51 = x5.fma(w1, a51);
                FloatVector x6 = FloatVector.broadcast(S, x[i + 384]); a60 = x6.fma(w0, a60); a61 = x6.fma(w1, a61);
                FloatVector x7 = FloatVector.broadcast(S, x[i + 448]); a70 = x7.fma(w0, a70); a71 = x7.fma(w1, a71);
                FloatVector x8 = FloatVector.broadcast(S, x[i + 512]); a80 = x8.fma(w0, a80); a81 = x8.fma(w1, a81);
            }
            a00.intoArray(acc, 0 * L); a01.intoArray(acc, 1 * L);
            a10.intoArray(acc, 2 * L); a11.intoArray(acc, 3 * L);
            a20.intoArray(acc, 4 * L); a21.intoArray(acc, 5 * L);
            a30.intoArray(acc, 6 * L); a31.intoArray(acc, 7 * L);
            a40.intoArray(acc, 8 * L); a41.intoArray(acc, 9 * L);
            a50.intoArray(acc, 10 * L); a51.intoArray(acc, 11 * L);
            a60.intoArray(acc, 12 * L); a61.intoArray(acc, 13 * L);
            a70.intoArray(acc, 14 * L); a71.intoArray(acc, 15 * L);
            a80.intoArray(acc, 16 * L); a81.intoArray(acc, 17 * L);
        }
    }

    /** 9 rows × 2 vectors at stride 1: 18 accumulators; per step 2 vector loads and 9 broadcasts for 18 multiply-adds. */
    final class Vector9x1 implements RunKernel {
        private static final VectorSpecies<Float> S = VectorSupport.Width.SPECIES;
        private static final int L = VectorSupport.LANES;

        @Override
        public int run() { return 9; }

        @Override
        public int stride() { return 1; }

        @Override
        public void writeBack(float[] acc, float[] out, int dst, int lanes, int channelStride) {
            writeRows(acc, out, dst, lanes, channelStride, 9);
        }

        @Override
        public void accumulate(float[] x, int base, int[] offsets, int from, int to, float[] vectors, int vecOff, float[] acc) {
            FloatVector a00 = FloatVector.fromArray(S, acc, 0 * L), a01 = FloatVector.fromArray(S, acc, 1 * L);
            FloatVector a10 = FloatVector.fromArray(S, acc, 2 * L), a11 = FloatVector.fromArray(S, acc, 3 * L);
            FloatVector a20 = FloatVector.fromArray(S, acc, 4 * L), a21 = FloatVector.fromArray(S, acc, 5 * L);
            FloatVector a30 = FloatVector.fromArray(S, acc, 6 * L), a31 = FloatVector.fromArray(S, acc, 7 * L);
            FloatVector a40 = FloatVector.fromArray(S, acc, 8 * L), a41 = FloatVector.fromArray(S, acc, 9 * L);
            FloatVector a50 = FloatVector.fromArray(S, acc, 10 * L), a51 = FloatVector.fromArray(S, acc, 11 * L);
            FloatVector a60 = FloatVector.fromArray(S, acc, 12 * L), a61 = FloatVector.fromArray(S, acc, 13 * L);
            FloatVector a70 = FloatVector.fromArray(S, acc, 14 * L), a71 = FloatVector.fromArray(S, acc, 15 * L);
            FloatVector a80 = FloatVector.fromArray(S, acc, 16 * L), a81 = FloatVector.fromArray(S, acc, 17 * L);
            for (int t = from; t < to; t++) {
                int i = base + offsets[t], v = vecOff + t * LANES;
                FloatVector w0 = FloatVector.fromArray(S, vectors, v), w1 = FloatVector.fromArray(S, vectors, v + L);
                FloatVector x0 = FloatVector.broadcast(S, x[i]); a00 = x0.fma(w0, a00); a01 = x0.fma(w1, a01);
                FloatVector x1 = FloatVector.broadcast(S, x[i + 1]); a10 = x1.fma(w0, a10); a11 = x1.fma(w1, a11);
                FloatVector x2 = FloatVector.broadcast(S, x[i + 2]); a20 = x2.fma(w0, a20); a21 = x2.fma(w1, a21);
                FloatVector x3 = FloatVector.broadcast(S, x[i + 3]); a30 = x3.fma(w0, a30); a31 = x3.fma(w1, a31);
                FloatVector x4 = FloatVector.broadcast(S, x[i + 4]); a40 = x4.fma(w0, a40); a41 = x4.fma(w1, a41);
                FloatVector x5 = FloatVector.broadcast(S, x[i + 5]); a50 = x5.fma(w0, a50); a51 = x5.fma(w1, a51);
                FloatVector x6 = FloatVector.broadcast(S, x[i + 6]); a60 = x6.fma(w0, a60); a61 = x6.fma(w1, a61);
                FloatVector x7 = FloatVector.broadcast(S, x[i + 7]); a70 = x7.fma(w0, a70); a71 = x7.fma(w1, a71);
                FloatVector x8 = FloatVector.broadcast(S, x[i + 8]); a80 = x8.fma(w0, a80); a81 = x8.fma(w1, a81);
            }
            a00.intoArray(acc, 0 * L); a01.intoArray(acc, 1 * L);
            a10.intoArray(acc, 2 * L); a11.intoArray(acc, 3 * L);
            a20.intoArray(acc, 4 * L); a21.intoArray(acc, 5 * L);
            a30.intoArray(acc, 6 * L); a31.intoArray(acc, 7 * L);
            a40.intoArray(acc, 8 * L); a41.intoArray(acc, 9 * L);
            a50.intoArray(acc, 10 * L); a51.intoArray(acc, 11 * L);
            a60.intoArray(acc, 12 * L); a61.intoArray(acc, 13 * L);
            a70.intoArray(acc, 14 * L); a71.intoArray(acc, 15 * L);
            a80.intoArray(acc, 16 * L); a81.intoArray(acc, 17 * L);
        }
    }

    /** 8 rows × 2 vectors at stride 1: 16 accumulators; per step 2 vector loads and 8 broadcasts for 16 multiply-adds. */
    final class Vector8x1 implements RunKernel {
        private static final VectorSpecies<Float> S = VectorSupport.Width.SPECIES;
        private static final int L = VectorSupport.LANES;

        @Override
        public int run() { return 8; }

        @Override
        public int stride() { return 1; }

        @Override
        public void writeBack(float[] acc, float[] out, int dst, int lanes, int channelStride) {
            writeRows(acc, out, dst, lanes, channelStride, 8);
        }

        @Override
        public void accumulate(float[] x, int base, int[] offsets, int from, int to, float[] vectors, int vecOff, float[] acc) {
            FloatVector a00 = FloatVector.fromArray(S, acc, 0 * L), a01 = FloatVector.fromArray(S, acc, 1 * L);
            FloatVector a10 = FloatVector.fromArray(S, acc, 2 * L), a11 = FloatVector.fromArray(S, acc, 3 * L);
            FloatVector a20 = FloatVector.fromArray(S, acc, 4 * L), a21 = FloatVector.fromArray(S, acc, 5 * L);
            FloatVector a30 = FloatVector.fromArray(S, acc, 6 * L), a31 = FloatVector.fromArray(S, acc, 7 * L);
            FloatVector a40 = FloatVector.fromArray(S, acc, 8 * L), a41 = FloatVector.fromArray(S, acc, 9 * L);
            FloatVector a50 = FloatVector.fromArray(S, acc, 10 * L), a51 = FloatVector.fromArray(S, acc, 11 * L);
            FloatVector a60 = FloatVector.fromArray(S, acc, 12 * L), a61 = FloatVector.fromArray(S, acc, 13 * L);
            FloatVector a70 = FloatVector.fromArray(S, acc, 14 * L), a71 = FloatVector.fromArray(S, acc, 15 * L);
            for (int t = from; t < to; t++) {
                int i = base + offsets[t], v = vecOff + t * LANES;
                FloatVector w0 = FloatVector.fromArray(S, vectors, v), w1 = FloatVector.fromArray(S, vectors, v + L);
                FloatVector x0 = FloatVector.broadcast(S, x[i]); a00 = x0.fma(w0, a00); a01 = x0.fma(w1, a01);
                FloatVector x1 = FloatVector.broadcast(S, x[i + 1]); a10 = x1.fma(w0, a10); a11 = x1.fma(w1, a11);
                FloatVector x2 = FloatVector.broadcast(S, x[i + 2]); a20 = x2.fma(w0, a20); a21 = x2.fma(w1, a21);
                FloatVector x3 = FloatVector.broadcast(S, x[i + 3]); a30 = x3.fma(w0, a30); a31 = x3.fma(w1, a31);
                FloatVector x4 = FloatVector.broadcast(S, x[i + 4]); a40 = x4.fma(w0, a40); a41 = x4.fma(w1, a41);
                FloatVector x5 = FloatVector.broadcast(S, x[i + 5]); a50 = x5.fma(w0, a50); a51 = x5.fma(w1, a51);
                FloatVector x6 = FloatVector.broadcast(S, x[i + 6]); a60 = x6.fma(w0, a60); a61 = x6.fma(w1, a61);
                FloatVector x7 = FloatVector.broadcast(S, x[i + 7]); a70 = x7.fma(w0, a70); a71 = x7.fma(w1, a71);
            }
            a00.intoArray(acc, 0 * L); a01.intoArray(acc, 1 * L);
            a10.intoArray(acc, 2 * L); a11.intoArray(acc, 3 * L);
            a20.intoArray(acc, 4 * L); a21.intoArray(acc, 5 * L);
            a30.intoArray(acc, 6 * L); a31.intoArray(acc, 7 * L);
            a40.intoArray(acc, 8 * L); a41.intoArray(acc, 9 * L);
            a50.intoArray(acc, 10 * L); a51.intoArray(acc, 11 * L);
            a60.intoArray(acc, 12 * L); a61.intoArray(acc, 13 * L);
            a70.intoArray(acc, 14 * L); a71.intoArray(acc, 15 * L);
        }
    }

    /** 7 rows × 2 vectors at stride 1: 14 accumulators; per step 2 vector loads and 7 broadcasts for 14 multiply-adds. */
    final class Vector7x1 implements RunKernel {
        private static final VectorSpecies<Float> S = VectorSupport.Width.SPECIES;
        private static final int L = VectorSupport.LANES;

        @Override
        public int run() { return 7; }

        @Override
        public int stride() { return 1; }

        @Override
        public void writeBack(float[] acc, float[] out, int dst, int lanes, int channelStride) {
            writeRows(acc, out, dst, lanes, channelStride, 7);
        }

        @Override
        public void accumulate(float[] x, int base, int[] offsets, int from, int to, float[] vectors, int vecOff, float[] acc) {
            FloatVector a00 = FloatVector.fromArray(S, acc, 0 * L), a01 = FloatVector.fromArray(S, acc, 1 * L);
            FloatVector a10 = FloatVector.fromArray(S, acc, 2 * L), a11 = FloatVector.fromArray(S, acc, 3 * L);
            FloatVector a20 = FloatVector.fromArray(S, acc, 4 * L), a21 = FloatVector.fromArray(S, acc, 5 * L);
            FloatVector a30 = FloatVector.fromArray(S, acc, 6 * L), a31 = FloatVector.fromArray(S, acc, 7 * L);
            FloatVector a40 = FloatVector.fromArray(S, acc, 8 * L), a41 = FloatVector.fromArray(S, acc, 9 * L);
            FloatVector a50 = FloatVector.fromArray(S, acc, 10 * L), a51 = FloatVector.fromArray(S, acc, 11 * L);
            FloatVector a60 = FloatVector.fromArray(S, acc, 12 * L), a61 = FloatVector.fromArray(S, acc, 13 * L);
            for (int t = from; t < to; t++) {
                int i = base + offsets[t], v = vecOff + t * LANES;
                FloatVector w0 = FloatVector.fromArray(S, vectors, v), w1 = FloatVector.fromArray(S, vectors, v + L);
                FloatVector x0 = FloatVector.broadcast(S, x[i]); a00 = x0.fma(w0, a00); a01 = x0.fma(w1, a01);
                FloatVector x1 = FloatVector.broadcast(S, x[i + 1]); a10 = x1.fma(w0, a10); a11 = x1.fma(w1, a11);
                FloatVector x2 = FloatVector.broadcast(S, x[i + 2]); a20 = x2.fma(w0, a20); a21 = x2.fma(w1, a21);
                FloatVector x3 = FloatVector.broadcast(S, x[i + 3]); a30 = x3.fma(w0, a30); a31 = x3.fma(w1, a31);
                FloatVector x4 = FloatVector.broadcast(S, x[i + 4]); a40 = x4.fma(w0, a40); a41 = x4.fma(w1, a41);
                FloatVector x5 = FloatVector.broadcast(S, x[i + 5]); a50 = x5.fma(w0, a50); a51 = x5.fma(w1, a51);
                FloatVector x6 = FloatVector.broadcast(S, x[i + 6]); a60 = x6.fma(w0, a60); a61 = x6.fma(w1, a61);
            }
            a00.intoArray(acc, 0 * L); a01.intoArray(acc, 1 * L);
            a10.intoArray(acc, 2 * L); a11.intoArray(acc, 3 * L);
            a20.intoArray(acc, 4 * L); a21.intoArray(acc, 5 * L);
            a30.intoArray(acc, 6 * L); a31.intoArray(acc, 7 * L);
            a40.intoArray(acc, 8 * L); a41.intoArray(acc, 9 * L);
            a50.intoArray(acc, 10 * L); a51.intoArray(acc, 11 * L);
            a60.intoArray(acc, 12 * L); a61.intoArray(acc, 13 * L);
        }
    }
}
