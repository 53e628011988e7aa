package dqnengine.backend.cpu;

import java.util.concurrent.atomic.AtomicInteger;

/** A 12-row {@link BroadcastKernel} of a given width that counts the tiles it is given and computes them with the plain loop (routing tests). */
final class CountingBroadcastKernel implements BroadcastKernel {
    final AtomicInteger tiles = new AtomicInteger();
    private final BroadcastKernel plain;

    /** @param lanes {@link BroadcastKernel#LANES}, or half of it for a narrow kernel */
    CountingBroadcastKernel(int lanes) { this.plain = new BroadcastKernel.Scalar(12, lanes); }

    @Override
    public int rows() { return plain.rows(); }

    @Override
    public int lanes() { return plain.lanes(); }

    @Override
    public void accumulate(float[] x, int[] rowBase, int[] offsets, int from, int to, float[] vectors, int vecOff, float[] acc) {
        tiles.incrementAndGet();
        plain.accumulate(x, rowBase, offsets, from, to, vectors, vecOff, acc);
    }
}
