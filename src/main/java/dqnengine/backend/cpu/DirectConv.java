package dqnengine.backend.cpu;

import dqnengine.backend.Conv2dShape;

import java.util.Arrays;

/**
 * Convolution forward and weight gradient without im2col, for unpadded convolutions whose output
 * channels come in multiples of LANES/2 (LANES is 16 with 256-bit vectors, 32 with 512-bit ones:
 * every Nature DQN layer fills its blocks, MinAtar's 16 channels fill half of one). The LANES
 * output channels of a block are the vector lanes; input values are broadcast straight from x
 * ({@link BroadcastKernel}). Channels that fill half of one block take a kernel half as wide, one
 * vector ({@link NarrowBroadcastKernel}), where there is one; otherwise the lanes past the last
 * channel are computed from zero weights and dropped.
 *
 * <pre>
 *   k = (c, p, q) ∈ [0, K),  kOff[k] = (c·H + p)·W + q           offset of a kernel tap in one image
 *   pixel = (n, i, j),       base[pixel] = n·C·H·W + i·s·W + j·s  where that pixel's window starts
 *   so x[n, c, i·s+p, j·s+q] = x[base[pixel] + kOff[k]]
 *
 *   forward:   y[n, o, i, j] = b[o] + Σ_k x[base[pixel] + kOff[k]] · w[o, k]
 *              tile = ROWS pixels × LANES channels, summed over k; weights packed wT[block][k][LANES]
 *              (ROWS and LANES are the kernel's: 12 × LANES/2 for the narrow kernel, blocks of LANES/2 channels)
 *              (output rows in whole runs of a {@link RunKernel}: tiles of one run, e.g. conv1's 10 pixels at stride 4)
 *   dW:        dw[o, k] += Σ_pixel x[base[pixel] + kOff[k]] · dy[n, o, i, j]
 *              tile = ROWS taps k × LANES channels, summed over pixels; dy packed dyT[block][pixel][LANES];
 *              the pixels in chunks of PIXEL_CHUNK, every tile of a task taking its turn within a chunk
 *              (kernel rows in whole runs of stride 1, conv1's 8 taps: tiles of one run)
 *   dx:        dcols[pixel, k] = Σ_o dy[n, o, i, j] · w[o, k], then dx[base[pixel] + kOff[k]] += dcols
 *              tile = ROWS pixels × LANES taps, summed over o; weights packed wK[block of taps][o][LANES];
 *              one task per IMAGES_PER_DATA_TASK whole images, so the overlapping windows of one image never race;
 *              its tiles run on across the images' boundaries, so only the task's last tile is ragged
 *              (each image's pixels in whole runs of stride 1, 81 or 49 say: tiles of one run through dy);
 *              each tile row's LANES taps added back with one gather and scatter a vector ({@link BroadcastKernel#addScattered})
 *   dx by rows: where the input channels fill blocks and the stride divides the kernel and the input's width (conv2, conv3,
 *              with the run kernels: 512-bit vectors or the plain 12-row loop),
 *              each element of dx is summed once where it lies instead: tile = every s-th pixel of a row of dx ×
 *              LANES input channels, summed over (kernel tap of that phase, o), each column tap mq a run of OW pixels
 *              through a row of dy into the tile from pixel mq on ({@link #inputRows}); no gather, no scatter, no
 *              product with a zero, dx written once
 * </pre>
 * All are the same loop with the roles of pixels, taps and channels exchanged. Forward and
 * dW need the output channels in multiples of LANES/2 (half a block of zeros at most), dx needs the taps K = C·KH·KW in multiples of LANES.
 */
final class DirectConv {
    private static final int LANES = BroadcastKernel.LANES;
    private static final int PIXEL_TILES_PER_TASK = 16;
    static final int PIXEL_CHUNK = 256;                    // weight gradient: pixels per pass over a task's units (dy of a chunk: 32 KB, in L1 with 512-bit blocks)
    private static final int IMAGES_PER_DATA_TASK = 4;     // input gradient: whole images per task (8 tasks at batch 32)

    /** Whether the forward and weight-gradient paths apply to the convolution. */
    static boolean applies(Conv2dShape g) {
        return g.padding() == 0 && g.outChannels() % (LANES / 2) == 0;
    }

    /** Whether the input-gradient path applies to the convolution. */
    static boolean appliesToData(Conv2dShape g) {
        return g.padding() == 0 && (g.inChannels() * g.kernelH() * g.kernelW()) % LANES == 0;
    }

    private final ThreadTeam team;
    private final Elementwise elementwise;                      // the ReLU's passes, on a tile or a task's images while they are in cache
    private final BroadcastKernel kernel;
    private final BroadcastKernel narrowKernel;                 // one vector wide, for channels in half blocks, or null
    private final RunKernel[] runKernels;                       // runs of pixels or taps (forward rows, input-gradient runs, weight-gradient kernel rows), longest first
    private final PixelRowKernel pixelRows;                     // forward rows of 8 pixels as the lanes (MinAtar's conv), or null
    private final float[][] acc;
    private final float[][] runAcc;                             // [worker]: the input gradient's run through dy (see inputRowsTask)
    private final int[][] rowBase;
    private final WinogradConv winograd;
    /**
     * Whether the passes that the Winograd classes take go to them ({@link WinogradConv}: conv2's forward pass and weight
     * gradient; {@link WinogradPlanes}: conv1's): {@code -Ddqn.winograd=false} keeps them all direct, to compare.
     */
    static final boolean WINOGRAD = !"false".equals(System.getProperty("dqn.winograd"));
    private final WinogradPlanes winogradPlanes;
    /** Whether the passes that {@link WinogradPlanes} takes (conv1's forward pass and weight gradient) go to it: {@code -Ddqn.winogradPlanes=false} keeps them direct. */
    static final boolean WINOGRAD_PLANES = WINOGRAD && !"false".equals(System.getProperty("dqn.winogradPlanes"));
    private int[] kOff = new int[0], pixelBase = new int[0];
    private int[] tapOf = new int[0];                           // tap k's index (c·KH + p)·KW + q in w: k itself, or (p, q, c) order for a pixel-major x
    private float[] packed = new float[0];

