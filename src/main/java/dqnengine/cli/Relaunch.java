package dqnengine.cli;

import dqnengine.backend.cpu.VectorSupport;
import dqnengine.util.SignalChaining;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Restarts the JVM once with {@code --add-modules jdk.incubator.vector} and the JDK's
 * signal-chaining library preloaded.
 *
 * <p>Why: the fast CPU kernel uses the incubating Vector API, which JDK 17 only resolves when the
 * JVM is started with that flag, and a jar manifest has no attribute for it. So a plain
 * {@code java -jar target/dqn-engine.jar …} checks the module, and if the runtime has it but the
 * JVM did not load it, runs the same command again in a child JVM with the flag added (same
 * java binary, same JVM options, same arguments), passes its output through and exits with its
 * exit code. The child's one-line "Using incubator modules" warning is dropped.
 *
 * <p>The child also gets {@code LD_PRELOAD=$JAVA_HOME/lib/libjsig.so} ({@link SignalChaining}): an
 * OpenCL driver loaded later cannot take over the JVM's signal handlers, so faults stay the JVM's
 * and SIGTERM still saves a checkpoint. A JVM that already has the module but not the library is
 * restarted for the library alone.
 *
 * <p>The child belongs to its launcher: it is told the launcher's PID and stops (saving, as on
 * SIGTERM) when the launcher dies, even by {@code kill -9}; see {@link #watchLauncher()}. A SIGTERM
 * on the launcher is passed on, and the launcher waits until the child has finished and its last
 * lines are through.
 *
 * <p>Opt out with {@code DQN_ENGINE_NO_RELAUNCH=1} (the fast backend then uses its plain-Java
 * kernel), or start the JVM with the flag yourself.
 */
final class Relaunch {
    private Relaunch() {}

    static final String MARKER = "dqnengine.relaunched";
    /** System property of the child: the launcher's PID. */
    static final String LAUNCHER_PID = "dqnengine.launcher.pid";
    static final String HEAP = "-XX:MaxRAMPercentage=75";
    private static final String INCUBATOR_WARNING = "WARNING: Using incubator modules: jdk.incubator.vector";

    static boolean wanted() {
        boolean needVector = !VectorSupport.inBootLayer() && VectorSupport.inRuntime();
        boolean needSignals = SignalChaining.library() != null && !SignalChaining.active();
        return (needVector || needSignals)
                && System.getProperty(MARKER) == null && System.getenv("DQN_ENGINE_NO_RELAUNCH") == null
                && ProcessHandle.current().info().command().isPresent();
    }

    /** The child's command line; {@code addVectorModule} when this JVM has the module in its runtime but not loaded. */
    static List<String> command(String javaBinary, List<String> jvmOptions, String classPath, String[] args, boolean addVectorModule,
                                long launcherPid) {
        List<String> cmd = new ArrayList<>();
        cmd.add(javaBinary);
        cmd.addAll(jvmOptions);
        if (jvmOptions.stream().noneMatch(o -> o.startsWith("-Xmx") || o.startsWith("-XX:MaxRAMPercentage") || o.startsWith("-XX:MaxHeapSize"))) {
            // The JVM's default heap is a quarter of RAM: 6 GB on a 24 GB machine, too small for the
            // Nature replay buffer (7.1 GB). With no heap flag of the user's, allow three quarters.
            cmd.add(HEAP);
        }
        if (addVectorModule) {
            cmd.add("--add-modules");
            cmd.add(VectorSupport.MODULE);
        }
        cmd.add("-D" + MARKER + "=true");
        cmd.add("-D" + LAUNCHER_PID + "=" + launcherPid);
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
        ProcessBuilder pb = new ProcessBuilder(command(java, jvmOptions, System.getProperty("java.class.path"), args,
                !VectorSupport.inBootLayer() && VectorSupport.inRuntime(), ProcessHandle.current().pid()));
        Path jsig = SignalChaining.library();
        if (jsig != null) pb.environment().put("LD_PRELOAD", SignalChaining.preloadWith(jsig, pb.environment().get("LD_PRELOAD")));
        pb.redirectInput(ProcessBuilder.Redirect.INHERIT);
        pb.redirectOutput(ProcessBuilder.Redirect.INHERIT);
        pb.redirectError(ProcessBuilder.Redirect.PIPE);
        Process child;
        try {
            child = pb.start();
        } catch (IOException e) {
            return -1;
        }
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
        // Ctrl-C reaches both JVMs, but a SIGTERM (kill, a job scheduler) reaches only this one:
        // pass it on (destroy() is SIGTERM, which the child answers by saving a checkpoint; a second
        // one after Ctrl-C is harmless) and stay alive until the child has finished saving and its
        // last lines on stderr have been passed through.
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            child.destroy();
            try {
                child.waitFor();
                errPump.join(5_000);
            } catch (InterruptedException ignored) {
                Thread.currentThread().interrupt();
            }
        }, "stop-child"));
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

    /**
     * In the child: when the launcher that started it dies (any way, {@code kill -9} included),
     * stop as on SIGTERM: the shutdown hooks run, and {@code train} saves its checkpoint. Without
     * this an orphaned child would go on writing into its run directory unseen.
     */
    static void watchLauncher() {
        String pid = System.getProperty(LAUNCHER_PID);
        if (pid == null) return;
        long launcher;
        try {
            launcher = Long.parseLong(pid);
        } catch (NumberFormatException e) {
            return;
        }
        Optional<ProcessHandle> handle = ProcessHandle.of(launcher);
        if (handle.isEmpty()) {
            System.err.println("dqn-engine: the launcher (PID " + launcher + ") is gone; not starting");
            System.exit(143);
        }
        handle.get().onExit().thenRun(() -> {
            // stdout is the launcher's terminal or file, still open; stderr went through the launcher
            System.out.println("dqn-engine: the launcher (PID " + launcher + ") has exited; stopping");
            System.out.flush();
            System.exit(143);
        });
    }
}
