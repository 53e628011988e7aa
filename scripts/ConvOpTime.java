import dqnengine.backend.Conv2dShape;
import dqnengine.backend.cpu.FastCpuBackend;
import dqnengine.tensor.Tensor;

import java.util.Arrays;
import java.util.Locale;
import java.util.Random;

/**
 * One convolution op of the fast CPU backend, hot, repeated: the figures a change to one kernel
 * moves, without the rest of the step. Run from the repository root after `mvn -B package -DskipTests`:
 * <pre>
 *   java --add-modules jdk.incubator.vector -cp target/dqn-engine.jar scripts/ConvOpTime.java LAYER OP THREADS [LAYOUT]
 * </pre>
 * LAYER: conv1, conv2 or conv3 (the Nature network's, batch 32; conv3 channel-major whatever the
 * LAYOUT, as the step runs it). OP: forward (with its ReLU), weights (the
 * weight and bias gradient) or data (the input gradient with the ReLU mask before the layer).
 * LAYOUT: as-in-step (default: conv1 writes pixel-major, conv2 reads pixel-major, as the train step
 * runs them) or channel-major. 2,000 calls of warm-up, then 15 blocks of 200; prints the median and
 * the fastest block, ms per call. Compare builds or switches (`-Ddqn.winograd=false`,
 * `-Ddqn.winogradPlanes=false`, before `-cp`) in separate runs, alternated: the host drifts.
 */
public final class ConvOpTime {
    private static final String USAGE = "usage: ConvOpTime conv1|conv2|conv3 forward|weights|data THREADS [as-in-step|channel-major]";

    public static void main(String[] args) {
        try {
            run(args);
        } catch (IllegalArgumentException e) {                    // a bad argument: one line, not a stack trace
            System.err.println("ConvOpTime: " + e.getMessage() + "\n" + USAGE);
            System.exit(2);
        }
    }

    private static void run(String[] args) {
        if (args.length < 3 || args.length > 4) throw new IllegalArgumentException("expected 3 or 4 arguments, got " + args.length);
        String layer = args[0], op = args[1], layout = args.length == 4 ? args[3] : "as-in-step";
        int threads = Integer.parseInt(args[2]);              // (NumberFormatException is an IllegalArgumentException)
        if (threads < 1) throw new IllegalArgumentException("THREADS must be at least 1, got " + threads);
        boolean inStep = switch (layout) {
            case "as-in-step" -> true;
            case "channel-major" -> false;
            default -> throw new IllegalArgumentException("layout must be as-in-step or channel-major, got " + layout);
        };
        Conv2dShape g = switch (layer) {
            case "conv1" -> new Conv2dShape(32, 4, 84, 84, 32, 8, 8, 4, 0, false, inStep);
            case "conv2" -> new Conv2dShape(32, 32, 20, 20, 64, 4, 4, 2, 0, inStep, false);
            case "conv3" -> new Conv2dShape(32, 64, 9, 9, 64, 3, 3, 1, 0, false, false);
            default -> throw new IllegalArgumentException("layer must be conv1, conv2 or conv3, got " + layer);
        };
        Random rng = new Random(7);
        Tensor x = uniform(rng, 0f, 1f, g.inputShape()), w = uniform(rng, -0.06f, 0.06f, g.weightShape());
        Tensor b = uniform(rng, -0.06f, 0.06f, g.outChannels()), dy = uniform(rng, -1f, 1f, g.outputShape());
        Tensor reluOut = uniform(rng, -1f, 1f, g.inputShape());
        for (int i = 0; i < reluOut.data.length; i++) reluOut.data[i] = Math.max(0f, reluOut.data[i]);
        Tensor y = Tensor.zeros(g.outputShape()), dx = Tensor.zeros(g.inputShape());
        Tensor dw = Tensor.zeros(g.weightShape()), db = Tensor.zeros(g.outChannels());
        try (FastCpuBackend be = new FastCpuBackend(threads)) {
            Runnable call = switch (op) {
                case "forward" -> () -> be.conv2dForwardRelu(g, x, w, b, y);
                case "weights" -> () -> be.conv2dBackwardWeights(g, x, dy, dw, db);
                case "data" -> () -> be.conv2dBackwardDataRelu(g, dy, w, reluOut, dx);
                default -> throw new IllegalArgumentException("op must be forward, weights or data, got " + op);
            };
            for (int i = 0; i < 2000; i++) call.run();
            double[] ms = new double[15];
            for (int r = 0; r < ms.length; r++) {
                long t0 = System.nanoTime();
                for (int i = 0; i < 200; i++) call.run();
                ms[r] = (System.nanoTime() - t0) / 200e6;
            }
            Arrays.sort(ms);
            System.out.printf(Locale.ROOT, "%s %s %s, %d threads: median %.3f ms, fastest block %.3f ms%n",
                    layer, op, layout, threads, ms[ms.length / 2], ms[0]);
        }
    }

    private static Tensor uniform(Random rng, float lo, float hi, int... shape) {
        Tensor t = Tensor.zeros(shape);
        for (int i = 0; i < t.data.length; i++) t.data[i] = lo + (hi - lo) * rng.nextFloat();
        return t;
    }
}