    // The call in progress.
    private BroadcastKernel active;                             // kernel or narrowKernel
    private RunKernel activeRun;                                // the run kernel of the pass in progress, if it takes one, else null
    private int tileLanes, tileRows;                            // its tile: channels per block, pixels (or taps) per tile
    private Conv2dShape g;
    private float[] x, out;
    private boolean relu;                                       // forward: the ReLU after the convolution, taken on each tile before it is written
    private float[] reluOutput;                                 // input gradient: the ReLU's output before this convolution (dx masked where it is 0), or null
    private float[] biasTiles = new float[0];                   // forward: [block][tileRows][tileLanes], each row the block's biases
    private int taps, pixels, blocks, tileCount;
    private final ThreadTeam.Job forwardJob = this::forwardTask, weightJob = this::weightTask, dataJob = this::dataTask,
            packJob = this::packTask, runJob = this::runTask;
    private static final int RUNS_PER_TASK = 20;            // forward with the run kernel: 200 pixels per task
    private int runCount;
    private int[] channelOff = new int[0];
    private int units, unitsPerTask;                            // weight gradient: (block, tile of taps) pairs, and how many a task takes
    private float[][][] unitAcc = new float[0][0][];            // [worker, or task for a pixel-major x][unit of its task][tileRows·tileLanes, or more]
    private float[] dyT = new float[0];                          // the weight gradient's packed dy
    private float[] dyRows;                                      // what the weight gradient's tasks read: dyT, or a pixel-major dy of one block itself
    private long dyTZeroFor;                                     // (channels << 32 | pixels) whose padded lanes of dyT are 0; 0 = none
    private float[] imageSums = new float[0];                   // the bias gradient's sums per image and channel

    DirectConv(ThreadTeam team, BroadcastKernel kernel) {
        this(team, kernel, new Elementwise.Scalar());
    }

    /** @param elementwise the ReLU's loops, for the fused passes ({@link #forward}'s and {@link #dataGradient}'s {@code relu} arguments) */
    DirectConv(ThreadTeam team, BroadcastKernel kernel, Elementwise elementwise) {
        // rows of pixels take the run kernels beside the 12-row one: their vector forms with the 512-bit kernel, their
        // plain forms beside the plain 12-row loop (so the parity tests check the tiling without vectors too)
        this(team, kernel, kernel instanceof WideBroadcastKernel ? RunKernel.vectorKernels()
                : kernel instanceof BroadcastKernel.Scalar && kernel.rows() == 12 ? RunKernel.plainKernels() : new RunKernel[0],
                narrowFor(kernel), elementwise);
    }

    /**
     * @param runKernels the kernels for runs of neighbouring values ({@link RunKernel}), longest run first, or none: the
     *                   forward pass's rows, the input gradient's runs through dy and the weight gradient's kernel rows
     *                   of taps; each run at most the kernel's rows
     */
    DirectConv(ThreadTeam team, BroadcastKernel kernel, RunKernel[] runKernels) {
        this(team, kernel, runKernels, narrowFor(kernel));
    }

    /** @param narrowKernel the kernel, {@code LANES / 2} lanes wide, for output channels that fill half blocks, or null for none */
    DirectConv(ThreadTeam team, BroadcastKernel kernel, RunKernel[] runKernels, BroadcastKernel narrowKernel) {
        this(team, kernel, runKernels, narrowKernel, new Elementwise.Scalar());
    }

    private DirectConv(ThreadTeam team, BroadcastKernel kernel, RunKernel[] runKernels, BroadcastKernel narrowKernel, Elementwise elementwise) {
        for (RunKernel rk : runKernels) {
            if (rk.run() > kernel.rows()) throw new IllegalArgumentException("a run kernel of " + rk.run() + " pixels needs a tile of as many rows or more");
        }
        if (kernel.lanes() != LANES) throw new IllegalArgumentException("the direct convolution's kernel must be " + LANES + " lanes wide");
        if (narrowKernel != null && narrowKernel.lanes() != LANES / 2) throw new IllegalArgumentException("the narrow kernel must be " + LANES / 2 + " lanes wide");
        this.team = team;
        this.elementwise = elementwise;
        this.kernel = kernel;
        this.narrowKernel = narrowKernel;
        this.runKernels = runKernels.clone();
        // beside a narrow kernel of 16 lanes (512-bit blocks), which it replaces for such shapes: the vector form beside the
        // vector kernel, the plain one beside the plain loop
        boolean sixteen = narrowKernel != null && narrowKernel.lanes() == PixelRowKernel.LAYER_CHANNELS;
        this.pixelRows = !sixteen ? null : narrowKernel instanceof NarrowBroadcastKernel ? new PixelRowKernel.Vector()
                : narrowKernel instanceof BroadcastKernel.Scalar ? new PixelRowKernel.Scalar() : null;
        int narrowRows = narrowKernel == null ? 0 : narrowKernel.rows();
        this.acc = new float[team.size()][Math.max(kernel.rows() * LANES, narrowRows * LANES / 2) + ThreadTeam.PAD];
        this.rowBase = new int[team.size()][Math.max(kernel.rows(), narrowRows) + ThreadTeam.PAD];
        this.runAcc = new float[team.size()][kernel.rows() * LANES + ThreadTeam.PAD];
        this.winograd = new WinogradConv(team, kernel, kernel instanceof BroadcastKernel.Scalar ? new WinogradConv.PlainTiles() : new VectorTiles());
        this.winogradPlanes = new WinogradPlanes(team, kernel, kernel instanceof BroadcastKernel.Scalar ? new WinogradPlanes.PlainLoops() : new VectorPlanes());
    }

    /**
     * The one-vector kernel beside a two-vector one: with 512-bit vectors, and in plain form beside
     * the plain loop (so the parity tests check its tiling without vectors too). With 256-bit
     * vectors a block is 16 channels, which MinAtar's layer fills: there is none.
     */
    private static BroadcastKernel narrowFor(BroadcastKernel kernel) {
        if (kernel instanceof WideBroadcastKernel) return new NarrowBroadcastKernel();
        if (kernel instanceof BroadcastKernel.Scalar) return new BroadcastKernel.Scalar(kernel.rows(), LANES / 2);
        return null;
    }

    /**
     * Whether the forward pass and weight gradient of this shape take the narrow kernel: when its
     * output channels fill half of one block, so that the wide kernel would throw away half of its
     * work (MinAtar's 16 channels). With more blocks (48 channels, say) at most one is half empty,
     * and the wide kernel (with the run kernel, where it fits) keeps them.
     */
    boolean narrow(Conv2dShape g) {
        return narrowKernel != null && g.outChannels() < LANES;
    }

