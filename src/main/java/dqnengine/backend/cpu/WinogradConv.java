package dqnengine.backend.cpu;

import dqnengine.backend.Conv2dShape;

import java.util.Arrays;

/**
 * A forward convolution by Winograd's minimal filtering F(3×3, 2×2), and its weight gradient by F(2, 3)
 * ({@link #weightGradient}), for a pixel-major x whose
 * kernel is twice the stride (the Nature network's conv2: 4 × 4 at stride 2; see
 * {@link Conv2dShape} for the layout).
 *
 * <p><b>Stride phases.</b> At stride s with a 2s × 2s kernel, each of the s² phases (a, b) of x,
 * x_ab[n, u, v, c] = x[n, s·u + a, s·v + b, c], meets the 2 × 2 taps w_ab[o, c, mp, mq] =
 * w[o, c, a + s·mp, b + s·mq], and
 * <pre>
 *   y[n, o, i, j] = b[o] + Σ_(a, b, c) Σ_(mp, mq) x_ab[n, i + mp, j + mq, c] · w_ab[o, c, mp, mq]
 * </pre>
 * a stride-1 convolution with a 2 × 2 kernel over K = s²·C phase channels k = (a·s + b)·C + c.
 *
 * <p><b>F(3, 2)</b> (Lavin &amp; Gray, "Fast Algorithms for Convolutional Neural Networks", 2016;
 * the matrices here from the Toom-Cook construction at the points 0, 1, −1, ∞): three outputs of a
 * two-tap correlation, y_i = d_i·g_0 + d_(i+1)·g_1, from four products,
 * <pre>
 *   y = Aᵀ [(G g) ⊙ (Bᵀ d)]     Bᵀ = | 1  0 −1  0 |    G = | 1    0  |    Aᵀ = | 1  1  1  0 |
 *                                    | 0  1  1  0 |        | ½    ½  |         | 0  1 −1  0 |
 *                                    | 0 −1  1  0 |        | ½   −½  |         | 0  1  1  1 |
 *                                    | 0 −1  0  1 |        | 0    1  |
 * </pre>
 * and in two dimensions, for a 3 × 3 tile of y from a 4 × 4 tile d of each phase channel,
 * Y = Aᵀ [Σ_k (G g_k Gᵀ) ⊙ (Bᵀ d_k B)] A: 16 products per phase channel and output channel where
 * the direct sum takes 36, 0.44 of the multiply-adds. For each of the 16 positions ξ of the 4 × 4
 * tile the sum over k is a product of matrices, M_ξ[tile, o] = Σ_k V_ξ[tile, k] · U_ξ[k, o], which
 * the direct convolution's {@link BroadcastKernel} computes (rows = tiles, lanes = output channels,
 * t = k), so the products run at the kernel's speed.
 *
 * <p>It pays only with a pixel-major x: a tile's 16 inputs of phase channel (a, b, c) for the C
 * channels of one pixel lie side by side, so the input transform reads x in order (with x
 * channel-major the twelfth session measured the copies into phases costing what the products
 * saved). One task per 4 images: their input transform V (16 × tiles × K floats, in the worker's L2),
 * then per block of output channels and group of tile rows the 16 products and the output transform,
 * bias and ReLU, written channel-major (or pixel-major) into y. The weights are transformed on every
 * call (U = G g Gᵀ, 16 × K × O floats), since the online network's change every step.
 */
final class WinogradConv {
    private static final int IMAGES_PER_TASK = 4;
    private static final int XI = 16;                         // positions of a 4 × 4 tile

