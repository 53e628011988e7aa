package dqnengine.env.minatar;

import dqnengine.env.Environment;
import dqnengine.env.Environments;
import dqnengine.env.ObservationEncoding;
import dqnengine.env.Step;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static dqnengine.env.minatar.MinAtarGame.*;
import static org.junit.jupiter.api.Assertions.*;

/** Scripted games: positions, rewards and terminations follow each game's stated rules. */
class MinAtarRulesTest {
    /** No sticky actions, so a script means what it says. */
    static Options exact(long seed) { return new Options(seed, 0.0, true, false, 100_000); }

    static boolean at(byte[] obs, int channel, int y, int x) { return obs[(channel * SIZE + y) * SIZE + x] != 0; }

    // ------------------------------------------------------------------ Breakout

    @Test
    void breakoutBallMovesDiagonallyAndAMissEndsTheEpisode() {
        Breakout g = new Breakout(exact(1));
        g.reset();
        assertEquals(3, g.ballY);
        assertTrue(g.ballX == 0 && g.direction == 2 || g.ballX == 9 && g.direction == 3, "starts at a wall heading down and away");
        assertEquals(30, g.bricksLeft());
        int dx = g.ballX == 0 ? 1 : -1;
        int x0 = g.ballX;
        Step s = g.step(NOOP);
        assertEquals(4, g.ballY);
        assertEquals(x0 + dx, g.ballX);
        assertTrue(at(s.observation(), 1, 4, x0 + dx), "ball channel");
        assertTrue(at(s.observation(), 2, 3, x0), "trail marks the previous cell");
        assertTrue(at(s.observation(), 0, 9, 4), "paddle channel");
        // Move the paddle away from where the ball lands (row 9 at column x0 + 6·dx) and wait.
        int landing = x0 + 6 * dx;
        int away = landing < 5 ? 9 : 0;
        Step last = s;
        for (int t = 0; t < 5 && !last.terminated(); t++) last = g.step(away > g.paddle ? RIGHT : LEFT);
        while (!last.terminated()) last = g.step(NOOP);
        assertTrue(last.terminated() && last.gameOver());
        assertEquals(0f, last.reward());
    }

    @Test
    void breakoutPaddleBouncesTheBallAndBricksPayOne() {
        Breakout g = new Breakout(exact(3));
        g.reset();
        // Put the ball just above the paddle, falling straight onto it.
        g.ballX = 4; g.ballY = 8; g.direction = 2; g.paddle = 4;
        g.step(NOOP);
        assertEquals(8, g.ballY, "bounced off the paddle under its old column, stays in its row");
        assertTrue(g.direction == 1 || g.direction == 0, "now heading up");
        // Aim at a brick: ball in row 4 heading up-right into row 3.
        g.ballX = 2; g.ballY = 4; g.direction = 1;
        int before = g.bricksLeft();
        Step s = g.step(NOOP);
        assertEquals(1f, s.reward());
        assertEquals(before - 1, g.bricksLeft());
        assertEquals(4, g.ballY, "the ball keeps its row after breaking a brick");
        assertEquals(2, g.direction, "and now heads down");
    }

    @Test
    void breakoutRefillsTheBricksWhenCleared() {
        Breakout g = new Breakout(exact(4));
        g.reset();
        for (boolean[] row : g.bricks) Arrays.fill(row, false);
        g.ballX = 4; g.ballY = 8; g.direction = 2; g.paddle = 4;
        g.step(NOOP);                                       // reaches the bottom row with no bricks
        assertEquals(30, g.bricksLeft());
    }

    // ------------------------------------------------------------------ Space Invaders

    @Test
    void spaceInvadersShotKillsAnAlienForOne() {
        SpaceInvaders g = new SpaceInvaders(exact(5));
        g.reset();
        int total = 0;
        Step s = g.step(FIRE);                              // cannon at column 5: aliens fill columns 2–7
        total += (int) s.reward();
        for (int t = 0; t < 6 && total == 0; t++) total += (int) g.step(NOOP).reward();
        assertEquals(1, total, "a bullet fired under the block hits its lowest alien");
        assertEquals(23, g.alienCount());
    }

