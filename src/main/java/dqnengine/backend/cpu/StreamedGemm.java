package dqnengine.backend.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

import java.util.Arrays;

/**
 * C = α·A·B + β·C for a short A [M,K] (M at most {@link #MAX_ROWS}) and a row-major B [K,N] that
 * fits in a core's L2 cache (at most {@link #MAX_B} floats), N a multiple of {@link #LANES}: a
 * linear layer's input gradient dX = dY·W with the batch as M (MinAtar's first linear layer: W is
 * 128 × 1024). B is read where it lies and never packed: a row of B is contiguous along N, so
 * LANES of its columns are two vector loads. The packed GEMM copies B into panels first, which for
 * so few rows of A costs about as much as the products (A/B in one JVM, one thread, [32,128]·[128,1024]:
 * 0.105 ms packed, 0.081 ms here). A B that does not fit in L2 is slower here than packed
 * ([32,512]·[512,3136]: 1.04–1.26×): its rows lie 12.5 KB apart, so each step of a tile reads a new
 * page, which the hardware prefetcher does not follow.
 *
 * <pre>
 *   aT[t][m] = A[m, t], m &lt; mp (M rounded up to {@link #ROWS}, the rows past M zero)   one copy of A per call
 *   tile (m0, j0): acc[r][l] = Σ_t aT[t][m0 + r] · B[t, j0 + l]      r &lt; ROWS, l &lt; LANES, t over all of K in order
 *                  C[m0 + r, j0 + l] = α·acc[r][l] + β·C[m0 + r, j0 + l]   (β = 0: the old C is not read)
 * </pre>
 * A tile's 12 broadcasts come from one index, aT[t·mp + m0 + r], at fixed distances r, so the JIT
 * checks the array bounds once per step and keeps one address register for all 12 (the direct
 * convolutions' kernel, with 12 separate row bases, measured 1.3× slower for that reason). Each
 * element of C is one sum over t in order, whatever the thread count.
 */
final class StreamedGemm {
    static final int ROWS = 12;
    static final int LANES = BroadcastKernel.LANES;
    /** The most rows of A for which the path is taken (a batch). */
    static final int MAX_ROWS = 64;
    /** The largest B taken, in floats: 1 MB, half of a core's L2 here. */
    static final int MAX_B = 1 << 18;
    /** The shortest reduction taken: with a handful of k (the output layer's 6 actions) the packed GEMM was as fast. */
    static final int MIN_K = 16;
    private static final int BLOCKS_PER_TASK = 2;       // column blocks of LANES per task

    /** The inner loop: one tile's sums, acc[r·LANES + l] = Σ_{t<k} aT[a0 + t·mp + r] · b[b0 + t·ldb + l] (overwrites acc). */
    interface Kernel {
        void tile(float[] aT, int a0, int mp, float[] b, int b0, int ldb, int k, float[] acc);

        /** c[c0 + r·ldc + l] = α·acc[r·LANES + l] + β·c[…] for r &lt; rows (β = 0: c is not read). */
        default void writeBack(float[] acc, int rows, float alpha, float beta, float[] c, int c0, int ldc) {
            for (int r = 0; r < rows; r++) {
                int row = c0 + r * ldc;
                if (beta == 0f) {
                    for (int l = 0; l < LANES; l++) c[row + l] = alpha * acc[r * LANES + l];
                } else {
                    for (int l = 0; l < LANES; l++) c[row + l] = alpha * acc[r * LANES + l] + beta * c[row + l];
                }
            }
        }
    }

    /** The plain loop. */
    static final class Scalar implements Kernel {
        @Override
        public void tile(float[] aT, int a0, int mp, float[] b, int b0, int ldb, int k, float[] acc) {
            Arrays.fill(acc, 0, ROWS * LANES, 0f);
            for (int t = 0; t < k; t++) {
                for (int r = 0; r < ROWS; r++) {
                    float x = aT[a0 + t * mp + r];
                    for (int l = 0; l < LANES; l++) acc[r * LANES + l] += x * b[b0 + t * ldb + l];
                }
            }
        }
    }

    /** 12 rows × 2 vectors: 24 accumulators; per step 2 vector loads and 12 broadcasts for 24 multiply-adds (for 512-bit vectors: 32 registers). */
    static final class Vector implements Kernel {
        private static final VectorSpecies<Float> S = VectorSupport.Width.SPECIES;
        private static final int L = VectorSupport.LANES;

