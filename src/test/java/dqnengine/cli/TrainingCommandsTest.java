package dqnengine.cli;

import dqnengine.testing.CliRun;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;

import static org.junit.jupiter.api.Assertions.*;

/** train, eval, play and tabular from the command line, including the ways they refuse bad input. */
class TrainingCommandsTest {
    @TempDir Path tmp;

    private static void oneLineError(CliRun r, int code, String contains) {
        assertEquals(code, r.code(), r.err());
        assertEquals(1, r.err().strip().lines().count(), "one line: " + r.err());
        assertTrue(r.err().contains(contains), r.err());
    }

    @Test
    void trainThenEvalThenRecordAGif() throws Exception {
        Path run = tmp.resolve("run");
        CliRun t = CliRun.of("train", "--steps", "800", "--learning-starts", "200", "--log-every", "200", "--run-dir", run.toString());
        assertEquals(0, t.code(), t.err());
        assertTrue(t.out().contains("train: cartpole, preset cartpole"), t.out());
        assertTrue(t.out().contains("memory: replay of 50,000 frames"), t.out());
        assertTrue(t.out().contains("done after 800 steps"), t.out());

        CliRun e = CliRun.of("eval", "--run-dir", run.toString(), "--episodes", "3");
        assertEquals(0, e.code(), e.err());
        assertTrue(e.out().contains("protocol: cartpole, epsilon 0.050, 3 episodes"), e.out());
        assertTrue(e.out().matches("(?s).*return: [0-9.]+ \\+- [0-9.]+ \\(std over 3 episodes.*"), e.out());

        Path gif = tmp.resolve("agent.gif");
        CliRun p = CliRun.of("play", "--run-dir", run.toString(), "--gif", gif.toString(), "--max-steps", "15");
        assertEquals(0, p.code(), p.err());
        try (ImageInputStream in = ImageIO.createImageInputStream(gif.toFile())) {
            ImageReader reader = ImageIO.getImageReaders(in).next();
            reader.setInput(in);
            int frames = reader.getNumImages(true);
            assertTrue(frames >= 2 && frames <= 16, "frames: " + frames);
            assertEquals(480, reader.getWidth(0));
        }

        oneLineError(CliRun.of("train", "--steps", "100", "--run-dir", run.toString()), 2, "already holds a run");
        oneLineError(CliRun.of("train", "--resume", run.toString(), "--lr", "0.1"), 2, "only --steps, --save-replay, --device and --threads");
        CliRun more = CliRun.of("train", "--resume", run.toString(), "--steps", "1000");
        assertEquals(0, more.code(), more.err());
        assertTrue(more.out().contains("resumed from") && more.out().contains("at step 800"), more.out());
        assertTrue(more.out().contains("done after 1,000 steps"), more.out());
    }

    @Test
    void badInputGetsOneClearLine() {
        oneLineError(CliRun.of("train", "--steps", "0", "--run-dir", tmp.resolve("a").toString()), 2, "--steps must be positive");
        oneLineError(CliRun.of("train", "--env", "minatar:pacman", "--run-dir", tmp.resolve("b").toString()), 2, "unknown environment 'minatar:pacman'");
        oneLineError(CliRun.of("train", "--preset", "atari2600"), 2, "unknown preset");
        oneLineError(CliRun.of("train", "--resume", tmp.resolve("nothing").toString()), 1, "config.json");
        oneLineError(CliRun.of("eval", "--run-dir", tmp.resolve("nothing").toString()), 1, "no such run directory");
        oneLineError(CliRun.of("eval"), 2, "--run-dir");
        oneLineError(CliRun.of("play", "--run-dir", tmp.resolve("x").toString()), 2, "--gif");
        oneLineError(CliRun.of("tabular", "--env", "cartpole"), 2, "frozenlake");
        Path bad = tmp.resolve("bad.json");
        try {
            Files.writeString(bad, "{ not json");
        } catch (IOException ex) {
            throw new RuntimeException(ex);
        }
        oneLineError(CliRun.of("train", "--config", bad.toString(), "--run-dir", tmp.resolve("c").toString()), 2, "not valid JSON");
    }

    @Test
    void resumingARunThatIsAlreadyPastItsStepsIsRefused() throws Exception {
        Path run = tmp.resolve("short");
        CliRun t = CliRun.of("train", "--steps", "300", "--learning-starts", "64", "--log-every", "100", "--run-dir", run.toString());
        assertEquals(0, t.code(), t.err());
        oneLineError(CliRun.of("train", "--resume", run.toString(), "--steps", "100"), 2,
                "run " + run + " is already at step 300, past --steps 100: give a larger --steps to continue");
        oneLineError(CliRun.of("train", "--resume", run.toString(), "--steps", "300"), 2, "already at step 300, which is --steps 300");
        oneLineError(CliRun.of("train", "--resume", run.toString()), 2, "run " + run + " already reached its 300 steps");
    }