    private void prepare(Conv2dShape g, float[] x, BroadcastKernel use) {
        this.g = g;
        this.x = x;
        this.active = use;
        this.tileLanes = use.lanes();
        this.tileRows = use.rows();
        int C = g.inChannels(), H = g.inHeight(), W = g.inWidth(), KH = g.kernelH(), KW = g.kernelW(), s = g.stride();
        int OH = g.outHeight(), OW = g.outWidth();
        taps = C * KH * KW;
        pixels = g.batch() * OH * OW;
        blocks = (g.outChannels() + tileLanes - 1) / tileLanes;
        if (kOff.length < taps) {
            kOff = new int[taps];
            tapOf = new int[taps];
        }
        if (pixelBase.length < pixels) pixelBase = new int[pixels];
        if (g.pixelMajorIn()) {
            // x[n, h, w, c]: a kernel row's taps (p, q = 0 … KW−1, c = 0 … C−1) lie side by side, so they are taken in that order
            for (int p = 0, k = 0; p < KH; p++)
                for (int q = 0; q < KW; q++)
                    for (int c = 0; c < C; c++, k++) {
                        kOff[k] = (p * W + q) * C + c;
                        tapOf[k] = (c * KH + p) * KW + q;
                    }
            for (int n = 0, t = 0; n < g.batch(); n++)
                for (int i = 0; i < OH; i++)
                    for (int j = 0; j < OW; j++) pixelBase[t++] = ((n * H + i * s) * W + j * s) * C;
            return;
        }
        for (int c = 0, k = 0; c < C; c++)
            for (int p = 0; p < KH; p++)
                for (int q = 0; q < KW; q++, k++) {
                    kOff[k] = (c * H + p) * W + q;
                    tapOf[k] = k;
                }
        for (int n = 0, t = 0; n < g.batch(); n++)
            for (int i = 0; i < OH; i++)
                for (int j = 0; j < OW; j++) pixelBase[t++] = n * C * H * W + i * s * W + j * s;
    }

    /** How far apart in x the windows of neighbouring output pixels of a row start: the stride, times C for a pixel-major x. */
    private static int pixelDistance(Conv2dShape g) {
        return g.pixelMajorIn() ? g.stride() * g.inChannels() : g.stride();
    }

    private float[] packedBuffer(int size) {
        if (packed.length < size) packed = new float[size];
        return packed;
    }

    // ------------------------------------------------------------------ forward

    void forward(Conv2dShape g, float[] x, float[] w, float[] b, float[] y) {
        forward(g, x, w, b, y, false);
    }

    /**
     * y = conv(x) + b, and with {@code relu} max(0, y): the max taken on each tile's accumulators
     * before they are written, so y is written once (a separate ReLU reads and writes it again:
     * conv1's output is 1.6 MB at batch 32).
     */
    void forward(Conv2dShape g, float[] x, float[] w, float[] b, float[] y, boolean relu) {
        this.relu = relu;
        if (byPixelRows(g)) {                                           // MinAtar's conv, output pixels as the lanes
            forwardRows(g, x, w, b, y);
            return;
        }
        // conv2 on a pixel-major x: 0.44 of the multiply-adds; not for one image (acting), where transforming the weights
        // costs more than the products save (act at batch 1: 0.29–0.42 ms with it, 0.22 without)
        if (WINOGRAD && g.batch() > 1 && WinogradConv.applies(g, kernel.lanes())) {
            winograd.forward(g, x, w, b, y, relu);
            return;
        }
        if (WINOGRAD_PLANES && g.batch() > 1 && WinogradPlanes.applies(g, kernel.lanes())) {     // conv1: 0.5625 of the multiply-adds
            winogradPlanes.forward(g, x, w, b, y, relu);
            return;
        }
        prepare(g, x, narrow(g) ? narrowKernel : kernel);
        packByTap(w, g.outChannels(), tileLanes, tapOf);
        if (biasTiles.length < blocks * tileRows * tileLanes) biasTiles = new float[blocks * tileRows * tileLanes];
        for (int block = 0; block < blocks; block++) {             // biasTiles[block][r][lane] = b[block·tileLanes + lane], 0 past the last channel
            int o0 = block * tileLanes, lanes = Math.min(tileLanes, g.outChannels() - o0);
            for (int r = 0; r < tileRows; r++) {
                int row = (block * tileRows + r) * tileLanes;
                System.arraycopy(b, o0, biasTiles, row, lanes);
                Arrays.fill(biasTiles, row + lanes, row + tileLanes, 0f);
            }
        }
        this.out = y;
        activeRun = active == kernel ? RunKernel.choose(runKernels, pixelDistance(g), g.outWidth()) : null;
        if (activeRun != null) {
            runCount = pixels / activeRun.run();                    // every output row is whole runs
            team.run(blocks * ((runCount + RUNS_PER_TASK - 1) / RUNS_PER_TASK), runJob);
            this.out = this.x = null;
            return;
        }
        tileCount = (pixels + tileRows - 1) / tileRows;
        int tasksPerBlock = (tileCount + PIXEL_TILES_PER_TASK - 1) / PIXEL_TILES_PER_TASK;
        team.run(blocks * tasksPerBlock, forwardJob);
        this.out = this.x = null;
    }

    /**
     * The forward pass's weights, tap-major in blocks of {@code lanes} channels, into {@link #packed}:
     * wT[block][k][lane] = w[block·lanes + lane, k], 0 past the last channel ({@link #taps} taps).
     * In tiles of 16 taps, so that the writes of a tile stay within a few KB (one channel at a time
     * wrote 128 B apart across all of wT: conv3's 37K weights took 46 µs on the calling thread,
     * 17–24 µs so, measured alone). Tap k is w's tap {@code tapOrder[k]} (null: k).
     */
    private void packByTap(float[] w, int outChannels, int lanes, int[] tapOrder) {
        int blocks = (outChannels + lanes - 1) / lanes;
        float[] wT = packedBuffer(blocks * taps * lanes);
        if (outChannels % lanes != 0) Arrays.fill(wT, 0, blocks * taps * lanes, 0f);
        for (int o0 = 0; o0 < outChannels; o0 += lanes) {
            int block = o0 / lanes, valid = Math.min(lanes, outChannels - o0);
            for (int k0 = 0; k0 < taps; k0 += 16) {
                for (int k = k0; k < Math.min(taps, k0 + 16); k++) {
                    int dst = (block * taps + k) * lanes, src = o0 * taps + (tapOrder == null ? k : tapOrder[k]);
                    for (int l = 0; l < valid; l++) wT[dst + l] = w[src + l * taps];
                }
            }
        }
    }

