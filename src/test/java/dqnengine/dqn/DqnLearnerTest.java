package dqnengine.dqn;

import dqnengine.backend.cpu.ReferenceBackend;
import dqnengine.env.ObservationEncoding;
import dqnengine.nn.Sequential;
import dqnengine.optim.Sgd;
import dqnengine.replay.ReplayBuffer;
import dqnengine.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

/** The TD target and loss of one update, recomputed by hand from the networks' own outputs. */
class DqnLearnerTest {

    private static DqnConfig tiny(boolean doubleDqn, String loss) {
        DqnConfig c = DqnConfig.preset("cartpole");
        c.hidden = new int[] {8};
        c.batchSize = 4;
        c.learningStarts = 4;
        c.loss = loss;
        c.doubleDqn = doubleDqn;
        c.optimizer = "sgd";
        c.lr = 1e-3;
        return c;
    }

    /** One transition repeated: s = (1,2,3,4) → s' = (5,6,7,8), action 1, reward 0.5. */
    private static ReplayBuffer oneTransition(boolean terminated, boolean truncated) {
        ReplayBuffer r = new ReplayBuffer(100, 1, 16, 1, 3);
        r.start(0, floats(1, 2, 3, 4));
        r.add(0, 1, 0.5f, terminated, truncated, floats(5, 6, 7, 8));
        return r;
    }

    private static byte[] floats(float... v) {
        byte[] b = new byte[4 * v.length];
        for (int i = 0; i < v.length; i++) ObservationEncoding.putFloat(b, 4 * i, v[i]);
        return b;
    }

    private static float[] q(Sequential net, float... x) {
        return net.forward(new ReferenceBackend(), Tensor.wrap(x.clone(), 1, 4)).data.clone();
    }

    private static float expectedLoss(boolean doubleDqn, boolean terminated, String loss, DqnLearner l) {
        float[] qs = q(l.online, 1, 2, 3, 4), qNextTarget = q(l.target, 5, 6, 7, 8), qNextOnline = q(l.online, 5, 6, 7, 8);
        int best = qNextOnline[0] >= qNextOnline[1] ? 0 : 1;
        float bootstrap = doubleDqn ? qNextTarget[best] : Math.max(qNextTarget[0], qNextTarget[1]);
        float y = 0.5f + (terminated ? 0f : 0.99f * bootstrap);
        float e = qs[1] - y;
        return loss.equals("mse") ? e * e : (Math.abs(e) <= 1 ? 0.5f * e * e : Math.abs(e) - 0.5f);
    }

    @Test
    void targetsBootstrapFromTheTargetNetworkUnlessTerminal() {
        for (boolean terminated : new boolean[] {false, true}) {
            for (String loss : new String[] {"huber", "mse"}) {
                DqnLearner l = DqnLearner.fromConfig(new ReferenceBackend(), tiny(false, loss), new int[] {4}, ObservationEncoding.FLOAT32, 2, 11);
                perturbTarget(l);
                float want = expectedLoss(false, terminated, loss, l);
                float got = l.update(oneTransition(terminated, false));
                assertEquals(want, got, 1e-5 * Math.max(1, Math.abs(want)), "terminated=" + terminated + " loss=" + loss);
            }
        }
    }

    @Test
    void truncationBootstrapsLikeANonTerminalStep() {
        DqnLearner a = DqnLearner.fromConfig(new ReferenceBackend(), tiny(false, "mse"), new int[] {4}, ObservationEncoding.FLOAT32, 2, 5);
        perturbTarget(a);
        float want = expectedLoss(false, false, "mse", a);
        assertEquals(want, a.update(oneTransition(false, true)), 1e-5 * Math.max(1, Math.abs(want)));
    }

