package dqnengine.benchmarks;

import dqnengine.backend.Backend;
import dqnengine.nn.Networks;
import dqnengine.nn.Parameter;
import dqnengine.nn.Sequential;
import dqnengine.optim.Adam;
import dqnengine.optim.RmsProp;
import org.openjdk.jmh.annotations.*;

import java.util.Random;
import java.util.concurrent.TimeUnit;

/** One optimizer update over all 1.69 M parameters of the Nature network. Memory-bound. */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
@State(Scope.Benchmark)
public class OptimizerBenchmark {
    @Param({"cpu", "reference"})
    public String backend;

    private Backend be;
    private Adam adam;
    private RmsProp rmsProp;

    @Setup(Level.Trial)
    public void setUp() {
        Sequential net = Networks.nature(4, 6, new Random(3));
        Random rng = new Random(4);
        for (Parameter p : net.parameters()) GemmBenchmark.fill(p.grad(), rng);
        adam = new Adam(net.parameters(), 1e-4f, 0.9f, 0.999f, 1.5e-4f);
        rmsProp = RmsProp.nature(net.parameters());
        be = BackendState.open(backend);
    }

    @TearDown(Level.Trial)
    public void tearDown() { be.close(); }

    @Benchmark
    public long adamStep() {
        adam.step(be);
        return adam.stepCount();
    }

    @Benchmark
    public long rmsPropStep() {
        rmsProp.step(be);
        return rmsProp.stepCount();
    }
}