    /**
     * The tiles [firstTile, firstTile + 16) of one block. Outside the kernel, a tile costs one copy
     * of the bias tile and the scalar writes of its outputs; with MinAtar's 36 taps, 12 copies of
     * the bias and a division per output row had cost more than the kernel itself.
     */
    private void forwardTask(int task, int worker) {
        int tasksPerBlock = (tileCount + PIXEL_TILES_PER_TASK - 1) / PIXEL_TILES_PER_TASK;
        int block = task / tasksPerBlock, firstTile = (task % tasksPerBlock) * PIXEL_TILES_PER_TASK;
        int O = g.outChannels(), ohw = g.outHeight() * g.outWidth(), o0 = block * tileLanes, lanes = Math.min(tileLanes, O - o0);
        float[] a = acc[worker];
        int[] base = rowBase[worker];
        for (int tile = firstTile; tile < Math.min(tileCount, firstTile + PIXEL_TILES_PER_TASK); tile++) {
            int p0 = tile * tileRows, rows = Math.min(tileRows, pixels - p0);
            for (int r = 0; r < tileRows; r++) base[r] = pixelBase[p0 + Math.min(r, rows - 1)];   // ragged tile: repeat the last pixel
            System.arraycopy(biasTiles, block * tileRows * tileLanes, a, 0, tileRows * tileLanes);       // start from the bias (0 in padded lanes)
            active.accumulate(x, base, kOff, 0, taps, packed, block * taps * tileLanes, a);
            if (relu) elementwise.relu(a, a, 0, tileRows * tileLanes);
            if (g.pixelMajorOut()) {                                 // y[pixel][o]: each row of the tile is a run of channels
                for (int r = 0; r < rows; r++) System.arraycopy(a, r * tileLanes, out, (p0 + r) * O + o0, lanes);
                continue;
            }
            int n = p0 / ohw, pix = p0 - n * ohw;
            if (pix + rows <= ohw) {                                 // one image: each channel's outputs side by side
                int dst = (n * O + o0) * ohw + pix;
                for (int l = 0; l < lanes; l++) {
                    int row = dst + l * ohw;
                    for (int r = 0; r < rows; r++) out[row + r] = a[r * tileLanes + l];
                }
                continue;
            }
            for (int r = 0; r < rows; r++) {                         // y[n, o, pix] for the tile's pixels, across images
                int dst = (n * O + o0) * ohw + pix;
                for (int l = 0; l < lanes; l++) out[dst + l * ohw] = a[r * tileLanes + l];
                if (++pix == ohw) {
                    pix = 0;
                    n++;
                }
            }
        }
    }

    /**
     * (Only with the wide kernel, so LANES is written as the constant it is: with the tile width
     * read from a field, conv1's forward pass took 1.12× as long, its write-back loops no longer
     * unrolled on constant offsets; the run kernel writes its rows back itself, for the same reason.
     * And conv1's kernel has a call site of its own: with conv2's and conv3's kernels through the
     * same call, C2's profile of it held three classes, and conv1's forward pass, run after the
     * other two, took 1.54–1.66 ms on one thread against 1.36–1.44 ms with one kernel there; with
     * its own call, 1.40–1.54 against 1.41–1.52, alternated in separate JVMs.)
     * Runs [first, first + 20) of one block: each the run kernel's {@code run()} neighbouring pixels
     * of an output row, whose windows start the stride apart ({@link RunKernel}). The outputs of a
     * run are neighbours in y too, so each channel's values are written side by side.
     */
    private void runTask(int task, int worker) {
        int tasksPerBlock = (runCount + RUNS_PER_TASK - 1) / RUNS_PER_TASK;
        int block = task / tasksPerBlock, first = (task % tasksPerBlock) * RUNS_PER_TASK;
        int O = g.outChannels(), ohw = g.outHeight() * g.outWidth(), o0 = block * LANES, lanes = Math.min(LANES, O - o0);
        RunKernel rk = activeRun;
        int length = rk.run();
        boolean pixelMajorOut = g.pixelMajorOut();
        float[] a = acc[worker];
        for (int run = first; run < Math.min(runCount, first + RUNS_PER_TASK); run++) {
            int p0 = run * length, n = p0 / ohw;                    // the run's first pixel, (n, i, j0)
            System.arraycopy(biasTiles, block * kernel.rows() * LANES, a, 0, length * LANES);
            if (rk instanceof RunKernel.Vector10x4 conv1) {                 // a call site of its own: see the method's comment
                conv1.accumulate(x, pixelBase[p0], kOff, 0, taps, packed, block * taps * LANES, a);
                if (relu) elementwise.relu(a, a, 0, length * LANES);
                if (pixelMajorOut) writePixels(a, out, p0 * O + o0, lanes, O, 10);
                else conv1.writeBack(a, out, (n * O + o0) * ohw + (p0 - n * ohw), lanes, ohw);
            } else {
                rk.accumulate(x, pixelBase[p0], kOff, 0, taps, packed, block * taps * LANES, a);
                if (relu) elementwise.relu(a, a, 0, length * LANES);
                if (pixelMajorOut) writePixels(a, out, p0 * O + o0, lanes, O, length);
                else rk.writeBack(a, out, (n * O + o0) * ohw + (p0 - n * ohw), lanes, ohw);
            }
        }
    }

    /**
     * A tile of {@code rows} neighbouring pixels written pixel-major: the tile's row r (its LANES
     * accumulators, {@code lanes} of them channels) is y[pixel r][o0 …], so each row is one copy of
     * neighbouring values, {@code channels} apart from the next.
     */
    private static void writePixels(float[] a, float[] out, int dst, int lanes, int channels, int rows) {
        for (int r = 0; r < rows; r++) System.arraycopy(a, r * LANES, out, dst + r * channels, lanes);
    }

    private static final int ROW = PixelRowKernel.ROW;

    /**
     * Whether the forward pass takes {@link PixelRowKernel}: a narrow layer of exactly its 16
     * channels, at stride 1, whose output is rows of 8 in fours (MinAtar's conv, 8 × 8 out).
     */
    boolean byPixelRows(Conv2dShape g) {
        // (pixelRows is there only beside a 16-lane narrow kernel, so 16 channels are a narrow layer)
        return pixelRows != null && !g.pixelMajorIn() && !g.pixelMajorOut() && g.padding() == 0 && g.stride() == 1 && g.outWidth() == ROW && g.outHeight() % PixelRowKernel.ROWS == 0
                && g.outChannels() == PixelRowKernel.LAYER_CHANNELS;
    }

