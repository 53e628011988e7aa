package dqnengine.benchmarks;

import dqnengine.backend.Backend;
import dqnengine.tensor.Tensor;
import org.openjdk.jmh.annotations.*;

import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * ReLU and its gradient on conv1's output of a batch-32 Nature step ([32,32,20,20] = 409,600
 * floats), the fast backend beside the reference loops.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
@State(Scope.Benchmark)
public class ElementwiseBenchmark {
    @Param({"cpu", "reference"})
    public String backend;

    private Backend be;
    private Tensor x, y, dy, dx;

    @Setup(Level.Trial)
    public void setUp() {
        Random rng = new Random(2);
        x = GemmBenchmark.fill(Tensor.zeros(32, 32, 20, 20), rng);
        dy = GemmBenchmark.fill(Tensor.zeros(32, 32, 20, 20), rng);
        y = Tensor.zerosLike(x);
        dx = Tensor.zerosLike(x);
        be = BackendState.open(backend);
        be.reluForward(x, y);
    }

    @TearDown(Level.Trial)
    public void tearDown() { be.close(); }

    @Benchmark
    public Tensor relu() {
        be.reluForward(x, y);
        return y;
    }

    @Benchmark
    public Tensor reluGradient() {
        be.reluBackward(y, dy, dx);
        return dx;
    }
}
