package dqnengine.backend.cpu;

import dqnengine.backend.Checks;
import dqnengine.backend.Conv2dShape;
import dqnengine.tensor.Tensor;

import java.util.Arrays;

/**
 * The fast CPU backend: matrix products go through one blocked, multithreaded GEMM
 * ({@link PackedGemm}), except A·Bᵀ (a linear layer's forward pass): with A's rows a whole
 * number of lane blocks up to 64 (a batch of 32 or 64) the rows are the vector lanes
 * ({@link BroadcastGemm}); with other counts up to {@code DOT_MAX_ROWS} = 64 (acting's one row)
 * it runs as dot products with no packing ({@link VectorDot}) when the vector kernels are on and
 * K is at least one vector; unpadded
 * convolutions with channel counts in multiples of half the direct kernel's lanes (every Nature
 * DQN layer) run as direct convolutions ({@link DirectConv}); A·B with a short A and a B that
 * fits in cache reads B in place ({@link StreamedGemm}, 512-bit vectors only), and with one block
 * of rows as A (a batch of 32) and a B past the cache, row by row ({@link OuterProductGemm}, 512-bit
 * vectors only); the optimizer
 * passes run in parallel chunks; {@link #runBoth} runs two independent pieces of a step at once
 * on two half-size backends of its own. The operations not overridden here are cheap (a few thousand elements per
 * step) and come from {@link ReferenceBackend}.
 *
 * <p>Every other convolution is a product, with P = N·OH·OW output pixels and K = C·KH·KW:
 * <pre>
 *   forward:          Y[O,P]  = W[O,K] · cols(x)[K,P]           then Y → y (NCHW) + bias
 *   backward-data:    dcols[K,P] = Wᵀ[K,O] · dY[O,P]            then col2im(dcols) → dx
 *   backward-weights: dW[O,K] += dY[O,P] · cols(x)ᵀ[P,K]        db[o] += Σ dY[o,·]
 * </pre>
 * cols(x) is never stored: the GEMM packs it straight from x ({@link Operands.Im2col}).
 *
 * <p>Not thread-safe: one thread at a time drives a backend (the training thread, or for a half
 * backend the team thread that runs that piece of {@link #runBoth}); the backend drives its own team.
 * All work buffers grow to the largest shape seen and are reused, so a steady training loop
 * allocates nothing here.
 */
public final class FastCpuBackend extends ReferenceBackend {
    private static final int CHUNK = 1 << 14;       // elements per task for element-wise passes

    private final ThreadTeam team;
    private final PackedGemm gemm;
    private final String kernelName;
    private final Operands.Dense denseA = new Operands.Dense(), denseB = new Operands.Dense();
    private final Operands.Im2col im2col;
    private final Operands.Im2colTransposed im2colT;
    private final Operands.ChannelMajor dyLeft, dyRight;
    private final DirectConv direct;
    private final Elementwise elementwise;
    private final boolean dotProducts;              // the vector kernels are on: A·Bᵀ with a short A as dot products
    private float[] product = new float[0];         // Y or dcols, [rows, P]
    private final MicroKernel microKernel;
    private final BroadcastKernel broadcastKernel;
    private final StreamedGemm.Kernel streamedKernel;
    private final StreamedGemm streamed;            // A·B with a short A and a B that fits in cache, B unpacked (512-bit vectors only)
    private final BroadcastGemm broadcastGemm;      // A·Bᵀ with A's rows (a batch of 32 or 64) as the lanes
    private final OuterProductGemm.Kernel outerKernel;
    private final OuterProductGemm outer;           // A·B with a batch of 32 as A and a B past the cache, B read row by row (512-bit vectors only)

    public FastCpuBackend(int threads) {
        this(threads, VectorSupport.bestKernel(), VectorSupport.bestBroadcastKernel(), VectorSupport.bestElementwise());
    }

