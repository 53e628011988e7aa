package dqnengine.backend.opencl;

import dqnengine.backend.Backend;
import dqnengine.backend.BackendParityTest;
import dqnengine.testing.OpenClTesting;

/**
 * The parity suite on the first OpenCL device with convolutions as implicit GEMM
 * (kernels/implicit_conv.cl: forward, input and weight gradients on register tiles), the default
 * of {@code --device opencl}. Its convolution cases include odd channels and sizes, strides 1 to 3,
 * padding 0 to 2, batches 1 to 32, the Nature shapes, and output channels, depths and columns that
 * leave partial tiles.
 */
class OpenClImplicitBackendTest extends BackendParityTest {
    @Override
    protected Backend createBackend() {
        OpenClTesting.assumeIcd();
        OpenClBackend b = new OpenClBackend(0, false, OpenClBackend.Convolutions.IMPLICIT, 0);
        if (b.convolutions() != OpenClBackend.Convolutions.IMPLICIT) {          // the device cannot run 16x16 work-groups
            if (System.getenv("CI") != null) throw new AssertionError("PoCL should run implicit convolutions, got " + b.convolutions());
            org.junit.jupiter.api.Assumptions.assumeTrue(false, "device 0 runs " + b.convolutions() + " instead of implicit convolutions");
        }
        return b;
    }
}
