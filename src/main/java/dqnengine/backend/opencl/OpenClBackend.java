package dqnengine.backend.opencl;

import dqnengine.backend.Backend;
import dqnengine.backend.Conv2dShape;
import dqnengine.backend.LossKind;
import dqnengine.backend.cpu.Checks;
import dqnengine.tensor.Tensor;
import org.jocl.CL;
import org.jocl.CLException;
import org.jocl.Pointer;
import org.jocl.Sizeof;
import org.jocl.cl_command_queue;
import org.jocl.cl_context;
import org.jocl.cl_context_properties;
import org.jocl.cl_device_id;
import org.jocl.cl_kernel;
import org.jocl.cl_mem;
import org.jocl.cl_platform_id;
import org.jocl.cl_program;
import org.jocl.cl_queue_properties;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The backend op set as OpenCL kernels ({@code kernels/*.cl}, loaded from the classpath so the jar
 * works from anywhere). Each {@code .cl} file opens with the shapes it works on and the loop it
 * must equal; {@code OpenClBackendTest} runs the whole parity suite against the reference.
 *
 * <p><b>Stage one: tensors live on the host.</b> Every op uploads its inputs, runs its kernel and
 * reads its outputs back, through per-role device buffers that are reused (grown, never shrunk).
 * That makes the kernels correct and testable behind the unchanged {@link Backend} interface, but
 * it is not yet the design the OpenCL issue asks for, where a train step stays on the device; that
 * needs tensors with device storage and is the next stage.
 */
public final class OpenClBackend implements Backend {
    private static final String[] SOURCES = {"gemm", "conv", "elementwise", "dqn", "optim"};

    private final String deviceName;
    private final cl_context context;
    private final cl_command_queue queue;
    private final cl_program[] programs = new cl_program[SOURCES.length];
    private final Map<String, cl_kernel> kernels = new HashMap<>();
    private final Map<Integer, cl_mem> buffers = new HashMap<>();
    private final Map<Integer, Long> capacity = new HashMap<>();

    /** Opens device {@code index} as numbered by {@link OpenCl#platforms()} (and the {@code devices} command). */
    public OpenClBackend(int index) {
        List<OpenCl.Platform> platforms = OpenCl.platforms();
        int seen = 0;
        cl_platform_id platform = null;
        cl_device_id device = null;
        String name = null;
        try {
            int[] count = new int[1];
            CL.clGetPlatformIDs(0, null, count);
            cl_platform_id[] ids = new cl_platform_id[count[0]];
            CL.clGetPlatformIDs(ids.length, ids, null);
            for (int p = 0; p < ids.length && device == null; p++) {
                List<OpenCl.Device> devices = platforms.get(p).devices();
                if (index < seen + devices.size()) {
                    cl_device_id[] ds = new cl_device_id[devices.size()];
                    CL.clGetDeviceIDs(ids[p], CL.CL_DEVICE_TYPE_ALL, ds.length, ds, null);
                    platform = ids[p];
                    device = ds[index - seen];
                    name = devices.get(index - seen).name();
                }
                seen += devices.size();
            }
            if (device == null) {
                throw new IllegalArgumentException("there is no OpenCL device " + index + " (" + seen + " found; see 'dqn-engine devices')");
            }
            cl_context_properties props = new cl_context_properties();
            props.addProperty(CL.CL_CONTEXT_PLATFORM, platform);
            context = CL.clCreateContext(props, 1, new cl_device_id[] {device}, null, null, null);
            queue = CL.clCreateCommandQueueWithProperties(context, device, new cl_queue_properties(), null);
            for (int s = 0; s < SOURCES.length; s++) programs[s] = build(device, SOURCES[s]);
        } catch (CLException e) {
            throw new OpenCl.UnavailableException("OpenCL device " + index + " failed to start: " + CL.stringFor_errorCode(e.getStatus()));
        }
        this.deviceName = name;
    }

    private cl_program build(cl_device_id device, String source) {
        String code = source(source);
        cl_program program = CL.clCreateProgramWithSource(context, 1, new String[] {code}, null, null);
        try {
            CL.clBuildProgram(program, 1, new cl_device_id[] {device}, "-cl-std=CL1.2", null, null);
        } catch (CLException e) {
            long[] size = new long[1];
            CL.clGetProgramBuildInfo(program, device, CL.CL_PROGRAM_BUILD_LOG, 0, null, size);
            byte[] log = new byte[(int) size[0]];
            CL.clGetProgramBuildInfo(program, device, CL.CL_PROGRAM_BUILD_LOG, log.length, Pointer.to(log), null);
            String text = new String(log, StandardCharsets.UTF_8).replace('\0', ' ').strip().replace('\n', ' ');
            throw new OpenCl.UnavailableException("kernels/" + source + ".cl failed to build on " + deviceNameOr(device) + ": " + text);
        }
        return program;
    }

    private static String deviceNameOr(cl_device_id device) {
        long[] size = new long[1];
        CL.clGetDeviceInfo(device, CL.CL_DEVICE_NAME, 0, null, size);
        byte[] b = new byte[(int) size[0]];
        CL.clGetDeviceInfo(device, CL.CL_DEVICE_NAME, b.length, Pointer.to(b), null);
        return new String(b, StandardCharsets.UTF_8).replace('\0', ' ').strip();
    }

    /** The text of {@code kernels/<name>.cl} from the classpath. */
    static String source(String name) {
        String path = "/kernels/" + name + ".cl";
        try (InputStream in = OpenClBackend.class.getResourceAsStream(path)) {
            if (in == null) throw new IllegalStateException("kernel source " + path + " is missing from the classpath (a broken build?)");
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read kernel source " + path + ": " + e.getMessage());
        }
    }

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

    @Override
    public String name() { return "opencl (" + deviceName + ")"; }

    // ---------------------------------------------------------------- buffers and launches

    /** The device buffer of role {@code slot}, at least {@code bytes} long. */
    private cl_mem buffer(int slot, long bytes) {
        long need = Math.max(bytes, 4);
        Long have = capacity.get(slot);
        if (have == null || have < need) {
            cl_mem old = buffers.remove(slot);
            if (old != null) CL.clReleaseMemObject(old);
            buffers.put(slot, CL.clCreateBuffer(context, CL.CL_MEM_READ_WRITE, need, null, null));
            capacity.put(slot, need);
        }
        return buffers.get(slot);
    }

    private cl_mem upload(int slot, Tensor t) { return upload(slot, t.data); }

    private cl_mem upload(int slot, float[] data) {
        cl_mem m = buffer(slot, (long) data.length * Sizeof.cl_float);
        if (data.length > 0) CL.clEnqueueWriteBuffer(queue, m, CL.CL_TRUE, 0, (long) data.length * Sizeof.cl_float, Pointer.to(data), 0, null, null);
        return m;
    }

    private cl_mem upload(int slot, int[] data, int count) {
        cl_mem m = buffer(slot, (long) count * Sizeof.cl_int);
        if (count > 0) CL.clEnqueueWriteBuffer(queue, m, CL.CL_TRUE, 0, (long) count * Sizeof.cl_int, Pointer.to(data), 0, null, null);
        return m;
    }

    private void download(cl_mem m, float[] dst) {
        if (dst.length > 0) CL.clEnqueueReadBuffer(queue, m, CL.CL_TRUE, 0, (long) dst.length * Sizeof.cl_float, Pointer.to(dst), 0, null, null);
    }

    /** Sets the arguments (Integer, Float or cl_mem) and runs {@code global} work-items, blocking. */
    private void run(String name, long[] global, long[] local, Object... args) {
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

    private void run1d(String name, long n, Object... args) { run(name, new long[] {n}, null, args); }

    // ---------------------------------------------------------------- the op set

    @Override
    public void gemm(boolean transA, boolean transB, float alpha, Tensor a, Tensor b, float beta, Tensor c) {
        Checks.gemmShapes(transA, transB, a, b, c);
        int m = c.dim(0), n = c.dim(1), k = transA ? a.dim(0) : a.dim(1);
        cl_mem A = upload(0, a), B = upload(1, b), C = upload(2, c);
        run("gemm", new long[] {roundUp(n, 16), roundUp(m, 16)}, new long[] {16, 16},
                m, n, k, transA ? 1 : 0, transB ? 1 : 0, alpha, A, B, beta, C);
        download(C, c.data);
    }

    private static long roundUp(int v, int to) { return (long) (v + to - 1) / to * to; }

    @Override
    public void addRowBias(Tensor y, Tensor bias) {
        int cols = y.dim(1);
        Checks.length(bias, cols, "addRowBias bias");
        cl_mem Y = upload(0, y), B = upload(1, bias);
        run1d("add_row_bias", y.size(), cols, Y, B);
        download(Y, y.data);
    }

    @Override
    public void sumRowsInto(Tensor dy, Tensor db) {
        int rows = dy.dim(0), cols = dy.dim(1);
        Checks.length(db, cols, "sumRowsInto db");
        cl_mem DY = upload(0, dy), DB = upload(1, db);
        run1d("sum_rows_into", cols, rows, cols, DY, DB);
        download(DB, db.data);
    }

    private Object[] geometry(Conv2dShape g) {
        return new Object[] {g.inChannels(), g.inHeight(), g.inWidth(), g.outChannels(), g.kernelH(), g.kernelW(), g.stride(),
                g.padding(), g.outHeight(), g.outWidth()};
    }

    private static Object[] concat(Object[] a, Object... b) {
        Object[] all = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }

    @Override
    public void conv2dForward(Conv2dShape g, Tensor x, Tensor w, Tensor b, Tensor y) {
        Checks.conv(g, x, w, b, y);
        cl_mem X = upload(0, x), W = upload(1, w), B = upload(2, b), Y = buffer(3, (long) y.size() * Sizeof.cl_float);
        run1d("conv_forward", y.size(), concat(geometry(g), X, W, B, Y));
        download(Y, y.data);
    }

    @Override
    public void conv2dBackwardData(Conv2dShape g, Tensor dy, Tensor w, Tensor dx) {
        Checks.convBackwardData(g, dy, w, dx);
        cl_mem DY = upload(0, dy), W = upload(1, w), DX = buffer(2, (long) dx.size() * Sizeof.cl_float);
        run1d("conv_backward_data", dx.size(), concat(geometry(g), DY, W, DX));
        download(DX, dx.data);
    }

    @Override
    public void conv2dBackwardWeights(Conv2dShape g, Tensor x, Tensor dy, Tensor dw, Tensor db) {
        Checks.convBackwardWeights(g, x, dy, dw, db);
        cl_mem X = upload(0, x), DY = upload(1, dy), DW = upload(2, dw), DB = upload(3, db);
        Object[] args = concat(new Object[] {g.batch()}, geometry(g));
        run1d("conv_backward_weights", dw.size(), concat(args, X, DY, DW));
        run1d("conv_backward_bias", db.size(), g.batch(), g.outChannels(), g.outHeight(), g.outWidth(), DY, DB);
        download(DW, dw.data);
        download(DB, db.data);
    }

    @Override
    public void reluForward(Tensor x, Tensor y) {
        Tensor.requireSameShape(x, y, "reluForward");
        cl_mem X = upload(0, x), Y = buffer(1, (long) y.size() * Sizeof.cl_float);
        run1d("relu_forward", x.size(), X, Y);
        download(Y, y.data);
    }

    @Override
    public void reluBackward(Tensor y, Tensor dy, Tensor dx) {
        Tensor.requireSameShape(y, dy, "reluBackward");
        Tensor.requireSameShape(y, dx, "reluBackward");
        cl_mem Y = upload(0, y), DY = upload(1, dy), DX = buffer(2, (long) dx.size() * Sizeof.cl_float);
        run1d("relu_backward", y.size(), Y, DY, DX);
        download(DX, dx.data);
    }

    @Override
    public float gatheredLoss(LossKind kind, float delta, Tensor q, int[] actions, Tensor target, Tensor dq) {
        Checks.gathered(q, actions, target, dq);
        int n = q.dim(0), a = q.dim(1);
        cl_mem Q = upload(0, q), ACT = upload(1, actions, n), T = upload(2, target);
        cl_mem DQ = buffer(3, (long) dq.size() * Sizeof.cl_float), L = buffer(4, (long) n * Sizeof.cl_float);
        run1d("gathered_loss", n, a, n, kind == LossKind.MSE ? 1 : 0, delta, Q, ACT, T, DQ, L);
        download(DQ, dq.data);
        float[] rowLoss = new float[n];
        download(L, rowLoss);
        double total = 0;
        for (float l : rowLoss) total += l;
        return (float) (total / n);
    }

    @Override
    public void rowMax(Tensor q, Tensor max, int[] argmax) {
        int n = q.dim(0), a = q.dim(1);
        Checks.length(max, n, "rowMax max");
        if (argmax != null && argmax.length < n) throw new IllegalArgumentException("rowMax argmax too short");
        cl_mem Q = upload(0, q), M = buffer(1, (long) n * Sizeof.cl_float), AM = buffer(2, (long) n * Sizeof.cl_int);
        run1d("row_max", n, a, Q, M, AM);
        download(M, max.data);
        if (argmax != null && n > 0) CL.clEnqueueReadBuffer(queue, AM, CL.CL_TRUE, 0, (long) n * Sizeof.cl_int, Pointer.to(argmax), 0, null, null);
    }

    @Override
    public void u8ToFloat(byte[] src, int offset, float scale, Tensor dst) {
        int n = dst.size();
        if (offset < 0 || offset + n > src.length) throw new IllegalArgumentException("u8ToFloat: source too short");
        cl_mem S = buffer(0, n);
        if (n > 0) CL.clEnqueueWriteBuffer(queue, S, CL.CL_TRUE, 0, n, Pointer.to(src).withByteOffset(offset), 0, null, null);
        cl_mem D = buffer(1, (long) n * Sizeof.cl_float);
        run1d("u8_to_float", n, S, scale, D);
        download(D, dst.data);
    }

    @Override
    public double sumOfSquares(Tensor t) {
        int groups = (int) Math.min(1024, Math.max(1, t.size()));
        cl_mem T = upload(0, t), P = buffer(1, (long) groups * Sizeof.cl_float);
        run1d("sum_of_squares", groups, t.size(), T, P);
        float[] partial = new float[groups];
        download(P, partial);
        double s = 0;
        for (float v : partial) s += v;
        return s;
    }

    @Override
    public void scale(Tensor t, float s) {
        cl_mem T = upload(0, t);
        run1d("scale", t.size(), T, s);
        download(T, t.data);
    }

    @Override
    public void copy(Tensor src, Tensor dst) {
        Tensor.requireSameShape(src, dst, "copy");
        cl_mem S = upload(0, src), D = buffer(1, (long) dst.size() * Sizeof.cl_float);
        if (src.size() > 0) CL.clEnqueueCopyBuffer(queue, S, D, 0, 0, (long) src.size() * Sizeof.cl_float, 0, null, null);
        CL.clFinish(queue);
        download(D, dst.data);
    }

    @Override
    public void fill(Tensor t, float value) {
        cl_mem T = buffer(0, (long) t.size() * Sizeof.cl_float);
        run1d("fill", t.size(), T, value);
        download(T, t.data);
    }

    @Override
    public void adamUpdate(Tensor p, Tensor g, Tensor m, Tensor v, float lr, float beta1, float beta2, float eps, long step) {
        Checks.sameShapes("adamUpdate", p, g, m, v);
        float bias1 = (float) (1 - Math.pow(beta1, step)), bias2 = (float) (1 - Math.pow(beta2, step));
        cl_mem P = upload(0, p), G = upload(1, g), M = upload(2, m), V = upload(3, v);
        run1d("adam", p.size(), P, G, M, V, lr, beta1, beta2, eps, bias1, bias2);
        download(P, p.data);
        download(M, m.data);
        download(V, v.data);
    }

    @Override
    public void rmsPropUpdate(Tensor p, Tensor g, Tensor squareAvg, Tensor gradAvg, Tensor momentumBuf,
                              float lr, float alpha, float eps, float momentum, boolean epsInsideSqrt) {
        Checks.sameShapes("rmsPropUpdate", p, g, squareAvg);
        boolean centred = gradAvg != null, useMomentum = momentumBuf != null && momentum != 0f;
        cl_mem P = upload(0, p), G = upload(1, g), S = upload(2, squareAvg);
        cl_mem GA = centred ? upload(3, gradAvg) : buffer(3, 4), B = useMomentum ? upload(4, momentumBuf) : buffer(4, 4);
        run1d("rmsprop", p.size(), P, G, S, GA, B, centred ? 1 : 0, useMomentum ? 1 : 0, lr, alpha, eps, momentum, epsInsideSqrt ? 1 : 0);
        download(P, p.data);
        download(S, squareAvg.data);
        if (centred) download(GA, gradAvg.data);
        if (useMomentum) download(B, momentumBuf.data);
    }

    @Override
    public void sgdUpdate(Tensor p, Tensor g, Tensor momentumBuf, float lr, float momentum) {
        Checks.sameShapes("sgdUpdate", p, g);
        boolean useMomentum = momentumBuf != null && momentum != 0f;
        cl_mem P = upload(0, p), G = upload(1, g), B = useMomentum ? upload(2, momentumBuf) : buffer(2, 4);
        run1d("sgd", p.size(), P, G, B, useMomentum ? 1 : 0, lr, momentum);
        download(P, p.data);
        if (useMomentum) download(B, momentumBuf.data);
    }

    @Override
    public void close() {
        kernels.values().forEach(CL::clReleaseKernel);
        kernels.clear();
        buffers.values().forEach(CL::clReleaseMemObject);
        buffers.clear();
        for (cl_program p : programs) if (p != null) CL.clReleaseProgram(p);
        CL.clReleaseCommandQueue(queue);
        CL.clReleaseContext(context);
    }
}
