package dqnengine.backend.cpu;

import dqnengine.backend.Backend;
import dqnengine.backend.BackendParityTest;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** The parity suite against the fast CPU backend, with each micro-kernel and thread count. */
class FastCpuBackendTest {

    @Test
    void theVectorKernelIsAvailableUnderTheTestJvmFlags() {
        // Surefire starts the JVM with --add-modules jdk.incubator.vector, as the CLI relaunch does.
        assertTrue(VectorSupport.inBootLayer(), "tests must run the Vector API kernel");
        assertTrue(VectorSupport.bestKernel() instanceof VectorMicroKernel, VectorSupport.kernelDescription());
    }

    @Nested
    class VectorKernelTwoThreads extends BackendParityTest {
        @Override
        protected Backend createBackend() { return new FastCpuBackend(2, new VectorMicroKernel(), new VectorBroadcastKernel()); }
    }

    @Nested
    class VectorKernelThreeThreads extends BackendParityTest {
        @Override
        protected Backend createBackend() { return new FastCpuBackend(3, new VectorMicroKernel(), new VectorBroadcastKernel()); }
    }

    @Nested
    class ScalarKernelOneThread extends BackendParityTest {
        @Override
        protected Backend createBackend() { return new FastCpuBackend(1, new ScalarMicroKernel(), new BroadcastKernel.Scalar()); }
    }
}
