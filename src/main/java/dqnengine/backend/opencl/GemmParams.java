package dqnengine.backend.opencl;

import dqnengine.util.BadInput;

import java.util.List;
import java.util.Locale;

/**
 * The tile sizes of version 2 of the gemm kernel ({@code kernels/gemm.cl}), passed to the OpenCL
 * compiler as build options: work-groups of {@code wg} x {@code wg} work-items, each keeping
 * {@code wptM} x {@code wptN} outputs in registers, over tiles {@code tk} deep. {@link #DEFAULT} is
 * what the kernel was written with and what a device gets without a tuning cache
 * ({@link GemmTuning}).
 */
public record GemmParams(int wg, int wptM, int wptN, int tk) {
    /** 16x16 work-groups, 4x4 outputs per work-item (a 64x64 block of C), 16-deep tiles. */
    public static final GemmParams DEFAULT = new GemmParams(16, 4, 4, 16);

    /**
     * What {@code devices --tune} times: the default, deeper and shallower tiles, bigger register
     * blocks (8x4, 4x8, 8x8) and smaller work-groups. Every one of them passes the parity tests.
     */
    public static final List<GemmParams> CANDIDATES = List.of(
            DEFAULT, new GemmParams(16, 4, 4, 8), new GemmParams(16, 4, 4, 32), new GemmParams(16, 8, 4, 16),
            new GemmParams(16, 4, 8, 16), new GemmParams(16, 8, 8, 8), new GemmParams(8, 4, 4, 16), new GemmParams(8, 8, 8, 16));

    public GemmParams {
        if (wg < 1 || wg > 32 || wptM < 1 || wptM > 16 || wptN < 1 || wptN > 16 || tk < 1 || tk > 64) {
            throw new BadInput("gemm tile sizes out of range (work-group side 1-32, outputs per work-item 1-16 each way, tile depth 1-64): " + this);
        }
    }

    /** Rows of C per work-group. */
    public int blockM() { return wg * wptM; }

    /** Columns of C per work-group. */
    public int blockN() { return wg * wptN; }

    /** Work-items per work-group. */
    public int workGroupSize() { return wg * wg; }

    /** The compiler options that set these sizes in {@code kernels/gemm.cl}. */
    public String buildOptions() { return String.format(Locale.ROOT, "-DWG=%d -DWPT_M=%d -DWPT_N=%d -DTK=%d", wg, wptM, wptN, tk); }

    /** As the tuning cache and the logs write it: {@code wg=16 wpt=4x4 tk=16}. */
    @Override
    public String toString() { return "wg=" + wg + " wpt=" + wptM + "x" + wptN + " tk=" + tk; }

    /** The inverse of {@link #toString}; {@link BadInput} with one line on anything else. */
    public static GemmParams parse(String s) {
        String[] parts = s.strip().split("\\s+");
        if (parts.length != 3 || !parts[0].startsWith("wg=") || !parts[1].startsWith("wpt=") || !parts[2].startsWith("tk=")) {
            throw new BadInput("not gemm tile sizes (wg=N wpt=MxN tk=N): '" + s + "'");
        }
        String[] wpt = parts[1].substring(4).split("x");
        if (wpt.length != 2) throw new BadInput("not gemm tile sizes (wg=N wpt=MxN tk=N): '" + s + "'");
        try {
            return new GemmParams(Integer.parseInt(parts[0].substring(3)), Integer.parseInt(wpt[0]), Integer.parseInt(wpt[1]),
                    Integer.parseInt(parts[2].substring(3)));
        } catch (NumberFormatException e) {
            throw new BadInput("not gemm tile sizes (wg=N wpt=MxN tk=N): '" + s + "'");
        }
    }
}