    private float[] bias;
    private int[] shiftedOff = new int[0];
    private float[][] shifted = new float[0][];                 // [worker]: one image of x, copied shifted (see PixelRowKernel)
    private final ThreadTeam.Job pixelRowJob = this::pixelRowTask;

    /**
     * The forward pass four output rows and 8 channels at a time ({@link PixelRowKernel}), one task per image; the
     * weights packed tap-major as the other forward tiles take them ({@link #packByTap}), and the taps' offsets into the shifted copy,
     * ((c·KW + q)·H + p)·8.
     */
    private void forwardRows(Conv2dShape g, float[] x, float[] w, float[] b, float[] y) {
        this.g = g;                                                  // (not prepare: its tables are not used here)
        this.x = x;
        int O = g.outChannels(), C = g.inChannels(), H = g.inHeight(), KH = g.kernelH(), KW = g.kernelW();
        taps = C * KH * KW;
        packByTap(w, O, O, null);                                     // one block of all 16 channels: wP[t][o] = w[o, t]
        if (shiftedOff.length < taps) shiftedOff = new int[taps];
        for (int c = 0, t = 0; c < C; c++)
            for (int p = 0; p < KH; p++)
                for (int q = 0; q < KW; q++) shiftedOff[t++] = ((c * KW + q) * H + p) * ROW;
        int size = C * KW * H * ROW;
        if (shifted.length < team.size() || shifted[0].length < size) shifted = new float[team.size()][size];
        this.out = y;
        this.bias = b;
        team.run(g.batch(), pixelRowJob);
        this.out = this.x = this.bias = null;
    }

    private void pixelRowTask(int n, int worker) {
        int C = g.inChannels(), H = g.inHeight(), W = g.inWidth(), KW = g.kernelW(), O = g.outChannels(), OH = g.outHeight();
        float[] xs = shifted[worker];
        for (int c = 0; c < C; c++)                                  // xs[c][q][h][j] = x[n][c][h][j + q], j < 8
            for (int q = 0; q < KW; q++)
                for (int h = 0; h < H; h++) {
                    int src = ((n * C + c) * H + h) * W + q, dst = ((c * KW + q) * H + h) * ROW;
                    for (int j = 0; j < ROW; j++) xs[dst + j] = x[src + j];
                }
        for (int o0 = 0; o0 < O; o0 += PixelRowKernel.CHANNELS) {
            for (int i = 0; i < OH; i += PixelRowKernel.ROWS) {
                pixelRows.tile(xs, i * ROW, shiftedOff, taps, packed, o0, bias, relu, out, ((n * O + o0) * OH + i) * ROW, OH * ROW);
            }
        }
    }

    // ------------------------------------------------------------------ weight gradient

    /**
     * dw += the weight gradient, db += Σ dy over pixels. First dy is packed (and summed per image
     * and channel for the bias), one task per image; then each task (twice as many as threads)
     * takes several (block, tile of taps) units and sums each over every pixel, chunk by chunk
     * ({@link #weightTask}). (Packing and the bias's sums ran on one thread before: ~0.8 ms of
     * conv1's 2.2 ms.) Where a Winograd form applies (conv1's with a pixel-major dy, conv2's on its
     * pixel-major x, for more than one image) it goes there instead.
     */
    void weightGradient(Conv2dShape g, float[] x, float[] dy, float[] dw, float[] db) {
        if (WINOGRAD_PLANES && WinogradPlanes.appliesToWeights(g, kernel.lanes())) {            // conv1's in a train step: 0.5625 of the multiply-adds
            winogradPlanes.weightGradient(g, x, dy, dw, db);
            return;
        }
        if (WINOGRAD && g.batch() > 1 && WinogradConv.applies(g, kernel.lanes())) {               // conv2's: 0.44 of the multiply-adds
            winograd.weightGradient(g, x, dy, dw, db);
            return;
        }
        prepare(g, x, narrow(g) ? narrowKernel : kernel);
        int O = g.outChannels();
        // dyT[block][pixel][lane] = dy[n, block·tileLanes + lane, pix], in a buffer of its own. The lanes past the last channel
        // are never written back; they are kept at 0 so that no stale value (a denormal, say) goes through the FMAs. Once
        // zeroed they stay 0 for every later call with the same channels and pixels (none writes them): MinAtar's 16-channel
        // convolution filled 256 KB per call before.
        if (dyT.length < blocks * pixels * tileLanes) {
            dyT = new float[blocks * pixels * tileLanes];
            dyTZeroFor = 0;
        }
        if (O % tileLanes != 0 && dyTZeroFor != ((long) O << 32 | pixels)) {
            Arrays.fill(dyT, 0, blocks * pixels * tileLanes, 0f);
            dyTZeroFor = (long) O << 32 | pixels;
        } else if (O % tileLanes == 0) {
            dyTZeroFor = 0;                                          // no padded lanes: this call writes every lane it reads (or reads dy itself)
        }
        if (imageSums.length < g.batch() * O) imageSums = new float[g.batch() * O];
        // a pixel-major dy of exactly one block is dyT's layout already: only its sums are taken
        dyRows = g.pixelMajorOut() && O == tileLanes ? dy : dyT;
        this.x = dy;
        team.run(g.batch(), packJob);
        for (int n = 0; n < g.batch(); n++) {
            for (int o = 0; o < O; o++) db[o] += imageSums[n * O + o];
        }
        this.x = x;
        this.out = dw;
        // a kernel row's taps (c, p, q = 0 … KW−1) lie side by side in x: cut into whole runs of stride 1, if one fits
        // (for a pixel-major x a kernel row is its KW·C taps (q, c), side by side)
        activeRun = active == kernel ? RunKernel.choose(runKernels, 1, g.pixelMajorIn() ? g.kernelW() * g.inChannels() : g.kernelW()) : null;
        int unitRows = activeRun != null ? activeRun.run() : tileRows;
        tileCount = (taps + unitRows - 1) / unitRows;
        units = blocks * tileCount;
        int tasks = Math.min(units, 2 * team.size());               // every task reads all of x and dy once
        unitsPerTask = (units + tasks - 1) / tasks;
        int taskCount = (units + unitsPerTask - 1) / unitsPerTask;
        if (unitAcc.length < Math.max(team.size(), taskCount) || unitAcc[0].length < unitsPerTask) {   // each dimension only grows
            unitAcc = new float[Math.max(unitAcc.length, Math.max(team.size(), taskCount))][Math.max(unitAcc.length == 0 ? 0 : unitAcc[0].length, unitsPerTask)]
                    [acc[0].length];                                 // the larger of the two kernels' tiles
        }
        team.run(taskCount, weightJob);
        // With a pixel-major x a task's taps (q, c) are every 16th of w's (c, p, q) order, so two tasks writing their sums
        // back at once wrote into the same cache lines of dw: conv2's weight gradient took 1.50 ms on two threads against
        // 1.05 channel-major (1.73 against 1.75 on one). They are written back here, one task after the other.
        if (g.pixelMajorIn()) for (int task = 0; task < taskCount; task++) writeBack(task, unitAcc[task]);
        this.out = this.x = this.dyRows = null;
    }

