package dqnengine.backend.cpu;

import dqnengine.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** {@link OuterProductGemm}: which products it takes, and both kernels against a plain triple loop. */
class OuterProductGemmTest {
    private static final int L = OuterProductGemm.LANES;

    @Test
    void takesABatchTimesABPastTheCacheAndNothingElse() {
        assertTrue(OuterProductGemm.applies(false, false, L, 3136, 512), "the Nature network's dX = dY·W (W 6.4 MB), a batch of one block");
        assertFalse(OuterProductGemm.applies(false, false, 2 * L, 3136, 512), "two blocks of rows: the packed GEMM was faster");
        assertFalse(OuterProductGemm.applies(false, false, L, 1024, 128), "MinAtar's W fits in cache: the streamed products take it");
        assertFalse(OuterProductGemm.applies(false, false, L + 1, 3136, 512), "rows that are not one block of lanes");
        assertFalse(OuterProductGemm.applies(false, false, L - 1, 3136, 512), "rows that are not one block of lanes");
        assertFalse(OuterProductGemm.applies(true, false, L, 3136, 512), "Aᵀ");
        assertFalse(OuterProductGemm.applies(false, true, L, 3136, 512), "Bᵀ");
        assertFalse(OuterProductGemm.applies(false, false, L, 300_000, 8), "a handful of k");
        try (ThreadTeam team = new ThreadTeam(1)) {
            OuterProductGemm g = new OuterProductGemm(team, new OuterProductGemm.Scalar(), 6);
            assertThrows(IllegalArgumentException.class, () -> g.multiply(L, 1024, 128, 1f, new float[L * 128], new float[128 * 1024], 0f, new float[L * 1024]));
        }
    }

    private static void check(OuterProductGemm.Kernel kernel, int group, int threads, int m, int n, int k, float beta) {
        Random rng = new Random(m * 31L + n * 7L + k);
        float[] a = new float[m * k], b = new float[k * n], c = new float[m * n], expected = new float[m * n];
        for (int i = 0; i < a.length; i++) a[i] = rng.nextFloat() - 0.5f;
        for (int i = 0; i < b.length; i++) b[i] = rng.nextFloat() - 0.5f;
        for (int i = 0; i < c.length; i++) c[i] = rng.nextFloat() - 0.5f;
        float alpha = 0.75f;
        double[] row = new double[n];
        for (int i = 0; i < m; i++) {
            Arrays.fill(row, 0);
            for (int t = 0; t < k; t++) {
                double av = a[i * k + t];
                for (int j = 0; j < n; j++) row[j] += av * b[t * n + j];
            }
            for (int j = 0; j < n; j++) expected[i * n + j] = (float) (alpha * row[j] + (beta == 0f ? 0 : beta * c[i * n + j]));
        }
        if (beta == 0f) Arrays.fill(c, Float.NaN);                          // β = 0 must not read the old C
        try (ThreadTeam team = new ThreadTeam(threads)) {
            OuterProductGemm g = new OuterProductGemm(team, kernel, group);
            for (int round = 0; round < 2; round++) {                       // the second call reuses the copy of A and the sums
                float[] cc = c.clone();
                g.multiply(m, n, k, alpha, a, b, beta, cc);
                for (int i = 0; i < cc.length; i++) {
                    assertEquals(expected[i], cc[i], 2e-4f * (1 + Math.abs(expected[i])),
                            kernel.getClass().getSimpleName() + " m=" + m + " n=" + n + " k=" + k + " at (" + i / n + ", " + i % n + ")");
                }
            }
        }
    }

    @Test
    void thePlainLoopEqualsTheTripleLoop() {
        for (float beta : new float[] {0f, 1f}) {
            check(new OuterProductGemm.Scalar(), 6, 1, L, 16_411, 17, beta);             // 17 = two groups of 6 and one of 5
            check(new OuterProductGemm.Scalar(), 4, 2, L, 2051, 131, beta);            // several chunks, groups of 4 and a 3
        }
    }

