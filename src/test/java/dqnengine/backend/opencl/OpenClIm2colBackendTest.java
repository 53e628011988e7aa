package dqnengine.backend.opencl;

import dqnengine.backend.Backend;
import dqnengine.backend.BackendParityTest;
import dqnengine.testing.OpenClTesting;

/** The parity suite on the first OpenCL device with convolutions as im2col + gemm (the im2col part of kernels/conv.cl). */
class OpenClIm2colBackendTest extends BackendParityTest {
    @Override
    protected Backend createBackend() {
        OpenClTesting.assumeIcd();
        return new OpenClBackend(0, false, true);
    }
}
