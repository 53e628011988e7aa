package dqnengine.backend.opencl;

import dqnengine.backend.Backend;
import dqnengine.backend.Checks;
import dqnengine.backend.Conv2dShape;
import dqnengine.backend.LossKind;
import dqnengine.tensor.Tensor;
import org.jocl.CL;
import org.jocl.CLException;
import org.jocl.Sizeof;
import org.jocl.cl_command_queue;
import org.jocl.cl_context;
import org.jocl.cl_context_properties;
import org.jocl.cl_device_id;
import org.jocl.cl_mem;
import org.jocl.cl_queue_properties;

import java.util.Arrays;

/**
 * The backend op set as OpenCL kernels ({@code kernels/*.cl}). Each {@code .cl} file opens with the
 * shapes it works on and the loop it must equal; {@code OpenClBackendTest} runs the whole parity
 * suite against the reference. Each op here says which kernel runs on which buffers and with how
 * many work-items; {@code DeviceMemory} holds the buffers and does every copy between host and
 * device, {@code Kernels} builds the sources and launches the kernels. Every launch and every copy
 * blocks until it is done.
 *
 * <p>Two ways to keep tensors:
 * <ul>
 *   <li><b>resident</b> ({@code --device opencl}): every tensor an op touches gets a device mirror,
 *       keyed by its float array (so a Flatten view shares its mirror), with a state: the host copy
 *       is newer, both agree, or the device copy is newer. Inputs are uploaded only when the host
 *       copy is newer; outputs stay on the device until someone calls {@link #toHost}. Code that
 *       reads or writes {@code Tensor.data} on the host says so with {@link #toHost} and
 *       {@link #hostWrote} (the DQN learner, the dueling head, checkpoints do). A train step then
 *       uploads the uint8 batch, the actions, the rewards and discounts (the TD targets are
 *       computed on the device by {@code td_target}) and reads back the n per-row losses and the
 *       row maxima for the logged mean max-Q (with Double DQN also the online network's argmax
 *       actions, which go back up as the target's gather indices; with gradient clipping the
 *       partial sums of squares; with prioritized replay the importance weights go up, and Q and
 *       the targets come back for the new priorities). Two parts still run on the host, with the
 *       copies that implies: the dueling head's recombination (its value and advantage streams
 *       come back, Q goes up; dQ comes back, the streams' gradients go up; their input gradients come
 *       back, their sum goes up) and Polyak averaging
 *       (τ &lt; 1: every parameter comes back and goes up again). With τ = 1 the target sync is a
 *       device copy.</li>
 *   <li><b>per op</b> (tests of the bare op set): every op uploads its inputs and downloads its
 *       outputs, so callers that never call {@code toHost}/{@code hostWrote} still see every
 *       result on the host.</li>
 * </ul>
 */
public final class OpenClBackend implements Backend {
    // The staging buffer slots (DeviceMemory.staging): one per kind of non-tensor data an op sends or reads back.
    private static final int ACTIONS = 0, ROW_LOSS = 1, ARGMAX = 2, BYTES = 3, PARTIAL_SUMS = 4, NO_GRAD_AVG = 5,
            NO_RMSPROP_MOMENTUM = 6, NO_SGD_MOMENTUM = 7, NEXT_ACTIONS = 8, REWARDS = 9, DISCOUNTS = 10, ROW_WEIGHTS = 11;

    private final String deviceName;
    private final cl_context context;
    private final cl_command_queue queue;
    private final Kernels kernels;
    private final DeviceMemory memory;
    private final boolean resident;
    private final Convolutions conv;                                     // which kernels the convolutions run
    private final int gemmVersion;                                       // gemm_vN of kernels/gemm.cl
    private final boolean gemmAuto;                                      // chosen for the device, not asked for
    private final GemmParams gemmParams;                                 // gemm_v2's or gemm_v3's sizes (build options)

