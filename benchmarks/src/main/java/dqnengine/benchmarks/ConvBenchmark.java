package dqnengine.benchmarks;

import dqnengine.backend.Backend;
import dqnengine.backend.Conv2dShape;
import dqnengine.tensor.Tensor;
import org.openjdk.jmh.annotations.*;

import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * Each Nature convolution, and MinAtar's, at batch 32: forward (alone and with its ReLU), backward-data (alone and masked by a ReLU
 * before it) and backward-weights.
 *
 * <p>{@code -p caches=cold} runs each call on cold caches, as the train step does: before every call (outside the timing) a ReLU
 * over 64 MB into another 64 MB runs on the same backend, so on the same threads as the convolution, and each of them pushes this
 * benchmark's tensors out of its core's L2 and, together, out of the L3, as Adam's pass over every parameter (about 47 MB a Nature
 * step) does before the next step's convolutions. The default, {@code hot}, repeats the call on the same data, which then stays in
 * cache. The difference is what the ops lose to memory in the step and not in a loop of their own.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
@State(Scope.Benchmark)
public class ConvBenchmark {
    @Param({"cpu", "reference"})
    public String backend;

    /** conv1: 4→32, 8×8/4 on 84×84; conv2: 32→64, 4×4/2 on 20×20; conv3: 64→64, 3×3/1 on 9×9; minatar: 4→16, 3×3/1 on 10×10. */
    @Param({"conv1", "conv2", "conv3", "minatar"})
    public String layer;

    /** hot: the same call repeated on data that stays in cache; cold: the caches flushed before every call (see the class comment). */
    @Param({"hot"})
    public String caches;

    /**
     * channel-major: every activation [N, C, H, W]; as-in-step: the layouts the Nature network runs
     * with on this backend (conv1's output and conv2's input pixel-major where the backend takes them
     * so, {@code Backend.pixelMajorBetween}; conv2's forward pass then by Winograd's F(3×3, 2×2) on the CPU).
     */
    @Param({"channel-major"})
    public String layouts;

    private static final int FLUSH_FLOATS = 16 << 20;        // 64 MB
    private Tensor flushIn, flushOut;

    private Backend be;
    private Conv2dShape g;
    private Tensor x, w, b, y, dy, dx, dw, db, reluOutput;
    private double gflop;

    @Setup(Level.Trial)
    public void setUp() {
        if (!caches.equals("hot") && !caches.equals("cold")) throw new IllegalArgumentException("caches must be hot or cold, got " + caches);
        g = switch (layer) {
            case "conv1" -> new Conv2dShape(32, 4, 84, 84, 32, 8, 8, 4, 0);
            case "conv2" -> new Conv2dShape(32, 32, 20, 20, 64, 4, 4, 2, 0);
            case "conv3" -> new Conv2dShape(32, 64, 9, 9, 64, 3, 3, 1, 0);
            case "minatar" -> new Conv2dShape(32, 4, 10, 10, 16, 3, 3, 1, 0);
            default -> throw new IllegalArgumentException(layer);
        };
        be = BackendState.open(backend);
        if (layouts.equals("as-in-step")) {
            Conv2dShape conv1 = new Conv2dShape(32, 4, 84, 84, 32, 8, 8, 4, 0), conv2 = new Conv2dShape(32, 32, 20, 20, 64, 4, 4, 2, 0);
            boolean between = be.pixelMajorBetween(conv1, conv2.withLayouts(true, false));
            if (layer.equals("conv1")) g = g.withLayouts(false, between);
            if (layer.equals("conv2")) g = g.withLayouts(between, false);
        } else if (!layouts.equals("channel-major")) {
            throw new IllegalArgumentException("layouts must be channel-major or as-in-step, got " + layouts);
        }
        Random rng = new Random(2);
        x = GemmBenchmark.fill(Tensor.zeros(g.inputShape()), rng);
        w = GemmBenchmark.fill(Tensor.zeros(g.weightShape()), rng);
        b = GemmBenchmark.fill(Tensor.zeros(g.outChannels()), rng);
        y = Tensor.zeros(g.outputShape());
        dy = GemmBenchmark.fill(Tensor.zeros(g.outputShape()), rng);
        dx = Tensor.zeros(g.inputShape());
        reluOutput = x.copy();
        for (int i = 0; i < reluOutput.size(); i++) reluOutput.data[i] = Math.max(0f, reluOutput.data[i]);
        dw = Tensor.zeros(g.weightShape());
        db = Tensor.zeros(g.outChannels());
        gflop = 2.0 * g.macs() / 1e9;
        if (caches.equals("cold")) {
            flushIn = Tensor.zeros(FLUSH_FLOATS);
            flushOut = Tensor.zeros(FLUSH_FLOATS);
        }
    }

    /** With {@code caches=cold}: the flush of the class comment, on the backend's own threads. */
    @Setup(Level.Invocation)
    public void flushCaches() {
        if (flushIn != null) be.reluForward(flushIn, flushOut);
    }

    @TearDown(Level.Trial)
    public void tearDown() { be.close(); }

    @Benchmark
    public Tensor forward(Flops flops) {
        be.conv2dForward(g, x, w, b, y);
        flops.gflop += gflop;
        return y;
    }

    /** The convolution and the ReLU after it as one op (the CPU backend takes the max on each tile before writing it). */
    @Benchmark
    public Tensor forwardRelu(Flops flops) {
        be.conv2dForwardRelu(g, x, w, b, y);
        flops.gflop += gflop;
        return y;
    }

    @Benchmark
    public Tensor backwardData(Flops flops) {
        be.conv2dBackwardData(g, dy, w, dx);
        flops.gflop += gflop;
        return dx;
    }

    /** The input gradient masked by the ReLU before the convolution (here x stands for that ReLU's output) as one op. */
    @Benchmark
    public Tensor backwardDataRelu(Flops flops) {
        be.conv2dBackwardDataRelu(g, dy, w, reluOutput, dx);
        flops.gflop += gflop;
        return dx;
    }

    @Benchmark
    public Tensor backwardWeights(Flops flops) {
        be.conv2dBackwardWeights(g, x, dy, dw, db);
        flops.gflop += gflop;
        return dw;
    }
}
