package dqnengine.backend.opencl;

import dqnengine.backend.Backend;
import dqnengine.backend.BackendParityTest;
import org.junit.jupiter.api.Assumptions;

import java.io.File;

/**
 * The whole parity suite on the first OpenCL device (PoCL's CPU device in CI, which installs
 * pocl-opencl-icd). Skipped, with the reason, where no OpenCL platform is installed.
 */
class OpenClBackendTest extends BackendParityTest {
    @Override
    protected Backend createBackend() {
        File[] icds = new File("/etc/OpenCL/vendors").listFiles((d, n) -> n.endsWith(".icd"));
        Assumptions.assumeTrue(icds != null && icds.length > 0, "no OpenCL ICD installed (CI installs PoCL)");
        return new OpenClBackend(0, false, false);    // per-op copies: the bare op set, results read on the host
    }
}
