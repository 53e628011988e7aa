package dqnengine.benchmarks;

import dqnengine.backend.opencl.GemmTuning;
import dqnengine.backend.opencl.OpenCl;
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

import java.util.Random;

/**
 * CLBlast's SGEMM on one product shape, with its operands resident on the device in a context of
 * its own: {@link #run} is one call, blocking until the device is done. The outside anchor of
 * {@link OpenClGemmBenchmark} and {@link ClBlastGemmCheck}.
 */
public final class ClBlastSgemm implements AutoCloseable {
    private static String loadFailure;
    private static boolean tried;

    /** Null when CLBlast's native libraries load here, else one line saying why not. */
    public static synchronized String loadFailure() {
        if (!tried) {
            tried = true;
            try {
                CLBlast.setExceptionsEnabled(false);
            } catch (LinkageError e) {
                loadFailure = "CLBlast cannot load here (" + e.getClass().getSimpleName() + ": "
                        + (e.getMessage() == null ? "no detail" : e.getMessage().lines().findFirst().orElse("")) + ")";
            }
        }
        return loadFailure;
    }

    private final GemmTuning.Shape shape;
    private final cl_context context;
    private final cl_command_queue queue;
    private final cl_mem a, b, c;

    /** Operands of {@code shape} (uniform in [-0.5, 0.5)) uploaded to OpenCL device {@code index}. */
    public ClBlastSgemm(int index, GemmTuning.Shape shape) {
        String why = loadFailure();
        if (why != null) throw new IllegalStateException(why);
        this.shape = shape;
        OpenCl.Device d = OpenCl.device(index);
        cl_context_properties props = new cl_context_properties();
        props.addProperty(CL.CL_CONTEXT_PLATFORM, d.platform());
        context = CL.clCreateContext(props, 1, new cl_device_id[] {d.id()}, null, null, null);
        queue = CL.clCreateCommandQueueWithProperties(context, d.id(), new cl_queue_properties(), null);
        Random rng = new Random(1);
        a = buffer(random(rng, (long) shape.m() * shape.k()));
        b = buffer(random(rng, (long) shape.k() * shape.n()));
        c = buffer(new float[shape.m() * shape.n()]);
    }

    private static float[] random(Random rng, long n) {
        float[] x = new float[(int) n];
        for (int i = 0; i < x.length; i++) x[i] = rng.nextFloat() - 0.5f;
        return x;
    }

    private cl_mem buffer(float[] x) {
        return CL.clCreateBuffer(context, CL.CL_MEM_READ_WRITE | CL.CL_MEM_COPY_HOST_PTR, (long) x.length * Sizeof.cl_float, Pointer.to(x), null);
    }

    /** C = op(A)·op(B), blocking; throws with CLBlast's status name when it fails (e.g. a device it cannot run on). */
    public void run() {
        GemmTuning.Shape s = shape;
        int status = CLBlast.CLBlastSgemm(CLBlastLayout.CLBlastLayoutRowMajor,
                s.transA() ? CLBlastTranspose.CLBlastTransposeYes : CLBlastTranspose.CLBlastTransposeNo,
                s.transB() ? CLBlastTranspose.CLBlastTransposeYes : CLBlastTranspose.CLBlastTransposeNo,
                s.m(), s.n(), s.k(), 1f, a, 0, s.transA() ? s.m() : s.k(), b, 0, s.transB() ? s.k() : s.n(), 0f, c, 0, s.n(), queue, null);
        if (status != CLBlastStatusCode.CLBlastSuccess) {
            throw new IllegalStateException("CLBlast's SGEMM failed on this device: " + CLBlastStatusCode.stringFor(status));
        }
        CL.clFinish(queue);
    }

    @Override
    public void close() {
        CL.clReleaseMemObject(a);
        CL.clReleaseMemObject(b);
        CL.clReleaseMemObject(c);
        CL.clReleaseCommandQueue(queue);
        CL.clReleaseContext(context);
    }
}
