package dqnengine.testing;

import dqnengine.cli.Main;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.fail;

/** Runs the command line in a child JVM (for what a process's environment decides: display, OpenCL ICDs). */
public record ChildRun(int code, String out, String err) {
    /**
     * How long a child may run. The commands run here take seconds alone, but CI machines and this
     * one are shared: a JVM start under load (class loading, JIT, an emulator's ROM) has been seen
     * near a minute, so the limit is a generous bound that only a hung child reaches.
     */
    public static final int LIMIT_SECONDS = 600;

    public static ChildRun of(Map<String, String> env, boolean removeDisplay, String... args) throws IOException, InterruptedException {
        return within(LIMIT_SECONDS, env, removeDisplay, args);
    }

    /** As {@link #of}, with a limit of {@code limitSeconds}: past it the child is killed and the test fails with its output. */
    public static ChildRun within(int limitSeconds, Map<String, String> env, boolean removeDisplay, String... args)
            throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
                "-cp", System.getProperty("java.class.path"), Main.class.getName()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().putAll(env);
        pb.environment().put("DQN_ENGINE_NO_RELAUNCH", "1");
        if (removeDisplay) pb.environment().remove("DISPLAY");
        File err = Files.createTempFile("child", ".err").toFile(), out = Files.createTempFile("child", ".out").toFile();
        err.deleteOnExit();
        out.deleteOnExit();
        pb.redirectError(err).redirectOutput(out);
        Process p = pb.start();
        if (!p.waitFor(limitSeconds, TimeUnit.SECONDS)) {
            // never leave it running, and say what it had done by then
            p.destroyForcibly();
            p.waitFor(30, TimeUnit.SECONDS);
            fail("the child JVM (" + String.join(" ", args) + ") did not finish in " + limitSeconds + " s; killed it.\nstdout:\n"
                    + Files.readString(out.toPath()) + "\nstderr:\n" + Files.readString(err.toPath()));
        }
        return new ChildRun(p.exitValue(), Files.readString(out.toPath()), Files.readString(err.toPath()));
    }
}
