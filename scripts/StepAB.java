import java.lang.reflect.Constructor;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;

/**
 * Two builds of dqn-engine's train step in one JVM, alternated: the A/B for changes smaller than the
 * host's drift between processes (10–20% here, minutes apart). Each jar gets a class loader of its
 * own, so both builds' classes live side by side; each builds the benchmark workload
 * ({@code dqnengine.bench.TrainStepWorkload}, the step `bench` times, with `runBoth` as training runs
 * it) on a fast CPU backend of the same thread count. After a warm-up of both, each round times a
 * block of steps of one build, then of the other (the order swapped every round), and compares the two.
 *
 * <pre>
 *   java --add-modules jdk.incubator.vector scripts/StepAB.java OLD.jar NEW.jar [rounds] [threads] [nature|minatar]
 * </pre>
 * Defaults: 16 rounds of 30 steps, 2 threads, the Nature network. Prints one line per round and a
 * summary: in how many rounds NEW was faster, the median of OLD − NEW, and each build's median.
 * OLD.jar and NEW.jar are copies of target/dqn-engine.jar built at the two commits.
 */
public final class StepAB {
    private static final int WARMUP = 300, BLOCK = 30, SETTLE = 3;

    /** One build's train step, reached by reflection through its own class loader. */
    private static final class Build {
        final String name;
        final Object workload;
        final Method trainStep;

        Build(Path jar, int threads, String network) throws Exception {
            if (!Files.isRegularFile(jar)) throw new IllegalArgumentException("no such jar: " + jar);
            this.name = jar.getFileName().toString();
            ClassLoader loader = new URLClassLoader(new URL[] {jar.toUri().toURL()}, ClassLoader.getPlatformClassLoader());
            Class<?> backendType = Class.forName("dqnengine.backend.Backend", true, loader);
            Object backend = Class.forName("dqnengine.backend.cpu.FastCpuBackend", true, loader).getConstructor(int.class).newInstance(threads);
            Constructor<?> make = Class.forName("dqnengine.bench.TrainStepWorkload", true, loader)
                    .getConstructor(backendType, int.class, long.class, String.class);
            this.workload = make.newInstance(backend, 32, 0L, network);
            this.trainStep = workload.getClass().getMethod("trainStep");
        }

        /** Milliseconds per step over a block, after a few untimed steps. */
        double block() throws Exception {
            for (int i = 0; i < SETTLE; i++) trainStep.invoke(workload);
            long t0 = System.nanoTime();
            for (int i = 0; i < BLOCK; i++) trainStep.invoke(workload);
            return (System.nanoTime() - t0) / 1e6 / BLOCK;
        }
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            System.err.println("usage: java --add-modules jdk.incubator.vector scripts/StepAB.java OLD.jar NEW.jar [rounds] [threads] [nature|minatar]");
            System.exit(2);
        }
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 16;
        int threads = args.length > 3 ? Integer.parseInt(args[3]) : 2;
        String network = args.length > 4 ? args[4] : "nature";
        Build old = new Build(Path.of(args[0]), threads, network), neu = new Build(Path.of(args[1]), threads, network);
        System.out.printf(Locale.ROOT, "# StepAB: OLD=%s NEW=%s, %s network, %d threads, %d rounds of %d steps each (after %d warm-up steps each)%n",
                args[0], args[1], network, threads, rounds, BLOCK, WARMUP);
        for (int i = 0; i < WARMUP; i++) {
            old.trainStep.invoke(old.workload);
            neu.trainStep.invoke(neu.workload);
        }
        double[] a = new double[rounds], b = new double[rounds], diff = new double[rounds];
        int newFaster = 0;
        for (int r = 0; r < rounds; r++) {
            if (r % 2 == 0) {
                a[r] = old.block();
                b[r] = neu.block();
            } else {
                b[r] = neu.block();
                a[r] = old.block();
            }
            diff[r] = a[r] - b[r];
            if (b[r] < a[r]) newFaster++;
            System.out.printf(Locale.ROOT, "round %2d  OLD %.3f ms  NEW %.3f ms  OLD-NEW %+.3f%n", r + 1, a[r], b[r], diff[r]);
        }
        Arrays.sort(a);
        Arrays.sort(b);
        Arrays.sort(diff);
        System.out.printf(Locale.ROOT, "NEW faster in %d of %d rounds; median OLD-NEW %+.3f ms; medians OLD %.3f ms, NEW %.3f ms (NEW/OLD %.3f)%n",
                newFaster, rounds, median(diff), median(a), median(b), median(b) / median(a));
        System.exit(0);                 // the builds' thread teams are daemons, but say so
    }

    private static double median(double[] sorted) {
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }
}
