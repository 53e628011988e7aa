package dqnengine.dqn;

import dqnengine.backend.Backend;
import dqnengine.backend.cpu.FastCpuBackend;
import dqnengine.env.Environment;
import dqnengine.env.Environments;
import dqnengine.env.ObservationEncoding;
import dqnengine.env.Step;
import dqnengine.util.AtomicFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/**
 * {@code --save-replay}: a run stopped at step k (as SIGTERM stops it) and resumed from its
 * checkpoint with the saved replay buffer and environments ends bit for bit where the same run
 * without the interruption ends, on the CPU backend: every episode's return and length, every
 * progress row's loss and Q, every evaluation, both networks, the optimizer's moments, the random
 * sources and the final replay buffer. Without the saved replay (the refill) it does not.
 */
class SaveReplayResumeTest {
    @TempDir Path tmp;

    /** What a finished run left: its logs without the wall-clock columns, its live state, and its final replay manifest. */
    private record Outcome(String episodes, String progress, String eval, Trainer.LiveState state, String replayManifest, String output) {}

    /** Steps of the training environments (all together) after which the run is asked to stop; 0 = never. */
    private static Outcome run(DqnConfig c, Path dir, boolean resume, long stopAt) throws IOException {
        if (!resume) RunDirectory.prepareNew(dir, c);
        ByteArrayOutputStream text = new ByteArrayOutputStream();
        Trainer.LiveState state;
        try (Backend be = new FastCpuBackend(2)) {
            Trainer[] trainer = new Trainer[1];
            long[] taken = {0};
            trainer[0] = new Trainer(c, be, (i, seed) -> {
                Environment env = Environments.builtIn(c.env, seed);
                if (i >= c.numEnvs) return env;                          // evaluation and video environments are not counted
                return new StopAt(env, () -> {
                    if (++taken[0] == stopAt) trainer[0].requestStop();
                });
            }, dir, new PrintStream(text, true, StandardCharsets.UTF_8));
            trainer[0].replaySegmentSlots(64);                           // several segments, so some are linked between checkpoints
            trainer[0].run(resume ? Checkpoint.resolve(dir, false) : null);
            state = trainer[0].liveState();
        }
        Path latest = Checkpoint.resolve(dir, false).resolve("replay").resolve("manifest.json");
        return new Outcome(withoutColumn(dir.resolve("episodes.csv"), "wall_s"), withoutColumn(dir.resolve("progress.csv"), "steps_per_s"),
                c.evalEvery > 0 ? withoutColumn(dir.resolve("eval.csv"), "seconds") : "",
                state, Files.exists(latest) ? Files.readString(latest) : "(none)", text.toString(StandardCharsets.UTF_8));
    }

    private static DqnConfig cartPole() {
        DqnConfig c = TrainerTest.small("cartpole", 2_000);
        c.saveReplay = true;
        c.replaySize = 600;                        // the ring wraps several times
        c.checkpointEvery = 500;
        c.evalEvery = 500;
        c.evalEpisodes = 2;
        return c;
    }

    /** Two MinAtar environments (sticky actions draw from their random sources), prioritized 3-step replay. */
    private static DqnConfig breakout() {
        DqnConfig c = TrainerTest.small("minatar:breakout", 1_600);
        c.saveReplay = true;
        c.numEnvs = 2;
        c.prioritized = true;
        c.nStep = 3;
        c.replaySize = 800;
        c.checkpointEvery = 400;
        return c;
    }

    @Test
    void aCartPoleRunStoppedAndResumedWithItsSavedReplayEndsBitForBitAsTheUninterruptedRun() throws IOException {
        Outcome whole = run(cartPole(), tmp.resolve("whole"), false, 0);
        Path dir = tmp.resolve("stopped");
        Outcome first = run(cartPole(), dir, false, 1_250);             // between checkpoints, at a progress row
        assertEquals(1_250, first.state().step(), "stopped at step 1,250");
        assertTrue(Files.isDirectory(dir.resolve("checkpoints/step-000000001250/replay")), "the stop saved the replay");

        Path without = tmp.resolve("refilled");                          // the same checkpoint without its replay: the old way
        copyRun(dir, without);
        AtomicFiles.deleteTree(without.resolve("checkpoints/step-000000001250/replay"));

        Outcome resumed = run(cartPole(), dir, true, 0);
        assertTrue(resumed.output().contains("restored the replay buffer from"), resumed.output());
        assertTrue(resumed.output().contains("every environment continues its episode"), resumed.output());
        assertFalse(resumed.output().contains("refilling"), resumed.output());
        assertTrue(resumed.output().contains("unchanged one(s) linked"), resumed.output());
        assertSameRun(whole, resumed);

        Outcome refilled = run(cartPole(), without, true, 0);
        assertTrue(refilled.output().contains("has no saved replay buffer") && refilled.output().contains("refilling"), refilled.output());
        assertNotEquals(whole.episodes(), refilled.episodes(), "precondition: with a refill instead, the run goes differently");
        assertFalse(Arrays.equals(whole.state().online().get("0.weight"), refilled.state().online().get("0.weight")));
    }