    @Test
    void doubleDqnTakesTheOnlineArgmaxAndTheTargetValue() {
        DqnLearner l = DqnLearner.fromConfig(new ReferenceBackend(), tiny(true, "mse"), new int[] {4}, ObservationEncoding.FLOAT32, 2, 13);
        perturbTarget(l);
        float[] on = q(l.online, 5, 6, 7, 8), tg = q(l.target, 5, 6, 7, 8);
        int onlineBest = on[0] >= on[1] ? 0 : 1, targetBest = tg[0] >= tg[1] ? 0 : 1;
        // The check has teeth only where the online argmax and the target argmax disagree: this
        // seed and perturbation are chosen so that they do, and the two losses (both computed
        // before the update, from the same weights) are far apart.
        assertNotEquals(onlineBest, targetBest, "precondition: the online and target networks prefer different actions at s'");
        float want = expectedLoss(true, false, "mse", l), plainDqn = expectedLoss(false, false, "mse", l);
        assertTrue(Math.abs(want - plainDqn) > 1e-2 * Math.max(1, Math.abs(want)),
                "precondition: Double DQN's loss " + want + " and plain DQN's " + plainDqn + " differ here");
        float got = l.update(oneTransition(false, false));
        assertEquals(want, got, 1e-5 * Math.max(1, Math.abs(want)), "Double DQN evaluates the online argmax with the target network");
        assertNotEquals(plainDqn, got, 1e-5 * Math.max(1, Math.abs(plainDqn)), "not the plain DQN target max_a' Q(s', a'; θ⁻)");
    }

    /**
     * Three SGD updates, each checked against θ − lr·∇ with ∇ derived here by hand (in double,
     * from the learner's weights, for the 4→8→2 ReLU network and the batch the learner samples);
     * the target network stays as it was until {@link DqnLearner#updateTarget()}, and each update
     * lowers the loss on its own batch. Deleting {@code optimizer.step} leaves θ unchanged;
     * {@code backward} in place of {@code backwardFresh} adds the previous update's gradient into the second one.
     */
    @Test
    void sgdUpdatesMoveTheOnlineWeightsByMinusLrTimesTheGradientAndLeaveTheTarget() {
        for (String lossKind : new String[] {"mse", "huber"}) {
            DqnConfig c = tiny(false, lossKind);
            c.lr = 0.05;
            c.maxGradNorm = 0;
            DqnLearner l = DqnLearner.fromConfig(new ReferenceBackend(), c, new int[] {4}, ObservationEncoding.FLOAT32, 2, 31);
            perturbTarget(l);
            var params = l.online.parameters();
            assertEquals(List.of("0.weight", "0.bias", "2.weight", "2.bias"), params.stream().map(p -> p.name()).toList());
            float[][] targetBefore = copy(l.target);
            // The learner and this test sample from twin buffers: same seed, same contents, same batches.
            ReplayBuffer replay = fewTransitions(), twin = fewTransitions();
            ReplayBuffer.Batch batch = new ReplayBuffer.Batch(c.batchSize);
            for (int u = 0; u < 3; u++) {
                float[][] before = copy(l.online);
                twin.sample(batch);
                float[] s = new float[batch.size * 4], s2 = new float[batch.size * 4];
                twin.gather(batch, false, ObservationEncoding.FLOAT32, s);
                twin.gather(batch, true, ObservationEncoding.FLOAT32, s2);
                double[][] grad = new double[4][];
                double lossBefore = handLossAndGrad(before, targetBefore, batch, s, s2, lossKind, grad);

                float got = l.update(replay);
                assertEquals(lossBefore, got, 1e-5 * Math.max(1, Math.abs(lossBefore)), lossKind + " update " + u + ": the loss returned");
                float[][] after = copy(l.online);
                double largest = 0;
                for (int p = 0; p < 4; p++) {
                    for (int i = 0; i < after[p].length; i++) {
                        double want = before[p][i] - c.lr * grad[p][i];
                        largest = Math.max(largest, Math.abs(c.lr * grad[p][i]));
                        assertEquals(want, after[p][i], 2e-6 + 1e-5 * Math.abs(want),
                                lossKind + " update " + u + ": " + params.get(p).name() + "[" + i + "] = before − lr·∇");
                    }
                }
                assertTrue(largest > 1e-3, "the step is large enough to see (" + largest + ")");
                assertTrue(Arrays.deepEquals(targetBefore, copy(l.target)), "the target network is unchanged by update " + u);
                double lossAfter = handLossAndGrad(after, targetBefore, batch, s, s2, lossKind, new double[4][]);
                assertTrue(lossAfter < lossBefore, lossKind + " update " + u + ": the loss on the same batch fell, " + lossBefore + " → " + lossAfter);
            }
            l.updateTarget();
            assertTrue(Arrays.deepEquals(copy(l.online), copy(l.target)), "the sync copies the online network");
        }
    }