    private final ThreadTeam team;
    private final BroadcastKernel kernel;
    private final int lanes, rows;
    private final float[][] v, m, acc;                        // [worker]: the task's V[ξ][tile][k]; M[ξ][row][lane]; one product's tile
    private final Tiles tileTransform;
    private final int[][] base;
    private float[] u = new float[0];                         // U[block][ξ][k][lane], each ξ xiPitch floats from the next
    private int xiPitch;                                      // K·lanes + lanes: 16 KB apart (conv2), the 16 ξ of a tap fell in one L1 set
    private int[] kOff = new int[0];
    private final ThreadTeam.Job job = this::task, weightJob = this::transformWeights;
    // The weight gradient's: V and G dy Gᵀ of the whole batch, then each (block, ξ) over every tile, then dw
    private final ThreadTeam.Job gradientInputJob = this::gradientInputs, gradientProductJob = this::gradientProducts,
            gradientOutputJob = this::gradientOutputs;
    private float[] vAll = new float[0], dyAll = new float[0];  // V[ξ][tile][k]; (G dy Gᵀ)[block][ξ][tile][lane], every tile of the batch (xiTiles per ξ)
    private float[][] mAll = new float[0][];                    // [(block·16 + ξ)·groups + group of k][row·lanes + lane]: M_ξ[k, o]
    private float[][] imageSums = new float[0][];               // [n][o]: Σ dy of image n, added in image order into db
    private int[] tileOff = new int[0];
    private final float[][] dyPixels;                          // [worker]: one image of a channel-major dy, pixel-major
    private float[] dy, dw;
    private int groups, allTiles, xiTiles;

    // The call in progress.
    private Conv2dShape g;
    private float[] x, w, bias, out;
    private boolean relu;
    private int phaseChannels, tilesPerImage;

    /** @param tiles the input transform's loop: {@link PlainTiles}, or {@link VectorTiles} beside vector kernels */
    WinogradConv(ThreadTeam team, BroadcastKernel kernel, Tiles tiles) {
        this.team = team;
        this.tileTransform = tiles;
        this.kernel = kernel;
        this.lanes = kernel.lanes();
        this.rows = kernel.rows();
        this.v = new float[team.size()][0];
        this.m = new float[team.size()][XI * rows * lanes + ThreadTeam.PAD];
        this.acc = new float[team.size()][rows * lanes + ThreadTeam.PAD];
        this.base = new int[team.size()][rows + ThreadTeam.PAD];
        this.dyPixels = new float[team.size()][0];
    }

    /** Whether the convolution is one this class computes (see the class comment), with this kernel's lanes. */
    static boolean applies(Conv2dShape g, int lanes) {
        int s = g.stride();
        return g.pixelMajorIn() && g.padding() == 0 && g.kernelH() == 2 * s && g.kernelW() == 2 * s
                && g.outHeight() % 3 == 0 && g.outWidth() % 3 == 0 && g.outChannels() % lanes == 0;
    }

    void forward(Conv2dShape g, float[] x, float[] w, float[] b, float[] y, boolean relu) {
        int s = g.stride(), K = s * s * g.inChannels(), blocks = g.outChannels() / lanes;
        xiPitch = (K + 1) * lanes;
        if (u.length < blocks * XI * xiPitch) u = new float[blocks * XI * xiPitch];
        this.g = g;
        this.w = w;
        this.phaseChannels = K;
        team.run(blocks, weightJob);                              // a block of output channels a task (conv2: both threads)
        if (kOff.length < K) {
            kOff = new int[K];
            for (int k = 0; k < K; k++) kOff[k] = k;
        }
        tilesPerImage = (g.outHeight() / 3) * (g.outWidth() / 3);
        int size = XI * IMAGES_PER_TASK * tilesPerImage * K;
        if (v[0].length < size) for (int i = 0; i < v.length; i++) v[i] = new float[size];
        this.x = x;
        this.bias = b;
        this.out = y;
        this.relu = relu;
        team.run((g.batch() + IMAGES_PER_TASK - 1) / IMAGES_PER_TASK, job);
        this.x = this.w = this.bias = this.out = null;
    }

