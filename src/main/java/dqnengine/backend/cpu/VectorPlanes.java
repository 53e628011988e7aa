package dqnengine.backend.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link WinogradPlanes}' loops a vector at a time: the planes along a row, and the output
 * transform across a vector of output channels when they lie side by side in y (a pixel-major y);
 * the tails, and a channel-major y, go through the plain loops.
 */
final class VectorPlanes extends WinogradPlanes.PlainLoops {
    private static final VectorSpecies<Float> S = VectorSupport.Width.SPECIES;
    private static final int L = VectorSupport.LANES;

    @Override
    public void dyTile(float[] dy, int at, int colStep, int rowStep, int lanes, float[] T, int to, int xiStride, float[] sums, int sumAt) {
        if (lanes % L != 0) {
            super.dyTile(dy, at, colStep, rowStep, lanes, T, to, xiStride, sums, sumAt);
            return;
        }
        for (int l = 0; l < lanes; l += L) {
            FloatVector d00 = FloatVector.fromArray(S, dy, at + l), d01 = FloatVector.fromArray(S, dy, at + colStep + l);
            FloatVector d10 = FloatVector.fromArray(S, dy, at + rowStep + l), d11 = FloatVector.fromArray(S, dy, at + rowStep + colStep + l);
            FloatVector h0 = d00.add(d10), h1 = d01.add(d11), all = h0.add(h1);
            int v = to + l;
            d00.intoArray(T, v);
            d00.add(d01).intoArray(T, v + xiStride);
            d01.intoArray(T, v + 2 * xiStride);
            h0.intoArray(T, v + 3 * xiStride);
            all.intoArray(T, v + 4 * xiStride);
            h1.intoArray(T, v + 5 * xiStride);
            d10.intoArray(T, v + 6 * xiStride);
            d10.add(d11).intoArray(T, v + 7 * xiStride);
            d11.intoArray(T, v + 8 * xiStride);
            FloatVector.fromArray(S, sums, sumAt + l).add(all).intoArray(sums, sumAt + l);
        }
    }

    /** Four loads give all three planes (two loops, so that no vector is merged from two branches). */
    @Override
    public void planes(float[] x, int top, int bottom, int s, float[] P, int e, int de, int d, int n) {
        int i = 0;
        if (d >= 0) {
            for (; i + L <= n; i += L) {
                FloatVector t0 = FloatVector.fromArray(S, x, top + i), b0 = FloatVector.fromArray(S, x, bottom + i);
                FloatVector db = b0.sub(FloatVector.fromArray(S, x, bottom + s + i));
                t0.sub(b0).intoArray(P, e + i);
                t0.sub(FloatVector.fromArray(S, x, top + s + i)).sub(db).intoArray(P, de + i);
                db.intoArray(P, d + i);
            }
        } else {
            for (; i + L <= n; i += L) {
                FloatVector t0 = FloatVector.fromArray(S, x, top + i), b0 = FloatVector.fromArray(S, x, bottom + i);
                FloatVector db = b0.sub(FloatVector.fromArray(S, x, bottom + s + i));
                t0.sub(b0).intoArray(P, e + i);
                t0.sub(FloatVector.fromArray(S, x, top + s + i)).sub(db).intoArray(P, de + i);
            }
        }
        if (i < n) super.planes(x, top + i, bottom + i, s, P, e + i, de + i, d < 0 ? -1 : d + i, n - i);
    }

    /**
     * A vector of lanes at a time: with the lanes side by side in y (pixel-major) straight into it,
     * and with them a channel plane apart (channel-major) through {@code scratch}, then a value at a
     * time. (Conv1's forward pass, channel-major, one thread: 2.0–2.1 ms with the plain loop's nine
     * loads and adds per lane, 1.85 so; with the lanes scattered by vector, or written channel by
     * channel across a group of tiles, 2.0–2.15.)
     */
    @Override
    public void output(float[][] M, int m, float[] bias, int o0, int lanes, boolean relu, float[] y, int at, int laneStride, int colStep, int rowStep,
                       float[] scratch) {
        if (lanes % L != 0) {
            super.output(M, m, bias, o0, lanes, relu, y, at, laneStride, colStep, rowStep, scratch);
            return;
        }
        boolean direct = laneStride == 1;
        float[] to = direct ? y : scratch;
        float floor = relu ? 0f : Float.NEGATIVE_INFINITY;                       // max(y, −∞) = y: one path, no vector merged from two
        int c0 = direct ? at : 0, c1 = direct ? at + colStep : lanes, c2 = direct ? at + rowStep : 2 * lanes, c3 = direct ? at + rowStep + colStep : 3 * lanes;
        float[] M0 = M[0], M1 = M[1], M2 = M[2], M3 = M[3], M4 = M[4], M5 = M[5], M6 = M[6], M7 = M[7], M8 = M[8];
        for (int l = 0; l < lanes; l += L) {
            int p = m + l;
            FloatVector m00 = FloatVector.fromArray(S, M0, p), m01 = FloatVector.fromArray(S, M1, p), m02 = FloatVector.fromArray(S, M2, p);
            FloatVector m10 = FloatVector.fromArray(S, M3, p), m11 = FloatVector.fromArray(S, M4, p), m12 = FloatVector.fromArray(S, M5, p);
            FloatVector m20 = FloatVector.fromArray(S, M6, p), m21 = FloatVector.fromArray(S, M7, p), m22 = FloatVector.fromArray(S, M8, p);
            FloatVector b = FloatVector.fromArray(S, bias, o0 + l), c01 = m01.add(m11), c11 = m11.sub(m12);
            m00.add(m10).add(c01).add(b).lanewise(VectorOperators.MAX, floor).intoArray(to, c0 + l);
            c01.sub(m02.add(m12)).add(b).lanewise(VectorOperators.MAX, floor).intoArray(to, c1 + l);
            m10.add(m11).sub(m20.add(m21)).add(b).lanewise(VectorOperators.MAX, floor).intoArray(to, c2 + l);
            c11.sub(m21.sub(m22)).add(b).lanewise(VectorOperators.MAX, floor).intoArray(to, c3 + l);
        }
        if (direct) return;
        for (int l = 0; l < lanes; l++) {
            int dst = at + l * laneStride;
            y[dst] = scratch[l];
            y[dst + colStep] = scratch[lanes + l];
            y[dst + rowStep] = scratch[2 * lanes + l];
            y[dst + rowStep + colStep] = scratch[3 * lanes + l];
        }
    }
}
