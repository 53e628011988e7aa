package dqnengine.dqn;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

/** The progress line's speed and time left, on a synthetic clock. */
class PaceTest {
    static final long S = 1_000_000_000L;

    @Test
    void theWarmUpIsLabelledAndItsFastStepsNeverEnterTheEstimate() {
        Pace p = new Pace(50_000, 1_050_000);
        long t = 0, step = 0;
        for (; step < 50_000; step += 5_000, t += 5 * S / 10) {         // warm-up: 10,000 steps/s
            p.observe(t, step);
            assertTrue(p.warmingUp());
            assertTrue(Double.isNaN(p.secondsLeft()), "no estimate during the warm-up");
        }
        for (int k = 0; k <= 100; k++, step += 1_000, t += 10 * S) {     // learning: 100 steps/s, a sample every 10 s
            p.observe(t, step);
            assertFalse(p.warmingUp());
            if (k >= 1) {
                assertEquals(100.0, p.stepsPerSecond(), 1e-9, "sample " + k);
                assertEquals((1_050_000 - step) / 100.0, p.secondsLeft(), 1e-6);
            }
        }
        // the average since the start would have said (1,050,000 - 151,000) / (150,000 / 1,010 s) ≈ 6,054 s instead of 8,990 s
    }

    @Test
    void theSpeedFollowsTheLastMinuteNotTheWholeRun() {
        Pace p = new Pace(0, 10_000_000);
        long t = 0, step = 0;
        for (int k = 0; k < 60; k++, t += 10 * S, step += 2_000) p.observe(t, step);      // 200 steps/s for 10 minutes
        for (int k = 0; k < 7; k++, t += 10 * S, step += 500) p.observe(t, step);         // then 50 steps/s for 70 s
        assertEquals(50.0, p.stepsPerSecond(), 1e-9, "the window holds only the slow minute");
    }

    @Test
    void oneSampleAfterTheWarmUpIsNotEnough() {
        Pace p = new Pace(100, 1_000);
        p.observe(0, 50);
        p.observe(S, 150);
        assertFalse(p.warmingUp());
        assertTrue(Double.isNaN(p.stepsPerSecond()));
        p.observe(2 * S, 250);
        assertEquals(100.0, p.stepsPerSecond(), 1e-9);
    }
}