    @Test
    void aPrioritizedNStepRunOfTwoMinAtarEnvironmentsResumesBitForBit() throws IOException {
        Outcome whole = run(breakout(), tmp.resolve("whole"), false, 0);
        Path dir = tmp.resolve("stopped");
        Outcome first = run(breakout(), dir, false, 1_000);
        assertEquals(1_000, first.state().step());
        Outcome resumed = run(breakout(), dir, true, 0);
        assertFalse(resumed.output().contains("refilling"), resumed.output());
        assertSameRun(whole, resumed);
    }

    /**
     * Environments that cannot save their state (as Atari's): the resumed run restores the buffer,
     * does not refill it, and starts every environment on a new episode.
     */
    @Test
    void environmentsThatCannotSaveTheirStateStartNewEpisodesOnTheRestoredBuffer() throws IOException {
        DqnConfig c = cartPole();
        Path dir = tmp.resolve("run");
        Trainer.Result first = runWith(c, dir, false, 1_250, null);
        assertEquals(1_250, first.steps());
        String manifest = Files.readString(dir.resolve("checkpoints/step-000000001250/replay/manifest.json"));
        ByteArrayOutputStream text = new ByteArrayOutputStream();
        Trainer.Result rest = runWith(c, dir, true, 0, text);
        String out = text.toString(StandardCharsets.UTF_8);
        assertTrue(out.contains("restored the replay buffer") && out.contains("the environments start new episodes"), out);
        assertFalse(out.contains("refilling"), out);
        assertEquals(2_000, rest.steps());
        assertTrue(manifest.contains("\"inEpisode\": [\n    true"), "precondition: the stop came in the middle of an episode: " + manifest);
        List<String> rows = Files.readAllLines(dir.resolve("episodes.csv"));
        for (int i = 1; i < rows.size(); i++) assertTrue(rows.get(i).startsWith(i + ","), "episodes numbered on: " + rows.get(i));
    }