    /**
     * dw += ∂L/∂w and db += ∂L/∂b by Winograd's F(2, 3) over the same tiles: over a 3 × 3 tile of dy,
     * the gradient of the 2 × 2 kernel w_ab is a correlation of x's 4 × 4 tile (the forward pass's d)
     * with dy's tile, two outputs of a three-tap filter in each dimension,
     * <pre>
     *   dw_ab[o, c] = A'ᵀ [Σ_tiles (Bᵀ d B) ⊙ (G' dy G'ᵀ)] A'     G' = | 1    0   0  |    A'ᵀ = | 1  1  1  0 |
     *                                                                 | ½    ½   ½  |          | 0  1 −1  1 |
     *                                                                 | ½   −½   ½  |
     *                                                                 | 0    0   1  |
     * </pre>
     * with the forward pass's Bᵀ (the same four points), so V is the forward pass's. 16 products per
     * tile where the direct sum takes 36. Three passes: V and G' dy G'ᵀ of every tile of the batch
     * (four images a task); for each block of output channels and position ξ, M_ξ[k, o] =
     * Σ_tile V_ξ[tile, k] · (G' dy G'ᵀ)_ξ[tile, o] over all tiles at once on the kernel (rows = phase
     * channels, t = tiles: each sum in one place, so the bits do not depend on the workers); then
     * dw from M. dy may be either layout.
     */
    void weightGradient(Conv2dShape g, float[] x, float[] dy, float[] dw, float[] db) {
        int s = g.stride(), K = s * s * g.inChannels(), O = g.outChannels(), blocks = O / lanes, N = g.batch();
        this.g = g;
        this.phaseChannels = K;
        tilesPerImage = (g.outHeight() / 3) * (g.outWidth() / 3);
        allTiles = N * tilesPerImage;
        groups = (K + rows - 1) / rows;
        xiTiles = allTiles + 1;                                   // each ξ a tile more than the batch's apart: 288 tiles put them 144 KB (V)
        if (vAll.length < XI * xiTiles * K) vAll = new float[XI * xiTiles * K];                  // and 36 KB (dy's) apart, 4 KB multiples, and
        if (dyAll.length < blocks * XI * xiTiles * lanes) dyAll = new float[blocks * XI * xiTiles * lanes];   // a tile's 16 writes fell in one L1 set
        if (mAll.length < blocks * XI * groups) mAll = new float[blocks * XI * groups][rows * lanes + ThreadTeam.PAD];
        if (imageSums.length < N || imageSums[0].length < O + ThreadTeam.PAD) imageSums = new float[Math.max(N, imageSums.length)][O + ThreadTeam.PAD];
        if (tileOff.length != allTiles || (allTiles > 1 && tileOff[1] != K)) {     // tile t's phase channels start t·K into each ξ of V
            tileOff = new int[allTiles];
            for (int t = 0; t < allTiles; t++) tileOff[t] = t * K;
        }
        this.x = x;
        this.dy = dy;
        this.dw = dw;
        team.run((N + IMAGES_PER_TASK - 1) / IMAGES_PER_TASK, gradientInputJob);
        team.run(blocks * XI, gradientProductJob);
        team.run(blocks * groups, gradientOutputJob);
        for (int n = 0; n < N; n++) {
            for (int o = 0; o < O; o++) db[o] += imageSums[n][o];
        }
        this.x = this.dy = this.dw = null;
    }

    /**
     * V of four images, and G' dy G'ᵀ of their tiles with each image's sums of dy. The transform takes a
     * vector of output channels at a time from a pixel-major dy: a channel-major one is first copied
     * pixel-major, image by image (its 16 values a tile, one channel at a time, took 0.48 of conv2's
     * 1.3 ms on one thread).
     */
    private void gradientInputs(int task, int worker) {
        int N = g.batch(), n0 = task * IMAGES_PER_TASK, n1 = Math.min(N, n0 + IMAGES_PER_TASK);
        inputTransform(vAll, n0, n1, xiTiles, n0 * tilesPerImage);
        int O = g.outChannels(), OH = g.outHeight(), OW = g.outWidth(), ohw = OH * OW, tileCols = OW / 3, blocks = O / lanes;
        if (!g.pixelMajorOut() && dyPixels[worker].length < ohw * O) dyPixels[worker] = new float[ohw * O];   // (pixel-major: read in place)
        for (int n = n0; n < n1; n++) {
            float[] sums = imageSums[n], src;
            int base;
            if (g.pixelMajorOut()) {
                src = dy;
                base = n * ohw * O;
                Arrays.fill(sums, 0, O, 0f);
                for (int p = 0; p < ohw; p++) {
                    for (int o = 0; o < O; o++) sums[o] += dy[base + p * O + o];
                }
            } else {
                src = dyPixels[worker];
                base = 0;
                for (int o = 0; o < O; o++) {
                    int from = (n * O + o) * ohw;
                    float sum = 0f;
                    for (int p = 0; p < ohw; p++) {
                        float v = dy[from + p];
                        src[p * O + o] = v;
                        sum += v;
                    }
                    sums[o] = sum;
                }
            }
            for (int t = 0; t < tilesPerImage; t++) {
                int at = base + (3 * (t / tileCols) * OW + 3 * (t % tileCols)) * O;
                for (int block = 0; block < blocks; block++) {
                    tileTransform.gradient(src, at + block * lanes, OW * O, O, lanes, dyAll,
                            ((block * XI) * xiTiles + n * tilesPerImage + t) * lanes, xiTiles * lanes);
                }
            }
        }
    }

