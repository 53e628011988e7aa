package dqnengine.cluster;

import dqnengine.backend.Backend;
import dqnengine.backend.cpu.FastCpuBackend;
import dqnengine.dqn.DqnConfig;
import dqnengine.dqn.RunDirectory;
import dqnengine.env.Environments;
import dqnengine.io.CsvLog;
import dqnengine.replay.ReplayBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The learner and its actors in one JVM, joined by an in-memory wire instead of Hazelcast: the
 * algorithm of the cluster without the network (ClusterProcessesTest runs the real thing).
 */
class LearnerActorTest {
    @TempDir Path tmp;

    static DqnConfig small(long steps) {
        DqnConfig c = DqnConfig.preset("cartpole");
        c.steps = steps;
        c.replaySize = 5_000;
        c.learningStarts = 300;
        c.batchSize = 16;
        c.targetEvery = 200;
        c.checkpointEvery = 1_000;
        c.logEvery = 250;
        c.trainEvery = 2;
        c.stopAtReturn = Double.NaN;
        return c;
    }

    /** The cluster's shared state, in memory: a bounded inbox, the manifest, the newest weights. */
    static final class Wire {
        final BlockingQueue<byte[]> inbox = new ArrayBlockingQueue<>(4);
        volatile Manifest manifest;
        volatile byte[] weights;
        volatile long version = -1;
        volatile boolean finished;
        final List<Long> published = new ArrayList<>();

        Learner.Link learnerSide() {
            return new Learner.Link() {
                @Override public void announce(Manifest m) { manifest = m; }
                @Override public byte[] take(long ms) throws InterruptedException { return inbox.poll(ms, TimeUnit.MILLISECONDS); }
                @Override public synchronized void publish(long v, byte[] w) { weights = w; version = v; published.add(v); }
                @Override public void finish() { finished = true; }
                @Override public void close() {}
            };
        }

        Actor.Link actorSide(int index) {
            return new Actor.Link() {
                @Override public Manifest manifest() throws InterruptedException {
                    while (manifest == null) Thread.sleep(5);
                    return manifest;
                }
                @Override public int index() { return index; }
                @Override public boolean send(byte[] chunk, BooleanSupplier stop) throws InterruptedException {
                    while (!inbox.offer(chunk, 50, TimeUnit.MILLISECONDS)) {
                        if (finished || stop.getAsBoolean()) return false;      // back-pressure: wait, unless the run is over
                    }
                    return true;
                }
                @Override public long weightsVersion() { return version; }
                @Override public byte[] weights() { return weights; }
                @Override public boolean finished() { return finished; }
                @Override public void close() {}
            };
        }
    }