    /** Packs image n of dy (held in x during the call) into dyT and sums each of its channels. */
    private void packTask(int n, int worker) {
        int O = g.outChannels(), ohw = g.outHeight() * g.outWidth();
        if (g.pixelMajorOut()) {                                     // dy[pixel][o]: blocks of a pixel's channels copied whole, if at all
            Arrays.fill(imageSums, n * O, (n + 1) * O, 0f);
            for (int pix = n * ohw; pix < (n + 1) * ohw; pix++) {
                int src = pix * O;
                for (int o = 0; o < O; o++) imageSums[n * O + o] += x[src + o];
                if (dyRows == x) continue;
                for (int o0 = 0; o0 < O; o0 += tileLanes) {
                    System.arraycopy(x, src + o0, dyT, ((o0 / tileLanes) * pixels + pix) * tileLanes, Math.min(tileLanes, O - o0));
                }
            }
            return;
        }
        for (int o = 0; o < O; o++) {
            int block = o / tileLanes, lane = o % tileLanes, src = (n * O + o) * ohw;
            int dst = (block * pixels + n * ohw) * tileLanes + lane;
            for (int pix = 0; pix < ohw; pix++) dyT[dst + pix * tileLanes] = x[src + pix];
            imageSums[n * O + o] = sum(x, src, ohw);
        }
    }

    /**
     * Units [task·unitsPerTask, …): each a (block, tile of unitRows taps) summed over every pixel.
     * The pixels come in chunks and, within a chunk, every unit of the task takes its turn, so a
     * chunk of x and dyT is read from memory once per task and then from cache, not once per unit
     * (conv1's x and dyT, 5 MB together, do not fit in a core's cache: 22 passes over them made
     * its weight gradient wait on memory).
     */
    private void weightTask(int task, int worker) {
        int first = task * unitsPerTask, last = Math.min(units, first + unitsPerTask);
        RunKernel run = activeRun;
        int unitRows = run != null ? run.run() : tileRows;
        float[][] a = unitAcc[g.pixelMajorIn() ? task : worker];
        int[] base = rowBase[worker];
        for (int u = first; u < last; u++) Arrays.fill(a[u - first], 0f);
        for (int p0 = 0; p0 < pixels; p0 += PIXEL_CHUNK) {
            int p1 = Math.min(pixels, p0 + PIXEL_CHUNK);
            for (int u = first; u < last; u++) {
                int block = u / tileCount;
                if (run != null) {                                   // taps k0 … k0 + run − 1 at x[kOff[k0] + r]
                    run.accumulate(x, kOff[(u % tileCount) * unitRows], pixelBase, p0, p1, dyRows, block * pixels * tileLanes, a[u - first]);
                    continue;
                }
                int k0 = (u % tileCount) * tileRows, rows = Math.min(tileRows, taps - k0);
                for (int r = 0; r < tileRows; r++) base[r] = kOff[k0 + Math.min(r, rows - 1)];
                active.accumulate(x, base, pixelBase, p0, p1, dyRows, block * pixels * tileLanes, a[u - first]);
            }
        }
        if (!g.pixelMajorIn()) writeBack(task, a);                   // (pixel-major: after every task, see weightGradient)
    }

    /** dw[o, tap] += the sums of task's units. */
    private void writeBack(int task, float[][] a) {
        int first = task * unitsPerTask, last = Math.min(units, first + unitsPerTask);
        int unitRows = activeRun != null ? activeRun.run() : tileRows;
        for (int u = first; u < last; u++) {
            int block = u / tileCount, k0 = (u % tileCount) * unitRows, rows = Math.min(unitRows, taps - k0);
            int o0 = block * tileLanes, lanes = Math.min(tileLanes, g.outChannels() - o0);
            float[] au = a[u - first];
            for (int r = 0; r < rows; r++) {
                int tap = tapOf[k0 + r];
                for (int l = 0; l < lanes; l++) out[(o0 + l) * taps + tap] += au[r * tileLanes + l];
            }
        }
    }

    /** a[from] + … + a[from + length − 1], in eight running sums (one would wait on each add's latency). */
    private static float sum(float[] a, int from, int length) {
        float s0 = 0f, s1 = 0f, s2 = 0f, s3 = 0f, s4 = 0f, s5 = 0f, s6 = 0f, s7 = 0f;
        int i = from, end = from + length;
        for (; i + 8 <= end; i += 8) {
            s0 += a[i]; s1 += a[i + 1]; s2 += a[i + 2]; s3 += a[i + 3];
            s4 += a[i + 4]; s5 += a[i + 5]; s6 += a[i + 6]; s7 += a[i + 7];
        }
        for (; i < end; i++) s0 += a[i];
        return ((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7));
    }

    // ------------------------------------------------------------------ input gradient

    void dataGradient(Conv2dShape g, float[] dy, float[] w, float[] dx) {
        dataGradient(g, dy, w, dx, null);
    }