    FastCpuBackend(int threads, MicroKernel kernel, BroadcastKernel broadcastKernel, Elementwise elementwise) {
        this(threads, kernel, broadcastKernel, elementwise,
                kernel instanceof VectorMicroKernel && VectorSupport.vectorBits() >= 512 ? new StreamedGemm.Vector() : null);
    }

    /**
     * @param streamedKernel the kernel of {@link StreamedGemm}, or null to send those products to the packed GEMM; the
     *                       products with a B past the cache ({@link OuterProductGemm}) take the matching kernel of
     *                       their own (the vector one beside {@link StreamedGemm.Vector}, the plain loop beside any other)
     */
    FastCpuBackend(int threads, MicroKernel kernel, BroadcastKernel broadcastKernel, Elementwise elementwise, StreamedGemm.Kernel streamedKernel) {
        this(threads, kernel, broadcastKernel, elementwise, streamedKernel, streamedKernel == null ? null
                : streamedKernel instanceof StreamedGemm.Vector ? new OuterProductGemm.Vector() : new OuterProductGemm.Scalar());
    }

    /** @param outerKernel the kernel of {@link OuterProductGemm}, or null to send those products to the packed GEMM */
    FastCpuBackend(int threads, MicroKernel kernel, BroadcastKernel broadcastKernel, Elementwise elementwise, StreamedGemm.Kernel streamedKernel,
                   OuterProductGemm.Kernel outerKernel) {
        this.microKernel = kernel;
        this.streamedKernel = streamedKernel;
        this.broadcastKernel = broadcastKernel;
        this.elementwise = elementwise;
        this.dotProducts = kernel instanceof VectorMicroKernel;
        this.team = new ThreadTeam(threads);
        this.gemm = new PackedGemm(team, kernel);
        this.streamed = streamedKernel == null ? null : new StreamedGemm(team, streamedKernel);
        this.outerKernel = outerKernel;
        this.outer = outerKernel == null ? null : new OuterProductGemm(team, outerKernel, OuterProductGemm.GROUP);
        this.direct = new DirectConv(team, broadcastKernel, elementwise);
        this.broadcastGemm = new BroadcastGemm(team, broadcastKernel);
        if (kernel instanceof VectorMicroKernel) VectorSupport.firstUse();
        this.kernelName = kernel instanceof VectorMicroKernel ? "vector" : "scalar";
        this.im2col = new Operands.Im2col(threads);
        this.im2colT = new Operands.Im2colTransposed(threads);
        this.dyLeft = new Operands.ChannelMajor(threads);
        this.dyRight = new Operands.ChannelMajor(threads);
    }

    @Override
    public String name() { return "cpu (" + team.size() + " threads, " + kernelName + " kernel)"; }

    private float[] productBuffer(int size) {
        if (product.length < size) product = new float[size];
        return product;
    }

    // ---------------------------------------------------------------- matrix products

    /** A·Bᵀ with at most this many rows in A, and not taken by {@link BroadcastGemm}, goes to {@link VectorDot}: no packing of B, which few rows cannot repay. */
    static final int DOT_MAX_ROWS = 64;
    /** Columns of C per task of the dot-product path. */
    private static final int DOT_COLUMNS_PER_TASK = 24;

    private final ThreadTeam.Job dotJob = this::dotColumns;
    private float[] dA, dB, dC;
    private int dM, dN, dK;
    private float dAlpha, dBeta;

