package dqnengine.backend.opencl;

import dqnengine.backend.Backend;
import dqnengine.backend.cpu.ReferenceBackend;
import dqnengine.dqn.DqnConfig;
import dqnengine.dqn.DqnLearner;
import dqnengine.env.ObservationEncoding;
import dqnengine.nn.Parameter;
import dqnengine.replay.ReplayBuffer;
import dqnengine.testing.OpenClTesting;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;
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
    @CsvSource({"rmsprop-centered, huber, false, false, 1.0, false, 0", "adam, mse, true, false, 1.0, false, 0",
            "adam, huber, false, true, 1.0, false, 0", "rmsprop-nature, huber, true, false, 0.5, false, 0",
            "rmsprop-centered, huber, false, false, 1.0, true, 0",
            "sgd, huber, false, false, 1.0, false, 0",                // the sgd kernel: --optimizer sgd
            "rmsprop-centered, mse, false, false, 1.0, false, 0.001"}) // the scale kernel: --max-grad-norm (every step clips)
    void updatesOnTheDeviceEqualTheReference(String optimizer, String loss, boolean doubleDqn, boolean dueling, double tau, boolean im2col,
                                             double maxGradNorm) {
        OpenClTesting.assumeIcd();
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
        float[] losses = new float[2 * 6];
        DqnLearner[] learners = new DqnLearner[2];
        Backend[] backends = {new ReferenceBackend(), new OpenClBackend(0, true, im2col)};
        try {
            for (int b = 0; b < 2; b++) {
                DqnLearner l = new DqnLearner(backends[b], c, new int[] {4, 10, 10}, ObservationEncoding.BINARY, 6, 3);
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
            assertEquals(learners[0].lastMeanMaxQ(), learners[1].lastMeanMaxQ(), 1e-4 * Math.max(1, Math.abs(learners[0].lastMeanMaxQ())));
        } finally {
            for (Backend b : backends) b.close();
        }
    }

    @Test
    void greedyActionsAgreeAndTheTargetSyncIsExact() {
        OpenClTesting.assumeIcd();
        DqnConfig c = DqnConfig.preset("minatar");
        try (Backend dev = new OpenClBackend(0, true, false)) {
            DqnLearner l = new DqnLearner(dev, c, new int[] {4, 10, 10}, ObservationEncoding.BINARY, 6, 5);
            DqnLearner ref = new DqnLearner(new ReferenceBackend(), c, new int[] {4, 10, 10}, ObservationEncoding.BINARY, 6, 5);
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
