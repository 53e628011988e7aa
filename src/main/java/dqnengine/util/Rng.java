package dqnengine.util;

/**
 * A seeded random source whose whole state is one {@code long}, so a checkpoint can save it and a
 * resumed run draws exactly the numbers the original would have. SplitMix64 (Steele, Lea &amp;
 * Flood 2014, "Fast splittable pseudorandom number generators"): the state advances by a fixed
 * odd constant and each output is a bit-mixed copy of it.
 */
public final class Rng {
    private static final long GOLDEN = 0x9E3779B97F4A7C15L;
    private long state;

    public Rng(long seed) { this.state = seed; }

    /** The state to save; {@link #setState} restores it. */
    public long state() { return state; }

    public void setState(long state) { this.state = state; }

    public long nextLong() {
        long z = (state += GOLDEN);
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** Uniform in [0, bound), without modulo bias. */
    public int nextInt(int bound) {
        if (bound <= 0) throw new IllegalArgumentException("bound must be positive");
        // 2^64 = q·bound + m: draws in the top m values [2^64 − m, 2^64) would favour the low
        // residues, so they are drawn again; what is kept is q·bound values, every residue q times.
        long m = (Long.remainderUnsigned(-1L, bound) + 1) % bound;
        long r;
        do { r = nextLong(); } while (m != 0 && Long.compareUnsigned(r, -m) >= 0);
        return (int) Long.remainderUnsigned(r, bound);
    }

    /** Uniform in [0, 1) with 53 random bits. */
    public double nextDouble() { return (nextLong() >>> 11) * 0x1.0p-53; }
}
