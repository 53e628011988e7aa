package dqnengine.dqn;

import dqnengine.replay.ReplayBuffer;

import java.io.PrintStream;
import java.util.Locale;

/** Before a run allocates its replay buffer: does it fit in what this JVM may still use? */
public final class MemoryCheck {
    private MemoryCheck() {}

    /** Room this check leaves for everything else. */
    private static final long MARGIN = 256L << 20;

    /**
     * Prints what the replay of {@code cfg.replaySize} frames of {@code frameBytes} bytes (and its
     * priorities) needs and what the JVM may use, and refuses a run whose replay would not fit,
     * naming the -Xmx that would do.
     */
    public static void replayFits(DqnConfig cfg, int frameBytes, PrintStream out) {
        long need = ReplayBuffer.bytesNeeded(cfg.replaySize, frameBytes) + (cfg.prioritized ? ReplayBuffer.priorityBytes(cfg.replaySize) : 0);
        Runtime rt = Runtime.getRuntime();
        long free = rt.maxMemory() - (rt.totalMemory() - rt.freeMemory());
        out.printf(Locale.ROOT, "memory: replay of %,d frames x %,d bytes needs %s; this JVM may use %s more%n",
                cfg.replaySize, frameBytes, gb(need), gb(free));
        if (need + MARGIN > free) {
            long xmx = (need + (1L << 30)) >> 30;
            throw new IllegalArgumentException(String.format(Locale.ROOT,
                    "the replay buffer needs %s but this JVM may use only %s: lower --replay-size or give Java more memory (java -Xmx%dg -jar ...)",
                    gb(need), gb(free), xmx + 1));
        }
    }

    static String gb(long bytes) { return String.format(Locale.ROOT, "%.2f GB", bytes / 1e9); }
}
