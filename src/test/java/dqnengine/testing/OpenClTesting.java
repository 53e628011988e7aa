package dqnengine.testing;

import dqnengine.backend.opencl.OpenCl;

/**
 * Whether this machine can run the OpenCL tests: asks the OpenCL ICD loader (through JOCL) for its
 * platforms, wherever the library and the vendor files are installed, rather than looking for
 * one distribution's paths.
 */
public final class OpenClTesting {
    private OpenClTesting() {}

    private static Boolean present;

    /** An OpenCL library loads and lists at least one platform with a device (asked once per JVM). */
    public static synchronized boolean icdInstalled() {
        if (present == null) {
            boolean any;
            try {
                any = OpenCl.platforms().stream().anyMatch(p -> !p.devices().isEmpty());
            } catch (OpenCl.UnavailableException | LinkageError e) {
                any = false;
            }
            present = any;
        }
        return present;
    }

    /** Skips the calling test, with the reason, where OpenCL is not installed; under CI ({@code CI=true}) fails instead. */
    public static void assumeIcd() {
        Requirements.require(icdInstalled(), "no OpenCL ICD installed (CI installs PoCL)");
    }
}