    /** The three ways the convolutions can run; see {@code kernels/implicit_conv.cl} and {@code kernels/conv.cl}. */
    public enum Convolutions {
        /** Implicit GEMM on register tiles: im2col gathered while the tiles are loaded, no cols buffer ({@code implicit_conv.cl}). */
        IMPLICIT,
        /** im2col / col2im buffers around the gemm ({@code conv.cl}). */
        IM2COL,
        /** One output element per work-item ({@code conv.cl}). */
        DIRECT;

        /**
         * The choice of the system properties: {@code dqnengine.opencl.conv} = implicit, im2col or
         * direct; without it the older {@code dqnengine.opencl.im2col} (true: im2col, false:
         * direct); without either, implicit.
         */
        public static Convolutions fromSystemProperties() {
            String conv = System.getProperty("dqnengine.opencl.conv");
            if (conv != null) {
                try {
                    return valueOf(conv.trim().toUpperCase(java.util.Locale.ROOT));
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("dqnengine.opencl.conv must be implicit, im2col or direct, got " + conv);
                }
            }
            String im2col = System.getProperty("dqnengine.opencl.im2col");
            if (im2col != null) return Boolean.parseBoolean(im2col) ? IM2COL : DIRECT;
            return IMPLICIT;
        }
    }

    /**
     * Opens device {@code index} with resident tensors (what {@code --device opencl:N} uses) and
     * the convolutions {@link Convolutions#fromSystemProperties} names, implicit GEMM unless a
     * property asks otherwise: on PoCL it is the fastest of the three (README, "OpenCL").
     */
    public OpenClBackend(int index) { this(index, true, Convolutions.fromSystemProperties(), 0); }

    /**
     * Opens device {@code index} as numbered by {@link OpenCl#platforms()} (and the {@code devices}
     * command); {@code resident} keeps tensors on the device between ops (see the class comment);
     * {@code im2col} picks im2col (true) or direct (false) convolutions.
     */
    public OpenClBackend(int index, boolean resident, boolean im2col) { this(index, resident, im2col, 0); }

    /** As {@link #OpenClBackend(int, boolean, Convolutions, int)} with im2col (true) or direct (false) convolutions. */
    public OpenClBackend(int index, boolean resident, boolean im2col, int gemmVersion) {
        this(index, resident, im2col ? Convolutions.IM2COL : Convolutions.DIRECT, gemmVersion);
    }

    /** The newest version of the gemm kernel in {@code kernels/gemm.cl}. */
    public static final int GEMM_VERSIONS = 3;

    /**
     * Opens device {@code index} with resident tensors or not, the convolutions {@code conv}, and
     * version {@code gemmVersion} of the gemm kernel (1 to {@link #GEMM_VERSIONS}), or with 0 the one
     * for the device: the version of its tuned sizes ({@link GemmTuning}; without a cache
     * {@link GemmParams#defaultFor} the device's type), if the device runs that version's
     * work-groups, else version 1. The system property {@code dqnengine.opencl.gemm} replaces the 0.
     */
    public OpenClBackend(int index, boolean resident, Convolutions conv, int gemmVersion) { this(index, resident, conv, gemmVersion, null); }

    /** As {@link #OpenClBackend(int, boolean, Convolutions, int, GemmParams)} with im2col (true) or direct (false) convolutions. */
    public OpenClBackend(int index, boolean resident, boolean im2col, int gemmVersion, GemmParams gemmParams) {
        this(index, resident, im2col ? Convolutions.IM2COL : Convolutions.DIRECT, gemmVersion, gemmParams);
    }

