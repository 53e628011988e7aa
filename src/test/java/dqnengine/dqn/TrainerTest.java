package dqnengine.dqn;

import dqnengine.backend.cpu.FastCpuBackend;
import dqnengine.backend.Backend;
import dqnengine.env.Environments;
import dqnengine.env.ObservationEncoding;
import dqnengine.io.SafeTensors;
import dqnengine.nn.Parameter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** The whole loop on small built-in games: files written, seeded runs equal, resume continues exactly. */
class TrainerTest {
    @TempDir Path tmp;

    static DqnConfig small(String env, long steps) {
        DqnConfig c = DqnConfig.preset(DqnConfig.presetFor(env));
        c.env = env;
        c.steps = steps;
        c.replaySize = 5_000;
        c.learningStarts = 300;
        c.batchSize = 16;
        c.epsilonSteps = 1_000;
        c.targetEvery = 200;
        c.checkpointEvery = 1_000;
        c.logEvery = 250;
        c.stopAtReturn = Double.NaN;
        return c;
    }

    static Trainer.Result train(DqnConfig c, Path dir, Path resumeFrom) throws IOException {
        if (resumeFrom == null) RunDirectory.prepareNew(dir, c);
        try (Backend be = new FastCpuBackend(2)) {
            Trainer t = new Trainer(c, be, (i, seed) -> Environments.builtIn(c.env, seed), dir,
                    new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
            return t.run(resumeFrom);
        }
    }

    @Test
    void smokeRunWritesConfigMetricsPlotsAndCheckpoints() throws IOException {
        DqnConfig c = small("minatar:breakout", 2_000);
        c.numEnvs = 2;
        c.tensorboard = true;
        Path dir = tmp.resolve("run");
        Trainer.Result r = train(c, dir, null);
        assertEquals(2_000, r.steps());
        assertEquals(2_000 - 300 + 1, r.updates(), "one update per step from learningStarts on");
        assertTrue(r.episodes() > 0);
        for (String f : List.of("config.json", "episodes.csv", "progress.csv", "plots/return.png", "plots/loss.png", "plots/q.png", "plots/speed.png",
                "checkpoints/latest")) {
            assertTrue(Files.size(dir.resolve(f)) > 0, f);
        }
        assertEquals(1 + 2_000 / 250, Files.readAllLines(dir.resolve("progress.csv")).size());
        try (var events = Files.list(dir.resolve("tensorboard"))) {
            Path file = events.findFirst().orElseThrow();
            assertTrue(Files.size(file) > 8 * 5 * 40, "TensorBoard scalars for every log row and episode");
        }
        Path ckpt = Checkpoint.resolve(dir, false);
        Checkpoint.State s = Checkpoint.readState(ckpt);
        assertEquals(2_000, s.step);
        assertEquals("minatar:breakout", s.env);
        assertEquals(c.epsilon(2_000), s.epsilon);
        assertThrows(IllegalArgumentException.class, () -> RunDirectory.prepareNew(dir, c), "an existing run is never overwritten");
    }

    @Test
    void theSameSeedGivesTheSameReturns() throws IOException {
        String[] csv = new String[2];
        for (int run = 0; run < 2; run++) {
            Path dir = tmp.resolve("seeded" + run);
            train(small("cartpole", 1_500), dir, null);
            csv[run] = column(dir.resolve("episodes.csv"), 3);
        }
        assertEquals(csv[0], csv[1]);
        Path other = tmp.resolve("other-seed");
        DqnConfig c = small("cartpole", 1_500);
        c.seed = 1;
        train(c, other, null);
        assertNotEquals(csv[0], column(other.resolve("episodes.csv"), 3));
    }

    private static String column(Path csv, int index) throws IOException {
        StringBuilder sb = new StringBuilder();
        for (String line : Files.readAllLines(csv)) sb.append(line.split(",")[index]).append(';');
        return sb.toString();
    }

    /** Like {@link #train}, returning the trainer's live state at the end; {@code resumed[0]} gets it right after a resume's load. */
    static Trainer.LiveState trainCapturing(DqnConfig c, Path dir, Path resumeFrom, Trainer.LiveState[] resumed) throws IOException {
        if (resumeFrom == null) RunDirectory.prepareNew(dir, c);
        try (Backend be = new FastCpuBackend(2)) {
            Trainer t = new Trainer(c, be, (i, seed) -> Environments.builtIn(c.env, seed), dir,
                    new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
            if (resumed != null) t.onResumed(state -> resumed[0] = state);
            t.run(resumeFrom);
            return t.liveState();
        }
    }

    /**
     * The resumed trainer, right after loading, holds exactly the live state the saved trainer
     * ended with (not values read back from the file twice): both networks, the optimizer's
     * moments and step, the agent's and the replay's random sources, the last-100 returns, the
     * best mean and the counters. Then the counters and episodes.csv carry on without a gap or a
     * repeated episode number.
     */
    @Test
    void resumeRestoresTheSavedTrainersLiveStateAndTheLogsContinue() throws IOException {
        Path dir = tmp.resolve("resume");
        DqnConfig c = small("cartpole", 1_100);          // the target was last synced at 1,000: it differs from the online network
        Trainer.LiveState saved = trainCapturing(c, dir, null, null);
        assertEquals(1_100, saved.step());
        assertEquals(1_100 - 300 + 1, saved.updates());
        assertEquals(saved.updates(), saved.optimizerSteps());
        // Preconditions: nothing compared below is trivially equal to a fresh trainer's.
        assertTrue(saved.episodes() > 0 && saved.recentReturns().length == Math.min(100, saved.episodes()));
        assertFalse(Arrays.equals(saved.online().get("0.weight"), saved.target().get("0.weight")), "target lags the online network");
        assertTrue(saved.optimizer().size() >= 2 * saved.online().size(), "Adam has two moments per parameter: " + saved.optimizer().keySet());
        for (float[] m : saved.optimizer().values()) assertTrue(anyNonZero(m), "the optimizer's moments have moved");

        DqnConfig more = small("cartpole", 2_000);
        Trainer.LiveState[] resumed = new Trainer.LiveState[1];
        Trainer.LiveState end = trainCapturing(more, dir, Checkpoint.resolve(dir, false), resumed);
        Trainer.LiveState r = resumed[0];
        assertNotNull(r, "the resume hook ran");
        assertEquals(saved.step(), r.step(), "step");
        assertEquals(saved.updates(), r.updates(), "updates");
        assertEquals(saved.episodes(), r.episodes(), "episodes");
        assertEquals(saved.agentRng(), r.agentRng(), "agent random source");
        assertEquals(saved.replayRng(), r.replayRng(), "replay random source");
        assertEquals(saved.bestMean(), r.bestMean(), "best mean return");
        assertArrayEquals(saved.recentReturns(), r.recentReturns(), "last-100 returns");
        assertEquals(saved.optimizerSteps(), r.optimizerSteps(), "optimizer step count");
        assertSameTensors(saved.online(), r.online(), "online");
        assertSameTensors(saved.target(), r.target(), "target");
        assertSameTensors(saved.optimizer(), r.optimizer(), "optimizer");

        // Continuing to 2,000 steps: the counters go on from 1,100, updates one per step.
        assertEquals(2_000, end.step());
        assertEquals(saved.updates() + 900, end.updates());
        List<String> progress = Files.readAllLines(dir.resolve("progress.csv"));
        assertEquals(1 + 2_000 / 250 + 1, progress.size(), "the resumed run appends to the same metrics (after the row written at the stop, 1,100)");
        assertTrue(progress.get(5).startsWith("1100,"), "the first run's last stretch, logged at its stop: " + progress.get(5));
        // episodes.csv: numbered 1, 2, 3, … across the resume, the resumed rows after step 1,100.
        List<String> rows = Files.readAllLines(dir.resolve("episodes.csv"));
        assertEquals(1 + end.episodes(), rows.size(), "one row per episode");
        assertTrue(end.episodes() > saved.episodes(), "episodes finished after the resume");
        long lastStep = 0;
        for (int i = 1; i < rows.size(); i++) {
            String[] f = rows.get(i).split(",");
            assertEquals(i, Long.parseLong(f[0]), "episode numbers continue without a gap or a repeat: " + rows.get(i));
            long stepAt = Long.parseLong(f[1]);
            assertTrue(stepAt > lastStep, "steps increase: " + rows.get(i));
            assertEquals(i > saved.episodes(), stepAt > saved.step(), "rows before the resume end at its step: " + rows.get(i));
            lastStep = stepAt;
        }
    }

    private static boolean anyNonZero(float[] a) {
        for (float v : a) if (v != 0f) return true;
        return false;
    }

    private static void assertSameTensors(Map<String, float[]> want, Map<String, float[]> got, String what) {
        assertEquals(want.keySet(), got.keySet(), what + " tensor names");
        for (var e : want.entrySet()) assertArrayEquals(e.getValue(), got.get(e.getKey()), what + " " + e.getKey());
    }

    /**
     * ε by hand for small(): 1 → 0.01 linearly over steps 0…1,000 (counted from step 0), flat after;
     * the agent acts with ε = 1 until learning starts at 300. episodes.csv records the ε the
     * episode's last action was chosen with (one environment: the schedule at step − 1).
     */
    @Test
    void epsilonIsOneBeforeLearningStartsThenDecaysLinearlyAndEpisodesCsvRecordsIt() throws IOException {
        DqnConfig c = small("cartpole", 1_500);
        assertEquals(1.0, c.epsilonStart);
        assertEquals(0.01, c.epsilonEnd);
        assertEquals(1.0, c.epsilon(0), 1e-12);
        assertEquals(0.703, c.epsilon(300), 1e-12, "1 − 0.99 · 300/1000");
        assertEquals(0.505, c.epsilon(500), 1e-12, "the midpoint: (1 + 0.01) / 2");
        assertEquals(0.01, c.epsilon(1_000), 1e-12);
        assertEquals(0.01, c.epsilon(1_499), 1e-12);

        Path dir = tmp.resolve("epsilon");
        train(c, dir, null);
        List<String> rows = Files.readAllLines(dir.resolve("episodes.csv"));
        assertEquals("episode,step,env,return,length,epsilon,wall_s", rows.get(0));
        int before = 0, decaying = 0, after = 0;
        for (String row : rows.subList(1, rows.size())) {
            String[] f = row.split(",");
            long chosenAt = Long.parseLong(f[1]) - 1;
            double want;
            if (chosenAt < 300) { want = 1.0; before++; }
            else if (chosenAt < 1_000) { want = 1.0 - 0.99 * chosenAt / 1_000.0; decaying++; }
            else { want = 0.01; after++; }
            assertEquals(want, Double.parseDouble(f[5]), 1e-12, "epsilon of " + row);
        }
        assertTrue(before >= 2 && decaying >= 2 && after >= 2,
                "episodes end before learning starts (" + before + "), during the decay (" + decaying + ") and after it (" + after + ")");
    }

    @Test
    void corruptTruncatedOrMismatchedCheckpointsGetAClearError() throws IOException {
        Path dir = tmp.resolve("corrupt");
        DqnConfig c = small("cartpole", 1_000);
        train(c, dir, null);
        Path ckpt = Checkpoint.resolve(dir, false);
        DqnLearner l = DqnLearner.fromConfig(new FastCpuBackend(1), c, new int[] {4}, ObservationEncoding.FLOAT32, 2, 1);

        IOException wrongEnv = assertThrows(IOException.class, () -> Checkpoint.load(ckpt, l, "minatar:breakout", new int[] {4}, 2));
        assertTrue(wrongEnv.getMessage().contains("trained on cartpole"), wrongEnv.getMessage());
        IOException wrongShape = assertThrows(IOException.class, () -> Checkpoint.load(ckpt, l, "cartpole", new int[] {6}, 2));
        assertTrue(wrongShape.getMessage().contains("observations"), wrongShape.getMessage());

        Path online = ckpt.resolve("online.safetensors");
        byte[] bytes = Files.readAllBytes(online);
        Files.write(online, Arrays.copyOf(bytes, bytes.length / 2));
        assertThrows(SafeTensors.FormatException.class, () -> Checkpoint.load(ckpt, l, "cartpole", new int[] {4}, 2));

        Files.writeString(ckpt.resolve("state.json"), "{\"format\": \"dqn-engine/checkpoint-v1\", \"env\": ");
        IOException truncated = assertThrows(Checkpoint.StateException.class, () -> Checkpoint.readState(ckpt));
        assertTrue(truncated.getMessage().endsWith("state.json is not valid JSON (truncated?)"), truncated.getMessage());

        Files.writeString(dir.resolve("checkpoints/latest"), "step-000000000999\n");
        IOException dangling = assertThrows(IOException.class, () -> Checkpoint.resolve(dir, false));
        assertTrue(dangling.getMessage().contains("missing or incomplete"), dangling.getMessage());
    }

    @Test
    void aReplayTooLargeForTheHeapIsRefusedBeforeAllocating() {
        DqnConfig c = small("minatar:breakout", 1_000);
        c.replaySize = Integer.MAX_VALUE;                         // 2.1 G frames x 400 bytes
        Path dir = tmp.resolve("huge");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> train(c, dir, null));
        assertTrue(e.getMessage().contains("needs") && e.getMessage().contains("--replay-size"), e.getMessage());
    }
}