    @Override
    public void gemm(boolean transA, boolean transB, float alpha, Tensor a, Tensor b, float beta, Tensor c) {
        Checks.gemmShapes(transA, transB, a, b, c);
        int m = c.dim(0), n = c.dim(1), k = transA ? a.dim(0) : a.dim(1);
        if (BroadcastGemm.applies(transA, transB, m, n, k)) {
            broadcastGemm.multiply(m, n, k, alpha, a.data, b.data, beta, c.data);
            return;
        }
        if (!transA && transB && dotProducts && m <= DOT_MAX_ROWS && k >= VectorSupport.LANES) {
            dA = a.data;
            dB = b.data;
            dC = c.data;
            dM = m;
            dN = n;
            dK = k;
            dAlpha = alpha;
            dBeta = beta;
            team.run((n + DOT_COLUMNS_PER_TASK - 1) / DOT_COLUMNS_PER_TASK, dotJob);
            dA = dB = dC = null;
            return;
        }
        if (outer != null && OuterProductGemm.applies(transA, transB, m, n, k)) {
            outer.multiply(m, n, k, alpha, a.data, b.data, beta, c.data);
            return;
        }
        if (streamed != null && StreamedGemm.applies(transA, transB, m, n, k)) {
            streamed.multiply(m, n, k, alpha, a.data, b.data, beta, c.data);
            return;
        }
        gemm.multiply(m, n, k, alpha, denseA.set(a.data, 0, a.dim(1), transA), denseB.set(b.data, 0, b.dim(1), transB),
                beta, c.data, 0, n);
    }

    private void dotColumns(int task, int worker) {
        int j0 = task * DOT_COLUMNS_PER_TASK, j1 = Math.min(dN, j0 + DOT_COLUMNS_PER_TASK);
        VectorDot.columns(dM, dK, dAlpha, dA, dK, dB, dK, dBeta, dC, dN, j0, j1);
    }

    // ---------------------------------------------------------------- convolution

    private final ThreadTeam.Job scatterJob = this::scatterImage;
    private final ThreadTeam.Job col2imJob = this::col2imPlane;
    private Conv2dShape g;
    private float[] xData, yData, bData, dxData;

    /**
     * Pixel-major between two direct convolutions (the Nature network's conv1 and conv2), unless
     * {@code -Ddqn.pixelMajor=false}: conv1 then writes its output and conv2 its input gradient
     * a pixel's channels at a time, and conv1's weight gradient reads that gradient as it lies
     * (see {@link Conv2dShape}). Not for a producer whose own input is pixel-major (conv2 to conv3):
     * its input gradient would then read a pixel-major dy by rows, which no kernel here does.
     */
    @Override
    public boolean pixelMajorBetween(Conv2dShape producer, Conv2dShape consumer) {
        return PIXEL_MAJOR && !producer.pixelMajorIn() && !consumer.pixelMajorOut()
                && DirectConv.applies(producer) && DirectConv.applies(consumer) && DirectConv.appliesToData(consumer)
                && !direct.byPixelRows(producer.withLayouts(false, false)) && !direct.byPixelRows(consumer.withLayouts(false, false));
    }

    /** Whether {@link #pixelMajorBetween} may say yes: {@code -Ddqn.pixelMajor=false} keeps every activation channel-major, to compare. */
    static final boolean PIXEL_MAJOR = !"false".equals(System.getProperty("dqn.pixelMajor"));

    @Override
    public void conv2dForward(Conv2dShape g, Tensor x, Tensor w, Tensor b, Tensor y) {
        Checks.conv(g, x, w, b, y);
        if (DirectConv.applies(g)) {
            direct.forward(g, x.data, w.data, b.data, y.data);
            return;
        }
        if (g.pixelMajorIn() || g.pixelMajorOut()) {                 // the reference's loops read either layout
            super.conv2dForward(g, x, w, b, y);
            return;
        }
        int O = g.outChannels(), K = g.inChannels() * g.kernelH() * g.kernelW();
        int P = g.batch() * g.outHeight() * g.outWidth();
        float[] yAll = productBuffer(O * P);
        gemm.multiply(O, P, K, 1f, denseA.set(w.data, 0, K, false), im2col.set(x.data, g), 0f, yAll, 0, P);
        this.g = g;
        this.yData = y.data;
        this.bData = b.data;
        team.run(g.batch(), scatterJob);
        this.yData = this.bData = null;
    }

    /** y[n, o, ·] = Y[o, n·OHW …] + b[o] for one image n. */
    private void scatterImage(int n, int worker) {
        int O = g.outChannels(), ohw = g.outHeight() * g.outWidth(), P = g.batch() * ohw;
        for (int o = 0; o < O; o++) {
            int src = o * P + n * ohw, dst = (n * O + o) * ohw;
            float bias = bData[o];
            for (int i = 0; i < ohw; i++) yData[dst + i] = product[src + i] + bias;
        }
    }

