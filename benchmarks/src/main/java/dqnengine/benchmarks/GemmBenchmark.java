package dqnengine.benchmarks;

import dqnengine.backend.Backend;
import dqnengine.tensor.Tensor;
import org.openjdk.jmh.annotations.*;

import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * C = op(A)·op(B) for the products of the Nature network's fully connected layers at batch 32.
 * Shapes are "m x n x k, transA, transB":
 * fc1 forward (x·Wᵀ), fc1 weight gradient (dyᵀ·x), fc1 input gradient (dy·W), and MinAtar's fc1
 * input gradient (on the CPU backend with 512-bit vectors, the streamed product: B read in place).
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
@State(Scope.Benchmark)
public class GemmBenchmark {
    @Param({"cpu", "reference"})
    public String backend;

    @Param({"32x512x3136,N,T", "1x512x3136,N,T", "512x3136x32,T,N", "32x3136x512,N,N", "32x1024x128,N,N", "32x128x1024,N,T"})
    public String shape;

    private Backend be;
    private Tensor a, b, c;
    private boolean transA, transB;
    private double gflop;

    @Setup(Level.Trial)
    public void setUp() {
        String[] parts = shape.split(",");
        String[] mnk = parts[0].split("x");
        int m = Integer.parseInt(mnk[0]), n = Integer.parseInt(mnk[1]), k = Integer.parseInt(mnk[2]);
        transA = parts[1].equals("T");
        transB = parts[2].equals("T");
        Random rng = new Random(1);
        a = fill(transA ? Tensor.zeros(k, m) : Tensor.zeros(m, k), rng);
        b = fill(transB ? Tensor.zeros(n, k) : Tensor.zeros(k, n), rng);
        c = Tensor.zeros(m, n);
        gflop = 2.0 * m * n * k / 1e9;
        be = BackendState.open(backend);
    }

    static Tensor fill(Tensor t, Random rng) {
        for (int i = 0; i < t.size(); i++) t.data[i] = rng.nextFloat() - 0.5f;
        return t;
    }

    @TearDown(Level.Trial)
    public void tearDown() { be.close(); }

    @Benchmark
    public Tensor gemm(Flops flops) {
        be.gemm(transA, transB, 1f, a, b, 0f, c);
        flops.gflop += gflop;
        return c;
    }
}
