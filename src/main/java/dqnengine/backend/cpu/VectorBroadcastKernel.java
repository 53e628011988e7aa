package dqnengine.backend.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link BroadcastKernel} on the Vector API: 12 accumulators (6 rows × 2 vectors, the
 * {@link BroadcastKernel#LANES} lanes) stay in registers; per step, 2 vectors are loaded and 6
 * scalars broadcast, for 12 fused multiply-adds.
 */
final class VectorBroadcastKernel implements BroadcastKernel {
    private static final VectorSpecies<Float> S = VectorSupport.Width.SPECIES;
    private static final int L = VectorSupport.LANES;

    @Override
    public void accumulate(float[] x, int[] rowBase, int[] offsets, int from, int to, float[] vectors, int vecOff, float[] acc) {
        FloatVector a00 = FloatVector.fromArray(S, acc, 0), a01 = FloatVector.fromArray(S, acc, L);
        FloatVector a10 = FloatVector.fromArray(S, acc, 2 * L), a11 = FloatVector.fromArray(S, acc, 3 * L);
        FloatVector a20 = FloatVector.fromArray(S, acc, 4 * L), a21 = FloatVector.fromArray(S, acc, 5 * L);
        FloatVector a30 = FloatVector.fromArray(S, acc, 6 * L), a31 = FloatVector.fromArray(S, acc, 7 * L);
        FloatVector a40 = FloatVector.fromArray(S, acc, 8 * L), a41 = FloatVector.fromArray(S, acc, 9 * L);
        FloatVector a50 = FloatVector.fromArray(S, acc, 10 * L), a51 = FloatVector.fromArray(S, acc, 11 * L);
        int b0 = rowBase[0], b1 = rowBase[1], b2 = rowBase[2], b3 = rowBase[3], b4 = rowBase[4], b5 = rowBase[5];
        for (int t = from; t < to; t++) {
            int off = offsets[t], v = vecOff + t * LANES;
            FloatVector w0 = FloatVector.fromArray(S, vectors, v), w1 = FloatVector.fromArray(S, vectors, v + L);
            FloatVector x0 = FloatVector.broadcast(S, x[b0 + off]); a00 = x0.fma(w0, a00); a01 = x0.fma(w1, a01);
            FloatVector x1 = FloatVector.broadcast(S, x[b1 + off]); a10 = x1.fma(w0, a10); a11 = x1.fma(w1, a11);
            FloatVector x2 = FloatVector.broadcast(S, x[b2 + off]); a20 = x2.fma(w0, a20); a21 = x2.fma(w1, a21);
            FloatVector x3 = FloatVector.broadcast(S, x[b3 + off]); a30 = x3.fma(w0, a30); a31 = x3.fma(w1, a31);
            FloatVector x4 = FloatVector.broadcast(S, x[b4 + off]); a40 = x4.fma(w0, a40); a41 = x4.fma(w1, a41);
            FloatVector x5 = FloatVector.broadcast(S, x[b5 + off]); a50 = x5.fma(w0, a50); a51 = x5.fma(w1, a51);
        }
        a00.intoArray(acc, 0); a01.intoArray(acc, L); a10.intoArray(acc, 2 * L); a11.intoArray(acc, 3 * L);
        a20.intoArray(acc, 4 * L); a21.intoArray(acc, 5 * L); a30.intoArray(acc, 6 * L); a31.intoArray(acc, 7 * L);
        a40.intoArray(acc, 8 * L); a41.intoArray(acc, 9 * L); a50.intoArray(acc, 10 * L); a51.intoArray(acc, 11 * L);
    }
}