    @Test
    void aGifPathThatCannotTakeAFileIsNamed() throws Exception {
        Path run = tmp.resolve("gifrun");
        assertEquals(0, CliRun.of("train", "--steps", "200", "--learning-starts", "64", "--run-dir", run.toString()).code());
        Path file = Files.writeString(tmp.resolve("file.txt"), "x");
        Path underAFile = file.resolve("agent.gif");
        oneLineError(CliRun.of("play", "--run-dir", run.toString(), "--gif", underAFile.toString(), "--max-steps", "5"), 2,
                "cannot write the GIF to " + underAFile + ": " + file + " is a file, not a directory");
        Path dir = Files.createDirectories(tmp.resolve("a.gif"));
        oneLineError(CliRun.of("play", "--run-dir", run.toString(), "--gif", dir.toString(), "--max-steps", "5"), 2,
                "cannot write the GIF to " + dir + ": it is a directory");
    }

    @Test
    void aMissingRomLeavesNoRunsDirectoryBehind() throws Exception {
        Path runs = Path.of("runs");
        Assumptions.assumeFalse(Files.exists(runs), "runs/ exists in the working directory already");
        CliRun r = CliRun.of("train", "--env", "ale:pong", "--rom", tmp.resolve("nope.bin").toString());
        oneLineError(r, 1, "does not exist");
        assertFalse(Files.exists(runs), "runs/ was left behind");
        Path deep = tmp.resolve("a").resolve("b").resolve("run");
        oneLineError(CliRun.of("train", "--env", "ale:pong", "--rom", tmp.resolve("nope.bin").toString(), "--run-dir", deep.toString()), 1,
                "does not exist");
        assertFalse(Files.exists(tmp.resolve("a")), "the parents of --run-dir were left behind");
    }

