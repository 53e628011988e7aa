package dqnengine.backend.cpu;

import dqnengine.backend.Conv2dShape;

import java.util.Arrays;

/**
 * A forward convolution by Winograd's minimal filtering F(2×2, 2×2), for a channel-major x whose
 * kernel is twice the stride and whose output has an even height and width (the Nature network's
 * conv1: 8 × 8 at stride 4, 20 × 20 out, on the network's own input).
 *
 * <p><b>Stride phases.</b> As in {@link WinogradConv}: the s² phases (a, b) of x,
 * x_ab[c, u, v] = x[c, s·u + a, s·v + b], each meet a 2 × 2 kernel w_ab[o, c, mp, mq] =
 * w[o, c, a + s·mp, b + s·mq], a stride-1 convolution over K = C·s² phase channels k = (c·s + a)·s + b.
 *
 * <p><b>F(2, 2)</b>, two outputs of a two-tap correlation (y_i = d_i·g_0 + d_(i+1)·g_1) from three
 * products (Toom-Cook at the points 0, 1, ∞, with the signs of the third row chosen as below):
 * <pre>
 *   y = Aᵀ [(G g) ⊙ (Bᵀ d)]     Bᵀ = | 1 −1  0 |    G = | 1  0 |    Aᵀ = | 1  1  0 |
 *                                    | 0  1  0 |        | 1  1 |         | 0  1 −1 |
 *                                    | 0  1 −1 |        | 0  1 |
 * </pre>
 * (y_0 = (d_0 − d_1)·g_0 + d_1·(g_0 + g_1), y_1 = d_1·(g_0 + g_1) − (d_1 − d_2)·g_1.) In two
 * dimensions a 2 × 2 tile of y takes 9 products per phase channel and output channel where the
 * direct sum takes 16: 0.5625 of the multiply-adds, and the output 20 × 20 is 10 × 10 tiles exactly.
 *
 * <p><b>No copies into tiles.</b> Bᵀ only takes differences of neighbours s apart in x, so the nine
 * transformed inputs of every tile are read from four planes of the image: x itself, its
 * difference across columns D = x[·, col] − x[·, col + s], across rows E = x[row, ·] − x[row + s, ·],
 * and across both, DE. For the tile (ti, tj) and phase channel (c, a, b), with R = 2s·ti + a and
 * Q = 2s·tj + b, the position ξ = (ξi, ξj) of the 3 × 3 tile reads
 * <pre>
 *   ξj:      0                1               2
 *   ξi = 0:  DE[R, Q]         E[R, Q + s]     DE[R, Q + s]
 *   ξi = 1:  D[R + s, Q]      x[R + s, Q + s] D[R + s, Q + s]
 *   ξi = 2:  DE[R + s, Q]     E[R + s, Q + s] DE[R + s, Q + s]
 * </pre>
 * so the planes are whole rows of subtractions (vectors, no gathers), and each position's sum over
 * k is read straight from its plane by the direct convolution's {@link BroadcastKernel}, with row
 * bases and tap offsets as it reads x itself: M_ξ[tile, o] = Σ_k V_ξ[tile, k] · U_ξ[k, o] (rows =
 * tiles, lanes = output channels). This is what a channel-major x needs: {@link WinogradConv}'s
 * F(3, 2) transform mixes four neighbours per row and pays only on a pixel-major x.
 *
 * <p>One task per {@link #IMAGES_PER_TASK} images: their planes (conv1: 256 KB per image, in the
 * worker's L2), then per block of output channels and group of tiles the nine products and
 * Y = Aᵀ M A, bias and ReLU, written channel-major or pixel-major into y. The weights are
 * transformed on every call (U = G g Gᵀ, 9 × K × O floats), the online network's change every step.
 */
final class WinogradPlanes {
    /** Two images a task: 200 of conv1's tiles make 17 groups of 12 (2% of the rows repeated); one image, 9 for 100 (8%). */
    private static final int IMAGES_PER_TASK = 2;
    private static final int XI = 9;                          // positions of a 3 × 3 tile
    private static final int X = 0, D = 1, E = 2, DE = 3;     // the plane each position reads

