package dqnengine.cli;

import dqnengine.testing.CliRun;
import org.junit.jupiter.api.Test;

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
    void aBadDeviceGivesOneLineAndExitCode1() {
        CliRun r = run("bench", "--device", "tpu");
        assertEquals(1, r.code());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertTrue(r.err().contains("unknown --device 'tpu'"), r.err());
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
