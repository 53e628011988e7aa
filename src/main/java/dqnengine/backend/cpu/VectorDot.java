package dqnengine.backend.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * C = α·A·Bᵀ + β·C as dot products, for a short A: the linear layer's forward pass when A's rows
 * are not a whole number of lane blocks ({@link BroadcastGemm} takes a batch of 32 or 64), so
 * acting at batch 1. Both A
 * [M,K] and B [N,K] are read along their rows, which are contiguous, so nothing is packed: with
 * few rows in A, {@link PackedGemm} spent most of its time repacking B (all of W) for a handful of
 * rows (measured: 53 GFLOP/s on [32,3136]·[512,3136]ᵀ, and acting at batch 1 packed 1.6 M
 * weights for one row).
 *
 * <pre>
 *   tile: 4 rows of A × 3 rows of B, 12 vector accumulators along k (4 × 6, 24, with 512-bit vectors: {@code wideTile})
 *         acc[r][c] += A[i+r, k:k+L] ⊙ B[j+c, k:k+L]        for k in steps of L lanes
 *         C[i+r, j+c] = α·Σ_lanes acc[r][c] + (tail of k in plain Java) + β·C[i+r, j+c]
 *   edges (fewer than 4 rows or 3 columns left): one dot product at a time
 *   order: for each 3 (or 6) rows of B, every 4 rows of A
 * </pre>
 * Per step: 7 vector loads and 12 fused multiply-adds (10 and 24 with the wide tile), no broadcasts and no packing.
 * The caller splits the columns of C among threads.
 */
final class VectorDot {
    private static final VectorSpecies<Float> S = VectorSupport.Width.SPECIES;
    private static final int L = S.length();
    /** 512-bit vectors come with 32 registers (AVX-512): room for the 4 × 6 tile of {@link #wideTile}. */
    private static final boolean WIDE = S.vectorBitSize() >= 512;

    private VectorDot() {}

    /**
     * C[i, j] for every i &lt; m and j0 ≤ j &lt; j1. The columns (rows of B, the weights) are the
     * outer loop, so each group of 3 (or 6) rows of B is read from memory once and meets every row of A
     * (at most 64 rows, which stay in L2); with A's rows outside, all of B passed once per 4 rows of A
     * (8 times for a batch of 32: 51 MB through memory for the first linear layer's forward pass).
     */
    static void columns(int m, int k, float alpha, float[] a, int lda, float[] b, int ldb, float beta, float[] c, int ldc, int j0, int j1) {
        int j = j0, mt = m - m % 4;
        if (WIDE) {
            for (; j + 6 <= j1; j += 6) {
                for (int i = 0; i < mt; i += 4) wideTile(k, alpha, a, i * lda, lda, b, j * ldb, ldb, beta, c, i * ldc + j, ldc);
                for (int i = mt; i < m; i++) for (int jj = j; jj < j + 6; jj++) single(k, alpha, a, i * lda, b, jj * ldb, beta, c, i * ldc + jj);
            }
        }
        for (; j + 3 <= j1; j += 3) {
            for (int i = 0; i < mt; i += 4) tile(k, alpha, a, i * lda, lda, b, j * ldb, ldb, beta, c, i * ldc + j, ldc);
            for (int i = mt; i < m; i++) for (int jj = j; jj < j + 3; jj++) single(k, alpha, a, i * lda, b, jj * ldb, beta, c, i * ldc + jj);
        }
        for (; j < j1; j++) for (int i = 0; i < m; i++) single(k, alpha, a, i * lda, b, j * ldb, beta, c, i * ldc + j);
    }