    /** The direct convolutions take the max on each tile before writing it (y written once); the im2col path runs the two ops. */
    @Override
    public void conv2dForwardRelu(Conv2dShape g, Tensor x, Tensor w, Tensor b, Tensor y) {
        if (!DirectConv.applies(g)) {
            super.conv2dForwardRelu(g, x, w, b, y);
            return;
        }
        Checks.conv(g, x, w, b, y);
        direct.forward(g, x.data, w.data, b.data, y.data, true);
    }

    /** The direct convolution masks each task's images of dx as soon as they are summed; the im2col path runs the two ops. */
    @Override
    public void conv2dBackwardDataRelu(Conv2dShape g, Tensor dy, Tensor w, Tensor reluOutput, Tensor dx) {
        if (!DirectConv.appliesToData(g)) {
            super.conv2dBackwardDataRelu(g, dy, w, reluOutput, dx);
            return;
        }
        Checks.convBackwardData(g, dy, w, dx);
        Tensor.requireSameShape(reluOutput, dx, "conv2dBackwardDataRelu");
        direct.dataGradient(g, dy.data, w.data, dx.data, reluOutput.data);
    }

    @Override
    public void conv2dBackwardData(Conv2dShape g, Tensor dy, Tensor w, Tensor dx) {
        Checks.convBackwardData(g, dy, w, dx);
        if (DirectConv.appliesToData(g)) {
            direct.dataGradient(g, dy.data, w.data, dx.data);
            return;
        }
        if (g.pixelMajorIn() || g.pixelMajorOut()) {
            super.conv2dBackwardData(g, dy, w, dx);
            return;
        }
        int O = g.outChannels(), K = g.inChannels() * g.kernelH() * g.kernelW();
        int ohw = g.outHeight() * g.outWidth(), P = g.batch() * ohw;
        float[] dcols = productBuffer(K * P);
        gemm.multiply(K, P, O, 1f, denseA.set(w.data, 0, K, true), dyRight.set(dy.data, O, ohw), 0f, dcols, 0, P);
        this.g = g;
        this.dxData = dx.data;
        team.run(g.batch() * g.inChannels(), col2imJob);
        this.dxData = null;
    }

    /** dx[n, c, ·, ·] = Σ over (p, q, i, j) of dcols[(c,p,q), (n,i,j)], for one plane (n, c). */
    private void col2imPlane(int plane, int worker) {
        int C = g.inChannels(), H = g.inHeight(), W = g.inWidth(), KH = g.kernelH(), KW = g.kernelW();
        int s = g.stride(), pad = g.padding(), OH = g.outHeight(), OW = g.outWidth(), ohw = OH * OW;
        int n = plane / C, c = plane - n * C, P = g.batch() * ohw;
        int dxBase = plane * H * W;
        Arrays.fill(dxData, dxBase, dxBase + H * W, 0f);
        for (int p = 0; p < KH; p++) {
            for (int q = 0; q < KW; q++) {
                int row = ((c * KH + p) * KW + q) * P + n * ohw;
                for (int i = 0; i < OH; i++) {
                    int h = i * s - pad + p;
                    if (h < 0 || h >= H) continue;
                    int src = row + i * OW, dst = dxBase + h * W - pad + q;
                    for (int j = 0; j < OW; j++) {
                        int v = j * s - pad + q;
                        if (v >= 0 && v < W) dxData[dst + j * s] += product[src + j];
                    }
                }
            }
        }
    }

