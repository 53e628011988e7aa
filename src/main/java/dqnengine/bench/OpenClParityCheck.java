package dqnengine.bench;

import dqnengine.backend.Backend;
import dqnengine.bench.BackendParity;
import dqnengine.backend.cpu.ReferenceBackend;
import dqnengine.backend.opencl.OpenCl;
import dqnengine.backend.opencl.OpenClBackend;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The OpenCL parity suite without JUnit, for the GPU check ({@code scripts/gpu-check.sh}), which
 * runs on a machine that has the bundle and nothing else: every case of {@link BackendParity}
 * (every op of the backend and a whole Nature train step) on one OpenCL device against the
 * reference backend, with the cases and tolerances the JUnit suite uses. The device runs them
 * with direct convolutions, with convolutions as implicit GEMM (the default of
 * {@code --device opencl}) and with convolutions as im2col + gemm (the forms
 * {@code OpenClBackendTest}, {@code OpenClImplicitBackendTest} and {@code OpenClIm2colBackendTest}
 * check), the last once with each version of the gemm kernel up to the one the device runs by
 * default, and with version 3 too.
 *
 * <pre>
 *   java --add-modules jdk.incubator.vector -cp dqn-engine.jar dqnengine.bench.OpenClParityCheck [opencl:N]
 * </pre>
 * Without an argument it takes the first GPU, else device 0. It prints one line per check (how
 * many of its cases passed, how long they took), one line per failed case with the difference,
 * and a last line {@code parity: PASS} or {@code parity: FAIL}. Exit code: 0 when every case
 * passed, 1 when one failed, 2 when there is no such device or no OpenCL.
 */
public final class OpenClParityCheck {
    private OpenClParityCheck() {}

    public static void main(String[] args) {
        System.exit(run(args, System.out));
    }

    /** What {@code main} does, with its exit code returned and its lines printed on {@code out}. */
    static int run(String[] args, PrintStream out) {
        int index;
        try {
            index = args.length > 0 ? parseDevice(args[0]) : firstGpuOrZero();
        } catch (IllegalArgumentException | OpenCl.UnavailableException e) {
            out.println("parity: cannot start: " + e.getMessage());
            return 2;
        }
        int failed = 0, total = 0;
        // direct, then implicit convolutions with the device's gemm, then im2col convolutions with every gemm
        // version up to it, and with version 3 also where the device's default is an older one (v3 has no
        // local memory and 8-wide work-groups: it runs anywhere, and a tuning cache may pick it)
        List<OpenClBackend.Convolutions> forms = new ArrayList<>(List.of(OpenClBackend.Convolutions.DIRECT, OpenClBackend.Convolutions.IMPLICIT));
        List<Integer> versions = new ArrayList<>(List.of(0, 0));
        for (int form = 0; form < forms.size(); form++) {
            OpenClBackend.Convolutions conv = forms.get(form);
            int version = versions.get(form);
            try (OpenClBackend device = new OpenClBackend(index, false, conv, version)) {    // per op: every result read back
                if (form == 0) {
                    int best = device.gemmVersion();
                    for (int v = best; v >= 1; v--) { forms.add(OpenClBackend.Convolutions.IM2COL); versions.add(v); }
                    if (best < 3) { forms.add(OpenClBackend.Convolutions.IM2COL); versions.add(3); }
                }
                String tag = "opencl:" + index + " " + device.convolutions().name().toLowerCase(Locale.ROOT) + " gemm v" + device.gemmVersion();
                out.printf(Locale.ROOT, "# parity: %s against the reference%n", device.name());
                failed += failures(device, tag, out);
                total += BackendParity.cases().size();
            } catch (RuntimeException e) {
                out.println("parity: cannot open opencl:" + index + ": " + e.getMessage());
                return 2;
            }
        }
        out.printf(Locale.ROOT, "parity: %s (%d of %d cases passed on opencl:%d)%n", failed == 0 ? "PASS" : "FAIL", total - failed, total, index);
        return failed == 0 ? 0 : 1;
    }

    /**
     * Runs every case on {@code fast} against a fresh reference backend and prints its lines, each
     * starting with {@code tag}; returns the number of cases that failed. A case fails on a
     * difference beyond its tolerance and on any exception the backend throws.
     */
    public static int failures(Backend fast, String tag, PrintStream out) {
        Backend ref = new ReferenceBackend();
        Map<String, int[]> byCheck = new LinkedHashMap<>();          // check → {cases, passed, milliseconds}
        int failed = 0;
        List<BackendParity.Case> cases = BackendParity.cases();
        for (BackendParity.Case c : cases) {
            int[] tally = byCheck.computeIfAbsent(c.check(), k -> new int[3]);
            long t0 = System.nanoTime();
            String problem = null;
            try {
                c.run().accept(ref, fast);
            } catch (AssertionError | RuntimeException e) {
                problem = e.getClass().getSimpleName() + ": " + e.getMessage();
            }
            tally[0]++;
            tally[2] += (int) ((System.nanoTime() - t0) / 1_000_000);
            if (problem == null) {
                tally[1]++;
            } else {
                failed++;
                out.printf(Locale.ROOT, "FAIL %s %s [%s]: %s%n", tag, c.check(), c.label(), problem);
            }
        }
        for (Map.Entry<String, int[]> e : byCheck.entrySet()) {
            int[] t = e.getValue();
            out.printf(Locale.ROOT, "parity %s %s: %d/%d passed (%d ms)%n", tag, e.getKey(), t[1], t[0], t[2]);
        }
        return failed;
    }

    /** {@code opencl:N} or {@code N}. */
    static int parseDevice(String s) {
        String n = s.startsWith("opencl:") ? s.substring(7) : s;
        try {
            int i = Integer.parseInt(n);
            if (i >= 0) return i;
        } catch (NumberFormatException ignored) {
            // the message below says what is expected
        }
        throw new IllegalArgumentException("expected a device as opencl:N or N (see 'dqn-engine devices'), got '" + s + "'");
    }

    private static int firstGpuOrZero() {
        for (OpenCl.Platform p : OpenCl.platforms()) {
            for (OpenCl.Device d : p.devices()) if (d.type().equals("GPU")) return d.index();
        }
        return 0;
    }
}
