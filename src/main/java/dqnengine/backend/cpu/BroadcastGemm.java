package dqnengine.backend.cpu;

import java.util.Arrays;

/**
 * C = α·A·Bᵀ + β·C with A's rows as the vector lanes: a linear layer's forward pass y = x·Wᵀ at a
 * batch of 32 or 64 (any whole number of blocks of LANES rows up to 64: 16 and 48 too where LANES
 * is 16), A = x [M,K], B = W [N,K]. A is copied transposed, k-major, one block of
 * {@link #LANES} rows at a time; then each tile broadcasts the k-th weight of {@code rows} rows of
 * B (the direct convolutions' {@link BroadcastKernel}, reading W where it lies) against the k-th
 * column of A, and every step is fused multiply-adds with no horizontal sums.
 *
 * <pre>
 *   aT[blk][t][l] = A[blk·LANES + l, t]                                        one copy of A per call
 *   tile (blk, j0): acc[r][l] = Σ_t B[j0 + r, t] · aT[blk][t][l]     r &lt; rows of B, l &lt; LANES, t over all of K in order
 *                   C[blk·LANES + l, j0 + r] = α·acc[r][l] + β·C[…]             (β = 0: the old C is not read)
 * </pre>
 * {@link VectorDot} computes the same products as dot products along k, each ending in a sum
 * across the lanes. Measured alone, one thread, copy included: [32,1024]·[128,1024]ᵀ (MinAtar's
 * first linear layer) 91 µs against 127 µs, [32,3136]·[512,3136]ᵀ (Nature's) 0.90 ms against
 * 1.31–1.47 ms. Each element of C is one sum over t in order, whatever the thread count.
 */
final class BroadcastGemm {
    static final int LANES = BroadcastKernel.LANES;
    /** The most rows of A taken: a batch of up to 64, in whole blocks of LANES. */
    static final int MAX_ROWS = 64;
    /**
     * The fewest rows of B taken: any. The output layer's 6 actions fill half a tile here; left to
     * {@link VectorDot}, which then ran 16 small tiles per Nature step and nothing else, its tile
     * stayed in C1's code (no Vector API intrinsics) for the first hundreds of steps: 0.02–0.23 ms
     * per product in {@code bench --breakdown}, against 0.006 ms before.
     */
    static final int MIN_COLUMNS = 1;
    /** The shortest reduction taken. */
    static final int MIN_K = 16;
    private static final int TILES_PER_TASK = 2;
    private static final int PACK_CHUNK = 512;           // values of k per copying task

    /** Whether the product goes here. */
    static boolean applies(boolean transA, boolean transB, int m, int n, int k) {
        return !transA && transB && m % LANES == 0 && m <= MAX_ROWS && n >= MIN_COLUMNS && k >= MIN_K;
    }

    private final ThreadTeam team;
    private final BroadcastKernel kernel;
    private final int rows;
    private final float[][] acc;
    private final int[][] rowBase;
    private float[] aT = new float[0];
    private int[] steps = new int[0];                    // 0, 1, …, K − 1: the kernel's offsets (B's k-th weight of a row)

    // The call in progress.
    private float[] a, b, c;
    private int m, n, k, blocks, tiles, tilesPerTask;
    private float alpha, beta;
    private final ThreadTeam.Job packJob = this::packTask, tileJob = this::tileTask;

    BroadcastGemm(ThreadTeam team, BroadcastKernel kernel) {
        if (kernel.lanes() != LANES) throw new IllegalArgumentException("BroadcastGemm needs a kernel " + LANES + " lanes wide");
        this.team = team;
        this.kernel = kernel;
        this.rows = kernel.rows();
        this.acc = new float[team.size()][rows * LANES];
        this.rowBase = new int[team.size()][rows];
    }

    void multiply(int m, int n, int k, float alpha, float[] a, float[] b, float beta, float[] c) {
        if (!applies(false, true, m, n, k)) throw new IllegalArgumentException("BroadcastGemm does not take " + m + "x" + n + "x" + k);
        this.m = m;
        this.n = n;
        this.k = k;
        this.a = a;
        this.b = b;
        this.c = c;
        this.alpha = alpha;
        this.beta = beta;
        blocks = m / LANES;
        if (aT.length < blocks * k * LANES) aT = new float[blocks * k * LANES];
        if (steps.length < k) {
            steps = new int[k];
            for (int t = 0; t < k; t++) steps[t] = t;
        }
        int chunks = (k + PACK_CHUNK - 1) / PACK_CHUNK;
        team.run(blocks * chunks, packJob);
        tiles = (n + rows - 1) / rows;
        tilesPerTask = Math.min(TILES_PER_TASK, Math.max(1, tiles / (2 * team.size())));
        team.run(blocks * ((tiles + tilesPerTask - 1) / tilesPerTask), tileJob);
        this.a = this.b = this.c = null;
    }

    /**
     * aT[blk][t][·] for t in one chunk of k, in plain loops. (Vector gathers, one per column of a
     * vector's rows, read one float from each of 16 rows per step: with K = 1024, rows 4 KB apart
     * all fall in the same sets of L1 and every gather missed; MinAtar's [32,1024]·[128,1024]ᵀ,
     * alone on one thread of an AMD EPYC (Zen 4), took 149–156 µs with them and 103–104 µs so.
     * The Nature network's K = 3136 did not mind: 0.95 ms either way.)
     */
    private void packTask(int task, int worker) {
        int chunks = (k + PACK_CHUNK - 1) / PACK_CHUNK;
        int blk = task / chunks, t0 = (task % chunks) * PACK_CHUNK, t1 = Math.min(k, t0 + PACK_CHUNK);
        int src = blk * LANES * k, dst = blk * k * LANES;
        for (int s0 = t0; s0 < t1; s0 += 16) {                    // 16 values of k at a time: the 16 rows of aT written stay in L1
            int s1 = Math.min(t1, s0 + 16);
            for (int l = 0; l < LANES; l++) {
                int row = src + l * k;
                for (int t = s0; t < s1; t++) aT[dst + t * LANES + l] = a[row + t];
            }
        }
    }

    private void tileTask(int task, int worker) {
        int tasksPerBlock = (tiles + tilesPerTask - 1) / tilesPerTask;
        int blk = task / tasksPerBlock, first = (task % tasksPerBlock) * tilesPerTask;
        float[] sums = acc[worker];
        int[] base = rowBase[worker];
        for (int tile = first; tile < Math.min(tiles, first + tilesPerTask); tile++) {
            int j0 = tile * rows, valid = Math.min(rows, n - j0);
            for (int r = 0; r < rows; r++) base[r] = (j0 + Math.min(r, valid - 1)) * k;    // ragged tile: repeat the last row of B
            Arrays.fill(sums, 0f);
            kernel.accumulate(b, base, steps, 0, k, aT, blk * k * LANES, sums);
            for (int l = 0; l < LANES; l++) {
                int row = (blk * LANES + l) * n + j0;
                if (beta == 0f) {
                    for (int r = 0; r < valid; r++) c[row + r] = alpha * sums[r * LANES + l];
                } else {
                    for (int r = 0; r < valid; r++) c[row + r] = alpha * sums[r * LANES + l] + beta * c[row + r];
                }
            }
        }
    }
}