    /**
     * dx = the input gradient, and where {@code reluOutput} is given (the output of a ReLU whose
     * input gradient this is, x's shape), dx · 1[reluOutput &gt; 0]: the ReLU's backward pass, taken
     * on each task's images as soon as they are summed, while they are in cache.
     */
    void dataGradient(Conv2dShape g, float[] dy, float[] w, float[] dx, float[] reluOutput) {
        RunKernel rows = inputRowKernel(g);
        if (rows != null) {
            inputRows(g, dy, w, dx, reluOutput, rows);
            return;
        }
        prepare(g, null, kernel);
        this.reluOutput = reluOutput;
        int O = g.outChannels(), ohw = g.outHeight() * g.outWidth(), tapBlocks = taps / LANES;
        float[] wK = packedBuffer(taps * O);                         // wK[tapBlock][o][lane] = w[o, tap tapBlock·LANES + lane]
        for (int tb = 0; tb < tapBlocks; tb++)
            for (int o = 0; o < O; o++) {
                if (!g.pixelMajorIn()) System.arraycopy(w, o * taps + tb * LANES, wK, (tb * O + o) * LANES, LANES);
                else for (int l = 0; l < LANES; l++) wK[(tb * O + o) * LANES + l] = w[o * taps + tapOf[tb * LANES + l]];
            }
        if (channelOff.length < O) channelOff = new int[O];
        for (int o = 0; o < O; o++) channelOff[o] = g.pixelMajorOut() ? o : o * ohw;     // dy[n, o, pix] = dy[n·O·ohw + pix + o·ohw], or dy[(n·ohw + pix)·O + o]
        this.x = dy;
        this.out = dx;
        // each image's pixels in whole runs through a channel-major dy, if one fits
        activeRun = g.pixelMajorOut() ? null : RunKernel.choose(runKernels, 1, ohw);
        team.run((g.batch() + IMAGES_PER_DATA_TASK - 1) / IMAGES_PER_DATA_TASK, dataJob);
        this.out = this.x = this.reluOutput = null;
    }

    /**
     * Images [task·4, task·4 + 4): where no run kernel takes them (see {@link #dataRuns}), their
     * pixels as one run of tiles, so a tile may hold the last pixels of one image and the first of
     * the next (with 49 pixels an image, tiles of one image each had computed 60 rows for 49). The
     * grouping is fixed, not made from the thread count, so every element of dx is summed in the
     * same order on any number of threads.
     */
    private void dataTask(int task, int worker) {
        int O = g.outChannels(), ohw = g.outHeight() * g.outWidth(), chw = g.inChannels() * g.inHeight() * g.inWidth();
        int n0 = task * IMAGES_PER_DATA_TASK, n1 = Math.min(g.batch(), n0 + IMAGES_PER_DATA_TASK);
        Arrays.fill(out, n0 * chw, n1 * chw, 0f);
        float[] a = acc[worker];
        if (activeRun != null) dataRuns(n0, n1, a);
        else dataTiles(n0, n1, a, rowBase[worker]);
        if (reluOutput != null) elementwise.reluGrad(reluOutput, out, out, n0 * chw, n1 * chw);
    }

    /** Images [n0, n1) as one run of tiles of the 12-row kernel. */
    private void dataTiles(int n0, int n1, float[] a, int[] base) {
        int O = g.outChannels(), ohw = g.outHeight() * g.outWidth();
        for (int p0 = n0 * ohw, end = n1 * ohw; p0 < end; p0 += tileRows) {
            int rows = Math.min(tileRows, end - p0);
            for (int r = 0; r < tileRows; r++) {
                int pixel = p0 + Math.min(r, rows - 1), n = pixel / ohw;
                base[r] = g.pixelMajorOut() ? pixel * O : n * O * ohw + pixel - n * ohw;     // dy[n, 0, pix]
            }
            for (int tb = 0; tb < taps / LANES; tb++) {
                Arrays.fill(a, 0f);
                kernel.accumulate(x, base, channelOff, 0, O, packed, tb * O * LANES, a);
                addBack(a, rows, p0, tb);
            }
        }
    }

    /**
     * The input gradient of images [n0, n1) in runs of neighbouring pixels of one image: a run's dy
     * values for channel o lie side by side (dy[n, o, pix0 + r]), so {@link RunKernel} reads them
     * at fixed distances from one index, with stride 1. Taken when an image's pixels are whole runs
     * (49 in runs of 7, 81 in runs of 9) and the rows of dx ({@link #inputRows}) are not: the input
     * channels not in whole blocks, no run kernel of exactly an output row's pixels, or a row of dx
     * (W/s pixels) longer than the accumulator tile.
     */
    private void dataRuns(int n0, int n1, float[] a) {
        int O = g.outChannels(), ohw = g.outHeight() * g.outWidth();
        RunKernel rk = activeRun;
        int length = rk.run();
        for (int n = n0; n < n1; n++) {
            for (int pix0 = 0; pix0 < ohw; pix0 += length) {
                for (int tb = 0; tb < taps / LANES; tb++) {
                    Arrays.fill(a, 0, length * LANES, 0f);
                    rk.accumulate(x, n * O * ohw + pix0, channelOff, 0, O, packed, tb * O * LANES, a);
                    addBack(a, length, n * ohw + pix0, tb);
                }
            }
        }
    }

    /** col2im for one tile: each of its rows (pixels firstPixel …) adds tap block tb's LANES values back into dx where they were read. */
    private void addBack(float[] a, int rows, int firstPixel, int tb) {
        for (int r = 0; r < rows; r++) kernel.addScattered(a, r * LANES, out, pixelBase[firstPixel + r], kOff, tb * LANES);
    }

    // ------------------------------------------------------------------ input gradient, by rows of dx

    /*
     * dx[n, c, h, w] = Σ over (o, p, q) with h = i·s + p, w = j·s + q of dy[n, o, i, j] · w[o, c, p, q]
     *
     * Above, each output pixel's taps are summed and then added back into dx where they were read:
     * a gather and a scatter of a vector per tile row. Here each element of dx is summed once,
     * where it lies, and written once. With h = s·i0 + ph and w = s·r + pw, the taps that reach
     * (h, w) are p = ph + s·mp, q = pw + s·mq, at i = i0 − mp, j = r − mq: for one row h and one
     * phase pw of the columns, the pixels r = 0, 1, 2 … read dy at neighbouring j, stride 1, as
     * the forward pass reads x. So a tile is a run of pixels r (every s-th pixel of the row) ×
     * LANES input channels c, summed over (mp, mq, o) with a {@link RunKernel} of stride 1. For one
     * mq the pixels r that read dy are exactly r = mq … mq + OW − 1 (j = 0 … OW − 1), so each mq
     * is one run of OW pixels through a row of dy, added into the row's accumulators from pixel mq
     * on: no column of dy is read outside the image, and nothing is summed for it.
     *
     *   tOff[t] = o·OH·OW − mp·OW                                             (t = (mq·MP + mp)·O + o, MP = KH/s, MQ = KW/s)
     *   wP[ph, pw, block, t, lane] = w[o, block·LANES + lane, ph + s·mp, pw + s·mq]
     *   acc[mq + j, lane] += Σ_(mp, o) dy[n·O·OH·OW + i0·OW + tOff[t] + j] · wP[ph, pw, block, t, lane]    j &lt; OW, each mq
     *   dx[n, block·LANES + lane, h, s·r + pw] = acc[r, lane]                  r &lt; W/s = OW + MQ − 1
     *
     * The rows i0 − mp outside [0, OH) are left out of each mq's range of t (mp inside mq, so the
     * valid ones are one stretch). Taken when s divides KH, KW and W, the input channels fill whole
     * blocks, a run kernel of stride 1 has a run of exactly OW pixels and the row's W/s pixels fit
     * in the accumulator tile (conv2: OW = 9, rows of 10; conv3: OW = 7, rows of 9). An earlier form
     * ran the row's W/s pixels over every tap through a zero-padded copy of dy, summing zeros: 1.29×
     * the multiply-adds for conv3, 1.11× for conv2.
     */

