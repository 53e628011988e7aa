package dqnengine.backend;

import dqnengine.backend.cpu.FastCpuBackend;
import dqnengine.backend.cpu.ReferenceBackend;
import dqnengine.backend.cpu.VectorSupport;
import dqnengine.backend.opencl.OpenCl;
import dqnengine.backend.opencl.OpenClBackend;
import dqnengine.util.BadInput;
import dqnengine.util.SignalChaining;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * Builds the backend a {@code --device} value names: the one place a program, the command line
 * or a library user's, picks where the networks compute.
 */
public final class Backends {
    private Backends() {}

    /** The values {@code --device} accepts in this build. */
    public static final String DEVICES = "auto, cpu, reference, opencl[:N]";

    /** @return every core the JVM sees */
    public static int defaultThreads() { return Runtime.getRuntime().availableProcessors(); }

    /**
     * Threads to use for {@code network} when none are asked for. The Nature CNN's train step
     * scales with cores, so it gets the cores that are free now ({@link #freeCores}); the MLP and
     * the MinAtar network are too small to gain from a second thread (their parallel loops last
     * microseconds, less than a hand-over costs), so they get one.
     *
     * @param network the network's name in {@link dqnengine.dqn.DqnConfig#network}
     * @return the threads to use
     */
    public static int defaultThreads(String network) {
        return "nature".equals(network) ? freeCores() : 1;
    }

    /**
     * The cores not busy with other work, measured over 100 ms from {@code /proc/stat} (Linux):
     * available cores minus the busy fraction of the whole machine, rounded, at least 1. Where it
     * cannot be read: every core the JVM sees.
     *
     * @return the free cores
     */
    public static int freeCores() {
        int cores = Runtime.getRuntime().availableProcessors();
        long[] a = cpuTimes(), b;
        if (a == null) return cores;
        try {
            Thread.sleep(100);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return cores;
        }
        b = cpuTimes();
        if (b == null || b[0] <= a[0]) return cores;
        double busyFraction = 1.0 - (double) (b[1] - a[1]) / (b[0] - a[0]);
        int machineCores = Math.max(cores, (int) a[2]);
        int free = (int) Math.round(machineCores * (1 - busyFraction));
        return Math.max(1, Math.min(cores, free));
    }

    /** {total jiffies, idle + iowait jiffies, cpu count} from /proc/stat, or null. */
    private static long[] cpuTimes() {
        try {
            List<String> lines = Files.readAllLines(Path.of("/proc/stat"));
            long total = 0, idle = 0;
            String[] f = lines.get(0).trim().split("\\s+");
            if (!f[0].equals("cpu")) return null;
            for (int i = 1; i < f.length && i <= 8; i++) total += Long.parseLong(f[i]);     // user … steal
            idle = Long.parseLong(f[4]) + Long.parseLong(f[5]);
            long cpus = lines.stream().filter(l -> l.matches("cpu\\d+ .*")).count();
            return new long[] {total, idle, cpus};
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** @return the most threads a request gets (every core): more would only queue for the same cores */
    public static int maxThreads() { return Runtime.getRuntime().availableProcessors(); }

    /**
     * Opens a backend; close it when done. The fast CPU backend says once on stderr when the JVM
     * runs without {@code --add-modules jdk.incubator.vector} (its kernels are then plain Java,
     * several times slower). {@code auto} only looks for OpenCL in a JVM with the JDK's signal
     * chaining ({@link dqnengine.util.SignalChaining}); elsewhere it takes the CPU.
     *
     * @param device  {@code auto} (the first OpenCL GPU if there is one, else the fast CPU backend),
     *                {@code cpu} (the fast CPU backend), {@code reference} (the plain loops) or
     *                {@code opencl[:N]} (OpenCL device N of {@code dqn-engine devices}, default 0)
     * @param threads compute threads for the fast CPU backend (ignored by the reference)
     * @return the backend
     */
    public static Backend create(String device, int threads) {
        if (threads < 1) throw new BadInput("--threads must be at least 1, got " + threads);
        String bits = System.getProperty(VectorSupport.BITS_PROPERTY);
        if (bits != null && !bits.equals("256") && !bits.equals("512")) {
            throw new BadInput("-D" + VectorSupport.BITS_PROPERTY + " must be 256 or 512, got '" + bits + "'");
        }
        if (threads > maxThreads()) {
            System.err.println("dqn-engine: --threads " + threads + ": this machine has " + maxThreads() + " cores; using " + maxThreads());
            threads = maxThreads();
        }
        String d = device.toLowerCase(Locale.ROOT);
        if (d.equals("opencl") || d.startsWith("opencl:")) {
            int index;
            try {
                index = d.equals("opencl") ? 0 : Integer.parseInt(d.substring(7));
            } catch (NumberFormatException e) {
                throw new BadInput("--device opencl:N needs a device number, got '" + device + "' (see 'dqn-engine devices')");
            }
            if (index < 0) throw new BadInput("--device opencl:N needs N >= 0");
            if (!SignalChaining.active()) {
                System.err.println("dqn-engine: warning: this JVM runs without the JDK's signal chaining (libjsig), so an OpenCL driver may "
                        + "take over its signal handlers; start with 'java -jar' (not DQN_ENGINE_NO_RELAUNCH) or set LD_PRELOAD=$JAVA_HOME/lib/libjsig.so");
            }
            return new OpenClBackend(index);
        }
        if (d.equals("auto")) {
            Backend gpu = openClGpu();
            if (gpu != null) return gpu;
        }
        return switch (d) {
            case "auto", "cpu" -> new FastCpuBackend(threads);
            case "reference" -> new ReferenceBackend();
            default -> throw new BadInput("unknown --device '" + device + "'; this build has: " + DEVICES);
        };
    }

    /**
     * The first OpenCL GPU, or null when there is none (no OpenCL library, no platform, only CPU
     * devices). A GPU that exists but fails to start (a kernel that does not build, a driver
     * error) is reported in one line on stderr, and {@code auto} falls back to the CPU.
     *
     * <p>Enumerating the platforms loads every installed driver, and LLVM-based ones (PoCL) replace
     * the JVM's signal handlers as they load. So {@code auto} only looks in a JVM protected by
     * signal chaining ({@link dqnengine.util.SignalChaining}), which the launcher and the test JVM
     * are; elsewhere it takes the CPU without loading any driver.
     */
    private static Backend openClGpu() {
        if (!SignalChaining.active() || !OpenCl.libraryPresent()) return null;
        List<OpenCl.Platform> platforms;
        try {
            platforms = OpenCl.platforms();
        } catch (RuntimeException | LinkageError e) {
            return null;                                    // no OpenCL here: the CPU backend, as the run's first line says
        }
        for (var p : platforms) {
            for (var dev : p.devices()) {
                if (!dev.type().equals("GPU")) continue;
                try {
                    return new OpenClBackend(dev.index());
                } catch (RuntimeException e) {
                    System.err.println("dqn-engine: --device auto: OpenCL GPU opencl:" + dev.index() + " (" + dev.name() + ") failed: "
                            + e.getMessage() + "; using the CPU backend");
                    return null;
                }
            }
        }
        return null;
    }
}
