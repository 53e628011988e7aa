package dqnengine.backend.opencl;

import dqnengine.backend.Backend;
import dqnengine.backend.Conv2dShape;
import dqnengine.backend.LossKind;
import dqnengine.backend.cpu.ReferenceBackend;
import dqnengine.dqn.DqnConfig;
import dqnengine.dqn.DqnLearner;
import dqnengine.env.ObservationEncoding;
import dqnengine.nn.Parameter;
import dqnengine.replay.ReplayBuffer;
import dqnengine.tensor.Tensor;
import dqnengine.testing.OpenClTesting;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

/**
 * DQN updates with tensors resident on the OpenCL device equal the same updates on the reference
 * backend: weights, optimizer state and losses after several steps and a target sync. This is the
 * check that every host read and write in the learner tells the backend (toHost / hostWrote).
 */
class OpenClTrainStepTest {
    /** A replay of random MinAtar-like byte observations, [C,10,10]. */
    static ReplayBuffer replay(int channels, long seed) {
        ReplayBuffer r = new ReplayBuffer(2_000, 1, channels * 100, 1, seed);
        Random rng = new Random(seed);
        byte[] obs = new byte[channels * 100];
        for (int i = 0; i < obs.length; i++) obs[i] = (byte) rng.nextInt(2);
        r.start(0, obs);
        for (int t = 0; t < 500; t++) {
            for (int i = 0; i < obs.length; i++) obs[i] = (byte) rng.nextInt(2);
            boolean end = t % 50 == 49;
            r.add(0, rng.nextInt(6), rng.nextFloat() - 0.3f, end && t % 100 == 49, end && t % 100 == 99, obs);
            if (end) r.start(0, obs);
        }
        return r;
    }

    @ParameterizedTest
    @CsvSource({"rmsprop-centered, huber, false, false, 1.0, direct, 0", "adam, mse, true, false, 1.0, implicit, 0",
            "adam, huber, false, true, 1.0, implicit, 0", "rmsprop-nature, huber, true, false, 0.5, implicit, 0",
            "rmsprop-centered, huber, false, false, 1.0, im2col, 0",
            "sgd, huber, false, false, 1.0, direct, 0",               // the sgd kernel: --optimizer sgd
            "rmsprop-centered, mse, false, false, 1.0, implicit, 0.001"}) // the scale kernel: --max-grad-norm (every step clips)
    void updatesOnTheDeviceEqualTheReference(String optimizer, String loss, boolean doubleDqn, boolean dueling, double tau, String conv,
                                             double maxGradNorm) {
        OpenClTesting.assumeIcd();
        try (Backend device = new OpenClBackend(0, true, OpenClBackend.Convolutions.valueOf(conv.toUpperCase(java.util.Locale.ROOT)), 0)) {
            assertDeviceEqualsReference(config(optimizer, loss, doubleDqn, dueling, tau, maxGradNorm), device);
        }
    }

    static DqnConfig config(String optimizer, String loss, boolean doubleDqn, boolean dueling, double tau, double maxGradNorm) {
        DqnConfig c = DqnConfig.preset("minatar");
        c.optimizer = optimizer;
        c.loss = loss;
        c.doubleDqn = doubleDqn;
        c.dueling = dueling;
        c.tau = tau;
        c.lr = optimizer.equals("sgd") ? 0.1 : 1e-3;            // plain SGD steps are small: make them visible
        c.maxGradNorm = maxGradNorm;
        c.optimizerEps = optimizer.equals("adam") ? 1e-8 : 0.01;
        c.batchSize = 8;
        return c;
    }

    /** Six updates with a target sync after the third on the reference and on {@code device}; everything must agree. */
    static void assertDeviceEqualsReference(DqnConfig c, Backend device) {
        float[] losses = new float[2 * 6];
        DqnLearner[] learners = new DqnLearner[2];
        Backend[] backends = {new ReferenceBackend(), device};
        for (int b = 0; b < 2; b++) {
            DqnLearner l = DqnLearner.fromConfig(backends[b], c, new int[] {4, 10, 10}, ObservationEncoding.BINARY, 6, 3);
            ReplayBuffer r = replay(4, 9);                       // the same draws for both
            for (int step = 0; step < 6; step++) {
                losses[b * 6 + step] = l.update(r);
                if (step == 2) l.updateTarget();
            }
            l.syncToHost();
            learners[b] = l;
        }
        for (int step = 0; step < 6; step++) {
            float ref = losses[step], dev = losses[6 + step];
            assertEquals(ref, dev, 1e-4 * Math.max(1, Math.abs(ref)), "loss of update " + step);
        }
        assertNetworksClose(learners[0].online.parameters(), learners[1].online.parameters(), "online");
        assertNetworksClose(learners[0].target.parameters(), learners[1].target.parameters(), "target");
        for (String k : learners[0].optimizer.state().keySet()) {
            assertClose(learners[0].optimizer.state().get(k).data, learners[1].optimizer.state().get(k).data, k);
        }
        assertEquals(learners[0].lastMeanMaxQ(), learners[1].lastMeanMaxQ(), 1e-4 * Math.max(1, Math.abs(learners[0].lastMeanMaxQ())),
                "mean max Q");
    }

