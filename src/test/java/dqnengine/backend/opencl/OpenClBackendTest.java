package dqnengine.backend.opencl;

import dqnengine.backend.Backend;
import dqnengine.backend.BackendParityTest;
import dqnengine.testing.OpenClTesting;

/**
 * The whole parity suite on the first OpenCL device (PoCL's CPU device in CI, which installs
 * pocl-opencl-icd). Skipped, with the reason, where no OpenCL platform is installed.
 */
class OpenClBackendTest extends BackendParityTest {
    @Override
    protected Backend createBackend() {
        OpenClTesting.assumeIcd();
        return new OpenClBackend(0, false, false);    // per-op copies: the bare op set, results read on the host
    }
}
