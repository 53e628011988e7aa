package dqnengine.dqn;

import dqnengine.backend.Backend;
import dqnengine.backend.cpu.FastCpuBackend;
import dqnengine.backend.cpu.ReferenceBackend;
import dqnengine.backend.opencl.OpenClBackend;
import dqnengine.env.ObservationEncoding;
import dqnengine.nn.Parameter;
import dqnengine.replay.ReplayBuffer;
import dqnengine.testing.OpenClTesting;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Prioritized replay with n-step returns gives the same updates on every backend as on the
 * reference: losses, weights, optimizer state and the priorities written back to the replay
 * (which decide every later draw, so any difference would compound). Parity style, as
 * {@code BackendParityTest}: the fast CPU backend always, OpenCL where an ICD is installed.
 */
class PrioritizedNStepParityTest {

    /** A prioritized, n-step replay of random MinAtar-like observations [4,10,10] with terminals and truncations. */
    static ReplayBuffer replay(int nStep, boolean prioritized, long seed) {
        ReplayBuffer r = new ReplayBuffer(2_000, 1, 400, 1, seed);
        r.setReturns(nStep, 0.99);
        if (prioritized) r.setPrioritized(0.5, 1e-6);
        Random rng = new Random(seed);
        byte[] obs = new byte[400];
        for (int i = 0; i < obs.length; i++) obs[i] = (byte) rng.nextInt(2);
        r.start(0, obs);
        for (int t = 0; t < 500; t++) {
            for (int i = 0; i < obs.length; i++) obs[i] = (byte) rng.nextInt(2);
            boolean end = t % 37 == 36;
            r.add(0, rng.nextInt(6), rng.nextFloat() * 2 - 0.6f, end && t % 74 == 36, end && t % 74 == 73, obs);
            if (end) r.start(0, obs);
        }
        return r;
    }

    @ParameterizedTest
    @CsvSource({"3, true, false, false, huber, rmsprop-centered", "3, true, true, true, mse, adam", "1, true, true, false, huber, adam",
            "5, false, false, true, huber, rmsprop-nature"})
    void updatesEqualTheReferenceOnEveryBackend(int nStep, boolean prioritized, boolean doubleDqn, boolean dueling, String loss, String optimizer) {
        List<Supplier<Backend>> others = new ArrayList<>(List.of(() -> new FastCpuBackend(2)));
        if (OpenClTesting.icdInstalled()) others.add(() -> new OpenClBackend(0));
        DqnConfig c = DqnConfig.preset("minatar");
        c.nStep = nStep;
        c.prioritized = prioritized;
        c.doubleDqn = doubleDqn;
        c.dueling = dueling;
        c.loss = loss;
        c.optimizer = optimizer;
        c.optimizerEps = optimizer.equals("adam") ? 1e-8 : 0.01;
        c.lossReduction = optimizer.equals("rmsprop-nature") ? "sum" : "mean";
        c.lr = 1e-3;
        c.batchSize = 8;
        Run ref = run(new ReferenceBackend(), c);
        for (Supplier<Backend> other : others) {
            Run got = run(other.get(), c);
            for (int s = 0; s < ref.losses.length; s++) {
                assertEquals(ref.losses[s], got.losses[s], 1e-4 * Math.max(1, Math.abs(ref.losses[s])), got.name + ": loss of update " + s);
            }
            for (int i = 0; i < ref.online.size(); i++) close(ref.online.get(i).value().data, got.online.get(i).value().data, got.name + " online " + i);
            for (int i = 0; i < ref.priorities.length; i++) {
                assertEquals(ref.priorities[i], got.priorities[i], 1e-4 * Math.max(1e-3, ref.priorities[i]), got.name + ": priority of transition " + i);
            }
        }
    }

    private record Run(String name, float[] losses, List<Parameter> online, double[] priorities) {}

    private static Run run(Backend be, DqnConfig c) {
        try (be) {
            DqnLearner l = DqnLearner.fromConfig(be, c, new int[] {4, 10, 10}, ObservationEncoding.BINARY, 6, 3);
            ReplayBuffer r = replay(c.nStep, c.prioritized, 9);
            float[] losses = new float[8];
            for (int s = 0; s < losses.length; s++) {
                losses[s] = l.update(r, 0.4 + 0.05 * s);
                if (s == 3) l.updateTarget();
            }
            l.syncToHost();
            double[] pri = new double[500];
            if (c.prioritized) for (int a = 0; a < pri.length; a++) pri[a] = priority(r, a);
            return new Run(be.name(), losses, l.online.parameters(), pri);
        }
    }

    private static double priority(ReplayBuffer r, long step) {
        try {
            var m = ReplayBuffer.class.getDeclaredMethod("priority", int.class, long.class);
            m.setAccessible(true);
            return (double) m.invoke(r, 0, step);
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }

    private static void close(float[] ref, float[] got, String what) {
        double maxAbs = 0, maxErr = 0;
        for (int i = 0; i < ref.length; i++) {
            maxAbs = Math.max(maxAbs, Math.abs(ref[i]));
            maxErr = Math.max(maxErr, Math.abs((double) ref[i] - got[i]));
        }
        assertTrue(maxErr <= 1e-4 * Math.max(maxAbs, 1e-6), what + ": max error " + maxErr + " for max |value| " + maxAbs);
    }
}
