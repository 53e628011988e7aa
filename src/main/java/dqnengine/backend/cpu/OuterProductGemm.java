package dqnengine.backend.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

import java.util.Arrays;

/**
 * C = α·A·B + β·C for an A [M,K] of exactly {@link #LANES} rows (a batch of 32 with 512-bit
 * vectors) and a row-major B [K,N] too large for a core's cache: a linear layer's
 * input gradient dX = dY·W with the batch as M (the Nature network's first linear layer: W is
 * 512 × 3136, 6.4 MB). B is read once, row by row, where it lies, and never packed. (A batch of
 * 64 would read B once per block of LANES rows; with B cold, [64,512]·[512,3136] took 1.08–1.12 ms
 * that way on two threads against 1.03–1.04 ms packed, and 2.03–2.10 against 1.71–1.78 on one, so
 * it stays with the packed GEMM.)
 *
 * <p>The other paths for A·B read B a column panel at a time: {@link StreamedGemm} walks down a
 * panel of 32 columns, a new row of B (12.5 KB further on) at every step, which the hardware
 * prefetcher does not follow once B is past the cache; the packed GEMM copies all of B into panels
 * first (6.4 MB read and written) and was the slowest product of the Nature step for it
 * ({@code bench --breakdown}, two threads: 0.79–0.93 ms, against 0.47–0.53 ms for the forward
 * product of the same size). Here C's accumulators live in cache instead, and a group of G values
 * of t lives in registers:
 *
 * <pre>
 *   aT[t][l] = A[l, t]                                                   one copy of A per call
 *   for each group of G values t0 … t0+G−1 ({@link #GROUP}), in order:
 *       for j in the task's chunk of columns:
 *           cT[j][l] += Σ_{i&lt;G} B[t0 + i, j] · aT[t0 + i][l]            l &lt; LANES: two vectors, loaded and stored once per group
 *   C[l, j] = α·cT[j][l] + β·C[l, j]                                        (β = 0: the old C is not read)
 * </pre>
 * A group's G rows of B are read front to back across the chunk, G streams the prefetcher
 * follows; the G·2 vectors of aT stay in registers for the whole chunk. The longer the streams the
 * better: in the Nature step on two threads, chunks of 128 columns took 0.89–0.93 ms, 256 took
 * 0.72–0.75, 384–800 took 0.58–0.79, and one chunk per thread (1568 columns, 200 KB of
 * accumulators in L2) 0.53–0.56. Each element of C is one sum over t in order, whatever the
 * thread count.
 */
final class OuterProductGemm {
    static final int LANES = BroadcastKernel.LANES;
    /** The shortest reduction taken. */
    static final int MIN_K = 16;
    /**
     * Columns of C per task at most: a task's accumulators, CHUNK·LANES floats (256 KB with 512-bit
     * vectors), stay in L2.
     */
    static final int CHUNK = 2048;
    /**
     * Values of t per pass over a chunk: the vector kernel's widest pass. Alone, in L1, one thread,
     * 224 columns: groups of 6 (two columns at a time) 162 GFLOP/s, of 8 (two columns, 4 vectors of
     * aT spilled) 139–151, of 4 (four columns) 123–128.
     */
    static final int GROUP = 6;

    /** Whether the path applies: neither operand transposed, A one block of LANES rows, and B past the cache ({@link StreamedGemm} takes the smaller ones). */
    static boolean applies(boolean transA, boolean transB, int m, int n, int k) {
        return !transA && !transB && m == LANES && n > 0 && k >= MIN_K
                && (long) k * n > StreamedGemm.MAX_B;
    }

    /** The inner loop: a group of values of t against a chunk of columns. */
    interface Kernel {
        /**
         * cT[c0 + j·LANES + l] += Σ_{i&lt;g} b[b0 + i·ldb + j] · aT[a0 + i·LANES + l] for j &lt; cols and
         * l &lt; LANES, the sum over i in order.
         */
        void pass(float[] aT, int a0, int g, float[] b, int b0, int ldb, int cols, float[] cT, int c0);
    }

    /** The plain loop. */
    static final class Scalar implements Kernel {
        @Override
        public void pass(float[] aT, int a0, int g, float[] b, int b0, int ldb, int cols, float[] cT, int c0) {
            for (int j = 0; j < cols; j++) {
                for (int i = 0; i < g; i++) {
                    float bv = b[b0 + i * ldb + j];
                    for (int l = 0; l < LANES; l++) cT[c0 + j * LANES + l] += bv * aT[a0 + i * LANES + l];
                }
            }
        }
    }

    /**
     * Groups of 6 values of t, two columns at a time: 12 vectors of aT, 4 accumulators and 12
     * broadcasts (C2 loads a step's broadcasts first), 28 of AVX-512's 32 registers (the backend takes
     * this kernel with 512-bit vectors only; with 256-bit ones it is correct, if spilled). The rest
     * of a group (fewer than 6 values of t: the Nature network's K = 512 leaves 2) one value at a
     * time, the same multiply-adds in the same order. A loop bound written {@code j + 2 <= cols}
     * kept C2 from removing the array bounds checks (12 compares a step); {@code j < cols & ~1} does not.
     */
    static final class Vector implements Kernel {
        private static final VectorSpecies<Float> S = VectorSupport.Width.SPECIES;
        private static final int L = VectorSupport.LANES;

