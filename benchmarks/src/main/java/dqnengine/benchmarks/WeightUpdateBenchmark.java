package dqnengine.benchmarks;

import dqnengine.backend.Backend;
import dqnengine.tensor.Tensor;
import org.openjdk.jmh.annotations.*;

import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * The Nature network's first linear layer, W [512, 3136], updated from its weight gradient dYᵀ·X at
 * batch 32: the gradient made by {@code gemm} and stored (6.4 MB), then the optimizer's pass over
 * W, its state and the gradient (the path every backend has), against
 * {@code Backend.adamUpdateProduct} / {@code rmsPropUpdateProduct}, which on the CPU backend make
 * the gradient a strip of rows at a time and update those rows at once, never storing it. The
 * score counts the product's floating-point work (103 MFLOP) for both, so the two read as the same
 * work per second.
 *
 * <p>{@code -p caches=cold} flushes the caches before every call as {@link ConvBenchmark}'s does;
 * in the train step the optimizer comes after the whole backward pass, so W and its state are
 * rarely still in cache.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
@State(Scope.Benchmark)
public class WeightUpdateBenchmark {
    private static final int N = 32, OUT = 512, IN = 3136;
    private static final int FLUSH_FLOATS = 16 << 20;         // 64 MB, as ConvBenchmark

    @Param({"cpu", "reference"})
    public String backend;

    @Param({"hot", "cold"})
    public String caches;

    private Backend be;
    private Tensor dy, x, g, p, m, v, gradAvg, flushIn, flushOut;
    private long step;
    private double gflop;

    @Setup(Level.Trial)
    public void setUp() {
        if (!caches.equals("hot") && !caches.equals("cold")) throw new IllegalArgumentException("caches must be hot or cold, got " + caches);
        Random rng = new Random(5);
        dy = GemmBenchmark.fill(Tensor.zeros(N, OUT), rng);
        x = GemmBenchmark.fill(Tensor.zeros(N, IN), rng);
        p = GemmBenchmark.fill(Tensor.zeros(OUT, IN), rng);
        g = Tensor.zeros(OUT, IN);
        m = Tensor.zeros(OUT, IN);
        v = Tensor.zeros(OUT, IN);
        gradAvg = Tensor.zeros(OUT, IN);
        gflop = 2.0 * N * OUT * IN / 1e9;
        if (caches.equals("cold")) {
            flushIn = Tensor.zeros(FLUSH_FLOATS);
            flushOut = Tensor.zeros(FLUSH_FLOATS);
        }
        be = BackendState.open(backend);
    }

    @Setup(Level.Invocation)
    public void flushCaches() {
        if (flushIn != null) be.reluForward(flushIn, flushOut);
    }

    @TearDown(Level.Trial)
    public void tearDown() { be.close(); }

    @Benchmark
    public Tensor gemmThenAdam(Flops flops) {
        be.gemm(true, false, 1f, dy, x, 0f, g);
        be.adamUpdate(p, g, m, v, 1e-4f, 0.9f, 0.999f, 1.5e-4f, ++step);
        flops.gflop += gflop;
        return p;
    }

    @Benchmark
    public Tensor adamFromProduct(Flops flops) {
        be.adamUpdateProduct(p, dy, x, g, m, v, 1e-4f, 0.9f, 0.999f, 1.5e-4f, ++step);
        flops.gflop += gflop;
        return p;
    }

    /** Centred RMSProp with ε inside the root (the nature preset's; the default rmsprop-centered has it outside, the same traffic). */
    @Benchmark
    public Tensor gemmThenRmsProp(Flops flops) {
        be.gemm(true, false, 1f, dy, x, 0f, g);
        be.rmsPropUpdate(p, g, m, gradAvg, null, 2.5e-4f, 0.95f, 0.01f, 0f, true);
        flops.gflop += gflop;
        return p;
    }

    @Benchmark
    public Tensor rmsPropFromProduct(Flops flops) {
        be.rmsPropUpdateProduct(p, dy, x, g, m, gradAvg, null, 2.5e-4f, 0.95f, 0.01f, 0f, true);
        flops.gflop += gflop;
        return p;
    }
}
