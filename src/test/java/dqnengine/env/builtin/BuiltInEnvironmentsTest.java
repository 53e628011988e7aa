package dqnengine.env.builtin;

import dqnengine.env.Environments;
import dqnengine.env.ObservationEncoding;
import dqnengine.env.Step;
import dqnengine.tabular.QLearning;
import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.*;

class BuiltInEnvironmentsTest {

    @Test
    void cartPoleFollowsTheEulerEquationsOfMotion() {
        CartPole env = new CartPole(0);
        env.setState(0.1, -0.2, 0.05, 0.3);
        Step s = env.step(1);
        // Hand-evaluated: F = +10, sin/cos of 0.05, masses 1.0 and 0.1, half-length 0.5, tau 0.02.
        double sin = Math.sin(0.05), cos = Math.cos(0.05);
        double temp = (10 + 0.05 * 0.09 * sin) / 1.1;
        double thetaAcc = (9.8 * sin - cos * temp) / (0.5 * (4.0 / 3.0 - 0.1 * cos * cos / 1.1));
        double xAcc = temp - 0.05 * thetaAcc * cos / 1.1;
        double[] want = {0.1 + 0.02 * -0.2, -0.2 + 0.02 * xAcc, 0.05 + 0.02 * 0.3, 0.3 + 0.02 * thetaAcc};
        assertArrayEquals(want, env.state(), 1e-12);
        for (int i = 0; i < 4; i++) assertEquals((float) want[i], ObservationEncoding.getFloat(s.observation(), 4 * i));
        assertEquals(1f, s.reward());
        assertFalse(s.done());
    }

    @Test
    void cartPoleTerminatesPastTwelveDegreesAndTruncatesAt500() {
        CartPole env = new CartPole(1);
        env.setState(0, 0, 0.2, 0);                      // 11.5°, falling
        Step s = env.step(0);
        int n = 1;
        while (!s.done()) { s = env.step(0); n++; }
        assertTrue(s.terminated() && !s.truncated());
        assertEquals(1f, s.reward(), "the failing step still earns +1");
        assertTrue(n < 20);
        // A balancing controller: push toward the side the pole leans to.
        Step r = env.reset();
        int steps = 0;
        while (!r.done()) {
            double[] st = env.state();
            r = env.step(st[2] + 0.5 * st[3] > 0 ? 1 : 0);
            steps++;
            assertTrue(steps <= 500, "still running after 500 steps");
            if (steps < 500) assertFalse(r.done(), "step " + steps + " of a balanced pole is not the end");
        }
        assertTrue(r.truncated() && !r.terminated(), "a balanced pole is truncated, not terminated");
        assertEquals(500, steps, "Gym's CartPole-v1 limit");
        assertEquals(500, CartPole.MAX_STEPS);
        assertThrows(IllegalStateException.class, () -> env.step(0));
    }

    /**
     * The bounds themselves: with zero velocities one step leaves x and θ where they were (Euler
     * moves positions by the old velocities), so a state just inside a bound must go on and one
     * just outside must terminate, on either side: |θ| &gt; 12°, |x| &gt; 2.4.
     */
    @Test
    void cartPoleBoundsAreTwelveDegreesAndTwoPointFourMetres() {
        double in = Math.toRadians(11.99), out = Math.toRadians(12.01);
        for (int sign : new int[] {1, -1}) {
            for (int action : new int[] {0, 1}) {
                assertBound(false, 0, sign * in, action, "θ = " + sign * 11.99 + "°");
                assertBound(true, 0, sign * out, action, "θ = " + sign * 12.01 + "°");
                assertBound(false, sign * 2.399, 0, action, "x = " + sign * 2.399);
                assertBound(true, sign * 2.401, 0, action, "x = " + sign * 2.401);
            }
        }
    }

