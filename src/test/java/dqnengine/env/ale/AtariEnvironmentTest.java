package dqnengine.env.ale;

import dqnengine.testing.TestRoms;

import dqnengine.env.Step;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The real games through the preprocessing stack (skipped when no ROMs are available). */
class AtariEnvironmentTest {

    private static AtariEnvironment open(String game, AtariConfig cfg, long seed) {
        return new AtariEnvironment(TestRoms.rom(game), cfg, seed);
    }

    @ParameterizedTest
    @CsvSource({"space_invaders, 6", "breakout, 4", "pong, 6"})
    void gamesLoadWithTheirMinimalActionSets(String game, int actions) {
        try (AtariEnvironment env = open(game, AtariConfig.nature(), 1)) {
            assertEquals(actions, env.actionCount());
            assertEquals(actions, env.actionMeanings().size());
            assertEquals("NOOP", env.actionMeanings().get(0));
            assertArrayEquals(new int[] {4, 84, 84}, env.observationShape());
        }
        try (AtariEnvironment env = open(game, AtariConfig.machado(), 1)) {
            assertEquals(18, env.actionCount(), "Machado et al. use the full action set");
        }
    }

    @Test
    void framesAre84By84BytesAndChangeWithTheGame() {
        try (AtariEnvironment env = open("space_invaders", AtariConfig.nature(), 2)) {
            byte[] first = env.reset().observation().clone();
            assertEquals(4 * 84 * 84, first.length);
            assertEquals(84 * 84, env.latestFrame().length);
            Random rng = new Random(2);
            int changed = 0;
            byte[] before = env.latestFrame().clone();
            for (int t = 0; t < 50; t++) {
                env.step(rng.nextInt(env.actionCount()));
                if (!Arrays.equals(before, env.latestFrame())) changed++;
                before = env.latestFrame().clone();
            }
            assertTrue(changed > 25, "frames changed in only " + changed + " of 50 steps");
            int distinct = (int) IntStream.range(0, first.length).map(i -> first[i] & 0xFF).distinct().count();
            assertTrue(distinct > 3, "a real screen has more than " + distinct + " grey levels");
        }
    }

    @Test
    void pongRewardsArriveAndTheGameEnds() {
        try (AtariEnvironment env = open("pong", AtariConfig.machado(), 3)) {
            env.reset();
            Random rng = new Random(3);
            float total = 0;
            int steps = 0, nonZero = 0;
            Step s;
            do {
                s = env.step(rng.nextInt(env.actionCount()));
                total += s.score();
                if (s.score() != 0) nonZero++;
                assertTrue(Math.abs(s.reward()) <= 1f, "training rewards are clipped");
                steps++;
            } while (!s.done() && steps < 20_000);
            assertTrue(s.gameOver(), "a random Pong game ends by game over");
            assertTrue(s.terminated() && !s.truncated());
            assertTrue(nonZero >= 21, "a finished game has at least 21 points scored, saw " + nonZero);
            assertTrue(total >= -21 && total <= 21 && total < 0, "random play loses Pong, got " + total);
        }
    }