    @Override
    public void conv2dBackwardWeights(Conv2dShape g, Tensor x, Tensor dy, Tensor dw, Tensor db) {
        Checks.convBackwardWeights(g, x, dy, dw, db);
        int O = g.outChannels(), K = g.inChannels() * g.kernelH() * g.kernelW();
        int ohw = g.outHeight() * g.outWidth(), P = g.batch() * ohw;
        if (DirectConv.applies(g)) {
            direct.weightGradient(g, x.data, dy.data, dw.data, db.data);
            return;
        }
        if (g.pixelMajorIn() || g.pixelMajorOut()) {
            super.conv2dBackwardWeights(g, x, dy, dw, db);
            return;
        }
        gemm.multiply(O, K, P, 1f, dyLeft.set(dy.data, O, ohw), im2colT.set(x.data, g), 1f, dw.data, 0, K);
        for (int n = 0; n < g.batch(); n++) {
            for (int o = 0; o < O; o++) {
                int src = (n * O + o) * ohw;
                float sum = 0f;
                for (int i = 0; i < ohw; i++) sum += dy.data[src + i];
                db.data[o] += sum;
            }
        }
    }

    // ---------------------------------------------------------------- element-wise passes

    private final ThreadTeam.Job reluJob = this::reluChunk, reluGradJob = this::reluGradChunk, fillJob = this::fillChunk;
    private float[] eX, eY, eDy;
    private float fillValue;

    private static int chunks(int length) { return (length + CHUNK - 1) / CHUNK; }

    @Override
    public void reluForward(Tensor x, Tensor y) {
        Tensor.requireSameShape(x, y, "reluForward");
        eX = x.data;
        eY = y.data;
        length = x.size();
        team.run(chunks(length), reluJob);
        eX = eY = null;
    }

    private void reluChunk(int chunk, int worker) {
        elementwise.relu(eX, eY, chunk * CHUNK, Math.min(length, (chunk + 1) * CHUNK));
    }

    @Override
    public void reluBackward(Tensor y, Tensor dy, Tensor dx) {
        Tensor.requireSameShape(y, dy, "reluBackward");
        Tensor.requireSameShape(y, dx, "reluBackward");
        eY = y.data;
        eDy = dy.data;
        eX = dx.data;
        length = y.size();
        team.run(chunks(length), reluGradJob);
        eX = eY = eDy = null;
    }

    private void reluGradChunk(int chunk, int worker) {
        elementwise.reluGrad(eY, eDy, eX, chunk * CHUNK, Math.min(length, (chunk + 1) * CHUNK));
    }

    @Override
    public void fill(Tensor t, float value) {
        if (t.size() <= CHUNK) {
            t.fill(value);
            return;
        }
        eY = t.data;
        fillValue = value;
        length = t.size();
        team.run(chunks(length), fillJob);
        eY = null;
    }

    private void fillChunk(int chunk, int worker) {
        Arrays.fill(eY, chunk * CHUNK, Math.min(length, (chunk + 1) * CHUNK), fillValue);
    }

    // ---------------------------------------------------------------- optimizer updates

    private final ThreadTeam.Job adamJob = this::adamChunk;
    private float[] pD, gD, mD, vD;
    private float lr, beta1, beta2, eps, stepSize, invSqrtBias2;
    private int length;

    @Override
    public void adamUpdate(Tensor p, Tensor g, Tensor m, Tensor v, float lr, float beta1, float beta2, float eps, long step) {
        Checks.sameShapes("adamUpdate", p, g, m, v);
        this.pD = p.data;
        this.gD = g.data;
        this.mD = m.data;
        this.vD = v.data;
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = eps;
        // θ −= lr·m̂/(√v̂ + ε) with m̂ = m/(1−β₁ᵗ), √v̂ = √v/√(1−β₂ᵗ)
        this.stepSize = (float) (lr / (1 - Math.pow(beta1, step)));
        this.invSqrtBias2 = (float) (1 / Math.sqrt(1 - Math.pow(beta2, step)));
        this.length = p.size();
        team.run((length + CHUNK - 1) / CHUNK, adamJob);
        pD = gD = mD = vD = null;
    }

