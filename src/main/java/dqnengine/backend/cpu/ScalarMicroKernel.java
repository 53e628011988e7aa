package dqnengine.backend.cpu;

import java.util.Arrays;

/**
 * The micro-kernel in plain Java, for runtimes without the Vector API. The inner loop is a
 * single-store-stream axpy over the COLS panel columns, the one shape C2 reliably vectorises;
 * it reaches a fraction of {@link VectorMicroKernel}'s speed.
 */
final class ScalarMicroKernel implements MicroKernel {
    @Override
    public void tile(float[] ap, int apOff, float[] bp, int kc, float[] c, int cOff, int ldc, int rows, int cols,
                     boolean overwrite, float[] acc) {
        Arrays.fill(acc, 0, ROWS * COLS, 0f);
        for (int r = 0; r < ROWS; r++) {
            int accRow = r * COLS;
            for (int k = 0; k < kc; k++) {
                float a = ap[apOff + k * ROWS + r];
                int b = k * COLS;
                for (int j = 0; j < COLS; j++) acc[accRow + j] += a * bp[b + j];
            }
        }
        MicroKernel.writeBack(acc, c, cOff, ldc, rows, cols, overwrite);
    }
}
