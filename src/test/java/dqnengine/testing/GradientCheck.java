package dqnengine.testing;

import dqnengine.backend.Backend;
import dqnengine.nn.Layer;
import dqnengine.nn.Parameter;
import dqnengine.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Finite-difference gradient check for a {@link Layer}.
 *
 * <p>The scalar under test is L(x, θ) = Σ_k y_k · r_k for a fixed random r, so ∂L/∂y = r and the
 * analytic gradients are what {@code backward(r)} produces. Each checked entry u (of the input or
 * of a parameter) is compared with the central difference
 * <pre>   (L(u + h) − L(u − h)) / 2h </pre>
 * where L is summed in double. The comparison is a symmetric relative error with an absolute
 * floor: |a − n| ≤ rtol · max(|a|, |n|) + atol.
 */
public final class GradientCheck {
    private final double h, rtol, atol;
    private final int entriesPerTensor;

    public GradientCheck(double h, double rtol, double atol, int entriesPerTensor) {
        this.h = h;
        this.rtol = rtol;
        this.atol = atol;
        this.entriesPerTensor = entriesPerTensor;
    }

    /** Defaults that pass for correct float32 layers and fail for any wrong term. */
    public static GradientCheck standard() { return new GradientCheck(1e-2, 1e-2, 1e-3, 40); }

    /** Returns a description of every mismatching entry; an empty list means the check passed. */
    public List<String> check(Backend be, Layer layer, Tensor x, long seed) {
        Random rng = new Random(seed);
        Tensor y = layer.forward(be, x);
        Tensor r = Tensor.zerosLike(y);
        for (int i = 0; i < r.size(); i++) r.data[i] = (float) rng.nextGaussian();

        for (Parameter p : layer.parameters()) p.zeroGrad();
        layer.forward(be, x);
        Tensor dx = layer.backward(be, r, true).copy();
        List<Tensor> values = new ArrayList<>();
        List<Tensor> grads = new ArrayList<>();
        List<String> names = new ArrayList<>();
        values.add(x);
        grads.add(dx);
        names.add("input");
        for (Parameter p : layer.parameters()) {
            values.add(p.value());
            grads.add(p.grad().copy());
            names.add(p.name());
        }

        List<String> failures = new ArrayList<>();
        for (int t = 0; t < values.size(); t++) {
            Tensor v = values.get(t);
            for (int idx : entries(v.size(), rng)) {
                float saved = v.data[idx];
                v.data[idx] = (float) (saved + h);
                double plus = dot(layer.forward(be, x), r);
                v.data[idx] = (float) (saved - h);
                double minus = dot(layer.forward(be, x), r);
                v.data[idx] = saved;
                double numeric = (plus - minus) / (2 * h);
                double analytic = grads.get(t).data[idx];
                if (Math.abs(analytic - numeric) > rtol * Math.max(Math.abs(analytic), Math.abs(numeric)) + atol) {
                    failures.add(names.get(t) + "[" + idx + "]: analytic " + analytic + " numeric " + numeric);
                }
            }
        }
        return failures;
    }

    private int[] entries(int size, Random rng) {
        if (size <= entriesPerTensor) {
            int[] all = new int[size];
            for (int i = 0; i < size; i++) all[i] = i;
            return all;
        }
        int[] some = new int[entriesPerTensor];
        some[0] = 0;                    // always the corners, where padding and bounds bite
        some[1] = size - 1;
        for (int i = 2; i < some.length; i++) some[i] = rng.nextInt(size);
        return some;
    }

    private static double dot(Tensor a, Tensor b) {
        double s = 0;
        for (int i = 0; i < a.size(); i++) s += (double) a.data[i] * b.data[i];
        return s;
    }
}
