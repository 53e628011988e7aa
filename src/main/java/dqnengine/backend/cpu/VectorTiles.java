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
    public void gradient(float[] dy, int at, int dRow, int dCol, int lanes, float[] T, int to, int xiStride) {
        int l = 0;
        for (; l + L <= lanes; l += L) {
            for (int i = 0; i < 4; i++) {
                float[] c = WinogradConv.ROW_G[i];
                gradientRow(dy, at + l, dRow, dCol, c[0], c[1], c[2], T, to + 4 * i * xiStride + l, xiStride);
            }
        }
        if (l < lanes) tail.gradient(dy, at + l, dRow, dCol, lanes - l, T, to + l, xiStride);
    }

    /**
     * Row i of G' g (coefficients a, b, c of the rows g0, g1, g2), then times G'ᵀ: four values xiStride apart.
     * Indices and scalars in, never vectors (see {@link #row}).
     */
    private static void gradientRow(float[] dy, int at, int dRow, int dCol, float a, float b, float c, float[] T, int v, int xiStride) {
        FloatVector h0 = FloatVector.fromArray(S, dy, at).mul(a).add(FloatVector.fromArray(S, dy, at + dRow).mul(b))
                .add(FloatVector.fromArray(S, dy, at + 2 * dRow).mul(c));
        FloatVector h1 = FloatVector.fromArray(S, dy, at + dCol).mul(a).add(FloatVector.fromArray(S, dy, at + dRow + dCol).mul(b))
                .add(FloatVector.fromArray(S, dy, at + 2 * dRow + dCol).mul(c));
        FloatVector h2 = FloatVector.fromArray(S, dy, at + 2 * dCol).mul(a).add(FloatVector.fromArray(S, dy, at + dRow + 2 * dCol).mul(b))
                .add(FloatVector.fromArray(S, dy, at + 2 * dRow + 2 * dCol).mul(c));
        FloatVector half0 = h0.mul(0.5f), half1 = h1.mul(0.5f), half2 = h2.mul(0.5f);
        h0.intoArray(T, v);
        half0.add(half1).add(half2).intoArray(T, v + xiStride);
        half0.sub(half1).add(half2).intoArray(T, v + 2 * xiStride);
        h2.intoArray(T, v + 3 * xiStride);
    }

    @Override
    public void input(float[] x, int at, int dRow, int dCol, int C, float[] V, int to, int xiStride) {
        int c = 0;
        for (; c + L <= C; c += L) {
            int r0 = at + c, r1 = r0 + dRow, r2 = r1 + dRow, r3 = r2 + dRow, v = to + c;
            // the rows of Bᵀ d: d0 − d2, d1 + d2, d2 − d1, d3 − d1; each then times B
            for (int row = 0; row < 4; row++) {
                int a = row == 0 ? r0 : row == 1 ? r1 : row == 2 ? r2 : r3, b = row < 2 ? r2 : r1;
                row(x, a, b, row == 1 ? 1f : -1f, dCol, V, v + 4 * row * xiStride, xiStride);
            }
        }
        if (c < C) tail.input(x, at + c, dRow, dCol, C - c, V, to + c, xiStride);
    }

    /**
     * One row of Bᵀ d times B: e_β = d_a[β] + sign · d_b[β] (sign ±1: the fused multiply-add is
     * exact, the same bits as the sum or difference), then e0 − e2, e1 + e2, e2 − e1, e3 − e1, each
     * xiStride apart in V. One call in a loop, taking indices and never vectors: on JDK 17 four
     * such calls written out pushed C2 past its node count for inlining, and a vector passed to a
     * call it does not inline, or merged from two branches, is allocated on the heap (885 KB per
     * conv2 forward pass in the train step, in each of those forms).
     */
    private static void row(float[] x, int a, int b, float sign, int dCol, float[] V, int v, int xiStride) {
        FloatVector s = FloatVector.broadcast(S, sign);
        FloatVector e0 = FloatVector.fromArray(S, x, b).fma(s, FloatVector.fromArray(S, x, a));
        FloatVector e1 = FloatVector.fromArray(S, x, b + dCol).fma(s, FloatVector.fromArray(S, x, a + dCol));
        FloatVector e2 = FloatVector.fromArray(S, x, b + 2 * dCol).fma(s, FloatVector.fromArray(S, x, a + 2 * dCol));
        FloatVector e3 = FloatVector.fromArray(S, x, b + 3 * dCol).fma(s, FloatVector.fromArray(S, x, a + 3 * dCol));
        e0.sub(e2).intoArray(V, v);
        e1.add(e2).intoArray(V, v + xiStride);
        e2.sub(e1).intoArray(V, v + 2 * xiStride);
        e3.sub(e1).intoArray(V, v + 3 * xiStride);
    }
}