    private static void assertBound(boolean terminates, double x, double theta, int action, String what) {
        CartPole env = new CartPole(0);
        env.setState(x, 0, theta, 0);
        Step s = env.step(action);
        assertEquals(x, env.state()[0], 0, what + ": x does not move in one step from rest");
        assertEquals(theta, env.state()[2], 0, what + ": θ does not move in one step from rest");
        assertEquals(terminates, s.terminated(), what + (terminates ? " is past the bound" : " is inside the bound"));
        assertFalse(s.truncated());
    }

    @Test
    void cartPoleResetIsSeededAndSmall() {
        double[] a = reset(7), b = reset(7), c = reset(8);
        assertArrayEquals(a, b);
        assertFalse(Arrays.equals(a, c));
        for (double v : a) assertTrue(Math.abs(v) <= 0.05);
    }

    private static double[] reset(long seed) {
        CartPole env = new CartPole(seed);
        env.reset();
        return env.state();
    }

    @Test
    void frozenLakeDeterministicPathReachesTheGoal() {
        FrozenLake env = new FrozenLake(false, 0);
        env.reset();
        int[] path = {FrozenLake.DOWN, FrozenLake.DOWN, FrozenLake.RIGHT, FrozenLake.RIGHT, FrozenLake.DOWN, FrozenLake.RIGHT};
        Step s = null;
        for (int a : path) {
            s = env.step(a);
            if (s.done()) break;
        }
        assertNotNull(s);
        assertEquals(15, env.state());
        assertEquals(1f, s.reward());
        assertTrue(s.terminated());
        assertEquals(1, s.observation()[15]);
        env.reset();
        s = env.step(FrozenLake.RIGHT);
        s = env.step(FrozenLake.DOWN);                    // cell 5 is a hole
        assertEquals(5, env.state());
        assertTrue(s.terminated());
        assertEquals(0f, s.reward());
    }

    @Test
    void frozenLakeSlipsToEachSideAThirdOfTheTime() {
        FrozenLake env = new FrozenLake(true, 3);
        int[] counts = new int[16];
        for (int i = 0; i < 30_000; i++) {
            env.reset();
            env.step(FrozenLake.DOWN);                    // from 0: down → 4, left → 0 (wall), right → 1
            counts[env.state()]++;
        }
        for (int cell : new int[] {0, 1, 4}) assertEquals(1.0 / 3, counts[cell] / 30_000.0, 0.015, "cell " + cell);
    }

    @Test
    void frozenLakeTruncatesAfter100Steps() {
        FrozenLake env = new FrozenLake(false, 0);
        env.reset();
        for (int t = 1; t < 100; t++) {
            Step s = env.step(FrozenLake.LEFT);                            // walks into the wall forever
            assertFalse(s.done(), "step " + t + " is before the limit");
        }
        Step s = env.step(FrozenLake.LEFT);
        assertTrue(s.truncated() && !s.terminated(), "step 100 is truncated");
        assertEquals(100, FrozenLake.MAX_STEPS);
    }

    @Test
    void tabularQLearningSolvesTheDeterministicLake() {
        QLearning q = new QLearning(16, 4, 0.5, 0.95, 1);
        q.train(new FrozenLake(false, 1), 2_000, 0.01);
        assertEquals(1.0, q.successRate(new FrozenLake(false, 2), 100));
        // The Bellman update itself, on a fresh table: Q ← Q + α(r + γ max Q' − Q).
        QLearning fresh = new QLearning(16, 4, 0.5, 0.9, 0);
        fresh.update(14, 2, 1.0, 15, true);
        assertEquals(0.5, fresh.value(14, 2), 1e-12);
        fresh.update(13, 2, 0.0, 14, false);
        assertEquals(0.5 * 0.9 * 0.5, fresh.value(13, 2), 1e-12);
    }

    @Test
    void unknownIdsAreRefusedWithTheListOfKnownOnes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Environments.builtIn("minatar:pacman", 0));
        assertTrue(e.getMessage().contains("minatar:breakout"));
    }
}
