package dqnengine.dqn;

/**
 * The speed and the time left that the progress line shows, from the <em>recent</em> pace.
 *
 * <p>A run has two speeds: the warm-up (random actions, no updates) runs many times faster than
 * learning. An average since the start mixes them, so its estimate starts far too low and climbs
 * for hours. So: during the warm-up the line says "warm-up" and gives no time left; afterwards the
 * speed is measured over the last {@link #WINDOW_NANOS} (or since learning started, if that is
 * more recent), and the time left is the steps left at that speed. Time spent evaluating is
 * subtracted by the caller, which passes a clock that stops while it evaluates.
 */
public final class Pace {
    /** The window the speed is measured over. */
    static final long WINDOW_NANOS = 60_000_000_000L;
    private static final int SAMPLES = 256;

    private final long learningStarts, totalSteps;
    private final long[] times = new long[SAMPLES], steps = new long[SAMPLES];
    private int count, next;

    public Pace(long learningStarts, long totalSteps) {
        this.learningStarts = learningStarts;
        this.totalSteps = totalSteps;
    }

    /** Records that {@code step} steps were done at time {@code nanos} (any monotonic clock). */
    public void observe(long nanos, long step) {
        boolean lastWasWarmUp = count > 0 && steps[(next + SAMPLES - 1) % SAMPLES] < learningStarts;
        if (step < learningStarts || lastWasWarmUp) {
            count = 0;                                  // warm-up samples never enter the learning speed
            next = 0;
        }
        times[next] = nanos;
        steps[next] = step;
        next = (next + 1) % SAMPLES;
        count = Math.min(count + 1, SAMPLES);
    }

    /** Whether the last step recorded was still in the warm-up. */
    public boolean warmingUp() { return count == 0 || steps[(next + SAMPLES - 1) % SAMPLES] < learningStarts; }

    /** Steps per second over the window (NaN until two samples after the warm-up). */
    public double stepsPerSecond() {
        if (count < 2 || warmingUp()) return Double.NaN;
        int newest = (next + SAMPLES - 1) % SAMPLES;
        int oldest = (next + SAMPLES - count) % SAMPLES;
        for (int k = 0, i = oldest; k < count - 1; k++, i = (i + 1) % SAMPLES) {          // the oldest sample inside the window
            if (times[newest] - times[i] <= WINDOW_NANOS) {
                oldest = i;
                break;
            }
            oldest = (i + 1) % SAMPLES;
        }
        if (oldest == newest) return Double.NaN;
        double secs = (times[newest] - times[oldest]) / 1e9;
        return secs > 0 ? (steps[newest] - steps[oldest]) / secs : Double.NaN;
    }

    /** Seconds left at the recent speed, or NaN when it is not known yet (warm-up, too few samples). */
    public double secondsLeft() {
        double sps = stepsPerSecond();
        if (!(sps > 0)) return Double.NaN;
        return (totalSteps - steps[(next + SAMPLES - 1) % SAMPLES]) / sps;
    }
}
