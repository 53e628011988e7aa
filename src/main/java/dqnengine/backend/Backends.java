package dqnengine.backend;

import dqnengine.backend.cpu.FastCpuBackend;
import dqnengine.backend.cpu.ReferenceBackend;

import java.util.Locale;

/** Builds the backend a {@code --device} value names. */
public final class Backends {
    private Backends() {}

    /** The values {@code --device} accepts in this build. */
    public static final String DEVICES = "auto, cpu, reference";

    /** Threads to use when none are asked for: every core the JVM sees. */
    public static int defaultThreads() { return Runtime.getRuntime().availableProcessors(); }

    /**
     * @param device  {@code auto} (the fastest available: the fast CPU backend in this build),
     *                {@code cpu} (the fast CPU backend) or {@code reference} (the plain loops)
     * @param threads compute threads for the fast CPU backend (ignored by the reference)
     */
    public static Backend create(String device, int threads) {
        if (threads < 1) throw new IllegalArgumentException("--threads must be at least 1, got " + threads);
        return switch (device.toLowerCase(Locale.ROOT)) {
            case "auto", "cpu" -> new FastCpuBackend(threads);
            case "reference" -> new ReferenceBackend();
            default -> throw new IllegalArgumentException("unknown --device '" + device + "'; this build has: " + DEVICES);
        };
    }
}
