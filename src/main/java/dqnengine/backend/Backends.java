package dqnengine.backend;

import dqnengine.backend.cpu.FastCpuBackend;
import dqnengine.backend.cpu.ReferenceBackend;

import java.util.Locale;

/** Builds the backend a {@code --device} value names. */
public final class Backends {
    private Backends() {}

    /** The values {@code --device} accepts in this build. */
    public static final String DEVICES = "auto, cpu, reference, opencl[:N]";

    /** Threads to use when none are asked for: every core the JVM sees. */
    public static int defaultThreads() { return Runtime.getRuntime().availableProcessors(); }

    /**
     * @param device  {@code auto} (the first OpenCL GPU if there is one, else the fast CPU backend),
     *                {@code cpu} (the fast CPU backend), {@code reference} (the plain loops) or
     *                {@code opencl[:N]} (OpenCL device N of {@code dqn-engine devices}, default 0)
     * @param threads compute threads for the fast CPU backend (ignored by the reference)
     */
    public static Backend create(String device, int threads) {
        if (threads < 1) throw new IllegalArgumentException("--threads must be at least 1, got " + threads);
        String d = device.toLowerCase(Locale.ROOT);
        if (d.equals("opencl") || d.startsWith("opencl:")) {
            int index;
            try {
                index = d.equals("opencl") ? 0 : Integer.parseInt(d.substring(7));
            } catch (NumberFormatException e) {
                throw new dqnengine.util.BadInput("--device opencl:N needs a device number, got '" + device + "' (see 'dqn-engine devices')");
            }
            if (index < 0) throw new dqnengine.util.BadInput("--device opencl:N needs N >= 0");
            return new dqnengine.backend.opencl.OpenClBackend(index);
        }
        if (d.equals("auto")) {
            Backend gpu = openClGpu();
            if (gpu != null) return gpu;
        }
        return switch (d) {
            case "auto", "cpu" -> new FastCpuBackend(threads);
            case "reference" -> new ReferenceBackend();
            default -> throw new dqnengine.util.BadInput("unknown --device '" + device + "'; this build has: " + DEVICES);
        };
    }

    /**
     * The first OpenCL GPU, or null when there is none (no OpenCL library, no platform, only CPU
     * devices). A GPU that exists but fails to start (a kernel that does not build, a driver
     * error) is reported in one line on stderr, and {@code auto} falls back to the CPU.
     */
    private static Backend openClGpu() {
        java.util.List<dqnengine.backend.opencl.OpenCl.Platform> platforms;
        try {
            platforms = dqnengine.backend.opencl.OpenCl.platforms();
        } catch (RuntimeException | LinkageError e) {
            return null;                                    // no OpenCL here: the CPU backend, as the run's first line says
        }
        for (var p : platforms) {
            for (var dev : p.devices()) {
                if (!dev.type().equals("GPU")) continue;
                try {
                    return new dqnengine.backend.opencl.OpenClBackend(dev.index());
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