    /**
     * Every toHost call in the update path that brings data back (the learner's, the dueling head's)
     * is needed, and this comparison notices when it is gone: for DQN, Polyak averaging and the
     * dueling network, each call site that ever copied newer device values to the host is dropped
     * in turn (a backend that ignores toHost from that line), and the comparison must fail.
     * Calls that never found newer values on the device (defensive ones) are listed, not dropped.
     */
    @ParameterizedTest
    @CsvSource({"rmsprop-centered, huber, false, false, 1.0", "rmsprop-nature, huber, true, false, 0.5",
            "adam, huber, false, true, 1.0"})
    void droppingAnyToHostThatCopiesFailsTheComparison(String optimizer, String loss, boolean doubleDqn, boolean dueling, double tau) {
        OpenClTesting.assumeIcd();
        DqnConfig c = config(optimizer, loss, doubleDqn, dueling, tau, 0);
        Map<String, Boolean> sites;
        try (ToHostDropper all = new ToHostDropper(new OpenClBackend(0, true, false), null)) {
            assertDeviceEqualsReference(c, all);
            sites = all.sites;
        }
        List<String> copying = sites.entrySet().stream().filter(Map.Entry::getValue).map(Map.Entry::getKey).toList();
        assertFalse(copying.isEmpty(), "no toHost copied anything: " + sites);
        System.out.println("toHost call sites (" + c.optimizer + ", tau " + tau + ", dueling " + dueling + "): " + sites);
        for (String site : copying) {
            try (ToHostDropper dropper = new ToHostDropper(new OpenClBackend(0, true, false), site)) {
                assertThrows(AssertionError.class, () -> assertDeviceEqualsReference(c, dropper),
                        "the comparison passed without the toHost at " + site);
            }
        }
    }

    /**
     * A device backend whose toHost does nothing when called from one line ({@code Class.method:line});
     * it records every other call site in the learner and layers and whether that call changed the host's data.
     */
    static final class ToHostDropper implements Backend {
        final Backend d;
        final String drop;
        final Map<String, Boolean> sites = new TreeMap<>();

        ToHostDropper(Backend d, String drop) {
            this.d = d;
            this.drop = drop;
        }

        private static String caller() {
            return StackWalker.getInstance().walk(frames -> frames
                    .filter(f -> !f.getClassName().equals(ToHostDropper.class.getName()))
                    .findFirst()
                    .map(f -> f.getClassName().substring(f.getClassName().lastIndexOf('.') + 1) + "." + f.getMethodName() + ":" + f.getLineNumber())
                    .orElse("?"));
        }

        @Override
        public void toHost(Tensor t) {
            String site = caller();
            if (site.equals(drop)) return;
            if (site.contains(".syncToHost:")) {                  // the comparison's own read-back
                d.toHost(t);
                return;
            }
            float[] before = t.data.clone();
            d.toHost(t);
            sites.merge(site, !Arrays.equals(before, t.data), Boolean::logicalOr);
        }

