package dqnengine.env.ale;

import dqnengine.env.Step;
import dqnengine.testing.TestRoms;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

/** No-op starts and sticky actions, observed from outside on real ROMs. */
class AtariStartsTest {
    /** Frame skip 1, no FIRE on reset, truncated after {@code cap} emulator frames: the no-ops are the frames a reset used. */
    private static AtariConfig counting(float sticky, int noopMax, int cap) {
        return new AtariConfig(sticky, false, 1, false, 84, 4, noopMax, false, true, false, cap, -1, -1);
    }

    /** The no-op frames of one reset: the cap minus the agent steps until the episode is truncated. */
    private static int noops(AtariEnvironment env, int cap) {
        env.reset();
        for (int t = 1; ; t++) {
            Step s = env.step(0);
            assertFalse(s.gameOver(), "Pong does not end within " + cap + " frames");
            if (s.truncated()) return cap - t;
        }
    }

    @Test
    void eachResetPlaysBetweenOneAndNoopMaxNoOpFramesUniformly() {
        int cap = 40, resets = 600;
        int[] seen = new int[31];
        try (AtariEnvironment env = new AtariEnvironment(TestRoms.rom("pong"), counting(0f, 30, cap), 7)) {
            for (int r = 0; r < resets; r++) {
                int n = noops(env, cap);
                assertTrue(n >= 1 && n <= 30, "no-ops in [1, 30], got " + n);
                seen[n]++;
            }
        }
        for (int n = 1; n <= 30; n++) {
            // uniform: 20 expected each; 4 or fewer has probability below 1e-5 per value
            assertTrue(seen[n] > 4, "no-op count " + n + " seen " + seen[n] + " times in " + resets + ": " + Arrays.toString(seen));
        }
        try (AtariEnvironment env = new AtariEnvironment(TestRoms.rom("pong"), counting(0f, 0, cap), 7)) {
            for (int r = 0; r < 5; r++) assertEquals(0, noops(env, cap), "noopMax 0: no no-ops");
        }
    }

    @Test
    void theNoOpsAreEmulatedNoopFrames() {
        byte[] screen = new byte[AleGame.HEIGHT * AleGame.WIDTH], reference = new byte[screen.length];
        int cap = 40;
        try (AtariEnvironment env = new AtariEnvironment(TestRoms.rom("pong"), counting(0f, 30, cap), 11)) {
            for (int r = 0; r < 5; r++) {
                int n = noops(env, cap);                      // learn this reset's count...
                env.reset();                                  // ...then look at the next reset's screen
                env.game().screenIndices(screen);
                // the same count is drawn again by a twin environment; compare with NOOP frames played by hand
                try (AleGame g = new AleGame(TestRoms.rom("pong"), 11, 0f, false, -1, -1)) {
                    boolean match = false;
                    for (int k = 0; k <= 30 && !match; k++) {
                        g.resetGame();
                        for (int f = 0; f < k; f++) g.actRaw(0);
                        g.screenIndices(reference);
                        match = Arrays.equals(screen, reference) && k >= 1;
                    }
                    assertTrue(match, "the screen after reset is the screen after 1-30 NOOP frames (previous reset: " + n + ")");
                }
                for (int t = 0; !env.step(0).done(); t++) assertTrue(t < cap);
            }
        }
    }

    /** Pong's screens while the agent presses RIGHT and LEFT in turns (or only NOOP). */
    private static byte[][] trajectory(float sticky, long seed, boolean move) {
        int steps = 120;
        byte[][] out = new byte[steps][];
        try (AtariEnvironment env = new AtariEnvironment(TestRoms.rom("pong"), counting(sticky, 0, 100_000), seed)) {
            env.reset();
            int right = env.actionMeanings().indexOf("RIGHT"), left = env.actionMeanings().indexOf("LEFT");
            for (int t = 0; t < steps; t++) {
                int a = !move ? 0 : (t / 10) % 2 == 0 ? right : left;
                out[t] = env.step(a).observation().clone();
            }
        }
        return out;
    }

    @Test
    void stickyActionsRepeatThePreviousActionWithTheirProbability() {
        byte[][] noop = trajectory(0f, 1, false), moving = trajectory(0f, 1, true);
        assertFalse(Arrays.deepEquals(noop, moving), "without sticky actions the paddle moves");
        assertTrue(Arrays.deepEquals(moving, trajectory(0f, 2, true)), "without sticky actions the seed changes nothing (no no-ops here)");
        // probability 1: the first action (NOOP) repeats forever, so moving looks exactly like NOOP
        assertTrue(Arrays.deepEquals(noop, trajectory(1f, 1, true)), "sticky 1: every action is the previous one");
        // 0.25: some actions are delayed, differently for different seeds, the same for the same seed
        byte[][] sticky1 = trajectory(0.25f, 1, true);
        assertFalse(Arrays.deepEquals(moving, sticky1), "sticky 0.25 delays some actions");
        assertTrue(Arrays.deepEquals(sticky1, trajectory(0.25f, 1, true)), "the same seed repeats the same delays");
        assertFalse(Arrays.deepEquals(sticky1, trajectory(0.25f, 2, true)), "another seed, other delays");
    }
}
