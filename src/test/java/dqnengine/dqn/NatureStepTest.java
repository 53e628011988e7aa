package dqnengine.dqn;

import dqnengine.backend.cpu.FastCpuBackend;
import dqnengine.backend.cpu.ReferenceBackend;
import dqnengine.backend.Backend;
import dqnengine.env.ObservationEncoding;
import dqnengine.replay.ReplayBuffer;
import dqnengine.testing.TwinReplay;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The {@code nature} preset takes DeepMind's step: the clipped TD errors summed over the batch
 * (NeuralQLearner.lua passes them to {@code backward} undivided), into centred RMSProp with
 * ε = 0.01 inside the root. Computed here by hand for the first update of a linear Q-function,
 * Q(s) = W s + b, where every gradient term is written out.
 */
class NatureStepTest {
    static final int IN = 3, A = 2, B = 8;

    /** The first update's new weights, by hand: summed (DeepMind) or mean (what the preset did before) gradient. */
    static double[] expectedAfterFirstUpdate(float[] w, float[] b, float[][] s, float[][] sn, ReplayBuffer.Batch batch, DqnConfig c,
                                             boolean sum) {
        double[] g = new double[A * IN + A];                      // dL/dW row-major, then dL/db
        for (int j = 0; j < B; j++) {
            double[] q = new double[A], qn = new double[A];
            for (int a = 0; a < A; a++) {
                q[a] = b[a];
                qn[a] = b[a];                                        // target network == online before the first update
                for (int k = 0; k < IN; k++) {
                    q[a] += w[a * IN + k] * s[j][k];
                    qn[a] += w[a * IN + k] * sn[j][k];
                }
            }
            double y = batch.rewards[j] + c.gamma * (1 - batch.terminated[j]) * Math.max(qn[0], qn[1]);
            double err = q[batch.actions[j]] - y;
            double d = Math.max(-1, Math.min(1, err)) / (sum ? 1 : B);          // Huber's gradient is the clipped error
            for (int k = 0; k < IN; k++) g[batch.actions[j] * IN + k] += d * s[j][k];
            g[A * IN + batch.actions[j]] += d;
        }
        double alpha = 0.95, eps = c.optimizerEps, lr = c.lr;
        double[] out = new double[g.length];
        for (int i = 0; i < g.length; i++) {
            double sq = (1 - alpha) * g[i] * g[i], mean = (1 - alpha) * g[i];    // running means after one step from zero
            double before = i < A * IN ? w[i] : b[i - A * IN];
            out[i] = before - lr * g[i] / Math.sqrt(sq - mean * mean + eps);
        }
        return out;
    }

    @Test
    void theNaturePresetStepsWithTheBatchSumOfClippedErrorsLikeDeepMindsCode() {
        for (Backend be : new Backend[] {new ReferenceBackend(), new FastCpuBackend(2)}) {
            DqnConfig c = DqnConfig.preset("nature");
            assertEquals("sum", c.lossReduction);
            assertEquals("rmsprop-nature", c.optimizer);
            assertEquals(0.01, c.optimizerEps);
            c.network = "mlp";
            c.hidden = new int[0];
            c.batchSize = B;
            DqnLearner learner = DqnLearner.fromConfig(be, c, new int[] {IN}, ObservationEncoding.FLOAT32, A, 3);
            float[] w = learner.online.parameters().get(0).value().data.clone(), b = learner.online.parameters().get(1).value().data.clone();

            // two identical buffers: the learner samples from one, the hand computation the same batch from the other
            TwinReplay pair = new TwinReplay(64, 4 * IN, 11);
            ReplayBuffer mine = pair.mine, twin = pair.twin;
            Random r = new Random(5);
            byte[] obs = observation(r);
            pair.start(obs);
            for (int t = 0; t < 30; t++) {
                int action = r.nextInt(A);
                float reward = new float[] {-3f, 0f, 0.5f, 2f}[r.nextInt(4)];                 // errors both inside and outside [-1, 1]
                boolean terminal = t % 7 == 6;
                byte[] next = observation(r);
                pair.add(action, reward, terminal, false, next);
                if (terminal) {
                    byte[] first = observation(r);
                    pair.start(first);
                }
            }
            ReplayBuffer.Batch batch = new ReplayBuffer.Batch(B);
            twin.sample(batch);
            float[] sf = new float[B * IN], snf = new float[B * IN];
            twin.gather(batch, false, ObservationEncoding.FLOAT32, sf);
            twin.gather(batch, true, ObservationEncoding.FLOAT32, snf);
            float[][] s = new float[B][IN], sn = new float[B][IN];
            for (int j = 0; j < B; j++) {
                System.arraycopy(sf, j * IN, s[j], 0, IN);
                System.arraycopy(snf, j * IN, sn[j], 0, IN);
            }

            learner.update(mine);
            be.toHost(learner.online.parameters().get(0).value());
            be.toHost(learner.online.parameters().get(1).value());
            float[] w1 = learner.online.parameters().get(0).value().data, b1 = learner.online.parameters().get(1).value().data;

            double[] summed = expectedAfterFirstUpdate(w, b, s, sn, batch, c, true);
            double[] mean = expectedAfterFirstUpdate(w, b, s, sn, batch, c, false);
            double farthestFromMean = 0;
            for (int i = 0; i < summed.length; i++) {
                double got = i < A * IN ? w1[i] : b1[i - A * IN];
                double before = i < A * IN ? w[i] : b[i - A * IN];
                assertEquals(summed[i], got, 1e-4 * Math.abs(summed[i] - before) + 1e-9, be.name() + ": parameter " + i);
                farthestFromMean = Math.max(farthestFromMean, Math.abs(got - mean[i]) / Math.abs(mean[i] - before));
            }
            // the check has teeth: the mean-gradient step (what the preset took before) is far from the one taken
            assertTrue(farthestFromMean > 0.3, "the mean and summed steps are too alike to tell apart: " + farthestFromMean);
            be.close();
        }
    }

    private static byte[] observation(Random r) {
        byte[] o = new byte[4 * IN];
        for (int k = 0; k < IN; k++) ObservationEncoding.putFloat(o, 4 * k, (float) (r.nextGaussian() * 2));
        return o;
    }
}