    /** M_ξ[k, o] of one block and position, every group of phase channels summed over every tile of the batch. */
    private void gradientProducts(int unit, int worker) {
        int block = unit / XI, xi = unit % XI, K = phaseChannels;
        int[] rb = base[worker];
        for (int group = 0; group < groups; group++) {
            int k0 = group * rows;
            for (int r = 0; r < rows; r++) rb[r] = xi * xiTiles * K + Math.min(k0 + r, K - 1);    // a ragged group repeats its last k
            float[] a = mAll[(block * XI + xi) * groups + group];
            Arrays.fill(a, 0f);
            kernel.accumulate(vAll, rb, tileOff, 0, allTiles, dyAll, (block * XI + xi) * xiTiles * lanes, a);
        }
    }

    /** dw[o, c, a + s·mp, b + s·mq] += (A'ᵀ M A')[mp, mq] for the phase channels k = (a·s + b)·C + c of one group and block. */
    private void gradientOutputs(int unit, int worker) {
        int s = g.stride(), C = g.inChannels(), KH = g.kernelH(), KW = g.kernelW();
        int block = unit / groups, group = unit % groups, first = block * XI * groups + group;   // M_ξ is mAll[first + ξ·groups]
        for (int k = group * rows; k < Math.min(phaseChannels, (group + 1) * rows); k++) {
            int ab = k / C, c = k % C, a = ab / s, bb = ab % s, at = (k - group * rows) * lanes;
            for (int l = 0; l < lanes; l++) {
                int o = block * lanes + l, w0 = ((o * C + c) * KH + a) * KW + bb, p = at + l;
                // A'ᵀ M: for each column ξj the rows (M_0 + M_1) + M_2 and (M_1 − M_2) + M_3 (M_i = M_(4i + ξj)); then the same across
                float t00 = (m(first, 0, p) + m(first, 4, p)) + m(first, 8, p), t10 = (m(first, 4, p) - m(first, 8, p)) + m(first, 12, p);
                float t01 = (m(first, 1, p) + m(first, 5, p)) + m(first, 9, p), t11 = (m(first, 5, p) - m(first, 9, p)) + m(first, 13, p);
                float t02 = (m(first, 2, p) + m(first, 6, p)) + m(first, 10, p), t12 = (m(first, 6, p) - m(first, 10, p)) + m(first, 14, p);
                float t03 = (m(first, 3, p) + m(first, 7, p)) + m(first, 11, p), t13 = (m(first, 7, p) - m(first, 11, p)) + m(first, 15, p);
                dw[w0] += (t00 + t01) + t02;
                dw[w0 + s] += (t01 - t02) + t03;
                dw[w0 + s * KW] += (t10 + t11) + t12;
                dw[w0 + s * KW + s] += (t11 - t12) + t13;
            }
        }
    }

    private float m(int first, int xi, int p) { return mAll[first + xi * groups][p]; }