    /** Six transitions over three episodes: both actions, rewards up to 2, a terminal and a truncation. */
    private static ReplayBuffer fewTransitions() {
        ReplayBuffer r = new ReplayBuffer(100, 1, 16, 1, 9);
        r.start(0, floats(0.5f, -1, 2, 0.3f));
        r.add(0, 0, 1f, false, false, floats(1, 0.2f, -0.7f, 1.5f));
        r.add(0, 1, -0.5f, false, false, floats(-1.2f, 0.4f, 0.9f, -2));
        r.add(0, 1, 2f, true, false, floats(0.1f, 0.1f, 0.1f, 0.1f));
        r.start(0, floats(2, -2, 1, -1));
        r.add(0, 0, 0f, false, false, floats(1.5f, -0.5f, 0.3f, 0.8f));
        r.add(0, 1, 0.25f, false, true, floats(-0.3f, 1.1f, -1.4f, 0.6f));
        r.start(0, floats(0.7f, 0.7f, -0.7f, -0.7f));
        r.add(0, 0, -1f, false, false, floats(0, 1, 0, 1));
        return r;
    }

    private static float[][] copy(Sequential net) {
        return net.parameters().stream().map(p -> p.value().data.clone()).toArray(float[][]::new);
    }

    /** Q(x) of the 4→8→2 ReLU network with parameters {W1 [8,4], b1, W2 [2,8], b2}; {@code h} gets the hidden pre-activations. */
    private static double[] mlp(float[][] w, float[] x, int off, double[] h) {
        for (int k = 0; k < 8; k++) {
            double z = w[1][k];
            for (int i = 0; i < 4; i++) z += (double) w[0][k * 4 + i] * x[off + i];
            h[k] = z;
        }
        double[] q = new double[2];
        for (int a = 0; a < 2; a++) {
            q[a] = w[3][a];
            for (int k = 0; k < 8; k++) q[a] += (double) w[2][a * 8 + k] * Math.max(0, h[k]);
        }
        return q;
    }

    /**
     * The DQN loss mean_j ℓ(Q(s_j,a_j) − y_j), y_j = r_j + γ(1 − done_j) max_a Q⁻(s'_j, a), and its
     * gradient with respect to the online parameters, backpropagated by hand into {@code grad}.
     */
    private static double handLossAndGrad(float[][] online, float[][] target, ReplayBuffer.Batch b, float[] s, float[] s2,
                                          String lossKind, double[][] grad) {
        for (int p = 0; p < 4; p++) grad[p] = new double[online[p].length];
        double total = 0;
        double[] h = new double[8], h2 = new double[8];
        for (int j = 0; j < b.size; j++) {
            double[] qn = mlp(target, s2, 4 * j, h2);
            double y = b.rewards[j] + (b.terminated[j] != 0 ? 0 : 0.99 * Math.max(qn[0], qn[1]));
            double[] q = mlp(online, s, 4 * j, h);
            int a = b.actions[j];
            double e = q[a] - y;
            double dl;
            if (lossKind.equals("mse")) {
                total += e * e;
                dl = 2 * e;
            } else {
                total += Math.abs(e) <= 1 ? 0.5 * e * e : Math.abs(e) - 0.5;
                dl = Math.max(-1, Math.min(1, e));
            }
            dl /= b.size;
            grad[3][a] += dl;
            for (int k = 0; k < 8; k++) {
                grad[2][a * 8 + k] += dl * Math.max(0, h[k]);
                double dz = h[k] > 0 ? dl * online[2][a * 8 + k] : 0;
                grad[1][k] += dz;
                for (int i = 0; i < 4; i++) grad[0][k * 4 + i] += dz * s[4 * j + i];
            }
        }
        return total / b.size;
    }

