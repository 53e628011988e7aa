package dqnengine.dqn;

import dqnengine.backend.Backend;
import dqnengine.backend.cpu.FastCpuBackend;
import dqnengine.env.Environment;
import dqnengine.env.Environments;
import dqnengine.env.ObservationEncoding;
import dqnengine.env.Step;
import dqnengine.nn.Parameter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/** What the loop does at its edges: the stop bound and the best checkpoint, resume with several environments, pruning, Polyak timing. */
class TrainerBehaviourTest {
    @TempDir Path tmp;

    private static PrintStream quiet() { return new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8); }

    private static List<String[]> rows(Path csv) throws IOException {
        List<String[]> out = new ArrayList<>();
        List<String> lines = Files.readAllLines(csv);
        for (int i = 1; i < lines.size(); i++) out.add(lines.get(i).split(",", -1));
        return out;
    }

    @Test
    void stopAtReturnStopsOnceTheLast100EpisodesReachItAndSavesThatAsBest() throws IOException {
        DqnConfig c = TrainerTest.small("cartpole", 20_000);
        c.learningStarts = 20_000;                 // a random policy throughout: episodes of about 22 steps
        c.replaySize = 30_000;
        c.stopAtReturn = 15;
        c.checkpointEvery = 1_000_000;
        c.logEvery = 1_000_000;
        Path dir = tmp.resolve("stop");
        Trainer.Result r = TrainerTest.train(c, dir, null);
        assertTrue(r.reachedBound(), "reached the bound");
        assertTrue(r.steps() < 20_000, "stopped early: " + r.steps());

        List<String[]> eps = rows(dir.resolve("episodes.csv"));
        assertTrue(eps.size() >= 100);
        // independently from episodes.csv: the first step at which the last 100 returns average >= 15
        long expectedStep = -1;
        for (int n = 100; n <= eps.size(); n++) {
            double sum = 0;
            for (int k = n - 100; k < n; k++) sum += Double.parseDouble(eps.get(k)[3]);
            if (sum / 100 >= 15) {
                expectedStep = Long.parseLong(eps.get(n - 1)[1]);
                assertEquals(n, eps.size(), "no episode is logged after the bound is reached");
                assertEquals(sum / 100, r.meanReturn100(), 1e-9);
                break;
            }
        }
        assertEquals(expectedStep, r.steps(), "stops at the step the bound is reached");

        Path best = Checkpoint.resolve(dir, true);
        assertTrue(best.getFileName().toString().startsWith("best-step-"), best.toString());
        Checkpoint.State s = Checkpoint.readState(best);
        assertEquals(expectedStep, s.step, "the best checkpoint is the state that reached the bound");
        assertEquals(r.meanReturn100(), s.bestMeanReturn, 1e-9);
        assertEquals(Checkpoint.readState(Checkpoint.resolve(dir, false)).step, expectedStep, "latest is saved there too");
    }

    @Test
    void checkpointPruningKeepsThePointedOneAndTheOneBeforeOfEachKind() throws IOException {
        DqnConfig c = TrainerTest.small("cartpole", 1_000);
        Path run = tmp.resolve("prune");
        try (Backend be = new FastCpuBackend(1)) {
            DqnLearner learner = DqnLearner.fromConfig(be, c, new int[] {4}, ObservationEncoding.FLOAT32, 2, 1);
            long[] latest = {100, 200, 300, 400}, best = {150, 250, 350};
            for (int i = 0; i < latest.length; i++) {
                save(run, "latest", learner, latest[i]);
                Set<String> want = new TreeSet<>();
                want.add(name("", latest[i]));
                if (i > 0) want.add(name("", latest[i - 1]));
                for (int j = 0; j < Math.min(i, best.length); j++) if (j >= Math.min(i, best.length) - 2) want.add(name("best-", best[j]));
                assertEquals(want, dirs(run), "after latest at " + latest[i]);
                if (i < best.length) {
                    save(run, "best", learner, best[i]);
                    want.add(name("best-", best[i]));
                    if (i >= 2) want.remove(name("best-", best[i - 2]));
                    assertEquals(want, dirs(run), "after best at " + best[i]);
                }
            }
            assertEquals(400, Checkpoint.readState(Checkpoint.resolve(run, false)).step);
            assertEquals(350, Checkpoint.readState(Checkpoint.resolve(run, true)).step);
        }
    }

    private static String name(String prefix, long step) { return prefix + String.format("step-%012d", step); }

    private static void save(Path run, String kind, DqnLearner learner, long step) throws IOException {
        Checkpoint.State s = new Checkpoint.State();
        s.env = "cartpole";
        s.network = "mlp";
        s.observationShape = new int[] {4};
        s.actions = 2;
        s.step = step;
        Checkpoint.save(run, kind, learner, s);
    }

    private static Set<String> dirs(Path run) throws IOException {
        try (Stream<Path> s = Files.list(run.resolve("checkpoints"))) {
            return s.filter(Files::isDirectory).map(p -> p.getFileName().toString()).collect(Collectors.toCollection(TreeSet::new));
        }
    }

    /** Counts the steps each environment takes, and can look at the trainer before each. */
    private static final class Watched implements Environment {
        final Environment inner;
        long steps;
        Runnable beforeStep = () -> {};

        Watched(Environment inner) { this.inner = inner; }

        @Override public String id() { return inner.id(); }
        @Override public int[] observationShape() { return inner.observationShape(); }
        @Override public int frameStack() { return inner.frameStack(); }
        @Override public ObservationEncoding encoding() { return inner.encoding(); }
        @Override public int actionCount() { return inner.actionCount(); }
        @Override public List<String> actionMeanings() { return inner.actionMeanings(); }
        @Override public Step reset() { return inner.reset(); }
        @Override public Step step(int action) {
            beforeStep.run();
            steps++;
            return inner.step(action);
        }
        @Override public void close() { inner.close(); }
    }

    @Test
    void aRunWithTwoEnvironmentsResumesWithBothAndItsCountersContinue() throws IOException {
        DqnConfig c = TrainerTest.small("cartpole", 1_000);
        c.numEnvs = 2;
        Path dir = tmp.resolve("two");
        TrainerTest.train(c, dir, null);
        Checkpoint.State saved = Checkpoint.readState(Checkpoint.resolve(dir, false));
        assertEquals(1_000, saved.step);
        int episodesBefore = rows(dir.resolve("episodes.csv")).size();

        DqnConfig more = TrainerTest.small("cartpole", 2_000);
        more.numEnvs = 2;
        more.learningStarts = 301;                  // an odd refill: not a multiple of the number of environments
        List<Watched> envs = new ArrayList<>();
        Trainer.Result r;
        try (Backend be = new FastCpuBackend(1)) {
            Trainer t = new Trainer(more, be, (i, seed) -> {
                Watched w = new Watched(Environments.builtIn(more.env, seed));
                envs.add(w);
                return w;
            }, dir, quiet());
            r = t.run(Checkpoint.resolve(dir, false));
        }
        assertEquals(2, envs.size(), "both environments are opened again");
        long refill = Math.min(more.learningStarts, more.replaySize / 2);
        assertEquals(301, refill);
        assertEquals(refill + 1_000, envs.get(0).steps + envs.get(1).steps, "the refill adds exactly min(learningStarts, replaySize / 2) transitions");
        for (Watched w : envs) assertEquals(refill / 2.0 + 500, w.steps, 0.5, "each environment takes half the refill and half of the 1,000 steps");
        assertEquals(2_000, r.steps());
        assertEquals(saved.updates + 1_000, r.updates());
        List<String[]> eps = rows(dir.resolve("episodes.csv"));
        for (int k = 0; k < eps.size(); k++) assertEquals(k + 1, Long.parseLong(eps.get(k)[0]), "episode numbering continues");
        Set<String> envsAfter = new TreeSet<>();
        for (int k = episodesBefore; k < eps.size(); k++) {
            assertTrue(Long.parseLong(eps.get(k)[1]) > 1_000, "resumed episodes end after step 1,000");
            envsAfter.add(eps.get(k)[2]);
        }
        assertEquals(Set.of("0", "1"), envsAfter, "both environments finish episodes after the resume");
        assertEquals(eps.size(), r.episodes());
    }

    /** Every parameter's values, one after the other (also DqnLearnerTest's). */
    static float[] flat(List<Parameter> ps) {
        int n = 0;
        for (Parameter p : ps) n += p.value().size();
        float[] out = new float[n];
        int o = 0;
        for (Parameter p : ps) {
            System.arraycopy(p.value().data, 0, out, o, p.value().size());
            o += p.value().size();
        }
        return out;
    }

    @Test
    void polyakAveragingHappensOnlyAtMultiplesOfTargetEveryWithTau() throws IOException {
        DqnConfig c = TrainerTest.small("cartpole", 700);
        c.learningStarts = 100;
        c.targetEvery = 50;
        c.tau = 0.25;
        Path dir = tmp.resolve("polyak");
        RunDirectory.prepareNew(dir, c);
        List<Long> steps = new ArrayList<>();
        List<float[]> online = new ArrayList<>(), target = new ArrayList<>();
        try (Backend be = new FastCpuBackend(1)) {
            Trainer[] t = new Trainer[1];
            t[0] = new Trainer(c, be, (i, seed) -> {
                Watched w = new Watched(Environments.builtIn(c.env, seed));
                w.beforeStep = () -> {                  // the state after step t[0].step(), all of its updates done
                    if (t[0].learner() == null) return;
                    steps.add(t[0].step());
                    online.add(flat(t[0].learner().online.parameters()));
                    target.add(flat(t[0].learner().target.parameters()));
                };
                return w;
            }, dir, quiet());
            t[0].run(null);
        }
        int changes = 0;
        for (int k = 1; k < steps.size(); k++) {
            long s = steps.get(k);
            assertEquals(steps.get(k - 1) + 1, s);
            float[] before = target.get(k - 1), after = target.get(k), on = online.get(k);
            if (s % c.targetEvery != 0) {
                assertArrayEquals(before, after, "the target changed at step " + s + ", not a multiple of " + c.targetEvery);
            } else {
                for (int j = 0; j < after.length; j++) {
                    float want = 0.25f * on[j] + 0.75f * before[j];
                    assertEquals(want, after[j], 1e-6f * Math.max(1f, Math.abs(want)), "θ⁻ ← τθ + (1 − τ)θ⁻ at step " + s + ", entry " + j);
                }
                if (s > c.learningStarts) {
                    assertFalse(Arrays.equals(before, after), "the target moved at step " + s);
                    changes++;
                }
            }
        }
        assertEquals((699 - 100) / 50, changes, "one target update per multiple of 50 after learning starts");
    }
}
