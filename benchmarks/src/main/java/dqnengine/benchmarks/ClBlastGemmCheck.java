package dqnengine.benchmarks;

import dqnengine.backend.opencl.GemmTuning;
import dqnengine.backend.opencl.OpenCl;
import dqnengine.backend.opencl.OpenClBackend;
import dqnengine.tensor.Tensor;

import java.util.Arrays;
import java.util.Locale;
import java.util.Random;

/**
 * Our gemm against CLBlast on one OpenCL device, without JUnit or JMH (the GPU bundle runs it after
 * the benchmark): one line per Nature product (GemmTuning.NATURE_SHAPES) with the GFLOP/s of the
 * version the backend picks for the device (and its tile sizes) and of CLBlast's SGEMM on the same
 * device, and ours / CLBlast. Each figure is the median of {@code --reps} calls after two untimed
 * ones; every call blocks until the device is done and the operands stay on the device.
 *
 * <pre>  java -cp dqn-engine.jar:clblast-check.jar dqnengine.benchmarks.ClBlastGemmCheck [opencl:N] [--reps R]</pre>
 *
 * Exit code 0 when every figure was measured (whatever the ratios), 1 when one could not be, 2 on
 * bad arguments.
 */
public final class ClBlastGemmCheck {
    private ClBlastGemmCheck() {}

    public static void main(String[] args) {
        int device = 0, reps = 9;
        try {
            for (int i = 0; i < args.length; i++) {
                if (args[i].equals("--reps") && i + 1 < args.length) reps = Integer.parseInt(args[++i]);
                else if (args[i].startsWith("opencl:")) device = Integer.parseInt(args[i].substring(7));
                else if (args[i].matches("\\d+")) device = Integer.parseInt(args[i]);
                else throw new IllegalArgumentException(args[i]);
            }
            if (reps < 1) throw new IllegalArgumentException("--reps " + reps);
        } catch (IllegalArgumentException e) {
            System.err.println("clblast-check: usage: ClBlastGemmCheck [opencl:N] [--reps R >= 1] (got " + e.getMessage() + ")");
            System.exit(2);
        }
        System.exit(run(device, reps));
    }

    static int run(int device, int reps) {
        String blastFailure = ClBlastSgemm.loadFailure();
        if (blastFailure != null) System.out.println("clblast-check: " + blastFailure + "; our figures alone");
        int failures = 0;
        try (OpenClBackend ours = new OpenClBackend(device)) {
            System.out.printf(Locale.ROOT, "clblast-check: opencl:%d %s, ours: %s; median of %d calls each%n", device, OpenCl.device(device).name(),
                    ours.name(), reps);
            double worst = Double.POSITIVE_INFINITY;
            String worstShape = "";
            for (GemmTuning.Shape s : GemmTuning.NATURE_SHAPES) {
                double oursMs = timeOurs(ours, s, reps), blastMs = Double.NaN;
                String blastNote = "";
                if (blastFailure == null) {
                    try (ClBlastSgemm blast = new ClBlastSgemm(device, s)) {
                        blastMs = median(reps, blast::run);
                    } catch (RuntimeException e) {
                        blastNote = "  CLBlast: " + e.getMessage();
                        failures++;
                    }
                }
                double oursG = s.flop() / oursMs / 1e6, blastG = s.flop() / blastMs / 1e6, ratio = blastMs / oursMs;
                if (!Double.isNaN(ratio) && ratio < worst) {
                    worst = ratio;
                    worstShape = s.label();
                }
                System.out.printf(Locale.ROOT, "clblast-check: %-28s ours %8.2f GFLOP/s (%8.3f ms)   CLBlast %s   ours/CLBlast %s%s%n", s,
                        oursG, oursMs, Double.isNaN(blastMs) ? "       -" : String.format(Locale.ROOT, "%8.2f GFLOP/s (%8.3f ms)", blastG, blastMs),
                        Double.isNaN(ratio) ? "-" : String.format(Locale.ROOT, "%.2f", ratio), blastNote);
            }
            if (worst < Double.POSITIVE_INFINITY) {
                System.out.printf(Locale.ROOT, "clblast-check: lowest ours/CLBlast %.2f (%s)%s%n", worst, worstShape,
                        worst >= 0.8 ? "; every shape at 0.8 or above" : "; below the 0.8 goal");
            }
        } catch (RuntimeException e) {
            System.out.println("clblast-check: FAIL: " + e.getMessage());
            return 1;
        }
        return failures == 0 ? 0 : 1;
    }

    private static double timeOurs(OpenClBackend be, GemmTuning.Shape s, int reps) {
        Random rng = new Random(1);
        Tensor a = fill(s.transA() ? Tensor.zeros(s.k(), s.m()) : Tensor.zeros(s.m(), s.k()), rng);
        Tensor b = fill(s.transB() ? Tensor.zeros(s.n(), s.k()) : Tensor.zeros(s.k(), s.n()), rng);
        Tensor c = Tensor.zeros(s.m(), s.n());
        return median(reps, () -> be.gemm(s.transA(), s.transB(), 1f, a, b, 0f, c));
    }

    private static Tensor fill(Tensor t, Random rng) {        // not GemmBenchmark's: this class runs without JMH
        for (int i = 0; i < t.size(); i++) t.data[i] = rng.nextFloat() - 0.5f;
        return t;
    }

    /** Two untimed calls, then the median of {@code reps} timed ones, in milliseconds. */
    private static double median(int reps, Runnable call) {
        call.run();
        call.run();
        double[] ms = new double[reps];
        for (int i = 0; i < reps; i++) {
            long t0 = System.nanoTime();
            call.run();
            ms[i] = (System.nanoTime() - t0) / 1e6;
        }
        Arrays.sort(ms);
        return reps % 2 == 1 ? ms[reps / 2] : (ms[reps / 2 - 1] + ms[reps / 2]) / 2;
    }
}