    /** The run kernel of the row-wise input gradient ({@link #inputRows}) for this shape, or null where it does not apply. */
    RunKernel inputRowKernel(Conv2dShape g) {
        int s = g.stride();
        if (g.pixelMajorOut()) return null;                                          // it reads rows of a channel-major dy
        if (g.padding() != 0 || g.inChannels() % LANES != 0 || g.kernelH() % s != 0 || g.kernelW() % s != 0 || g.inWidth() % s != 0) return null;
        if (g.inWidth() / s > (acc[0].length - ThreadTeam.PAD) / LANES) return null;                   // a row's pixels in one tile of accumulators
        return RunKernel.exact(runKernels, 1, g.outWidth());
    }

    private int[] tOff = new int[0];
    private int tapsPerPhase, channelBlocks;
    private RunKernel rowWriter;                                 // writes a row of W pixels back (stride 1): a kernel whose run is W, or null
    private final ThreadTeam.Job inputRowsJob = this::inputRowsTask;

    private void inputRows(Conv2dShape g, float[] dy, float[] w, float[] dx, float[] reluOutput, RunKernel run) {
        this.g = g;
        this.activeRun = run;
        this.reluOutput = reluOutput;
        int s = g.stride(), C = g.inChannels(), KH = g.kernelH(), KW = g.kernelW(), O = g.outChannels(), OH = g.outHeight(), OW = g.outWidth();
        int MP = KH / s, MQ = KW / s;
        tapsPerPhase = MP * MQ * O;
        channelBlocks = C / LANES;
        if (tOff.length < tapsPerPhase) tOff = new int[tapsPerPhase];
        for (int mq = 0, t = 0; mq < MQ; mq++)
            for (int mp = 0; mp < MP; mp++)
                for (int o = 0; o < O; o++) tOff[t++] = o * OH * OW - mp * OW;
        float[] wP = packedBuffer(s * s * channelBlocks * tapsPerPhase * LANES);
        for (int ph = 0; ph < s; ph++)
            for (int pw = 0; pw < s; pw++)
                for (int block = 0; block < channelBlocks; block++)
                    for (int mq = 0; mq < MQ; mq++)
                        for (int mp = 0; mp < MP; mp++)
                            for (int o = 0; o < O; o++) {
                                int dst = (((ph * s + pw) * channelBlocks + block) * tapsPerPhase + (mq * MP + mp) * O + o) * LANES;
                                int src = ((o * C + block * LANES) * KH + ph + s * mp) * KW + pw + s * mq;
                                for (int l = 0; l < LANES; l++) wP[dst + l] = w[src + l * KH * KW];
                            }
        rowWriter = s == 1 && !g.pixelMajorIn() ? RunKernel.exact(runKernels, 1, g.inWidth()) : null;
        this.x = dy;
        this.out = dx;
        team.run((g.batch() + IMAGES_PER_DATA_TASK - 1) / IMAGES_PER_DATA_TASK, inputRowsJob);
        this.out = this.x = this.reluOutput = null;
        this.activeRun = null;
    }

    /** Images [task·4, task·4 + 4): every row of their dx, then the ReLU's mask on them. */
    private void inputRowsTask(int task, int worker) {
        int s = g.stride(), C = g.inChannels(), H = g.inHeight(), W = g.inWidth(), O = g.outChannels(), OH = g.outHeight(), OW = g.outWidth();
        int MQ = g.kernelW() / s, MP = g.kernelH() / s, chw = C * H * W, cols = W / s;
        int n0 = task * IMAGES_PER_DATA_TASK, n1 = Math.min(g.batch(), n0 + IMAGES_PER_DATA_TASK);
        RunKernel rk = activeRun;
        float[] a = acc[worker], b = runAcc[worker];
        for (int n = n0; n < n1; n++) {
            for (int block = 0; block < channelBlocks; block++) {
                for (int h = 0; h < H; h++) {
                    int ph = h % s, i0 = h / s;
                    int mpLo = Math.max(0, i0 - OH + 1), mpHi = Math.min(MP - 1, i0);   // the taps whose row of dy exists
                    int base = (n * O * OH + i0) * OW;
                    for (int pw = 0; pw < s; pw++) {
                        int vecOff = ((ph * s + pw) * channelBlocks + block) * tapsPerPhase * LANES;
                        Arrays.fill(a, 0, cols * LANES, 0f);
                        for (int mq = 0; mpLo <= mpHi && mq < MQ; mq++) {
                            int t0 = mq * MP * O;
                            // the run's OW pixels from pixel mq of the row: through a tile of its own (a kernel that took an
                            // offset into acc kept one more register busy in every kernel: conv1's forward 1.13× as long)
                            System.arraycopy(a, mq * LANES, b, 0, OW * LANES);
                            rk.accumulate(x, base, tOff, t0 + mpLo * O, t0 + (mpHi + 1) * O, packed, vecOff, b);
                            System.arraycopy(b, 0, a, mq * LANES, OW * LANES);
                        }
                        if (g.pixelMajorIn()) {                                   // dx[n, h, s·r + pw][block's channels]: a copy a pixel
                            writePixels(a, out, ((n * H + h) * W + pw) * C + block * LANES, LANES, s * C, cols);
                            continue;
                        }
                        int dst = ((n * C + block * LANES) * H + h) * W + pw;
                        if (rowWriter != null) {
                            rowWriter.writeBack(a, out, dst, LANES, H * W);           // its run a constant: conv3's op alone 1.03× as fast
                            continue;
                        }
                        for (int l = 0; l < LANES; l++) {
                            int lane = dst + l * H * W;
                            for (int r = 0; r < cols; r++) out[lane + s * r] = a[r * LANES + l];
                        }
                    }
                }
            }
        }
        if (reluOutput != null) elementwise.reluGrad(reluOutput, out, out, n0 * chw, n1 * chw);
    }
}
