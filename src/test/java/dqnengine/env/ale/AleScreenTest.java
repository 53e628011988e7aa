package dqnengine.env.ale;

import dqnengine.testing.TestRoms;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The fast screen path on real games (skipped without ROMs): palette indices through our copy of
 * ALE's grayscale table equal ALE's grayscale screen, and {@link ScreenDownscaler} equals max-pool
 * + {@link AreaResize} of ALE's grayscale screens, frame for frame, over whole games and across
 * the resets after game over.
 */
class AleScreenTest {
    private static final int N = AleGame.HEIGHT * AleGame.WIDTH;

    @ParameterizedTest
    @ValueSource(strings = {"pong", "breakout", "space_invaders", "seaquest"})
    void indicesThroughThePaletteAndTheFastDownscaleEqualAlesGrayscalePath(String id) {
        try (AleGame game = new AleGame(TestRoms.rom(id), 5, 0f, false, -1, -1)) {
            int[] palette = game.grayscalePalette();
            AreaResize resize = new AreaResize(AleGame.HEIGHT, AleGame.WIDTH, 84, 84);
            ScreenDownscaler fast = new ScreenDownscaler(resize, palette);
            byte[] idxA = new byte[N], idxB = new byte[N], grayA = new byte[N], grayB = new byte[N];
            int[] identity = new int[256];
            for (int i = 0; i < 256; i++) identity[i] = i;
            Random rng = new Random(5);
            int resets = 0, distinctFrames = 0, stepsAfterAReset = 0;
            byte[] previous = null;
            for (int step = 0; step < 1500; step++) {
                int action = rng.nextInt(game.actions().length);
                for (int f = 0; f < 4; f++) {
                    game.act(action);
                    if (f == 2) {
                        game.screenIndices(idxA);
                        game.screenGrayscale(grayA);
                    }
                }
                game.screenIndices(idxB);
                game.screenGrayscale(grayB);
                byte[] viaPalette = new byte[N];
                for (int i = 0; i < N; i++) viaPalette[i] = (byte) palette[idxB[i] & 0xFF];
                assertArrayEquals(grayB, viaPalette, id + " step " + step + ": palette lookup differs from ALE's grayscale screen");
                byte[] expected = ScreenDownscalerTest.reference(resize, identity, grayA, grayB);
                byte[] got = fast.downscale(idxA, idxB);
                assertArrayEquals(expected, got, id + " step " + step);
                if (previous != null && !Arrays.equals(previous, got)) distinctFrames++;
                previous = got.clone();
                if (resets > 0) stepsAfterAReset++;
                if (game.gameOver()) {
                    game.resetGame();
                    resets++;
                }
            }
            assertTrue(distinctFrames > 500, id + ": the frame changed in only " + distinctFrames + " steps");
            // 6,000 frames of random play end 1 (Pong) to 9 (Breakout) games: the comparison goes on
            // across game resets, and a reset that does not take (the game staying over) shows as hundreds.
            assertTrue(resets >= 1 && resets <= 30, id + ": " + resets + " game overs in 1,500 steps, expected 1 to 30");
            assertTrue(stepsAfterAReset >= 100, id + ": only " + stepsAfterAReset + " steps compared after the first reset");
        }
    }
}