    @Test
    void polyakAveragingMovesTheTargetByTau() {
        DqnConfig c = tiny(false, "mse");
        c.tau = 0.25;
        DqnLearner l = DqnLearner.fromConfig(new ReferenceBackend(), c, new int[] {4}, ObservationEncoding.FLOAT32, 2, 17);
        perturbTarget(l);
        float on = l.online.parameters().get(0).value().data[3], before = l.target.parameters().get(0).value().data[3];
        l.updateTarget();
        assertEquals(0.25f * on + 0.75f * before, l.target.parameters().get(0).value().data[3], 1e-7);
    }

    /**
     * A learner reads the few settings it is given and nothing else: one built from explicit
     * {@link DqnLearner.Settings} and networks updates exactly as one built by {@code fromConfig},
     * and changing the config after {@code fromConfig} changes nothing.
     */
    @Test
    void aLearnerUsesTheSettingsItWasGivenAndNotTheConfig() {
        DqnConfig c = tiny(true, "huber");
        c.tau = 0.5;
        DqnLearner.Settings settings = new DqnLearner.Settings(4, true, "huber", 1.0, false, 0, 0.5);
        assertEquals(settings, DqnLearner.Settings.of(c));
        DqnLearner fromConfig = DqnLearner.fromConfig(new ReferenceBackend(), c, new int[] {4}, ObservationEncoding.FLOAT32, 2, 7);
        Random init = new Random(7);
        Sequential online = DqnLearner.build(c, new int[] {4}, 2, init), target = DqnLearner.build(c, new int[] {4}, 2, init);
        target.copyParametersFrom(online);
        DqnLearner explicit = new DqnLearner(new ReferenceBackend(), settings, online, target, new Sgd(online.parameters(), 1e-3f),
                new int[] {4}, ObservationEncoding.FLOAT32, 2);
        c.doubleDqn = false;                     // too late: the learners have their settings
        c.loss = "mse";
        c.tau = 1.0;
        c.lossReduction = "sum";
        perturbTarget(fromConfig);
        perturbTarget(explicit);
        for (int k = 0; k < 3; k++) {
            assertEquals(fromConfig.update(oneTransition(false, false)), explicit.update(oneTransition(false, false)), "loss of update " + k);
            fromConfig.updateTarget();
            explicit.updateTarget();
        }
        for (int i = 0; i < online.parameters().size(); i++) {
            assertArrayEquals(fromConfig.online.parameters().get(i).value().data, explicit.online.parameters().get(i).value().data);
            assertArrayEquals(fromConfig.target.parameters().get(i).value().data, explicit.target.parameters().get(i).value().data);
        }
    }

    /** Makes the target network differ from the online one, as it does between syncs. */
    private static void perturbTarget(DqnLearner l) {
        Random r = new Random(1);
        for (var p : l.target.parameters()) for (int i = 0; i < p.value().data.length; i++) p.value().data[i] += 0.3f * (float) r.nextGaussian();
    }

    @Test
    void theDuelingNetworkTrainsThroughTheSameUpdate() {
        DqnConfig c = tiny(false, "huber");
        c.dueling = true;
        c.hidden = new int[] {8, 6};
        DqnLearner l = DqnLearner.fromConfig(new ReferenceBackend(), c, new int[] {4}, ObservationEncoding.FLOAT32, 2, 23);
        assertTrue(l.online.parameters().stream().anyMatch(p -> p.name().endsWith("value.2.weight")), "has a value stream");
        perturbTarget(l);
        float want = expectedLoss(false, false, "huber", l);
        assertEquals(want, l.update(oneTransition(false, false)), 1e-5 * Math.max(1, Math.abs(want)));
    }

    /** A replay of 40 transitions with random observations, the same for the same seed. */
    private static ReplayBuffer randomTransitions(long seed) {
        Random r = new Random(seed);
        ReplayBuffer rb = new ReplayBuffer(100, 1, 16, 1, seed);
        rb.start(0, floats(r.nextFloat(), r.nextFloat(), r.nextFloat(), r.nextFloat()));
        for (int i = 0; i < 40; i++) {
            boolean end = i % 13 == 12;
            rb.add(0, r.nextInt(2), r.nextFloat() - 0.5f, end, false, floats(r.nextFloat(), r.nextFloat(), r.nextFloat(), r.nextFloat()));
            if (end) rb.start(0, floats(r.nextFloat(), r.nextFloat(), r.nextFloat(), r.nextFloat()));
        }
        return rb;
    }

