package dqnengine.dqn;

import dqnengine.backend.cpu.ReferenceBackend;
import dqnengine.env.ObservationEncoding;
import dqnengine.replay.ReplayBuffer;
import dqnengine.tensor.Tensor;
import org.junit.jupiter.api.Test;

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

    private static float[] q(dqnengine.nn.Sequential net, float... x) {
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
                DqnLearner l = new DqnLearner(new ReferenceBackend(), tiny(false, loss), new int[] {4}, ObservationEncoding.FLOAT32, 2, 11);
                perturbTarget(l);
                float want = expectedLoss(false, terminated, loss, l);
                float got = l.update(oneTransition(terminated, false));
                assertEquals(want, got, 1e-5 * Math.max(1, Math.abs(want)), "terminated=" + terminated + " loss=" + loss);
            }
        }
    }

    @Test
    void truncationBootstrapsLikeANonTerminalStep() {
        DqnLearner a = new DqnLearner(new ReferenceBackend(), tiny(false, "mse"), new int[] {4}, ObservationEncoding.FLOAT32, 2, 5);
        perturbTarget(a);
        float want = expectedLoss(false, false, "mse", a);
        assertEquals(want, a.update(oneTransition(false, true)), 1e-5 * Math.max(1, Math.abs(want)));
    }

    @Test
    void doubleDqnTakesTheOnlineArgmaxAndTheTargetValue() {
        DqnLearner l = new DqnLearner(new ReferenceBackend(), tiny(true, "mse"), new int[] {4}, ObservationEncoding.FLOAT32, 2, 13);
        perturbTarget(l);
        float[] on = q(l.online, 5, 6, 7, 8), tg = q(l.target, 5, 6, 7, 8);
        int onlineBest = on[0] >= on[1] ? 0 : 1, targetBest = tg[0] >= tg[1] ? 0 : 1;
        float want = expectedLoss(true, false, "mse", l);
        assertEquals(want, l.update(oneTransition(false, false)), 1e-5 * Math.max(1, Math.abs(want)));
        if (onlineBest != targetBest) {
            assertNotEquals(expectedLoss(false, false, "mse", l), want, "the two targets differ here, so the check has teeth");
        }
    }

    @Test
    void polyakAveragingMovesTheTargetByTau() {
        DqnConfig c = tiny(false, "mse");
        c.tau = 0.25;
        DqnLearner l = new DqnLearner(new ReferenceBackend(), c, new int[] {4}, ObservationEncoding.FLOAT32, 2, 17);
        perturbTarget(l);
        float on = l.online.parameters().get(0).value().data[3], before = l.target.parameters().get(0).value().data[3];
        l.updateTarget();
        assertEquals(0.25f * on + 0.75f * before, l.target.parameters().get(0).value().data[3], 1e-7);
    }

    /** Makes the target network differ from the online one, as it does between syncs. */
    private static void perturbTarget(DqnLearner l) {
        java.util.Random r = new java.util.Random(1);
        for (var p : l.target.parameters()) for (int i = 0; i < p.value().data.length; i++) p.value().data[i] += 0.3f * (float) r.nextGaussian();
    }

    @Test
    void theDuelingNetworkTrainsThroughTheSameUpdate() {
        DqnConfig c = tiny(false, "huber");
        c.dueling = true;
        c.hidden = new int[] {8, 6};
        DqnLearner l = new DqnLearner(new ReferenceBackend(), c, new int[] {4}, ObservationEncoding.FLOAT32, 2, 23);
        assertTrue(l.online.parameters().stream().anyMatch(p -> p.name().endsWith("value.2.weight")), "has a value stream");
        perturbTarget(l);
        float want = expectedLoss(false, false, "huber", l);
        assertEquals(want, l.update(oneTransition(false, false)), 1e-5 * Math.max(1, Math.abs(want)));
    }
}
