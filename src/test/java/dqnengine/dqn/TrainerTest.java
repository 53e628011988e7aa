package dqnengine.dqn;

import dqnengine.backend.cpu.FastCpuBackend;
import dqnengine.backend.Backend;
import dqnengine.env.Environments;
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
import java.util.List;

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
        if (resumeFrom == null) Trainer.prepareNewRunDir(dir, c);
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
        for (String f : List.of("config.json", "episodes.csv", "progress.csv", "plots/return.png", "plots/loss.png", "plots/q.png",
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
        assertThrows(IllegalArgumentException.class, () -> Trainer.prepareNewRunDir(dir, c), "an existing run is never overwritten");
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

    @Test
    void resumeContinuesCountersScheduleAndWeightsExactly() throws IOException {
        Path dir = tmp.resolve("resume");
        DqnConfig c = small("cartpole", 1_000);
        train(c, dir, null);
        Path first = Checkpoint.resolve(dir, false);
        Checkpoint.State saved = Checkpoint.readState(first);
        assertEquals(1_000, saved.step);

        // Loading restores exactly the saved weights, optimizer moments and counters.
        DqnLearner restored = new DqnLearner(new FastCpuBackend(1), c, new int[] {4}, dqnengine.env.ObservationEncoding.FLOAT32, 2, 99);
        Checkpoint.State loaded = Checkpoint.load(first, restored, "cartpole", new int[] {4}, 2);
        var file = SafeTensors.read(first.resolve("online.safetensors")).tensors();
        for (Parameter p : restored.online.parameters()) assertArrayEquals(file.get(p.name()).data, p.value().data, p.name());
        for (var e : restored.optimizer.state().entrySet()) assertArrayEquals(file.get("optim." + e.getKey()).data, e.getValue().data, e.getKey());
        assertEquals(saved.updates, restored.optimizer.stepCount());
        assertEquals(saved.agentRng, loaded.agentRng);

        // Continuing to 2,000 steps: the counters go on from 1,000, ε follows the same schedule.
        DqnConfig more = small("cartpole", 2_000);
        Trainer.Result r = train(more, dir, first);
        assertEquals(2_000, r.steps());
        assertEquals(saved.updates + 1_000, r.updates(), "updates continue one per step");
        Checkpoint.State end = Checkpoint.readState(Checkpoint.resolve(dir, false));
        assertEquals(2_000, end.step);
        assertEquals(more.epsilon(2_000), end.epsilon);
        assertTrue(end.episodes >= saved.episodes);
        List<String> progress = Files.readAllLines(dir.resolve("progress.csv"));
        assertEquals(1 + 2_000 / 250, progress.size(), "the resumed run appends to the same metrics");
    }

    @Test
    void corruptTruncatedOrMismatchedCheckpointsGetAClearError() throws IOException {
        Path dir = tmp.resolve("corrupt");
        DqnConfig c = small("cartpole", 1_000);
        train(c, dir, null);
        Path ckpt = Checkpoint.resolve(dir, false);
        DqnLearner l = new DqnLearner(new FastCpuBackend(1), c, new int[] {4}, dqnengine.env.ObservationEncoding.FLOAT32, 2, 1);

        IOException wrongEnv = assertThrows(IOException.class, () -> Checkpoint.load(ckpt, l, "minatar:breakout", new int[] {4}, 2));
        assertTrue(wrongEnv.getMessage().contains("trained on cartpole"), wrongEnv.getMessage());
        IOException wrongShape = assertThrows(IOException.class, () -> Checkpoint.load(ckpt, l, "cartpole", new int[] {6}, 2));
        assertTrue(wrongShape.getMessage().contains("observations"), wrongShape.getMessage());

        Path online = ckpt.resolve("online.safetensors");
        byte[] bytes = Files.readAllBytes(online);
        Files.write(online, java.util.Arrays.copyOf(bytes, bytes.length / 2));
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