    /**
     * A save that fails while writing the replay (a full disk) leaves no checkpoint half-written:
     * {@code latest} still names the previous one, whose replay a resume then uses.
     */
    @Test
    void aSaveThatFailsWhileWritingTheReplayLeavesThePreviousCheckpointInForce() throws IOException {
        DqnConfig c = cartPole();
        Path dir = tmp.resolve("run");
        RunDirectory.prepareNew(dir, c);
        long[] taken = {0};
        try (Backend be = new FastCpuBackend(2)) {
            Trainer t = new Trainer(c, be, (i, seed) -> {
                Environment env = Environments.builtIn(c.env, seed);
                if (i >= c.numEnvs) return env;
                return new StopAt(env, () -> taken[0]++) {
                    @Override public byte[] saveState() {
                        if (taken[0] > 1_000) throw new UncheckedIOException(new IOException("No space left on device"));
                        return super.saveState();
                    }
                };
            }, dir, new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
            assertThrows(UncheckedIOException.class, () -> t.run(null), "the save at step 1,500 fails");
        }
        assertEquals("step-000000001000", Files.readString(dir.resolve("checkpoints/latest")).trim());
        try (var left = Files.list(dir.resolve("checkpoints"))) {
            assertEquals(List.of("latest", "step-000000000500", "step-000000001000"),
                    left.map(p -> p.getFileName().toString()).filter(n -> !n.startsWith("best")).sorted().toList(), "no half-written checkpoint");
        }
        ByteArrayOutputStream text = new ByteArrayOutputStream();
        assertEquals(2_000, runWith(c, dir, true, 0, text).steps());
        assertTrue(text.toString(StandardCharsets.UTF_8).contains("restored the replay buffer from " + dir.resolve("checkpoints/step-000000001000/replay")));
    }

    /** A run whose environments do not save their state; {@code text} (if not null) gets its output. */
    private static Trainer.Result runWith(DqnConfig c, Path dir, boolean resume, long stopAt, ByteArrayOutputStream text) throws IOException {
        if (!resume) RunDirectory.prepareNew(dir, c);
        try (Backend be = new FastCpuBackend(2)) {
            Trainer[] trainer = new Trainer[1];
            long[] taken = {0};
            trainer[0] = new Trainer(c, be, (i, seed) -> new StopAt(Environments.builtIn(c.env, seed), () -> {
                if (i < c.numEnvs && ++taken[0] == stopAt) trainer[0].requestStop();
            }) {
                @Override public byte[] saveState() { return null; }
            }, dir, new PrintStream(text != null ? text : new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
            return trainer[0].run(resume ? Checkpoint.resolve(dir, false) : null);
        }
    }

    private static void assertSameRun(Outcome whole, Outcome resumed) {
        assertTrue(whole.episodes().lines().count() > 20, "precondition: episodes were logged");
        assertEquals(whole.episodes(), resumed.episodes(), "episodes.csv: every return and length");
        assertEquals(whole.progress(), resumed.progress(), "progress.csv: losses, Q, epsilon, counters");
        assertEquals(whole.eval(), resumed.eval(), "eval.csv");
        Trainer.LiveState a = whole.state(), b = resumed.state();
        assertEquals(a.step(), b.step());
        assertEquals(a.updates(), b.updates());
        assertEquals(a.episodes(), b.episodes());
        assertEquals(a.agentRng(), b.agentRng(), "agent random source");
        assertEquals(a.replayRng(), b.replayRng(), "replay random source");
        assertArrayEquals(a.recentReturns(), b.recentReturns());
        assertSameTensors(a.online(), b.online(), "online");
        assertSameTensors(a.target(), b.target(), "target");
        assertSameTensors(a.optimizer(), b.optimizer(), "optimizer");
        assertNotEquals("(none)", whole.replayManifest());
        assertEquals(whole.replayManifest(), resumed.replayManifest(), "the final replay buffers: every segment's CRC-32 and the counters");
    }

    private static void assertSameTensors(Map<String, float[]> a, Map<String, float[]> b, String what) {
        assertEquals(a.keySet(), b.keySet(), what);
        for (String k : a.keySet()) assertArrayEquals(a.get(k), b.get(k), what + " " + k);
    }

    /** The CSV's text without column {@code name}. */
    private static String withoutColumn(Path csv, String name) throws IOException {
        List<String> lines = Files.readAllLines(csv);
        int drop = Arrays.asList(lines.get(0).split(",")).indexOf(name);
        assertTrue(drop >= 0, name + " in " + csv);
        StringBuilder out = new StringBuilder();
        for (String line : lines) {
            List<String> f = new ArrayList<>(Arrays.asList(line.split(",", -1)));
            f.remove(drop);
            out.append(String.join(",", f)).append('\n');
        }
        return out.toString();
    }

    private static void copyRun(Path from, Path to) throws IOException {
        try (var walk = Files.walk(from)) {
            for (Path p : walk.toList()) {
                Path q = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) Files.createDirectories(q);
                else Files.copy(p, q);
            }
        }
    }

    /** An environment that runs {@code beforeStep} before each of its steps, and saves and restores its inner one's state. */
    private static class StopAt implements Environment {
        final Environment inner;
        final Runnable beforeStep;

        StopAt(Environment inner, Runnable beforeStep) {
            this.inner = inner;
            this.beforeStep = beforeStep;
        }

        @Override public String id() { return inner.id(); }
        @Override public int[] observationShape() { return inner.observationShape(); }
        @Override public int frameStack() { return inner.frameStack(); }
        @Override public ObservationEncoding encoding() { return inner.encoding(); }
        @Override public int actionCount() { return inner.actionCount(); }
        @Override public List<String> actionMeanings() { return inner.actionMeanings(); }
        @Override public Step reset() { return inner.reset(); }
        @Override public Step step(int action) {
            beforeStep.run();
            return inner.step(action);
        }
        @Override public byte[] saveState() { return inner.saveState(); }
        @Override public void restoreState(byte[] state) { inner.restoreState(state); }
        @Override public void close() { inner.close(); }
    }
}
