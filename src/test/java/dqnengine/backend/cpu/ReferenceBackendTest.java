package dqnengine.backend.cpu;

import dqnengine.backend.Backend;
import dqnengine.backend.Conv2dShape;
import dqnengine.tensor.Tensor;
import dqnengine.testing.TestTensors;
import org.ejml.simple.SimpleMatrix;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Known cases for the reference kernels, and EJML as an independent oracle for the products. */
class ReferenceBackendTest {
    private final Backend be = new ReferenceBackend();

    @Test
    void smallConvolutionWithStrideAndPaddingMatchesTheHandComputation() {
        //      x = 1 2 3       w = 1  0      b = 0.5, stride 2, padding 1 → 2×2 output
        //          4 5 6           0 −1
        //          7 8 9
        // Each output sees a 2×2 window whose top-left corner is (2i−1, 2j−1):
        //   y[0,0] = 1·pad + (−1)·x[0,0] + 0.5 = −0.5      y[0,1] = 1·pad + (−1)·x[0,2] + 0.5 = −2.5
        //   y[1,0] = 1·pad + (−1)·x[2,0] + 0.5 = −6.5      y[1,1] = 1·x[1,1] + (−1)·x[2,2] + 0.5 = −3.5
        Conv2dShape g = new Conv2dShape(1, 1, 3, 3, 1, 2, 2, 2, 1);
        Tensor x = Tensor.wrap(new float[] {1, 2, 3, 4, 5, 6, 7, 8, 9}, 1, 1, 3, 3);
        Tensor w = Tensor.wrap(new float[] {1, 0, 0, -1}, 1, 1, 2, 2);
        Tensor b = Tensor.wrap(new float[] {0.5f}, 1);
        Tensor y = Tensor.zeros(g.outputShape());
        be.conv2dForward(g, x, w, b, y);
        assertArrayEquals(new float[] {-0.5f, -2.5f, -6.5f, -3.5f}, y.data, 1e-6f);

        // Backward with dy = 1 everywhere: each x entry collects the weights that touched it.
        Tensor dy = Tensor.zeros(g.outputShape()).fill(1f);
        Tensor dx = Tensor.zeros(g.inputShape());
        be.conv2dBackwardData(g, dy, w, dx);
        // x[0,0], x[0,2], x[2,0], x[2,2] met w[1,1] = −1; x[1,1] met w[0,0] = 1; the rest met nothing.
        assertArrayEquals(new float[] {-1, 0, -1, 0, 1, 0, -1, 0, -1}, dx.data, 1e-6f);
        Tensor dw = Tensor.zeros(g.weightShape());
        Tensor db = Tensor.zeros(1);
        be.conv2dBackwardWeights(g, x, dy, dw, db);
        // dw[p,q] = Σ over the 4 windows of the input under (p,q): w[0,0] sees only x[1,1] = 5,
        // w[0,1] sees x[1,0] + … : (pad, pad, 4, 6) → 4+6 = 10;  w[1,0]: (2, 8) → 10;  w[1,1]: 1+3+7+9 = 20
        assertArrayEquals(new float[] {5, 10, 10, 20}, dw.data, 1e-6f);
        assertEquals(4f, db.data[0], 1e-6f);
    }

    private static SimpleMatrix matrix(Tensor t, boolean transpose) {
        SimpleMatrix m = new SimpleMatrix(t.dim(0), t.dim(1));
        for (int i = 0; i < t.dim(0); i++) for (int j = 0; j < t.dim(1); j++) m.set(i, j, t.data[i * t.dim(1) + j]);
        return transpose ? m.transpose() : m;
    }

    @ParameterizedTest(name = "transA={0} transB={1} {2}x{3}x{4}")
    @CsvSource({
            "false, false, 5, 7, 3", "false, true, 6, 4, 9", "true, false, 3, 8, 5",
            "true, true, 7, 5, 6", "false, true, 32, 6, 512", "true, false, 512, 3136, 4"})
    void gemmAgreesWithEjml(boolean transA, boolean transB, int m, int n, int k) {
        Random rng = new Random(m * 31 + n * 7 + k);
        Tensor a = transA ? TestTensors.uniform(rng, k, m) : TestTensors.uniform(rng, m, k);
        Tensor b = transB ? TestTensors.uniform(rng, n, k) : TestTensors.uniform(rng, k, n);
        Tensor c = TestTensors.uniform(rng, m, n);
        SimpleMatrix expected = matrix(a, transA).mult(matrix(b, transB)).scale(0.5).plus(matrix(c, false).scale(2.0));
        be.gemm(transA, transB, 0.5f, a, b, 2f, c);
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                assertEquals(expected.get(i, j), c.data[i * n + j], 1e-5 * (1 + Math.sqrt(k)), "C[" + i + "," + j + "]");
            }
        }
    }

    @Test
    void gemmWithZeroBetaIgnoresNaNsInTheOutput() {
        Tensor a = Tensor.wrap(new float[] {1, 2}, 1, 2);
        Tensor b = Tensor.wrap(new float[] {3, 4}, 2, 1);
        Tensor c = Tensor.wrap(new float[] {Float.NaN}, 1, 1);
        be.gemm(false, false, 1f, a, b, 0f, c);
        assertEquals(11f, c.data[0]);
    }

    @Test
    void gemmRejectsMismatchedShapes() {
        assertThrows(IllegalArgumentException.class,
                () -> be.gemm(false, false, 1f, Tensor.zeros(2, 3), Tensor.zeros(4, 2), 0f, Tensor.zeros(2, 2)));
    }

    @Test
    void rowMaxReturnsTheFirstMaximum() {
        Tensor q = Tensor.wrap(new float[] {1, 3, 3, -1, -2, -0.5f}, 2, 3);
        Tensor max = Tensor.zeros(2);
        int[] argmax = new int[2];
        be.rowMax(q, max, argmax);
        assertArrayEquals(new float[] {3, -0.5f}, max.data);
        assertArrayEquals(new int[] {1, 2}, argmax);
    }

    @Test
    void u8ToFloatReadsPixelsAsUnsigned() {
        byte[] pixels = {0, 1, (byte) 128, (byte) 255, 7};
        Tensor out = Tensor.zeros(3);
        be.u8ToFloat(pixels, 1, 1f / 255f, out);
        assertArrayEquals(new float[] {1f / 255f, 128f / 255f, 1f}, out.data, 1e-7f);
    }
}