    @Test
    void benchLoopTimesTheWholeLoop() {
        CliRun r = CliRun.of("bench", "loop", "--env", "minatar:breakout", "--steps", "300", "--repeats", "1", "--threads", "1");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("# dqn-engine bench loop: minatar:breakout preset=minatar"), r.out());
        assertTrue(r.out().matches("(?s).*agent_steps_per_s median=[0-9]+ .*"), r.out());
        oneLineError(CliRun.of("bench", "loop", "--steps", "5"), 2, "--steps must be at least 100");
    }

    @Test
    void benchBreakdownListsEveryOpOfTheStepAndAccountsForItsTime() {
        CliRun r = CliRun.of("bench", "--breakdown", "--network", "minatar", "--threads", "1", "--repeats", "1", "--iters", "3", "--warmup", "1");
        assertEquals(0, r.code(), r.err());
        String out = r.out();
        for (String row : new String[] {"target fwd  conv 4->16 k3 s1 on 10x10 forward", "online fwd  gemm 32x128x1024 B'", "loss        TD target",
                "loss        huber loss + dL/dQ", "backward    conv 4->16 k3 s1 on 10x10 weight+bias grad", "backward    relu grad 32768",
                "optimizer   adam update (all parameters)", "backward    zero gradients"}) {
            assertTrue(out.contains(row), "no row '" + row + "' in\n" + out);
        }
        assertFalse(out.contains("input grad"), "the first layer's input gradient is never computed:\n" + out);
        // the rows' shares and the remainder outside the ops add up to the whole step
        double total = 0;
        for (String line : out.split("\n")) {
            if (line.startsWith("#") || line.startsWith("phase") || line.startsWith("train_step")) continue;
            for (String token : line.trim().split("\\s+")) {
                if (token.matches("-?[0-9.]+%")) {                 // the first percentage of a row is its share of the step
                    total += Double.parseDouble(token.substring(0, token.length() - 1));
                    break;
                }
            }
        }
        assertEquals(100.0, total, 1.0, out);
        oneLineError(CliRun.of("bench", "--breakdown", "--network", "resnet"), 2, "--network must be nature or minatar");
    }

    @Test
    void benchBreakdownTimesTheOpenClOpsToo() {
        dqnengine.testing.OpenClTesting.assumeIcd();
        CliRun r = CliRun.of("bench", "--breakdown", "--device", "opencl", "--network", "minatar", "--threads", "1", "--repeats", "1", "--iters", "2",
                "--warmup", "1");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("# dqn-engine bench --breakdown: backend=opencl ("), r.out());
        assertTrue(r.out().contains("backward    conv 4->16 k3 s1 on 10x10 weight+bias grad"), r.out());
    }

    @Test
    void seedsTrainOneRunEachAndSummariseAcrossThem() throws Exception {
        Path base = tmp.resolve("seeds");
        CliRun r = CliRun.of("train", "--env", "cartpole", "--steps", "3000", "--learning-starts", "500", "--seeds", "4,7",
                "--iteration-steps", "1000", "--run-dir", base.toString(), "--threads", "1");
        assertEquals(0, r.code(), r.err());
        for (String seed : new String[] {"4", "7"}) {
            Path d = base.resolve("s" + seed);
            assertTrue(Files.isRegularFile(d.resolve("episodes.csv")), "run directory " + d);
            assertTrue(Files.readString(d.resolve("config.json")).contains("\"seed\": " + seed), "seed " + seed + " in its own config");
        }
        String out = r.out();
        assertTrue(out.contains("iteration,seeds,mean,std,per_seed"), out);
        // each summary row: the mean and std of the two runs' own per-iteration means, as report prints them
        for (int iteration = 0; iteration < 3; iteration++) {
            final int it = iteration;
            double[] perSeed = new double[2];
            int k = 0;
            for (String seed : new String[] {"4", "7"}) {
                CliRun rep = CliRun.of("report", "--run-dir", base.resolve("s" + seed).toString(), "--iteration-steps", "1000");
                String row = Arrays.stream(rep.out().split("\n")).filter(l -> l.startsWith(it + ",")).findFirst().orElseThrow();
                perSeed[k++] = Double.parseDouble(row.split(",")[4]);
            }
            double mean = (perSeed[0] + perSeed[1]) / 2, std = Math.abs(perSeed[0] - perSeed[1]) / Math.sqrt(2);
            String row = Arrays.stream(out.split("\n")).filter(l -> l.startsWith(it + ",2,")).findFirst()
                    .orElseThrow(() -> new AssertionError("no summary row for iteration " + it + " in\n" + out));
            String[] f = row.split(",");
            assertEquals(mean, Double.parseDouble(f[2]), 0.011, row);              // report's per-seed means are rounded to 0.01
            assertEquals(std, Double.parseDouble(f[3]), 0.011, row);
            assertEquals(String.format(Locale.ROOT, "%.2f %.2f", perSeed[0], perSeed[1]), f[4], row);
        }
        oneLineError(CliRun.of("train", "--seeds", "1,2", "--seed", "3", "--run-dir", tmp.resolve("x").toString()), 2, "give --seed or --seeds");
        oneLineError(CliRun.of("train", "--seeds", "1,1", "--run-dir", tmp.resolve("y").toString()), 2, "--seeds needs distinct seeds");
        oneLineError(CliRun.of("train", "--resume", base.resolve("s4").toString(), "--seeds", "1,2"), 2, "--seeds starts new runs");
        // a seed whose directory is taken is found before any seed trains
        oneLineError(CliRun.of("train", "--env", "cartpole", "--steps", "3000", "--seeds", "9,4", "--run-dir", base.toString()), 2,
                "run directory " + base.resolve("s4") + " already holds a run");
        assertFalse(Files.exists(base.resolve("s9")), "seed 9 did not start");
    }

    @Test
    void tabularQLearningReportsItsSuccessRate() {
        CliRun r = CliRun.of("tabular", "--env", "frozenlake:deterministic", "--episodes", "2000");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("greedy success rate 1.000"), r.out());
    }

    @Test
    void aConfigFileOverridesThePresetAndFlagsOverrideTheFile() throws Exception {
        Path cfg = tmp.resolve("cfg.json");
        Files.writeString(cfg, "{\"env\": \"minatar:freeway\", \"lr\": 0.001, \"batchSize\": 8}");
        Path run = tmp.resolve("cfgrun");
        CliRun r = CliRun.of("train", "--config", cfg.toString(), "--batch-size", "4", "--steps", "300", "--learning-starts", "100",
                "--run-dir", run.toString());
        assertEquals(0, r.code(), r.err());
        String written = Files.readString(run.resolve("config.json"));
        assertTrue(written.contains("\"env\": \"minatar:freeway\""), written);
        assertTrue(written.contains("\"lr\": 0.001"), written);
        assertTrue(written.contains("\"batchSize\": 4"), written);
    }
}
