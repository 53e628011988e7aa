package dqnengine.cluster;

import dqnengine.cli.Main;
import dqnengine.dqn.Checkpoint;
import dqnengine.io.CsvLog;
import dqnengine.testing.CliRun;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The cluster as users run it: a learner and actors in separate JVMs on loopback, joined by
 * Hazelcast. Actors are killed with SIGKILL, the learner too, and the run carries on.
 */
class ClusterProcessesTest {
    @TempDir Path tmp;
    private final List<Process> started = new ArrayList<>();

    @AfterEach
    void killLeftovers() {
        for (Process p : started) p.destroyForcibly();
    }

    /** A child JVM running the command line, its output in files under tmp. */
    private record Child(Process process, Path out, Path err) {
        String output() throws IOException { return Files.readString(out) + Files.readString(err); }
    }

    private Child start(String name, String... args) throws IOException {
        return start(name, List.of(), args);
    }

    private Child start(String name, List<String> jvmOptions, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java")));
        cmd.addAll(jvmOptions);
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), Main.class.getName()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().put("DQN_ENGINE_NO_RELAUNCH", "1");        // the PID is the JVM itself: SIGKILL reaches it
        Path out = tmp.resolve(name + ".out"), err = tmp.resolve(name + ".err");
        pb.redirectOutput(out.toFile()).redirectError(err.toFile());
        Process p = pb.start();
        started.add(p);
        return new Child(p, out, err);
    }

    private static void await(String what, int seconds, Child watched, BooleanSupplier condition) throws Exception {
        long deadline = System.currentTimeMillis() + seconds * 1000L;
        while (!condition.getAsBoolean()) {
            if (System.currentTimeMillis() > deadline) fail("waited " + seconds + " s for " + what + "; output so far:\n" + watched.output());
            if (!watched.process().isAlive() && !condition.getAsBoolean()) fail(what + ": the process ended first:\n" + watched.output());
            Thread.sleep(200);
        }
    }

    private static long latestCheckpointStep(Path run) {
        try {
            return Checkpoint.readState(Checkpoint.resolve(run, false)).step;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @Test
    void actorsFeedTheLearnerSurviveItsRestartAndAKilledActorDoesNotStopTraining() throws Exception {
        int port = freePort();
        Path run = tmp.resolve("run");
        String[] learnerArgs = {"cluster", "learner", "--env", "cartpole", "--steps", "8000", "--checkpoint-every", "1000", "--log-every", "500",
                "--learning-starts", "500", "--replay-size", "5000", "--target-every", "500", "--actors", "3", "--publish-every", "50",
                "--run-dir", run.toString(), "--port", Integer.toString(port), "--threads", "1"};
        Child learner = start("learner", learnerArgs);
        await("the learner to listen", 120, learner, () -> output(learner).contains("actors join with"));

        // a wrong game, a wrong address, a taken port: one line each, exit 2, while the learner runs
        CliRun wrongGame = CliRun.of("cluster", "actor", "--join", "127.0.0.1:" + port, "--env", "ale:pong");
        assertEquals(2, wrongGame.code(), wrongGame.err());
        assertEquals("dqn-engine: error: the learner trains on cartpole, not ale:pong", wrongGame.err().strip());
        CliRun taken = CliRun.of("cluster", "learner", "--env", "cartpole", "--steps", "100", "--run-dir", tmp.resolve("other").toString(),
                "--port", Integer.toString(port));
        assertEquals(2, taken.code(), taken.err());
        assertEquals("dqn-engine: error: port " + port + " is taken (another learner?): choose another with --port", taken.err().strip());

        Child[] actors = new Child[3];
        for (int i = 0; i < 3; i++) {
            actors[i] = start("actor" + i, "cluster", "actor", "--join", "127.0.0.1:" + port, "--index", Integer.toString(i),
                    "--learner-timeout", "180", "--chunk-steps", "32", "--sync-every", "50", "--threads", "1");
        }
        await("a checkpoint at step 2000", 240, learner, () -> latestCheckpointStep(run) >= 2_000);
        actors[2].process().destroyForcibly().waitFor(30, TimeUnit.SECONDS);                 // SIGKILL an actor
        long killedAt = latestCheckpointStep(run);
        await("training to go on without actor 2", 240, learner, () -> latestCheckpointStep(run) >= killedAt + 1_500);
        learner.process().destroyForcibly().waitFor(30, TimeUnit.SECONDS);                  // SIGKILL the learner
        long resumedAt = latestCheckpointStep(run);
        assertTrue(resumedAt < 8_000, "the learner was killed before its end");

        Child again = start("learner2", "cluster", "learner", "--resume", run.toString(), "--threads", "1");   // --port etc. from cluster.json
        assertTrue(again.process().waitFor(300, TimeUnit.SECONDS), "the resumed learner finished:\n" + again.output());
        assertEquals(0, again.process().exitValue(), again.output());
        String resumed = again.output();
        assertTrue(resumed.contains(String.format(Locale.ROOT, "resumed from %s", run.resolve("checkpoints"))), resumed);
        assertTrue(resumed.contains("done after 8,000 steps"), resumed);

        for (int i = 0; i < 2; i++) {
            Child a = actors[i];
            assertTrue(a.process().waitFor(120, TimeUnit.SECONDS), "actor " + i + " stopped after the run ended:\n" + a.output());
            String out = a.output();
            assertEquals(0, a.process().exitValue(), out);
            assertTrue(out.contains("actor " + i + ": the learner restarted; carrying on"), out);
            assertTrue(out.contains("actor " + i + ": the learner finished its run"), out);
            Matcher m = Pattern.compile("([\\d,]+) weight loads").matcher(out);
            assertTrue(m.find() && Long.parseLong(m.group(1).replace(",", "")) >= 2, "weights reached actor " + i + " before and after the restart:\n" + out);
        }
        Set<Integer> tagged = new TreeSet<>();
        for (double e : CsvLog.columns(run.resolve("episodes.csv"), "env", "step")[0]) tagged.add((int) e);
        assertEquals(Set.of(0, 1, 2), tagged, "episodes of all three actors reached the learner's episodes.csv");
        double[] steps = CsvLog.columns(run.resolve("progress.csv"), "step", "updates")[0];
        assertEquals(8_000, steps[steps.length - 1]);
    }

    private static String output(Child c) {
        try {
            return c.output();
        } catch (IOException e) {
            return "";
        }
    }

    @Test
    void aSweepCompletesWithAWorkerKilledMidwayAndItsCellsEqualLocalRuns() throws Exception {
        int port = freePort();
        Path root = tmp.resolve("sweep");
        Path grid = tmp.resolve("grid.json");
        Files.writeString(grid, "{\"envs\": [\"cartpole\", \"minatar:breakout\"], \"seeds\": [0, 1], \"flags\": [\"--steps\", \"4000\", "
                + "\"--replay-size\", \"5000\", \"--learning-starts\", \"300\", \"--checkpoint-every\", \"500\", \"--threads\", \"1\"]}");
        Child coordinator = start("coordinator", "sweep", "--grid", grid.toString(), "--root", root.toString(), "--port", Integer.toString(port),
                "--workers", "1", "--lease-seconds", "4");
        await("the coordinator to listen", 120, coordinator, () -> output(coordinator).contains("sweep worker --join"));
        Child worker = start("worker", "sweep", "worker", "--join", "127.0.0.1:" + port, "--lease-seconds", "4");
        Pattern starting = Pattern.compile("sweep: starting (\\S+) on ");
        String[] cell = {null};
        await("the worker to train a cell past its first checkpoint", 240, worker, () -> {
            Matcher m = starting.matcher(output(worker));
            if (m.find()) cell[0] = m.group(1);
            return cell[0] != null && latestCheckpointStep(root.resolve(cell[0])) >= 1_000;
        });
        worker.process().destroyForcibly().waitFor(30, TimeUnit.SECONDS);          // SIGKILL the worker; its train child stops and saves

        assertTrue(coordinator.process().waitFor(400, TimeUnit.SECONDS), "the sweep finished:\n" + coordinator.output());
        String out = coordinator.output();
        assertEquals(0, coordinator.process().exitValue(), out);
        assertTrue(out.contains("sweep: resuming " + cell[0] + " on "), "the killed worker's cell was resumed from its checkpoint:\n" + out);
        assertTrue(out.contains("| cartpole | cartpole |") && out.contains("| minatar:breakout | minatar |"), out);
        assertTrue(Files.isRegularFile(root.resolve("summary.csv")) && Files.isRegularFile(root.resolve("summary.md")));

        // a cell that ran without interruption equals a local train run with the same seed and flags
        String other = cell[0].equals("cartpole/cartpole/s1") ? "cartpole/cartpole/s0" : "cartpole/cartpole/s1";
        long seed = Long.parseLong(other.substring(other.length() - 1));
        Path local = tmp.resolve("local");
        // in a JVM started as the sweep's cells are: with the Vector API module (so the same kernels and
        // the same order of float sums; this test JVM may also run with other settings, e.g. 256-bit vectors)
        Child alone = start("local", List.of("--add-modules", "jdk.incubator.vector"), "train", "--env", "cartpole", "--preset", "cartpole", "--seed", Long.toString(seed), "--run-dir", local.toString(),
                "--steps", "4000", "--replay-size", "5000", "--learning-starts", "300", "--checkpoint-every", "500", "--threads", "1");
        assertTrue(alone.process().waitFor(300, TimeUnit.SECONDS), alone.output());
        assertEquals(0, alone.process().exitValue(), alone.output());
        double[][] swept = CsvLog.columns(root.resolve(other).resolve("episodes.csv"), "step", "return");
        double[][] mine = CsvLog.columns(local.resolve("episodes.csv"), "step", "return");
        assertTrue(swept[0].length > 10);
        assertArrayEquals(mine[0], swept[0], "episode ends at the same steps");
        assertArrayEquals(mine[1], swept[1], "the same returns");
    }

    @Test
    void aWrongAddressIsOneLine() {
        CliRun nobody = CliRun.of("cluster", "actor", "--join", "127.0.0.1:1");
        assertEquals(2, nobody.code());
        assertTrue(nobody.err().strip().startsWith("dqn-engine: error: no learner answers at 127.0.0.1:1 ("), nobody.err());
        assertEquals(1, nobody.err().strip().lines().count(), nobody.err());
        CliRun malformed = CliRun.of("cluster", "actor", "--join", "learner-without-port");
        assertEquals(2, malformed.code());
        assertEquals("dqn-engine: error: --join needs HOST:PORT, got 'learner-without-port'", malformed.err().strip());
        CliRun noRun = CliRun.of("cluster", "learner", "--resume", File.separator + "nonexistent-run-dir");
        assertEquals(2, noRun.code(), noRun.err());
    }
}