    @Test
    void spaceInvadersEnemyBulletEndsTheEpisode() {
        SpaceInvaders g = new SpaceInvaders(exact(6));
        g.reset();
        Step s = null;
        for (int t = 0; t < 200; t++) {
            s = g.step(NOOP);
            if (s.terminated()) break;
        }
        assertNotNull(s);
        assertTrue(s.terminated(), "standing still under the block, the cannon is shot");
    }

    @Test
    void spaceInvadersNewWaveAfterTheLastAlien() {
        SpaceInvaders g = new SpaceInvaders(exact(7));
        g.reset();
        for (boolean[] row : g.aliens) Arrays.fill(row, false);
        g.aliens[8][5] = true;                                 // one alien right above the cannon
        g.moveTimer = 5;
        Step s = g.step(FIRE);
        assertEquals(1f, s.reward());
        assertEquals(24, g.alienCount(), "a fresh block of 4 x 6");
        assertEquals(1, g.difficulty(), "and it moves faster");
    }

    // ------------------------------------------------------------------ Freeway

    @Test
    void freewayChickenMovesEveryThirdStepAndScoresAtTheTop() {
        Freeway g = new Freeway(exact(8));
        g.reset();
        Arrays.fill(g.carX, 0);                                // cars far from column 4 and very slow
        Arrays.fill(g.carSpeed, 5);
        Arrays.fill(g.carTimer, 1000);
        assertEquals(9, g.chicken);
        g.step(UP);
        assertEquals(9, g.chicken, "the move timer starts at 3");
        g.step(UP);
        g.step(UP);
        g.step(UP);
        assertEquals(8, g.chicken);
        int reward = 0;
        for (int t = 0; t < 40 && reward == 0; t++) {
            Arrays.fill(g.carTimer, 1000);
            reward += (int) g.step(UP).reward();
        }
        assertEquals(1, reward);
        assertEquals(9, g.chicken, "back at the bottom after crossing");
    }

    @Test
    void freewayCarSendsTheChickenBackAndTheClockTruncates() {
        Freeway g = new Freeway(exact(9));
        g.reset();
        g.chicken = 5;
        g.carX[4] = 4;                                          // car of row 5 on the chicken's column
        g.step(NOOP);
        assertEquals(9, g.chicken);
        Step s;
        int steps = 1;
        do { s = g.step(NOOP); steps++; } while (!s.done());
        assertTrue(s.truncated() && !s.terminated(), "the 2,500-step limit is a truncation");
        assertEquals(2501, steps);
    }

    // ------------------------------------------------------------------ Asterix

    @Test
    void asterixGoldPaysAndEnemiesKill() {
        Asterix g = new Asterix(exact(10));
        g.reset();
        g.present[4] = true; g.gold[4] = true; g.right[4] = false; g.objectX[4] = 4;   // gold in row 5, left of the player
        Step s = g.step(LEFT);
        assertEquals(1f, s.reward());
        assertFalse(g.present[4]);
        g.present[2] = true; g.gold[2] = false; g.right[2] = true; g.objectX[2] = 4;   // enemy in row 3
        g.step(UP);
        s = g.step(UP);
        assertTrue(s.terminated());
    }

    @Test
    void asterixPlayerStaysInRowsOneToEight() {
        Asterix g = new Asterix(exact(11));
        g.reset();
        for (int t = 0; t < 8; t++) g.step(UP);
        assertEquals(1, g.playerY);
    }

    // ------------------------------------------------------------------ Seaquest

    @Test
    void seaquestSurfacingWithoutDiversEndsTheGame() {
        Seaquest g = new Seaquest(exact(12));
        g.reset();
        g.step(DOWN);
        Step s = g.step(UP);
        assertTrue(s.terminated());
    }

    @Test
    void seaquestOxygenRunsOut() {
        Seaquest g = new Seaquest(exact(13));
        g.reset();
        g.step(DOWN);
        g.oxygen = 1;
        Step s = g.step(NOOP);
        assertFalse(s.terminated());
        s = g.step(NOOP);
        s = s.terminated() ? s : g.step(NOOP);
        assertTrue(s.terminated(), "no oxygen left");
    }

