package dqnengine.env.ale;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The fast per-step screen work against its plain definition: grayscale through the palette,
 * per pixel max of the two frames, {@link AreaResize}. Synthetic screens here; the real games in
 * {@link AleScreenTest}.
 */
class ScreenDownscalerTest {
    static final int H = 210, W = 160;

    /** The plain definition the fast version must equal. */
    static byte[] reference(AreaResize resize, int[] gray, byte[] a, byte[] b) {
        byte[] pooled = new byte[a.length];
        for (int i = 0; i < a.length; i++) pooled[i] = (byte) Math.max(gray[a[i] & 0xFF], gray[b[i] & 0xFF]);
        byte[] out = new byte[resize.outH * resize.outW];
        resize.resize(pooled, out, 0);
        return out;
    }

    private static int[] randomPalette(Random rng) {
        int[] gray = new int[256];
        for (int i = 0; i < 256; i++) gray[i] = rng.nextInt(256);
        return gray;
    }

    /** Sprites move over a fixed background, single pixels flip anywhere (footprint edges included), now and then all changes. */
    @Test
    void equalsTheDefinitionStepAfterStepWhileOnlyPartsOfTheScreenChange() {
        Random rng = new Random(7);
        int[] gray = randomPalette(rng);
        for (int[] size : new int[][] {{84, 84}, {105, 80}, {64, 48}}) {
            AreaResize resize = new AreaResize(H, W, size[0], size[1]);
            ScreenDownscaler fast = new ScreenDownscaler(resize, gray);
            byte[] a = new byte[H * W], b = new byte[H * W];
            for (int i = 0; i < a.length; i++) a[i] = b[i] = (byte) (2 * rng.nextInt(4));
            int partial = 0;
            for (int step = 0; step < 400; step++) {
                byte[] prevOut = reference(resize, gray, a, b);
                System.arraycopy(b, 0, a, 0, a.length);                // the frame before last was the previous last
                if (step % 97 == 50) {
                    for (int i = 0; i < b.length; i++) b[i] = (byte) rng.nextInt(256);    // a flash: everything changes
                } else {
                    int y = rng.nextInt(H - 8), x = rng.nextInt(W - 6);   // a moving 8×6 sprite
                    for (int dy = 0; dy < 8; dy++) for (int dx = 0; dx < 6; dx++) b[(y + dy) * W + x + dx] = (byte) (2 * (step % 128));
                    b[rng.nextInt(H) * W + rng.nextInt(W)] = (byte) rng.nextInt(256);   // one pixel anywhere
                    b[rng.nextInt(H) * W + (rng.nextBoolean() ? 0 : W - 1)] = (byte) rng.nextInt(256);   // on an edge
                    a[(H - 1) * W + rng.nextInt(W)] = (byte) rng.nextInt(256);            // only in the pooled frame
                }
                byte[] expected = reference(resize, gray, a, b);
                assertArrayEquals(expected, fast.downscale(a, b), "size " + size[0] + "x" + size[1] + ", step " + step);
                if (!Arrays.equals(prevOut, expected)) partial++;
            }
            assertTrue(partial > 300, "the outputs changed in only " + partial + " of 400 steps");
        }
    }

    @Test
    void theSameArrayTwiceMeansNoPooling() {
        Random rng = new Random(3);
        int[] gray = randomPalette(rng);
        AreaResize resize = new AreaResize(H, W, 84, 84);
        ScreenDownscaler fast = new ScreenDownscaler(resize, gray);
        byte[] s = new byte[H * W];
        rng.nextBytes(s);
        assertArrayEquals(reference(resize, gray, s, s), fast.downscale(s, s));
        byte[] t = s.clone();
        for (int i = 0; i < 500; i++) t[rng.nextInt(t.length)] = (byte) rng.nextInt(256);
        assertArrayEquals(reference(resize, gray, t, t), fast.downscale(t, t));
    }
}