    private final ThreadTeam team;
    private final BroadcastKernel kernel;
    private final Loops loops;
    private final int lanes, rows;
    private final float[][] planes;                           // [worker]: the task's planes, per image E, DE (C·fullPlane each), D (C·halfPlane)
    private final float[][][] m;                              // [worker][ξ]: M_ξ[row][lane] of one group, the kernel's accumulators
    private final int[][][] tileBase;                         // [worker][X, D, E or DE][tile of the task]: where its tile's reads start
    private final int[][] base;
    private final float[][] yTile;                            // [worker]: one tile's Y, [p·2 + q][lane], on its way to a channel-major y
    private float[] u = new float[0];                         // U[block][ξ][k][lane], each ξ xiPitch floats from the next
    private int xiPitch;
    private int[] kOffX = new int[0], kOffFull = new int[0], kOffHalf = new int[0];
    private final int[] plane = new int[XI], planeOff = new int[XI];
    private final ThreadTeam.Job job = this::task, weightJob = this::transformWeights;
    // The weight gradient's: each task's sums, kept apart and added in task order (the same bits however tasks fall to workers)
    private final ThreadTeam.Job gradientJob = this::gradientTask, reduceJob = this::reduceTask;
    private final float[][] dyT;                              // [worker]: the task's G dy Gᵀ, [block][ξ][tile][lane]
    private float[][][] taskAcc = new float[0][0][];          // [task][(block·9 + ξ)·groups + group of k][row·lanes + lane]: M_ξ[k, o] of the task's tiles
    private float[][] taskBias = new float[0][];              // [task][o]: the task's sums of dy
    private float[] dy, dw;
    private int groups;

    // The call in progress.
    private Conv2dShape g;
    private float[] x, w, bias, out;
    private boolean relu;
    private int phaseChannels, tilesPerImage, planeWidth, fullPlane, halfPlane, imagePlanes;

    /** @param loops the planes' subtractions and the output transform: {@link PlainLoops}, or {@link VectorPlanes} beside vector kernels */
    WinogradPlanes(ThreadTeam team, BroadcastKernel kernel, Loops loops) {
        this.team = team;
        this.kernel = kernel;
        this.loops = loops;
        this.lanes = kernel.lanes();
        this.rows = kernel.rows();
        this.planes = new float[team.size()][0];
        this.m = new float[team.size()][XI][rows * lanes + ThreadTeam.PAD];
        this.tileBase = new int[team.size()][4][0];
        this.base = new int[team.size()][rows + ThreadTeam.PAD];
        this.yTile = new float[team.size()][4 * lanes + ThreadTeam.PAD];
        this.dyT = new float[team.size()][0];
    }

    /** Whether the convolution is one this class computes (see the class comment), with this kernel's lanes. */
    static boolean applies(Conv2dShape g, int lanes) {
        int s = g.stride();
        return !g.pixelMajorIn() && g.padding() == 0 && g.kernelH() == 2 * s && g.kernelW() == 2 * s
                && g.outHeight() % 2 == 0 && g.outWidth() % 2 == 0 && g.outChannels() % lanes == 0;
    }

    void forward(Conv2dShape g, float[] x, float[] w, float[] b, float[] y, boolean relu) {
        int s = g.stride(), K = s * s * g.inChannels(), blocks = g.outChannels() / lanes;
        this.w = w;
        prepare(g, x);
        xiPitch = (K + 1) * lanes;                                // the nine positions of a tap not a multiple of 4 KB apart
        if (u.length < blocks * XI * xiPitch) u = new float[blocks * XI * xiPitch];
        team.run(blocks * s, weightJob);                          // (block, row phase a) a task
        this.bias = b;
        this.out = y;
        this.relu = relu;
        team.run(tasks(), job);
        this.x = this.w = this.bias = this.out = null;
    }

