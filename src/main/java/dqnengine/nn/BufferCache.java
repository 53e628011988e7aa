package dqnengine.nn;

import dqnengine.tensor.Tensor;

/**
 * A layer's reusable output or gradient buffers, one per shape seen (the DQN alternates between
 * batch 1 for acting and the training batch). Lookups compare dimensions without building arrays,
 * so a steady loop allocates nothing. Holds a few shapes; the oldest is evicted beyond that.
 */
final class BufferCache {
    private static final int SLOTS = 4;
    private final Tensor[] slots = new Tensor[SLOTS];
    private int next;

    /** A buffer with exactly the shape of {@code like} (contents unspecified). */
    Tensor like(Tensor like) {
        for (Tensor t : slots) if (t != null && t.sameShape(like)) return t;
        return remember(Tensor.zerosLike(like));
    }

    /** A buffer of shape [d0, d1]. */
    Tensor get(int d0, int d1) {
        for (Tensor t : slots) if (t != null && t.rank() == 2 && t.dim(0) == d0 && t.dim(1) == d1) return t;
        return remember(Tensor.zeros(d0, d1));
    }

    /** A buffer of shape [d0, d1, d2, d3]. */
    Tensor get(int d0, int d1, int d2, int d3) {
        for (Tensor t : slots) {
            if (t != null && t.rank() == 4 && t.dim(0) == d0 && t.dim(1) == d1 && t.dim(2) == d2 && t.dim(3) == d3) return t;
        }
        return remember(Tensor.zeros(d0, d1, d2, d3));
    }

    private Tensor remember(Tensor t) {
        slots[next] = t;
        next = (next + 1) % SLOTS;
        return t;
    }
}