        @Override
        public void tile(float[] aT, int a0, int mp, float[] b, int b0, int ldb, int k, float[] acc) {
            FloatVector z = FloatVector.zero(S);
            FloatVector a00 = z, a01 = z, a10 = z, a11 = z, a20 = z, a21 = z, a30 = z, a31 = z, a40 = z, a41 = z, a50 = z, a51 = z;
            FloatVector a60 = z, a61 = z, a70 = z, a71 = z, a80 = z, a81 = z, a90 = z, a91 = z, a100 = z, a101 = z, a110 = z, a111 = z;
            for (int t = 0; t < k; t++) {
                int i = a0 + t * mp, v = b0 + t * ldb;
                FloatVector w0 = FloatVector.fromArray(S, b, v), w1 = FloatVector.fromArray(S, b, v + L);
                FloatVector x0 = FloatVector.broadcast(S, aT[i]); a00 = x0.fma(w0, a00); a01 = x0.fma(w1, a01);
                FloatVector x1 = FloatVector.broadcast(S, aT[i + 1]); a10 = x1.fma(w0, a10); a11 = x1.fma(w1, a11);
                FloatVector x2 = FloatVector.broadcast(S, aT[i + 2]); a20 = x2.fma(w0, a20); a21 = x2.fma(w1, a21);
                FloatVector x3 = FloatVector.broadcast(S, aT[i + 3]); a30 = x3.fma(w0, a30); a31 = x3.fma(w1, a31);
                FloatVector x4 = FloatVector.broadcast(S, aT[i + 4]); a40 = x4.fma(w0, a40); a41 = x4.fma(w1, a41);
                FloatVector x5 = FloatVector.broadcast(S, aT[i + 5]); a50 = x5.fma(w0, a50); a51 = x5.fma(w1, a51);
                FloatVector x6 = FloatVector.broadcast(S, aT[i + 6]); a60 = x6.fma(w0, a60); a61 = x6.fma(w1, a61);
                FloatVector x7 = FloatVector.broadcast(S, aT[i + 7]); a70 = x7.fma(w0, a70); a71 = x7.fma(w1, a71);
                FloatVector x8 = FloatVector.broadcast(S, aT[i + 8]); a80 = x8.fma(w0, a80); a81 = x8.fma(w1, a81);
                FloatVector x9 = FloatVector.broadcast(S, aT[i + 9]); a90 = x9.fma(w0, a90); a91 = x9.fma(w1, a91);
                FloatVector x10 = FloatVector.broadcast(S, aT[i + 10]); a100 = x10.fma(w0, a100); a101 = x10.fma(w1, a101);
                FloatVector x11 = FloatVector.broadcast(S, aT[i + 11]); a110 = x11.fma(w0, a110); a111 = x11.fma(w1, a111);
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
            a100.intoArray(acc, 20 * L); a101.intoArray(acc, 21 * L);
            a110.intoArray(acc, 22 * L); a111.intoArray(acc, 23 * L);
        }

        @Override
        public void writeBack(float[] acc, int rows, float alpha, float beta, float[] c, int c0, int ldc) {
            for (int r = 0; r < rows; r++) {
                int row = c0 + r * ldc;
                for (int h = 0; h < 2; h++) {
                    FloatVector v = FloatVector.fromArray(S, acc, r * LANES + h * L).mul(alpha);
                    if (beta != 0f) v = FloatVector.fromArray(S, c, row + h * L).mul(beta).add(v);
                    v.intoArray(c, row + h * L);
                }
            }
        }
    }

    /** Whether the path applies: neither operand transposed, few rows of A, N in whole blocks of LANES, and B small enough to stay in cache. */
    static boolean applies(boolean transA, boolean transB, int m, int n, int k) {
        return !transA && !transB && m <= MAX_ROWS && n % LANES == 0 && n > 0 && k >= MIN_K && (long) k * n <= MAX_B;
    }

    private final ThreadTeam team;
    private final Kernel kernel;
    private final float[][] acc;
    private float[] aT = new float[0];
    private final ThreadTeam.Job packJob = this::packTask, tileJob = this::tileTask;

    // The call in progress.
    private float[] a, b, c;
    private int m, n, k, mp;
    private float alpha, beta;

    StreamedGemm(ThreadTeam team, Kernel kernel) {
        this.team = team;
        this.kernel = kernel;
        this.acc = new float[team.size()][ROWS * LANES];
    }

    /** C[m,n] = α·A·B + β·C, with A [m,k], B [k,n] and C [m,n], all row-major and dense. Requires {@link #applies}. */
    void multiply(int m, int n, int k, float alpha, float[] a, float[] b, float beta, float[] c) {
        this.m = m;
        this.n = n;
        this.k = k;
        this.mp = (m + ROWS - 1) / ROWS * ROWS;
        this.alpha = alpha;
        this.beta = beta;
        this.a = a;
        this.b = b;
        this.c = c;
        if (aT.length < k * mp) aT = new float[k * mp];
        team.run((k + 63) / 64, packJob);
        int blocks = n / LANES;
        team.run((blocks + BLOCKS_PER_TASK - 1) / BLOCKS_PER_TASK, tileJob);
        this.a = this.b = this.c = null;
    }

    /** aT[t][·] for 64 values of t: the column t of A, then zeros up to mp. */
    private void packTask(int task, int worker) {
        for (int t = task * 64; t < Math.min(k, task * 64 + 64); t++) {
            int row = t * mp;
            for (int i = 0; i < m; i++) aT[row + i] = a[i * k + t];
            Arrays.fill(aT, row + m, row + mp, 0f);
        }
    }

    private void tileTask(int task, int worker) {
        float[] s = acc[worker];
        int blocks = n / LANES;
        for (int blk = task * BLOCKS_PER_TASK; blk < Math.min(blocks, (task + 1) * BLOCKS_PER_TASK); blk++) {
            int j0 = blk * LANES;
            for (int m0 = 0; m0 < m; m0 += ROWS) {
                kernel.tile(aT, m0, mp, b, j0, n, k, s);
                kernel.writeBack(s, Math.min(ROWS, m - m0), alpha, beta, c, m0 * n + j0, n);
            }
        }
    }
}