    private int tasks() { return (g.batch() + IMAGES_PER_TASK - 1) / IMAGES_PER_TASK; }

    /** The geometry of the planes and of the positions' reads, for either pass over x. */
    private void prepare(Conv2dShape g, float[] x) {
        int s = g.stride(), C = g.inChannels(), K = s * s * C;
        this.g = g;
        this.x = x;
        this.phaseChannels = K;
        int H = g.inHeight(), W = g.inWidth();
        planeWidth = s * g.outWidth();
        fullPlane = s * g.outHeight() * planeWidth;               // E and DE: s·OH rows of s·OW
        halfPlane = fullPlane / 2;                                // D: only the rows R + s (odd row blocks)
        imagePlanes = C * (2 * fullPlane + halfPlane);
        if (kOffX.length != K) {
            kOffX = new int[K];
            kOffFull = new int[K];
            kOffHalf = new int[K];
        }
        for (int c = 0; c < C; c++) {
            for (int a = 0; a < s; a++) {
                for (int bb = 0; bb < s; bb++) {
                    int k = (c * s + a) * s + bb;
                    kOffX[k] = (c * H + a) * W + bb;
                    kOffFull[k] = c * fullPlane + a * planeWidth + bb;
                    kOffHalf[k] = c * halfPlane + a * planeWidth + bb;
                }
            }
        }
        for (int xi = 0; xi < XI; xi++) {                         // the table of the class comment: plane, and offset from the tile's base
            int xiI = xi / 3, xiJ = xi % 3, ei = xiI > 0 ? s : 0, ej = xiJ > 0 ? s : 0;
            plane[xi] = xiI == 1 ? (xiJ == 1 ? X : D) : xiJ == 1 ? E : DE;
            planeOff[xi] = switch (plane[xi]) {
                case X -> s * W + s;
                case D -> ej;
                case E -> ei * planeWidth + s;
                default -> C * fullPlane + ei * planeWidth + ej;
            };
        }
        tilesPerImage = (g.outHeight() / 2) * (g.outWidth() / 2);
        int size = IMAGES_PER_TASK * imagePlanes;
        if (planes[0].length < size) for (int i = 0; i < planes.length; i++) planes[i] = new float[size];
        if (tileBase[0][0].length < IMAGES_PER_TASK * tilesPerImage) {
            for (int[][] t : tileBase) for (int i = 0; i < t.length; i++) t[i] = new int[IMAGES_PER_TASK * tilesPerImage];
        }
    }

    /** The planes of a task's images (n0 …) in the worker's buffer, and where each of its tiles' reads start; returns its tiles. */
    private int planesAndTiles(int task, int worker) {
        int N = g.batch(), n0 = task * IMAGES_PER_TASK, n1 = Math.min(N, n0 + IMAGES_PER_TASK);
        int tiles = (n1 - n0) * tilesPerImage, s = g.stride(), W = g.inWidth(), PW = planeWidth;
        float[] P = planes[worker];
        for (int n = n0; n < n1; n++) differences(P, n, (n - n0) * imagePlanes);
        int[][] tb = tileBase[worker];
        int tileCols = g.outWidth() / 2, xImage = g.inChannels() * g.inHeight() * W;
        for (int tile = 0; tile < tiles; tile++) {                        // (row 2s·ti, column 2s·tj) in x and in the planes
            int i = tile / tilesPerImage, t = tile % tilesPerImage, ti = t / tileCols, tj = t % tileCols;
            tb[X][tile] = (n0 + i) * xImage + 2 * s * ti * W + 2 * s * tj;
            tb[E][tile] = tb[DE][tile] = i * imagePlanes + 2 * s * ti * PW + 2 * s * tj;
            tb[D][tile] = i * imagePlanes + 2 * g.inChannels() * fullPlane + s * ti * PW + 2 * s * tj;
        }
        return tiles;
    }

