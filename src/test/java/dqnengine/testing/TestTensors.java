package dqnengine.testing;

import dqnengine.bench.BackendParity;
import dqnengine.tensor.Tensor;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.fail;

/** Tensor helpers for tests: seeded random fills and element-wise closeness. */
public final class TestTensors {
    private TestTensors() {}

    /** A tensor of the given shape with entries ~ U(-1, 1). */
    public static Tensor uniform(Random rng, int... shape) {
        return BackendParity.uniform(rng, shape);          // one definition: the parity checks in main sources draw their inputs so too
    }

    /** {@code n} floats ~ U(-0.5, 0.5), drawn one {@code nextFloat} each, in order: the kernels' unit tests' inputs. */
    public static float[] centred(Random rng, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = rng.nextFloat() - 0.5f;
        return a;
    }

    /** Entries ~ ±U(margin, 1): kept at least {@code margin} away from 0 (off the ReLU kink). */
    public static Tensor awayFromZero(Random rng, float margin, int... shape) {
        Tensor t = Tensor.zeros(shape);
        for (int i = 0; i < t.size(); i++) {
            float mag = margin + (1f - margin) * rng.nextFloat();
            t.data[i] = rng.nextBoolean() ? mag : -mag;
        }
        return t;
    }

    /** Fails unless |e − a| ≤ atol + rtol·|e| for every element. */
    public static void assertClose(Tensor expected, Tensor actual, double rtol, double atol, String what) {
        if (!expected.sameShape(actual)) fail(what + ": shape " + actual.shapeString() + " != " + expected.shapeString());
        assertClose(expected.data, actual.data, rtol, atol, what);
    }

    public static void assertClose(float[] expected, float[] actual, double rtol, double atol, String what) {
        if (expected.length != actual.length) fail(what + ": length " + actual.length + " != " + expected.length);
        for (int i = 0; i < expected.length; i++) {
            double e = expected[i], a = actual[i];
            if (!(Math.abs(e - a) <= atol + rtol * Math.abs(e))) {
                fail(what + ": element " + i + " expected " + e + " but was " + a);
            }
        }
    }
}