    /**
     * U[block][ξ][k][lane] = (G g Gᵀ)[ξ] for g = w_ab[o, c] (o = block·lanes + lane, k = (a·s + b)·C + c).
     * The output channels innermost, so that each position's lanes are written side by side (with the
     * channels outermost, every write fell on another cache line: 0.46 ms of a 2.0 ms pass, one thread).
     */
    private void transformWeights(int block, int worker) {
        int s = g.stride(), C = g.inChannels(), KH = g.kernelH(), KW = g.kernelW();
        int ohw = C * KH * KW;                                     // w[o + 1] is this far from w[o]
        for (int a = 0; a < s; a++) {
            for (int bb = 0; bb < s; bb++) {
                for (int c = 0; c < C; c++) {
                    int k = (a * s + bb) * C + c, w0 = (c * KH + a) * KW + bb;
                    for (int o = block * lanes; o < (block + 1) * lanes; o++) {
                        int at = o * ohw + w0;
                        float g00 = w[at], g01 = w[at + s], g10 = w[at + s * KW], g11 = w[at + s * KW + s];
                        // G g: rows (g00, g01), ½(g0 + g1), ½(g0 − g1), (g10, g11); then each row (h0, h1) to (h0, ½(h0 + h1), ½(h0 − h1), h1)
                        float h20 = 0.5f * (g00 + g10), h21 = 0.5f * (g01 + g11), h30 = 0.5f * (g00 - g10), h31 = 0.5f * (g01 - g11);
                        int dst = (o / lanes) * XI * xiPitch + k * lanes + o % lanes, xi = xiPitch;
                        u[dst] = g00;                       u[dst + xi] = 0.5f * (g00 + g01);
                        u[dst + 2 * xi] = 0.5f * (g00 - g01); u[dst + 3 * xi] = g01;
                        u[dst + 4 * xi] = h20;              u[dst + 5 * xi] = 0.5f * (h20 + h21);
                        u[dst + 6 * xi] = 0.5f * (h20 - h21); u[dst + 7 * xi] = h21;
                        u[dst + 8 * xi] = h30;              u[dst + 9 * xi] = 0.5f * (h30 + h31);
                        u[dst + 10 * xi] = 0.5f * (h30 - h31); u[dst + 11 * xi] = h31;
                        u[dst + 12 * xi] = g10;             u[dst + 13 * xi] = 0.5f * (g10 + g11);
                        u[dst + 14 * xi] = 0.5f * (g10 - g11); u[dst + 15 * xi] = g11;
                    }
                }
            }
        }
    }

    private void task(int task, int worker) {
        int N = g.batch(), n0 = task * IMAGES_PER_TASK, n1 = Math.min(N, n0 + IMAGES_PER_TASK);
        int K = phaseChannels, tiles = (n1 - n0) * tilesPerImage;
        float[] V = v[worker];
        inputTransform(V, n0, n1, tiles, 0);
        float[] M = m[worker], a = acc[worker];
        int[] rb = base[worker];
        int O = g.outChannels(), blocks = O / lanes, tileCols = g.outWidth() / 3;
        for (int block = 0; block < blocks; block++) {
            for (int r0 = 0; r0 < tiles; r0 += rows) {
                int here = Math.min(rows, tiles - r0);
                for (int xi = 0; xi < XI; xi++) {
                    for (int r = 0; r < rows; r++) rb[r] = (xi * tiles + r0 + Math.min(r, here - 1)) * K;   // a ragged group repeats its last tile
                    Arrays.fill(a, 0f);
                    kernel.accumulate(V, rb, kOff, 0, K, u, (block * XI + xi) * xiPitch, a);
                    System.arraycopy(a, 0, M, xi * rows * lanes, rows * lanes);
                }
                outputTransform(M, n0, r0, here, block * lanes, tileCols);
            }
        }
    }

    /**
     * V[ξ][tile][k] = (Bᵀ d B)[ξ] for the 4 × 4 tile d of phase channel k under output tile `tile`
     * (images n0 … n1 − 1 from tile firstTile on, tiles row by row within each image, each ξ xiTiles
     * tiles from the next); a pixel's C channels lie side by side in x and go to neighbouring k ({@link Tiles}).
     */
    private void inputTransform(float[] V, int n0, int n1, int xiTiles, int firstTile) {
        int s = g.stride(), C = g.inChannels(), H = g.inHeight(), W = g.inWidth(), K = phaseChannels;
        int tileRows = g.outHeight() / 3, tileCols = g.outWidth() / 3;
        int dRow = s * W * C, dCol = s * C, xiStride = xiTiles * K;  // neighbours in a phase: s rows, s pixels apart
        for (int n = n0; n < n1; n++) {
            for (int ti = 0; ti < tileRows; ti++) {
                for (int tj = 0; tj < tileCols; tj++) {
                    int tile = firstTile + (n - n0) * tilesPerImage + ti * tileCols + tj;
                    for (int a = 0; a < s; a++) {
                        for (int bb = 0; bb < s; bb++) {
                            int x00 = ((n * H + s * 3 * ti + a) * W + s * 3 * tj + bb) * C;     // d[α][β][c] = x[x00 + α·dRow + β·dCol + c]
                            tileTransform.input(x, x00, dRow, dCol, C, V, tile * K + (a * s + bb) * C, xiStride);
                        }
                    }
                }
            }
        }
    }