    /** Whether {@link #weightGradient} computes this convolution's: as {@link #applies}, with dy pixel-major (a pixel's channels side by side). */
    static boolean appliesToWeights(Conv2dShape g, int lanes) {
        return applies(g, lanes) && g.pixelMajorOut();
    }

    /**
     * dw += ∂L/∂w and db += ∂L/∂b by the same F(2×2, 2×2): over a tile of dy (2 × 2 outputs), the
     * weight gradient of the 2 × 2 kernel w_ab is a two-tap correlation again, of x's 3 × 3 tile with
     * dy's 2 × 2 tile, so
     * <pre>
     *   dw_ab[o, c] = Aᵀ [Σ_tiles (Bᵀ d B) ⊙ (G dy Gᵀ)] A
     * </pre>
     * with the forward pass's transformed inputs V (the same planes) and dy transformed as the weights
     * are there: M_ξ[k, o] = Σ_tile V_ξ[tile, k] · (G dy Gᵀ)_ξ[tile, o], rows = phase channels, lanes =
     * output channels, t = tiles, on the same kernel. Each task (two images) keeps its own sums; they
     * are added in task order, then transformed into dw.
     */
    void weightGradient(Conv2dShape g, float[] x, float[] dy, float[] dw, float[] db) {
        prepare(g, x);
        int O = g.outChannels(), blocks = O / lanes, tasks = tasks();
        groups = (phaseChannels + rows - 1) / rows;
        int sums = blocks * XI * groups;
        if (taskAcc.length < tasks || taskAcc[0].length < sums) {
            taskAcc = new float[Math.max(tasks, taskAcc.length)][sums][rows * lanes + ThreadTeam.PAD];
            taskBias = new float[taskAcc.length][O + ThreadTeam.PAD];
        }
        if (taskBias[0].length < O + ThreadTeam.PAD) taskBias = new float[taskAcc.length][O + ThreadTeam.PAD];
        int dyTSize = blocks * XI * IMAGES_PER_TASK * tilesPerImage * lanes;
        if (dyT[0].length < dyTSize) for (int i = 0; i < dyT.length; i++) dyT[i] = new float[dyTSize];
        this.dy = dy;
        this.dw = dw;
        team.run(tasks, gradientJob);
        team.run(blocks * groups, reduceJob);
        for (int task = 0; task < tasks; task++) {
            for (int o = 0; o < O; o++) db[o] += taskBias[task][o];
        }
        this.x = this.dy = this.dw = null;
    }

    private void gradientTask(int task, int worker) {
        int K = phaseChannels, n0 = task * IMAGES_PER_TASK, tiles = planesAndTiles(task, worker), tileCols = g.outWidth() / 2;
        int O = g.outChannels(), OH = g.outHeight(), OW = g.outWidth(), blocks = O / lanes;
        float[] P = planes[worker], T = dyT[worker], sums = taskBias[task];
        int[][] tb = tileBase[worker];
        int[] rb = base[worker];
        Arrays.fill(sums, 0, O, 0f);
        for (int block = 0; block < blocks; block++) {                   // (G dy Gᵀ)[block][ξ][tile][lane], and the sums of dy
            for (int tile = 0; tile < tiles; tile++) {
                int n = n0 + tile / tilesPerImage, t = tile % tilesPerImage;
                int at = ((n * OH + 2 * (t / tileCols)) * OW + 2 * (t % tileCols)) * O + block * lanes;
                loops.dyTile(dy, at, O, OW * O, lanes, T, (block * XI * tiles + tile) * lanes, tiles * lanes, sums, block * lanes);
            }
        }
        float[][] acc = taskAcc[task];
        for (int block = 0; block < blocks; block++) {
            for (int xi = 0; xi < XI; xi++) {
                int[] kOff = plane[xi] == X ? kOffX : plane[xi] == D ? kOffHalf : kOffFull;
                float[] from = plane[xi] == X ? x : P;
                for (int group = 0; group < groups; group++) {
                    int k0 = group * rows;
                    for (int r = 0; r < rows; r++) rb[r] = kOff[Math.min(k0 + r, K - 1)] + planeOff[xi];   // a ragged group repeats its last k
                    float[] a = acc[(block * XI + xi) * groups + group];
                    Arrays.fill(a, 0f);
                    kernel.accumulate(from, rb, tb[plane[xi]], 0, tiles, T, (block * XI + xi) * tiles * lanes, a);
                }
            }
        }
    }

