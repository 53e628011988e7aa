package dqnengine.backend.opencl;

import dqnengine.backend.Backend;
import dqnengine.backend.BackendParityTest;
import dqnengine.testing.OpenClTesting;

/**
 * The parity suite on the first OpenCL device with convolutions as im2col + gemm (the im2col part
 * of kernels/conv.cl), and the newest gemm kernel, which PoCL runs (CI checks that it gets it).
 */
class OpenClIm2colBackendTest extends BackendParityTest {
    @Override
    protected Backend createBackend() {
        OpenClTesting.assumeIcd();
        OpenClBackend b = new OpenClBackend(0, false, true);
        if (System.getenv("CI") != null && b.gemmVersion() != OpenClBackend.GEMM_VERSIONS) {
            throw new AssertionError("PoCL should run gemm v" + OpenClBackend.GEMM_VERSIONS + ", got v" + b.gemmVersion());
        }
        return b;
    }
}
