package dqnengine.cli;

import dqnengine.testing.ChildRun;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.opentest4j.AssertionFailedError;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The launcher (the JVM {@code java -jar} starts, which runs the command again in a child JVM with
 * the vector module and libjsig) exits with its child's exit code, whatever it is. Started as a
 * user would: without DQN_ENGINE_NO_RELAUNCH and without the test JVM's LD_PRELOAD, so it relaunches.
 */
class LauncherExitCodeTest {
    @TempDir Path tmp;

    private record Exit(int code, String out, String err) {}

    private Exit launch(String... args) throws Exception {
        return launch(false, args);
    }

    /** {@code noRelaunch}: as a library user's JVM, without the vector module and without the restart that would add it. */
    private Exit launch(boolean noRelaunch, String... args) throws Exception {
        return launch(noRelaunch, List.of(), args);
    }

    private Exit launch(boolean noRelaunch, List<String> jvmOptions, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java")));
        cmd.addAll(jvmOptions);
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), Main.class.getName()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(tmp.toFile());
        pb.environment().remove("LD_PRELOAD");
        pb.environment().remove("DQN_ENGINE_NO_RELAUNCH");
        if (noRelaunch) pb.environment().put("DQN_ENGINE_NO_RELAUNCH", "1");
        File out = Files.createTempFile(tmp, "out", ".txt").toFile(), err = Files.createTempFile(tmp, "err", ".txt").toFile();
        Process p = pb.redirectOutput(out).redirectError(err).start();
        if (!p.waitFor(ChildRun.LIMIT_SECONDS, TimeUnit.SECONDS)) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            fail("the launcher did not finish: " + Files.readString(out.toPath()) + Files.readString(err.toPath()));
        }
        return new Exit(p.exitValue(), Files.readString(out.toPath()), Files.readString(err.toPath()));
    }

    @Test
    void withoutTheVectorModuleTheSlowKernelsAreAnnouncedOnce() throws Exception {
        String[] loop = {"bench", "loop", "--env", "minatar:breakout", "--steps", "100", "--repeats", "1", "--threads", "1"};
        Exit bare = launch(true, loop);
        assertEquals(0, bare.code(), bare.err());
        String line = "the Vector API (jdk.incubator.vector) is not loaded, so the CPU kernels run in plain Java";
        assertEquals(1, bare.err().split(Pattern.quote(line), -1).length - 1, "said exactly once:\n" + bare.err());
        assertTrue(bare.err().contains("--add-modules jdk.incubator.vector"), bare.err());
        Exit relaunched = launch(false, loop);
        assertEquals(0, relaunched.code(), relaunched.err());
        assertFalse(relaunched.err().contains(line), "the launcher loads the module:\n" + relaunched.err());
    }

    @Test
    void anImpossibleVectorWidthIsOneLineAndExitTwoThroughTheLauncher() throws Exception {
        Exit bad = launch(false, List.of("-Ddqnengine.vector.bits=384"), "bench", "loop", "--env", "minatar:breakout", "--steps", "100", "--repeats", "1");
        assertEquals(2, bad.code(), bad.out() + bad.err());
        assertTrue(bad.err().contains("must be 256 or 512, got '384'"), bad.err());
        assertFalse(bad.err().contains("Exception"), "one line, no stack trace:\n" + bad.err());
    }

    @Test
    void theLauncherExitsWithItsChildsCode() throws Exception {
        Exit version = launch("--version");
        assertEquals(0, version.code(), version.err());
        assertFalse(version.out().isBlank(), "the child's stdout comes through");

        Exit unknownFlag = launch("train", "--no-such-flag");
        assertEquals(2, unknownFlag.code(), unknownFlag.out() + unknownFlag.err());
        assertTrue(unknownFlag.err().contains("--no-such-flag"), "the child's stderr comes through: " + unknownFlag.err());
        assertFalse(unknownFlag.err().contains("Using incubator modules"), "the child's incubator warning is dropped: " + unknownFlag.err());

        Exit badValue = launch("train", "--steps", "0", "--run-dir", tmp.resolve("run").toString());
        assertEquals(2, badValue.code(), badValue.out() + badValue.err());
        assertTrue(badValue.err().contains("--steps must be positive"), badValue.err());

        Exit failure = launch("eval", "--run-dir", tmp.resolve("nothing").toString());
        assertEquals(1, failure.code(), failure.out() + failure.err());
        assertTrue(failure.err().contains("no such run directory"), failure.err());
    }

    @Test
    void aChildRunPastItsLimitIsKilledAndItsOutputReported() throws Exception {
        long before = ProcessHandle.current().children().count();
        AssertionFailedError e = assertThrows(AssertionFailedError.class, () -> ChildRun.within(15, Map.of(), false,
                "train", "--env", "cartpole", "--steps", "100000000", "--run-dir", tmp.resolve("endless").toString()));
        assertTrue(e.getMessage().contains("did not finish in 15 s; killed it"), e.getMessage());
        assertTrue(e.getMessage().contains("train: cartpole"), "the child's stdout is in the failure: " + e.getMessage());
        assertEquals(before, ProcessHandle.current().children().filter(ProcessHandle::isAlive).count(), "the child is gone");
    }
}
