package dqnengine.benchmarks;

import dqnengine.backend.Backend;
import dqnengine.bench.CostModel;
import dqnengine.bench.TrainStepWorkload;
import org.openjdk.jmh.annotations.*;

import java.util.concurrent.TimeUnit;

/**
 * The full Nature-DQN train step at batch 32 (target forward, online forward, Huber on the
 * gathered Q-values, backward, Adam) and single-state action selection: the workload of
 * {@code shared/peers}. Run with {@code -prof gc} to see that a step allocates nothing.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
@State(Scope.Benchmark)
public class TrainStepBenchmark {
    @Param({"cpu"})
    public String backend;

    private Backend be;
    private TrainStepWorkload workload;
    private double stepGflop, actGflop;

    @Setup(Level.Trial)
    public void setUp() {
        be = BackendState.open(backend);
        workload = new TrainStepWorkload(be, 32, 0);
        stepGflop = CostModel.trainStepFlops(workload.online, 32, 4, 84, 84) / 1e9;
        actGflop = 2.0 * CostModel.forwardMacs(workload.online, 4, 84, 84) / 1e9;
    }

    @TearDown(Level.Trial)
    public void tearDown() { be.close(); }

    @Benchmark
    public float trainStep(Flops flops) {
        flops.gflop += stepGflop;
        return workload.trainStep();
    }

    @Benchmark
    public int act(Flops flops) {
        flops.gflop += actGflop;
        return workload.act();
    }
}
