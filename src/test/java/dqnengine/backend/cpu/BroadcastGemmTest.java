package dqnengine.backend.cpu;

import dqnengine.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Random;

import static dqnengine.testing.TestTensors.assertClose;
import static dqnengine.testing.TestTensors.centred;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** {@link BroadcastGemm}: which products it takes, its results against a triple loop, and that the backend routes to it. */
class BroadcastGemmTest {
    private static final int L = BroadcastGemm.LANES;

    @Test
    void takesABatchOfWholeLaneBlocksTimesTransposedWeights() {
        assertTrue(BroadcastGemm.applies(false, true, L, 512, 3136), "a linear layer's forward pass at one block of rows");
        assertTrue(BroadcastGemm.applies(false, true, 2 * L, 128, 1024), "two blocks of rows");
        assertFalse(BroadcastGemm.applies(false, true, 1, 512, 3136), "acting's one row stays with the dot products");
        assertFalse(BroadcastGemm.applies(false, true, L + 1, 512, 3136), "rows past a whole block");
        assertTrue(BroadcastGemm.applies(false, true, L, 6, 512), "the output layer's 6 columns: half a tile");
        assertFalse(BroadcastGemm.applies(false, true, 32, 512, 8), "a reduction shorter than 16");
        assertFalse(BroadcastGemm.applies(false, false, 32, 512, 3136), "B not transposed");
        assertFalse(BroadcastGemm.applies(true, true, 32, 512, 3136), "A transposed");
        assertFalse(BroadcastGemm.applies(false, true, BroadcastGemm.MAX_ROWS + L, 512, 3136), "more than 64 rows");
    }

    /** C = α·A·Bᵀ + β·C in double, the oracle. */
    private static float[] tripleLoop(int m, int n, int k, float alpha, float[] a, float[] b, float beta, float[] c0) {
        float[] c = new float[m * n];
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++) {
                double s = 0;
                for (int t = 0; t < k; t++) s += (double) a[i * k + t] * b[j * k + t];
                c[i * n + j] = (float) (alpha * s + (beta == 0f ? 0 : beta * c0[i * n + j]));
            }
        return c;
    }

    private static float[] run(BroadcastKernel kernel, int threads, int m, int n, int k, float alpha, float[] a, float[] b,
                               float beta, float[] c0) {
        float[] c = c0.clone();
        try (ThreadTeam team = new ThreadTeam(threads)) {
            new BroadcastGemm(team, kernel).multiply(m, n, k, alpha, a, b, beta, c);
        }
        return c;
    }

    /** One instance per thread count, through shapes whose k, rows and columns change from call to call (its buffers are reused). */
    private static void check(BroadcastKernel kernel) {
        // a last tile of 1 row of B; two blocks of rows; the shortest k; k past one copying chunk of 512, and a shorter k again
        int[][] shapes = {{L, 13, 40}, {2 * L, 128, 300}, {L, 50, 16}, {L, 30, 1100}, {2 * L, 12, 100}, {L, 6, 512}};  // …, the 6 actions
        for (int threads : new int[] {1, 3}) {
            Random rng = new Random(11);
            try (ThreadTeam team = new ThreadTeam(threads)) {
                BroadcastGemm gemm = new BroadcastGemm(team, kernel);
                for (int[] s : shapes) {
                    int m = s[0], n = s[1], k = s[2];
                    float[] a = centred(rng, m * k), b = centred(rng, n * k), old = centred(rng, m * n), got = new float[m * n];
                    String what = kernel.getClass().getSimpleName() + " " + m + "x" + n + "x" + k + " on " + threads;
                    float[] expected = tripleLoop(m, n, k, 1.5f, a, b, 0f, null);
                    Arrays.fill(got, Float.NaN);                                 // β = 0: the NaNs in C are never read
                    gemm.multiply(m, n, k, 1.5f, a, b, 0f, got);
                    assertClose(expected, got, 1e-5, 1e-5, what + ", β = 0");
                    expected = tripleLoop(m, n, k, 0.5f, a, b, 2f, old);
                    got = old.clone();
                    gemm.multiply(m, n, k, 0.5f, a, b, 2f, got);
                    assertClose(expected, got, 1e-5, 1e-5, what + ", β = 2");
                }
            }
        }
    }

    @Test
    void thePlainLoopEqualsTheTripleLoop() {
        check(new BroadcastKernel.Scalar());
        check(new BroadcastKernel.Scalar(12));
    }

    @Test
    void theVectorKernelEqualsTheTripleLoop() {
        assumeTrue(FastCpuBackendTest.preferredVectorBits() >= 256, "no vector kernels on this CPU");
        BroadcastKernel kernel = VectorSupport.bestBroadcastKernel();
        check(kernel);
    }

    @Test
    void everyElementIsOneSumWhateverTheThreads() {
        assumeTrue(FastCpuBackendTest.preferredVectorBits() >= 256, "no vector kernels on this CPU");
        Random rng = new Random(13);
        int m = L, n = 100, k = 1111;
        float[] a = centred(rng, m * k), b = centred(rng, n * k), c0 = new float[m * n];
        BroadcastKernel kernel = VectorSupport.bestBroadcastKernel();
        float[] one = run(kernel, 1, m, n, k, 1f, a, b, 0f, c0);
        assertArrayEquals(one, run(kernel, 3, m, n, k, 1f, a, b, 0f, c0), "1 against 3 threads");
        assertArrayEquals(one, run(kernel, 2, m, n, k, 1f, a, b, 0f, c0), "1 against 2 threads");
    }

    @Test
    void refusesAProductItDoesNotTake() {
        try (ThreadTeam team = new ThreadTeam(1)) {
            BroadcastGemm g = new BroadcastGemm(team, new BroadcastKernel.Scalar());
            assertThrows(IllegalArgumentException.class, () -> g.multiply(L + 1, 20, 20, 1f, new float[(L + 1) * 20], new float[400], 0f, new float[(L + 1) * 20]));
            assertThrows(IllegalArgumentException.class, () -> new BroadcastGemm(team, new BroadcastKernel.Scalar(12, L / 2)));
        }
    }

    @Test
    void theBackendSendsTheForwardPassesOfABatchAndNothingElse() {
        CountingBroadcastKernel counting = new CountingBroadcastKernel(L);
        try (FastCpuBackend be = new FastCpuBackend(2, new ScalarMicroKernel(), counting, new Elementwise.Scalar())) {
            be.gemm(false, true, 1f, Tensor.zeros(32, 1024), Tensor.zeros(128, 1024), 0f, Tensor.zeros(32, 128));
            assertEquals((32 / L) * ((128 + 11) / 12), counting.tiles.get(), "MinAtar's forward pass: 11 tiles of 12 rows of W per block of 32 rows");
            counting.tiles.set(0);
            be.gemm(false, true, 1f, Tensor.zeros(32, 128), Tensor.zeros(6, 128), 0f, Tensor.zeros(32, 6));
            assertEquals(32 / L, counting.tiles.get(), "the 6-action layer: one tile per block of 32 rows");
            counting.tiles.set(0);
            be.gemm(false, true, 1f, Tensor.zeros(1, 1024), Tensor.zeros(128, 1024), 0f, Tensor.zeros(1, 128));
            be.gemm(false, false, 1f, Tensor.zeros(32, 128), Tensor.zeros(128, 1024), 0f, Tensor.zeros(32, 1024));
            be.gemm(true, false, 1f, Tensor.zeros(32, 128), Tensor.zeros(32, 1024), 1f, Tensor.zeros(128, 1024));
            assertEquals(0, counting.tiles.get(), "acting's one row, dX and dW go elsewhere");
        }
    }
}
