package dqnengine.backend.cpu;

import dqnengine.backend.Backend;
import dqnengine.backend.BackendParityTest;
import jdk.incubator.vector.FloatVector;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The parity suite against the fast CPU backend, with each micro-kernel and thread count. */
class FastCpuBackendTest {

    /** The widest vector this CPU (as C2 sees it) has for floats, in bits: 128 on SSE or NEON, 256 on AVX2, 512 on AVX-512. */
    static int preferredVectorBits() { return FloatVector.SPECIES_PREFERRED.vectorBitSize(); }

    @Test
    void theBestKernelForThisCpuIsChosenUnderTheTestJvmFlags() {
        // Surefire starts the JVM with --add-modules jdk.incubator.vector, as the CLI relaunch does.
        assertTrue(VectorSupport.inBootLayer(), "tests must run with the Vector API loaded");
        if (preferredVectorBits() >= 256) {
            assertTrue(VectorSupport.bestKernel() instanceof VectorMicroKernel, VectorSupport.kernelDescription());
            Class<?> direct = VectorSupport.vectorBits() >= 512 ? WideBroadcastKernel.class : VectorBroadcastKernel.class;
            assertTrue(direct.isInstance(VectorSupport.bestBroadcastKernel()), VectorSupport.kernelDescription());
        } else {
            // the 256-bit kernels would run emulated, far slower than plain Java: the scalar kernels are chosen
            assertTrue(VectorSupport.bestKernel() instanceof ScalarMicroKernel, VectorSupport.kernelDescription());
            assertTrue(VectorSupport.bestBroadcastKernel() instanceof BroadcastKernel.Scalar, VectorSupport.kernelDescription());
            assertEquals("plain Java (no 256-bit vector unit)", VectorSupport.kernelDescription());
        }
    }

    @Test
    void everyKernelUsesOneWidthWhichThePropertyCanFix() {
        String asked = System.getProperty(VectorSupport.BITS_PROPERTY);
        int expected = asked != null ? Integer.parseInt(asked) : Math.min(512, preferredVectorBits());
        assumeTrue(expected >= 256, "no vector kernels on this CPU");
        assertEquals(expected, VectorSupport.vectorBits(), VectorSupport.kernelDescription());
        assertEquals(expected / 32, VectorSupport.LANES);
        assertEquals(3 * expected / 32, MicroKernel.COLS, "the GEMM tile is three vectors wide");
        assertEquals(expected == 512 ? 8 : 4, MicroKernel.ROWS, "the GEMM tile has 8 rows with AVX-512's 32 registers, 4 with AVX2's 16");
        assertEquals(2 * expected / 32, BroadcastKernel.LANES, "the direct-convolution tile is two vectors wide");
        assertEquals(expected == 512 ? 128 : 256, PackedGemm.KC, "a packed panel of B stays at 24 KB");
    }

    /**
     * The vector kernels use the species of {@link VectorSupport} (256 or 512 bits). A CPU without 256-bit vectors never runs them (see
     * above), and would emulate them too slowly for the suite, so their parity runs are skipped there.
     */
    abstract static class VectorKernels extends BackendParityTest {
        @BeforeEach
        void needs256BitVectors() {
            assumeTrue(preferredVectorBits() >= 256, "this CPU has " + preferredVectorBits() + "-bit vectors; the vector kernels are not used here");
        }
    }

    @Nested
    class VectorKernelTwoThreads extends VectorKernels {
        @Override
        protected Backend createBackend() { return new FastCpuBackend(2, new VectorMicroKernel(), new VectorBroadcastKernel(), new VectorElementwise()); }
    }

    @Nested
    class VectorKernelThreeThreads extends VectorKernels {
        @Override
        protected Backend createBackend() { return new FastCpuBackend(3, new VectorMicroKernel(), new VectorBroadcastKernel(), new VectorElementwise()); }
    }

    /** The streamed products' vector kernel at whatever width the run has (chosen with 512-bit vectors; correct, if spilled, with 256). */
    @Nested
    class StreamedVectorKernelTwoThreads extends VectorKernels {
        @Override
        protected Backend createBackend() {
            return new FastCpuBackend(2, new VectorMicroKernel(), new WideBroadcastKernel(), new VectorElementwise(), new StreamedGemm.Vector());
        }
    }

    /** The streamed products' plain loop, beside the scalar kernels. */
    @Nested
    class StreamedScalarKernelOneThread extends BackendParityTest {
        @Override
        protected Backend createBackend() {
            return new FastCpuBackend(1, new ScalarMicroKernel(), new BroadcastKernel.Scalar(), new Elementwise.Scalar(), new StreamedGemm.Scalar());
        }
    }

    /** The 12-row direct-convolution kernel (chosen with 512-bit vectors; correct, if spilled, with 256). */
    @Nested
    class WideDirectKernelTwoThreads extends VectorKernels {
        @Override
        protected Backend createBackend() { return new FastCpuBackend(2, new VectorMicroKernel(), new WideBroadcastKernel(), new VectorElementwise()); }
    }

    /** The plain-Java direct-convolution loop with the 12-row tile, so the ragged-tile logic is checked without vectors too. */
    @Nested
    class ScalarKernelWideTilesTwoThreads extends BackendParityTest {
        @Override
        protected Backend createBackend() { return new FastCpuBackend(2, new ScalarMicroKernel(), new BroadcastKernel.Scalar(12), new Elementwise.Scalar()); }
    }

    @Nested
    class ScalarKernelOneThread extends BackendParityTest {
        @Override
        protected Backend createBackend() { return new FastCpuBackend(1, new ScalarMicroKernel(), new BroadcastKernel.Scalar(), new Elementwise.Scalar()); }
    }
}
