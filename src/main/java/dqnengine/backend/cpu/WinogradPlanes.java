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
 * products (Toom-Cook at the points 0, −1, ∞, with the signs of the third row chosen as below):
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
        this.m = new float[team.size()][XI][rows * lanes];
        this.tileBase = new int[team.size()][4][0];
        this.base = new int[team.size()][rows];
        this.yTile = new float[team.size()][4 * lanes];
    }

    /** Whether the convolution is one this class computes (see the class comment), with this kernel's lanes. */
    static boolean applies(Conv2dShape g, int lanes) {
        int s = g.stride();
        return !g.pixelMajorIn() && g.padding() == 0 && g.kernelH() == 2 * s && g.kernelW() == 2 * s
                && g.outHeight() % 2 == 0 && g.outWidth() % 2 == 0 && g.outChannels() % lanes == 0;
    }

    void forward(Conv2dShape g, float[] x, float[] w, float[] b, float[] y, boolean relu) {
        int s = g.stride(), C = g.inChannels(), K = s * s * C, blocks = g.outChannels() / lanes;
        this.g = g;
        this.w = w;
        this.phaseChannels = K;
        xiPitch = (K + 1) * lanes;                                // the nine positions of a tap not a multiple of 4 KB apart
        if (u.length < blocks * XI * xiPitch) u = new float[blocks * XI * xiPitch];
        team.run(blocks * s, weightJob);                          // (block, row phase a) a task
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
        this.x = x;
        this.bias = b;
        this.out = y;
        this.relu = relu;
        team.run((g.batch() + IMAGES_PER_TASK - 1) / IMAGES_PER_TASK, job);
        this.x = this.w = this.bias = this.out = null;
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
        int N = g.batch(), n0 = task * IMAGES_PER_TASK, n1 = Math.min(N, n0 + IMAGES_PER_TASK);
        int K = phaseChannels, tiles = (n1 - n0) * tilesPerImage, s = g.stride(), W = g.inWidth(), PW = planeWidth;
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

    /** The planes' subtractions and the output transform. */
    interface Loops {
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
