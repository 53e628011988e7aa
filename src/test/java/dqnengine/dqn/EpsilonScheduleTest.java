package dqnengine.dqn;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The ε schedules of the presets, by hand. */
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
}
