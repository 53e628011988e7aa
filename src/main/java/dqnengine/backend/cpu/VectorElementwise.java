package dqnengine.backend.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/** {@link Elementwise} on the Vector API, in the kernels' one species; the tail in plain Java. */
final class VectorElementwise implements Elementwise {
    private static final VectorSpecies<Float> S = VectorSupport.Width.SPECIES;
    private static final Elementwise.Scalar TAIL = new Elementwise.Scalar();

    @Override
    public void relu(float[] x, float[] y, int from, int to) {
        FloatVector zero = FloatVector.zero(S);
        int i = from, end = from + S.loopBound(to - from);
        for (; i < end; i += S.length()) FloatVector.fromArray(S, x, i).max(zero).intoArray(y, i);
        TAIL.relu(x, y, i, to);
    }

    @Override
    public void reluGrad(float[] y, float[] dy, float[] dx, int from, int to) {
        FloatVector zero = FloatVector.zero(S);
        int i = from, end = from + S.loopBound(to - from);
        for (; i < end; i += S.length()) {
            var positive = FloatVector.fromArray(S, y, i).compare(VectorOperators.GT, 0f);
            zero.blend(FloatVector.fromArray(S, dy, i), positive).intoArray(dx, i);
        }
        TAIL.reluGrad(y, dy, dx, i, to);
    }

    @Override
    public void adam(float[] p, float[] g, float[] m, float[] v, float beta1, float beta2, float eps, float step, float inv, int from, int to) {
        float c1 = 1 - beta1, c2 = 1 - beta2;
        int i = from, end = from + S.loopBound(to - from);
        for (; i < end; i += S.length()) {            // the scalar loop's operations in its order (no fused multiply-adds)
            FloatVector gi = FloatVector.fromArray(S, g, i);
            FloatVector mi = FloatVector.fromArray(S, m, i).mul(beta1).add(gi.mul(c1));
            FloatVector vi = FloatVector.fromArray(S, v, i).mul(beta2).add(gi.mul(c2).mul(gi));
            mi.intoArray(m, i);
            vi.intoArray(v, i);
            FloatVector denom = vi.lanewise(VectorOperators.SQRT).mul(inv).add(eps);
            FloatVector.fromArray(S, p, i).sub(mi.mul(step).div(denom)).intoArray(p, i);
        }
        TAIL.adam(p, g, m, v, beta1, beta2, eps, step, inv, i, to);
    }

    @Override
    public void rmsProp(float[] p, float[] g, float[] sq, float[] ga, float[] buf, float lr, float alpha, float eps, float momentum,
                        boolean epsInsideSqrt, int from, int to) {
        float c = 1 - alpha;
        int i = from, end = from + S.loopBound(to - from);
        for (; i < end; i += S.length()) {            // the scalar loop's operations in its order
            FloatVector gi = FloatVector.fromArray(S, g, i);
            FloatVector si = FloatVector.fromArray(S, sq, i).mul(alpha).add(gi.mul(c).mul(gi));
            si.intoArray(sq, i);
            FloatVector variance = si;
            if (ga != null) {
                FloatVector gai = FloatVector.fromArray(S, ga, i).mul(alpha).add(gi.mul(c));
                gai.intoArray(ga, i);
                variance = variance.sub(gai.mul(gai));
            }
            FloatVector denom = epsInsideSqrt ? variance.add(eps).lanewise(VectorOperators.SQRT) : variance.lanewise(VectorOperators.SQRT).add(eps);
            FloatVector pi = FloatVector.fromArray(S, p, i);
            if (buf != null) {
                FloatVector b = FloatVector.fromArray(S, buf, i).mul(momentum).add(gi.div(denom));
                b.intoArray(buf, i);
                pi.sub(b.mul(lr)).intoArray(p, i);
            } else {
                pi.sub(gi.mul(lr).div(denom)).intoArray(p, i);
            }
        }
        TAIL.rmsProp(p, g, sq, ga, buf, lr, alpha, eps, momentum, epsInsideSqrt, i, to);
    }
}
