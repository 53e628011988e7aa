package dqnengine.backend.cpu;

import dqnengine.backend.Backend;
import dqnengine.backend.BackendParityTest;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The parity suite against the fast CPU backend, with each micro-kernel and thread count. */
class FastCpuBackendTest {

    /** The widest vector this CPU (as C2 sees it) has for floats, in bits: 128 on SSE or NEON, 256 on AVX2, 512 on AVX-512. */
    static int preferredVectorBits() { return jdk.incubator.vector.FloatVector.SPECIES_PREFERRED.vectorBitSize(); }

    @Test
    void theBestKernelForThisCpuIsChosenUnderTheTestJvmFlags() {
        // Surefire starts the JVM with --add-modules jdk.incubator.vector, as the CLI relaunch does.
        assertTrue(VectorSupport.inBootLayer(), "tests must run with the Vector API loaded");
        if (preferredVectorBits() >= 256) {
            assertTrue(VectorSupport.bestKernel() instanceof VectorMicroKernel, VectorSupport.kernelDescription());
            assertTrue(VectorSupport.bestBroadcastKernel() instanceof VectorBroadcastKernel, VectorSupport.kernelDescription());
        } else {
            // the 256-bit kernels would run emulated, far slower than plain Java: the scalar kernels are chosen
            assertTrue(VectorSupport.bestKernel() instanceof ScalarMicroKernel, VectorSupport.kernelDescription());
            assertTrue(VectorSupport.bestBroadcastKernel() instanceof BroadcastKernel.Scalar, VectorSupport.kernelDescription());
            assertEquals("plain Java (no 256-bit vector unit)", VectorSupport.kernelDescription());
        }
    }

    /**
     * The vector kernels use 256-bit species. A CPU without 256-bit vectors never runs them (see
     * above), and would emulate them too slowly for the suite, so their parity runs are skipped there.
     */
    abstract static class VectorKernels extends BackendParityTest {
        @BeforeEach
        void needs256BitVectors() {
            assumeTrue(preferredVectorBits() >= 256, "this CPU has " + preferredVectorBits() + "-bit vectors; the 256-bit kernels are not used here");
        }
    }

    @Nested
    class VectorKernelTwoThreads extends VectorKernels {
        @Override
        protected Backend createBackend() { return new FastCpuBackend(2, new VectorMicroKernel(), new VectorBroadcastKernel()); }
    }

    @Nested
    class VectorKernelThreeThreads extends VectorKernels {
        @Override
        protected Backend createBackend() { return new FastCpuBackend(3, new VectorMicroKernel(), new VectorBroadcastKernel()); }
    }

    @Nested
    class ScalarKernelOneThread extends BackendParityTest {
        @Override
        protected Backend createBackend() { return new FastCpuBackend(1, new ScalarMicroKernel(), new BroadcastKernel.Scalar()); }
    }
}
