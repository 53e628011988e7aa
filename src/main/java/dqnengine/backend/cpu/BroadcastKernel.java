package dqnengine.backend.cpu;

/**
 * The inner loop of the direct convolutions ({@link DirectConv}) and of {@link BroadcastGemm}: {@link #rows()} rows (6, or 12 for
 * {@link WideBroadcastKernel} and {@link NarrowBroadcastKernel}) of {@link #LANES}
 * accumulators (two vectors: 16 with 256-bit vectors, 32 with 512-bit ones; see
 * {@link VectorSupport}), each row fed by scalars broadcast from the input and the lanes fed by a
 * packed vector.
 *
 * <pre>
 *   for t in [from, to):
 *       acc[r][l] += x[rowBase[r] + offsets[t]] · vectors[vecOff + t·LANES + l]     r &lt; rows(), l &lt; LANES
 * </pre>
 * In the forward pass r runs over output pixels, t over (c, p, q) and the vectors are LANES output
 * channels of the weights; for the weight gradient r runs over (c, p, q), t over output pixels and
 * the vectors are LANES output channels of dy. Either way no im2col matrix is built or packed.
 * {@code acc} holds [rows()][LANES] and is added to. (6 × 2 vectors measured fastest on AVX2: 12
 * accumulators, 2 vector loads and 6 broadcasts per step; 3 × 4 vectors spilled registers.)
 * A kernel may be narrower: {@link #lanes()} lanes instead of LANES ({@link NarrowBroadcastKernel},
 * one vector), with {@code vectors} and {@code acc} laid out by that width.
 */
interface BroadcastKernel {
    int ROWS = 6;
    int LANES = 2 * VectorSupport.LANES;

    /** Rows of this kernel's tile: {@link #ROWS}, or 12 for {@link WideBroadcastKernel} and {@link NarrowBroadcastKernel}. */
    default int rows() { return ROWS; }

    /** Lanes of this kernel's tile: {@link #LANES} (two vectors), or one vector's for {@link NarrowBroadcastKernel}. */
    default int lanes() { return LANES; }

    void accumulate(float[] x, int[] rowBase, int[] offsets, int from, int to, float[] vectors, int vecOff, float[] acc);

    /**
     * One row of a tile added where its lanes belong: out[dst + index[indexFrom + l]] += acc[accFrom + l]
     * for l &lt; {@link #lanes()}, the lanes in order. The indices of one call must be distinct (they are
     * the offsets of distinct kernel taps in the input gradient's col2im), so the order of the lanes
     * does not change the result. This plain loop is the reference; the 512-bit kernels gather, add
     * and scatter a vector at a time.
     */
    default void addScattered(float[] acc, int accFrom, float[] out, int dst, int[] index, int indexFrom) {
        for (int l = 0; l < lanes(); l++) out[dst + index[indexFrom + l]] += acc[accFrom + l];
    }

    /** The same loop in plain Java. */
    final class Scalar implements BroadcastKernel {
        private final int rows, lanes;

        Scalar() { this(ROWS); }

        /** The plain loop with the tile of another kernel ({@code rows} rows). */
        Scalar(int rows) { this(rows, LANES); }

        /** The plain loop with a tile of {@code rows} rows and {@code lanes} lanes (LANES / 2: the narrow kernel's). */
        Scalar(int rows, int lanes) {
            this.rows = rows;
            this.lanes = lanes;
        }

        @Override
        public int rows() { return rows; }

        @Override
        public int lanes() { return lanes; }

        @Override
        public void accumulate(float[] x, int[] rowBase, int[] offsets, int from, int to, float[] vectors, int vecOff, float[] acc) {
            for (int r = 0; r < rows; r++) {
                int base = rowBase[r], a = r * lanes;
                for (int t = from; t < to; t++) {
                    float xv = x[base + offsets[t]];
                    int v = vecOff + t * lanes;
                    for (int l = 0; l < lanes; l++) acc[a + l] += xv * vectors[v + l];
                }
            }
        }
    }
}
