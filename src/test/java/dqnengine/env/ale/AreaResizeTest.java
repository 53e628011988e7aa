package dqnengine.env.ale;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
        Arrays.fill(in, (byte) 200);
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

    /** The integer weights are exactly the covered areas: compare with the definition computed in doubles. */
    @Test
    void integerWeightsGiveTheAreaAverageOfTheDefinition() {
        Random rng = new Random(4);
        for (int[] s : new int[][] {{210, 160, 84, 84}, {210, 160, 105, 80}, {7, 5, 3, 2}, {13, 11, 13, 4}, {160, 210, 84, 84}}) {
            int inH = s[0], inW = s[1], outH = s[2], outW = s[3];
            byte[] in = new byte[inH * inW], out = new byte[outH * outW];
            rng.nextBytes(in);
            new AreaResize(inH, inW, outH, outW).resize(in, out, 0);
            double sy = (double) inH / outH, sx = (double) inW / outW;
            for (int r = 0; r < outH; r++) {
                for (int c = 0; c < outW; c++) {
                    double sum = 0;
                    for (int y = 0; y < inH; y++) {
                        double wy = Math.max(0, Math.min(y + 1, (r + 1) * sy) - Math.max(y, r * sy));
                        for (int x = 0; x < inW && wy > 0; x++) {
                            double wx = Math.max(0, Math.min(x + 1, (c + 1) * sx) - Math.max(x, c * sx));
                            sum += wy * wx * (in[y * inW + x] & 0xFF);
                        }
                    }
                    double exact = sum / (sy * sx);
                    int got = out[r * outW + c] & 0xFF;
                    assertTrue(Math.abs(got - exact) <= 0.5 + 1e-9, inH + "x" + inW + "->" + outH + "x" + outW + " [" + r + "," + c + "]: "
                            + got + " vs " + exact);
                }
            }
        }
    }

    @Test
    void rowWeightsFor210To84AreTwoTwoOneOneTwoTwo() {
        AreaResize r = new AreaResize(210, 160, 84, 84);
        assertEquals(200, r.divisor);
        assertArrayEquals(new int[] {2, 2, 1, 1, 2, 2}, Arrays.copyOf(r.rowWeight, 6));
        assertEquals(3, r.rowCount[0]);
        assertEquals(2, r.rowFirst[1]);
    }

    @Test
    void enlargingIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> new AreaResize(84, 84, 210, 160));
    }
}
