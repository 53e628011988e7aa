package dqnengine.backend.opencl;

import dqnengine.backend.Backend;
import dqnengine.backend.BackendParityTest;
import dqnengine.testing.OpenClTesting;

/**
 * The parity suite on the first OpenCL device with version 1 of the gemm kernel (kernels/gemm.cl),
 * the one a device gets when it cannot run 16x16 work-groups of version 2; convolutions as
 * im2col + gemm, so that they go through it too. The other classes run the device's default.
 */
class OpenClGemmV1BackendTest extends BackendParityTest {
    @Override
    protected Backend createBackend() {
        OpenClTesting.assumeIcd();
        OpenClBackend b = new OpenClBackend(0, false, true, 1);
        if (b.gemmVersion() != 1) throw new AssertionError("asked for gemm v1, got v" + b.gemmVersion());
        return b;
    }
}