        @Override
        public void pass(float[] aT, int a0, int g, float[] b, int b0, int ldb, int cols, float[] cT, int c0) {
            int i = 0;
            for (; i + 6 <= g; i += 6) pass6(aT, a0 + i * LANES, b, b0 + i * ldb, ldb, cols, cT, c0);
            for (; i < g; i++) pass1(aT, a0 + i * LANES, b, b0 + i * ldb, cols, cT, c0);
        }

        private static void pass6(float[] aT, int a0, float[] b, int b0, int ldb, int cols, float[] cT, int c0) {
            FloatVector p00 = FloatVector.fromArray(S, aT, a0), p01 = FloatVector.fromArray(S, aT, a0 + L);
            FloatVector p10 = FloatVector.fromArray(S, aT, a0 + LANES), p11 = FloatVector.fromArray(S, aT, a0 + LANES + L);
            FloatVector p20 = FloatVector.fromArray(S, aT, a0 + 2 * LANES), p21 = FloatVector.fromArray(S, aT, a0 + 2 * LANES + L);
            FloatVector p30 = FloatVector.fromArray(S, aT, a0 + 3 * LANES), p31 = FloatVector.fromArray(S, aT, a0 + 3 * LANES + L);
            FloatVector p40 = FloatVector.fromArray(S, aT, a0 + 4 * LANES), p41 = FloatVector.fromArray(S, aT, a0 + 4 * LANES + L);
            FloatVector p50 = FloatVector.fromArray(S, aT, a0 + 5 * LANES), p51 = FloatVector.fromArray(S, aT, a0 + 5 * LANES + L);
            int r0 = b0, r1 = r0 + ldb, r2 = r1 + ldb, r3 = r2 + ldb, r4 = r3 + ldb, r5 = r4 + ldb;
            int j = 0, pairs = cols & ~1;
            for (; j < pairs; j += 2) {
                int o = c0 + j * LANES;
                FloatVector s0 = FloatVector.fromArray(S, cT, o), s1 = FloatVector.fromArray(S, cT, o + L);
                FloatVector u0 = FloatVector.fromArray(S, cT, o + LANES), u1 = FloatVector.fromArray(S, cT, o + LANES + L);
                FloatVector x = FloatVector.broadcast(S, b[r0 + j]), y = FloatVector.broadcast(S, b[r0 + j + 1]);
                s0 = x.fma(p00, s0); s1 = x.fma(p01, s1); u0 = y.fma(p00, u0); u1 = y.fma(p01, u1);
                x = FloatVector.broadcast(S, b[r1 + j]); y = FloatVector.broadcast(S, b[r1 + j + 1]);
                s0 = x.fma(p10, s0); s1 = x.fma(p11, s1); u0 = y.fma(p10, u0); u1 = y.fma(p11, u1);
                x = FloatVector.broadcast(S, b[r2 + j]); y = FloatVector.broadcast(S, b[r2 + j + 1]);
                s0 = x.fma(p20, s0); s1 = x.fma(p21, s1); u0 = y.fma(p20, u0); u1 = y.fma(p21, u1);
                x = FloatVector.broadcast(S, b[r3 + j]); y = FloatVector.broadcast(S, b[r3 + j + 1]);
                s0 = x.fma(p30, s0); s1 = x.fma(p31, s1); u0 = y.fma(p30, u0); u1 = y.fma(p31, u1);
                x = FloatVector.broadcast(S, b[r4 + j]); y = FloatVector.broadcast(S, b[r4 + j + 1]);
                s0 = x.fma(p40, s0); s1 = x.fma(p41, s1); u0 = y.fma(p40, u0); u1 = y.fma(p41, u1);
                x = FloatVector.broadcast(S, b[r5 + j]); y = FloatVector.broadcast(S, b[r5 + j + 1]);
                s0 = x.fma(p50, s0); s1 = x.fma(p51, s1); u0 = y.fma(p50, u0); u1 = y.fma(p51, u1);
                s0.intoArray(cT, o);
                s1.intoArray(cT, o + L);
                u0.intoArray(cT, o + LANES);
                u1.intoArray(cT, o + LANES + L);
            }
            for (; j < cols; j++) {
                int o = c0 + j * LANES;
                FloatVector s0 = FloatVector.fromArray(S, cT, o), s1 = FloatVector.fromArray(S, cT, o + L);
                FloatVector x = FloatVector.broadcast(S, b[r0 + j]); s0 = x.fma(p00, s0); s1 = x.fma(p01, s1);
                x = FloatVector.broadcast(S, b[r1 + j]); s0 = x.fma(p10, s0); s1 = x.fma(p11, s1);
                x = FloatVector.broadcast(S, b[r2 + j]); s0 = x.fma(p20, s0); s1 = x.fma(p21, s1);
                x = FloatVector.broadcast(S, b[r3 + j]); s0 = x.fma(p30, s0); s1 = x.fma(p31, s1);
                x = FloatVector.broadcast(S, b[r4 + j]); s0 = x.fma(p40, s0); s1 = x.fma(p41, s1);
                x = FloatVector.broadcast(S, b[r5 + j]); s0 = x.fma(p50, s0); s1 = x.fma(p51, s1);
                s0.intoArray(cT, o);
                s1.intoArray(cT, o + L);
            }
        }