    /**
     * One group of phase channels of one block: its M_ξ summed over the tasks in order (whole tiles of
     * the kernel at a time), then for each k = (c·s + a)·s + b in it and lane o,
     * dw[o, c, a + s·mp, b + s·mq] += (Aᵀ M A)[mp, mq].
     */
    private void reduceTask(int unit, int worker) {
        int s = g.stride(), C = g.inChannels(), KH = g.kernelH(), KW = g.kernelW(), tasks = tasks();
        int block = unit / groups, group = unit % groups, size = rows * lanes;
        float[][] M = m[worker];
        for (int xi = 0; xi < XI; xi++) {
            float[] sum = M[xi];
            System.arraycopy(taskAcc[0][(block * XI + xi) * groups + group], 0, sum, 0, size);
            for (int task = 1; task < tasks; task++) {
                float[] part = taskAcc[task][(block * XI + xi) * groups + group];
                for (int i = 0; i < size; i++) sum[i] += part[i];
            }
        }
        for (int k = group * rows; k < Math.min(phaseChannels, (group + 1) * rows); k++) {
            int c = k / (s * s), a = (k / s) % s, bb = k % s, at = (k - group * rows) * lanes;
            for (int l = 0; l < lanes; l++) {
                int p = at + l, o = block * lanes + l, w0 = ((o * C + c) * KH + a) * KW + bb;
                float c01 = M[1][p] + M[4][p], c11 = M[4][p] - M[5][p];
                dw[w0] += (M[0][p] + M[3][p]) + c01;
                dw[w0 + s] += c01 - (M[2][p] + M[5][p]);
                dw[w0 + s * KW] += (M[3][p] + M[4][p]) - (M[6][p] + M[7][p]);
                dw[w0 + s * KW + s] += c11 - (M[7][p] - M[8][p]);
            }
        }
    }

    /**
     * U[block][ξ][k][lane] = (G g Gᵀ)[ξ] for g = w_ab[o, c] (o = block·lanes + lane), the row phase a
     * of one block: G g has the rows g_0, g_0 + g_1, g_1, and each row (h_0, h_1) times Gᵀ is
     * (h_0, h_0 + h_1, h_1).
     */
    private void transformWeights(int task, int worker) {
        int s = g.stride(), C = g.inChannels(), KH = g.kernelH(), KW = g.kernelW();
        int block = task / s, a = task % s, ohw = C * KH * KW, xi = xiPitch;
        for (int c = 0; c < C; c++) {
            for (int bb = 0; bb < s; bb++) {
                int k = (c * s + a) * s + bb, w0 = (c * KH + a) * KW + bb;
                for (int o = block * lanes; o < (block + 1) * lanes; o++) {
                    int at = o * ohw + w0;
                    float g00 = w[at], g01 = w[at + s], g10 = w[at + s * KW], g11 = w[at + s * KW + s];
                    float h0 = g00 + g10, h1 = g01 + g11;
                    int dst = block * XI * xi + k * lanes + o % lanes;
                    u[dst] = g00;          u[dst + xi] = g00 + g01;         u[dst + 2 * xi] = g01;
                    u[dst + 3 * xi] = h0;  u[dst + 4 * xi] = h0 + h1;       u[dst + 5 * xi] = h1;
                    u[dst + 6 * xi] = g10; u[dst + 7 * xi] = g10 + g11;     u[dst + 8 * xi] = g11;
                }
            }
        }
    }

