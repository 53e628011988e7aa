package dqnengine.backend.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link BroadcastKernel} one vector wide, for 512-bit vectors: 12 rows × 16 lanes, 12
 * accumulators; per step one vector is loaded and 12 scalars broadcast, for 12 fused
 * multiply-adds.
 *
 * <p>For layers whose output channels fill half of {@link WideBroadcastKernel}'s two-vector tile
 * (MinAtar's 16 channels with 512-bit vectors): there the second vector of every step multiplies
 * zero weights, so half of the arithmetic is thrown away. Here every lane is a channel.
 */
final class NarrowBroadcastKernel implements BroadcastKernel {
    private static final VectorSpecies<Float> S = VectorSupport.Width.SPECIES;
    private static final int L = VectorSupport.LANES;

    @Override
    public int rows() { return 12; }

    @Override
    public int lanes() { return L; }

    @Override
    public void accumulate(float[] x, int[] rowBase, int[] offsets, int from, int to, float[] vectors, int vecOff, float[] acc) {
        FloatVector a0 = FloatVector.fromArray(S, acc, 0 * L), a1 = FloatVector.fromArray(S, acc, 1 * L);
        FloatVector a2 = FloatVector.fromArray(S, acc, 2 * L), a3 = FloatVector.fromArray(S, acc, 3 * L);
        FloatVector a4 = FloatVector.fromArray(S, acc, 4 * L), a5 = FloatVector.fromArray(S, acc, 5 * L);
        FloatVector a6 = FloatVector.fromArray(S, acc, 6 * L), a7 = FloatVector.fromArray(S, acc, 7 * L);
        FloatVector a8 = FloatVector.fromArray(S, acc, 8 * L), a9 = FloatVector.fromArray(S, acc, 9 * L);
        FloatVector a10 = FloatVector.fromArray(S, acc, 10 * L), a11 = FloatVector.fromArray(S, acc, 11 * L);
        int b0 = rowBase[0], b1 = rowBase[1], b2 = rowBase[2], b3 = rowBase[3], b4 = rowBase[4], b5 = rowBase[5];
        int b6 = rowBase[6], b7 = rowBase[7], b8 = rowBase[8], b9 = rowBase[9], b10 = rowBase[10], b11 = rowBase[11];
        for (int t = from; t < to; t++) {
            int off = offsets[t];
            FloatVector w = FloatVector.fromArray(S, vectors, vecOff + t * L);
            a0 = FloatVector.broadcast(S, x[b0 + off]).fma(w, a0);
            a1 = FloatVector.broadcast(S, x[b1 + off]).fma(w, a1);
            a2 = FloatVector.broadcast(S, x[b2 + off]).fma(w, a2);
            a3 = FloatVector.broadcast(S, x[b3 + off]).fma(w, a3);
            a4 = FloatVector.broadcast(S, x[b4 + off]).fma(w, a4);
            a5 = FloatVector.broadcast(S, x[b5 + off]).fma(w, a5);
            a6 = FloatVector.broadcast(S, x[b6 + off]).fma(w, a6);
            a7 = FloatVector.broadcast(S, x[b7 + off]).fma(w, a7);
            a8 = FloatVector.broadcast(S, x[b8 + off]).fma(w, a8);
            a9 = FloatVector.broadcast(S, x[b9 + off]).fma(w, a9);
            a10 = FloatVector.broadcast(S, x[b10 + off]).fma(w, a10);
            a11 = FloatVector.broadcast(S, x[b11 + off]).fma(w, a11);
        }
        a0.intoArray(acc, 0 * L); a1.intoArray(acc, 1 * L);
        a2.intoArray(acc, 2 * L); a3.intoArray(acc, 3 * L);
        a4.intoArray(acc, 4 * L); a5.intoArray(acc, 5 * L);
        a6.intoArray(acc, 6 * L); a7.intoArray(acc, 7 * L);
        a8.intoArray(acc, 8 * L); a9.intoArray(acc, 9 * L);
        a10.intoArray(acc, 10 * L); a11.intoArray(acc, 11 * L);
    }
}