        @Override public String name() { return "toHost-dropping " + d.name(); }
        @Override public boolean hostResident() { return d.hostResident(); }
        @Override public void hostWrote(Tensor t) { d.hostWrote(t); }
        @Override public void close() { d.close(); }
        @Override public void gemm(boolean ta, boolean tb, float alpha, Tensor a, Tensor b, float beta, Tensor c) { d.gemm(ta, tb, alpha, a, b, beta, c); }
        @Override public void addRowBias(Tensor y, Tensor bias) { d.addRowBias(y, bias); }
        @Override public void sumRowsInto(Tensor dy, Tensor db) { d.sumRowsInto(dy, db); }
        @Override public void conv2dForward(Conv2dShape g, Tensor x, Tensor w, Tensor b, Tensor y) { d.conv2dForward(g, x, w, b, y); }
        @Override public void conv2dBackwardData(Conv2dShape g, Tensor dy, Tensor w, Tensor dx) { d.conv2dBackwardData(g, dy, w, dx); }
        @Override public void conv2dBackwardWeights(Conv2dShape g, Tensor x, Tensor dy, Tensor dw, Tensor db) { d.conv2dBackwardWeights(g, x, dy, dw, db); }
        @Override public void reluForward(Tensor x, Tensor y) { d.reluForward(x, y); }
        @Override public void reluBackward(Tensor y, Tensor dy, Tensor dx) { d.reluBackward(y, dy, dx); }
        @Override public float gatheredLoss(LossKind k, float delta, Tensor q, int[] a, Tensor t, Tensor dq) { return d.gatheredLoss(k, delta, q, a, t, dq); }
        @Override public void rowMax(Tensor q, Tensor max, int[] argmax) { d.rowMax(q, max, argmax); }
        @Override public void tdTarget(Tensor q, int[] a, float[] r, float[] discounts, Tensor t) { d.tdTarget(q, a, r, discounts, t); }
        @Override public void u8ToFloat(byte[] src, int offset, float scale, Tensor dst) { d.u8ToFloat(src, offset, scale, dst); }
        @Override public double sumOfSquares(Tensor t) { return d.sumOfSquares(t); }
        @Override public void scale(Tensor t, float s) { d.scale(t, s); }
        @Override public void scaleRows(Tensor t, float[] w) { d.scaleRows(t, w); }
        @Override public void copy(Tensor src, Tensor dst) { d.copy(src, dst); }
        @Override public void fill(Tensor t, float value) { d.fill(t, value); }
        @Override public void adamUpdate(Tensor p, Tensor g, Tensor m, Tensor v, float lr, float b1, float b2, float eps, long step) {
            d.adamUpdate(p, g, m, v, lr, b1, b2, eps, step);
        }
        @Override public void rmsPropUpdate(Tensor p, Tensor g, Tensor s, Tensor ga, Tensor buf, float lr, float alpha, float eps, float mu, boolean inside) {
            d.rmsPropUpdate(p, g, s, ga, buf, lr, alpha, eps, mu, inside);
        }
        @Override public void sgdUpdate(Tensor p, Tensor g, Tensor buf, float lr, float mu) { d.sgdUpdate(p, g, buf, lr, mu); }
    }

    @Test
    void greedyActionsAgreeAndTheTargetSyncIsExact() {
        OpenClTesting.assumeIcd();
        DqnConfig c = DqnConfig.preset("minatar");
        try (Backend dev = new OpenClBackend(0, true, false)) {
            DqnLearner l = DqnLearner.fromConfig(dev, c, new int[] {4, 10, 10}, ObservationEncoding.BINARY, 6, 5);
            DqnLearner ref = DqnLearner.fromConfig(new ReferenceBackend(), c, new int[] {4, 10, 10}, ObservationEncoding.BINARY, 6, 5);
            ReplayBuffer r1 = replay(4, 2), r2 = replay(4, 2);
            for (int i = 0; i < 3; i++) { l.update(r1); ref.update(r2); }
            Random rng = new Random(4);
            byte[][] obs = new byte[5][400];
            for (byte[] o : obs) for (int i = 0; i < o.length; i++) o[i] = (byte) rng.nextInt(2);
            int[] a = new int[5], b = new int[5];
            l.greedy(obs, 5, a);
            ref.greedy(obs, 5, b);
            assertArrayEquals(b, a);
            l.updateTarget();
            l.syncToHost();
            List<Parameter> on = l.online.parameters(), tg = l.target.parameters();
            for (int i = 0; i < on.size(); i++) assertArrayEquals(on.get(i).value().data, tg.get(i).value().data, "device copy of " + on.get(i).name());
        }
    }

    static void assertNetworksClose(List<Parameter> ref, List<Parameter> dev, String what) {
        for (int i = 0; i < ref.size(); i++) assertClose(ref.get(i).value().data, dev.get(i).value().data, what + " " + ref.get(i).name());
    }

    static void assertClose(float[] ref, float[] dev, String what) {
        double maxAbs = 0, maxErr = 0;
        for (int i = 0; i < ref.length; i++) {
            maxAbs = Math.max(maxAbs, Math.abs(ref[i]));
            maxErr = Math.max(maxErr, Math.abs((double) ref[i] - dev[i]));
        }
        assertTrue(maxErr <= 1e-4 * Math.max(maxAbs, 1e-6), what + ": max error " + maxErr + " for max |value| " + maxAbs);
    }
}