    private static void tile(int k, float alpha, float[] a, int a0, int lda, float[] b, int b0, int ldb, float beta, float[] c, int c0, int ldc) {
        FloatVector s00 = FloatVector.zero(S), s01 = s00, s02 = s00, s10 = s00, s11 = s00, s12 = s00,
                s20 = s00, s21 = s00, s22 = s00, s30 = s00, s31 = s00, s32 = s00;
        int a1 = a0 + lda, a2 = a1 + lda, a3 = a2 + lda, b1 = b0 + ldb, b2 = b1 + ldb;
        int kv = S.loopBound(k);
        for (int t = 0; t < kv; t += L) {
            FloatVector w0 = FloatVector.fromArray(S, b, b0 + t), w1 = FloatVector.fromArray(S, b, b1 + t), w2 = FloatVector.fromArray(S, b, b2 + t);
            FloatVector x0 = FloatVector.fromArray(S, a, a0 + t);
            s00 = x0.fma(w0, s00); s01 = x0.fma(w1, s01); s02 = x0.fma(w2, s02);
            FloatVector x1 = FloatVector.fromArray(S, a, a1 + t);
            s10 = x1.fma(w0, s10); s11 = x1.fma(w1, s11); s12 = x1.fma(w2, s12);
            FloatVector x2 = FloatVector.fromArray(S, a, a2 + t);
            s20 = x2.fma(w0, s20); s21 = x2.fma(w1, s21); s22 = x2.fma(w2, s22);
            FloatVector x3 = FloatVector.fromArray(S, a, a3 + t);
            s30 = x3.fma(w0, s30); s31 = x3.fma(w1, s31); s32 = x3.fma(w2, s32);
        }
        store(s00.reduceLanes(VectorOperators.ADD), k, kv, alpha, a, a0, b, b0, beta, c, c0);
        store(s01.reduceLanes(VectorOperators.ADD), k, kv, alpha, a, a0, b, b1, beta, c, c0 + 1);
        store(s02.reduceLanes(VectorOperators.ADD), k, kv, alpha, a, a0, b, b2, beta, c, c0 + 2);
        store(s10.reduceLanes(VectorOperators.ADD), k, kv, alpha, a, a1, b, b0, beta, c, c0 + ldc);
        store(s11.reduceLanes(VectorOperators.ADD), k, kv, alpha, a, a1, b, b1, beta, c, c0 + ldc + 1);
        store(s12.reduceLanes(VectorOperators.ADD), k, kv, alpha, a, a1, b, b2, beta, c, c0 + ldc + 2);
        store(s20.reduceLanes(VectorOperators.ADD), k, kv, alpha, a, a2, b, b0, beta, c, c0 + 2 * ldc);
        store(s21.reduceLanes(VectorOperators.ADD), k, kv, alpha, a, a2, b, b1, beta, c, c0 + 2 * ldc + 1);
        store(s22.reduceLanes(VectorOperators.ADD), k, kv, alpha, a, a2, b, b2, beta, c, c0 + 2 * ldc + 2);
        store(s30.reduceLanes(VectorOperators.ADD), k, kv, alpha, a, a3, b, b0, beta, c, c0 + 3 * ldc);
        store(s31.reduceLanes(VectorOperators.ADD), k, kv, alpha, a, a3, b, b1, beta, c, c0 + 3 * ldc + 1);
        store(s32.reduceLanes(VectorOperators.ADD), k, kv, alpha, a, a3, b, b2, beta, c, c0 + 3 * ldc + 2);
    }

