package dqnengine.env.ale;

import java.util.Arrays;

/**
 * Downscaling by pixel-area averaging, the method OpenCV calls {@code INTER_AREA} (used by the
 * DQN preprocessing of Gym, Dopamine and CleanRL to turn 210×160 screens into 84×84). This class
 * is the plain, readable version; {@link ScreenDownscaler} is the fast one used per frame, and a
 * test holds them byte-identical.
 *
 * <p>Each output pixel is the average of the input it covers, partly covered input pixels
 * counting in proportion to the covered fraction. Output row r covers input rows
 * [r·sy, (r+1)·sy) with sy = inH/outH, and the weight of input row y is the length of
 * [y, y+1) ∩ [r·sy, (r+1)·sy); columns alike. Then
 * <pre>
 *   out[r, c] = round( Σ_y Σ_x wy(r, y) · wx(c, x) · in[y, x] / (sy · sx) )      (halves round up)
 * </pre>
 * <b>Exact integer weights.</b> Measured in units of 1/out of an input pixel, every footprint edge
 * (r·in) and every pixel edge (y·out) is a whole number, and so a multiple of g = gcd(in, out).
 * So each overlap, divided by g/out, is an integer: for 210 → 84 the row weights are 2, 2, 1 | 1, 2, 2
 * (sum in/g = 5), for 160 → 84 the column weights are in 21sts of a pixel (sum 40). With integer
 * weights the sum S is exact and out = (S + D/2) / D with D = (inH/gH)·(inW/gW) (200 for 84×84):
 * no floating point, no rounding drift, and any two implementations that add the same integers
 * agree to the bit.
 */
public final class AreaResize {
    final int inH, inW, outH, outW;
    /** Output row r: input rows rowFirst[r] … rowFirst[r]+rowCount[r]−1, weights rowWeight[rowStart[r] + k]. */
    final int[] rowFirst, rowCount, rowStart, rowWeight;
    /** Output column c: input columns colFirst[c] …, weights colWeight[colStart[c] + k]. */
    final int[] colFirst, colCount, colStart, colWeight;
    /** Σ of all weights of one output pixel: out = (S + divisor/2) / divisor. */
    final int divisor;

    /** The input indices each output index covers, with integer overlap weights (see the class comment). */
    private record Taps(int[] first, int[] count, int[] start, int[] weight, int sum) {
        static Taps of(int in, int out) {
            int g = gcd(in, out);
            int[] first = new int[out], count = new int[out], start = new int[out];
            int[] weight = new int[in + out];                         // each output has ≤ in/out + 2 taps
            int n = 0;
            for (int o = 0; o < out; o++) {
                long from = (long) o * in, to = (long) (o + 1) * in;  // the footprint, in units of 1/out
                first[o] = (int) (from / out);
                start[o] = n;
                for (int i = first[o]; (long) i * out < to; i++) {
                    long overlap = Math.min(to, (long) (i + 1) * out) - Math.max(from, (long) i * out);
                    weight[n++] = (int) (overlap / g);
                }
                count[o] = n - start[o];
            }
            return new Taps(first, count, start, Arrays.copyOf(weight, n), in / g);
        }
    }

    public AreaResize(int inH, int inW, int outH, int outW) {
        if (outH > inH || outW > inW || outH < 1 || outW < 1) {
            throw new IllegalArgumentException("area resize only shrinks: " + inH + "x" + inW + " -> " + outH + "x" + outW);
        }
        this.inH = inH;
        this.inW = inW;
        this.outH = outH;
        this.outW = outW;
        Taps rows = Taps.of(inH, outH), cols = Taps.of(inW, outW);
        this.rowFirst = rows.first();
        this.rowCount = rows.count();
        this.rowStart = rows.start();
        this.rowWeight = rows.weight();
        this.colFirst = cols.first();
        this.colCount = cols.count();
        this.colStart = cols.start();
        this.colWeight = cols.weight();
        long d = (long) rows.sum() * cols.sum();
        if (255L * d > Integer.MAX_VALUE) throw new IllegalArgumentException("resize ratio too irregular for int sums: " + inH + "x" + inW + " -> " + outH + "x" + outW);
        this.divisor = (int) d;
    }

    private static int gcd(int a, int b) { return b == 0 ? a : gcd(b, a % b); }

    /** Resizes {@code in} [inH, inW] into {@code out[outOffset …]} [outH, outW], both unsigned bytes. */
    public void resize(byte[] in, byte[] out, int outOffset) {
        int[] rowSums = new int[inW];
        for (int r = 0; r < outH; r++) {
            Arrays.fill(rowSums, 0);
            for (int k = 0; k < rowCount[r]; k++) {                   // vertical: Σ_y wy · in[y, x]
                int w = rowWeight[rowStart[r] + k], y = rowFirst[r] + k;
                for (int x = 0; x < inW; x++) rowSums[x] += w * (in[y * inW + x] & 0xFF);
            }
            for (int c = 0; c < outW; c++) {                          // horizontal: Σ_x wx · rowSums[x]
                int s = 0;
                for (int k = 0; k < colCount[c]; k++) s += colWeight[colStart[c] + k] * rowSums[colFirst[c] + k];
                out[outOffset + r * outW + c] = (byte) ((s + divisor / 2) / divisor);
            }
        }
    }
}
