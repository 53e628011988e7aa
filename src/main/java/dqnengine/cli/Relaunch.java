package dqnengine.cli;

import dqnengine.backend.cpu.VectorSupport;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Restarts the JVM once with {@code --add-modules jdk.incubator.vector}.
 *
 * <p>Why: the fast CPU kernel uses the incubating Vector API, which JDK 17 only resolves when the
 * JVM is started with that flag, and a jar manifest has no attribute for it. So a plain
 * {@code java -jar target/dqn-engine.jar …} checks the module, and if the runtime has it but the
 * JVM did not load it, runs the same command again in a child JVM with the flag added (same
 * java binary, same JVM options, same arguments), passes its output through and exits with its
 * exit code. The child's one-line "Using incubator modules" warning is dropped.
 *
 * <p>Opt out with {@code DQN_ENGINE_NO_RELAUNCH=1} (the fast backend then uses its plain-Java
 * kernel), or start the JVM with the flag yourself.
 */
final class Relaunch {
    private Relaunch() {}

    static final String MARKER = "dqnengine.relaunched";
    static final String HEAP = "-XX:MaxRAMPercentage=75";
    private static final String INCUBATOR_WARNING = "WARNING: Using incubator modules: jdk.incubator.vector";

    static boolean wanted() {
        return !VectorSupport.inBootLayer() && VectorSupport.inRuntime()
                && System.getProperty(MARKER) == null && System.getenv("DQN_ENGINE_NO_RELAUNCH") == null
                && ProcessHandle.current().info().command().isPresent();
    }

    /** The child's command line. */
    static List<String> command(String javaBinary, List<String> jvmOptions, String classPath, String[] args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(javaBinary);
        cmd.addAll(jvmOptions);
        if (jvmOptions.stream().noneMatch(o -> o.startsWith("-Xmx") || o.startsWith("-XX:MaxRAMPercentage") || o.startsWith("-XX:MaxHeapSize"))) {
            // The JVM's default heap is a quarter of RAM: 6 GB on a 24 GB machine, too small for the
            // Nature replay buffer (7.1 GB). With no heap flag of the user's, allow three quarters.
            cmd.add(HEAP);
        }
        cmd.add("--add-modules");
        cmd.add(VectorSupport.MODULE);
        cmd.add("-D" + MARKER + "=true");
        cmd.add("-cp");
        cmd.add(classPath);
        cmd.add(Main.class.getName());
        cmd.addAll(List.of(args));
        return cmd;
    }

    /** Runs the child and returns its exit code; -1 if it could not be started. */
    static int run(String[] args) {
        String java = ProcessHandle.current().info().command().orElseThrow();
        List<String> jvmOptions = ManagementFactory.getRuntimeMXBean().getInputArguments();
        ProcessBuilder pb = new ProcessBuilder(command(java, jvmOptions, System.getProperty("java.class.path"), args));
        pb.redirectInput(ProcessBuilder.Redirect.INHERIT);
        pb.redirectOutput(ProcessBuilder.Redirect.INHERIT);
        pb.redirectError(ProcessBuilder.Redirect.PIPE);
        Process child;
        try {
            child = pb.start();
        } catch (IOException e) {
            return -1;
        }
        // Ctrl-C reaches both JVMs, but a SIGTERM (kill, a job scheduler) reaches only this one:
        // pass it on (destroy() is SIGTERM, which the child answers by saving a checkpoint; a second
        // one after Ctrl-C is harmless) and stay alive until the child has finished saving.
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            child.destroy();
            try {
                child.waitFor();
            } catch (InterruptedException ignored) {
                Thread.currentThread().interrupt();
            }
        }));
        Thread errPump = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(child.getErrorStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    if (!line.equals(INCUBATOR_WARNING)) System.err.println(line);
                }
            } catch (IOException ignored) {
                // the child went away; its exit code says what happened
            }
        }, "stderr-pump");
        errPump.start();
        try {
            int code = child.waitFor();
            errPump.join();
            return code;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            child.destroy();
            return 130;
        }
    }
}
