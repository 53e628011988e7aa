package dqnengine.bench;

import dqnengine.backend.Backend;
import dqnengine.backend.Conv2dShape;
import dqnengine.backend.LossKind;
import dqnengine.backend.cpu.ReferenceBackend;
import dqnengine.loss.Huber;
import dqnengine.nn.Conv2d;
import dqnengine.nn.Flatten;
import dqnengine.nn.Linear;
import dqnengine.nn.Networks;
import dqnengine.nn.Parameter;
import dqnengine.nn.Sequential;
import dqnengine.optim.Adam;
import dqnengine.optim.RmsProp;
import dqnengine.tensor.Tensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * The parity checks: every op of {@link Backend}, and a whole Nature train step, on a backend
 * under test compared with {@link ReferenceBackend} on the same inputs. One copy of the cases and
 * the tolerances, run in two places: the JUnit suite ({@code BackendParityTest}, one test method
 * per check, named as here) and the GPU check's runner ({@code dqnengine.bench.OpenClParityCheck}),
 * which has no JUnit on the machine it runs on. A difference is thrown as an
 * {@link AssertionError}, which JUnit reports as a failed test and the runner as a failed case.
 *
 * <p>Tolerance: sums are taken in a different order, so results differ by float rounding. A
 * result passes when max |fast − reference| ≤ {@value #TOLERANCE} · max |reference| over the
 * tensor (a relative error in the norm sense; per-element relative error is meaningless for
 * entries that are sums cancelling to near zero). Element-wise ops that involve no sum must agree
 * exactly.
 */
public final class BackendParity {
    private BackendParity() {}

    /** The relative norm tolerance of results that are sums. */
    public static final double TOLERANCE = 2e-5;

    /** A tensor of the given shape with entries ~ U(-1, 1). */
    public static Tensor uniform(Random rng, int... shape) {
        Tensor t = Tensor.zeros(shape);
        for (int i = 0; i < t.size(); i++) t.data[i] = rng.nextFloat() * 2f - 1f;
        return t;
    }

    /** Throws unless max |actual − expected| ≤ {@code tol} · max |expected| (NaN never passes). */
    public static void assertNormClose(Tensor expected, Tensor actual, double tol, String what) {
        if (!expected.sameShape(actual)) throw new AssertionError(what + ": shape " + actual.shapeString() + " != " + expected.shapeString());
        double maxAbs = 0, maxErr = 0;
        int worst = -1;
        for (int i = 0; i < expected.size(); i++) {
            maxAbs = Math.max(maxAbs, Math.abs(expected.data[i]));
            double err = Math.abs((double) expected.data[i] - actual.data[i]);
            if (!(err <= maxErr)) {           // also catches NaN
                maxErr = err;
                worst = i;
            }
        }
        if (!(maxErr <= tol * Math.max(maxAbs, 1e-30))) {
            throw new AssertionError(what + ": max error " + maxErr + " at " + worst + " (expected " + expected.data[worst] + ", got "
                    + actual.data[worst] + "), max |expected| " + maxAbs);
        }
    }

    private static void assertClose(Tensor expected, Tensor actual, String what) {
        assertNormClose(expected, actual, TOLERANCE, what);
    }

    private static void assertExact(float[] expected, float[] actual, String what) {
        if (Arrays.equals(expected, actual)) return;
        int i = Arrays.mismatch(expected, actual);
        throw new AssertionError(what + ": element " + i + " expected " + (i < expected.length ? expected[i] : "none")
                + ", got " + (i < actual.length ? actual[i] : "none"));
    }

    private static void assertExact(int[] expected, int[] actual, String what) {
        if (!Arrays.equals(expected, actual)) throw new AssertionError(what + ": expected " + Arrays.toString(expected) + ", got " + Arrays.toString(actual));
    }

    private static void assertWithin(double expected, double actual, double delta, String what) {
        if (!(Math.abs(expected - actual) <= delta)) throw new AssertionError(what + ": expected " + expected + ", got " + actual + " (within " + delta + ")");
    }

    // ---- the cases -------------------------------------------------------------------------------

    /** C = alpha · op(A) · op(B) + beta · C with op(A) m×k and op(B) k×n. */
    public record GemmCase(boolean transA, boolean transB, int m, int n, int k) {
        @Override public String toString() { return "transA=" + transA + " transB=" + transB + " m=" + m + " n=" + n + " k=" + k; }
    }

    /** Odd shapes, a long k, the Nature network's products (forward, both gradients, batch 1 and 32), ragged blocks. */
    public static final List<GemmCase> GEMM_CASES = List.of(
            new GemmCase(false, false, 1, 1, 1), new GemmCase(false, false, 5, 7, 3), new GemmCase(false, true, 6, 25, 9),
            new GemmCase(true, false, 3, 48, 5), new GemmCase(true, true, 7, 23, 6), new GemmCase(false, false, 33, 50, 300),
            new GemmCase(true, true, 9, 49, 513), new GemmCase(false, true, 32, 512, 3136), new GemmCase(false, true, 1, 512, 3136),
            new GemmCase(false, true, 7, 50, 100), new GemmCase(false, true, 64, 31, 47), new GemmCase(false, true, 65, 30, 40),
            new GemmCase(true, false, 512, 3136, 32), new GemmCase(false, false, 32, 3136, 512), new GemmCase(false, true, 32, 6, 512),
            // ragged against 64x64 blocks and 16-deep tiles in every direction and transpose, and one exact block
            new GemmCase(false, false, 100, 130, 37), new GemmCase(true, true, 70, 129, 50), new GemmCase(true, false, 129, 65, 17),
            new GemmCase(false, true, 64, 64, 16),
            // one block of k over many panels (the CPU backend's grouped panels), ragged rows and last panel
            new GemmCase(true, false, 37, 1111, 29), new GemmCase(false, true, 37, 1111, 29),
            // a short A times a B that fits in cache (the CPU backend's streamed products): MinAtar's dX, ragged rows, 64 rows
            new GemmCase(false, false, 32, 1024, 128), new GemmCase(false, false, 13, 64, 17), new GemmCase(false, false, 64, 96, 40),
            // a batch times a B past the cache, read row by row (OuterProductGemm; the Nature dX above): k short of a whole
            // group, an odd column count; and with 64 rows (the packed GEMM)
            new GemmCase(false, false, 32, 2051, 131), new GemmCase(false, false, 64, 2051, 131),
            // A·Bᵀ with A's rows as the lanes (BroadcastGemm): MinAtar's forward pass, and a last tile of one row of B
            new GemmCase(false, true, 32, 128, 1024), new GemmCase(false, true, 32, 13, 200),
            new GemmCase(false, true, 63, 20, 100));                    // 63 rows: the dot products' largest

    /** A convolution [n, c, h, w] → o channels, a k×k kernel, stride s, padding p; {@code note} says what it covers. */
    public record ConvCase(int n, int c, int h, int w, int o, int k, int s, int p, String note) {
        @Override public String toString() { return "[" + n + "," + c + "," + h + "," + w + "] -> " + o + " k" + k + " s" + s + " p" + p; }
    }

    public static final List<ConvCase> CONV_CASES = List.of(
            new ConvCase(1, 1, 3, 3, 1, 2, 2, 1, "the smallest, padded"),
            new ConvCase(2, 3, 7, 6, 5, 3, 2, 1, "odd sizes, padded"),
            new ConvCase(3, 2, 11, 9, 7, 3, 1, 2, "padding wider than the stride"),
            new ConvCase(2, 5, 13, 17, 6, 5, 3, 0, "stride 3"),
            new ConvCase(2, 3, 11, 10, 32, 3, 2, 0, "direct path: 32 channels, 40 pixels (ragged tile)"),
            new ConvCase(1, 2, 6, 7, 64, 2, 1, 0, "direct path: two channel blocks"),
            new ConvCase(2, 4, 9, 9, 16, 2, 2, 0, "direct input gradient with 256-bit vectors: 16 taps, 16 pixels per image (ragged tile)"),
            new ConvCase(2, 8, 9, 9, 32, 2, 2, 0, "direct paths with 512-bit vectors too: 32 channels, 32 taps, ragged tiles"),
            new ConvCase(6, 8, 6, 6, 32, 2, 1, 0, "direct input gradient: 6 images in tasks of 4 and 2, 25 pixels each, tiles across images"),
            new ConvCase(3, 4, 10, 10, 16, 3, 1, 0, "MinAtar's conv: 16 channels, the one-vector kernel with 512-bit vectors"),
            new ConvCase(2, 3, 8, 7, 48, 2, 1, 0, "48 channels: one full and one half block with 512-bit vectors"),
            new ConvCase(2, 3, 8, 7, 8, 2, 1, 0, "8 channels: half a block with 256-bit vectors"),
            new ConvCase(3, 9, 13, 11, 33, 4, 2, 1, "implicit GEMM: 33 channels (one past a 32-row tile), depth 144 and 33 gradient rows past a 128-column tile, 4 stride phases"),
            new ConvCase(2, 3, 44, 44, 32, 8, 4, 0, "conv1's kind, 3 channels: Winograd F(2x2, 2x2) forward (the run kernel's rows of 10 at batch 1)"),
            new ConvCase(1, 2, 44, 44, 48, 8, 4, 0, "the run kernel with one full and one half block (512-bit)"),
            new ConvCase(4, 4, 84, 84, 32, 8, 4, 0, "Nature conv1 (forward by Winograd F(2x2, 2x2))"),
            new ConvCase(1, 4, 84, 84, 32, 8, 4, 0, "Nature conv1 at batch 1 (acting): the direct run kernel, not Winograd"),
            new ConvCase(3, 3, 11, 15, 32, 4, 2, 0, "Winograd F(2x2, 2x2): 3 images in tasks of 2 and 1, a ragged group of the 12-row kernel, a row and a column past the last tile"),
            new ConvCase(2, 5, 7, 9, 64, 2, 1, 0, "Winograd F(2x2, 2x2) at stride 1: two channel blocks with 512-bit vectors, 5 phase channels"),
            new ConvCase(2, 32, 21, 20, 32, 4, 2, 0, "input gradient by rows of dx (512-bit): a last row that no tap reaches"),
            new ConvCase(1, 64, 8, 18, 32, 2, 2, 0, "input gradient by rows of dx (512-bit): two channel blocks, runs of 9 through dy"),
            new ConvCase(4, 32, 20, 20, 64, 4, 2, 0, "Nature conv2"),
            new ConvCase(4, 64, 9, 9, 64, 3, 1, 0, "Nature conv3"),
            new ConvCase(32, 64, 9, 9, 64, 3, 1, 0, "Nature conv3 at the training batch"));

    /** An optimizer update in one of the forms a preset or a flag can select. */
    public record OptimizerCase(String kind, boolean centred, boolean epsInsideSqrt, float momentum) {
        @Override public String toString() { return kind + " centred=" + centred + " epsInsideSqrt=" + epsInsideSqrt + " momentum=" + momentum; }
    }

    public static final List<OptimizerCase> OPTIMIZER_CASES = List.of(
            new OptimizerCase("adam", false, false, 0),
            new OptimizerCase("rmsprop", false, false, 0),       // PyTorch's RMSprop defaults
            new OptimizerCase("rmsprop", true, false, 0),        // rmsprop-centered (the minatar preset)
            new OptimizerCase("rmsprop", true, true, 0),         // rmsprop-nature
            new OptimizerCase("rmsprop", false, true, 0),
            new OptimizerCase("rmsprop", false, false, 0.9f),
            new OptimizerCase("rmsprop", true, false, 0.9f),
            new OptimizerCase("rmsprop", true, true, 0.9f),
            new OptimizerCase("sgd", false, false, 0),           // --optimizer sgd
            new OptimizerCase("sgd", false, false, 0.9f));

    /** Which check compares each op of {@link Backend} with the reference (the residency defaults are OpenClTrainStepTest's). */
    public static final Map<String, String> OP_CHECKS = Map.ofEntries(
            Map.entry("gemm", "gemmEqualsReference"),
            Map.entry("addRowBias", "elementwiseOpsEqualReference"),
            Map.entry("sumRowsInto", "elementwiseOpsEqualReference"),
            Map.entry("conv2dForward", "convolutionEqualsReference"),
            Map.entry("conv2dForwardRelu", "convolutionEqualsReference"),
            Map.entry("conv2dBackwardData", "convolutionEqualsReference"),
            Map.entry("conv2dBackwardDataRelu", "convolutionEqualsReference"),
            Map.entry("conv2dBackwardWeights", "convolutionEqualsReference"),
            Map.entry("reluForward", "elementwiseOpsEqualReference"),
            Map.entry("reluBackward", "elementwiseOpsEqualReference"),
            Map.entry("gatheredLoss", "gatheredLossEqualsReference"),
            Map.entry("rowMax", "elementwiseOpsEqualReference"),
            Map.entry("tdTarget", "tdTargetsEqualReference"),
            Map.entry("u8ToFloat", "u8ToFloatEqualsReference"),
            Map.entry("sumOfSquares", "elementwiseOpsEqualReference"),
            Map.entry("scale", "scaleEqualsReference"),
            Map.entry("scaleRows", "scaleRowsEqualsReference"),
            Map.entry("copy", "copyEqualsReference"),
            Map.entry("fill", "fillEqualsReference"),
            Map.entry("adamUpdate", "optimizerUpdatesEqualReference"),
            Map.entry("rmsPropUpdate", "optimizerUpdatesEqualReference"),
            Map.entry("sgdUpdate", "optimizerUpdatesEqualReference"));

    /**
     * One case of one check: {@code run.accept(reference, fast)} returns when they agree and throws
     * an {@link AssertionError} that says where they differ.
     */
    public record Case(String check, String label, BiConsumer<Backend, Backend> run) {}

    /** A {@link ConvCase} whose x (and dx) is pixel-major where {@code in}, whose y (and dy) is where {@code out} (see {@link Conv2dShape}). */
    public record LayoutCase(ConvCase conv, boolean in, boolean out) {
        @Override public String toString() { return conv + (in ? " x pixel-major" : "") + (out ? " y pixel-major" : ""); }
    }

    public static final List<LayoutCase> LAYOUT_CASES = List.of(
            new LayoutCase(new ConvCase(4, 4, 84, 84, 32, 8, 4, 0, "Nature conv1: Winograd F(2x2, 2x2) forward and weight gradient"), false, true),
            new LayoutCase(new ConvCase(1, 4, 84, 84, 32, 8, 4, 0, "Nature conv1 at batch 1 (acting): the direct run kernel writing pixels"), false, true),
            new LayoutCase(new ConvCase(2, 5, 7, 9, 64, 2, 1, 0, "Winograd F(2x2, 2x2) at stride 1: two blocks with 512-bit vectors, ragged groups of 5 phase channels"), false, true),
            new LayoutCase(new ConvCase(2, 16, 20, 20, 64, 4, 2, 0, "conv2's kind, dy pixel-major: the F(2, 3) weight gradient with two blocks"), true, true),
            new LayoutCase(new ConvCase(4, 32, 20, 20, 64, 4, 2, 0, "Nature conv2"), true, false),
            new LayoutCase(new ConvCase(2, 8, 9, 9, 32, 2, 2, 0, "ragged tiles, both layouts"), true, true),
            new LayoutCase(new ConvCase(2, 8, 9, 9, 32, 2, 2, 0, "ragged tiles"), false, true),
            new LayoutCase(new ConvCase(2, 3, 8, 7, 48, 2, 1, 0, "one full and one half block"), true, true),
            new LayoutCase(new ConvCase(3, 4, 10, 10, 16, 3, 1, 0, "MinAtar's conv, 16 channels"), true, true),
            new LayoutCase(new ConvCase(2, 3, 7, 6, 5, 3, 2, 1, "padded: no direct path"), true, true),
            new LayoutCase(new ConvCase(2, 32, 22, 38, 32, 4, 2, 0, "conv2's kind, 10 x 18 out: the direct runs of 9 pixels 64 apart, not Winograd"), true, false),
            new LayoutCase(new ConvCase(2, 16, 20, 20, 32, 4, 2, 0, "Winograd with a pixel-major y"), true, true),
            new LayoutCase(new ConvCase(3, 3, 11, 15, 32, 4, 2, 0, "Winograd F(2x2, 2x2) with a pixel-major y"), false, true),
            new LayoutCase(new ConvCase(1, 64, 8, 18, 32, 2, 2, 0, "input gradient by rows of dx: two channel blocks"), true, false),
            new LayoutCase(new ConvCase(2, 32, 21, 20, 32, 4, 2, 0, "input gradient by rows of dx: a last row no tap reaches"), true, false),
            new LayoutCase(new ConvCase(2, 64, 9, 9, 64, 3, 1, 0, "Nature conv3's shape, x pixel-major"), true, false));

    /** Every case of every check, in the order the runner reports them. */
    public static List<Case> cases() {
        List<Case> all = new ArrayList<>();
        for (GemmCase c : GEMM_CASES) all.add(new Case("gemmEqualsReference", c.toString(), (ref, fast) -> gemm(ref, fast, c)));
        for (ConvCase c : CONV_CASES) all.add(new Case("convolutionEqualsReference", c.toString(), (ref, fast) -> convolution(ref, fast, c)));
        for (LayoutCase c : LAYOUT_CASES) {
            all.add(new Case("pixelMajorConvolutionEqualsReference", c.toString(), (ref, fast) -> pixelMajorConvolution(ref, fast, c)));
        }
        all.add(new Case("longElementwisePassesEqualReference", "3x13339", BackendParity::longElementwise));
        all.add(new Case("elementwiseOpsEqualReference", "small shapes", BackendParity::elementwise));
        all.add(new Case("scaleRowsEqualsReference", "9x5", BackendParity::scaleRows));
        all.add(new Case("tdTargetsEqualReference", "13 rows", BackendParity::tdTargets));
        for (OptimizerCase c : OPTIMIZER_CASES) {
            all.add(new Case("optimizerUpdatesEqualReference", c.toString(), (ref, fast) -> optimizerUpdates(ref, fast, c)));
        }
        for (LossKind k : LossKind.values()) {
            all.add(new Case("gatheredLossEqualsReference", k.toString(), (ref, fast) -> gatheredLoss(ref, fast, k)));
        }
        all.add(new Case("fillEqualsReference", "70001", BackendParity::fill));
        all.add(new Case("copyEqualsReference", "3x5x7x11", BackendParity::copy));
        all.add(new Case("scaleEqualsReference", "70001", BackendParity::scale));
        all.add(new Case("u8ToFloatEqualsReference", "4x84x84", BackendParity::u8ToFloat));
        all.add(new Case("aFullNatureTrainStepEqualsReference", "batch 32, Adam", BackendParity::natureTrainStep));
        all.add(new Case("rmsPropNatureStepRunsOnTheBackend", "small conv net", BackendParity::rmsPropNatureStep));
        return all;
    }

    // ---- the checks ------------------------------------------------------------------------------

    public static void gemm(Backend ref, Backend fast, GemmCase g) {
        int m = g.m(), n = g.n(), k = g.k();
        Random rng = new Random(31L * m + 7L * n + k);
        Tensor a = g.transA() ? uniform(rng, k, m) : uniform(rng, m, k);
        Tensor b = g.transB() ? uniform(rng, n, k) : uniform(rng, k, n);
        Tensor c0 = uniform(rng, m, n);
        for (float beta : new float[] {0f, 1f, 0.5f}) {
            Tensor expected = c0.copy(), actual = c0.copy();
            ref.gemm(g.transA(), g.transB(), 0.75f, a, b, beta, expected);
            fast.gemm(g.transA(), g.transB(), 0.75f, a, b, beta, actual);
            assertClose(expected, actual, "gemm beta=" + beta);
        }
    }

    public static void convolution(Backend ref, Backend fast, ConvCase cc) {
        int n = cc.n(), c = cc.c(), o = cc.o();
        Random rng = new Random(n * 1000L + c * 100L + o);
        Conv2dShape g = new Conv2dShape(n, c, cc.h(), cc.w(), o, cc.k(), cc.k(), cc.s(), cc.p());
        Tensor x = uniform(rng, g.inputShape());
        Tensor wt = uniform(rng, g.weightShape());
        Tensor b = uniform(rng, o);
        Tensor dy = uniform(rng, g.outputShape());

        Tensor yRef = Tensor.zeros(g.outputShape()), yFast = Tensor.zeros(g.outputShape()).fill(Float.NaN);
        ref.conv2dForward(g, x, wt, b, yRef);
        fast.conv2dForward(g, x, wt, b, yFast);
        assertClose(yRef, yFast, "forward");

        // the convolution and the ReLU after it as one op (a backend may take the max as it writes y)
        Tensor rRef = Tensor.zeros(g.outputShape()), rFast = Tensor.zeros(g.outputShape()).fill(Float.NaN);
        ref.conv2dForwardRelu(g, x, wt, b, rRef);
        fast.conv2dForwardRelu(g, x, wt, b, rFast);
        assertClose(rRef, rFast, "forward + relu");
        boolean clipped = false;
        for (int i = 0; i < yRef.data.length; i++) clipped |= yRef.data[i] < 0f && rRef.data[i] == 0f;
        if (!clipped) throw new AssertionError("forward + relu: no negative output to clip; the case does not test the ReLU");

        Tensor dxRef = Tensor.zeros(g.inputShape()), dxFast = Tensor.zeros(g.inputShape()).fill(Float.NaN);
        ref.conv2dBackwardData(g, dy, wt, dxRef);
        fast.conv2dBackwardData(g, dy, wt, dxFast);
        assertClose(dxRef, dxFast, "backward-data");

        // the input gradient and the backward pass of a ReLU before the convolution as one op (a backend may mask dx in cache)
        Tensor reluOut = uniform(rng, g.inputShape());
        for (int i = 0; i < reluOut.data.length; i++) reluOut.data[i] = Math.max(0f, reluOut.data[i]);
        Tensor mRef = Tensor.zeros(g.inputShape()), mFast = Tensor.zeros(g.inputShape()).fill(Float.NaN);
        ref.conv2dBackwardDataRelu(g, dy, wt, reluOut, mRef);
        fast.conv2dBackwardDataRelu(g, dy, wt, reluOut, mFast);
        assertClose(mRef, mFast, "backward-data + relu grad");
        boolean masked = false;
        for (int i = 0; i < dxRef.data.length; i++) masked |= dxRef.data[i] != 0f && mRef.data[i] == 0f;
        if (!masked) throw new AssertionError("backward-data + relu grad: no gradient masked; the case does not test the ReLU");

        // Weight gradients accumulate: start both from the same non-zero values.
        Tensor dwRef = uniform(rng, g.weightShape()), dwFast = dwRef.copy();
        Tensor dbRef = uniform(rng, o), dbFast = dbRef.copy();
        ref.conv2dBackwardWeights(g, x, dy, dwRef, dbRef);
        fast.conv2dBackwardWeights(g, x, dy, dwFast, dbFast);
        assertClose(dwRef, dwFast, "backward-weights dw");
        assertClose(dbRef, dbFast, "backward-weights db");
    }

    /** [N, C, H, W]'s elements in pixel-major order, [N, H, W, C], in a tensor of the same shape. */
    public static Tensor pixelMajor(Tensor t) {
        int N = t.dim(0), C = t.dim(1), H = t.dim(2), W = t.dim(3);
        Tensor out = Tensor.zeros(N, C, H, W);
        for (int n = 0; n < N; n++)
            for (int c = 0; c < C; c++)
                for (int h = 0; h < H; h++)
                    for (int w = 0; w < W; w++) out.data[((n * H + h) * W + w) * C + c] = t.data[((n * C + c) * H + h) * W + w];
        return out;
    }

    /**
     * The five convolution ops on a shape with pixel-major activations. The expected values are the
     * reference's on channel-major tensors, reordered ({@link #pixelMajor}); the reference on the
     * flagged shape must give them bit for bit (its loops only index differently), the backend
     * within the tolerance. A backend that keeps activations channel-major must refuse the shape
     * with an IllegalArgumentException on every op, and then never say yes to
     * {@link Backend#pixelMajorBetween}.
     */
    public static void pixelMajorConvolution(Backend ref, Backend fast, LayoutCase lc) {
        ConvCase cc = lc.conv();
        int n = cc.n(), c = cc.c(), o = cc.o();
        Random rng = new Random(n * 1000L + c * 100L + o + 7);
        Conv2dShape g = new Conv2dShape(n, c, cc.h(), cc.w(), o, cc.k(), cc.k(), cc.s(), cc.p());
        Conv2dShape f = g.withLayouts(lc.in(), lc.out());
        Tensor x = uniform(rng, g.inputShape()), wt = uniform(rng, g.weightShape()), b = uniform(rng, o), dy = uniform(rng, g.outputShape());
        Tensor reluOut = uniform(rng, g.inputShape());
        for (int i = 0; i < reluOut.data.length; i++) reluOut.data[i] = Math.max(0f, reluOut.data[i]);
        Tensor xF = lc.in() ? pixelMajor(x) : x, dyF = lc.out() ? pixelMajor(dy) : dy, reluOutF = lc.in() ? pixelMajor(reluOut) : reluOut;

        if (refuses(fast, f, xF, wt, b)) {
            Conv2dShape conv1 = new Conv2dShape(32, 4, 84, 84, 32, 8, 8, 4, 0), conv2 = new Conv2dShape(32, 32, 20, 20, 64, 4, 4, 2, 0);
            if (fast.pixelMajorBetween(conv1, conv2.withLayouts(true, false))) {
                throw new AssertionError("the backend refuses pixel-major activations but says it takes them between Nature's conv1 and conv2");
            }
            for (Runnable op : List.<Runnable>of(
                    () -> fast.conv2dForwardRelu(f, xF, wt, b, Tensor.zeros(g.outputShape())),
                    () -> fast.conv2dBackwardData(f, dyF, wt, Tensor.zeros(g.inputShape())),
                    () -> fast.conv2dBackwardDataRelu(f, dyF, wt, reluOutF, Tensor.zeros(g.inputShape())),
                    () -> fast.conv2dBackwardWeights(f, xF, dyF, Tensor.zeros(g.weightShape()), Tensor.zeros(o)))) {
                try {
                    op.run();
                    throw new AssertionError("the backend refuses a pixel-major forward pass but ran another op on the same shape");
                } catch (IllegalArgumentException expected) {
                    // refused, as the forward pass was
                }
            }
            return;
        }

        layoutOp("forward", g.outputShape(), lc.out(), fast, t -> ref.conv2dForward(g, x, wt, b, t),
                t -> ref.conv2dForward(f, xF, wt, b, t), t -> fast.conv2dForward(f, xF, wt, b, t));
        layoutOp("forward + relu", g.outputShape(), lc.out(), fast, t -> ref.conv2dForwardRelu(g, x, wt, b, t),
                t -> ref.conv2dForwardRelu(f, xF, wt, b, t), t -> fast.conv2dForwardRelu(f, xF, wt, b, t));
        layoutOp("backward-data", g.inputShape(), lc.in(), fast, t -> ref.conv2dBackwardData(g, dy, wt, t),
                t -> ref.conv2dBackwardData(f, dyF, wt, t), t -> fast.conv2dBackwardData(f, dyF, wt, t));
        layoutOp("backward-data + relu grad", g.inputShape(), lc.in(), fast, t -> ref.conv2dBackwardDataRelu(g, dy, wt, reluOut, t),
                t -> ref.conv2dBackwardDataRelu(f, dyF, wt, reluOutF, t), t -> fast.conv2dBackwardDataRelu(f, dyF, wt, reluOutF, t));

        // the weight gradients are the same tensors in either layout; they accumulate, so all start from the same values
        Tensor dw = uniform(rng, g.weightShape()), dwR = dw.copy(), dwF = dw.copy();
        Tensor db = uniform(rng, o), dbR = db.copy(), dbF = db.copy();
        ref.conv2dBackwardWeights(g, x, dy, dw, db);
        ref.conv2dBackwardWeights(f, xF, dyF, dwR, dbR);
        assertExact(dw.data, dwR.data, "reference backward-weights dw, pixel-major");
        assertExact(db.data, dbR.data, "reference backward-weights db, pixel-major");
        fast.conv2dBackwardWeights(f, xF, dyF, dwF, dbF);
        fast.toHost(dwF);
        fast.toHost(dbF);
        assertClose(dw, dwF, "backward-weights dw, pixel-major");
        assertClose(db, dbF, "backward-weights db, pixel-major");
    }

    /**
     * One op of {@link #pixelMajorConvolution} into a fresh tensor of {@code shape}: the reference's result on
     * channel-major tensors ({@code plain}), reordered pixel-major where {@code reorder}, must equal the
     * reference's on the flagged shape bit for bit and the backend's within the tolerance.
     */
    private static void layoutOp(String what, int[] shape, boolean reorder, Backend fast, Consumer<Tensor> plain,
                                 Consumer<Tensor> refFlagged, Consumer<Tensor> fastFlagged) {
        Tensor t = Tensor.zeros(shape), tR = Tensor.zeros(shape), tF = Tensor.zeros(shape).fill(Float.NaN);
        plain.accept(t);
        Tensor expected = reorder ? pixelMajor(t) : t;
        refFlagged.accept(tR);
        assertExact(expected.data, tR.data, "reference " + what + ", pixel-major");
        fastFlagged.accept(tF);
        fast.toHost(tF);
        assertClose(expected, tF, what + ", pixel-major");
    }

    /** Whether the backend refuses the flagged shape's forward pass (an IllegalArgumentException). */
    private static boolean refuses(Backend be, Conv2dShape f, Tensor x, Tensor w, Tensor b) {
        try {
            be.conv2dForward(f, x, w, b, Tensor.zeros(f.outputShape()));
            return false;
        } catch (IllegalArgumentException e) {
            return true;
        }
    }

    /** Long enough for several parallel chunks and a vector tail, with exact zeros among the inputs. */
    public static void longElementwise(Backend ref, Backend fast) {
        Random rng = new Random(17);
        Tensor x = uniform(rng, 3, 13_339), dy = uniform(rng, 3, 13_339);
        for (int i = 0; i < x.size(); i += 97) x.data[i] = 0f;
        Tensor yR = Tensor.zerosLike(x), yF = Tensor.zerosLike(x).fill(Float.NaN);
        ref.reluForward(x, yR);
        fast.reluForward(x, yF);
        fast.toHost(yF);
        assertExact(yR.data, yF.data, "relu");
        Tensor dR = Tensor.zerosLike(x), dF = Tensor.zerosLike(x).fill(Float.NaN);
        ref.reluBackward(yR, dy, dR);
        fast.reluBackward(yF, dy, dF);
        fast.toHost(dF);
        assertExact(dR.data, dF.data, "relu gradient");
        Tensor fR = x.copy(), fF = x.copy();
        ref.fill(fR, 0.25f);
        fast.fill(fF, 0.25f);
        fast.toHost(fF);
        assertExact(fR.data, fF.data, "fill");
    }

    public static void elementwise(Backend ref, Backend fast) {
        Random rng = new Random(5);
        Tensor x = uniform(rng, 3, 5, 7), dy = uniform(rng, 3, 5, 7);
        Tensor yR = Tensor.zerosLike(x), yF = Tensor.zerosLike(x);
        ref.reluForward(x, yR);
        fast.reluForward(x, yF);
        assertExact(yR.data, yF.data, "relu");
        Tensor dR = Tensor.zerosLike(x), dF = Tensor.zerosLike(x);
        ref.reluBackward(yR, dy, dR);
        fast.reluBackward(yR, dy, dF);
        assertExact(dR.data, dF.data, "relu gradient");

        Tensor m = uniform(rng, 7, 5), bias = uniform(rng, 5);
        Tensor mR = m.copy(), mF = m.copy();
        ref.addRowBias(mR, bias);
        fast.addRowBias(mF, bias);
        assertClose(mR, mF, "addRowBias");
        Tensor sR = uniform(rng, 5), sF = sR.copy();
        ref.sumRowsInto(m, sR);
        fast.sumRowsInto(m, sF);
        assertClose(sR, sF, "sumRowsInto");

        Tensor q = uniform(rng, 9, 6);
        int[] aR = new int[9], aF = new int[9];
        Tensor maxR = Tensor.zeros(9), maxF = Tensor.zeros(9);
        ref.rowMax(q, maxR, aR);
        fast.rowMax(q, maxF, aF);
        assertExact(aR, aF, "rowMax argmax");
        assertExact(maxR.data, maxF.data, "rowMax");
        double ss = ref.sumOfSquares(q);          // a device may square in float: 1e-6 relative, not double's 1e-12
        assertWithin(ss, fast.sumOfSquares(q), 1e-6 * ss, "sumOfSquares");
    }

    public static void scaleRows(Backend ref, Backend fast) {
        Random rng = new Random(12);
        Tensor a = uniform(rng, 9, 5), b = a.copy();
        float[] w = new float[9];
        for (int j = 0; j < 9; j++) w[j] = rng.nextFloat() * 2;
        fast.hostWrote(b);
        ref.scaleRows(a, w);
        fast.scaleRows(b, w);
        fast.toHost(b);
        assertClose(a, b, "scaleRows");
        assertWithin(a.data[3 * 5 + 2], uniform(new Random(12), 9, 5).data[3 * 5 + 2] * w[3], 1e-6, "row 3 scaled by w[3]");
    }

    public static void tdTargets(Backend ref, Backend fast) {
        Random rng = new Random(8);
        Tensor q = uniform(rng, 13, 6);
        float[] r = new float[13], discount = new float[13];
        int[] next = new int[13];
        for (int j = 0; j < 13; j++) {
            r[j] = rng.nextFloat() - 0.5f;
            discount[j] = j % 4 == 0 ? 0f : (float) Math.pow(0.99, 1 + j % 3);        // terminal, or gamma^m for m = 1..3
            next[j] = rng.nextInt(6);
        }
        for (int[] actions : new int[][] {null, next}) {
            Tensor tR = Tensor.zeros(13), tF = Tensor.zeros(13);
            ref.tdTarget(q, actions, r, discount, tR);
            fast.tdTarget(q, actions, r, discount, tF);
            fast.toHost(tF);
            assertClose(tR, tF, actions == null ? "tdTarget (max)" : "tdTarget (given actions)");
        }
    }

    /**
     * Every optimizer update the {@link Backend} interface offers, in every form a preset or a flag
     * can select ({@link #OPTIMIZER_CASES}). Three steps with a different gradient each, then the
     * parameters and every state tensor the update keeps are compared.
     */
    public static void optimizerUpdates(Backend ref, Backend fast, OptimizerCase oc) {
        String kind = oc.kind();
        boolean centred = oc.centred(), epsInsideSqrt = oc.epsInsideSqrt();
        float momentum = oc.momentum();
        Random rng = new Random(6);
        int size = 70_001;                     // several parallel chunks and a ragged end
        Tensor p = uniform(rng, size);
        // State: [0] Adam m / RMSProp square average / SGD buffer, [1] Adam v / RMSProp grad average, [2] RMSProp buffer.
        Tensor pR = p.copy(), pF = p.copy();
        Tensor[] sR = {Tensor.zeros(size), Tensor.zeros(size), Tensor.zeros(size)};
        Tensor[] sF = {Tensor.zeros(size), Tensor.zeros(size), Tensor.zeros(size)};
        for (int step = 1; step <= 3; step++) {
            Tensor g = uniform(rng, size);
            switch (kind) {
                case "adam" -> {
                    ref.adamUpdate(pR, g, sR[0], sR[1], 1e-3f, 0.9f, 0.999f, 1e-8f, step);
                    fast.adamUpdate(pF, g, sF[0], sF[1], 1e-3f, 0.9f, 0.999f, 1e-8f, step);
                }
                case "rmsprop" -> {
                    ref.rmsPropUpdate(pR, g, sR[0], centred ? sR[1] : null, momentum != 0 ? sR[2] : null,
                            2.5e-4f, 0.95f, 0.01f, momentum, epsInsideSqrt);
                    fast.rmsPropUpdate(pF, g, sF[0], centred ? sF[1] : null, momentum != 0 ? sF[2] : null,
                            2.5e-4f, 0.95f, 0.01f, momentum, epsInsideSqrt);
                }
                case "sgd" -> {
                    ref.sgdUpdate(pR, g, momentum != 0 ? sR[0] : null, 0.05f, momentum);
                    fast.sgdUpdate(pF, g, momentum != 0 ? sF[0] : null, 0.05f, momentum);
                }
                default -> throw new IllegalArgumentException(kind);
            }
        }
        fast.toHost(pF);
        for (Tensor t : sF) fast.toHost(t);
        assertNormClose(pR, pF, 1e-6, kind + " parameters");
        // The parameters moved by lr · something ≤ 1e-3 of their scale: compare the step as well, so an
        // error in the update is not hidden by the size of p.
        Tensor stepR = Tensor.zerosLike(p), stepF = Tensor.zerosLike(p);
        for (int i = 0; i < size; i++) {
            stepR.data[i] = pR.data[i] - p.data[i];
            stepF.data[i] = pF.data[i] - p.data[i];
        }
        assertNormClose(stepR, stepF, 1e-3, kind + " parameter change");
        for (int k = 0; k < 3; k++) assertNormClose(sR[k], sF[k], 1e-6, kind + " state " + k);
    }

    public static void gatheredLoss(Backend ref, Backend fast, LossKind kind) {
        Random rng = new Random(9);
        int n = 37, a = 6;
        Tensor q = uniform(rng, n, a), target = uniform(rng, n);
        for (int i = 0; i < n; i += 3) target.data[i] *= 4f;          // |e| above δ = 1 for some rows, below for others
        int[] actions = new int[n];
        for (int i = 0; i < n; i++) actions[i] = rng.nextInt(a);
        Tensor dqR = Tensor.zeros(n, a).fill(Float.NaN), dqF = Tensor.zeros(n, a).fill(Float.NaN);   // dq is overwritten
        float lR = ref.gatheredLoss(kind, 1f, q, actions, target, dqR);
        float lF = fast.gatheredLoss(kind, 1f, q, actions, target, dqF);
        fast.toHost(dqF);
        assertWithin(lR, lF, 1e-6 * Math.abs(lR), kind + " loss");
        assertClose(dqR, dqF, kind + " gradient");
    }

    public static void fill(Backend ref, Backend fast) {
        Tensor fR = Tensor.zeros(70_001).fill(Float.NaN), fF = fR.copy();     // several chunks and a ragged end
        ref.fill(fR, -0.375f);
        fast.fill(fF, -0.375f);
        fast.toHost(fF);
        assertExact(fR.data, fF.data, "fill");
    }

    public static void copy(Backend ref, Backend fast) {
        Tensor src = uniform(new Random(10), 3, 5, 7, 11);
        Tensor cR = Tensor.zerosLike(src).fill(Float.NaN), cF = cR.copy();
        ref.copy(src, cR);
        fast.copy(src, cF);
        fast.toHost(cF);
        assertExact(cR.data, cF.data, "copy");
    }

    public static void scale(Backend ref, Backend fast) {
        Tensor t = uniform(new Random(11), 70_001);
        Tensor tR = t.copy(), tF = t.copy();
        ref.scale(tR, 0.3f);
        fast.scale(tF, 0.3f);
        fast.toHost(tF);
        assertExact(tR.data, tF.data, "scale");
    }

    public static void u8ToFloat(Backend ref, Backend fast) {
        byte[] bytes = new byte[4 * 84 * 84 + 5];
        new Random(12).nextBytes(bytes);                                        // every byte value, high bit set or not
        Tensor uR = Tensor.zeros(4, 84, 84).fill(Float.NaN), uF = uR.copy();
        ref.u8ToFloat(bytes, 5, 1f / 255f, uR);
        fast.u8ToFloat(bytes, 5, 1f / 255f, uF);
        fast.toHost(uF);
        assertExact(uR.data, uF.data, "u8ToFloat");
    }

    /** Target forward, online forward, Huber on gathered Q, backward, Adam: the engine's hot path. */
    public static void natureTrainStep(Backend ref, Backend fast) {
        int batch = 32;
        Random rng = new Random(7);
        Tensor s = Tensor.zeros(batch, 4, 84, 84), s2 = Tensor.zeros(batch, 4, 84, 84);
        for (int i = 0; i < s.size(); i++) {
            s.data[i] = rng.nextInt(256) / 255f;
            s2.data[i] = rng.nextInt(256) / 255f;
        }
        int[] actions = new int[batch];
        Tensor reward = Tensor.zeros(batch);
        for (int i = 0; i < batch; i++) {
            actions[i] = rng.nextInt(6);
            reward.data[i] = rng.nextInt(3) - 1;
        }
        List<Parameter> refParams = trainStep(ref, s, s2, actions, reward);
        List<Parameter> fastParams = trainStep(fast, s, s2, actions, reward);
        // 1e-3 of the largest gradient, not the single ops' tolerance: a pre-activation within rounding of 0 may fall on the
        // other side of a ReLU, and that one mask bit moves whole rows of the gradients below it. Measured: conv1's output
        // 9.3e-8 in the reference, exactly 0 by Winograd's F(2×2, 2×2) with the plain kernels, moved conv1's weight gradient
        // by 1.7e-4 of its largest element. A wrong backward pass is off by far more: one image of the 32 left out of the
        // batch moves it by 26% (measured with the reference backend).
        for (int i = 0; i < refParams.size(); i++) {
            assertNormClose(refParams.get(i).grad(), fastParams.get(i).grad(), 1e-3, refParams.get(i).name() + " gradient");
            assertNormClose(refParams.get(i).value(), fastParams.get(i).value(), 1e-5, refParams.get(i).name() + " after Adam");
        }
    }

    private static List<Parameter> trainStep(Backend be, Tensor s, Tensor s2, int[] actions, Tensor reward) {
        Sequential online = Networks.nature(4, 6, new Random(1));
        Sequential target = Networks.nature(4, 6, new Random(1));
        Adam adam = new Adam(online.parameters(), 1e-4f, 0.9f, 0.999f, 1.5e-4f);
        int batch = actions.length;
        Tensor next = target.forward(be, s2);
        Tensor y = Tensor.zeros(batch);
        be.rowMax(next, y, null);
        for (int i = 0; i < batch; i++) y.data[i] = reward.data[i] + 0.99f * y.data[i];
        Tensor dq = Tensor.zeros(batch, 6);
        new Huber().compute(be, online.forward(be, s), actions, y, dq);
        online.backwardFresh(be, dq, false);                 // as DqnLearner
        adam.step(be);
        return online.parameters();
    }

    /** The centred RMSProp update through the optimizer class, compared on a small network. */
    public static void rmsPropNatureStep(Backend ref, Backend fast) {
        Random rng = new Random(8);
        Tensor x = uniform(rng, 3, 4, 12, 12);
        float[][] results = new float[2][];
        Backend[] backends = {ref, fast};
        for (int b = 0; b < 2; b++) {
            Sequential net = new Sequential(new Conv2d(4, 5, 3, 2, 1, new Random(2)), new Flatten(), new Linear(5 * 6 * 6, 3, new Random(3)));
            RmsProp opt = RmsProp.nature(net.parameters());
            Tensor dq = Tensor.zeros(3, 3);
            new Huber().compute(backends[b], net.forward(backends[b], x), new int[] {0, 1, 2}, Tensor.zeros(3), dq);
            net.backward(backends[b], dq);
            opt.step(backends[b]);
            results[b] = net.parameters().get(0).value().data.clone();
        }
        assertNormClose(Tensor.wrap(results[0], results[0].length), Tensor.wrap(results[1], results[1].length), 1e-5, "rmsprop conv weight");
    }
}
