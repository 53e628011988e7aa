package dqnengine.cli;

import dqnengine.testing.CliRun;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MainTest {
    private static CliRun run(String... args) {
        return CliRun.of(args);
    }

    @Test
    void helpListsTheCommandAndExitsZero() {
        CliRun r = run("--help");
        assertEquals(0, r.code());
        assertTrue(r.out().contains("Usage: dqn-engine"), r.out());
    }

    @Test
    void versionExitsZero() {
        CliRun r = run("--version");
        assertEquals(0, r.code());
        assertTrue(r.out().startsWith("dqn-engine "), r.out());
    }

    @Test
    void benchPrintsEveryFigureWithMedianAndGflops() {
        CliRun r = run("bench", "--batch", "2", "--iters", "1", "--repeats", "1", "--warmup", "0", "--threads", "1");
        assertEquals(0, r.code(), r.err());
        for (String figure : new String[] {"train_step_ms", "act_batch1_ms", "conv1_fwd_ms", "conv1_fwd_bwd_ms"}) {
            assertTrue(r.out().lines().anyMatch(l -> l.startsWith(figure + " median=") && l.contains("gflops=")), r.out());
        }
        for (String figure : new String[] {"train_steps_per_s", "replay_batch_ms", "env_steps_per_s", "loop_steps_per_s"}) {
            assertTrue(r.out().lines().anyMatch(l -> l.startsWith(figure + " median=")), r.out());
        }
    }

    @Test
    void aBadDeviceGivesOneLineAndExitCode2() {
        CliRun r = run("bench", "--device", "tpu");
        assertEquals(2, r.code());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertTrue(r.err().contains("unknown --device 'tpu'"), r.err());
    }

    /** Values that parse but that the engine cannot use are bad input too: exit code 2, as the README says. */
    @Test
    void badValuesGiveOneLineAndExitCode2(@TempDir Path tmp) {
        String run = tmp.resolve("never-written").toString();
        String[][] cases = {
                {"--lr must be in (0, 1)", "train", "--lr", "-1", "--run-dir", run},
                {"unknown --device 'cuda'", "train", "--device", "cuda", "--run-dir", run},
                {"--device opencl:N needs a device number", "eval", "--run-dir", run, "--device", "opencl:x"},
                {"unknown environment 'foo'", "train", "--env", "foo", "--run-dir", run},
                {"unknown preset 'fast'", "train", "--preset", "fast", "--run-dir", run},
                {"unknown Atari preset 'modern'", "train", "--env", "minatar:breakout", "--atari-preset", "modern", "--run-dir", run},
                {"--episodes must be at least 1", "eval", "--run-dir", run, "--episodes", "0"},
                {"--epsilon must be in [0, 1]", "eval", "--run-dir", run, "--epsilon", "2"},
                {"--max-steps must be positive", "eval", "--run-dir", run, "--max-steps", "0"},
                {"--scale must be between 1 and 8", "play", "--human", "--scale", "0"},
                {"tabular runs on frozenlake", "tabular", "--env", "cartpole"},
        };
        for (String[] c : cases) {
            String[] args = Arrays.copyOfRange(c, 1, c.length);
            if (args[0].equals("train")) {                      // should one be accepted after all, it ends in a second
                args = Arrays.copyOf(args, args.length + 4);
                System.arraycopy(new String[] {"--steps", "100", "--learning-starts", "64"}, 0, args, args.length - 4, 4);
            }
            CliRun r = run(args);
            assertEquals(2, r.code(), String.join(" ", c) + ": " + r.err());
            assertEquals(1, r.err().strip().lines().count(), r.err());
            assertTrue(r.err().contains(c[0]), r.err());
        }
        assertTrue(!Files.exists(Path.of(run)), "no run directory is left behind");
    }

    @Test
    void aNonNumericValueGivesOneLineAndExitCode2() {
        CliRun r = run("bench", "--threads", "many");
        assertEquals(2, r.code());
        assertEquals(1, r.err().strip().lines().count(), r.err());
    }

    @Test
    void anUnknownFlagGivesOneLineAndExitCode2() {
        CliRun r = run("--no-such-flag");
        assertEquals(2, r.code());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertTrue(r.err().contains("--no-such-flag"), r.err());
    }
}
