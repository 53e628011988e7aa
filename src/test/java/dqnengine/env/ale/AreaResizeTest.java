package dqnengine.env.ale;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class AreaResizeTest {
    @Test
    void fractionalFootprintsAreWeightedByTheCoveredArea() {
        // 5 rows → 2 rows: sy = 2.5. Row 0 covers input rows 0, 1 and half of 2; row 1 the other
        // half of 2, then 3 and 4.  (10 + 20 + 0.5·30)/2.5 = 18;  (0.5·30 + 40 + 50)/2.5 = 42.
        // 2 columns → 1: sx = 2, both columns equal, so the average is the value.
        byte[] in = {10, 10, 20, 20, 30, 30, 40, 40, 50, 50};
        byte[] out = new byte[2];
        new AreaResize(5, 2, 2, 1).resize(in, out, 0);
        assertArrayEquals(new byte[] {18, 42}, out);
    }

    @Test
    void aConstantScreenStaysConstantAndTheMeanIsKept() {
        AreaResize r = new AreaResize(210, 160, 84, 84);
        byte[] in = new byte[210 * 160], out = new byte[84 * 84];
        java.util.Arrays.fill(in, (byte) 200);
        r.resize(in, out, 0);
        for (byte b : out) assertEquals(200, b & 0xFF);
        Random rng = new Random(1);
        double inSum = 0, outSum = 0;
        for (int i = 0; i < in.length; i++) {
            in[i] = (byte) rng.nextInt(256);
            inSum += in[i] & 0xFF;
        }
        r.resize(in, out, 0);
        for (byte b : out) outSum += b & 0xFF;
        assertEquals(inSum / in.length, outSum / out.length, 0.5, "area averaging keeps the mean brightness");
    }

    @Test
    void enlargingIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> new AreaResize(84, 84, 210, 160));
    }
}
