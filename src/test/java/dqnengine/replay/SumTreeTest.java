package dqnengine.replay;

import dqnengine.util.Rng;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

class SumTreeTest {

    @Test
    void theTotalIsTheSumOfTheLeavesAfterRandomUpdates() {
        for (int n : new int[] {1, 2, 3, 7, 8, 1000, 1 << 12}) {
            SumTree t = new SumTree(n);
            double[] shadow = new double[n];
            Rng r = new Rng(n);
            for (int u = 0; u < 20 * n + 50; u++) {
                int i = r.nextInt(n);
                double p = r.nextDouble() < 0.1 ? 0 : r.nextDouble() * 10;
                t.set(i, p);
                shadow[i] = p;
            }
            double sum = 0;
            for (int i = 0; i < n; i++) {
                assertEquals(shadow[i], t.get(i));
                sum += shadow[i];
            }
            assertEquals(sum, t.total(), 1e-9 * Math.max(1, sum), "n = " + n);
        }
    }

    @Test
    void findWalksTheCumulativeRanges() {
        SumTree t = new SumTree(5);
        double[] p = {1, 0, 2, 3, 0.5};
        for (int i = 0; i < p.length; i++) t.set(i, p[i]);
        assertEquals(6.5, t.total());
        assertEquals(0, t.find(0));
        assertEquals(0, t.find(0.999));
        assertEquals(2, t.find(1.0), "leaf 1 has priority 0 and is never found");
        assertEquals(2, t.find(2.999));
        assertEquals(3, t.find(3.0));
        assertEquals(4, t.find(6.0));
        assertEquals(4, t.find(6.5), "the end of the range (rounding) gives the last positive leaf");
        assertEquals(3.0, t.maxSet());
    }

    /** Sampling frequencies match p_i / total: Pearson's chi-square over 20 leaves, 200,000 draws, fixed seed. */
    @Test
    void samplingFrequenciesAreProportionalToPriorities() {
        int n = 20, draws = 200_000;
        SumTree t = new SumTree(n);
        Rng r = new Rng(42);
        double[] p = new double[n];
        for (int i = 0; i < n; i++) {
            p[i] = 0.1 + (i % 5) * r.nextDouble();
            t.set(i, p[i]);
        }
        long[] count = new long[n];
        for (int d = 0; d < draws; d++) count[t.find(r.nextDouble() * t.total())]++;
        double chi2 = 0;
        for (int i = 0; i < n; i++) {
            double expected = draws * p[i] / t.total();
            chi2 += (count[i] - expected) * (count[i] - expected) / expected;
        }
        // 19 degrees of freedom: the 99.9% quantile is 43.8
        assertTrue(chi2 < 43.8, "chi-square " + chi2);
        // and a sampler that ignored the priorities would be far outside it
        double uniformChi2 = 0;
        for (int i = 0; i < n; i++) {
            double expected = draws * p[i] / t.total(), uniform = draws / (double) n;
            uniformChi2 += (uniform - expected) * (uniform - expected) / expected;
        }
        assertTrue(uniformChi2 > 1000, "the test could tell uniform sampling apart: " + uniformChi2);
    }

    @Test
    void badPrioritiesAndIndicesAreRefused() {
        SumTree t = new SumTree(4);
        assertThrows(IllegalArgumentException.class, () -> t.set(0, -1));
        assertThrows(IllegalArgumentException.class, () -> t.set(0, Double.NaN));
        assertThrows(IndexOutOfBoundsException.class, () -> t.set(4, 1));
        assertThrows(IllegalStateException.class, () -> t.find(0));
    }
}
