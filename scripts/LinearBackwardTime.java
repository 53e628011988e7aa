import dqnengine.backend.Backend;
import dqnengine.backend.Backends;
import dqnengine.tensor.Tensor;

import java.util.Arrays;
import java.util.Locale;
import java.util.Random;

/**
 * The Nature network's first linear layer's backward pass on the fast CPU backend, batch 32: its weight
 * gradient dW = dYᵀ·X [512, 3136] and its input gradient dX = dY·W [32, 3136], timed four ways in one
 * JVM, alternated call by call: both at once on two threads ({@code runBoth}, one thread each, as the
 * train step runs them), one after the other on two threads, and each alone on one and on two threads.
 * Before every call 32 MB of other data is touched, so the operands start out of cache as in the step.
 * Run from the repository root after `mvn -B package -DskipTests`:
 * <pre>
 *   java --add-modules jdk.incubator.vector -cp target/dqn-engine.jar scripts/LinearBackwardTime.java [ROUNDS]
 * </pre>
 * Prints, per round (6 by default), the median of 30 calls of each, ms.
 */
public final class LinearBackwardTime {
    private static final int N = 32, OUT = 512, IN = 3136, CALLS = 30;

    public static void main(String[] args) {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 6;
        if (rounds < 1) {
            System.err.println("LinearBackwardTime: ROUNDS must be at least 1, got " + rounds);
            System.exit(2);
        }
        try (Backend two = Backends.create("cpu", 2); Backend one = Backends.create("cpu", 1)) {
            Random rng = new Random(1);
            Tensor dy = fill(Tensor.zeros(N, OUT), rng), x = fill(Tensor.zeros(N, IN), rng), w = fill(Tensor.zeros(OUT, IN), rng);
            Tensor dw = Tensor.zeros(OUT, IN), dx = Tensor.zeros(N, IN);
            Backend.Work weights = b -> b.gemm(true, false, 1f, dy, x, 0f, dw), input = b -> b.gemm(false, false, 1f, dy, w, 0f, dx);
            String[] names = {"both at once (runBoth), 2 threads", "one after the other, 2 threads", "dW alone, 1 thread",
                    "dX alone, 1 thread", "dW alone, 2 threads", "dX alone, 2 threads"};
            Runnable[] ways = {() -> two.runBoth(weights, input), () -> { weights.run(two); input.run(two); },
                    () -> weights.run(one), () -> input.run(one), () -> weights.run(two), () -> input.run(two)};
            float[] other = new float[8 << 20];                   // 32 MB
            for (int round = 1; round <= rounds; round++) {
                double[][] ms = new double[ways.length][CALLS];
                for (int call = 0; call < CALLS; call++) {
                    for (int way = 0; way < ways.length; way++) {
                        for (int i = 0; i < other.length; i += 16) other[i] += 1f;   // a cache line each
                        long t0 = System.nanoTime();
                        ways[way].run();
                        ms[way][call] = (System.nanoTime() - t0) / 1e6;
                    }
                }
                StringBuilder line = new StringBuilder("round " + round + ":");
                for (int way = 0; way < ways.length; way++) {
                    Arrays.sort(ms[way]);
                    line.append(String.format(Locale.ROOT, "  %s %.3f", names[way], ms[way][CALLS / 2]));
                }
                System.out.println(line);
            }
        }
    }

    private static Tensor fill(Tensor t, Random rng) {
        for (int i = 0; i < t.size(); i++) t.data[i] = rng.nextFloat() - 0.5f;
        return t;
    }
}
