package dqnengine.cli;

import dqnengine.testing.CliRun;
import dqnengine.testing.OpenClTesting;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * A training run either keeps going or stops with its work saved, and nothing else writes into its
 * directory. These run the real command line in child JVMs: through the launcher (the JVM that
 * {@code java -jar} starts, which restarts itself with the vector module and libjsig), or
 * directly, as the tests need.
 */
class RunSafetyTest {
    @TempDir Path tmp;

    /** A command-line process and the files its output goes to. */
    private record Child(Process process, File outFile, File errFile) {
        String out() throws IOException { return Files.readString(outFile.toPath()); }
        String err() throws IOException { return Files.readString(errFile.toPath()); }

        /** Waits until stdout holds {@code text}; fails with both streams if the process ends first or time runs out. */
        void awaitOut(String text, int seconds) throws Exception {
            long end = System.nanoTime() + seconds * 1_000_000_000L;
            while (!out().contains(text)) {
                if (!process.isAlive()) fail("ended (" + process.exitValue() + ") before printing '" + text + "':\n" + out() + "\n" + err());
                if (System.nanoTime() > end) fail("no '" + text + "' after " + seconds + " s:\n" + out() + "\n" + err());
                Thread.sleep(100);
            }
        }
    }

    /**
     * Starts the command line in a new JVM. {@code throughLauncher}: as {@code java -jar} would, so
     * it relaunches (without the test JVM's LD_PRELOAD, which the launcher must add itself);
     * otherwise the working JVM directly, with no libjsig.
     */
    private Child start(boolean throughLauncher, List<String> jvmOptions, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java")));
        cmd.addAll(jvmOptions);
        if (!throughLauncher) cmd.addAll(List.of("--add-modules", "jdk.incubator.vector"));
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), Main.class.getName()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(tmp.toFile());
        pb.environment().remove("LD_PRELOAD");
        if (throughLauncher) pb.environment().remove("DQN_ENGINE_NO_RELAUNCH");
        else pb.environment().put("DQN_ENGINE_NO_RELAUNCH", "1");
        File out = Files.createTempFile(tmp, "out", ".txt").toFile(), err = Files.createTempFile(tmp, "err", ".txt").toFile();
        pb.redirectOutput(out).redirectError(err);
        return new Child(pb.start(), out, err);
    }

    private static String[] endlessCartPole(Path run, String... more) {
        List<String> a = new ArrayList<>(List.of("train", "--env", "cartpole", "--steps", "100000000", "--stop-at-return", "1e9",
                "--checkpoint-every", "100000000", "--run-dir", run.toString()));
        a.addAll(List.of(more));
        return a.toArray(String[]::new);
    }

    @Test
    void aKilledLauncherTakesItsChildWithItAndTheChildSavesFirst() throws Exception {
        Path run = tmp.resolve("run");
        Child c = start(true, List.of(), endlessCartPole(run));
        c.awaitOut("train: cartpole", 60);
        List<ProcessHandle> children = c.process().toHandle().children().toList();
        assertEquals(1, children.size(), "the launcher runs one training JVM");
        ProcessHandle trainer = children.get(0);
        try {
            Thread.sleep(1_500);
            c.process().destroyForcibly();                         // kill -9: the launcher gets no chance to pass anything on
            assertTrue(c.process().waitFor(30, TimeUnit.SECONDS));
            assertTrue(trainer.onExit().get(60, TimeUnit.SECONDS) != null, "the training JVM exits when its launcher dies");
        } finally {
            trainer.destroyForcibly();                              // never leave an orphan behind, even when this fails
        }
        assertTrue(c.out().contains("the launcher (PID " + c.process().pid() + ") has exited; stopping"), c.out());
        assertTrue(c.out().contains("interrupted and saved"), c.out());
        assertTrue(Files.isRegularFile(run.resolve("checkpoints/latest")), "the orphan saved before exiting");
    }

    @Test
    void aSecondProcessOnARunDirectoryInUseIsRefused() throws Exception {
        Path run = tmp.resolve("run");
        Child c = start(false, List.of(), endlessCartPole(run));
        try {
            c.awaitOut("train: cartpole", 60);
            CliRun again = CliRun.of("train", "--resume", run.toString());
            assertEquals(2, again.code(), again.err());
            assertEquals("dqn-engine: error: run " + run + " is in use by PID " + c.process().pid()
                    + " (another training process writes it; wait for it or stop it first)", again.err().strip());
            CliRun fresh = CliRun.of("train", "--run-dir", run.toString());
            assertTrue(fresh.err().contains("is in use by PID " + c.process().pid()), fresh.err());
        } finally {
            c.process().destroy();                                  // SIGTERM: saves, then exits
            assertTrue(c.process().waitFor(60, TimeUnit.SECONDS));
        }
        assertTrue(c.out().contains("interrupted and saved"), c.out());
    }

    @Test
    void openingOpenClLeavesTheJvmsSignalHandlersInPlace() throws Exception {
        OpenClTesting.assumeIcd();
        Child c = start(true, List.of("-Xcheck:jni"), "devices");
        assertTrue(c.process().waitFor(120, TimeUnit.SECONDS));
        String all = c.out() + c.err();
        assertEquals(0, c.process().exitValue(), all);
        assertTrue(all.contains("opencl:0"), "the devices were listed: " + all);
        assertFalse(all.contains("handler modified"), "an OpenCL driver replaced the JVM's signal handlers:\n" + all);
    }

    @Test
    void sigtermAfterOpenClWasOpenedStillSavesTheRun() throws Exception {
        OpenClTesting.assumeIcd();
        Path run = tmp.resolve("run");
        Child c = start(true, List.of(), endlessCartPole(run, "--device", "opencl", "--learning-starts", "100"));
        c.awaitOut("train: cartpole", 120);
        Thread.sleep(2_000);
        c.process().destroy();                                      // SIGTERM to the launcher, passed on to the training JVM
        assertTrue(c.process().waitFor(120, TimeUnit.SECONDS));
        assertTrue(c.out().contains("interrupted and saved"), "stdout:\n" + c.out() + "\nstderr:\n" + c.err());
        assertTrue(Files.isRegularFile(run.resolve("checkpoints/latest")));
    }

    @Test
    void afterACrashTheResumedRunsLogsHaveNoDuplicateStepsOrEpisodes() throws Exception {
        Path run = tmp.resolve("run");
        Child c = start(false, List.of(), "train", "--env", "cartpole", "--steps", "100000000", "--stop-at-return", "1e9",
                "--learning-starts", "500", "--checkpoint-every", "3000", "--log-every", "500", "--threads", "1", "--run-dir", run.toString());
        try {
            // crash (kill -9 of the training JVM itself) once rows exist past the last checkpoint
            long end = System.nanoTime() + 120_000_000_000L;
            while (true) {
                assertTrue(System.nanoTime() < end && c.process().isAlive(), c.out() + c.err());
                List<Long> steps = column(run.resolve("progress.csv"), 0);
                long last = steps.isEmpty() ? 0 : steps.get(steps.size() - 1);
                if (last > 3_000 && last % 3_000 >= 1_000) break;     // rows past the newest checkpoint (every 3,000), however far it got
                Thread.sleep(50);
            }
        } finally {
            c.process().destroyForcibly();
            c.process().waitFor(30, TimeUnit.SECONDS);
        }
        long before = column(run.resolve("progress.csv"), 0).stream().mapToLong(Long::longValue).max().orElseThrow();
        assertTrue(before > 3_000, "rows past the checkpoint at 3,000 were written: " + before);
        CliRun r = CliRun.of("train", "--resume", run.toString(), "--steps", String.valueOf(before + 2_000), "--threads", "1");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("rolled " + run + " back to its checkpoint at step"), r.out());
        List<Long> steps = column(run.resolve("progress.csv"), 0);
        assertEquals(steps.size(), new HashSet<>(steps).size(), "duplicate steps in progress.csv: " + steps);
        for (int i = 1; i < steps.size(); i++) assertTrue(steps.get(i) > steps.get(i - 1), "progress.csv goes back: " + steps);
        List<Long> episodes = column(run.resolve("episodes.csv"), 0), episodeSteps = column(run.resolve("episodes.csv"), 1);
        for (int i = 0; i < episodes.size(); i++) assertEquals(i + 1, episodes.get(i), "episodes.csv numbering");
        for (int i = 1; i < episodeSteps.size(); i++) assertTrue(episodeSteps.get(i) >= episodeSteps.get(i - 1), "episode steps go back");
    }

    private static List<Long> column(Path csv, int index) throws IOException {
        List<Long> out = new ArrayList<>();
        if (!Files.exists(csv)) return out;
        List<String> lines = Files.readAllLines(csv);
        for (int i = 1; i < lines.size(); i++) {
            String[] f = lines.get(i).split(",", -1);
            if (f.length > index && !f[index].isEmpty()) {
                try {
                    out.add((long) Double.parseDouble(f[index]));
                } catch (NumberFormatException cut) {
                    // a row being written as we read
                }
            }
        }
        return out;
    }

    @Test
    void anAbsurdThreadCountIsCappedAtTheCoresWithOneLine() {
        int cores = Runtime.getRuntime().availableProcessors();
        CliRun r = CliRun.of("train", "--threads", "1000", "--steps", "300", "--learning-starts", "100", "--run-dir", tmp.resolve("t").toString());
        assertEquals(0, r.code(), r.err());
        assertEquals("dqn-engine: --threads 1000: this machine has " + cores + " cores; using " + cores, r.err().strip());
        assertTrue(r.out().contains("backend cpu (" + cores + " threads"), r.out());
        CliRun zero = CliRun.of("train", "--threads", "0", "--run-dir", tmp.resolve("z").toString());
        assertEquals(2, zero.code());
        assertTrue(zero.err().contains("--threads must be at least 1"), zero.err());
    }

    @Test
    void nRunsStartedTogetherGetNDirectories() throws Exception {
        int n = 3;
        List<Child> runs = new ArrayList<>();
        for (int s = 1; s <= n; s++) {
            runs.add(start(false, List.of(), "train", "--env", "cartpole", "--steps", "300", "--learning-starts", "100", "--threads", "1",
                    "--seed", "1"));
        }
        Set<String> dirs = new HashSet<>();
        for (Child c : runs) {
            assertTrue(c.process().waitFor(120, TimeUnit.SECONDS));
            assertEquals(0, c.process().exitValue(), c.err());
            String out = c.out();
            String line = out.lines().filter(l -> l.startsWith("run directory: ")).findFirst().orElseThrow(() -> new AssertionError(out));
            dirs.add(line.substring("run directory: ".length(), line.indexOf(" (evaluate")));
        }
        assertEquals(n, dirs.size(), "one directory per run: " + dirs);
        for (String d : dirs) {
            assertTrue(d.startsWith("runs/cartpole-s1-"), d);
            assertEquals(1, Files.readAllLines(tmp.resolve(d).resolve("episodes.csv")).stream().filter(l -> l.startsWith("1,")).count(),
                    "one episode 1 in " + d);
        }
    }

    @Test
    void aDamagedStateJsonOrAPointerOutsideTheRunIsRefusedInOneLine() throws Exception {
        Path run = tmp.resolve("run");
        CliRun t = CliRun.of("train", "--steps", "400", "--learning-starts", "100", "--threads", "1", "--run-dir", run.toString());
        assertEquals(0, t.code(), t.err());
        Path cp = run.resolve("checkpoints").resolve(Files.readString(run.resolve("checkpoints/latest")).trim());
        String good = Files.readString(cp.resolve("state.json"));

        Files.writeString(cp.resolve("state.json"), good.replaceFirst("\"step\": 400,", ""));
        CliRun missing = CliRun.of("train", "--resume", run.toString(), "--steps", "800");
        assertEquals(1, missing.err().strip().lines().count(), missing.err());
        assertTrue(missing.err().contains("has no field \"step\""), missing.err());
        assertNotEquals(0, missing.code());

        Files.writeString(cp.resolve("state.json"), good.replaceFirst("\"step\": 400,", "\"step\": -5,"));
        CliRun negative = CliRun.of("eval", "--run-dir", run.toString(), "--episodes", "1");
        assertTrue(negative.err().contains("field \"step\" must be at least 0, got -5"), negative.err());

        Files.writeString(cp.resolve("state.json"), good.replaceFirst("\"epsilon\": [0-9.eE-]+,", "\"epsilon\": \"high\","));
        CliRun wrongType = CliRun.of("eval", "--run-dir", run.toString(), "--episodes", "1");
        assertEquals(1, wrongType.err().strip().lines().count(), wrongType.err());
        assertTrue(wrongType.err().contains("field \"epsilon\" must be a number, got \"high\""), wrongType.err());
        assertFalse(wrongType.err().contains("safetensors"), wrongType.err());

        Files.writeString(cp.resolve("state.json"), good);
        Path elsewhere = Files.createDirectories(tmp.resolve("elsewhere"));
        Files.writeString(elsewhere.resolve("state.json"), good);
        Files.writeString(run.resolve("checkpoints/latest"), "../../elsewhere\n");
        CliRun outside = CliRun.of("eval", "--run-dir", run.toString(), "--episodes", "1");
        assertNotEquals(0, outside.code());
        assertTrue(outside.err().contains("which is not a checkpoint of this run"), outside.err());
    }
}
