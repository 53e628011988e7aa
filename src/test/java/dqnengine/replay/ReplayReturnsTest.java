package dqnengine.replay;

import dqnengine.env.ObservationEncoding;
import dqnengine.util.Rng;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** n-step returns built at sample time, and prioritized sampling, against hand computations. */
class ReplayReturnsTest {

    /** One frame of one byte per observation (stack 1): the byte is the observation's number. */
    private static byte[] obs(int k) { return new byte[] {(byte) k}; }

    private static float nextByte(ReplayBuffer b, ReplayBuffer.Batch batch, int i) {
        byte[] out = new byte[batch.size];
        b.gatherBytes(batch, true, out);
        return out[i];
    }

    /** Samples until a transition of {@code stream} at absolute step {@code slot} is drawn; its row. */
    private static int draw(ReplayBuffer b, ReplayBuffer.Batch batch, int stream, long slot) {
        for (int tries = 0; tries < 10_000; tries++) {
            b.sample(batch);
            for (int i = 0; i < batch.size; i++) if (batch.stream[i] == stream && batch.slot[i] == slot) return i;
        }
        throw new AssertionError("transition " + slot + " of stream " + stream + " was never drawn");
    }

    @Test
    void threeStepReturnsByHandWithATerminalAndATruncationInsideTheWindow() {
        ReplayBuffer b = new ReplayBuffer(64, 1, 1, 1, 3);
        b.setReturns(3, 0.5);
        // episode 1: observations 1..5, rewards 1, 2, 4, 8, terminal on the 4th step
        b.start(0, obs(1));
        b.add(0, 0, 1f, false, false, obs(2));     // slot 0
        b.add(0, 1, 2f, false, false, obs(3));     // slot 1
        b.add(0, 0, 4f, false, false, obs(4));     // slot 2
        b.add(0, 1, 8f, true, false, obs(5));      // slot 3: terminal
        // episode 2: observations 11..13, rewards 16, 32, truncated on the 2nd step
        b.start(0, obs(11));                       // slot 5 (slot 4 holds obs 5, the terminal observation)
        b.add(0, 0, 16f, false, false, obs(12));   // slot 5
        b.add(0, 1, 32f, false, true, obs(13));    // slot 6: truncated
        // episode 3 under way: 21, 22, 23
        b.start(0, obs(21));                       // slot 8
        b.add(0, 0, 1f, false, false, obs(22));    // slot 8
        b.add(0, 0, 1f, false, false, obs(23));    // slot 9
        ReplayBuffer.Batch batch = new ReplayBuffer.Batch(4);

        int i = draw(b, batch, 0, 0);             // a full window: 1 + 0.5·2 + 0.25·4, bootstrap 0.125 from s_3 (obs 4)
        assertEquals(3f, batch.rewards[i]);
        assertEquals(0.125f, batch.discount[i]);
        assertEquals(3, batch.nextOffset[i]);
        assertEquals(4, nextByte(b, batch, i));
        assertEquals(0f, batch.terminated[i]);

        i = draw(b, batch, 0, 2);                 // the terminal inside the window: 4 + 0.5·8, no bootstrap
        assertEquals(8f, batch.rewards[i]);
        assertEquals(0f, batch.discount[i]);
        assertEquals(1f, batch.terminated[i]);
        assertEquals(5, nextByte(b, batch, i));

        i = draw(b, batch, 0, 3);                 // the terminal step itself
        assertEquals(8f, batch.rewards[i]);
        assertEquals(0f, batch.discount[i]);

        i = draw(b, batch, 0, 5);                 // the truncation inside the window: 16 + 0.5·32, bootstrap 0.25 from obs 13
        assertEquals(32f, batch.rewards[i]);
        assertEquals(0.25f, batch.discount[i]);
        assertEquals(0f, batch.terminated[i]);
        assertEquals(13, nextByte(b, batch, i));

        // episode 3's windows reach past the newest step (their rewards are not known yet): never drawn
        for (int t = 0; t < 2_000; t++) {
            b.sample(batch);
            for (int k = 0; k < batch.size; k++) assertTrue(batch.slot[k] < 8, "drew " + batch.slot[k] + ", whose 3-step window is incomplete");
        }
    }

