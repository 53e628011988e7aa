package dqnengine.replay;

/**
 * A sum tree (Schaul et al. 2016, "Prioritized Experience Replay", Appendix B.2.1): N leaves
 * holding non-negative priorities, every inner node the sum of its two children, so that
 * <pre>
 *   total()  = Σ_i p_i                                            O(1)
 *   set(i,p) : leaf i ← p, then each ancestor ← left + right      O(log N)
 *   find(u)  : the leaf i with Σ_{k&lt;i} p_k ≤ u &lt; Σ_{k≤i} p_k O(log N)
 * </pre>
 * {@code find(u)} with u uniform in [0, total) draws leaf i with probability p_i / total.
 *
 * <p>Layout: an implicit binary heap in one array, node 1 the root, node k's children 2k and
 * 2k+1, the leaves at {@code size … 2·size−1} where {@code size} is N rounded up to a power of
 * two (unused leaves stay 0 and are never found). Sums are doubles and every ancestor is
 * recomputed from its children rather than adjusted by a difference, so a million updates leave
 * no drift. Memory: 16·size bytes (16 MB for a million leaves).
 */
public final class SumTree {
    private final int leaves, size;
    private final double[] node;
    private double maxSet;

    public SumTree(int leaves) {
        if (leaves < 1) throw new IllegalArgumentException("a sum tree needs at least one leaf");
        this.leaves = leaves;
        this.size = size(leaves);
        this.node = new double[2 * size];
    }

    /** The leaf count rounded up to a power of two. */
    private static int size(int leaves) {
        return Integer.highestOneBit(Math.max(1, leaves - 1)) << (leaves > 1 ? 1 : 0);
    }

    /** Bytes a tree of {@code leaves} leaves holds: 2·size doubles. */
    public static long bytes(int leaves) { return 16L * size(leaves); }

    public int leaves() { return leaves; }

    /** Σ of all priorities. */
    public double total() { return node[1]; }

    /** The priority of leaf {@code i}. */
    public double get(int i) { return node[size + check(i)]; }

    /** The largest priority ever set (what new transitions get in prioritized replay); 0 before any. */
    public double maxSet() { return maxSet; }

    /** Restores the largest priority ever set, after a saved tree's leaves were set again (checkpoints). */
    void restoreMaxSet(double max) {
        if (!(max >= 0) || Double.isInfinite(max)) throw new IllegalArgumentException("priority must be finite and >= 0, got " + max);
        maxSet = max;
    }

    public void set(int i, double priority) {
        if (!(priority >= 0) || Double.isInfinite(priority)) throw new IllegalArgumentException("priority must be finite and >= 0, got " + priority);
        int k = size + check(i);
        node[k] = priority;
        maxSet = Math.max(maxSet, priority);
        for (k >>= 1; k >= 1; k >>= 1) node[k] = node[2 * k] + node[2 * k + 1];
    }

    /**
     * The leaf whose cumulative range holds {@code u} (0 ≤ u &lt; total). Values at or beyond the
     * total (rounding at the very end of the range) give the last leaf with a positive priority.
     */
    public int find(double u) {
        if (!(node[1] > 0)) throw new IllegalStateException("every priority is zero");
        int k = 1;
        while (k < size) {
            double left = node[2 * k];
            if (u < left || node[2 * k + 1] <= 0) {
                k = 2 * k;
            } else {
                u -= left;
                k = 2 * k + 1;
            }
        }
        return k - size;
    }

    private int check(int i) {
        if (i < 0 || i >= leaves) throw new IndexOutOfBoundsException("leaf " + i + " of " + leaves);
        return i;
    }
}