    /**
     * Space Invaders pays 5 to 30 points per alien, so its raw per-step score exceeds 1 (Pong's is
     * already ±1 and cannot show clipping): the training reward is its sign, the score stays raw,
     * and with clipping off the reward is the raw score.
     */
    @Test
    void rewardsAreClippedToTheirSignWhileTheScoreStaysRaw() {
        AtariConfig n = AtariConfig.nature();
        AtariConfig unclipped = new AtariConfig(n.stickyProbability(), n.fullActionSet(), n.frameSkip(), n.maxPoolLastTwo(), n.size(),
                n.stack(), n.noopMax(), n.fireOnReset(), n.lifeLossTerminal(), false, n.maxEpisodeFrames(), n.mode(), n.difficulty());
        for (AtariConfig cfg : new AtariConfig[] {n, unclipped}) {
            try (AtariEnvironment env = open("space_invaders", cfg, 6)) {
                env.reset();
                Random rng = new Random(6);
                int above1 = 0, positive = 0;
                for (int t = 0; t < 3_000 && above1 < 5; t++) {
                    Step s = env.step(rng.nextInt(env.actionCount()));
                    float want = cfg.clipRewards() ? Math.signum(s.score()) : s.score();
                    assertEquals(want, s.reward(), "step " + t + ": score " + s.score() + ", clipRewards " + cfg.clipRewards());
                    if (cfg.clipRewards()) assertTrue(s.reward() == -1f || s.reward() == 0f || s.reward() == 1f, "clipped reward " + s.reward());
                    if (s.score() > 1) above1++;
                    if (s.score() > 0) positive++;
                    if (s.done()) env.reset();
                }
                assertTrue(above1 >= 5, "raw scores above 1 seen in " + above1 + " steps (" + positive + " scoring steps)");
            }
        }
    }

    @Test
    void breakoutLivesCountDownAndLifeLossIsTerminalOnlyForTraining() {
        try (AtariEnvironment env = open("breakout", AtariConfig.nature(), 4)) {
            Step s = env.reset();
            assertEquals(5, s.lives());
            Random rng = new Random(4);
            List<Integer> livesAtTerminal = new ArrayList<>();
            int steps = 0;
            while (steps++ < 20_000) {
                s = env.step(rng.nextInt(env.actionCount()));
                assertEquals(env.game().gameOver(), s.gameOver(), "the step reports the emulator's game over");
                if (s.terminated()) {
                    livesAtTerminal.add(s.lives());
                    assertEquals(s.lives() == 0, s.gameOver(), "a lost life with lives left is not the end of the game, the last one is: "
                            + livesAtTerminal);
                    if (s.gameOver()) break;
                    assertEquals(s.lives(), env.reset().lives(), "reset after a lost life continues the same game");
                }
            }
            assertTrue(s.gameOver(), "the game ended");
            assertEquals(List.of(4, 3, 2, 1, 0), livesAtTerminal, "one training terminal per life");
        }
    }

    @Test
    void theEpisodeFrameCapTruncatesWithoutTerminating() {
        AtariConfig n = AtariConfig.nature();
        AtariConfig capped = new AtariConfig(0f, false, 4, true, 84, 4, 0, false, false, true, 400, -1, -1);
        try (AtariEnvironment env = open("pong", capped, 5)) {
            env.reset();
            Step s;
            int steps = 0;
            do {
                s = env.step(0);
                steps++;
            } while (!s.done());
            assertTrue(s.truncated() && !s.terminated() && !s.gameOver());
            assertEquals(100, steps, "400 frames at frame skip 4");
        }
        assertEquals(108_000, n.maxEpisodeFrames());
    }

    @Test
    void theSameSeedGivesTheSameTrajectory() {
        for (AtariConfig cfg : new AtariConfig[] {AtariConfig.nature(), AtariConfig.machado()}) {
            assertEquals(trajectory(cfg, 7), trajectory(cfg, 7), cfg.describe());
        }
        assertFalse(trajectory(AtariConfig.machado(), 7).equals(trajectory(AtariConfig.machado(), 8)), "another seed, another game");
    }

    /** Scores and a hash of every observation over 600 steps with seeded random actions. */
    private static List<Integer> trajectory(AtariConfig cfg, long seed) {
        List<Integer> out = new ArrayList<>();
        try (AtariEnvironment env = open("breakout", cfg, seed)) {
            Random rng = new Random(seed);
            out.add(Arrays.hashCode(env.reset().observation()));
            for (int t = 0; t < 600; t++) {
                Step s = env.step(rng.nextInt(env.actionCount()));
                out.add(Arrays.hashCode(s.observation()) * 31 + (int) s.score());
                if (s.done()) out.add(Arrays.hashCode(env.reset().observation()));
            }
        }
        return out;
    }
}
