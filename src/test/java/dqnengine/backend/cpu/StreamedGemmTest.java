package dqnengine.backend.cpu;

import dqnengine.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** {@link StreamedGemm}: which products it takes, and both kernels against a plain triple loop. */
class StreamedGemmTest {
    private static final int L = StreamedGemm.LANES;

    @Test
    void takesShortProductsWhoseBFitsInCacheAndNothingElse() {
        assertTrue(StreamedGemm.applies(false, false, 32, 1024, 128), "MinAtar's dX = dY·W");
        assertTrue(StreamedGemm.applies(false, false, 1, L, StreamedGemm.MIN_K));
        assertFalse(StreamedGemm.applies(false, false, 32, 3136, 512), "the Nature network's W (6.4 MB) is packed instead");
        assertFalse(StreamedGemm.applies(true, false, 32, 1024, 32), "Aᵀ");
        assertFalse(StreamedGemm.applies(false, true, 32, 1024, 128), "Bᵀ");
        assertFalse(StreamedGemm.applies(false, false, 65, 1024, 128), "more rows than a batch");
        assertFalse(StreamedGemm.applies(false, false, 32, 1024 + L / 2, 128), "a ragged last block of columns");
        assertFalse(StreamedGemm.applies(false, false, 32, 512, 6), "a handful of k");
    }

    private static void check(StreamedGemm.Kernel kernel, int threads, int m, int n, int k, float beta) {
        Random rng = new Random(m * 31 + n * 7 + k);
        float[] a = new float[m * k], b = new float[k * n], c = new float[m * n], expected = new float[m * n];
        for (int i = 0; i < a.length; i++) a[i] = rng.nextFloat() - 0.5f;
        for (int i = 0; i < b.length; i++) b[i] = rng.nextFloat() - 0.5f;
        for (int i = 0; i < c.length; i++) c[i] = expected[i] = rng.nextFloat() - 0.5f;
        float alpha = 0.75f;
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double s = 0;
                for (int t = 0; t < k; t++) s += (double) a[i * k + t] * b[t * n + j];
                expected[i * n + j] = (float) (alpha * s + (beta == 0f ? 0 : beta * expected[i * n + j]));
            }
        }
        if (beta == 0f) java.util.Arrays.fill(c, Float.NaN);               // β = 0 must not read the old C
        try (ThreadTeam team = new ThreadTeam(threads)) {
            StreamedGemm g = new StreamedGemm(team, kernel);
            for (int round = 0; round < 2; round++) {                       // the second call reuses the copy of A's buffer
                float[] cc = c.clone();
                g.multiply(m, n, k, alpha, a, b, beta, cc);
                for (int i = 0; i < cc.length; i++) {
                    assertEquals(expected[i], cc[i], 1e-4f * (1 + Math.abs(expected[i])),
                            kernel.getClass().getSimpleName() + " m=" + m + " n=" + n + " k=" + k + " at (" + i / n + ", " + i % n + ")");
                }
            }
        }
    }

    /** Counts the tiles it is given, and computes them with the plain loop. */
    private static final class Counting implements StreamedGemm.Kernel {
        final java.util.concurrent.atomic.AtomicInteger tiles = new java.util.concurrent.atomic.AtomicInteger();

        @Override
        public void tile(float[] aT, int a0, int mp, float[] b, int b0, int ldb, int k, float[] acc) {
            tiles.incrementAndGet();
            new StreamedGemm.Scalar().tile(aT, a0, mp, b, b0, ldb, k, acc);
        }
    }

    @Test
    void theBackendSendsTheProductsItAppliesToAndNoOthers() {
        Counting counting = new Counting();
        try (FastCpuBackend be = new FastCpuBackend(2, new ScalarMicroKernel(), new BroadcastKernel.Scalar(), new Elementwise.Scalar(), counting)) {
            be.gemm(false, false, 1f, Tensor.zeros(32, 128), Tensor.zeros(128, 1024), 0f, Tensor.zeros(32, 1024));
            assertEquals(3 * (1024 / L), counting.tiles.get(), "MinAtar's dX: 3 tiles of 12 rows per block of columns");
            counting.tiles.set(0);
            be.gemm(false, false, 1f, Tensor.zeros(32, 512), Tensor.zeros(512, 3136), 0f, Tensor.zeros(32, 3136));
            be.gemm(true, false, 1f, Tensor.zeros(32, 128), Tensor.zeros(32, 1024), 1f, Tensor.zeros(128, 1024));
            assertEquals(0, counting.tiles.get(), "the Nature network's dX (B past the cache) and a weight gradient (Aᵀ) go to the packed GEMM");
        }
    }

    @Test
    void thePlainLoopEqualsTheTripleLoop() {
        for (float beta : new float[] {0f, 1f}) {
            check(new StreamedGemm.Scalar(), 1, 13, 2 * L, 17, beta);
            check(new StreamedGemm.Scalar(), 2, 32, 4 * L, 40, beta);
        }
    }

    @Test
    void theVectorKernelEqualsTheTripleLoop() {
        assumeTrue(FastCpuBackendTest.preferredVectorBits() >= 256, "no vector kernels on this CPU");
        for (float beta : new float[] {0f, 1f}) {
            check(new StreamedGemm.Vector(), 1, 13, 2 * L, 17, beta);      // one full tile of 12 rows and one of 1
            check(new StreamedGemm.Vector(), 2, 64, 3 * L, 40, beta);      // 64 rows: 5 full tiles and one of 4
            check(new StreamedGemm.Vector(), 3, 1, 5 * L, 128, beta);      // acting's one row, more tasks than threads
        }
    }
}