    /**
     * The input transform of C neighbouring channels of one tile and phase:
     * V[to + ξ·xiStride + c] = (Bᵀ d B)[ξ] with d[α][β] = x[at + α·dRow + β·dCol + c].
     * Bᵀ d takes the rows d0 − d2, d1 + d2, d2 − d1, d3 − d1, and (Bᵀ d) B the same of the columns.
     */
    interface Tiles {
        void input(float[] x, int at, int dRow, int dCol, int C, float[] V, int to, int xiStride);

        /**
         * The weight gradient's transform of dy: T[to + ξ·xiStride + l] = (G' g G'ᵀ)[ξ] for the 3 × 3 tile
         * g[i][j] = dy[at + i·dRow + j·dCol + l] of each of {@code lanes} neighbouring channels l. G' takes the
         * rows g0, ½g0 + ½g1 + ½g2, ½g0 − ½g1 + ½g2, g2 (row i: the coefficients {@link #ROW_G}), G'ᵀ the same of the columns.
         */
        void gradient(float[] dy, int at, int dRow, int dCol, int lanes, float[] T, int to, int xiStride);
    }

    /** G''s rows: row i of G' g is ROW_G[i]·(g0, g1, g2). */
    static final float[][] ROW_G = {{1f, 0f, 0f}, {0.5f, 0.5f, 0.5f}, {0.5f, -0.5f, 0.5f}, {0f, 0f, 1f}};

    /** One channel at a time. (C2 does not vectorize these loops over c itself: x and V might be one array.) */
    static class PlainTiles implements Tiles {
        @Override
        public void gradient(float[] dy, int at, int dRow, int dCol, int lanes, float[] T, int to, int xiStride) {
            for (int l = 0; l < lanes; l++) {
                for (int i = 0; i < 4; i++) {
                    float a = ROW_G[i][0], b = ROW_G[i][1], c = ROW_G[i][2];
                    int r0 = at + l, r1 = r0 + dRow, r2 = r1 + dRow, v = to + 4 * i * xiStride + l;
                    float h0 = a * dy[r0] + b * dy[r1] + c * dy[r2];
                    float h1 = a * dy[r0 + dCol] + b * dy[r1 + dCol] + c * dy[r2 + dCol];
                    float h2 = a * dy[r0 + 2 * dCol] + b * dy[r1 + 2 * dCol] + c * dy[r2 + 2 * dCol];
                    T[v] = h0;
                    T[v + xiStride] = 0.5f * h0 + 0.5f * h1 + 0.5f * h2;
                    T[v + 2 * xiStride] = 0.5f * h0 - 0.5f * h1 + 0.5f * h2;
                    T[v + 3 * xiStride] = h2;
                }
            }
        }

        @Override
        public void input(float[] x, int at, int dRow, int dCol, int C, float[] V, int to, int xiStride) {
            for (int c = 0; c < C; c++) {
                int r0 = at + c, r1 = r0 + dRow, r2 = r1 + dRow, r3 = r2 + dRow;
                float e00 = x[r0] - x[r2], e01 = x[r0 + dCol] - x[r2 + dCol], e02 = x[r0 + 2 * dCol] - x[r2 + 2 * dCol], e03 = x[r0 + 3 * dCol] - x[r2 + 3 * dCol];
                float e10 = x[r1] + x[r2], e11 = x[r1 + dCol] + x[r2 + dCol], e12 = x[r1 + 2 * dCol] + x[r2 + 2 * dCol], e13 = x[r1 + 3 * dCol] + x[r2 + 3 * dCol];
                float e20 = x[r2] - x[r1], e21 = x[r2 + dCol] - x[r1 + dCol], e22 = x[r2 + 2 * dCol] - x[r1 + 2 * dCol], e23 = x[r2 + 3 * dCol] - x[r1 + 3 * dCol];
                float e30 = x[r3] - x[r1], e31 = x[r3 + dCol] - x[r1 + dCol], e32 = x[r3 + 2 * dCol] - x[r1 + 2 * dCol], e33 = x[r3 + 3 * dCol] - x[r1 + 3 * dCol];
                int v = to + c;
                V[v] = e00 - e02;                  V[v + xiStride] = e01 + e02;
                V[v + 2 * xiStride] = e02 - e01;   V[v + 3 * xiStride] = e03 - e01;
                V[v + 4 * xiStride] = e10 - e12;   V[v + 5 * xiStride] = e11 + e12;
                V[v + 6 * xiStride] = e12 - e11;   V[v + 7 * xiStride] = e13 - e11;
                V[v + 8 * xiStride] = e20 - e22;   V[v + 9 * xiStride] = e21 + e22;
                V[v + 10 * xiStride] = e22 - e21;  V[v + 11 * xiStride] = e23 - e21;
                V[v + 12 * xiStride] = e30 - e32;  V[v + 13 * xiStride] = e31 + e32;
                V[v + 14 * xiStride] = e32 - e31;  V[v + 15 * xiStride] = e33 - e31;
            }
        }
    }

