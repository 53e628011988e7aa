package dqnengine.backend.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link BroadcastKernel} on the Vector API: 12 accumulators of 8 lanes (6 rows × 16 lanes) stay
 * in registers; per step, 2 vectors are loaded and 6 scalars broadcast, for 12 fused
 * multiply-adds.
 */
final class VectorBroadcastKernel implements BroadcastKernel {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_256;

    @Override
    public void accumulate(float[] x, int[] rowBase, int[] offsets, int from, int to, float[] vectors, int vecOff, float[] acc) {
        FloatVector a00 = FloatVector.fromArray(S, acc, 0), a01 = FloatVector.fromArray(S, acc, 8);
        FloatVector a10 = FloatVector.fromArray(S, acc, 16), a11 = FloatVector.fromArray(S, acc, 24);
        FloatVector a20 = FloatVector.fromArray(S, acc, 32), a21 = FloatVector.fromArray(S, acc, 40);
        FloatVector a30 = FloatVector.fromArray(S, acc, 48), a31 = FloatVector.fromArray(S, acc, 56);
        FloatVector a40 = FloatVector.fromArray(S, acc, 64), a41 = FloatVector.fromArray(S, acc, 72);
        FloatVector a50 = FloatVector.fromArray(S, acc, 80), a51 = FloatVector.fromArray(S, acc, 88);
        int b0 = rowBase[0], b1 = rowBase[1], b2 = rowBase[2], b3 = rowBase[3], b4 = rowBase[4], b5 = rowBase[5];
        for (int t = from; t < to; t++) {
            int off = offsets[t], v = vecOff + t * LANES;
            FloatVector w0 = FloatVector.fromArray(S, vectors, v), w1 = FloatVector.fromArray(S, vectors, v + 8);
            FloatVector x0 = FloatVector.broadcast(S, x[b0 + off]); a00 = x0.fma(w0, a00); a01 = x0.fma(w1, a01);
            FloatVector x1 = FloatVector.broadcast(S, x[b1 + off]); a10 = x1.fma(w0, a10); a11 = x1.fma(w1, a11);
            FloatVector x2 = FloatVector.broadcast(S, x[b2 + off]); a20 = x2.fma(w0, a20); a21 = x2.fma(w1, a21);
            FloatVector x3 = FloatVector.broadcast(S, x[b3 + off]); a30 = x3.fma(w0, a30); a31 = x3.fma(w1, a31);
            FloatVector x4 = FloatVector.broadcast(S, x[b4 + off]); a40 = x4.fma(w0, a40); a41 = x4.fma(w1, a41);
            FloatVector x5 = FloatVector.broadcast(S, x[b5 + off]); a50 = x5.fma(w0, a50); a51 = x5.fma(w1, a51);
        }
        a00.intoArray(acc, 0); a01.intoArray(acc, 8); a10.intoArray(acc, 16); a11.intoArray(acc, 24);
        a20.intoArray(acc, 32); a21.intoArray(acc, 40); a30.intoArray(acc, 48); a31.intoArray(acc, 56);
        a40.intoArray(acc, 64); a41.intoArray(acc, 72); a50.intoArray(acc, 80); a51.intoArray(acc, 88);
    }
}
