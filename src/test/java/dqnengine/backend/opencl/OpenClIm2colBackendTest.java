package dqnengine.backend.opencl;

import dqnengine.backend.Backend;
import dqnengine.backend.BackendParityTest;
import org.junit.jupiter.api.Assumptions;

import java.io.File;

/** The parity suite on the first OpenCL device with convolutions as im2col + gemm (kernels/conv_im2col.cl). */
class OpenClIm2colBackendTest extends BackendParityTest {
    @Override
    protected Backend createBackend() {
        File[] icds = new File("/etc/OpenCL/vendors").listFiles((d, n) -> n.endsWith(".icd"));
        Assumptions.assumeTrue(icds != null && icds.length > 0, "no OpenCL ICD installed (CI installs PoCL)");
        return new OpenClBackend(0, false, true);
    }
}
