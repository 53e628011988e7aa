package dqnengine.walkthrough;

import dqnengine.backend.cpu.ReferenceBackend;
import dqnengine.dqn.DqnConfig;
import dqnengine.dqn.DqnLearner;
import dqnengine.env.ObservationEncoding;
import dqnengine.nn.Parameter;
import dqnengine.nn.Sequential;
import dqnengine.replay.ReplayBuffer;
import dqnengine.testing.TwinReplay;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The one-file DQN ({@link CartPoleDqn}) cannot drift from the engine: from the same weights, on
 * the same minibatch, its {@code update} gives {@code DqnLearner.update}'s loss and new weights,
 * for three updates in a row (Adam's moments carry over) with a target copy between, on batches
 * that hold terminal transitions (y_j = r_j; asserted). The buffer they sample from also holds an
 * episode cut by a time limit, which bootstraps like any non-terminal row; whether a batch drew
 * that row is not asserted.
 */
class WalkthroughTest {
    static final int B = 8, OBS = CartPoleDqn.OBS, A = CartPoleDqn.ACTIONS;
    static final long SEED = 42;

    @Test
    void theWalkthroughsNumbersAreTheCartpolePresets() {
        DqnConfig c = DqnConfig.preset("cartpole");
        assertEquals("mlp", c.network);
        assertArrayEquals(new int[] {CartPoleDqn.HIDDEN, CartPoleDqn.HIDDEN}, c.hidden);
        assertEquals(c.replaySize, CartPoleDqn.REPLAY_SIZE);
        assertEquals(c.batchSize, CartPoleDqn.BATCH);
        assertEquals(c.learningStarts, CartPoleDqn.LEARNING_STARTS);
        assertEquals((float) c.gamma, CartPoleDqn.GAMMA);
        assertEquals("adam", c.optimizer);
        assertEquals((float) c.lr, CartPoleDqn.LR);
        assertEquals((float) c.adamBeta1, CartPoleDqn.ADAM_BETA1);
        assertEquals((float) c.adamBeta2, CartPoleDqn.ADAM_BETA2);
        assertEquals((float) c.optimizerEps, CartPoleDqn.ADAM_EPS);
        assertEquals("mse", c.loss);
        assertEquals("mean", c.lossReduction);
        assertEquals(c.trainEvery, CartPoleDqn.TRAIN_EVERY);
        assertEquals(c.targetEvery, CartPoleDqn.TARGET_EVERY);
        assertEquals(1.0, c.tau);
        assertFalse(c.doubleDqn || c.dueling || c.prioritized);
        assertEquals(1, c.nStep);
        assertEquals(0.0, c.maxGradNorm);
        assertFalse(c.epsilonFromLearningStarts);
        assertEquals(c.epsilonStart, CartPoleDqn.EPS_START);
        assertEquals(c.epsilonEnd, CartPoleDqn.EPS_END);
        assertEquals(c.epsilonSteps, CartPoleDqn.EPS_STEPS);
        assertEquals(c.steps, CartPoleDqn.STEPS);
        assertEquals(c.stopAtReturn, CartPoleDqn.SOLVED);
        for (long step : new long[] {0, 999, 1_000, 5_000, 9_999, 10_000, 150_000}) {
            double engine = step < c.learningStarts ? 1.0 : c.epsilon(step);       // Trainer's acting ε
            assertEquals(engine, CartPoleDqn.epsilon(step), 1e-15, "epsilon at step " + step);
        }
    }

    @Test
    void oneUpdateOfTheWalkthroughIsOneUpdateOfDqnLearner() {
        DqnConfig c = DqnConfig.preset("cartpole");
        c.batchSize = B;
        ReferenceBackend be = new ReferenceBackend();
        DqnLearner learner = DqnLearner.fromConfig(be, c, new int[] {OBS}, ObservationEncoding.FLOAT32, A, SEED);
        CartPoleDqn walk = new CartPoleDqn(SEED);

        // [A1.2], [A1.3]: built from the same seed, the two start from identical θ and θ⁻
        assertSameWeights(learner.online, walk.online, 0, "initial online");
        assertSameWeights(learner.target, walk.target, 0, "initial target");
        assertSameWeights(walk.online, walk.target, 0, "θ⁻ = θ");

        // two identical buffers: the learner samples from one, the walkthrough gets the same batch from the other
        TwinReplay pair = new TwinReplay(64, 4 * OBS, 11);
        ReplayBuffer mine = pair.mine, twin = pair.twin;
        Random r = new Random(5);
        byte[] obs = observation(r);
        pair.start(obs);
        for (int t = 0; t < 40; t++) {
            int action = r.nextInt(A);
            float reward = new float[] {-1f, 0f, 1f, 2.5f}[r.nextInt(4)];
            boolean terminated = t % 4 == 3 && t != 23, truncated = t == 23;          // short episodes; one ends on a time limit
            byte[] next = observation(r);
            pair.add(action, reward, terminated, truncated, next);
            if (terminated || truncated) {
                byte[] first = observation(r);
                pair.start(first);
            }
        }

        ReplayBuffer.Batch batch = new ReplayBuffer.Batch(B);
        float[] sf = new float[B * OBS], snf = new float[B * OBS];
        int terminalRows = 0;
        for (int u = 0; u < 3; u++) {
            twin.sample(batch);
            twin.gather(batch, false, ObservationEncoding.FLOAT32, sf);
            twin.gather(batch, true, ObservationEncoding.FLOAT32, snf);
            float[][] s = new float[B][OBS], sn = new float[B][OBS];
            boolean[] terminal = new boolean[B];
            for (int j = 0; j < B; j++) {
                System.arraycopy(sf, j * OBS, s[j], 0, OBS);
                System.arraycopy(snf, j * OBS, sn[j], 0, OBS);
                terminal[j] = batch.terminated[j] == 1f;
                if (terminal[j]) terminalRows++;
            }

            float expected = learner.update(mine);
            float got = walk.update(s, batch.actions.clone(), batch.rewards.clone(), sn, terminal);
            assertEquals(expected, got, 1e-6 * Math.abs(expected), "loss of update " + (u + 1));
            assertSameWeights(learner.online, walk.online, 1e-6, "online weights after update " + (u + 1));
            assertSameWeights(learner.target, walk.target, 1e-6, "target weights after update " + (u + 1));

            if (u == 1) {                                                              // [A1.15] Q̂ = Q between updates 2 and 3
                learner.updateTarget();
                walk.updateTarget();
                assertSameWeights(learner.target, walk.target, 1e-6, "target weights after the copy");
            }
        }
        assertTrue(terminalRows > 0, "the batches held no terminal transition, so y_j = r_j went untested");
    }

    /** Every parameter of {@code actual} equals {@code expected}'s within {@code rel} (relative; 0: exactly). */
    static void assertSameWeights(Sequential expected, Sequential actual, double rel, String what) {
        List<Parameter> e = expected.parameters(), a = actual.parameters();
        assertEquals(e.size(), a.size(), what + ": parameter count");
        for (int i = 0; i < e.size(); i++) {
            assertEquals(e.get(i).name(), a.get(i).name(), what);
            float[] x = e.get(i).value().data, y = a.get(i).value().data;
            assertEquals(x.length, y.length, what + ": " + e.get(i).name());
            for (int k = 0; k < x.length; k++) {
                if (x[k] == y[k]) continue;
                assertEquals(x[k], y[k], rel * Math.abs(x[k]), what + ": " + e.get(i).name() + "[" + k + "]");
            }
        }
    }

    private static byte[] observation(Random r) {
        byte[] o = new byte[4 * OBS];
        for (int k = 0; k < OBS; k++) ObservationEncoding.putFloat(o, 4 * k, (float) r.nextGaussian());
        return o;
    }
}
