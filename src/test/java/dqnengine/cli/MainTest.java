package dqnengine.cli;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MainTest {
    private record Run(int code, String out, String err) {}

    private static Run run(String... args) {
        PrintStream oldOut = System.out, oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            int code = Main.execute(args);
            return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    @Test
    void helpListsTheCommandAndExitsZero() {
        Run r = run("--help");
        assertEquals(0, r.code());
        assertTrue(r.out().contains("Usage: dqn-engine"), r.out());
    }

    @Test
    void versionExitsZero() {
        Run r = run("--version");
        assertEquals(0, r.code());
        assertTrue(r.out().startsWith("dqn-engine "), r.out());
    }

    @Test
    void benchPrintsEveryFigureWithMedianAndGflops() {
        Run r = run("bench", "--batch", "2", "--iters", "1", "--repeats", "1", "--warmup", "0", "--threads", "1");
        assertEquals(0, r.code(), r.err());
        for (String figure : new String[] {"train_step_ms", "act_batch1_ms", "conv1_fwd_ms", "conv1_fwd_bwd_ms"}) {
            assertTrue(r.out().lines().anyMatch(l -> l.startsWith(figure + " median=") && l.contains("gflops=")), r.out());
        }
    }

    @Test
    void aBadDeviceGivesOneLineAndExitCode1() {
        Run r = run("bench", "--device", "tpu");
        assertEquals(1, r.code());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertTrue(r.err().contains("unknown --device 'tpu'"), r.err());
    }

    @Test
    void aNonNumericValueGivesOneLineAndExitCode2() {
        Run r = run("bench", "--threads", "many");
        assertEquals(2, r.code());
        assertEquals(1, r.err().strip().lines().count(), r.err());
    }

    @Test
    void anUnknownFlagGivesOneLineAndExitCode2() {
        Run r = run("--no-such-flag");
        assertEquals(2, r.code());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertTrue(r.err().contains("--no-such-flag"), r.err());
    }
}