    /**
     * As {@link #OpenClBackend(int, boolean, Convolutions, int)}, with the sizes {@code gemmParams} for
     * version 2 or 3 of the gemm kernel; null: the ones {@code devices --tune} cached for this device
     * and driver ({@link GemmTuning}), else {@link GemmParams#defaultFor} its type. Sizes for the other version
     * than the one asked for (2 or 3) are replaced by that version's defaults
     * ({@link GemmParams#DEFAULT}, {@link GemmParams#DEFAULT_V3}).
     */
    public OpenClBackend(int index, boolean resident, Convolutions conv, int gemmVersion, GemmParams gemmParams) {
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
        OpenCl.Device device = OpenCl.device(index);
        if (gemmParams == null) gemmParams = GemmTuning.cached(device.name(), OpenCl.driverVersion(device.id()));
        if (gemmParams == null) gemmParams = GemmParams.defaultFor(device.type());
        if (gemmVersion == 2 && gemmParams.version() != 2) gemmParams = GemmParams.DEFAULT;
        if (gemmVersion == 3 && gemmParams.version() != 3) gemmParams = GemmParams.DEFAULT_V3;
        this.gemmParams = gemmParams;
        // Everything that can fail once the context exists runs in this try, so that a device that
        // fails to start (a kernel that does not build, say) leaves no context, queue or program behind.
        cl_context ctx = null;
        cl_command_queue q = null;
        Kernels k = null;
        try {
            cl_context_properties props = new cl_context_properties();
            props.addProperty(CL.CL_CONTEXT_PLATFORM, device.platform());
            ctx = CL.clCreateContext(props, 1, new cl_device_id[] {device.id()}, null, null, null);
            q = CL.clCreateCommandQueueWithProperties(ctx, device.id(), new cl_queue_properties(), null);
            k = new Kernels(ctx, q, device, this.gemmParams.buildOptions());
            this.gemmVersion = gemmVersion != 0 ? gemmVersion : bestGemm(k, device);
            // implicit_conv.cl's kernels need 16x16 work-groups too; where they did not compile for them, im2col (name() says so)
            this.conv = conv == Convolutions.IMPLICIT && !implicitRuns(k, device) ? Convolutions.IM2COL : conv;
        } catch (RuntimeException e) {
            if (k != null) k.close();
            if (q != null) CL.clReleaseCommandQueue(q);
            if (ctx != null) CL.clReleaseContext(ctx);
            if (e instanceof CLException cl) {
                throw new OpenCl.UnavailableException("OpenCL device " + index + " failed to start: " + CL.stringFor_errorCode(cl.getStatus()));
            }
            throw e;
        }
        this.context = ctx;
        this.queue = q;
        this.kernels = k;
        this.memory = new DeviceMemory(context, queue, resident);
        this.deviceName = device.name();
        this.gemmAuto = gemmVersion == 0;
    }

    /** With implicit convolutions the ReLU is taken as the forward kernel writes y; otherwise the two ops run. */
    @Override
    public void conv2dForwardRelu(Conv2dShape g, Tensor x, Tensor w, Tensor b, Tensor y) {
        Checks.channelMajor(g, "the OpenCL backend");
        if (conv != Convolutions.IMPLICIT) {
            Backend.super.conv2dForwardRelu(g, x, w, b, y);             // the two ops
            return;
        }
        Checks.conv(g, x, w, b, y);
        implicitForward(g, x, w, b, y, true);
    }

    /** conv_forward_implicit: rows are output channels, columns (n, i, j); bias, and with {@code relu} the max, in its epilogue. */
    private void implicitForward(Conv2dShape g, Tensor x, Tensor w, Tensor b, Tensor y, boolean relu) {
        int np = g.batch() * g.outHeight() * g.outWidth();
        cl_mem X = memory.in(x), W = memory.in(w), B = memory.in(b), Y = memory.out(y);
        kernels.run("conv_forward_implicit", new long[] {roundUp(np, IG_BN) / IG_RN, roundUp(g.outChannels(), IG_BM) / IG_RM},
                new long[] {16, 16}, concat(withBatch(g), relu ? 1 : 0, X, W, B, Y));
        memory.wrote(y);
    }

    /** Whether every kernel of implicit_conv.cl compiled with work-groups of 16x16 on {@code device}. */
    private static boolean implicitRuns(Kernels kernels, OpenCl.Device device) {
        for (String k : new String[] {"conv_forward_implicit", "conv_backward_data_implicit", "conv_backward_weights_implicit"}) {
            if (kernels.workGroupSize(k, device.id()) < 256) return false;
        }
        return true;
    }

