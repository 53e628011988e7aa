package dqnengine.backend.opencl;

import dqnengine.util.BadInput;

import java.util.List;
import java.util.Locale;

/**
 * Which gemm kernel of {@code kernels/gemm.cl} runs and its sizes, passed to the OpenCL compiler as
 * build options. Version 2: work-groups of {@code wg} x {@code wg} work-items, each keeping
 * {@code wptM} x {@code wptN} outputs in registers, over local tiles {@code tk} deep ({@code vw} is 1).
 * Version 3 (no local memory): each work-item keeps {@code wptM} rows x {@code wptN} vectors of
 * {@code vw} floats (or, with B transposed, {@code wptM} x {@code wptN} outputs summed {@code vw}
 * terms at a time) in registers, in work-groups of {@code wg} x 1 work-items ({@code tk} is 0).
 * {@link #defaultFor} says what a device gets without a tuning cache ({@link GemmTuning}): {@link #DEFAULT_V3} on a CPU device, {@link #DEFAULT} on others.
 */
public record GemmParams(int version, int wg, int wptM, int wptN, int tk, int vw) {
    /** Version 2: 16x16 work-groups, 4x4 outputs per work-item (a 64x64 block of C), 16-deep tiles. */
    public static final GemmParams DEFAULT = new GemmParams(16, 4, 4, 16);

    /** Version 3's sizes when nothing else is asked for: 8 rows x 2 vectors of 16 floats per work-item, work-groups of 8. */
    public static final GemmParams DEFAULT_V3 = v3(8, 8, 2, 16);

    /**
     * What a device of OpenCL type {@code type} ({@link OpenCl.Device#type}) gets without a tuning
     * cache: {@link #DEFAULT_V3} on a CPU device (PoCL's, where gemm_v3 ran the Nature products 3-4x
     * faster than gemm_v2), {@link #DEFAULT} (version 2) on the others, GPUs among them, where
     * version 3 has not been measured.
     */
    public static GemmParams defaultFor(String type) { return "CPU".equals(type) ? DEFAULT_V3 : DEFAULT; }

    /**
     * What {@code devices --tune} times: version 2 with the default, deeper and shallower tiles,
     * bigger register blocks (8x4, 4x8, 8x8) and smaller work-groups; version 3 with 4 to 16 rows,
     * vectors of 8 or 16 floats, 1 to 4 of them per row, and work-groups of 8 or 16. Every one of them passes the parity tests.
     */
    public static final List<GemmParams> CANDIDATES = List.of(
            DEFAULT, new GemmParams(16, 4, 4, 8), new GemmParams(16, 4, 4, 32), new GemmParams(16, 8, 4, 16),
            new GemmParams(16, 4, 8, 16), new GemmParams(16, 8, 8, 8), new GemmParams(8, 4, 4, 16), new GemmParams(8, 8, 8, 16),
            DEFAULT_V3, v3(8, 16, 2, 8), v3(8, 16, 1, 16), v3(8, 8, 2, 8), v3(8, 4, 4, 8), v3(16, 8, 2, 16));

    /** Version 2's sizes: work-group side, outputs per work-item each way, tile depth. */
    public GemmParams(int wg, int wptM, int wptN, int tk) { this(2, wg, wptM, wptN, tk, 1); }

    /** Version 3's sizes: work-group length, rows per work-item, vectors per row, floats per vector (4, 8 or 16). */
    public static GemmParams v3(int wg, int wptM, int wptN, int vw) { return new GemmParams(3, wg, wptM, wptN, 0, vw); }

    public GemmParams {
        if (version == 2) {
            if (wg < 1 || wg > 32 || wptM < 1 || wptM > 16 || wptN < 1 || wptN > 16 || tk < 1 || tk > 64 || vw != 1) {
                throw new BadInput("gemm v2 tile sizes out of range (work-group side 1-32, outputs per work-item 1-16 each way, tile depth 1-64): " + this);
            }
        } else if (version == 3) {
            if (wg < 1 || wg > 256 || wptM < 1 || wptM > 16 || wptN < 1 || wptN > 8 || tk != 0 || (vw != 4 && vw != 8 && vw != 16)) {
                throw new BadInput("gemm v3 sizes out of range (work-group 1-256, rows per work-item 1-16, vectors 1-8, vector width 4, 8 or 16): " + this);
            }
        } else {
            throw new BadInput("gemm tile sizes are for version 2 or 3, not " + version);
        }
    }

    /** Rows of C per work-group. */
    public int blockM() { return version == 2 ? wg * wptM : wptM; }

    /** Columns of C per work-group (version 3: with B not transposed). */
    public int blockN() { return version == 2 ? wg * wptN : wg * wptN * vw; }

    /** Work-items per work-group. */
    public int workGroupSize() { return version == 2 ? wg * wg : wg; }

    /** The compiler options that set these sizes in {@code kernels/gemm.cl}. */
    public String buildOptions() {
        return version == 2 ? String.format(Locale.ROOT, "-DWG=%d -DWPT_M=%d -DWPT_N=%d -DTK=%d", wg, wptM, wptN, tk)
                : String.format(Locale.ROOT, "-DV3_WPT_M=%d -DV3_WPT_N=%d -DV3_VW=%d", wptM, wptN, vw);
    }

    /** As the tuning cache and the logs write it: {@code wg=16 wpt=4x4 tk=16} (version 2), {@code v3 wg=8 wpt=8x2 vw=8}. */
    @Override
    public String toString() {
        return version == 2 ? "wg=" + wg + " wpt=" + wptM + "x" + wptN + " tk=" + tk : "v3 wg=" + wg + " wpt=" + wptM + "x" + wptN + " vw=" + vw;
    }

    /** The inverse of {@link #toString} (without a version: version 2, as caches before version 3 wrote it); {@link BadInput} with one line on anything else. */
    public static GemmParams parse(String s) {
        String[] parts = s.strip().split("\\s+");
        int version = 2;
        if (parts.length == 4 && parts[0].equals("v3")) {
            version = 3;
            parts = new String[] {parts[1], parts[2], parts[3]};
        }
        String last = version == 2 ? "tk=" : "vw=";
        String form = version == 2 ? "wg=N wpt=MxN tk=N" : "v3 wg=N wpt=MxN vw=N";
        if (parts.length != 3 || !parts[0].startsWith("wg=") || !parts[1].startsWith("wpt=") || !parts[2].startsWith(last)) {
            throw new BadInput("not gemm tile sizes (" + form + "): '" + s + "'");
        }
        String[] wpt = parts[1].substring(4).split("x");
        if (wpt.length != 2) throw new BadInput("not gemm tile sizes (" + form + "): '" + s + "'");
        try {
            int wg = Integer.parseInt(parts[0].substring(3)), m = Integer.parseInt(wpt[0]), n = Integer.parseInt(wpt[1]);
            int last3 = Integer.parseInt(parts[2].substring(3));
            return version == 2 ? new GemmParams(wg, m, n, last3) : v3(wg, m, n, last3);
        } catch (NumberFormatException e) {
            throw new BadInput("not gemm tile sizes (" + form + "): '" + s + "'");
        }
    }
}