    private void task(int task, int worker) {
        int K = phaseChannels, n0 = task * IMAGES_PER_TASK, tiles = planesAndTiles(task, worker), tileCols = g.outWidth() / 2;
        float[] P = planes[worker];
        int[][] tb = tileBase[worker];
        float[][] M = m[worker];
        int[] rb = base[worker];
        int blocks = g.outChannels() / lanes;
        for (int block = 0; block < blocks; block++) {
            for (int r0 = 0; r0 < tiles; r0 += rows) {
                int here = Math.min(rows, tiles - r0);
                for (int xi = 0; xi < XI; xi++) {
                    int[] from = tb[plane[xi]];
                    for (int r = 0; r < rows; r++) rb[r] = from[r0 + Math.min(r, here - 1)] + planeOff[xi];   // a ragged group repeats its last tile
                    float[] a = M[xi];
                    Arrays.fill(a, 0f);
                    int uOff = (block * XI + xi) * xiPitch;
                    if (plane[xi] == X) kernel.accumulate(x, rb, kOffX, 0, K, u, uOff, a);
                    else kernel.accumulate(P, rb, plane[xi] == D ? kOffHalf : kOffFull, 0, K, u, uOff, a);
                }
                outputTransform(M, yTile[worker], n0, r0, here, block * lanes, tileCols);
            }
        }
    }

    /**
     * Image n's planes from P[at], channel by channel, in one pass over the rows R &lt; s·OH of x, each
     * with the row R + s: E[R] and DE[R], and where R's block of s rows is even, D of the row R + s
     * (kept in D's compact row s·ti + a for R = 2s·ti + a).
     */
    private void differences(float[] P, int n, int at) {
        int s = g.stride(), C = g.inChannels(), H = g.inHeight(), W = g.inWidth(), PW = planeWidth, rowsFull = s * g.outHeight();
        for (int c = 0; c < C; c++) {
            int x0 = (n * C + c) * H * W, e = at + c * fullPlane, de = at + (C + c) * fullPlane, d = at + 2 * C * fullPlane + c * halfPlane;
            for (int row = 0; row < rowsFull; row++) {
                int xr = x0 + row * W, block = row / s;
                int dRow = block % 2 == 0 ? d + ((block / 2) * s + row % s) * PW : -1;
                loops.planes(x, xr, xr + s * W, s, P, e + row * PW, de + row * PW, dRow, PW);
            }
        }
    }

    /** Y = Aᵀ M A, plus the bias (and the ReLU), for each of the group's tiles, into y. */
    private void outputTransform(float[][] M, float[] scratch, int n0, int r0, int here, int o0, int tileCols) {
        int O = g.outChannels(), OH = g.outHeight(), OW = g.outWidth();
        boolean pixelMajor = g.pixelMajorOut();
        for (int r = 0; r < here; r++) {
            int tile = r0 + r, n = n0 + tile / tilesPerImage, t = tile % tilesPerImage;
            int i0 = 2 * (t / tileCols), j0 = 2 * (t % tileCols);
            if (pixelMajor) {
                loops.output(M, r * lanes, bias, o0, lanes, relu, out, ((n * OH + i0) * OW + j0) * O + o0, 1, O, OW * O, scratch);
            } else {
                loops.output(M, r * lanes, bias, o0, lanes, relu, out, ((n * O + o0) * OH + i0) * OW + j0, OH * OW, 1, OW, scratch);
            }
        }
    }

    /** The planes' subtractions, the output transform and dy's transform. */
    interface Loops {
        /**
         * G d Gᵀ for the 2 × 2 tile d of dy at dy[at + p·rowStep + q·colStep + l] (l &lt; lanes, each lane a channel):
         * ξ to T[to + ξ·xiStride + l], in the order d00, d00 + d01, d01, h0, h0 + h1, h1, d10, d10 + d11, d11 with
         * h0 = d00 + d10, h1 = d01 + d11; and sums[sumAt + l] += the tile's four values.
         */
        void dyTile(float[] dy, int at, int colStep, int rowStep, int lanes, float[] T, int to, int xiStride, float[] sums, int sumAt);