    /** The convolutions this backend runs (im2col where implicit ones were asked for and the device cannot run them). */
    public Convolutions convolutions() { return conv; }

    /** The version of the gemm kernel this backend runs. */
    public int gemmVersion() { return gemmVersion; }

    /** The sizes version 2 or 3 of the gemm kernel was built with (the one {@link #gemmVersion} names when that is 2 or 3). */
    public GemmParams gemmParams() { return gemmParams; }

    /** The version of the sizes if it compiled with their work-group size on {@code device}, else version 1 (16x16, runs anywhere). */
    private int bestGemm(Kernels kernels, OpenCl.Device device) {
        int v = gemmParams.version();
        return kernels.workGroupSize("gemm_v" + v, device.id()) >= gemmParams.workGroupSize() ? v : 1;
    }

    @Override
    public String name() {
        return "opencl (" + deviceName + (resident ? "" : ", per-op copies")
                + (conv == Convolutions.IMPLICIT ? "" : ", " + conv.name().toLowerCase(java.util.Locale.ROOT) + " convolutions")
                + ", gemm " + (gemmVersion == 3 ? gemmParams : "v" + gemmVersion + (gemmVersion == 2 && !gemmParams.equals(GemmParams.DEFAULT) ? " " + gemmParams : "")) + ")";
    }

    // ---------------------------------------------------------------- where tensors are

    @Override
    public void toHost(Tensor t) { memory.toHost(t); }

    @Override
    public boolean hostResident() { return !resident; }

    @Override
    public void hostWrote(Tensor t) { memory.hostWrote(t); }

    // ---------------------------------------------------------------- the op set

    @Override
    public void gemm(boolean transA, boolean transB, float alpha, Tensor a, Tensor b, float beta, Tensor c) {
        Checks.gemmShapes(transA, transB, a, b, c);
        deviceGemm(transA, transB, alpha, a, b, beta, c);
        memory.wrote(c);
    }

    private static long roundUp(int v, int to) { return (long) (v + to - 1) / to * to; }

    // The register tiles of kernels/implicit_conv.cl: IG_RM x IG_RN outputs per work-item, IG_BM x IG_BN per 16x16 work-group.
    private static final int IG_RM = 2, IG_RN = 8, IG_BM = 16 * IG_RM, IG_BN = 16 * IG_RN;

    /** Runs the gemm kernel and leaves C on the device, whatever the mode ({@link #gemm} adds the read-back). */
    private void deviceGemm(boolean transA, boolean transB, float alpha, Tensor a, Tensor b, float beta, Tensor c) {
        int m = c.dim(0), n = c.dim(1), k = transA ? a.dim(0) : a.dim(1);
        cl_mem A = memory.in(a), B = memory.in(b), C = beta == 0f ? memory.out(c) : memory.in(c);
        // v2's 64-row block (default tiles) would hold one useful row of a batch-1 product (acting): measured
        // twice as slow as v1 there on PoCL, so a short product takes v1 unless a version was asked for; and
        // so does a narrow one: the 6-action head's 32x6x512 ran at 0.61-0.92 GFLOP/s with v1, 0.22-0.28 with v2 (PoCL);
        // v3 keeps such products (fc2 at 0.6-2.2 GFLOP/s with v3 in scratch timings on PoCL, mostly 1.2-1.8)
        if (gemmVersion == 1 || (gemmAuto && gemmVersion == 2 && (m < 16 || n < 16))) {
            kernels.run("gemm_v1", new long[] {roundUp(n, 16), roundUp(m, 16)}, new long[] {16, 16},
                    m, n, k, transA ? 1 : 0, transB ? 1 : 0, alpha, A, B, beta, C);
        } else if (gemmVersion == 3) {                                   // wptM rows x (wptN vectors | wptN columns) per work-item
            GemmParams p = gemmParams;
            int cols = transB ? p.wptN() : p.wptN() * p.vw();
            kernels.run("gemm_v3", new long[] {roundUp((n + cols - 1) / cols, p.wg()), (m + p.wptM() - 1) / p.wptM()}, new long[] {p.wg(), 1},
                    m, n, k, transA ? 1 : 0, transB ? 1 : 0, alpha, A, B, beta, C);
        } else {                                                         // a BM x BN block of C per WG x WG work-group
            GemmParams p = gemmParams;
            kernels.run("gemm_v2", new long[] {roundUp(n, p.blockN()) / p.wptN(), roundUp(m, p.blockM()) / p.wptM()}, new long[] {p.wg(), p.wg()},
                    m, n, k, transA ? 1 : 0, transB ? 1 : 0, alpha, A, B, beta, C);
        }
        memory.leftOnDevice(c);
    }