        private static void pass1(float[] aT, int a0, float[] b, int b0, int cols, float[] cT, int c0) {
            FloatVector p0 = FloatVector.fromArray(S, aT, a0), p1 = FloatVector.fromArray(S, aT, a0 + L);
            for (int j = 0; j < cols; j++) {
                int o = c0 + j * LANES;
                FloatVector s0 = FloatVector.fromArray(S, cT, o), s1 = FloatVector.fromArray(S, cT, o + L);
                FloatVector x = FloatVector.broadcast(S, b[b0 + j]);
                x.fma(p0, s0).intoArray(cT, o);
                x.fma(p1, s1).intoArray(cT, o + L);
            }
        }
    }

    private final ThreadTeam team;
    private final Kernel kernel;
    private final int group;                              // values of t per pass over a chunk
    private final float[][] cT;                           // [worker][chunk·LANES], grown to the largest chunk seen
    private float[] aT = new float[0];
    private final ThreadTeam.Job packJob = this::packTask, chunkJob = this::chunkTask;

    // The call in progress.
    private float[] a, b, c;
    private int n, k, chunks, chunk;
    private float alpha, beta;

    /** @param group values of t per pass over a chunk of columns: {@link #GROUP} for {@link Vector} */
    OuterProductGemm(ThreadTeam team, Kernel kernel, int group) {
        if (group < 1) throw new IllegalArgumentException("a group needs at least one value of t");
        this.team = team;
        this.kernel = kernel;
        this.group = group;
        this.cT = new float[team.size()][0];
    }

    /** C[m,n] = α·A·B + β·C, with A [m,k], B [k,n] and C [m,n], all row-major and dense. Requires {@link #applies}. */
    void multiply(int m, int n, int k, float alpha, float[] a, float[] b, float beta, float[] c) {
        if (!applies(false, false, m, n, k)) throw new IllegalArgumentException("OuterProductGemm does not take " + m + "x" + n + "x" + k);
        this.n = n;
        this.k = k;
        this.alpha = alpha;
        this.beta = beta;
        this.a = a;
        this.b = b;
        this.c = c;
        if (aT.length < k * LANES) aT = new float[k * LANES];
        team.run(1, packJob);
        // chunks of at most CHUNK columns, their count rounded up to a multiple of the team's size where the columns
        // allow (3136 columns on two threads: 2 chunks of 1568, one per thread)
        int fewest = (n + CHUNK - 1) / CHUNK;
        chunks = (fewest + team.size() - 1) / team.size() * team.size();
        chunks = Math.min(chunks, n);
        chunk = (n + chunks - 1) / chunks;
        chunks = (n + chunk - 1) / chunk;
        if (cT[0].length < chunk * LANES) {
            for (int w = 0; w < cT.length; w++) cT[w] = new float[chunk * LANES];
        }
        team.run(chunks, chunkJob);
        this.a = this.b = this.c = null;
    }

    /** aT[t][l] = A[l, t], 16 values of t at a time (the 16 rows of aT written stay in L1). */
    private void packTask(int task, int worker) {
        for (int s0 = 0; s0 < k; s0 += 16) {
            int s1 = Math.min(k, s0 + 16);
            for (int l = 0; l < LANES; l++) {
                int row = l * k;
                for (int t = s0; t < s1; t++) aT[t * LANES + l] = a[row + t];
            }
        }
    }

    private void chunkTask(int task, int worker) {
        int j0 = task * chunk, cols = Math.min(chunk, n - j0);
        float[] sums = cT[worker];
        Arrays.fill(sums, 0, cols * LANES, 0f);
        for (int t0 = 0; t0 < k; t0 += group) {
            kernel.pass(aT, t0 * LANES, Math.min(group, k - t0), b, t0 * n + j0, n, cols, sums, 0);
        }
        for (int l = 0; l < LANES; l++) {                    // C's row l, columns j0 … j0 + cols − 1
            int row = l * n + j0;
            if (beta == 0f) {
                for (int j = 0; j < cols; j++) c[row + j] = alpha * sums[j * LANES + l];
            } else {
                for (int j = 0; j < cols; j++) c[row + j] = alpha * sums[j * LANES + l] + beta * c[row + j];
            }
        }
    }
}