    /**
     * The 4 × 6 tile for 512-bit vectors: 24 accumulators, and per step 4 + 6 vector loads for 24
     * multiply-adds (the 4 × 3 tile: 7 loads for 12), so half the loads per multiply-add.
     */
    private static void wideTile(int k, float alpha, float[] a, int a0, int lda, float[] b, int b0, int ldb, float beta, float[] c, int c0, int ldc) {
        FloatVector s00 = FloatVector.zero(S), s01 = s00, s02 = s00, s03 = s00, s04 = s00, s05 = s00, s10 = s00, s11 = s00, s12 = s00, s13 = s00, s14 = s00, s15 = s00, s20 = s00, s21 = s00, s22 = s00, s23 = s00, s24 = s00, s25 = s00, s30 = s00, s31 = s00, s32 = s00, s33 = s00, s34 = s00, s35 = s00;
        int a1 = a0 + lda, a2 = a1 + lda, a3 = a2 + lda;
        int b1 = b0 + ldb, b2 = b1 + ldb, b3 = b2 + ldb, b4 = b3 + ldb, b5 = b4 + ldb;
        int kv = S.loopBound(k);
        for (int t = 0; t < kv; t += L) {
            FloatVector w0 = FloatVector.fromArray(S, b, b0 + t), w1 = FloatVector.fromArray(S, b, b1 + t), w2 = FloatVector.fromArray(S, b, b2 + t);
            FloatVector w3 = FloatVector.fromArray(S, b, b3 + t), w4 = FloatVector.fromArray(S, b, b4 + t), w5 = FloatVector.fromArray(S, b, b5 + t);
            FloatVector x0 = FloatVector.fromArray(S, a, a0 + t);
            s00 = x0.fma(w0, s00); s01 = x0.fma(w1, s01); s02 = x0.fma(w2, s02); s03 = x0.fma(w3, s03); s04 = x0.fma(w4, s04); s05 = x0.fma(w5, s05);
            FloatVector x1 = FloatVector.fromArray(S, a, a1 + t);
            s10 = x1.fma(w0, s10); s11 = x1.fma(w1, s11); s12 = x1.fma(w2, s12); s13 = x1.fma(w3, s13); s14 = x1.fma(w4, s14); s15 = x1.fma(w5, s15);
            FloatVector x2 = FloatVector.fromArray(S, a, a2 + t);
            s20 = x2.fma(w0, s20); s21 = x2.fma(w1, s21); s22 = x2.fma(w2, s22); s23 = x2.fma(w3, s23); s24 = x2.fma(w4, s24); s25 = x2.fma(w5, s25);
            FloatVector x3 = FloatVector.fromArray(S, a, a3 + t);
            s30 = x3.fma(w0, s30); s31 = x3.fma(w1, s31); s32 = x3.fma(w2, s32); s33 = x3.fma(w3, s33); s34 = x3.fma(w4, s34); s35 = x3.fma(w5, s35);
        }
        store(s00.reduceLanes(VectorOperators.ADD), k, kv, alpha, a, a0, b, b0, beta, c, c0);
        store(s01.reduceLanes(VectorOperators.ADD), k, kv, alpha, a, a0, b, b1, beta, c, c0 + 1);
        store(s02.reduceLanes(VectorOperators.ADD), k, kv, alpha, a, a0, b, b2, beta, c, c0 + 2);
        store(s03.reduceLanes(VectorOperators.ADD), k, kv, alpha, a, a0, b, b3, beta, c, c0 + 3);
        store(s04.reduceLanes(VectorOperators.ADD), k, kv, alpha, a, a0, b, b4, beta, c, c0 + 4);
        store(s05.reduceLanes(VectorOperators.ADD), k, kv, alpha, a, a0, b, b5, beta, c, c0 + 5);
        store(s10.reduceLanes(VectorOperators.ADD), k, kv, alpha, a, a1, b, b0, beta, c, c0 + ldc);
        store(s11.reduceLanes(VectorOperators.ADD), k, kv, alpha, a, a1, b, b1, beta, c, c0 + ldc + 1);
        store(s12.reduceLanes(VectorOperators.ADD), k, kv, alpha, a, a1, b, b2, beta, c, c0 + ldc + 2);
        store(s13.reduceLanes(VectorOperators.ADD), k, kv, alpha, a, a1, b, b3, beta, c, c0 + ldc + 3);
        store(s14.reduceLanes(VectorOperators.ADD), k, kv, alpha, a, a1, b, b4, beta, c, c0 + ldc + 4);
        store(s15.reduceLanes(VectorOperators.ADD), k, kv, alpha, a, a1, b, b5, beta, c, c0 + ldc + 5);
        store(s20.reduceLanes(VectorOperators.ADD), k, kv, alpha, a, a2, b, b0, beta, c, c0 + 2 * ldc);
        store(s21.reduceLanes(VectorOperators.ADD), k, kv, alpha, a, a2, b, b1, beta, c, c0 + 2 * ldc + 1);
        store(s22.reduceLanes(VectorOperators.ADD), k, kv, alpha, a, a2, b, b2, beta, c, c0 + 2 * ldc + 2);
        store(s23.reduceLanes(VectorOperators.ADD), k, kv, alpha, a, a2, b, b3, beta, c, c0 + 2 * ldc + 3);
        store(s24.reduceLanes(VectorOperators.ADD), k, kv, alpha, a, a2, b, b4, beta, c, c0 + 2 * ldc + 4);
        store(s25.reduceLanes(VectorOperators.ADD), k, kv, alpha, a, a2, b, b5, beta, c, c0 + 2 * ldc + 5);
        store(s30.reduceLanes(VectorOperators.ADD), k, kv, alpha, a, a3, b, b0, beta, c, c0 + 3 * ldc);
        store(s31.reduceLanes(VectorOperators.ADD), k, kv, alpha, a, a3, b, b1, beta, c, c0 + 3 * ldc + 1);
        store(s32.reduceLanes(VectorOperators.ADD), k, kv, alpha, a, a3, b, b2, beta, c, c0 + 3 * ldc + 2);
        store(s33.reduceLanes(VectorOperators.ADD), k, kv, alpha, a, a3, b, b3, beta, c, c0 + 3 * ldc + 3);
        store(s34.reduceLanes(VectorOperators.ADD), k, kv, alpha, a, a3, b, b4, beta, c, c0 + 3 * ldc + 4);
        store(s35.reduceLanes(VectorOperators.ADD), k, kv, alpha, a, a3, b, b5, beta, c, c0 + 3 * ldc + 5);
    }

    private static void single(int k, float alpha, float[] a, int a0, float[] b, int b0, float beta, float[] c, int ci) {
        FloatVector s0 = FloatVector.zero(S), s1 = s0;
        int kv = S.loopBound(k), t = 0;
        for (; t + 2 * L <= kv; t += 2 * L) {             // two chains, so the FMA latency is hidden twice as well
            s0 = FloatVector.fromArray(S, a, a0 + t).fma(FloatVector.fromArray(S, b, b0 + t), s0);
            s1 = FloatVector.fromArray(S, a, a0 + t + L).fma(FloatVector.fromArray(S, b, b0 + t + L), s1);
        }
        if (t < kv) s0 = FloatVector.fromArray(S, a, a0 + t).fma(FloatVector.fromArray(S, b, b0 + t), s0);
        store(s0.add(s1).reduceLanes(VectorOperators.ADD), k, kv, alpha, a, a0, b, b0, beta, c, ci);
    }

    /**
     * c[ci] = α·(the lanes' sum + the last k − kv terms) + β·c[ci]; β = 0 ignores the old value.
     * Takes the reduced float, not the vector: a vector passed to a method C2 does not inline is
     * boxed on the heap (measured: 1 MB allocated per train step before this).
     */
    private static void store(float s, int k, int kv, float alpha, float[] a, int a0, float[] b, int b0, float beta, float[] c, int ci) {
        for (int t = kv; t < k; t++) s += a[a0 + t] * b[b0 + t];
        c[ci] = beta == 0f ? alpha * s : alpha * s + beta * c[ci];
    }
}