    @Test
    void seaquestTorpedoHitsAFishAndSurfacingWithSixDiversPaysForOxygen() {
        Seaquest g = new Seaquest(exact(14));
        g.reset();
        g.step(DOWN);                                             // row 1, facing left
        g.fish.add(new Seaquest.Mover(2, 1, true, 100, 0));       // fish two cells left, barely moving
        int reward = 0;
        reward += (int) g.step(FIRE).reward();
        reward += (int) g.step(NOOP).reward();
        reward += (int) g.step(NOOP).reward();
        assertEquals(1, reward);
        assertTrue(g.fish.isEmpty());
        g.fish.clear(); g.subs.clear(); g.bullets.clear();
        g.diversAboard = 6;
        g.oxygen = 150;
        Step s = g.step(UP);
        assertFalse(s.terminated());
        assertEquals(7f, s.reward(), "floor(149 · 10 / 200) = 7 for the oxygen left");
        assertEquals(0, g.diversAboard);
        assertEquals(200, g.oxygen);
        assertEquals(1, g.difficulty());
    }

    // ------------------------------------------------------------------ all games

    @ParameterizedTest
    @ValueSource(strings = {"minatar:breakout", "minatar:space_invaders", "minatar:freeway", "minatar:asterix", "minatar:seaquest"})
    void observationsHaveTheDocumentedShapeAndTheSameSeedReplaysTheSameEpisode(String id) {
        int[] channels = {4, 6, 7, 4, 10};
        int k = Environments.BUILT_IN.indexOf(id) - 3;
        byte[][] last = new byte[2][];
        float[] returns = new float[2];
        int[] lengths = new int[2];
        for (int run = 0; run < 2; run++) {
            try (Environment env = Environments.builtIn(id, 77)) {
                assertArrayEquals(new int[] {channels[k], 10, 10}, env.observationShape());
                assertEquals(ObservationEncoding.BINARY, env.encoding());
                assertEquals(6, env.actionCount());
                assertEquals(((MinAtarGame) env).channels().size(), channels[k]);
                Random policy = new Random(5);
                Step s = env.reset();
                for (int t = 0; t < 3000 && !s.done(); t++) {
                    s = env.step(policy.nextInt(6));
                    for (byte b : s.observation()) assertTrue(b == 0 || b == 1);
                    returns[run] += s.reward();
                    lengths[run]++;
                }
                last[run] = s.observation().clone();
            }
        }
        assertEquals(lengths[0], lengths[1]);
        assertEquals(returns[0], returns[1]);
        assertArrayEquals(last[0], last[1]);
    }

    @Test
    void minimalActionSetsMatchThePaper() {
        assertEquals(List.of("NOOP", "LEFT", "RIGHT"), new Breakout(new Options(0, 0.1, true, true, 10)).actionMeanings());
        assertEquals(List.of("NOOP", "LEFT", "RIGHT", "FIRE"), new SpaceInvaders(new Options(0, 0.1, true, true, 10)).actionMeanings());
        assertEquals(List.of("NOOP", "UP", "DOWN"), new Freeway(new Options(0, 0.1, true, true, 10)).actionMeanings());
        assertEquals(5, new Asterix(new Options(0, 0.1, true, true, 10)).actionCount());
        assertEquals(6, new Seaquest(new Options(0, 0.1, true, true, 10)).actionCount());
    }

    @Test
    void stickyActionsRepeatThePreviousActionAboutTenPercentOfTheTime() {
        Breakout g = new Breakout(new Options(21, 0.1, true, false, 100_000));
        int repeats = 0, n = 0;
        g.reset();
        for (int t = 0; t < 4000; t++) {
            int before = g.paddle;
            Step s = g.step(RIGHT);                             // after NOOP-free steps right..., then left
            if (s.done()) g.reset();
            before = g.paddle;
            s = g.step(LEFT);
            n++;
            if (g.paddle > before || (before == 9 && g.paddle == 9)) repeats++;
            if (s.done()) g.reset();
        }
        double rate = repeats / (double) n;
        assertTrue(rate > 0.06 && rate < 0.14, "LEFT was replaced by the previous RIGHT at rate " + rate);
    }
}