    @Override
    public void addRowBias(Tensor y, Tensor bias) {
        int cols = y.dim(1);
        Checks.length(bias, cols, "addRowBias bias");
        cl_mem Y = memory.in(y), B = memory.in(bias);
        kernels.run1d("add_row_bias", y.size(), cols, Y, B);
        memory.wrote(y);
    }

    @Override
    public void sumRowsInto(Tensor dy, Tensor db) {
        int rows = dy.dim(0), cols = dy.dim(1);
        Checks.length(db, cols, "sumRowsInto db");
        cl_mem DY = memory.in(dy), DB = memory.in(db);
        kernels.run1d("sum_rows_into", cols, rows, cols, DY, DB);
        memory.wrote(db);
    }

    private Object[] geometry(Conv2dShape g) {
        return new Object[] {g.inChannels(), g.inHeight(), g.inWidth(), g.outChannels(), g.kernelH(), g.kernelW(), g.stride(),
                g.padding(), g.outHeight(), g.outWidth()};
    }

    /** The batch, then {@link #geometry}: the leading arguments of the kernels of implicit_conv.cl. */
    private Object[] withBatch(Conv2dShape g) { return concat(new Object[] {g.batch()}, geometry(g)); }

    private static Object[] concat(Object[] a, Object... b) {
        Object[] all = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }

    private Tensor im2colOf(Conv2dShape g, Tensor x) {
        int k = g.inChannels() * g.kernelH() * g.kernelW(), np = g.batch() * g.outHeight() * g.outWidth();
        Tensor cols = memory.work("cols", k, np);
        cl_mem X = memory.in(x), COLS = memory.out(cols);
        kernels.run1d("im2col", cols.size(), g.batch(), g.inChannels(), g.inHeight(), g.inWidth(), g.kernelH(), g.kernelW(), g.stride(),
                g.padding(), g.outHeight(), g.outWidth(), X, COLS);
        memory.leftOnDevice(cols);
        return cols;
    }

    private Tensor rowsOf(Conv2dShape g, Tensor dy) {
        int p = g.outHeight() * g.outWidth();
        Tensor rows = memory.work("rows", g.outChannels(), g.batch() * p);
        cl_mem DY = memory.in(dy), R = memory.out(rows);
        kernels.run1d("nchw_to_rows", dy.size(), g.batch(), g.outChannels(), p, DY, R);
        memory.leftOnDevice(rows);
        return rows;
    }

    @Override
    public void conv2dForward(Conv2dShape g, Tensor x, Tensor w, Tensor b, Tensor y) {
        Checks.channelMajor(g, "the OpenCL backend");
        Checks.conv(g, x, w, b, y);
        if (conv == Convolutions.IMPLICIT) {
            implicitForward(g, x, w, b, y, false);
            return;
        }
        if (conv == Convolutions.IM2COL) {
            int p = g.outHeight() * g.outWidth(), k = g.inChannels() * g.kernelH() * g.kernelW();
            Tensor cols = im2colOf(g, x), rows = memory.work("yrows", g.outChannels(), g.batch() * p);
            deviceGemm(false, false, 1f, w.reshape(g.outChannels(), k), cols, 0f, rows);
            cl_mem R = memory.in(rows), B = memory.in(b), Y = memory.out(y);
            kernels.run1d("rows_to_nchw_bias", y.size(), g.batch(), g.outChannels(), p, R, B, Y);
            memory.wrote(y);
            return;
        }
        cl_mem X = memory.in(x), W = memory.in(w), B = memory.in(b), Y = memory.out(y);
        kernels.run1d("conv_forward", y.size(), concat(geometry(g), X, W, B, Y));
        memory.wrote(y);
    }

