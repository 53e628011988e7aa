package dqnengine.backend.cpu;

/**
 * The inner loop of the direct convolutions ({@link DirectConv}): six rows of 16 accumulators,
 * each row fed by scalars broadcast from the input and the 16 lanes fed by a packed vector.
 *
 * <pre>
 *   for t in [from, to):
 *       acc[r][l] += x[rowBase[r] + offsets[t]] · vectors[vecOff + t·16 + l]     r &lt; 6, l &lt; 16
 * </pre>
 * In the forward pass r runs over output pixels, t over (c, p, q) and the vectors are 16 output
 * channels of the weights; for the weight gradient r runs over (c, p, q), t over output pixels and
 * the vectors are 16 output channels of dy. Either way no im2col matrix is built or packed.
 * {@code acc} holds [6][16] and is added to. (6×16 measured fastest on AVX2: 12 accumulators,
 * 2 vector loads and 6 broadcasts per step; 3×32 spilled registers.)
 */
interface BroadcastKernel {
    int ROWS = 6;
    int LANES = 16;

    void accumulate(float[] x, int[] rowBase, int[] offsets, int from, int to, float[] vectors, int vecOff, float[] acc);

    /** The same loop in plain Java. */
    final class Scalar implements BroadcastKernel {
        @Override
        public void accumulate(float[] x, int[] rowBase, int[] offsets, int from, int to, float[] vectors, int vecOff, float[] acc) {
            for (int r = 0; r < ROWS; r++) {
                int base = rowBase[r], a = r * LANES;
                for (int t = from; t < to; t++) {
                    float xv = x[base + offsets[t]];
                    int v = vecOff + t * LANES;
                    for (int l = 0; l < LANES; l++) acc[a + l] += xv * vectors[v + l];
                }
            }
        }
    }
}
