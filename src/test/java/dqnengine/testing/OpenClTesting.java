package dqnengine.testing;

import org.junit.jupiter.api.Assumptions;

import java.io.File;

/** Whether this machine can run the OpenCL tests: an ICD under /etc/OpenCL/vendors and the unversioned libOpenCL.so JOCL loads. */
public final class OpenClTesting {
    private OpenClTesting() {}

    public static boolean icdInstalled() {
        File[] icds = new File("/etc/OpenCL/vendors").listFiles((d, n) -> n.endsWith(".icd"));
        return icds != null && icds.length > 0 && new File("/usr/lib/x86_64-linux-gnu/libOpenCL.so").exists();
    }

    /** Skips the calling test, with the reason, where OpenCL is not installed. */
    public static void assumeIcd() {
        Assumptions.assumeTrue(icdInstalled(), "no OpenCL ICD installed (CI installs PoCL)");
    }
}