    @Override
    public void conv2dBackwardData(Conv2dShape g, Tensor dy, Tensor w, Tensor dx) {
        Checks.channelMajor(g, "the OpenCL backend");
        Checks.convBackwardData(g, dy, w, dx);
        if (conv == Convolutions.IMPLICIT) {                             // rows (stride phase, c), columns (n, u, v)
            int s = g.stride(), pad = g.padding();
            int cols = g.batch() * ((g.inHeight() + pad + s - 1) / s) * ((g.inWidth() + pad + s - 1) / s);
            cl_mem DY = memory.in(dy), W = memory.in(w), DX = memory.out(dx);
            kernels.run("conv_backward_data_implicit", new long[] {roundUp(cols, IG_BN) / IG_RN, roundUp(s * s * g.inChannels(), IG_BM) / IG_RM},
                    new long[] {16, 16}, concat(withBatch(g), DY, W, DX));
            memory.wrote(dx);
            return;
        }
        if (conv == Convolutions.IM2COL) {
            int k = g.inChannels() * g.kernelH() * g.kernelW(), np = g.batch() * g.outHeight() * g.outWidth();
            Tensor rows = rowsOf(g, dy), dcols = memory.work("dcols", k, np);
            deviceGemm(true, false, 1f, w.reshape(g.outChannels(), k), rows, 0f, dcols);
            cl_mem DC = memory.in(dcols), DX = memory.out(dx);
            kernels.run1d("col2im", dx.size(), g.batch(), g.inChannels(), g.inHeight(), g.inWidth(), g.kernelH(), g.kernelW(), g.stride(),
                    g.padding(), g.outHeight(), g.outWidth(), DC, DX);
            memory.wrote(dx);
            return;
        }
        cl_mem DY = memory.in(dy), W = memory.in(w), DX = memory.out(dx);
        kernels.run1d("conv_backward_data", dx.size(), concat(geometry(g), DY, W, DX));
        memory.wrote(dx);
    }

    @Override
    public void conv2dBackwardWeights(Conv2dShape g, Tensor x, Tensor dy, Tensor dw, Tensor db) {
        Checks.channelMajor(g, "the OpenCL backend");
        Checks.convBackwardWeights(g, x, dy, dw, db);
        if (conv == Convolutions.IMPLICIT) {                             // rows: output channels, columns: (c, p, q)
            int k = g.inChannels() * g.kernelH() * g.kernelW();
            cl_mem X = memory.in(x), DY = memory.in(dy), DW = memory.in(dw), DB = memory.in(db);
            kernels.run("conv_backward_weights_implicit", new long[] {roundUp(k, IG_BN) / IG_RN, roundUp(g.outChannels(), IG_BM) / IG_RM},
                    new long[] {16, 16}, concat(withBatch(g), X, DY, DW));
            kernels.run1d("conv_backward_bias", db.size(), g.batch(), g.outChannels(), g.outHeight(), g.outWidth(), DY, DB);
            memory.wrote(dw, db);
            return;
        }
        if (conv == Convolutions.IM2COL) {
            int k = g.inChannels() * g.kernelH() * g.kernelW();
            Tensor cols = im2colOf(g, x), rows = rowsOf(g, dy);
            Tensor dwRows = dw.reshape(g.outChannels(), k);                 // shares dw's array, so its mirror too
            deviceGemm(false, true, 1f, rows, cols, 1f, dwRows);
            cl_mem DY = memory.in(dy), DB = memory.in(db);
            kernels.run1d("conv_backward_bias", db.size(), g.batch(), g.outChannels(), g.outHeight(), g.outWidth(), DY, DB);
            memory.wrote(dw, db);
            return;
        }
        cl_mem X = memory.in(x), DY = memory.in(dy), DW = memory.in(dw), DB = memory.in(db);
        Object[] args = concat(new Object[] {g.batch()}, geometry(g));
        kernels.run1d("conv_backward_weights", dw.size(), concat(args, X, DY, DW));
        kernels.run1d("conv_backward_bias", db.size(), g.batch(), g.outChannels(), g.outHeight(), g.outWidth(), DY, DB);
        memory.wrote(dw, db);
    }

