package dqnengine.env;

import dqnengine.env.minatar.MinAtarGame;
import dqnengine.util.StatefulRandom;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Every built-in environment saves its whole state: one restored from a save, on a fresh copy
 * opened with the same seed, goes on exactly like the original (observations, rewards, ends),
 * through episode ends and resets. Saved states of another game, truncated or too long are refused.
 */
class EnvironmentStateTest {

    /** An environment played by {@link #policy}, with the observation the next action is chosen from and the policy's random source. */
    private static final class Player {
        final Environment env;
        final StatefulRandom random = new StatefulRandom(0);
        byte[] observation;

        Player(Environment env, byte[] observation, long randomState) {
            this.env = env;
            this.observation = observation.clone();
            random.setState(randomState);
        }

        /** One step of the policy: what it did, and the first observation of the episode it started if it ended one. */
        String step() {
            Step s = env.step(policy(env.id(), observation, random));
            String line = Arrays.toString(s.observation()) + " r=" + s.reward() + " " + s.terminated() + " " + s.truncated();
            observation = s.observation().clone();
            if (!s.done()) return line;
            observation = env.reset().observation().clone();
            return line + " reset " + Arrays.toString(observation);
        }
    }

    /**
     * A random action one time in four; otherwise CartPole is balanced (push toward the side the
     * pole leans to), FrozenLake goes UP (its slips keep it in the top row) and MinAtar does
     * nothing, so that episodes also last until their time limits.
     */
    static int policy(String id, byte[] observation, Random random) {
        if (random.nextInt(4) == 0) return random.nextInt(id.startsWith("minatar:") ? 6 : id.equals("cartpole") ? 2 : 4);
        if (id.equals("cartpole")) return ObservationEncoding.getFloat(observation, 8) + 0.5 * ObservationEncoding.getFloat(observation, 12) > 0 ? 1 : 0;
        if (id.startsWith("frozenlake")) return 3;
        return 0;
    }

    /**
     * The original plays 4,000 steps, its state saved every 7; each saved state is restored into a
     * fresh copy opened with the same seed (as a resumed run opens it), which then plays the next
     * 40 steps with the same policy and random draws: every step must be the original's. Many save
     * points, so that a field that matters only now and then (the action a sticky action repeats,
     * a timer of one object, the step count near a time limit) is caught.
     */
    @Test
    void aRestoredBuiltInEnvironmentContinuesExactlyAsTheOriginal() {
        for (String id : Environments.BUILT_IN) {
            checkRestores(id, () -> Environments.builtIn(id, 5));
            if (id.startsWith("minatar:")) {                      // and with a time limit of 20 steps, which the games reach
                checkRestores(id + " (20 steps)", () -> Environments.builtIn(id, 5, new MinAtarGame.Options(5, 0.1, true, false, 20)));
            }
        }
    }

    /** The check above for the environments {@code open} gives ({@code name} in messages). */
    private static void checkRestores(String name, Supplier<Environment> open) {
        int steps = 4_000, every = 7, ahead = 40;
        Environment env = open.get();
        Player original = new Player(env, env.reset().observation(), 1);
        List<String> trace = new ArrayList<>();
        List<Player> saved = new ArrayList<>();              // what a copy starts from: the state, the observation, the policy's draws
        List<byte[]> states = new ArrayList<>();
        for (int t = 0; t < steps; t++) {
            if (t % every == 0) {
                states.add(env.saveState());
                saved.add(new Player(null, original.observation, original.random.state()));
            }
            trace.add(original.step());
        }
        assertNotNull(states.get(0), name + " saves its state");
        boolean limited = trace.stream().anyMatch(line -> line.contains("false true"));
        assertTrue(limited || name.matches("minatar:(breakout|space_invaders|asterix|seaquest)"), name + ": precondition: episodes reach the time limit");
        for (int k = 0; k * every + ahead <= steps; k++) {
            Environment restored = open.get();
            restored.restoreState(states.get(k));
            Player copy = new Player(restored, saved.get(k).observation, saved.get(k).random.state());
            for (int t = k * every; t < k * every + ahead; t++) {
                if (!copy.step().equals(trace.get(t))) fail(name + ": restored at step " + k * every + ", the copy's step " + t + " differs from the original's");
            }
        }
        boolean differs = false;                              // precondition: a copy that ignored the saved state would be caught
        for (int k = 0; k * every + ahead <= steps && !differs; k++) {
            Environment freshEnv = open.get();
            Player fresh = new Player(freshEnv, freshEnv.reset().observation(), saved.get(k).random.state());
            for (int t = k * every; t < k * every + ahead && !differs; t++) differs = !fresh.step().equals(trace.get(t));
        }
        assertTrue(differs, name + ": a fresh copy differs, so the comparison means something");
    }

    @Test
    void aStateOfAnotherGameOrOfTheWrongLengthIsRefused() {
        byte[] breakout = Environments.builtIn("minatar:breakout", 1).saveState();
        Environment seaquest = Environments.builtIn("minatar:seaquest", 1);
        IllegalArgumentException other = assertThrows(IllegalArgumentException.class, () -> seaquest.restoreState(breakout));
        assertTrue(other.getMessage().contains("of minatar:breakout, not minatar:seaquest"), other.getMessage());

        Environment cartPole = Environments.builtIn("cartpole", 1);
        byte[] good = cartPole.saveState();
        IllegalArgumentException truncated = assertThrows(IllegalArgumentException.class,
                () -> cartPole.restoreState(Arrays.copyOf(good, good.length - 3)));
        assertTrue(truncated.getMessage().contains("truncated"), truncated.getMessage());
        IllegalArgumentException longer = assertThrows(IllegalArgumentException.class,
                () -> cartPole.restoreState(Arrays.copyOf(good, good.length + 1)));
        assertTrue(longer.getMessage().contains("too many"), longer.getMessage());
    }

    /** The environments' random source draws exactly what java.util.Random draws, so no seeded game changed; its state round-trips. */
    @Test
    void statefulRandomDrawsWhatJavaUtilRandomDrawsAndItsStateRoundTrips() {
        for (long seed : new long[] {0, 1, -7, 123_456_789_012L}) {
            Random plain = new Random(seed);
            StatefulRandom ours = new StatefulRandom(seed);
            for (int i = 0; i < 2_000; i++) {
                switch (i % 5) {
                    case 0 -> assertEquals(plain.nextInt(), ours.nextInt());
                    case 1 -> assertEquals(plain.nextInt(1 + i), ours.nextInt(1 + i));
                    case 2 -> assertEquals(plain.nextDouble(), ours.nextDouble());
                    case 3 -> assertEquals(plain.nextBoolean(), ours.nextBoolean());
                    default -> assertEquals(plain.nextLong(), ours.nextLong());
                }
            }
            StatefulRandom copy = new StatefulRandom(99);
            copy.setState(ours.state());
            for (int i = 0; i < 100; i++) assertEquals(ours.nextLong(), copy.nextLong());
        }
        assertThrows(UnsupportedOperationException.class, () -> new StatefulRandom(1).nextGaussian(), "its cached value is not in the state");
    }
}