    @Test
    void canSampleWaitsForACompleteWindowOnSomeStream() {
        ReplayBuffer b = new ReplayBuffer(64, 2, 1, 1, 3);
        b.setReturns(3, 0.9);
        for (int s = 0; s < 2; s++) {
            b.start(s, obs(1));
            b.add(s, 0, 1f, false, false, obs(2));
            b.add(s, 0, 1f, false, false, obs(3));
        }
        assertFalse(b.canSample(), "two steps per stream: no 3-step window is complete (sampling would never end)");
        assertThrows(IllegalStateException.class, () -> b.sample(new ReplayBuffer.Batch(4)));
        b.add(1, 0, 1f, false, false, obs(4));
        assertTrue(b.canSample(), "stream 1 has one now");
        ReplayBuffer.Batch batch = new ReplayBuffer.Batch(4);
        b.sample(batch);
        for (int i = 0; i < 4; i++) assertEquals(1, batch.stream[i]);
    }

    @Test
    void oneStepTransitionsKeepTheirMeaning() {
        ReplayBuffer b = new ReplayBuffer(64, 1, 1, 1, 3);            // n = 1 by default, gamma 0.99
        b.start(0, obs(1));
        b.add(0, 0, 2f, false, false, obs(2));
        b.add(0, 0, 3f, true, false, obs(3));
        b.start(0, obs(4));
        b.add(0, 0, 5f, false, true, obs(5));
        ReplayBuffer.Batch batch = new ReplayBuffer.Batch(2);
        int i = draw(b, batch, 0, 0);
        assertEquals(2f, batch.rewards[i]);
        assertEquals(0.99f, batch.discount[i]);
        assertEquals(2, nextByte(b, batch, i));
        i = draw(b, batch, 0, 1);
        assertEquals(0f, batch.discount[i]);
        i = draw(b, batch, 0, 3);
        assertEquals(0.99f, batch.discount[i], "a truncation bootstraps");
    }

    /**
     * Against a shadow of everything added, on two streams stepped side by side with episodes of
     * random length, through the ring's wraparound: every sampled n-step transition's reward,
     * discount and next observation are the hand formula's.
     */
    @Test
    void nStepTransitionsEqualTheFormulaAcrossWraparoundOnTwoStreams() {
        int n = 4;
        double gamma = 0.9;
        ReplayBuffer b = new ReplayBuffer(2 * 40, 2, 1, 1, 5);
        b.setReturns(n, gamma);
        Rng r = new Rng(9);
        List<List<float[]>> shadow = List.of(new ArrayList<>(), new ArrayList<>());     // per absolute slot: {obs, reward, terminated, truncated}
        int[] counter = {1, 101};
        for (int s = 0; s < 2; s++) {
            shadow.get(s).add(new float[] {counter[s], 0, 0, 0});
            b.start(s, obs(counter[s]++));
        }
        ReplayBuffer.Batch batch = new ReplayBuffer.Batch(16);
        int checked = 0;
        for (int t = 0; t < 400; t++) {
            for (int s = 0; s < 2; s++) {
                float reward = r.nextInt(5) - 2;
                boolean term = r.nextDouble() < 0.08, trunc = !term && r.nextDouble() < 0.05;
                List<float[]> sh = shadow.get(s);
                sh.get(sh.size() - 1)[1] = reward;
                sh.get(sh.size() - 1)[2] = term ? 1 : 0;
                sh.get(sh.size() - 1)[3] = trunc ? 1 : 0;
                int o = counter[s]++ % 120;
                sh.add(new float[] {o, 0, 0, 0});
                b.add(s, 0, reward, term, trunc, obs(o));
                if (term || trunc) {
                    int f = counter[s]++ % 120;
                    sh.add(new float[] {f, 0, 0, 0});
                    b.start(s, obs(f));
                }
            }
            if (t < 30) continue;
            b.sample(batch);
            byte[] next = new byte[batch.size];
            b.gatherBytes(batch, true, next);
            for (int i = 0; i < batch.size; i++) {
                List<float[]> sh = shadow.get(batch.stream[i]);
                int a = (int) batch.slot[i];
                double reward = 0, g = 1;
                int m = 0;
                boolean terminal = false;
                while (true) {                                     // the definition, step by step
                    float[] step = sh.get(a + m);
                    reward += g * step[1];
                    g *= gamma;
                    m++;
                    if (step[2] == 1) { terminal = true; break; }
                    if (step[3] == 1 || m == n) break;
                }
                assertTrue(a + m < sh.size(), "the window's last observation exists");
                assertEquals(reward, batch.rewards[i], 1e-5, "reward of " + a);
                assertEquals(terminal ? 0 : g, batch.discount[i], 1e-6, "discount of " + a);
                assertEquals((byte) sh.get(a + m)[0], next[i], "next observation of " + a);
                checked++;
            }
        }
        assertTrue(checked > 5_000);
    }

