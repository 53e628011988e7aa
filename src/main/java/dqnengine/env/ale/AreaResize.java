package dqnengine.env.ale;

import java.util.ArrayList;
import java.util.List;

/**
 * Downscaling by pixel-area averaging, the method OpenCV calls {@code INTER_AREA} (used by the
 * DQN preprocessing of Gym, Dopamine and CleanRL to turn 210×160 screens into 84×84).
 *
 * <p>Each output pixel is the average of the input it covers, partly covered input pixels
 * counting in proportion to the covered fraction. With scale factors sy = inH/outH and
 * sx = inW/outW, output row r covers input rows [r·sy, (r+1)·sy), and the weight of input row y
 * is the length of [y, y+1) ∩ [r·sy, (r+1)·sy). Then
 * <pre>
 *   out[r, c] = round( Σ_y Σ_x wy(r, y) · wx(c, x) · in[y, x] / (sy · sx) )
 * </pre>
 * The weights factor into rows and columns, so the work is two 1-D passes over precomputed
 * tables; no allocation per frame.
 */
public final class AreaResize {
    private final int inH, inW, outH, outW;
    private final Taps rows, cols;
    private final float[] rowsDone;                 // [outH][inW] after the vertical pass

    /** For each output index o: the input indices first[o] … first[o]+count[o]−1 and their weights. */
    private record Taps(int[] first, int[] count, int[] weightOffset, float[] weight) {

        static Taps of(int in, int out) {
            double scale = (double) in / out;
            int[] first = new int[out], count = new int[out], offset = new int[out];
            List<Float> weights = new ArrayList<>();
            for (int o = 0; o < out; o++) {
                double from = o * scale, to = (o + 1) * scale;          // the input span output o covers
                first[o] = (int) Math.floor(from);
                int last = (int) Math.ceil(to) - 1;
                count[o] = last - first[o] + 1;
                offset[o] = weights.size();
                for (int i = first[o]; i <= last; i++) weights.add((float) (Math.min(to, i + 1) - Math.max(from, i)));   // overlap
            }
            float[] w = new float[weights.size()];
            for (int i = 0; i < w.length; i++) w[i] = weights.get(i);
            return new Taps(first, count, offset, w);
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
        this.rows = Taps.of(inH, outH);
        this.cols = Taps.of(inW, outW);
        this.rowsDone = new float[outH * inW];
    }

    /** Resizes {@code in} [inH, inW] into {@code out[outOffset …]} [outH, outW], both unsigned bytes. */
    public void resize(byte[] in, byte[] out, int outOffset) {
        for (int r = 0; r < outH; r++) {                              // vertical pass: rowsDone[r] = Σ_y wy · in[y, ·]
            int base = r * inW;
            java.util.Arrays.fill(rowsDone, base, base + inW, 0f);
            for (int k = 0; k < rows.count()[r]; k++) {
                float w = rows.weight()[rows.weightOffset()[r] + k];
                int src = (rows.first()[r] + k) * inW;
                for (int x = 0; x < inW; x++) rowsDone[base + x] += w * (in[src + x] & 0xFF);
            }
        }
        float norm = (float) ((double) outH * outW / ((double) inH * inW));   // 1 / (sy · sx)
        for (int r = 0; r < outH; r++) {                              // horizontal pass and rounding
            int base = r * inW;
            for (int c = 0; c < outW; c++) {
                float sum = 0f;
                for (int k = 0; k < cols.count()[c]; k++) {
                    sum += cols.weight()[cols.weightOffset()[c] + k] * rowsDone[base + cols.first()[c] + k];
                }
                int v = (int) Math.rint(sum * norm);
                out[outOffset + r * outW + c] = (byte) Math.min(255, Math.max(0, v));
            }
        }
    }
}
