package dqnengine.dqn;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The ε schedules of the presets, by hand, and {@link EpsilonSchedule} on its own. */
class EpsilonScheduleTest {
    @Test
    void natureAndDopamineCountTheDecayFromTheReplayStartMinAtarFromStepZero() {
        DqnConfig nature = DqnConfig.preset("nature");                 // 1 -> 0.1 over 1,000,000 after 50,000
        assertEquals(1.0, nature.epsilon(0), 1e-12);
        assertEquals(1.0, nature.epsilon(50_000), 1e-12);
        assertEquals(0.55, nature.epsilon(550_000), 1e-12);
        assertEquals(0.1, nature.epsilon(1_050_000), 1e-12);
        assertEquals(0.1, nature.epsilon(5_000_000), 1e-12);

        DqnConfig dopamine = DqnConfig.preset("dopamine-dqn");         // 1 -> 0.01 over 250,000 after 20,000
        assertEquals(1.0, dopamine.epsilon(20_000), 1e-12);
        assertEquals(0.505, dopamine.epsilon(145_000), 1e-12);
        assertEquals(0.01, dopamine.epsilon(270_000), 1e-12);
        assertEquals(DqnConfig.preset("rainbow-lite").epsilon(145_000), 0.505, 1e-12);

        DqnConfig minatar = DqnConfig.preset("minatar");               // 1 -> 0.1 over 100,000 from step 0
        assertEquals(0.55, minatar.epsilon(50_000), 1e-12);
        assertEquals(0.1, minatar.epsilon(100_000), 1e-12);
    }

    /** The schedule on its own: flat at start until decayFrom, linear over decaySteps, flat at end. */
    @Test
    void aScheduleDecaysLinearlyFromItsStartingStep() {
        EpsilonSchedule s = new EpsilonSchedule(1.0, 0.01, 1_000, 300);
        assertEquals(1.0, s.at(0), 0);
        assertEquals(1.0, s.at(300), 0);
        assertEquals(0.505, s.at(800), 1e-12, "the midpoint: (1 + 0.01) / 2");
        assertEquals(0.01, s.at(1_300), 0);
        assertEquals(0.01, s.at(1_000_000), 0);
        assertEquals(new EpsilonSchedule(1.0, 0.1, 1_000_000, 50_000), EpsilonSchedule.of(DqnConfig.preset("nature")));
        assertEquals(new EpsilonSchedule(1.0, 0.1, 100_000, 0), EpsilonSchedule.of(DqnConfig.preset("minatar")));
    }

    /** Bit for bit the arithmetic DqnConfig.epsilon had inline before EpsilonSchedule, for every preset and both ways of counting. */
    @Test
    void theScheduleIsExactlyTheConfigsFormerArithmetic() {
        for (String preset : DqnConfig.PRESETS) {
            for (boolean fromLearningStarts : new boolean[] {false, true}) {
                DqnConfig c = DqnConfig.preset(preset);
                c.epsilonFromLearningStarts = fromLearningStarts;
                EpsilonSchedule s = EpsilonSchedule.of(c);
                for (long step = 0; step <= c.learningStarts + c.epsilonSteps + 10; step += 1 + step / 97) {
                    long k = fromLearningStarts ? Math.max(0, step - c.learningStarts) : step;
                    double former = k >= c.epsilonSteps ? c.epsilonEnd : c.epsilonStart + (c.epsilonEnd - c.epsilonStart) * k / (double) c.epsilonSteps;
                    assertEquals(Double.doubleToLongBits(former), Double.doubleToLongBits(s.at(step)), preset + " at step " + step);
                    assertEquals(Double.doubleToLongBits(former), Double.doubleToLongBits(c.epsilon(step)), preset + " at step " + step);
                }
            }
        }
    }
}