        /**
         * For i &lt; n, with t_j = x[top + j·s + i] and b_j = x[bottom + j·s + i] (a row of x and the row s below):
         * P[e + i] = t_0 − b_0, P[de + i] = (t_0 − t_1) − (b_0 − b_1), and where d ≥ 0, P[d + i] = b_0 − b_1.
         */
        void planes(float[] x, int top, int bottom, int s, float[] P, int e, int de, int d, int n);

        /**
         * One tile's Y = Aᵀ M A + bias (then the ReLU where asked) for lanes l &lt; lanes, M_ξ[l] = M[ξ][m + l]:
         * Y_pq of lane l to y[at + l·laneStride + p·rowStep + q·colStep]. {@code scratch} holds 4·lanes floats, for a
         * form that computes the lanes side by side and then writes them where they lie apart.
         */
        void output(float[][] M, int m, float[] bias, int o0, int lanes, boolean relu, float[] y, int at, int laneStride, int colStep, int rowStep,
                    float[] scratch);
    }

    /** The loops one value at a time. (C2 does not vectorize them itself: x and P might be one array.) */
    static class PlainLoops implements Loops {
        @Override
        public void dyTile(float[] dy, int at, int colStep, int rowStep, int lanes, float[] T, int to, int xiStride, float[] sums, int sumAt) {
            for (int l = 0; l < lanes; l++) {
                float d00 = dy[at + l], d01 = dy[at + colStep + l], d10 = dy[at + rowStep + l], d11 = dy[at + rowStep + colStep + l];
                float h0 = d00 + d10, h1 = d01 + d11;
                int v = to + l;
                T[v] = d00;                  T[v + xiStride] = d00 + d01;       T[v + 2 * xiStride] = d01;
                T[v + 3 * xiStride] = h0;    T[v + 4 * xiStride] = h0 + h1;     T[v + 5 * xiStride] = h1;
                T[v + 6 * xiStride] = d10;   T[v + 7 * xiStride] = d10 + d11;   T[v + 8 * xiStride] = d11;
                sums[sumAt + l] += h0 + h1;
            }
        }

        @Override
        public void planes(float[] x, int top, int bottom, int s, float[] P, int e, int de, int d, int n) {
            for (int i = 0; i < n; i++) {
                float t0 = x[top + i], t1 = x[top + s + i], b0 = x[bottom + i], b1 = x[bottom + s + i];
                P[e + i] = t0 - b0;
                P[de + i] = (t0 - t1) - (b0 - b1);
                if (d >= 0) P[d + i] = b0 - b1;
            }
        }

        @Override
        public void output(float[][] M, int m, float[] bias, int o0, int lanes, boolean relu, float[] y, int at, int laneStride, int colStep, int rowStep,
                           float[] scratch) {
            for (int l = 0; l < lanes; l++) {
                int p = m + l;
                float m00 = M[0][p], m01 = M[1][p], m02 = M[2][p];
                float m10 = M[3][p], m11 = M[4][p], m12 = M[5][p];
                float m20 = M[6][p], m21 = M[7][p], m22 = M[8][p];
                float b = bias[o0 + l], c01 = m01 + m11, c11 = m11 - m12;
                float y00 = (m00 + m10) + c01 + b, y01 = c01 - (m02 + m12) + b;
                float y10 = (m10 + m11) - (m20 + m21) + b, y11 = c11 - (m21 - m22) + b;
                if (relu) {
                    y00 = Math.max(0f, y00);
                    y01 = Math.max(0f, y01);
                    y10 = Math.max(0f, y10);
                    y11 = Math.max(0f, y11);
                }
                int dst = at + l * laneStride;
                y[dst] = y00;
                y[dst + colStep] = y01;
                y[dst + rowStep] = y10;
                y[dst + rowStep + colStep] = y11;
            }
        }
    }
}
