package dqnengine.backend;

import dqnengine.backend.cpu.ReferenceBackend;
import dqnengine.loss.Huber;
import dqnengine.nn.Networks;
import dqnengine.nn.Parameter;
import dqnengine.nn.Sequential;
import dqnengine.optim.Adam;
import dqnengine.optim.RmsProp;
import dqnengine.tensor.Tensor;
import dqnengine.testing.TestTensors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Every backend must equal {@link ReferenceBackend}. A backend's test class extends this one and
 * says how to build the backend; the whole suite then runs against it.
 *
 * <p>Tolerance: sums are taken in a different order, so results differ by float rounding. A
 * result passes when max |fast − reference| ≤ {@value #TOLERANCE} · max |reference| over the
 * tensor (a relative error in the norm sense; per-element relative error is meaningless for
 * entries that are sums cancelling to near zero).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class BackendParityTest {
    static final double TOLERANCE = 2e-5;

    private final Backend ref = new ReferenceBackend();
    protected Backend fast;

    protected abstract Backend createBackend();

    @BeforeAll
    void open() { fast = createBackend(); }

    @AfterAll
    void close() { if (fast != null) fast.close(); }

    static void assertNormClose(Tensor expected, Tensor actual, double tol, String what) {
        if (!expected.sameShape(actual)) fail(what + ": shape " + actual.shapeString() + " != " + expected.shapeString());
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
            fail(what + ": max error " + maxErr + " at " + worst + " (expected " + expected.data[worst] + ", got "
                    + actual.data[worst] + "), max |expected| " + maxAbs);
        }
    }

    private static void assertClose(Tensor expected, Tensor actual, String what) {
        assertNormClose(expected, actual, TOLERANCE, what);
    }

    /** Which test compares each op of {@link Backend} with the reference (the residency defaults are OpenClTrainStepTest's). */
    static final Map<String, String> OP_TESTS = Map.ofEntries(
            Map.entry("gemm", "gemmEqualsReference"),
            Map.entry("addRowBias", "elementwiseOpsEqualReference"),
            Map.entry("sumRowsInto", "elementwiseOpsEqualReference"),
            Map.entry("conv2dForward", "convolutionEqualsReference"),
            Map.entry("conv2dBackwardData", "convolutionEqualsReference"),
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

    @Test
    void everyOpOfTheInterfaceHasAParityTest() {
        Set<String> ops = new TreeSet<>();
        for (Method m : Backend.class.getDeclaredMethods()) {
            if (!m.isDefault() && !m.isSynthetic() && !Modifier.isStatic(m.getModifiers()) && !m.getName().equals("name")) ops.add(m.getName());
        }
        assertEquals(new TreeSet<>(OP_TESTS.keySet()), ops, "ops of Backend against ops with a parity test");
        Set<String> tests = new TreeSet<>();
        for (Method m : BackendParityTest.class.getDeclaredMethods()) tests.add(m.getName());
        for (String t : OP_TESTS.values()) assertTrue(tests.contains(t), "no test method " + t);
    }

    @ParameterizedTest(name = "transA={0} transB={1} m={2} n={3} k={4}")
    @CsvSource({
            "false, false, 1, 1, 1", "false, false, 5, 7, 3", "false, true, 6, 25, 9", "true, false, 3, 48, 5",
            "true, true, 7, 23, 6", "false, false, 33, 50, 300", "true, true, 9, 49, 513",
            "false, true, 32, 512, 3136", "false, true, 1, 512, 3136", "false, true, 7, 50, 100", "false, true, 64, 31, 47", "false, true, 65, 30, 40", "true, false, 512, 3136, 32", "false, false, 32, 3136, 512", "false, true, 32, 6, 512"})
    void gemmEqualsReference(boolean transA, boolean transB, int m, int n, int k) {
        Random rng = new Random(31L * m + 7L * n + k);
        Tensor a = transA ? TestTensors.uniform(rng, k, m) : TestTensors.uniform(rng, m, k);
        Tensor b = transB ? TestTensors.uniform(rng, n, k) : TestTensors.uniform(rng, k, n);
        Tensor c0 = TestTensors.uniform(rng, m, n);
        for (float beta : new float[] {0f, 1f, 0.5f}) {
            Tensor expected = c0.copy(), actual = c0.copy();
            ref.gemm(transA, transB, 0.75f, a, b, beta, expected);
            fast.gemm(transA, transB, 0.75f, a, b, beta, actual);
            assertClose(expected, actual, "gemm beta=" + beta);
        }
    }

    @ParameterizedTest(name = "[{0},{1},{2},{3}] -> {4} k{5} s{6} p{7}")
    @CsvSource({
            "1, 1, 3, 3, 1, 2, 2, 1",
            "2, 3, 7, 6, 5, 3, 2, 1",
            "3, 2, 11, 9, 7, 3, 1, 2",
            "2, 5, 13, 17, 6, 5, 3, 0",
            "2, 3, 11, 10, 32, 3, 2, 0",      // direct path: 32 channels, 40 pixels (ragged tile)
            "1, 2, 6, 7, 64, 2, 1, 0",        // direct path: two channel blocks
            "2, 4, 9, 9, 16, 2, 2, 0",        // direct input gradient with 256-bit vectors: 16 taps, 16 pixels per image (ragged tile)
            "2, 8, 9, 9, 32, 2, 2, 0",        // direct paths with 512-bit vectors too: 32 channels, 32 taps, ragged tiles
            "3, 4, 10, 10, 16, 3, 1, 0",      // MinAtar's conv: 16 channels, half a 512-bit block of zero weights
            "2, 3, 8, 7, 48, 2, 1, 0",        // 48 channels: one full and one half block with 512-bit vectors
            "2, 3, 8, 7, 8, 2, 1, 0",         // 8 channels: half a block with 256-bit vectors
            "4, 4, 84, 84, 32, 8, 4, 0",      // Nature conv1
            "4, 32, 20, 20, 64, 4, 2, 0",     // Nature conv2
            "4, 64, 9, 9, 64, 3, 1, 0",       // Nature conv3
            "32, 64, 9, 9, 64, 3, 1, 0"})     // Nature conv3 at the training batch
    void convolutionEqualsReference(int n, int c, int h, int w, int o, int k, int s, int p) {
        Random rng = new Random(n * 1000L + c * 100L + o);
        Conv2dShape g = new Conv2dShape(n, c, h, w, o, k, k, s, p);
        Tensor x = TestTensors.uniform(rng, g.inputShape());
        Tensor wt = TestTensors.uniform(rng, g.weightShape());
        Tensor b = TestTensors.uniform(rng, o);
        Tensor dy = TestTensors.uniform(rng, g.outputShape());

        Tensor yRef = Tensor.zeros(g.outputShape()), yFast = Tensor.zeros(g.outputShape()).fill(Float.NaN);
        ref.conv2dForward(g, x, wt, b, yRef);
        fast.conv2dForward(g, x, wt, b, yFast);
        assertClose(yRef, yFast, "forward");

        Tensor dxRef = Tensor.zeros(g.inputShape()), dxFast = Tensor.zeros(g.inputShape()).fill(Float.NaN);
        ref.conv2dBackwardData(g, dy, wt, dxRef);
        fast.conv2dBackwardData(g, dy, wt, dxFast);
        assertClose(dxRef, dxFast, "backward-data");

        // Weight gradients accumulate: start both from the same non-zero values.
        Tensor dwRef = TestTensors.uniform(rng, g.weightShape()), dwFast = dwRef.copy();
        Tensor dbRef = TestTensors.uniform(rng, o), dbFast = dbRef.copy();
        ref.conv2dBackwardWeights(g, x, dy, dwRef, dbRef);
        fast.conv2dBackwardWeights(g, x, dy, dwFast, dbFast);
        assertClose(dwRef, dwFast, "backward-weights dw");
        assertClose(dbRef, dbFast, "backward-weights db");
    }

    /** Long enough for several parallel chunks and a vector tail, with exact zeros among the inputs. */
    @Test
    void longElementwisePassesEqualReference() {
        Random rng = new Random(17);
        Tensor x = TestTensors.uniform(rng, 3, 13_339), dy = TestTensors.uniform(rng, 3, 13_339);
        for (int i = 0; i < x.size(); i += 97) x.data[i] = 0f;
        Tensor yR = Tensor.zerosLike(x), yF = Tensor.zerosLike(x).fill(Float.NaN);
        ref.reluForward(x, yR);
        fast.reluForward(x, yF);
        fast.toHost(yF);
        assertArrayEquals(yR.data, yF.data, "relu");
        Tensor dR = Tensor.zerosLike(x), dF = Tensor.zerosLike(x).fill(Float.NaN);
        ref.reluBackward(yR, dy, dR);
        fast.reluBackward(yF, dy, dF);
        fast.toHost(dF);
        assertArrayEquals(dR.data, dF.data, "relu gradient");
        Tensor fR = x.copy(), fF = x.copy();
        ref.fill(fR, 0.25f);
        fast.fill(fF, 0.25f);
        fast.toHost(fF);
        assertArrayEquals(fR.data, fF.data, "fill");
    }

    @Test
    void elementwiseOpsEqualReference() {
        Random rng = new Random(5);
        Tensor x = TestTensors.uniform(rng, 3, 5, 7), dy = TestTensors.uniform(rng, 3, 5, 7);
        Tensor yR = Tensor.zerosLike(x), yF = Tensor.zerosLike(x);
        ref.reluForward(x, yR);
        fast.reluForward(x, yF);
        assertArrayEquals(yR.data, yF.data);
        Tensor dR = Tensor.zerosLike(x), dF = Tensor.zerosLike(x);
        ref.reluBackward(yR, dy, dR);
        fast.reluBackward(yR, dy, dF);
        assertArrayEquals(dR.data, dF.data);

        Tensor m = TestTensors.uniform(rng, 7, 5), bias = TestTensors.uniform(rng, 5);
        Tensor mR = m.copy(), mF = m.copy();
        ref.addRowBias(mR, bias);
        fast.addRowBias(mF, bias);
        assertClose(mR, mF, "addRowBias");
        Tensor sR = TestTensors.uniform(rng, 5), sF = sR.copy();
        ref.sumRowsInto(m, sR);
        fast.sumRowsInto(m, sF);
        assertClose(sR, sF, "sumRowsInto");

        Tensor q = TestTensors.uniform(rng, 9, 6);
        int[] aR = new int[9], aF = new int[9];
        Tensor maxR = Tensor.zeros(9), maxF = Tensor.zeros(9);
        ref.rowMax(q, maxR, aR);
        fast.rowMax(q, maxF, aF);
        assertArrayEquals(aR, aF);
        assertArrayEquals(maxR.data, maxF.data);
        double ss = ref.sumOfSquares(q);          // a device may square in float: 1e-6 relative, not double's 1e-12
        assertEquals(ss, fast.sumOfSquares(q), 1e-6 * ss);
    }

    @Test
    void scaleRowsEqualsReference() {
        Random rng = new Random(12);
        Tensor a = TestTensors.uniform(rng, 9, 5), b = a.copy();
        float[] w = new float[9];
        for (int j = 0; j < 9; j++) w[j] = rng.nextFloat() * 2;
        fast.hostWrote(b);
        ref.scaleRows(a, w);
        fast.scaleRows(b, w);
        fast.toHost(b);
        assertClose(a, b, "scaleRows");
        assertEquals(a.data[3 * 5 + 2], TestTensors.uniform(new Random(12), 9, 5).data[3 * 5 + 2] * w[3], 1e-6, "row 3 scaled by w[3]");
    }

    @Test
    void tdTargetsEqualReference() {
        Random rng = new Random(8);
        Tensor q = TestTensors.uniform(rng, 13, 6);
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
     * can select: Adam; RMSProp plain or centred (the {@code minatar} preset's
     * {@code rmsprop-centered}), ε outside (PyTorch) or inside the root (the Nature form), with and
     * without momentum; SGD with and without momentum. Three steps with a different gradient each,
     * then the parameters and every state tensor the update keeps are compared.
     */
    @ParameterizedTest(name = "{0} centred={1} epsInsideSqrt={2} momentum={3}")
    @CsvSource({
            "adam,    false, false, 0",
            "rmsprop, false, false, 0",       // PyTorch's RMSprop defaults
            "rmsprop, true,  false, 0",       // rmsprop-centered (the minatar preset)
            "rmsprop, true,  true,  0",       // rmsprop-nature
            "rmsprop, false, true,  0",
            "rmsprop, false, false, 0.9",
            "rmsprop, true,  false, 0.9",
            "rmsprop, true,  true,  0.9",
            "sgd,     false, false, 0",       // --optimizer sgd
            "sgd,     false, false, 0.9"})
    void optimizerUpdatesEqualReference(String kind, boolean centred, boolean epsInsideSqrt, float momentum) {
        Random rng = new Random(6);
        int size = 70_001;                     // several parallel chunks and a ragged end
        Tensor p = TestTensors.uniform(rng, size);
        // State: [0] Adam m / RMSProp square average / SGD buffer, [1] Adam v / RMSProp grad average, [2] RMSProp buffer.
        Tensor pR = p.copy(), pF = p.copy();
        Tensor[] sR = {Tensor.zeros(size), Tensor.zeros(size), Tensor.zeros(size)};
        Tensor[] sF = {Tensor.zeros(size), Tensor.zeros(size), Tensor.zeros(size)};
        for (int step = 1; step <= 3; step++) {
            Tensor g = TestTensors.uniform(rng, size);
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

    @ParameterizedTest(name = "{0}")
    @CsvSource({"HUBER", "MSE"})
    void gatheredLossEqualsReference(LossKind kind) {
        Random rng = new Random(9);
        int n = 37, a = 6;
        Tensor q = TestTensors.uniform(rng, n, a), target = TestTensors.uniform(rng, n);
        for (int i = 0; i < n; i += 3) target.data[i] *= 4f;          // |e| above δ = 1 for some rows, below for others
        int[] actions = new int[n];
        for (int i = 0; i < n; i++) actions[i] = rng.nextInt(a);
        Tensor dqR = Tensor.zeros(n, a).fill(Float.NaN), dqF = Tensor.zeros(n, a).fill(Float.NaN);   // dq is overwritten
        float lR = ref.gatheredLoss(kind, 1f, q, actions, target, dqR);
        float lF = fast.gatheredLoss(kind, 1f, q, actions, target, dqF);
        fast.toHost(dqF);
        assertEquals(lR, lF, 1e-6 * Math.abs(lR), kind + " loss");
        assertClose(dqR, dqF, kind + " gradient");
    }

    @Test
    void fillEqualsReference() {
        Tensor fR = Tensor.zeros(70_001).fill(Float.NaN), fF = fR.copy();     // several chunks and a ragged end
        ref.fill(fR, -0.375f);
        fast.fill(fF, -0.375f);
        fast.toHost(fF);
        assertArrayEquals(fR.data, fF.data, "fill");
    }

    @Test
    void copyEqualsReference() {
        Tensor src = TestTensors.uniform(new Random(10), 3, 5, 7, 11);
        Tensor cR = Tensor.zerosLike(src).fill(Float.NaN), cF = cR.copy();
        ref.copy(src, cR);
        fast.copy(src, cF);
        fast.toHost(cF);
        assertArrayEquals(cR.data, cF.data, "copy");
    }

    @Test
    void scaleEqualsReference() {
        Tensor t = TestTensors.uniform(new Random(11), 70_001);
        Tensor tR = t.copy(), tF = t.copy();
        ref.scale(tR, 0.3f);
        fast.scale(tF, 0.3f);
        fast.toHost(tF);
        assertArrayEquals(tR.data, tF.data, "scale");
    }

    @Test
    void u8ToFloatEqualsReference() {
        byte[] bytes = new byte[4 * 84 * 84 + 5];
        new Random(12).nextBytes(bytes);                                        // every byte value, high bit set or not
        Tensor uR = Tensor.zeros(4, 84, 84).fill(Float.NaN), uF = uR.copy();
        ref.u8ToFloat(bytes, 5, 1f / 255f, uR);
        fast.u8ToFloat(bytes, 5, 1f / 255f, uF);
        fast.toHost(uF);
        assertArrayEquals(uR.data, uF.data, "u8ToFloat");
    }

    @Test
    void aFullNatureTrainStepEqualsReference() {
        // Target forward, online forward, Huber on gathered Q, backward, Adam: the engine's hot path.
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
        for (int i = 0; i < refParams.size(); i++) {
            assertNormClose(refParams.get(i).grad(), fastParams.get(i).grad(), 1e-4, refParams.get(i).name() + " gradient");
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
        adam.zeroGrad();
        online.backward(be, dq);
        adam.step(be);
        return online.parameters();
    }

    @Test
    void rmsPropNatureStepRunsOnTheBackend() {
        // The centred RMSProp update through the optimizer class, compared on a small network.
        Random rng = new Random(8);
        Tensor x = TestTensors.uniform(rng, 3, 4, 12, 12);
        float[][] results = new float[2][];
        Backend[] backends = {ref, fast};
        for (int b = 0; b < 2; b++) {
            Sequential net = new Sequential(new dqnengine.nn.Conv2d(4, 5, 3, 2, 1, new Random(2)), new dqnengine.nn.Flatten(),
                    new dqnengine.nn.Linear(5 * 6 * 6, 3, new Random(3)));
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
