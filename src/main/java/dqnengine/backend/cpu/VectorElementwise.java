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
}