    /** Y = Aᵀ M A for each of the group's tiles and lanes, plus the bias (and the ReLU), into y. */
    private void outputTransform(float[] M, int n0, int r0, int here, int o0, int tileCols) {
        int O = g.outChannels(), OH = g.outHeight(), OW = g.outWidth(), plane = rows * lanes;
        boolean pixelMajor = g.pixelMajorOut();
        for (int r = 0; r < here; r++) {
            int tile = r0 + r, n = n0 + tile / tilesPerImage, t = tile % tilesPerImage;
            int i0 = 3 * (t / tileCols), j0 = 3 * (t % tileCols);
            for (int l = 0; l < lanes; l++) {
                int at = r * lanes + l;
                float m00 = M[at], m01 = M[at + plane], m02 = M[at + 2 * plane], m03 = M[at + 3 * plane];
                float m10 = M[at + 4 * plane], m11 = M[at + 5 * plane], m12 = M[at + 6 * plane], m13 = M[at + 7 * plane];
                float m20 = M[at + 8 * plane], m21 = M[at + 9 * plane], m22 = M[at + 10 * plane], m23 = M[at + 11 * plane];
                float m30 = M[at + 12 * plane], m31 = M[at + 13 * plane], m32 = M[at + 14 * plane], m33 = M[at + 15 * plane];
                // Aᵀ M: rows m0 + m1 + m2, m1 − m2, m1 + m2 + m3
                float q00 = m00 + m10 + m20, q01 = m01 + m11 + m21, q02 = m02 + m12 + m22, q03 = m03 + m13 + m23;
                float q10 = m10 - m20, q11 = m11 - m21, q12 = m12 - m22, q13 = m13 - m23;
                float q20 = m10 + m20 + m30, q21 = m11 + m21 + m31, q22 = m12 + m22 + m32, q23 = m13 + m23 + m33;
                int o = o0 + l;
                float bo = bias[o];
                write(n, o, i0, j0, q00 + q01 + q02 + bo, q01 - q02 + bo, q01 + q02 + q03 + bo, O, OH, OW, pixelMajor);
                write(n, o, i0 + 1, j0, q10 + q11 + q12 + bo, q11 - q12 + bo, q11 + q12 + q13 + bo, O, OH, OW, pixelMajor);
                write(n, o, i0 + 2, j0, q20 + q21 + q22 + bo, q21 - q22 + bo, q21 + q22 + q23 + bo, O, OH, OW, pixelMajor);
            }
        }
    }

    /** Three neighbouring outputs of one row, channel o, after the ReLU where asked. */
    private void write(int n, int o, int i, int j, float y0, float y1, float y2, int O, int OH, int OW, boolean pixelMajor) {
        if (relu) {
            y0 = Math.max(0f, y0);
            y1 = Math.max(0f, y1);
            y2 = Math.max(0f, y2);
        }
        if (pixelMajor) {
            int at = ((n * OH + i) * OW + j) * O + o;
            out[at] = y0;
            out[at + O] = y1;
            out[at + 2 * O] = y2;
        } else {
            int at = ((n * O + o) * OH + i) * OW + j;
            out[at] = y0;
            out[at + 1] = y1;
            out[at + 2] = y2;
        }
    }
}
