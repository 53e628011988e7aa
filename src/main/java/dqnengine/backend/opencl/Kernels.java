package dqnengine.backend.opencl;

import org.jocl.CL;
import org.jocl.CLException;
import org.jocl.Pointer;
import org.jocl.Sizeof;
import org.jocl.cl_command_queue;
import org.jocl.cl_context;
import org.jocl.cl_device_id;
import org.jocl.cl_kernel;
import org.jocl.cl_mem;
import org.jocl.cl_program;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * The kernels {@link OpenClBackend} runs: the sources {@code kernels/*.cl}, read from the classpath
 * (so the jar works from anywhere) and built for one device, each with the compiler's log when it
 * fails; a kernel looked up by name in whichever program defines it; and one launch: the arguments
 * set in order, the work-items enqueued, and the queue waited on.
 */
final class Kernels {
    private static final String[] SOURCES = {"gemm", "conv", "implicit_conv", "elementwise", "dqn", "optim"};

    private final cl_command_queue queue;
    private final cl_program[] programs = new cl_program[SOURCES.length];
    private final Map<String, cl_kernel> kernels = new HashMap<>();

    /**
     * Builds every source for {@code device} in {@code context}, {@code gemm.cl} with the extra
     * compiler options {@code gemmOptions} (its tile sizes, {@link GemmParams#buildOptions}); launches go to {@code queue}.
     */
    Kernels(cl_context context, cl_command_queue queue, OpenCl.Device device, String gemmOptions) {
        this.queue = queue;
        try {
            for (int s = 0; s < SOURCES.length; s++) {
                programs[s] = build(context, device, SOURCES[s], SOURCES[s].equals("gemm") ? " " + gemmOptions : "");
            }
        } catch (RuntimeException e) {
            close();                                   // the programs built so far (each holds the context)
            throw e;
        }
    }

    private static cl_program build(cl_context context, OpenCl.Device device, String source, String extraOptions) {
        String code = source(source);
        cl_program program = CL.clCreateProgramWithSource(context, 1, new String[] {code}, null, null);
        try {
            CL.clBuildProgram(program, 1, new cl_device_id[] {device.id()}, "-cl-std=CL1.2" + extraOptions, null, null);
        } catch (CLException e) {
            String log = buildLog(program, device);
            CL.clReleaseProgram(program);
            throw new OpenCl.UnavailableException("kernels/" + source + ".cl" + (extraOptions.isEmpty() ? "" : " (" + extraOptions.strip() + ")")
                    + " failed to build on " + device.name() + ": " + log);
        }
        return program;
    }

    /** The compiler's log of {@code program} on {@code device}, on one line. */
    private static String buildLog(cl_program program, OpenCl.Device device) {
        long[] size = new long[1];
        CL.clGetProgramBuildInfo(program, device.id(), CL.CL_PROGRAM_BUILD_LOG, 0, null, size);
        byte[] log = new byte[(int) size[0]];
        CL.clGetProgramBuildInfo(program, device.id(), CL.CL_PROGRAM_BUILD_LOG, log.length, Pointer.to(log), null);
        return new String(log, StandardCharsets.UTF_8).replace('\0', ' ').strip().replace('\n', ' ');
    }

    /** The text of {@code kernels/<name>.cl} from the classpath. */
    static String source(String name) {
        String path = "/kernels/" + name + ".cl";
        try (InputStream in = Kernels.class.getResourceAsStream(path)) {
            if (in == null) throw new IllegalStateException("kernel source " + path + " is missing from the classpath (a broken build?)");
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read kernel source " + path + ": " + e.getMessage());
        }
    }

    /** The kernel {@code name}, created the first time it is asked for. */
    private cl_kernel kernel(String name) {
        return kernels.computeIfAbsent(name, n -> {
            for (cl_program p : programs) {
                try {
                    return CL.clCreateKernel(p, n, null);
                } catch (CLException e) {
                    if (e.getStatus() != CL.CL_INVALID_KERNEL_NAME) throw e;
                }
            }
            throw new IllegalStateException("no kernel named " + n);
        });
    }

    /** The largest work-group kernel {@code name} can run with on {@code device}, as compiled. */
    long workGroupSize(String name, cl_device_id device) {
        long[] size = new long[1];
        CL.clGetKernelWorkGroupInfo(kernel(name), device, CL.CL_KERNEL_WORK_GROUP_SIZE, Sizeof.size_t, Pointer.to(size), null);
        return size[0];
    }

    /**
     * Sets the arguments (Integer, Float or cl_mem) and runs {@code global} work-items in work-groups
     * of {@code local} ({@code null}: the driver's choice), blocking.
     */
    void run(String name, long[] global, long[] local, Object... args) {
        cl_kernel k = kernel(name);
        for (int i = 0; i < args.length; i++) {
            Object a = args[i];
            if (a instanceof Integer v) CL.clSetKernelArg(k, i, Sizeof.cl_int, Pointer.to(new int[] {v}));
            else if (a instanceof Float v) CL.clSetKernelArg(k, i, Sizeof.cl_float, Pointer.to(new float[] {v}));
            else if (a instanceof cl_mem v) CL.clSetKernelArg(k, i, Sizeof.cl_mem, Pointer.to(v));
            else throw new IllegalArgumentException("kernel argument of type " + a.getClass());
        }
        if (global[0] == 0) return;
        CL.clEnqueueNDRangeKernel(queue, k, global.length, null, global, local, 0, null, null);
        CL.clFinish(queue);
    }

    /** {@link #run} with {@code n} work-items in one dimension. */
    void run1d(String name, long n, Object... args) { run(name, new long[] {n}, null, args); }

    /** Releases every kernel and program. */
    void close() {
        kernels.values().forEach(CL::clReleaseKernel);
        kernels.clear();
        for (cl_program p : programs) if (p != null) CL.clReleaseProgram(p);
    }
}
