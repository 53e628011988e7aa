package dqnengine.testing;

import dqnengine.backend.opencl.OpenCl;
import dqnengine.tensor.Tensor;
import org.jocl.CL;
import org.jocl.Pointer;
import org.jocl.Sizeof;
import org.jocl.cl_command_queue;
import org.jocl.cl_context;
import org.jocl.cl_context_properties;
import org.jocl.cl_device_id;
import org.jocl.cl_mem;
import org.jocl.cl_queue_properties;
import org.jocl.blast.CLBlast;
import org.jocl.blast.CLBlastLayout;
import org.jocl.blast.CLBlastStatusCode;
import org.jocl.blast.CLBlastTranspose;

/**
 * CLBlast's SGEMM (through JOCLBlast, a test dependency) on one OpenCL device, in a context of its
 * own: the outside anchor our gemm kernels are checked against. Host tensors in, host tensor out.
 */
public final class ClBlast implements AutoCloseable {
    private static String loadFailure;
    private static boolean tried;

    /**
     * Null when CLBlast's native libraries (libclblast.so and JOCLBlast's JNI library, both inside the
     * jocl-blast jar) load here, else one line saying why not.
     */
    public static synchronized String loadFailure() {
        if (!tried) {
            tried = true;
            try {
                CLBlast.setExceptionsEnabled(false);
            } catch (LinkageError e) {                                   // UnsatisfiedLinkError, ExceptionInInitializerError, NoClassDefFoundError
                loadFailure = "CLBlast's native library cannot load here: " + e.getClass().getSimpleName() + " "
                        + (e.getMessage() == null ? "" : e.getMessage().lines().findFirst().orElse(""));
            }
        }
        return loadFailure;
    }

    private final cl_context context;
    private final cl_command_queue queue;

    /** A context and queue on OpenCL device {@code index} (as {@code devices} numbers it). */
    public ClBlast(int index) {
        OpenCl.Device d = OpenCl.device(index);
        cl_context_properties props = new cl_context_properties();
        props.addProperty(CL.CL_CONTEXT_PLATFORM, d.platform());
        context = CL.clCreateContext(props, 1, new cl_device_id[] {d.id()}, null, null, null);
        queue = CL.clCreateCommandQueueWithProperties(context, d.id(), new cl_queue_properties(), null);
    }

    /**
     * C = alpha·op(A)·op(B) + beta·C, row-major, as {@code Backend.gemm}; returns CLBlast's status
     * (0: success) and leaves C's new values in {@code c} only on success.
     */
    public int sgemm(boolean transA, boolean transB, float alpha, Tensor a, Tensor b, float beta, Tensor c) {
        int m = c.dim(0), n = c.dim(1), k = transA ? a.dim(0) : a.dim(1);
        cl_mem A = upload(a), B = upload(b), C = upload(c);
        try {
            int status = CLBlast.CLBlastSgemm(CLBlastLayout.CLBlastLayoutRowMajor,
                    transA ? CLBlastTranspose.CLBlastTransposeYes : CLBlastTranspose.CLBlastTransposeNo,
                    transB ? CLBlastTranspose.CLBlastTransposeYes : CLBlastTranspose.CLBlastTransposeNo,
                    m, n, k, alpha, A, 0, transA ? m : k, B, 0, transB ? k : n, beta, C, 0, n, queue, null);
            CL.clFinish(queue);
            if (status == CLBlastStatusCode.CLBlastSuccess) {
                CL.clEnqueueReadBuffer(queue, C, true, 0, (long) c.size() * Sizeof.cl_float, Pointer.to(c.data), 0, null, null);
            }
            return status;
        } finally {
            CL.clReleaseMemObject(A);
            CL.clReleaseMemObject(B);
            CL.clReleaseMemObject(C);
        }
    }

    private cl_mem upload(Tensor t) {
        return CL.clCreateBuffer(context, CL.CL_MEM_READ_WRITE | CL.CL_MEM_COPY_HOST_PTR, (long) t.size() * Sizeof.cl_float,
                Pointer.to(t.data), null);
    }

    @Override
    public void close() {
        CL.clReleaseCommandQueue(queue);
        CL.clReleaseContext(context);
    }
}