    private static PrintStream quiet() { return new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8); }

    @Test
    void experienceFromTwoActorsTrainsTheLearnerAndWeightsReachBoth() throws Exception {
        DqnConfig c = small(3_000);
        Path dir = tmp.resolve("run");
        RunDirectory.prepareNew(dir, c);
        Wire wire = new Wire();
        ExecutorService pool = Executors.newFixedThreadPool(2);
        // a backend is not shared between threads: each actor has its own, as each has its own process in a cluster
        try (Backend be = new FastCpuBackend(1); Backend be0 = new FastCpuBackend(1); Backend be1 = new FastCpuBackend(1)) {
            Backend[] actorBe = {be0, be1};
            Learner learner = new Learner(c, be, Environments.builtIn("cartpole", 0), wire.learnerSide(), dir, quiet(), 2, 50, false);
            List<Future<Actor.Result>> actors = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                Actor a = new Actor(wire.actorSide(i), (cfg, seed) -> Environments.builtIn(cfg.env, seed), actorBe[i], null, quiet(), 32, 25);
                actors.add(pool.submit(() -> a.run(0)));
            }
            Learner.Result r = learner.run(null);
            assertEquals(3_000, r.steps(), "the learner stops at --steps exactly, even inside a chunk");
            assertEquals((3_000 - 300) / 2 + 1, r.updates(), "one update every trainEvery steps of all actors together, from learningStarts on");
            assertEquals(0, r.chunksRejected());
            long stepsPlayed = 0;
            for (Future<Actor.Result> f : actors) {
                Actor.Result ar = f.get(60, TimeUnit.SECONDS);
                assertTrue(ar.weightLoads() >= 1, "every actor picked up published weights: " + ar);
                assertTrue(ar.sentBytes() < ar.rawBytes(), "chunks are deflated");
                stepsPlayed += ar.steps();
            }
            assertTrue(stepsPlayed >= 3_000, "the actors played at least the learner's steps: " + stepsPlayed);
            assertFalse(wire.published.isEmpty());
            assertEquals(r.updates() / 50, wire.published.size(), "published every 50 updates: " + wire.published);
            for (int k = 0; k < wire.published.size(); k++) assertEquals(50L * (k + 1), wire.published.get(k), "the version is the update count");
            Set<Double> envs = new HashSet<>();
            for (double e : CsvLog.columns(dir.resolve("episodes.csv"), "env", "step")[0]) envs.add(e);
            assertEquals(Set.of(0.0, 1.0), envs, "episodes of both actors reach the learner's episodes.csv, tagged by actor");
            assertTrue(Files.isRegularFile(dir.resolve("checkpoints/latest")));
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aFreeRunningLearnerUpdatesWithoutWaitingForSteps() throws Exception {
        DqnConfig c = small(2_000);
        c.trainEvery = 1_000_000;                      // the preset pace would never update in this run
        Path dir = tmp.resolve("free");
        RunDirectory.prepareNew(dir, c);
        Wire wire = new Wire();
        ExecutorService pool = Executors.newFixedThreadPool(1);
        try (Backend be = new FastCpuBackend(1); Backend actorBe = new FastCpuBackend(1)) {
            Learner learner = new Learner(c, be, Environments.builtIn("cartpole", 0), wire.learnerSide(), dir, quiet(), 1, 10, true);
            Actor a = new Actor(wire.actorSide(0), (cfg, seed) -> Environments.builtIn(cfg.env, seed), actorBe, null, quiet(), 16, 25);
            Future<Actor.Result> f = pool.submit(() -> a.run(0));
            Learner.Result r = learner.run(null);
            assertEquals(2_000, r.steps());
            assertTrue(r.updates() >= 10, "free-running: updates come from the learner's pace, not from --train-every: " + r.updates());
            assertTrue(f.get(60, TimeUnit.SECONDS).weightLoads() >= 1);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aPrioritizedNStepRunTakesTheActorsPriorities() throws Exception {
        DqnConfig c = small(2_500);
        c.prioritized = true;
        c.nStep = 3;
        Path dir = tmp.resolve("per");
        RunDirectory.prepareNew(dir, c);
        Wire wire = new Wire();
        ExecutorService pool = Executors.newFixedThreadPool(1);
        try (Backend be = new FastCpuBackend(1); Backend actorBe = new FastCpuBackend(1)) {
            Learner learner = new Learner(c, be, Environments.builtIn("cartpole", 0), wire.learnerSide(), dir, quiet(), 1, 20, false);
            Actor a = new Actor(wire.actorSide(0), (cfg, seed) -> Environments.builtIn(cfg.env, seed), actorBe, null, quiet(), 16, 10);
            Future<Actor.Result> f = pool.submit(() -> a.run(0));
            Learner.Result r = learner.run(null);
            assertEquals(2_500, r.steps());
            assertEquals((2_500 - 300) / 2 + 1, r.updates());
            assertEquals(0, r.chunksRejected());
            assertTrue(f.get(60, TimeUnit.SECONDS).weightLoads() >= 1);
        } finally {
            pool.shutdownNow();
        }
    }

    /** Importance weights of a batch sampled from what one chunk stored: all 1 when every transition has the same priority. */
    private double[] weightsAfter(boolean withPriorities) throws Exception {
        DqnConfig c = small(1_000_000);
        c.prioritized = true;
        c.learningStarts = 1_000_000;                 // no updates: the priorities are the actor's alone
        Path dir = tmp.resolve("p" + withPriorities);
        RunDirectory.prepareNew(dir, c);
        Wire wire = new Wire();
        try (Backend be = new FastCpuBackend(1)) {
            Learner learner = new Learner(c, be, Environments.builtIn("cartpole", 0), wire.learnerSide(), dir, quiet(), 1, 50, false);
            ExperienceChunk.Writer w = new ExperienceChunk.Writer(0, 1L, 16);
            w.start(new byte[16]);
            for (int i = 0; i < 40; i++) w.step(0, 1f, false, false, withPriorities ? 0.1f * (i + 1) : Float.NaN, new byte[16]);
            wire.inbox.put(w.finish());
            Thread stopper = new Thread(() -> {
                while (learner.step() < 40) Thread.onSpinWait();
                learner.requestStop();
            });
            stopper.start();
            learner.run(null);
            stopper.join();
            ReplayBuffer.Batch b = new ReplayBuffer.Batch(32);
            learner.replay().sample(b, 1.0);
            double[] out = new double[b.size];
            for (int i = 0; i < b.size; i++) out[i] = b.weights[i];
            return out;
        }
    }

    @Test
    void theLearnerStoresTheActorsPriorities() throws Exception {
        double[] without = weightsAfter(false), with = weightsAfter(true);
        for (double x : without) assertEquals(1.0, x, 1e-9, "no priorities sent: every transition at the largest so far");
        assertTrue(Arrays.stream(with).min().orElse(1) < 0.5,
                "TD errors from 0.1 to 4.0: the importance weights spread: " + Arrays.toString(with));
    }

    @Test
    void afterAGapAnActorsStepsAreCountedButNotStoredUntilItsNextEpisode() throws Exception {
        DqnConfig c = small(1_000_000);
        c.learningStarts = 1_000_000;                 // no updates: this test is about storing
        Path dir = tmp.resolve("gap");
        RunDirectory.prepareNew(dir, c);
        Wire wire = new Wire();
        try (Backend be = new FastCpuBackend(1)) {
            Learner learner = new Learner(c, be, Environments.builtIn("cartpole", 0), wire.learnerSide(), dir, quiet(), 2, 50, false);
            int frame = 16;                            // CartPole: 4 floats
            byte[] obs = new byte[frame];
            ExperienceChunk.Writer a = new ExperienceChunk.Writer(0, 11L, frame);
            a.start(obs);
            for (int i = 0; i < 5; i++) a.step(0, 1f, false, false, obs);
            wire.inbox.put(a.finish());                // sequence 0: stored
            for (int i = 0; i < 5; i++) a.step(0, 1f, false, false, obs);
            a.finish();                                // sequence 1: lost on the way
            for (int i = 0; i < 4; i++) a.step(0, 1f, false, false, obs);
            a.step(0, 1f, true, false, obs);
            a.episode(10, 15, 0.4f);
            a.start(obs);
            for (int i = 0; i < 3; i++) a.step(0, 1f, false, false, obs);
            wire.inbox.put(a.finish());                // sequence 2: a gap; stored from its START on
            ExperienceChunk.Writer other = new ExperienceChunk.Writer(1, 22L, frame);
            other.step(1, 1f, false, false, obs);       // a first chunk that starts mid-episode (e.g. after a learner restart)
            other.start(obs);
            other.step(1, 1f, false, false, obs);
            wire.inbox.put(other.finish());
            ExperienceChunk.Writer stranger = new ExperienceChunk.Writer(5, 33L, frame);   // index past --actors 2
            stranger.start(obs);
            stranger.step(0, 1f, false, false, obs);
            wire.inbox.put(stranger.finish());

            Thread stopper = new Thread(() -> {
                while (!wire.inbox.isEmpty()) Thread.onSpinWait();
                try {
                    Thread.sleep(300);
                } catch (InterruptedException ignored) {
                    return;
                }
                learner.requestStop();
            });
            stopper.start();
            Learner.Result r = learner.run(null);
            stopper.join();
            assertEquals(5 + 8 + 2, r.steps(), "every step the actors took is counted");
            assertEquals((1 + 5) + (1 + 3) + (1 + 1), learner.replay().added(),
                    "stored: chunk 0 whole, chunk 2 from its START, actor 1 from its START; nothing across a gap");
            assertEquals(1, r.episodes());
            assertEquals(1, r.chunksRejected(), "the chunk of an actor index the learner has no room for is refused");
        }
    }
}
