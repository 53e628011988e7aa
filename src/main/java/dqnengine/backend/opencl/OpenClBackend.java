package dqnengine.backend.opencl;

import dqnengine.backend.Backend;
import dqnengine.backend.Conv2dShape;
import dqnengine.backend.LossKind;
import dqnengine.backend.Checks;
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
import org.jocl.cl_program;
import org.jocl.cl_queue_properties;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * The backend op set as OpenCL kernels ({@code kernels/*.cl}, loaded from the classpath so the jar
 * works from anywhere). Each {@code .cl} file opens with the shapes it works on and the loop it
 * must equal; {@code OpenClBackendTest} runs the whole parity suite against the reference.
 *
 * <p>Two ways to keep tensors:
 * <ul>
 *   <li><b>resident</b> ({@code --device opencl}): every tensor an op touches gets a device mirror,
 *       keyed by its float array (so a Flatten view shares its mirror), with a state: the host copy
 *       is newer, both agree, or the device copy is newer. Inputs are uploaded only when the host
 *       copy is newer; outputs stay on the device until someone calls {@link #toHost}. Code that
 *       reads or writes {@code Tensor.data} on the host says so with {@link #toHost} and
 *       {@link #hostWrote} (the DQN learner, the dueling head, checkpoints do). A train step then
 *       uploads the uint8 batch, the rewards and discounts (the TD targets are computed on the
 *       device by {@code td_target}) and reads back only the loss and the row maxima for the
 *       logged mean max-Q (with prioritized replay also Q and the targets, for the new
 *       priorities); the target sync is a device copy.</li>
 *   <li><b>per op</b> (tests of the bare op set): every op uploads its inputs and downloads its
 *       outputs, so callers that never call {@code toHost}/{@code hostWrote} still see every
 *       result on the host.</li>
 * </ul>
 */
public final class OpenClBackend implements Backend {
    private static final String[] SOURCES = {"gemm", "conv", "elementwise", "dqn", "optim"};

    private final String deviceName;
    private final cl_context context;
    private final cl_command_queue queue;
    private final cl_program[] programs = new cl_program[SOURCES.length];
    private final Map<String, cl_kernel> kernels = new HashMap<>();
    private final boolean resident;
    private final boolean im2col;                                        // convolutions as im2col + gemm (else direct)
    private final int gemmVersion;                                       // gemm_vN of kernels/gemm.cl
    private final boolean gemmAuto;                                      // chosen for the device, not asked for
    private final Map<String, Tensor> work = new HashMap<>();            // device-only intermediates by role and size
    private final java.util.IdentityHashMap<float[], Mirror> mirrors = new java.util.IdentityHashMap<>();
    private final Map<Integer, cl_mem> scratch = new HashMap<>();           // byte and int staging buffers
    private final Map<Integer, Long> scratchBytes = new HashMap<>();
    private long mirroredBytes;
    private static final long MIRROR_LIMIT = 2L << 30;                   // beyond this, sync everything back and start over

    private static final int HOST_NEWER = 0, SYNCED = 1, DEVICE_NEWER = 2;

    /** A tensor's device copy and which side holds its newest values. */
    private static final class Mirror {
        final cl_mem mem;
        final long bytes;
        int state = HOST_NEWER;

        Mirror(cl_mem mem, long bytes) { this.mem = mem; this.bytes = bytes; }
    }

    /**
     * Opens device {@code index} with resident tensors (what {@code --device opencl:N} uses) and
     * im2col convolutions: on PoCL the Nature train step took 771 ms with them and 973 ms with the
     * direct kernels (the direct forward alone was faster: 67 vs 84 ms for conv1).
     * {@code -Ddqnengine.opencl.im2col=false} selects the direct kernels.
     */
    public OpenClBackend(int index) { this(index, true, Boolean.parseBoolean(System.getProperty("dqnengine.opencl.im2col", "true"))); }

    /**
     * Opens device {@code index} as numbered by {@link OpenCl#platforms()} (and the {@code devices}
     * command); {@code resident} keeps tensors on the device between ops (see the class comment).
     */
    public OpenClBackend(int index, boolean resident, boolean im2col) { this(index, resident, im2col, 0); }

    /** The newest version of the gemm kernel in {@code kernels/gemm.cl}. */
    public static final int GEMM_VERSIONS = 2;

    /**
     * As {@link #OpenClBackend(int, boolean, boolean)}, with version {@code gemmVersion} of the gemm
     * kernel (1 to {@link #GEMM_VERSIONS}), or with 0 the newest one the device can run: version 2
     * needs 16x16 work-groups, which a device or the compiled kernel may not allow. The system
     * property {@code dqnengine.opencl.gemm} replaces the 0.
     */
    public OpenClBackend(int index, boolean resident, boolean im2col, int gemmVersion) {
        if (gemmVersion == 0 && System.getProperty("dqnengine.opencl.gemm") != null) {
            try {
                gemmVersion = Integer.parseInt(System.getProperty("dqnengine.opencl.gemm"));
            } catch (NumberFormatException e) {
                gemmVersion = -1;
            }
        }
        if (gemmVersion < 0 || gemmVersion > GEMM_VERSIONS) {
            throw new IllegalArgumentException("gemm version must be 1 to " + GEMM_VERSIONS + " (or 0: the device's best), got " + gemmVersion);
        }
        this.resident = resident;
        this.im2col = im2col;
        OpenCl.Device device = OpenCl.device(index);
        try {
            cl_context_properties props = new cl_context_properties();
            props.addProperty(CL.CL_CONTEXT_PLATFORM, device.platform());
            context = CL.clCreateContext(props, 1, new cl_device_id[] {device.id()}, null, null, null);
            queue = CL.clCreateCommandQueueWithProperties(context, device.id(), new cl_queue_properties(), null);
            for (int s = 0; s < SOURCES.length; s++) programs[s] = build(device, SOURCES[s]);
        } catch (CLException e) {
            throw new OpenCl.UnavailableException("OpenCL device " + index + " failed to start: " + CL.stringFor_errorCode(e.getStatus()));
        }
        this.deviceName = device.name();
        this.gemmAuto = gemmVersion == 0;
        this.gemmVersion = gemmVersion != 0 ? gemmVersion : bestGemm(device);
    }

    /** The version of the gemm kernel this backend runs. */
    public int gemmVersion() { return gemmVersion; }

    /** The newest gemm version that compiled with work-groups of 16x16 on {@code device} (version 1 runs anywhere). */
    private int bestGemm(OpenCl.Device device) {
        long[] size = new long[1];
        CL.clGetKernelWorkGroupInfo(kernel("gemm_v2"), device.id(), CL.CL_KERNEL_WORK_GROUP_SIZE, Sizeof.size_t, Pointer.to(size), null);
        return size[0] >= 256 ? 2 : 1;
    }

    private cl_program build(OpenCl.Device device, String source) {
        String code = source(source);
        cl_program program = CL.clCreateProgramWithSource(context, 1, new String[] {code}, null, null);
        try {
            CL.clBuildProgram(program, 1, new cl_device_id[] {device.id()}, "-cl-std=CL1.2", null, null);
        } catch (CLException e) {
            long[] size = new long[1];
            CL.clGetProgramBuildInfo(program, device.id(), CL.CL_PROGRAM_BUILD_LOG, 0, null, size);
            byte[] log = new byte[(int) size[0]];
            CL.clGetProgramBuildInfo(program, device.id(), CL.CL_PROGRAM_BUILD_LOG, log.length, Pointer.to(log), null);
            String text = new String(log, StandardCharsets.UTF_8).replace('\0', ' ').strip().replace('\n', ' ');
            throw new OpenCl.UnavailableException("kernels/" + source + ".cl failed to build on " + device.name() + ": " + text);
        }
        return program;
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
    public String name() {
        return "opencl (" + deviceName + (resident ? "" : ", per-op copies") + (im2col ? ", im2col convolutions" : "") + ", gemm v" + gemmVersion + ")";
    }

    // ---------------------------------------------------------------- buffers and launches

    /** A staging buffer of role {@code slot} (bytes and ints), at least {@code bytes} long. */
    private cl_mem scratch(int slot, long bytes) {
        long need = Math.max(bytes, 4);
        Long have = scratchBytes.get(slot);
        if (have == null || have < need) {
            cl_mem old = scratch.remove(slot);
            if (old != null) CL.clReleaseMemObject(old);
            scratch.put(slot, CL.clCreateBuffer(context, CL.CL_MEM_READ_WRITE, need, null, null));
            scratchBytes.put(slot, need);
        }
        return scratch.get(slot);
    }

    private Mirror mirror(Tensor t) {
        Mirror m = mirrors.get(t.data);
        if (m == null) {
            long bytes = Math.max(4L, (long) t.data.length * Sizeof.cl_float);
            if (mirroredBytes + bytes > MIRROR_LIMIT) evictAll();
            m = new Mirror(CL.clCreateBuffer(context, CL.CL_MEM_READ_WRITE, bytes, null, null), bytes);
            mirrors.put(t.data, m);
            mirroredBytes += bytes;
        }
        return m;
    }

    /** Every device-newer tensor back to the host, then every mirror released. */
    private void evictAll() {
        for (Map.Entry<float[], Mirror> e : mirrors.entrySet()) {
            Mirror m = e.getValue();
            if (m.state == DEVICE_NEWER) read(m.mem, e.getKey());
            CL.clReleaseMemObject(m.mem);
        }
        mirrors.clear();
        mirroredBytes = 0;
    }

    /** The device buffer of an input: uploaded first if the host holds newer values. */
    private cl_mem in(Tensor t) {
        Mirror m = mirror(t);
        // Per-op mode uploads every input (the caller may have changed it) except intermediates that
        // only ever live on the device (the im2col buffers, which are left DEVICE_NEWER).
        if (m.state == HOST_NEWER || (!resident && m.state != DEVICE_NEWER)) {
            if (t.data.length > 0) {
                CL.clEnqueueWriteBuffer(queue, m.mem, CL.CL_TRUE, 0, (long) t.data.length * Sizeof.cl_float, Pointer.to(t.data), 0, null, null);
            }
            m.state = SYNCED;
        }
        return m.mem;
    }

    /** The device buffer of an output that the op overwrites entirely (nothing uploaded). */
    private cl_mem out(Tensor t) { return mirror(t).mem; }

    /** Marks outputs as newer on the device; in per-op mode reads them back at once. */
    private void wrote(Tensor... outputs) {
        for (Tensor t : outputs) {
            leftOnDevice(t);
            if (!resident) toHost(t);
        }
    }

    private void read(cl_mem m, float[] dst) {
        if (dst.length > 0) CL.clEnqueueReadBuffer(queue, m, CL.CL_TRUE, 0, (long) dst.length * Sizeof.cl_float, Pointer.to(dst), 0, null, null);
    }

    @Override
    public void toHost(Tensor t) {
        Mirror m = mirrors.get(t.data);
        if (m != null && m.state == DEVICE_NEWER) {
            read(m.mem, t.data);
            m.state = SYNCED;
        }
    }

    @Override
    public boolean hostResident() { return !resident; }

    @Override
    public void hostWrote(Tensor t) {
        Mirror m = mirrors.get(t.data);
        if (m != null) m.state = HOST_NEWER;
    }

    private cl_mem upload(int slot, int[] data, int count) {
        cl_mem m = scratch(slot, (long) count * Sizeof.cl_int);
        if (count > 0) CL.clEnqueueWriteBuffer(queue, m, CL.CL_TRUE, 0, (long) count * Sizeof.cl_int, Pointer.to(data), 0, null, null);
        return m;
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
        deviceGemm(transA, transB, alpha, a, b, beta, c);
        wrote(c);
    }

    private static long roundUp(int v, int to) { return (long) (v + to - 1) / to * to; }

    @Override
    public void addRowBias(Tensor y, Tensor bias) {
        int cols = y.dim(1);
        Checks.length(bias, cols, "addRowBias bias");
        cl_mem Y = in(y), B = in(bias);
        run1d("add_row_bias", y.size(), cols, Y, B);
        wrote(y);
    }

    @Override
    public void sumRowsInto(Tensor dy, Tensor db) {
        int rows = dy.dim(0), cols = dy.dim(1);
        Checks.length(db, cols, "sumRowsInto db");
        cl_mem DY = in(dy), DB = in(db);
        run1d("sum_rows_into", cols, rows, cols, DY, DB);
        wrote(db);
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

    /** A device-only intermediate of {@code n} floats for {@code role} (never read on the host). */
    private Tensor work(String role, int... shape) {
        String key = role + java.util.Arrays.toString(shape);
        return work.computeIfAbsent(key, k -> Tensor.zeros(shape));
    }

    private Tensor im2colOf(Conv2dShape g, Tensor x) {
        int k = g.inChannels() * g.kernelH() * g.kernelW(), np = g.batch() * g.outHeight() * g.outWidth();
        Tensor cols = work("cols", k, np);
        cl_mem X = in(x), COLS = out(cols);
        run1d("im2col", cols.size(), g.batch(), g.inChannels(), g.inHeight(), g.inWidth(), g.kernelH(), g.kernelW(), g.stride(),
                g.padding(), g.outHeight(), g.outWidth(), X, COLS);
        leftOnDevice(cols);
        return cols;
    }

    private Tensor rowsOf(Conv2dShape g, Tensor dy) {
        int p = g.outHeight() * g.outWidth();
        Tensor rows = work("rows", g.outChannels(), g.batch() * p);
        cl_mem DY = in(dy), R = out(rows);
        run1d("nchw_to_rows", dy.size(), g.batch(), g.outChannels(), p, DY, R);
        leftOnDevice(rows);
        return rows;
    }

    /** Runs the gemm kernel and leaves C on the device, whatever the mode ({@link #gemm} adds the read-back). */
    private void deviceGemm(boolean transA, boolean transB, float alpha, Tensor a, Tensor b, float beta, Tensor c) {
        int m = c.dim(0), n = c.dim(1), k = transA ? a.dim(0) : a.dim(1);
        cl_mem A = in(a), B = in(b), C = beta == 0f ? out(c) : in(c);
        // v2's 64-row block would hold one useful row of a batch-1 product (acting): measured twice as
        // slow as v1 there on PoCL, so a short product takes v1 unless a version was asked for
        if (gemmVersion == 1 || (gemmAuto && m < 16)) {
            run("gemm_v1", new long[] {roundUp(n, 16), roundUp(m, 16)}, new long[] {16, 16},
                    m, n, k, transA ? 1 : 0, transB ? 1 : 0, alpha, A, B, beta, C);
        } else {                                                         // a 64x64 block of C per 16x16 work-group
            run("gemm_v2", new long[] {roundUp(n, 64) / 4, roundUp(m, 64) / 4}, new long[] {16, 16},
                    m, n, k, transA ? 1 : 0, transB ? 1 : 0, alpha, A, B, beta, C);
        }
        leftOnDevice(c);
    }

    /** Marks a result newer on the device without reading it back, even in per-op mode (intermediates). */
    private void leftOnDevice(Tensor t) { mirror(t).state = DEVICE_NEWER; }

    @Override
    public void conv2dForward(Conv2dShape g, Tensor x, Tensor w, Tensor b, Tensor y) {
        Checks.conv(g, x, w, b, y);
        if (im2col) {
            int p = g.outHeight() * g.outWidth(), k = g.inChannels() * g.kernelH() * g.kernelW();
            Tensor cols = im2colOf(g, x), rows = work("yrows", g.outChannels(), g.batch() * p);
            deviceGemm(false, false, 1f, w.reshape(g.outChannels(), k), cols, 0f, rows);
            cl_mem R = in(rows), B = in(b), Y = out(y);
            run1d("rows_to_nchw_bias", y.size(), g.batch(), g.outChannels(), p, R, B, Y);
            wrote(y);
            return;
        }
        cl_mem X = in(x), W = in(w), B = in(b), Y = out(y);
        run1d("conv_forward", y.size(), concat(geometry(g), X, W, B, Y));
        wrote(y);
    }

    @Override
    public void conv2dBackwardData(Conv2dShape g, Tensor dy, Tensor w, Tensor dx) {
        Checks.convBackwardData(g, dy, w, dx);
        if (im2col) {
            int k = g.inChannels() * g.kernelH() * g.kernelW(), np = g.batch() * g.outHeight() * g.outWidth();
            Tensor rows = rowsOf(g, dy), dcols = work("dcols", k, np);
            deviceGemm(true, false, 1f, w.reshape(g.outChannels(), k), rows, 0f, dcols);
            cl_mem DC = in(dcols), DX = out(dx);
            run1d("col2im", dx.size(), g.batch(), g.inChannels(), g.inHeight(), g.inWidth(), g.kernelH(), g.kernelW(), g.stride(),
                    g.padding(), g.outHeight(), g.outWidth(), DC, DX);
            wrote(dx);
            return;
        }
        cl_mem DY = in(dy), W = in(w), DX = out(dx);
        run1d("conv_backward_data", dx.size(), concat(geometry(g), DY, W, DX));
        wrote(dx);
    }

    @Override
    public void conv2dBackwardWeights(Conv2dShape g, Tensor x, Tensor dy, Tensor dw, Tensor db) {
        Checks.convBackwardWeights(g, x, dy, dw, db);
        if (im2col) {
            int k = g.inChannels() * g.kernelH() * g.kernelW();
            Tensor cols = im2colOf(g, x), rows = rowsOf(g, dy);
            Tensor dwRows = dw.reshape(g.outChannels(), k);                 // shares dw's array, so its mirror too
            deviceGemm(false, true, 1f, rows, cols, 1f, dwRows);
            cl_mem DY = in(dy), DB = in(db);
            run1d("conv_backward_bias", db.size(), g.batch(), g.outChannels(), g.outHeight(), g.outWidth(), DY, DB);
            wrote(dw, db);
            return;
        }
        cl_mem X = in(x), DY = in(dy), DW = in(dw), DB = in(db);
        Object[] args = concat(new Object[] {g.batch()}, geometry(g));
        run1d("conv_backward_weights", dw.size(), concat(args, X, DY, DW));
        run1d("conv_backward_bias", db.size(), g.batch(), g.outChannels(), g.outHeight(), g.outWidth(), DY, DB);
        wrote(dw, db);
    }

    @Override
    public void reluForward(Tensor x, Tensor y) {
        Tensor.requireSameShape(x, y, "reluForward");
        cl_mem X = in(x), Y = out(y);
        run1d("relu_forward", x.size(), X, Y);
        wrote(y);
    }

    @Override
    public void reluBackward(Tensor y, Tensor dy, Tensor dx) {
        Tensor.requireSameShape(y, dy, "reluBackward");
        Tensor.requireSameShape(y, dx, "reluBackward");
        cl_mem Y = in(y), DY = in(dy), DX = out(dx);
        run1d("relu_backward", y.size(), Y, DY, DX);
        wrote(dx);
    }

    @Override
    public float gatheredLoss(LossKind kind, float delta, Tensor q, int[] actions, Tensor target, Tensor dq) {
        Checks.gathered(q, actions, target, dq);
        int n = q.dim(0), a = q.dim(1);
        cl_mem Q = in(q), ACT = upload(0, actions, n), T = in(target), DQ = out(dq), L = scratch(1, (long) n * Sizeof.cl_float);
        run1d("gathered_loss", n, a, n, kind == LossKind.MSE ? 1 : 0, delta, Q, ACT, T, DQ, L);
        wrote(dq);
        float[] rowLoss = new float[n];                      // the loss is the one number read back
        read(L, rowLoss);
        double total = 0;
        for (float l : rowLoss) total += l;
        return (float) (total / n);
    }

    @Override
    public void rowMax(Tensor q, Tensor max, int[] argmax) {
        int n = q.dim(0), a = q.dim(1);
        Checks.rowMax(q, max, argmax);
        cl_mem Q = in(q), M = out(max), AM = scratch(2, (long) n * Sizeof.cl_int);
        run1d("row_max", n, a, Q, M, AM);
        wrote(max);
        if (argmax != null && n > 0) CL.clEnqueueReadBuffer(queue, AM, CL.CL_TRUE, 0, (long) n * Sizeof.cl_int, Pointer.to(argmax), 0, null, null);
    }

    @Override
    public void tdTarget(Tensor nextQ, int[] nextActions, float[] rewards, float[] discounts, Tensor target) {
        int n = nextQ.dim(0), a = nextQ.dim(1);
        Checks.tdTarget(nextQ, nextActions, rewards, discounts, target);
        cl_mem Q = in(nextQ), ACT = nextActions == null ? scratch(8, 4) : upload(8, nextActions, n);
        cl_mem R = scratch(9, (long) n * Sizeof.cl_float), D = scratch(10, (long) n * Sizeof.cl_float), T = out(target);
        if (n > 0) {
            CL.clEnqueueWriteBuffer(queue, R, CL.CL_TRUE, 0, (long) n * Sizeof.cl_float, Pointer.to(rewards), 0, null, null);
            CL.clEnqueueWriteBuffer(queue, D, CL.CL_TRUE, 0, (long) n * Sizeof.cl_float, Pointer.to(discounts), 0, null, null);
        }
        run1d("td_target", n, a, nextActions == null ? 0 : 1, Q, ACT, R, D, T);
        wrote(target);
    }

    @Override
    public void u8ToFloat(byte[] src, int offset, float scale, Tensor dst) {
        int n = dst.size();
        if (offset < 0 || offset + n > src.length) throw new IllegalArgumentException("u8ToFloat: source too short");
        cl_mem S = scratch(3, n);                            // only the bytes cross to the device
        if (n > 0) CL.clEnqueueWriteBuffer(queue, S, CL.CL_TRUE, 0, n, Pointer.to(src).withByteOffset(offset), 0, null, null);
        cl_mem D = out(dst);
        run1d("u8_to_float", n, S, scale, D);
        wrote(dst);
    }

    @Override
    public double sumOfSquares(Tensor t) {
        int groups = (int) Math.min(1024, Math.max(1, t.size()));
        cl_mem T = in(t), P = scratch(4, (long) groups * Sizeof.cl_float);
        run1d("sum_of_squares", groups, t.size(), T, P);
        float[] partial = new float[groups];
        read(P, partial);
        double s = 0;
        for (float v : partial) s += v;
        return s;
    }

    @Override
    public void scale(Tensor t, float s) {
        cl_mem T = in(t);
        run1d("scale", t.size(), T, s);
        wrote(t);
    }

    @Override
    public void scaleRows(Tensor t, float[] w) {
        Checks.scaleRows(t, w);
        int n = t.dim(0);
        cl_mem T = in(t), W = scratch(11, (long) Math.max(1, n) * Sizeof.cl_float);
        if (n > 0) CL.clEnqueueWriteBuffer(queue, W, CL.CL_TRUE, 0, (long) n * Sizeof.cl_float, Pointer.to(w), 0, null, null);
        run1d("scale_rows", t.size(), t.dim(1), T, W);
        wrote(t);
    }

    @Override
    public void copy(Tensor src, Tensor dst) {
        Tensor.requireSameShape(src, dst, "copy");
        cl_mem S = in(src), D = out(dst);
        if (src.size() > 0) CL.clEnqueueCopyBuffer(queue, S, D, 0, 0, (long) src.size() * Sizeof.cl_float, 0, null, null);
        CL.clFinish(queue);
        wrote(dst);
    }

    @Override
    public void fill(Tensor t, float value) {
        cl_mem T = out(t);
        run1d("fill", t.size(), T, value);
        wrote(t);
    }

    @Override
    public void adamUpdate(Tensor p, Tensor g, Tensor m, Tensor v, float lr, float beta1, float beta2, float eps, long step) {
        Checks.sameShapes("adamUpdate", p, g, m, v);
        float bias1 = (float) (1 - Math.pow(beta1, step)), bias2 = (float) (1 - Math.pow(beta2, step));
        cl_mem P = in(p), G = in(g), M = in(m), V = in(v);
        run1d("adam", p.size(), P, G, M, V, lr, beta1, beta2, eps, bias1, bias2);
        wrote(p, m, v);
    }

    @Override
    public void rmsPropUpdate(Tensor p, Tensor g, Tensor squareAvg, Tensor gradAvg, Tensor momentumBuf,
                              float lr, float alpha, float eps, float momentum, boolean epsInsideSqrt) {
        Checks.sameShapes("rmsPropUpdate", p, g, squareAvg);
        boolean centred = gradAvg != null, useMomentum = momentumBuf != null && momentum != 0f;
        cl_mem P = in(p), G = in(g), S = in(squareAvg);
        cl_mem GA = centred ? in(gradAvg) : scratch(5, 4), B = useMomentum ? in(momentumBuf) : scratch(6, 4);
        run1d("rmsprop", p.size(), P, G, S, GA, B, centred ? 1 : 0, useMomentum ? 1 : 0, lr, alpha, eps, momentum, epsInsideSqrt ? 1 : 0);
        wrote(p, squareAvg);
        if (centred) wrote(gradAvg);
        if (useMomentum) wrote(momentumBuf);
    }

    @Override
    public void sgdUpdate(Tensor p, Tensor g, Tensor momentumBuf, float lr, float momentum) {
        Checks.sameShapes("sgdUpdate", p, g);
        boolean useMomentum = momentumBuf != null && momentum != 0f;
        cl_mem P = in(p), G = in(g), B = useMomentum ? in(momentumBuf) : scratch(7, 4);
        run1d("sgd", p.size(), P, G, B, useMomentum ? 1 : 0, lr, momentum);
        wrote(p);
        if (useMomentum) wrote(momentumBuf);
    }

    @Override
    public void close() {
        kernels.values().forEach(CL::clReleaseKernel);
        kernels.clear();
        work.clear();
        mirrors.values().forEach(m -> CL.clReleaseMemObject(m.mem));
        mirrors.clear();
        scratch.values().forEach(CL::clReleaseMemObject);
        scratch.clear();
        for (cl_program p : programs) if (p != null) CL.clReleaseProgram(p);
        CL.clReleaseCommandQueue(queue);
        CL.clReleaseContext(context);
    }
}