    @Test
    void prioritiesStartAtTheMaxFollowTdErrorsAndAreClearedWhenOverwritten() {
        ReplayBuffer b = new ReplayBuffer(8, 1, 1, 1, 1);
        b.setPrioritized(0.5, 1e-6);
        b.start(0, obs(0));
        for (int k = 1; k <= 4; k++) b.add(0, 0, 0f, false, false, obs(k));
        for (int a = 0; a < 4; a++) assertEquals(1.0, b.priority(0, a), "a new transition gets the max priority (1 before any)");
        assertEquals(0.0, b.priority(0, 4), "the newest observation is no transition yet");
        ReplayBuffer.Batch batch = new ReplayBuffer.Batch(2);
        b.sample(batch, 0.4);
        float[] td = {3f, -0.25f};
        b.updatePriorities(batch, td);
        for (int i = 0; i < 2; i++) {
            if (i == 1 && batch.slot[1] == batch.slot[0]) continue;          // drawn twice: the last update stands
            assertEquals(Math.pow(Math.abs(td[i]) + 1e-6, 0.5), b.priority(0, batch.slot[i]), 1e-12);
        }
        b.add(0, 0, 0f, false, false, obs(5));
        assertEquals(Math.max(1.0, Math.pow(3 + 1e-6, 0.5)), b.priority(0, 4), 1e-12, "the next new one gets the largest so far");
        assertTrue(b.priority(0, 0) > 0);
        for (int k = 6; k <= 8; k++) b.add(0, 0, 0f, false, false, obs(k));      // 8 slots: step 8 is written over step 0
        assertEquals(0.0, b.priority(0, 8), "step 0's priority went with its slot; step 8 is no transition yet");
        assertTrue(b.priority(0, 7) > 0);
    }

    @Test
    void importanceWeightsAndSamplingFollowThePriorities() {
        int n = 10;
        ReplayBuffer b = new ReplayBuffer(64, 1, 1, 1, 21);
        b.setPrioritized(1.0, 1e-6);
        b.start(0, obs(0));
        for (int k = 1; k <= n; k++) b.add(0, 0, 0f, false, false, obs(k));
        // priorities p_a = a + 1 through TD errors (alpha 1)
        ReplayBuffer.Batch one = new ReplayBuffer.Batch(1);
        for (int a = 0; a < n; a++) {
            one.stream[0] = 0;
            one.slot[0] = a;
            b.updatePriorities(one, new float[] {a + 1 - 1e-6f});
        }
        double total = 0;
        for (int a = 0; a < n; a++) total += b.priority(0, a);
        ReplayBuffer.Batch batch = new ReplayBuffer.Batch(5);
        long[] count = new long[n];
        int draws = 0;
        for (int t = 0; t < 20_000; t++) {
            b.sample(batch, 0.6);
            double maxW = 0;
            double[] w = new double[batch.size];
            for (int i = 0; i < batch.size; i++) {
                double p = b.priority(0, batch.slot[i]) / total;
                w[i] = Math.pow(b.size() * p, -0.6);                  // (N·P(i))^−β, N = frames held
                maxW = Math.max(maxW, w[i]);
                count[(int) batch.slot[i]]++;
                draws++;
            }
            for (int i = 0; i < batch.size; i++) assertEquals(w[i] / maxW, batch.weights[i], 1e-5, "weight of " + batch.slot[i]);
        }
        double chi2 = 0;
        for (int a = 0; a < n; a++) {
            double expected = draws * b.priority(0, a) / total;
            chi2 += (count[a] - expected) * (count[a] - expected) / expected;
        }
        assertTrue(chi2 < 27.9, "chi-square with 9 degrees of freedom (99.9%: 27.9): " + chi2);
    }
}