    private void adamChunk(int chunk, int worker) {
        int from = chunk * CHUNK, to = Math.min(length, from + CHUNK);
        elementwise.adam(pD, gD, mD, vD, beta1, beta2, eps, stepSize, invSqrtBias2, from, to);
    }

    private final ThreadTeam.Job rmsPropJob = this::rmsPropChunk;
    private float[] sD, gaD, bufD;
    private float alpha, momentum;
    private boolean epsInsideSqrt;

    @Override
    public void rmsPropUpdate(Tensor p, Tensor g, Tensor squareAvg, Tensor gradAvg, Tensor momentumBuf,
                              float lr, float alpha, float eps, float momentum, boolean epsInsideSqrt) {
        Checks.sameShapes("rmsPropUpdate", p, g, squareAvg);
        this.pD = p.data;
        this.gD = g.data;
        this.sD = squareAvg.data;
        this.gaD = gradAvg == null ? null : gradAvg.data;
        this.bufD = momentumBuf == null || momentum == 0f ? null : momentumBuf.data;
        this.lr = lr;
        this.alpha = alpha;
        this.eps = eps;
        this.momentum = momentum;
        this.epsInsideSqrt = epsInsideSqrt;
        this.length = p.size();
        team.run((length + CHUNK - 1) / CHUNK, rmsPropJob);
        pD = gD = sD = gaD = bufD = null;
    }

    /** The same update as {@link ReferenceBackend#rmsPropUpdate}, on one chunk. */
    private void rmsPropChunk(int chunk, int worker) {
        int from = chunk * CHUNK, to = Math.min(length, from + CHUNK);
        elementwise.rmsProp(pD, gD, sD, gaD, bufD, lr, alpha, eps, momentum, epsInsideSqrt, from, to);
    }

    // ---------------------------------------------------------------- independent work

    /**
     * Whether {@link #runBoth} runs its two pieces at the same time (the default) or one after the
     * other: {@code -Ddqnengine.cpu.runBoth=sequential}, read when the backend is made. The results
     * are the same bit for bit (every op here sums in an order that does not depend on the thread
     * count).
     */
    private final boolean concurrent = !"sequential".equals(System.getProperty("dqnengine.cpu.runBoth", "concurrent"));

    private FastCpuBackend[] halves;                // runBoth's two backends, made on first use
    private Work firstWork, secondWork;
    private final ThreadTeam.Job bothJob = (task, worker) -> (task == 0 ? firstWork : secondWork).run(halves[task]);

    /**
     * With two threads or more, the two pieces run at once, each on a backend of its own with half
     * of the threads (one each on two cores) and its own work buffers: no op is split across cores,
     * so none waits for the other core at its end. Measured on two threads, A/B in one JVM against
     * {@code sequential} (bit-identical weights after every run): MinAtar's train step 0.86–0.88×
     * (both forward passes and the linear layers' gradients), the Nature step 0.96–1.02× (within
     * this host's noise: its ops already keep both cores busy). If the second core is late (busy
     * with another process), the calling thread runs both pieces, one after the other.
     */
    @Override
    public void runBoth(Work first, Work second) {
        if (team.size() < 2 || !concurrent) {
            first.run(this);
            second.run(this);
            return;
        }
        if (firstWork != null) {
            // a piece that issued ops on this backend instead of the one it was handed would share this team with itself
            throw new IllegalStateException("runBoth called from inside a piece of runBoth on the same backend; use the backend the piece is handed");
        }
        if (halves == null) {
            halves = new FastCpuBackend[] {new FastCpuBackend((team.size() + 1) / 2, microKernel, broadcastKernel, elementwise, streamedKernel, outerKernel),
                    new FastCpuBackend(team.size() / 2, microKernel, broadcastKernel, elementwise, streamedKernel, outerKernel)};
        }
        firstWork = first;
        secondWork = second;
        try {
            team.run(2, bothJob);
        } finally {
            firstWork = secondWork = null;
        }
    }

    @Override
    public void close() {
        team.close();
        if (halves != null) for (FastCpuBackend h : halves) h.close();
    }
}