    /**
     * On two threads the fast CPU backend runs each update's two forward passes, and each linear
     * layer's two gradients, at the same time (Backend.runBoth): the weights after several updates
     * equal one thread's bit for bit, with and without Double DQN.
     */
    @Test
    void updatesOnTwoThreadsEqualUpdatesOnOneBitForBit() {
        for (boolean doubleDqn : new boolean[] {false, true}) {
            DqnConfig c = tiny(doubleDqn, "huber");
            c.hidden = new int[] {40, 40};
            c.batchSize = 16;
            List<float[]> weights = new java.util.ArrayList<>();
            for (int threads : new int[] {1, 2}) {
                try (var be = new dqnengine.backend.cpu.FastCpuBackend(threads)) {
                    DqnLearner l = DqnLearner.fromConfig(be, c, new int[] {4}, ObservationEncoding.FLOAT32, 2, 21);
                    perturbTarget(l);
                    ReplayBuffer rb = randomTransitions(9);
                    for (int step = 0; step < 5; step++) l.update(rb);
                    weights.add(TrainerBehaviourTest.flat(l.online.parameters()));
                }
            }
            assertArrayEquals(weights.get(0), weights.get(1), "doubleDqn=" + doubleDqn);
            assertFalse(Arrays.equals(weights.get(0), new float[weights.get(0).length]), "the weights are not all zero");
        }
    }

    /**
     * A batch large enough that a CPU backend of two threads decodes s and s' from the replay at once (Atari's
     * path): the weights after several updates equal those of the same learner decoding them one after the other,
     * bit for bit.
     */
    @Test
    void aLargeBatchDecodedOnTwoCoresGivesTheSameUpdates() {
        int obs = 1024, batch = 64;
        assertTrue(batch * obs >= DqnLearner.CONCURRENT_LOAD_FLOATS, "the batch must take the concurrent path");
        DqnConfig c = tiny(false, "huber");
        c.batchSize = batch;
        List<float[]> weights = new java.util.ArrayList<>();
        for (boolean concurrent : new boolean[] {true, false}) {
            try (var be = new dqnengine.backend.cpu.FastCpuBackend(2)) {
                DqnLearner l = DqnLearner.fromConfig(be, c, new int[] {obs}, ObservationEncoding.FLOAT32, 2, 21);
                if (!concurrent) l.concurrentLoadFloats = Integer.MAX_VALUE;
                perturbTarget(l);
                Random r = new Random(4);
                ReplayBuffer rb = new ReplayBuffer(200, 1, 4 * obs, 1, 4);
                rb.start(0, randomFloats(r, obs));
                for (int i = 0; i < 150; i++) {
                    boolean end = i % 37 == 36;
                    rb.add(0, r.nextInt(2), r.nextFloat() - 0.5f, end, false, randomFloats(r, obs));
                    if (end) rb.start(0, randomFloats(r, obs));
                }
                for (int step = 0; step < 4; step++) l.update(rb);
                weights.add(TrainerBehaviourTest.flat(l.online.parameters()));
            }
        }
        assertArrayEquals(weights.get(1), weights.get(0));
        assertFalse(Arrays.equals(weights.get(0), new float[weights.get(0).length]), "the weights are not all zero");
    }

    private static byte[] randomFloats(Random r, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = r.nextFloat() - 0.5f;
        return floats(v);
    }

    @Test
    void theOnlineAndTargetNetworksMustBeTwoNetworks() {
        DqnLearner l = DqnLearner.fromConfig(new ReferenceBackend(), tiny(false, "huber"), new int[] {4}, ObservationEncoding.FLOAT32, 2, 3);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new DqnLearner(new ReferenceBackend(),
                DqnLearner.Settings.of(tiny(false, "huber")), l.online, l.online, new Sgd(l.online.parameters(), 1e-3f, 0f), new int[] {4},
                ObservationEncoding.FLOAT32, 2));
        assertTrue(e.getMessage().contains("two networks"), e.getMessage());
    }
}
