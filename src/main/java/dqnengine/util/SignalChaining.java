package dqnengine.util;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Whether this JVM keeps its own signal handlers when native code installs others.
 *
 * <p>Why it matters: OpenCL drivers built on LLVM (PoCL, and others) install handlers for SIGSEGV,
 * SIGBUS, SIGILL, SIGTERM, SIGINT and more when their platform is first enumerated. The JVM uses
 * SIGSEGV itself (safepoint polls, implicit null checks) and SIGTERM/SIGINT for its shutdown hooks,
 * which is where a training run saves its checkpoint. With the foreign handler in place the next
 * such fault kills the process without a trace, and Ctrl-C or {@code kill} no longer saves.
 *
 * <p>The JDK's answer is its signal-chaining library, {@code $JAVA_HOME/lib/libjsig.so}, preloaded
 * into the process ({@code LD_PRELOAD}): it records a library's handler instead of installing it,
 * and the JVM calls it only for signals the JVM does not handle itself. The launcher
 * ({@code cli/Relaunch}) starts the working JVM with it, Surefire starts the test JVM with it, and
 * {@code --device auto} only looks for OpenCL devices in a JVM that has it.
 */
public final class SignalChaining {
    private SignalChaining() {}

    /** The JDK's signal-chaining library of this runtime, or null where it has none (not Linux, a trimmed runtime). */
    public static Path library() {
        if (!System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("linux")) return null;
        Path lib = Path.of(System.getProperty("java.home"), "lib", "libjsig.so");
        return Files.isRegularFile(lib) ? lib : null;
    }

    /** True when libjsig is mapped into this process (read from {@code /proc/self/maps}). */
    public static boolean active() {
        Path maps = Path.of("/proc/self/maps");
        if (!Files.isReadable(maps)) return false;
        try {
            return Files.readString(maps, StandardCharsets.ISO_8859_1).contains("/libjsig.so");
        } catch (IOException e) {
            return false;
        }
    }

    /** {@code existing} with libjsig put first, for a child process's {@code LD_PRELOAD}. */
    public static String preloadWith(Path library, String existing) {
        if (existing == null || existing.isBlank()) return library.toString();
        if (existing.contains(library.toString())) return existing;
        return library + " " + existing;
    }
}
