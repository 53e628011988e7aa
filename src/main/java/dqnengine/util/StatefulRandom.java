package dqnengine.util;

import java.util.Random;

/**
 * A {@link java.util.Random} whose state can be read and set, so that an environment's random
 * source can be saved with a checkpoint and a resumed run draws exactly what the uninterrupted
 * one would have.
 *
 * <p>It is the generator {@code java.util.Random} documents (Knuth, TAOCP vol. 2, 3.2.1): a
 * 48-bit linear congruential generator
 * <pre>
 *   state ← (state · 0x5DEECE66D + 0xB) mod 2^48          output: the top {@code bits} bits of state
 *   seeding: state = (seed XOR 0x5DEECE66D) mod 2^48
 * </pre>
 * Every method of {@code Random} that the environments call ({@code nextInt}, {@code nextDouble},
 * {@code nextBoolean}, …) is defined in terms of {@link #next(int)}, so a {@code StatefulRandom}
 * seeded with s draws the same numbers as {@code new Random(s)}; only the state now lives in a
 * field we can read. {@code nextGaussian} keeps a second value cached inside {@code Random}, which
 * is not part of {@link #state()}, so it is refused rather than saved incompletely.
 */
public final class StatefulRandom extends Random {
    private static final long serialVersionUID = 1L;
    private static final long MULTIPLIER = 0x5DEECE66DL, INCREMENT = 0xBL, MASK = (1L << 48) - 1;

    // No initializer: Random's constructor calls setSeed before this class's initializers would
    // run, and an initializer would then overwrite the seeded state.
    private long state;

    public StatefulRandom(long seed) { super(seed); }

    @Override
    public synchronized void setSeed(long seed) { state = (seed ^ MULTIPLIER) & MASK; }

    @Override
    protected int next(int bits) {
        state = (state * MULTIPLIER + INCREMENT) & MASK;
        return (int) (state >>> (48 - bits));
    }

    /** The generator's whole state (48 bits). */
    public long state() { return state; }

    /** Continues from a state {@link #state()} returned. */
    public void setState(long state) {
        if ((state & ~MASK) != 0) throw new IllegalArgumentException("a random state has 48 bits, got " + Long.toHexString(state));
        this.state = state;
    }

    @Override
    public synchronized double nextGaussian() {
        throw new UnsupportedOperationException("nextGaussian caches a value outside the saved state");
    }
}
