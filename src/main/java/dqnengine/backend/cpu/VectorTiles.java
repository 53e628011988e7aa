package dqnengine.backend.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link WinogradConv}'s input transform a vector of channels at a time: the 16 inputs of a tile,
 * its 16 outputs, all in registers. Channels past the last whole vector go through the plain loop.
 */
final class VectorTiles implements WinogradConv.Tiles {
    private static final VectorSpecies<Float> S = VectorSupport.Width.SPECIES;
    private static final int L = VectorSupport.LANES;
    private final WinogradConv.PlainTiles tail = new WinogradConv.PlainTiles();

    @Override
    public void input(float[] x, int at, int dRow, int dCol, int C, float[] V, int to, int xiStride) {
        int c = 0;
        for (; c + L <= C; c += L) {
            int r0 = at + c, r1 = r0 + dRow, r2 = r1 + dRow, r3 = r2 + dRow;
            FloatVector d10 = FloatVector.fromArray(S, x, r1), d11 = FloatVector.fromArray(S, x, r1 + dCol);
            FloatVector d12 = FloatVector.fromArray(S, x, r1 + 2 * dCol), d13 = FloatVector.fromArray(S, x, r1 + 3 * dCol);
            FloatVector d20 = FloatVector.fromArray(S, x, r2), d21 = FloatVector.fromArray(S, x, r2 + dCol);
            FloatVector d22 = FloatVector.fromArray(S, x, r2 + 2 * dCol), d23 = FloatVector.fromArray(S, x, r2 + 3 * dCol);
            // Bᵀ d row 0: d0 − d2
            FloatVector e0 = FloatVector.fromArray(S, x, r0).sub(d20), e1 = FloatVector.fromArray(S, x, r0 + dCol).sub(d21);
            FloatVector e2 = FloatVector.fromArray(S, x, r0 + 2 * dCol).sub(d22), e3 = FloatVector.fromArray(S, x, r0 + 3 * dCol).sub(d23);
            int v = to + c;
            row(e0, e1, e2, e3, V, v, xiStride);
            row(d10.add(d20), d11.add(d21), d12.add(d22), d13.add(d23), V, v + 4 * xiStride, xiStride);     // d1 + d2
            row(d20.sub(d10), d21.sub(d11), d22.sub(d12), d23.sub(d13), V, v + 8 * xiStride, xiStride);     // d2 − d1
            e0 = FloatVector.fromArray(S, x, r3).sub(d10);                                                   // d3 − d1
            e1 = FloatVector.fromArray(S, x, r3 + dCol).sub(d11);
            e2 = FloatVector.fromArray(S, x, r3 + 2 * dCol).sub(d12);
            e3 = FloatVector.fromArray(S, x, r3 + 3 * dCol).sub(d13);
            row(e0, e1, e2, e3, V, v + 12 * xiStride, xiStride);
        }
        if (c < C) tail.input(x, at + c, dRow, dCol, C - c, V, to + c, xiStride);
    }

    /** One row of Bᵀ d times B: e0 − e2, e1 + e2, e2 − e1, e3 − e1, each xiStride apart in V. */
    private static void row(FloatVector e0, FloatVector e1, FloatVector e2, FloatVector e3, float[] V, int v, int xiStride) {
        e0.sub(e2).intoArray(V, v);
        e1.add(e2).intoArray(V, v + xiStride);
        e2.sub(e1).intoArray(V, v + 2 * xiStride);
        e3.sub(e1).intoArray(V, v + 3 * xiStride);
    }
}