    @Test
    void theVectorKernelEqualsTheTripleLoop() {
        assumeTrue(FastCpuBackendTest.preferredVectorBits() >= 256, "no vector kernels on this CPU");
        for (float beta : new float[] {0f, 1f}) {
            check(new OuterProductGemm.Vector(), OuterProductGemm.GROUP, 2, L, 3136, 512, beta);      // the Nature dX: 85 groups of 6, one of 2
            check(new OuterProductGemm.Vector(), OuterProductGemm.GROUP, 3, L, 2051, 131, beta);      // an odd column (the pairs' tail), 5 left over
            check(new OuterProductGemm.Vector(), 13, 1, L, 16_411, 17, beta);         // a group of 13: 6 + 6 + 1; one chunk's tail of columns
        }
    }

    @Test
    void oneInstanceTakesShapesOfEverySizeInTurn() {
        // its buffers (the copy of A, the sums per worker) grow for a larger product and are reused, partly, for a smaller one
        int[][] shapes = {{L, 2051, 131}, {L, 16_411, 17}, {L, 2051, 131}, {L, 3000, 100}};
        Random rng = new Random(3);
        try (ThreadTeam team = new ThreadTeam(2)) {
            OuterProductGemm g = new OuterProductGemm(team, new OuterProductGemm.Scalar(), OuterProductGemm.GROUP);
            for (int[] sh : shapes) {
                int m = sh[0], n = sh[1], k = sh[2];
                float[] a = new float[m * k], b = new float[k * n], c = new float[m * n];
                for (int i = 0; i < a.length; i++) a[i] = rng.nextFloat() - 0.5f;
                for (int i = 0; i < b.length; i++) b[i] = rng.nextFloat() - 0.5f;
                Arrays.fill(c, Float.NaN);
                g.multiply(m, n, k, 1f, a, b, 0f, c);
                for (int probe = 0; probe < 200; probe++) {
                    int i = rng.nextInt(m), j = rng.nextInt(n);
                    double s = 0;
                    for (int t = 0; t < k; t++) s += (double) a[i * k + t] * b[t * n + j];
                    assertEquals(s, c[i * n + j], 2e-4 * (1 + Math.abs(s)), m + "x" + n + "x" + k + " at (" + i + ", " + j + ")");
                }
            }
        }
    }

    /** Counts the passes it is given, and computes them with the plain loop. */
    private static final class Counting implements OuterProductGemm.Kernel {
        final AtomicInteger passes = new AtomicInteger();

        @Override
        public void pass(float[] aT, int a0, int g, float[] b, int b0, int ldb, int cols, float[] cT, int c0) {
            passes.incrementAndGet();
            new OuterProductGemm.Scalar().pass(aT, a0, g, b, b0, ldb, cols, cT, c0);
        }
    }

    @Test
    void theBackendSendsTheProductsItAppliesToAndNoOthers() {
        Counting counting = new Counting();
        try (FastCpuBackend be = new FastCpuBackend(2, new ScalarMicroKernel(), new BroadcastKernel.Scalar(), new Elementwise.Scalar(),
                new StreamedGemm.Scalar(), counting)) {
            be.gemm(false, false, 1f, Tensor.zeros(L, 512), Tensor.zeros(512, 3136), 0f, Tensor.zeros(L, 3136));   // a batch of 32 with 512-bit vectors
            assertTrue(counting.passes.get() >= (512 + OuterProductGemm.GROUP - 1) / OuterProductGemm.GROUP,
                    "the Nature network's dX: every group of k over each chunk of columns, got " + counting.passes.get());
            counting.passes.set(0);
            be.gemm(false, false, 1f, Tensor.zeros(32, 128), Tensor.zeros(128, 1024), 0f, Tensor.zeros(32, 1024));
            be.gemm(false, false, 1f, Tensor.zeros(2 * L, 512), Tensor.zeros(512, 3136), 0f, Tensor.zeros(2 * L, 3136));
            be.gemm(true, false, 1f, Tensor.zeros(512, L), Tensor.zeros(512, 3136), 0f, Tensor.zeros(L, 3136));
            assertEquals(0, counting.passes.get(), "MinAtar's dX (B in cache), two blocks of rows and the Nature dX's shape with A transposed go elsewhere");
        }
    }
}
