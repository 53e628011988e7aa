package dqnengine.bench;

import dqnengine.backend.cpu.VectorSupport;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CyclicBarrier;

/**
 * What this machine can do at best, measured rather than assumed, so that the breakdown's
 * "share of peak" columns mean the same on any machine:
 * <pre>
 *   FMA peak    each thread runs 12 independent chains acc ← acc·m + c on the kernels' own
 *               vectors ({@link VectorSupport}); GFLOP/s = 2 · lanes · 12 · iterations / time
 *   bandwidth   each thread runs the triad a[i] = b[i] + s·c[i] over its own arrays;
 *               GB/s = 12 bytes per element / time (3 floats moved, as STREAM counts it)
 * </pre>
 * Both run on {@code threads} plain threads at once, one warm-up block and 5 timed ones: the triad
 * reports the median block; the FMA peak the sum of the threads' rates in the last block.
 */
public final class MachinePeak {
    private MachinePeak() {}


    /** FMA throughput of the kernels' vectors in GFLOP/s, all {@code threads} at once; NaN without the Vector API. */
    public static double fmaGflops(int threads) {
        if (VectorSupport.vectorBits() == 0) return Double.NaN;
        long iterations = 20_000_000;
        double[] rates = new double[threads];
        int[] next = {0};
        parallelMedian(threads, () -> {                         // each block overwrites the rates: the last block counts
            double r = VectorSupport.fmaGflops(iterations);
            synchronized (next) { rates[next[0]++ % threads] = r; }
        });
        double total = 0;
        for (double r : rates) total += r;
        return total;
    }

    /** Bits of the vectors the kernels (and the FMA peak) use, or 0 without the Vector API. */
    public static int vectorBits() {
        return VectorSupport.vectorBits();
    }

    /** Triad bandwidth in GB/s over arrays of {@code floatsPerArray} floats per thread. */
    public static double triadGBs(int threads, int floatsPerArray) {
        List<float[][]> arrays = new ArrayList<>();
        for (int t = 0; t < threads; t++) arrays.add(new float[][] {new float[floatsPerArray], new float[floatsPerArray], new float[floatsPerArray]});
        int passes = Math.max(1, 200_000_000 / floatsPerArray);
        int[] next = {0};
        double[] secs = parallelMedian(threads, () -> {
            float[][] mine;
            synchronized (next) { mine = arrays.get(next[0]++ % threads); }
            float[] a = mine[0], b = mine[1], c = mine[2];
            for (int p = 0; p < passes; p++) {
                for (int i = 0; i < a.length; i++) a[i] = b[i] + 0.5f * c[i];
                b[p % b.length] = a[(p * 7) % a.length];      // keep the passes from being merged
            }
        });
        return 12.0 * floatsPerArray * passes * threads / secs[0] / 1e9;
    }

    /** Runs {@code work} on {@code threads} threads at once, 1 warm-up and 5 timed blocks; {median seconds}. */
    private static double[] parallelMedian(int threads, Runnable work) {
        double[] blocks = new double[5];
        for (int r = -1; r < blocks.length; r++) {
            CyclicBarrier start = new CyclicBarrier(threads + 1), end = new CyclicBarrier(threads + 1);
            List<Thread> team = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                Thread th = new Thread(() -> {
                    try {
                        start.await();
                        work.run();
                        end.await();
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                }, "peak-" + t);
                th.setDaemon(true);
                th.start();
                team.add(th);
            }
            try {
                start.await();
                long t0 = System.nanoTime();
                end.await();
                if (r >= 0) blocks[r] = (System.nanoTime() - t0) / 1e9;
                for (Thread th : team) th.join();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
        Arrays.sort(blocks);
        return new double[] {blocks[blocks.length / 2]};
    }
}