    @Override
    public void reluForward(Tensor x, Tensor y) {
        Tensor.requireSameShape(x, y, "reluForward");
        cl_mem X = memory.in(x), Y = memory.out(y);
        kernels.run1d("relu_forward", x.size(), X, Y);
        memory.wrote(y);
    }

    @Override
    public void reluBackward(Tensor y, Tensor dy, Tensor dx) {
        Tensor.requireSameShape(y, dy, "reluBackward");
        Tensor.requireSameShape(y, dx, "reluBackward");
        cl_mem Y = memory.in(y), DY = memory.in(dy), DX = memory.out(dx);
        kernels.run1d("relu_backward", y.size(), Y, DY, DX);
        memory.wrote(dx);
    }

    @Override
    public float gatheredLoss(LossKind kind, float delta, Tensor q, int[] actions, Tensor target, Tensor dq) {
        Checks.gathered(q, actions, target, dq);
        int n = q.dim(0), a = q.dim(1);
        cl_mem Q = memory.in(q), ACT = memory.upload(ACTIONS, actions, n), T = memory.in(target), DQ = memory.out(dq),
                L = memory.staging(ROW_LOSS, (long) n * Sizeof.cl_float);
        kernels.run1d("gathered_loss", n, a, n, kind == LossKind.MSE ? 1 : 0, delta, Q, ACT, T, DQ, L);
        memory.wrote(dq);
        float[] rowLoss = new float[n];                      // the n per-row losses come back; their mean is taken here, in double
        memory.read(L, rowLoss);
        double total = 0;
        for (float l : rowLoss) total += l;
        return (float) (total / n);
    }

    @Override
    public void rowMax(Tensor q, Tensor max, int[] argmax) {
        int n = q.dim(0), a = q.dim(1);
        Checks.rowMax(q, max, argmax);
        cl_mem Q = memory.in(q), M = memory.out(max), AM = memory.staging(ARGMAX, (long) n * Sizeof.cl_int);
        kernels.run1d("row_max", n, a, Q, M, AM);
        memory.wrote(max);
        if (argmax != null) memory.read(AM, argmax, n);
    }

    @Override
    public void tdTarget(Tensor nextQ, int[] nextActions, float[] rewards, float[] discounts, Tensor target) {
        int n = nextQ.dim(0), a = nextQ.dim(1);
        Checks.tdTarget(nextQ, nextActions, rewards, discounts, target);
        cl_mem Q = memory.in(nextQ), ACT = nextActions == null ? memory.staging(NEXT_ACTIONS, 4) : memory.upload(NEXT_ACTIONS, nextActions, n);
        cl_mem R = memory.staging(REWARDS, (long) n * Sizeof.cl_float), D = memory.staging(DISCOUNTS, (long) n * Sizeof.cl_float),
                T = memory.out(target);
        memory.write(R, rewards, n);
        memory.write(D, discounts, n);
        kernels.run1d("td_target", n, a, nextActions == null ? 0 : 1, Q, ACT, R, D, T);
        memory.wrote(target);
    }

    @Override
    public void u8ToFloat(byte[] src, int offset, float scale, Tensor dst) {
        int n = dst.size();
        if (offset < 0 || offset + n > src.length) throw new IllegalArgumentException("u8ToFloat: source too short");
        cl_mem S = memory.staging(BYTES, n);                 // only the bytes cross to the device
        memory.write(S, src, offset, n);
        cl_mem D = memory.out(dst);
        kernels.run1d("u8_to_float", n, S, scale, D);
        memory.wrote(dst);
    }

