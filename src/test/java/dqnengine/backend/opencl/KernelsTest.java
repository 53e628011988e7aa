package dqnengine.backend.opencl;

import dqnengine.testing.OpenClTesting;
import org.jocl.CL;
import org.jocl.cl_command_queue;
import org.jocl.cl_context;
import org.jocl.cl_context_properties;
import org.jocl.cl_device_id;
import org.jocl.cl_queue_properties;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A kernel source that does not build: one line naming the file, and the device still starts afterwards. */
class KernelsTest {

    @Test
    void aSourceThatDoesNotBuildIsOneLineAndTheDeviceStillStartsAfterwards() {
        OpenClTesting.assumeIcd();
        OpenCl.Device device = OpenCl.device(0);
        cl_context_properties props = new cl_context_properties();
        props.addProperty(CL.CL_CONTEXT_PLATFORM, device.platform());
        cl_context context = CL.clCreateContext(props, 1, new cl_device_id[] {device.id()}, null, null, null);
        cl_command_queue queue = CL.clCreateCommandQueueWithProperties(context, device.id(), new cl_queue_properties(), null);
        try {
            // a gemm tile size that is not a number: gemm.cl's #defines do not compile
            OpenCl.UnavailableException e = assertThrows(OpenCl.UnavailableException.class,
                    () -> new Kernels(context, queue, device, "-DWG=not_a_number"));
            assertTrue(e.getMessage().startsWith("kernels/gemm.cl (-DWG=not_a_number) failed to build on " + device.name()), e.getMessage());
            assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
            Kernels good = new Kernels(context, queue, device, GemmParams.DEFAULT.buildOptions());
            assertTrue(good.workGroupSize("gemm_v1", device.id()) >= 1);
            good.close();
        } finally {
            CL.clReleaseCommandQueue(queue);
            CL.clReleaseContext(context);
        }
        try (OpenClBackend b = new OpenClBackend(0, false, true, 1)) {
            assertEquals(1, b.gemmVersion());
        }
    }
}
