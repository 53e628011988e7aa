package dqnengine.backend.cpu;

/**
 * The innermost loop of {@link PackedGemm}: one register tile of C, {@link #ROWS} rows (8 with 512-bit vectors, 4 with 256-bit ones) by
 * {@link #COLS} columns (three vectors: 24 with 256-bit vectors, 48 with 512-bit ones; see
 * {@link VectorSupport}), from a packed strip of A and a packed panel of B.
 *
 * <pre>
 *   a strip: ap[k·ROWS + r]  = op(A)[i0 + r, k0 + k]      (already multiplied by α)
 *   b panel: bp[k·COLS + j]  = op(B)[k0 + k, j0 + j]
 *   C[i0 + r, j0 + j] (+)= Σ_{k &lt; kc} ap[k·ROWS + r] · bp[k·COLS + j]     for r &lt; rows, j &lt; cols
 * </pre>
 * With {@code overwrite} the tile is stored; otherwise it is added to C.
 */
interface MicroKernel {
    int ROWS = VectorSupport.LANES >= 16 ? 8 : 4;      // 8 rows with 512-bit vectors (32 registers), 4 with 256-bit ones (16)
    int COLS = 3 * VectorSupport.LANES;

    void tile(float[] ap, int apOff, float[] bp, int kc, float[] c, int cOff, int ldc, int rows, int cols,
              boolean overwrite, float[] scratch);

    /** Stores or adds a finished tile held in {@code acc[r·COLS + j]} into C (the partial-tile path). */
    static void writeBack(float[] acc, float[] c, int cOff, int ldc, int rows, int cols, boolean overwrite) {
        for (int r = 0; r < rows; r++) {
            int row = cOff + r * ldc;
            if (overwrite) {
                System.arraycopy(acc, r * COLS, c, row, cols);
            } else {
                for (int j = 0; j < cols; j++) c[row + j] += acc[r * COLS + j];
            }
        }
    }
}