    @Override
    public double sumOfSquares(Tensor t) {
        int groups = (int) Math.min(1024, Math.max(1, t.size()));
        cl_mem T = memory.in(t), P = memory.staging(PARTIAL_SUMS, (long) groups * Sizeof.cl_float);
        kernels.run1d("sum_of_squares", groups, t.size(), T, P);
        float[] partial = new float[groups];
        memory.read(P, partial);
        double s = 0;
        for (float v : partial) s += v;
        return s;
    }

    @Override
    public void scale(Tensor t, float s) {
        cl_mem T = memory.in(t);
        kernels.run1d("scale", t.size(), T, s);
        memory.wrote(t);
    }

    @Override
    public void scaleRows(Tensor t, float[] w) {
        Checks.scaleRows(t, w);
        int n = t.dim(0);
        cl_mem T = memory.in(t), W = memory.staging(ROW_WEIGHTS, (long) Math.max(1, n) * Sizeof.cl_float);
        memory.write(W, w, n);
        kernels.run1d("scale_rows", t.size(), t.dim(1), T, W);
        memory.wrote(t);
    }

    @Override
    public void copy(Tensor src, Tensor dst) {
        Tensor.requireSameShape(src, dst, "copy");
        cl_mem S = memory.in(src), D = memory.out(dst);
        memory.copy(S, D, src.size());
        memory.wrote(dst);
    }

    @Override
    public void fill(Tensor t, float value) {
        cl_mem T = memory.out(t);
        kernels.run1d("fill", t.size(), T, value);
        memory.wrote(t);
    }

    @Override
    public void adamUpdate(Tensor p, Tensor g, Tensor m, Tensor v, float lr, float beta1, float beta2, float eps, long step) {
        Checks.sameShapes("adamUpdate", p, g, m, v);
        float bias1 = (float) (1 - Math.pow(beta1, step)), bias2 = (float) (1 - Math.pow(beta2, step));
        cl_mem P = memory.in(p), G = memory.in(g), M = memory.in(m), V = memory.in(v);
        kernels.run1d("adam", p.size(), P, G, M, V, lr, beta1, beta2, eps, bias1, bias2);
        memory.wrote(p, m, v);
    }

    @Override
    public void rmsPropUpdate(Tensor p, Tensor g, Tensor squareAvg, Tensor gradAvg, Tensor momentumBuf,
                              float lr, float alpha, float eps, float momentum, boolean epsInsideSqrt) {
        Checks.sameShapes("rmsPropUpdate", p, g, squareAvg);
        boolean centred = gradAvg != null, useMomentum = momentumBuf != null && momentum != 0f;
        cl_mem P = memory.in(p), G = memory.in(g), S = memory.in(squareAvg);
        cl_mem GA = centred ? memory.in(gradAvg) : memory.staging(NO_GRAD_AVG, 4),
                B = useMomentum ? memory.in(momentumBuf) : memory.staging(NO_RMSPROP_MOMENTUM, 4);
        kernels.run1d("rmsprop", p.size(), P, G, S, GA, B, centred ? 1 : 0, useMomentum ? 1 : 0, lr, alpha, eps, momentum, epsInsideSqrt ? 1 : 0);
        memory.wrote(p, squareAvg);
        if (centred) memory.wrote(gradAvg);
        if (useMomentum) memory.wrote(momentumBuf);
    }

    @Override
    public void sgdUpdate(Tensor p, Tensor g, Tensor momentumBuf, float lr, float momentum) {
        Checks.sameShapes("sgdUpdate", p, g);
        boolean useMomentum = momentumBuf != null && momentum != 0f;
        cl_mem P = memory.in(p), G = memory.in(g), B = useMomentum ? memory.in(momentumBuf) : memory.staging(NO_SGD_MOMENTUM, 4);
        kernels.run1d("sgd", p.size(), P, G, B, useMomentum ? 1 : 0, lr, momentum);
        memory.wrote(p);
        if (useMomentum) memory.wrote(momentumBuf);
    }

    @Override
    public void close() {
        kernels.close();
        memory.close();
        CL.clReleaseCommandQueue(queue);
        CL.clReleaseContext(context);
    }
}
