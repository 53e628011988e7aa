package dqnengine.nn;

import dqnengine.backend.Backend;
import dqnengine.backend.Conv2dShape;
import dqnengine.backend.LossKind;
import dqnengine.backend.cpu.ReferenceBackend;
import dqnengine.loss.Huber;
import dqnengine.loss.Loss;
import dqnengine.loss.Mse;
import dqnengine.tensor.Tensor;
import dqnengine.testing.GradientCheck;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.BiFunction;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Finite-difference gradient checks in double precision, tight enough to catch a backward term
 * that is 0.5% off.
 *
 * <p>{@link GradientCheckTest} perturbs float32 tensors by h = 1e-2 and accepts a 1% error: it
 * catches a wrong index or a missing term, not a gradient scaled by 1.005. Here the analytic
 * gradients still come from the project's own float code (each layer's {@code backward} on the
 * {@link ReferenceBackend}, the losses' {@code gatheredLoss}), but the scalar L(θ) they are
 * compared against is computed by a small double-precision evaluator, written in this file
 * straight from the formulas in {@link Backend} and the layers' Javadoc:
 * <pre>
 *   numeric_i = (L(θ + h·e_i) − L(θ − h·e_i)) / 2h              h = 2⁻¹⁰ ≈ 1e-3, all in double
 *   error(T)  = max_i |analytic_i − numeric_i| / max_i |numeric_i|     for each tensor T checked
 * </pre>
 * The error is taken relative to the tensor's largest entry, not entry by entry: an entry that
 * is 0 or nearly cancels has no meaningful relative error, while a term scaled by 1 + ε shows
 * up as error(T) = ε. Every entry of every tensor is checked (the shapes are small).
 *
 * <p>Why 1e-6 is attainable:
 * <ul>
 *   <li>In any single entry, every L here is piecewise polynomial of degree ≤ 2 (products of
 *       distinct parameters, ReLU, then Huber or MSE), and on one piece a central difference is
 *       exact: what is left is double rounding, about 1e-16·|L|/h.</li>
 *   <li>Inputs are multiples of 1/32 in [−1, 1] and parameters multiples of 1/32 in [−1/4, 1/4]:
 *       few significant bits, so the float forward and backward passes are exact or nearly so,
 *       and the TD error q − t comes out exact. (With PyTorch's initialisation and U(−1, 1)
 *       inputs, single layers measured up to 2.3e-7 and conv → ReLU → dueling head with Huber
 *       up to 1.9e-6: the float TD error q − t loses bits when q and t are close.) See
 *       {@link #TOL} for the error budget.</li>
 *   <li>The evaluator records which side of its kink every ReLU input and Huber error lies on;
 *       a difference whose ±h step changes any of them throws instead of being compared (the
 *       seeds below were chosen so that none does).</li>
 * </ul>
 *
 * <p>The check is shown to fail for every backward term ({@link
 * #everyBackwardTermHalfAPercentOffFailsTheDoubleCheck}): {@link HalfPercentOff} makes one term
 * 0.5% too large (Linear dW, dx, db; Conv2d dW, dx, db on the four geometries of the conv check;
 * ReLU dx; the dueling head's dV, dA and summed dx; Huber's slope on each branch, MSE's slope,
 * the batch mean's 1/N, the importance weights), {@link HalfPercentOffFlatten} Flatten's dx. The
 * correct code must pass on the same inputs, the broken term must fail in exactly the tensors it
 * feeds and no other, with error(T) = 5.0e-3 where it scales a whole tensor.
 */
class DoubleGradientCheckTest {
    /** The step: a power of two, so θ ± h is exact. */
    private static final double H = 0x1p-10;
    /**
     * The largest accepted error(T). What bounds it is the analytic side, which stays float32: the
     * numeric side is exact up to double rounding (about 1e-16·|L|/h ≈ 1e-13 here). A float
     * backward pass carries 2⁻²⁴ ≈ 6e-8 relative rounding per operation, and a sum of n rounded
     * terms up to n·2⁻²⁴ (√n·2⁻²⁴ typically): a few thousand terms would reach 1e-6 and leave no
     * room. On the 1/32 grid (see the class comment) the products and sums are exact instead, and
     * the only roundings left are single divisions and products: 1/A in the dueling head's mean,
     * 1/N in the losses, the importance weight. Measured on the correct code: 0 (bit for bit) for
     * Linear, Conv2d, ReLU and Flatten; 1.2e-14 and 7.9e-8 for the dueling head with 3 actions (the
     * mean's 1/3 rounds in float, depending on the inputs); up to 5.4e-8 for the losses on
     * batches of 6 and 201, with and without importance weights; 0 for both whole networks. {@link #assertPasses} requires every correct check to stay ≥ {@link #MARGIN}
     * times below TOL, and a term 0.5% off measures 2.8e-3 to 5.0e-3, ≥ 2800 times above it.
     */
    private static final double TOL = 1e-6;
    /** How far below TOL every correct check must stay: the unmutated max error is ≤ TOL / MARGIN. */
    private static final double MARGIN = 10;

    private final Backend be = new ReferenceBackend();

    // ------------------------------------------------------------------ the forward maths, in double

    /** A tensor of doubles: row-major values and a shape (NCHW for images). */
    private record D(double[] v, int... shape) {
        int dim(int i) { return shape[i]; }
    }

    /**
     * One layer's forward function in double, y = f(x; θ), over double copies of its parameters
     * (in the order of {@link Layer#parameters()}). {@code pieces} collects, for every kink the
     * evaluation passes, which side of it the value lies on.
     */
    private record Model(List<double[]> params, BiFunction<D, List<Boolean>, D> f) {
        D apply(D x, List<Boolean> pieces) { return f.apply(x, pieces); }
    }

    private static double[] toDouble(Tensor t) {
        double[] d = new double[t.size()];
        for (int i = 0; i < d.length; i++) d[i] = t.data[i];        // exact: every float is a double
        return d;
    }

    /** The double model of a layer, with its parameters' present values. */
    private static Model mirror(Layer layer) {
        if (layer instanceof Linear l) return linear(toDouble(l.weight().value()), toDouble(l.bias().value()));
        if (layer instanceof Conv2d c) return conv(c, toDouble(c.weight().value()), toDouble(c.bias().value()));
        if (layer instanceof ReLU) return new Model(List.of(), DoubleGradientCheckTest::relu);
        if (layer instanceof Flatten || layer instanceof HalfPercentOffFlatten) return new Model(List.of(), (x, pieces) -> new D(x.v, x.dim(0), x.v.length / x.dim(0)));
        if (layer instanceof Identity) return new Model(List.of(), (x, pieces) -> x);
        if (layer instanceof Sequential s) return chain(s.layers().stream().map(DoubleGradientCheckTest::mirror).toList());
        if (layer instanceof DuelingHead d) {
            // The streams are private; the parameters, in their documented order, are all it takes.
            List<Parameter> p = d.parameters();
            Model relu = new Model(List.of(), DoubleGradientCheckTest::relu);
            return dueling(chain(List.of(linear(toDouble(p.get(0).value()), toDouble(p.get(1).value())), relu,
                                         linear(toDouble(p.get(2).value()), toDouble(p.get(3).value())))),
                           chain(List.of(linear(toDouble(p.get(4).value()), toDouble(p.get(5).value())), relu,
                                         linear(toDouble(p.get(6).value()), toDouble(p.get(7).value())))));
        }
        throw new IllegalArgumentException("no double model for " + layer);
    }

    /** y[n,o] = b[o] + Σ_i x[n,i]·w[o,i]. */
    private static Model linear(double[] w, double[] b) {
        return new Model(List.of(w, b), (x, pieces) -> {
            int n = x.dim(0), in = x.dim(1), out = b.length;
            double[] y = new double[n * out];
            for (int s = 0; s < n; s++)
                for (int o = 0; o < out; o++) {
                    double sum = b[o];
                    for (int i = 0; i < in; i++) sum += x.v[s * in + i] * w[o * in + i];
                    y[s * out + o] = sum;
                }
            return new D(y, n, out);
        });
    }

    /** y[n,o,i,j] = b[o] + Σ_{c,p,q} w[o,c,p,q]·x[n,c, i·s−pad+p, j·s−pad+q], terms in the zero padding skipped. */
    private static Model conv(Conv2d layer, double[] w, double[] b) {
        return new Model(List.of(w, b), (x, pieces) -> {
            Conv2dShape g = layer.shapeFor(x.dim(0), x.dim(2), x.dim(3));
            int N = g.batch(), C = g.inChannels(), H = g.inHeight(), W = g.inWidth(), O = g.outChannels();
            int K = g.kernelH(), s = g.stride(), pad = g.padding(), OH = g.outHeight(), OW = g.outWidth();
            double[] y = new double[N * O * OH * OW];
            for (int n = 0; n < N; n++)
                for (int o = 0; o < O; o++)
                    for (int i = 0; i < OH; i++)
                        for (int j = 0; j < OW; j++) {
                            double sum = b[o];
                            for (int c = 0; c < C; c++)
                                for (int p = 0; p < K; p++)
                                    for (int q = 0; q < K; q++) {
                                        int h = i * s - pad + p, v = j * s - pad + q;
                                        if (h >= 0 && h < H && v >= 0 && v < W)
                                            sum += w[((o * C + c) * K + p) * K + q] * x.v[((n * C + c) * H + h) * W + v];
                                    }
                            y[((n * O + o) * OH + i) * OW + j] = sum;
                        }
            return new D(y, N, O, OH, OW);
        });
    }

    /** y = max(0, x); the kink is at x = 0. */
    private static D relu(D x, List<Boolean> pieces) {
        double[] y = new double[x.v.length];
        for (int i = 0; i < y.length; i++) {
            pieces.add(x.v[i] > 0);
            y[i] = Math.max(0, x.v[i]);
        }
        return new D(y, x.shape);
    }

    /** f_L(… f_1(x)), its parameters those of the layers in order. */
    private static Model chain(List<Model> models) {
        List<double[]> params = new ArrayList<>();
        for (Model m : models) params.addAll(m.params());
        return new Model(params, (x, pieces) -> {
            D h = x;
            for (Model m : models) h = m.apply(h, pieces);
            return h;
        });
    }

    /** Q[n,k] = V[n] + A[n,k] − (1/A) Σ_j A[n,j]  (Wang et al. 2016, eq. 9). */
    private static Model dueling(Model value, Model advantage) {
        List<double[]> params = new ArrayList<>(value.params());
        params.addAll(advantage.params());
        return new Model(params, (x, pieces) -> {
            D v = value.apply(x, pieces), a = advantage.apply(x, pieces);
            int n = a.dim(0), k = a.dim(1);
            double[] q = new double[n * k];
            for (int s = 0; s < n; s++) {
                double mean = 0;
                for (int j = 0; j < k; j++) mean += a.v[s * k + j] / k;
                for (int j = 0; j < k; j++) q[s * k + j] = v.v[s] + a.v[s * k + j] - mean;
            }
            return new D(q, n, k);
        });
    }

    /** y = x, so that the loss checks run through the same harness with q itself as the input. */
    private static final class Identity implements Layer {
        @Override public Tensor forward(Backend be, Tensor x) { return x; }
        @Override public Tensor backward(Backend be, Tensor dy, boolean needInputGrad) { return dy; }
        @Override public List<Parameter> parameters() { return List.of(); }
        @Override public int[] outputShape(int[] in) { return in.clone(); }
    }

    // ------------------------------------------------------------------ the scalar whose gradient is checked

    /** L(y): its value in double, and ∂L/∂y as the project's float code computes it. */
    private record Objective(BiFunction<D, List<Boolean>, Double> value, BiFunction<Backend, Tensor, Tensor> gradient) {}

    /** L = Σ_k y_k·r_k for a fixed r: ∂L/∂y = r, so backward(r) must return ∂L/∂θ and ∂L/∂x. */
    private static Objective projection(Tensor r) {
        return new Objective((y, pieces) -> {
            double sum = 0;
            for (int i = 0; i < y.v.length; i++) sum += y.v[i] * r.data[i];
            return sum;
        }, (be, y) -> r);
    }

    /**
     * L = (1/N) Σ_n ℓ(q[n,a_n] − t_n), with ℓ(e) = e² (MSE) or, for Huber, ½e² when |e| ≤ δ and
     * δ(|e| − ½δ) otherwise (kink at |e| = δ). ∂L/∂q is what {@link Loss#compute} writes.
     */
    private static Objective gathered(Loss loss, int[] actions, Tensor target) {
        return weighted(loss, actions, target, null);
    }

    /**
     * Prioritized replay's loss, L = (1/N) Σ_n w_n·ℓ(q[n,a_n] − t_n) for importance weights w (all 1
     * when null). The losses do not take the weights: the learner multiplies each row of
     * ∂L/∂q by its w_n with {@code scaleRows} after {@link Loss#compute}, and so does this gradient.
     */
    private static Objective weighted(Loss loss, int[] actions, Tensor target, float[] w) {
        return new Objective((q, pieces) -> {
            int n = q.dim(0), a = q.dim(1);
            double total = 0;
            for (int s = 0; s < n; s++) {
                double e = q.v[s * a + actions[s]] - target.data[s], l;
                if (loss instanceof Huber huber) {
                    double d = huber.delta();
                    pieces.add(Math.abs(e) <= d);
                    l = Math.abs(e) <= d ? 0.5 * e * e : d * (Math.abs(e) - 0.5 * d);
                } else {
                    l = e * e;
                }
                total += (w == null ? 1 : w[s]) * l;
            }
            return total / n;
        }, (be, q) -> {
            Tensor dq = Tensor.zerosLike(q);
            loss.compute(be, q, actions, target, dq);
            if (w != null) be.scaleRows(dq, w);
            return dq;
        });
    }

    // ------------------------------------------------------------------ the check

    /** error(T) for every tensor checked ("input", then the parameters by name), and each entry beyond TOL. */
    private record Report(Map<String, Double> errors, List<String> failures) {}

    private static Report check(Backend be, Layer layer, Tensor x, Objective objective) {
        // Analytic: the project's float forward, ∂L/∂y, and the layer's backward.
        List<Parameter> parameters = layer.parameters();
        for (Parameter p : parameters) p.zeroGrad();
        Tensor dx = layer.backward(be, objective.gradient().apply(be, layer.forward(be, x)), true);
        List<String> names = new ArrayList<>(List.of("input"));
        List<float[]> analytic = new ArrayList<>(List.of(dx.data.clone()));
        for (Parameter p : parameters) {
            names.add(p.name());
            analytic.add(p.grad().data.clone());
        }
        // Numeric: central differences of L in double, on exact copies of the same numbers.
        Model model = mirror(layer);
        List<double[]> values = new ArrayList<>(List.of(toDouble(x)));
        values.addAll(model.params());
        for (int t = 0; t < Math.max(values.size(), analytic.size()); t++) {
            if (t >= values.size() || t >= analytic.size() || values.get(t).length != analytic.get(t).length) {
                throw new IllegalStateException("the double model's parameters differ from the layer's");
            }
        }
        Function<List<Boolean>, Double> lossOf = pieces -> objective.value().apply(model.apply(new D(values.get(0), x.shape()), pieces), pieces);
        List<Boolean> basePieces = new ArrayList<>();
        lossOf.apply(basePieces);

        Map<String, Double> errors = new LinkedHashMap<>();
        List<String> failures = new ArrayList<>();
        for (int t = 0; t < values.size(); t++) {
            double[] v = values.get(t);
            double[] numeric = new double[v.length];
            for (int i = 0; i < v.length; i++) {
                double saved = v[i];
                double[] sides = new double[2];
                for (int side = 0; side < 2; side++) {
                    v[i] = side == 0 ? saved + H : saved - H;
                    List<Boolean> pieces = new ArrayList<>();
                    sides[side] = lossOf.apply(pieces);
                    if (!pieces.equals(basePieces)) {
                        throw new IllegalStateException(names.get(t) + "[" + i + "] ± h crosses a ReLU or Huber kink: choose other inputs");
                    }
                }
                v[i] = saved;
                numeric[i] = (sides[0] - sides[1]) / (2 * H);
            }
            double scale = 0, worst = 0;
            for (double d : numeric) scale = Math.max(scale, Math.abs(d));
            if (scale == 0) failures.add(names.get(t) + ": every difference is 0, nothing was checked");
            for (int i = 0; i < v.length; i++) {
                double err = Math.abs(analytic.get(t)[i] - numeric[i]) / scale;
                worst = Math.max(worst, err);
                if (!(err <= TOL)) failures.add(names.get(t) + "[" + i + "]: analytic " + analytic.get(t)[i] + " numeric " + numeric[i]);
            }
            errors.put(names.get(t), worst);
        }
        return new Report(errors, failures);
    }

    private static void assertPasses(Report r) {
        assertTrue(r.failures().isEmpty(), () -> r.failures().size() + " mismatches, first: " + r.failures().get(0) + "; errors " + r.errors());
        double worst = r.errors().values().stream().mapToDouble(Double::doubleValue).max().orElse(0);
        assertTrue(worst <= TOL / MARGIN, () -> "correct, but within a factor " + MARGIN + " of the tolerance: max error " + worst + ", errors " + r.errors());
    }

    // ------------------------------------------------------------------ inputs

    /** Entries k/32 for random integers k with |k/32| ≤ bound: few significant bits, exact in float. */
    private static Tensor gridWithin(Random rng, float bound, int... shape) {
        int max = Math.round(32 * bound);
        Tensor t = Tensor.zeros(shape);
        for (int i = 0; i < t.size(); i++) t.data[i] = (rng.nextInt(2 * max + 1) - max) / 32f;
        return t;
    }

    private static Tensor grid(Random rng, int... shape) { return gridWithin(rng, 1f, shape); }

    /** The layer with every parameter on the grid in [−1/4, 1/4] (the default initialisation is not on a grid). */
    private static <L extends Layer> L onGrid(L layer, Random rng) {
        for (Parameter p : layer.parameters()) p.value().copyFrom(gridWithin(rng, 0.25f, p.value().shape()));
        return layer;
    }

    // ------------------------------------------------------------------ layers

    @Test
    void linearGradientsMatchDoubleDifferences() {
        Random rng = new Random(1);
        Linear layer = onGrid(new Linear(7, 5, rng), rng);
        Report r = check(be, layer, grid(rng, 3, 7), projection(grid(rng, 3, 5)));
        assertPasses(r);
        assertEquals(List.of("input", "weight", "bias"), List.copyOf(r.errors().keySet()));
    }

    @ParameterizedTest(name = "[{0},{1},{2},{3}] -> {4} k{5} s{6} p{7}")
    @CsvSource({
            "2, 3, 7, 6, 4, 3, 2, 1",     // odd sizes, stride and padding
            "1, 2, 5, 5, 3, 3, 1, 0",     // stride 1, no padding
            "2, 2, 9, 9, 3, 4, 2, 0",     // Nature conv2-like geometry
            "1, 1, 4, 4, 2, 2, 3, 2",     // padding larger than stride overlap
    })
    void conv2dGradientsMatchDoubleDifferences(int n, int c, int h, int w, int o, int k, int s, int p) {
        Random rng = new Random(2);
        Conv2d layer = onGrid(new Conv2d(c, o, k, s, p, rng), rng);
        Tensor x = grid(rng, n, c, h, w);
        assertPasses(check(be, layer, x, projection(grid(rng, layer.outputShape(x.shape())))));
    }

    @Test
    void reluGradientMatchesDoubleDifferences() {
        Random rng = new Random(3);
        Tensor x = grid(rng, 2, 3, 4, 5);
        for (int i = 0; i < x.size(); i++) if (Math.abs(x.data[i]) < 1 / 16f) x.data[i] = i % 2 == 0 ? 0.5f : -0.5f;  // off the kink
        assertPasses(check(be, new ReLU(), x, projection(grid(rng, 2, 3, 4, 5))));
    }

    @Test
    void flattenGradientMatchesDoubleDifferences() {
        Random rng = new Random(4);
        assertPasses(check(be, new Flatten(), grid(rng, 2, 3, 2, 2), projection(grid(rng, 2, 12))));
    }

    @Test
    void duelingHeadGradientsMatchDoubleDifferences() {
        Random rng = new Random(5);
        DuelingHead head = onGrid(new DuelingHead(5, 4, 3, rng), rng);
        Report r = check(be, head, grid(rng, 2, 5), projection(grid(rng, 2, 3)));
        assertPasses(r);
        assertEquals(9, r.errors().size(), "the input and all 8 parameters of the two streams");
    }

    // ------------------------------------------------------------------ losses and whole networks

    /** The TD errors e_n, in turn: on both sides of δ = 1 and of δ = 2 (and far from both). */
    private static final float[] TD_ERRORS = {5 / 16f, -9 / 16f, 5 / 2f, -3f, 1 / 8f, 7 / 4f};

    /** Targets t_n = q[n,a_n] − e_n with e_n = TD_ERRORS[n mod 6] (exact in float: q is on the 1/32 grid). */
    private static Tensor targets(Tensor q, int[] actions) {
        Tensor t = Tensor.zeros(q.dim(0));
        for (int n = 0; n < t.size(); n++) t.data[n] = q.data[n * q.dim(1) + actions[n]] - TD_ERRORS[n % TD_ERRORS.length];
        return t;
    }

    private static Loss loss(String name) { return name.equals("huber") ? new Huber() : name.equals("huber2") ? new Huber(2f) : new Mse(); }

    @ParameterizedTest
    @CsvSource({"huber", "huber2", "mse"})
    void lossGradientThroughTheGatheredActionsMatchesDoubleDifferences(String name) {
        Random rng = new Random(6);
        Tensor q = grid(rng, 6, 4);
        int[] actions = {0, 3, 1, 1, 2, 0};
        assertPasses(check(be, new Identity(), q, gathered(loss(name), actions, targets(q, actions))));
    }

    @ParameterizedTest
    @CsvSource({"linear, huber", "linear, mse", "dueling, huber", "dueling, mse"})
    void aWholeNetworkMatchesDoubleDifferencesEndToEnd(String head, String lossName) {
        Random rng = new Random(7);
        // conv 3x3 stride 2 padding 1: [4,2,6,6] -> [4,3,3,3] -> ReLU -> 27 features -> 4 Q-values
        Sequential net = onGrid(new Sequential(new Conv2d(2, 3, 3, 2, 1, rng), new ReLU(), new Flatten(),
                head.equals("linear") ? new Linear(27, 4, rng) : new DuelingHead(27, 5, 4, rng)), rng);
        Tensor x = grid(rng, 4, 2, 6, 6);
        int[] actions = {2, 0, 1, 3};
        Report r = check(be, net, x, gathered(loss(lossName), actions, targets(net.forward(be, x), actions)));
        assertPasses(r);
        assertEquals(net.parameters().size() + 1, r.errors().size());
    }

    // ------------------------------------------------------------------ the check sees 0.5%, in every backward term

    /**
     * The reference backend with one backward term 0.5% off. Every term the layers and losses
     * compute goes through one backend op (or, for the dueling head's recombination, through the
     * host hand-over it announces with {@code toHost}/{@code hostWrote}), so overriding that op
     * breaks exactly that term and nothing else; the forward passes are untouched.
     */
    private static final class HalfPercentOff extends ReferenceBackend {
        private static final float FACTOR = 1.005f;
        private final String term;
        private Tensor lastToHost;
        private int recombination;          // the dueling head's backward: 0 before dV, 1 after dV, 2 after dA

        HalfPercentOff(String term) { this.term = term; }

        @Override
        public void gemm(boolean transA, boolean transB, float alpha, Tensor a, Tensor b, float beta, Tensor c) {
            // Linear's dW += dyᵀ·x is its only product with A transposed, its dx = dy·w the only one with
            // neither transposed (the forward is x·wᵀ).
            boolean off = term.equals("linear-weight") && transA || term.equals("linear-input") && !transA && !transB;
            super.gemm(transA, transB, off ? FACTOR * alpha : alpha, a, b, beta, c);
        }

        @Override
        public void sumRowsInto(Tensor dy, Tensor db) {
            if (!term.equals("linear-bias")) {
                super.sumRowsInto(dy, db);
                return;
            }
            Tensor right = Tensor.zerosLike(db);                              // db += 1.005 · Σ_n dy
            super.sumRowsInto(dy, right);
            for (int i = 0; i < db.size(); i++) db.data[i] += FACTOR * right.data[i];
        }

        @Override
        public void conv2dBackwardWeights(Conv2dShape g, Tensor x, Tensor dy, Tensor dw, Tensor db) {
            if (!term.equals("conv-weight") && !term.equals("conv-bias")) {
                super.conv2dBackwardWeights(g, x, dy, dw, db);
                return;
            }
            Tensor rightW = Tensor.zerosLike(dw), rightB = Tensor.zerosLike(db);
            super.conv2dBackwardWeights(g, x, dy, rightW, rightB);
            float fw = term.equals("conv-weight") ? FACTOR : 1f, fb = term.equals("conv-bias") ? FACTOR : 1f;
            for (int i = 0; i < dw.size(); i++) dw.data[i] += fw * rightW.data[i];   // dw += (1.005) · Σ dy·x
            for (int i = 0; i < db.size(); i++) db.data[i] += fb * rightB.data[i];   // db += (1.005) · Σ dy
        }

        @Override
        public void conv2dBackwardData(Conv2dShape g, Tensor dy, Tensor w, Tensor dx) {
            super.conv2dBackwardData(g, dy, w, dx);
            if (term.equals("conv-input")) super.scale(dx, FACTOR);                  // dx = 1.005 · Σ dy·w
        }

        @Override
        public void reluBackward(Tensor y, Tensor dy, Tensor dx) {
            super.reluBackward(y, dy, dx);
            if (term.equals("relu")) super.scale(dx, FACTOR);                        // dx = 1.005 · dy · 1[y > 0]
        }

        // The dueling head's backward reads dQ (toHost), writes dV [N,1], then dA [N,A], and after both
        // streams' backward passes the summed dx (hostWrote each time): the protocol a device backend
        // relies on. Its forward writes only Q [N,A] (A > 1), after reading V [N,1] and A.
        @Override
        public void toHost(Tensor t) { lastToHost = t; }

        @Override
        public void hostWrote(Tensor t) {
            if (recombination == 0 && t.rank() == 2 && t.dim(1) == 1 && lastToHost != null && lastToHost.dim(1) > 1) {
                if (term.equals("dueling-value")) super.scale(t, FACTOR);            // dV = 1.005 · Σ_k dQ
                recombination = 1;
            } else if (recombination == 1) {
                if (term.equals("dueling-advantage")) super.scale(t, FACTOR);        // dA = 1.005 · (dQ − mean_k dQ)
                recombination = 2;
            } else if (recombination == 2) {
                if (term.equals("dueling-input")) super.scale(t, FACTOR);            // dx = 1.005 · (dx_V + dx_A)
                recombination = 0;
            }
        }

        @Override
        public float gatheredLoss(LossKind kind, float delta, Tensor q, int[] actions, Tensor target, Tensor dq) {
            float loss = super.gatheredLoss(kind, delta, q, actions, target, dq);
            int n = q.dim(0), a = q.dim(1);
            for (int s = 0; s < n; s++) {
                int i = s * a + actions[s];
                boolean quadratic = Math.abs(q.data[i] - target.data[s]) <= delta;
                boolean off = switch (term) {
                    case "huber-quadratic" -> kind == LossKind.HUBER && quadratic;     // e/N → 1.005·e/N
                    case "huber-linear" -> kind == LossKind.HUBER && !quadratic;       // δ·sign(e)/N → 1.005·…
                    case "mse" -> kind == LossKind.MSE;                                // 2e/N → 2.01e/N
                    default -> false;
                };
                if (off) dq.data[i] *= FACTOR;
                if (term.equals("batch-mean")) dq.data[i] = dq.data[i] * n / (n - 1);  // ℓ'/(N − 1): 0.5% at N = 201
            }
            return loss;
        }

        @Override
        public void scaleRows(Tensor t, float[] w) {
            super.scaleRows(t, w);
            if (term.equals("importance-weights")) super.scale(t, FACTOR);           // dq[n,·] *= 1.005·w_n
        }
    }

    /** Flatten's backward is a reshape with no backend op in it; this one hands back 1.005·dy. */
    private static final class HalfPercentOffFlatten implements Layer {
        private final Flatten flatten = new Flatten();

        @Override public Tensor forward(Backend be, Tensor x) { return flatten.forward(be, x); }

        @Override
        public Tensor backward(Backend be, Tensor dy, boolean needInputGrad) {
            Tensor dx = flatten.backward(be, dy, needInputGrad).copy();
            be.scale(dx, HalfPercentOff.FACTOR);
            return dx;
        }

        @Override public List<Parameter> parameters() { return List.of(); }
        @Override public int[] outputShape(int[] in) { return flatten.outputShape(in); }
    }

    /** A layer, its input and objective, and the layer to use with the broken backend (itself, except for Flatten). */
    private record Case(Layer layer, Layer broken, Tensor x, Objective objective) {}

    /** A batch of 201 = 1 + 200 samples, so that dividing by N − 1 instead of N is 0.5% off. */
    private static final int LOSS_BATCH = 201;

    private static Case caseFor(String term, String variant) {
        Random rng = new Random(8);
        if (term.startsWith("linear")) {
            Linear layer = onGrid(new Linear(7, 5, rng), rng);
            return layerCase(layer, grid(rng, 3, 7), rng);
        }
        if (term.startsWith("conv")) {
            int[] g = Arrays.stream(variant.trim().split(" +")).mapToInt(Integer::parseInt).toArray();   // n c h w o k s p
            Conv2d layer = onGrid(new Conv2d(g[1], g[4], g[5], g[6], g[7], rng), rng);
            return layerCase(layer, grid(rng, g[0], g[1], g[2], g[3]), rng);
        }
        if (term.equals("relu")) {
            Tensor x = grid(rng, 2, 3, 4, 5);
            for (int i = 0; i < x.size(); i++) if (Math.abs(x.data[i]) < 1 / 16f) x.data[i] = i % 2 == 0 ? 0.5f : -0.5f;
            return layerCase(new ReLU(), x, rng);
        }
        if (term.equals("flatten")) {
            Tensor x = grid(rng, 2, 3, 2, 2);
            Objective objective = projection(grid(rng, 2, 12));
            return new Case(new Flatten(), new HalfPercentOffFlatten(), x, objective);
        }
        if (term.startsWith("dueling")) {
            return layerCase(onGrid(new DuelingHead(5, 4, 3, rng), rng), grid(rng, 2, 5), rng);
        }
        // The losses: ∂L/∂q for q itself (the Identity layer), on a batch of 201 with 4 actions.
        Tensor q = grid(rng, LOSS_BATCH, 4);
        int[] actions = new int[LOSS_BATCH];
        for (int s = 0; s < LOSS_BATCH; s++) actions[s] = rng.nextInt(4);
        Tensor target = targets(q, actions);
        Loss loss = loss(variant.trim());
        if (!term.equals("importance-weights")) return new Case(new Identity(), new Identity(), q, gathered(loss, actions, target));
        float[] w = new float[LOSS_BATCH];
        for (int s = 0; s < LOSS_BATCH; s++) w[s] = (1 + rng.nextInt(16)) / 16f;           // in (0, 1], exact in float
        return new Case(new Identity(), new Identity(), q, weighted(loss, actions, target, w));
    }

    private static Case layerCase(Layer layer, Tensor x, Random rng) {
        return new Case(layer, layer, x, projection(grid(rng, layer.outputShape(x.shape()))));
    }

    /** The tensors a 0.5% error in {@code term} must show up in (and no other). */
    private static boolean shouldFail(String term, String tensor) {
        return switch (term) {
            case "linear-weight", "conv-weight" -> tensor.equals("weight");
            case "linear-bias", "conv-bias" -> tensor.equals("bias");
            case "dueling-value" -> tensor.equals("input") || tensor.startsWith("value.");
            case "dueling-advantage" -> tensor.equals("input") || tensor.startsWith("advantage.");
            default -> tensor.equals("input");            // every other term is ∂L/∂x (or ∂L/∂q for the losses)
        };
    }

    /** The terms whose mutation scales a whole tensor's gradient by 1.005, so that error(T) must be 0.005. */
    private static boolean scalesAWholeTensor(String term) {
        return !term.startsWith("huber") && !term.equals("dueling-value") && !term.equals("dueling-advantage");
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({
            "linear-weight, ''", "linear-input, ''", "linear-bias, ''",
            // every conv term on each geometry of conv2dGradientsMatchDoubleDifferences: n c h w o k s p
            "conv-weight, 2 3 7 6 4 3 2 1", "conv-input, 2 3 7 6 4 3 2 1", "conv-bias, 2 3 7 6 4 3 2 1",
            "conv-weight, 1 2 5 5 3 3 1 0", "conv-input, 1 2 5 5 3 3 1 0", "conv-bias, 1 2 5 5 3 3 1 0",
            "conv-weight, 2 2 9 9 3 4 2 0", "conv-input, 2 2 9 9 3 4 2 0", "conv-bias, 2 2 9 9 3 4 2 0",
            "conv-weight, 1 1 4 4 2 2 3 2", "conv-input, 1 1 4 4 2 2 3 2", "conv-bias, 1 1 4 4 2 2 3 2",
            "relu, ''", "flatten, ''",
            "dueling-value, ''", "dueling-advantage, ''", "dueling-input, ''",
            "huber-quadratic, huber", "huber-linear, huber", "huber-quadratic, huber2", "huber-linear, huber2",
            "mse, mse", "batch-mean, huber", "batch-mean, mse", "importance-weights, huber", "importance-weights, mse",
    })
    void everyBackwardTermHalfAPercentOffFailsTheDoubleCheck(String term, String variant) {
        Case c = caseFor(term, variant);
        Report right = check(new ReferenceBackend(), c.layer(), c.x(), c.objective());
        assertPasses(right);
        double rightWorst = right.errors().values().stream().mapToDouble(Double::doubleValue).max().orElseThrow();

        Report r = check(new HalfPercentOff(term), c.broken(), c.x(), c.objective());
        List<String> failing = r.errors().entrySet().stream().filter(e -> !(e.getValue() <= TOL)).map(Map.Entry::getKey).toList();
        List<String> expected = r.errors().keySet().stream().filter(t -> shouldFail(term, t)).toList();
        assertFalse(expected.isEmpty(), () -> term + ": no tensor to check in " + r.errors().keySet());
        assertEquals(expected, failing, () -> term + ": the tensors 0.5% off; errors " + r.errors());
        double brokenWorst = r.errors().values().stream().mapToDouble(Double::doubleValue).max().orElseThrow();
        // A margin of 1000 at least: the smallest error a broken term shows is Huber's quadratic branch,
        // whose largest |e| lies below the largest gradient δ: 0.5%·(9/16)/1 ≈ 2.8e-3, 0.5%·(7/4)/2 ≈ 4.4e-3 with δ = 2.
        assertTrue(brokenWorst >= 1000 * TOL, () -> term + ": error " + brokenWorst + " is within 1000x of the tolerance " + TOL);
        if (scalesAWholeTensor(term)) {
            for (String t : expected) assertEquals(0.005, r.errors().get(t), 1e-4, () -> term + ": " + t + " 0.5% off, errors " + r.errors());
        }
        if (term.startsWith("huber")) {                 // only the entries of the broken branch fail
            Loss huber = loss(variant.trim());
            float delta = ((Huber) huber).delta();
            boolean quadratic = term.equals("huber-quadratic");
            for (String f : r.failures()) {
                int sample = Integer.parseInt(f.substring("input[".length(), f.indexOf(']'))) / c.x().dim(1);
                float e = TD_ERRORS[sample % TD_ERRORS.length];
                assertEquals(quadratic, Math.abs(e) <= delta, () -> term + " failed on the other branch: " + f);
            }
        }
        System.out.printf("DoubleGradientCheck %-18s %-16s unmutated %.1e  mutated %.1e  tolerance %.0e%n",
                term, variant, rightWorst, brokenWorst, TOL);
    }

    @ParameterizedTest
    @CsvSource({"linear-weight, ''", "linear-input, ''", "linear-bias, ''",
            "conv-weight, 2 3 7 6 4 3 2 1", "conv-input, 2 3 7 6 4 3 2 1", "conv-bias, 2 3 7 6 4 3 2 1",
            "conv-weight, 1 2 5 5 3 3 1 0", "conv-input, 1 2 5 5 3 3 1 0", "conv-bias, 1 2 5 5 3 3 1 0",
            "conv-weight, 2 2 9 9 3 4 2 0", "conv-input, 2 2 9 9 3 4 2 0", "conv-bias, 2 2 9 9 3 4 2 0",
            "conv-weight, 1 1 4 4 2 2 3 2", "conv-input, 1 1 4 4 2 2 3 2", "conv-bias, 1 1 4 4 2 2 3 2",
            "relu, ''", "flatten, ''", "dueling-value, ''", "dueling-advantage, ''", "dueling-input, ''"})
    void theFloatCheckLetsTheSameHalfPercentErrorThrough(String term, String variant) {
        // GradientCheckTest's float check (h = 1e-2, |a − n| ≤ 1e-2·max(|a|,|n|) + 1e-3) passes every
        // broken layer term; on the Linear and first conv cases it let a factor of 1.01 through too and
        // first caught 1.015. (The losses' float check is LossTest's, with its own harness.)
        Case c = caseFor(term, variant);
        assertTrue(GradientCheck.standard().check(new ReferenceBackend(), c.layer(), c.x(), 9).isEmpty());
        assertTrue(GradientCheck.standard().check(new HalfPercentOff(term), c.broken(), c.x(), 9).isEmpty(),
                "the float check was expected to miss a 0.5% error");
    }
}
