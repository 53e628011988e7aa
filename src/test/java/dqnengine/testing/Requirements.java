package dqnengine.testing;

import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * What a test needs from the machine (real ROMs, an OpenCL ICD, Xvfb). On a developer's machine a
 * missing one skips the test with {@code message}; under CI ({@code CI=true}, which .ci/run sets)
 * it fails with the same message, so CI cannot pass with those tests silently skipped.
 */
public final class Requirements {
    private Requirements() {}

    /** True when this JVM runs under CI: the environment variable CI is "true" (any case). */
    public static boolean onCi() { return "true".equalsIgnoreCase(System.getenv("CI")); }

    /** Skips the calling test with {@code message} unless {@code present}; under CI fails with it instead. */
    public static void require(boolean present, String message) {
        if (present) return;
        if (onCi()) Assertions.fail(message);
        Assumptions.assumeTrue(false, message);
    }
}
