package dqnengine.testing;

import dqnengine.cli.Main;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** Runs the command line in a child JVM (for what a process's environment decides: display, OpenCL ICDs). */
public record ChildRun(int code, String out, String err) {

    public static ChildRun of(Map<String, String> env, boolean removeDisplay, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
                "-cp", System.getProperty("java.class.path"), Main.class.getName()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().putAll(env);
        pb.environment().put("DQN_ENGINE_NO_RELAUNCH", "1");
        if (removeDisplay) pb.environment().remove("DISPLAY");
        File err = Files.createTempFile("child", ".err").toFile(), out = Files.createTempFile("child", ".out").toFile();
        pb.redirectError(err).redirectOutput(out);
        Process p = pb.start();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the child JVM did not finish");
        return new ChildRun(p.exitValue(), Files.readString(out.toPath()), Files.readString(err.toPath()));
    }
}
