package dqnengine.benchmarks;

import dqnengine.backend.Backend;
import dqnengine.backend.opencl.GemmParams;
import dqnengine.backend.opencl.GemmTuning;
import dqnengine.backend.opencl.OpenClBackend;
import dqnengine.tensor.Tensor;
import org.openjdk.jmh.annotations.*;

import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * SGEMM on the Nature train step's products (GemmTuning.NATURE_SHAPES) on OpenCL device
 * {@code -Ddqn.opencl.device=N} (default 0): our gemm kernel version 1, version 2 with the default
 * tile sizes and with the device's cached ones ({@code v2-tuned}; see {@code devices --tune}; v2's defaults where
 * the cache holds version 3 sizes), version 3 with its default sizes, what the backend picks ({@code auto}: the
 * cache's version and sizes, else the device type's default), CLBlast's SGEMM on
 * the same device, and the CPU backend on {@code -Ddqn.threads} threads. Every call blocks until
 * the device is done; operands stay on the device. The {@code gflop} row reads as GFLOP/s
 * ({@link Flops}). Where CLBlast cannot load, its cases fail at setup with one line saying why.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
@State(Scope.Benchmark)
public class OpenClGemmBenchmark {
    @Param({"fc1", "fc2", "fc1-dW", "fc1-dx", "conv1", "conv2", "conv3"})
    public String shape;

    @Param({"v1", "v2", "v2-tuned", "v3", "auto", "clblast", "cpu"})
    public String impl;

    private GemmTuning.Shape s;
    private Backend be;
    private ClBlastSgemm blast;
    private Tensor a, b, c;

    @Setup(Level.Trial)
    public void setUp() {
        s = GemmTuning.NATURE_SHAPES.stream().filter(x -> x.label().equals(shape)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no Nature shape " + shape));
        int device = Integer.getInteger("dqn.opencl.device", 0);
        switch (impl) {
            case "clblast" -> {
                String why = ClBlastSgemm.loadFailure();
                if (why != null) {
                    System.err.println("OpenClGemmBenchmark: " + why);
                    throw new IllegalStateException(why);
                }
                blast = new ClBlastSgemm(device, s);
                blast.run();
                return;
            }
            case "v1" -> be = new OpenClBackend(device, true, true, 1);
            case "v2" -> be = new OpenClBackend(device, true, true, 2, GemmParams.DEFAULT);
            case "v2-tuned" -> be = new OpenClBackend(device, true, true, 2, null);     // the devices --tune cache, else the defaults
            case "v3" -> be = new OpenClBackend(device, true, true, 3, GemmParams.DEFAULT_V3);
            case "auto" -> be = new OpenClBackend(device, true, true, 0, null);         // what the backend picks: the cache, else the device type's default
            case "cpu" -> be = BackendState.open("cpu");
            default -> throw new IllegalArgumentException("impl is v1, v2, v2-tuned, v3, auto, clblast or cpu, got " + impl);
        }
        Random rng = new Random(1);
        a = GemmBenchmark.fill(s.transA() ? Tensor.zeros(s.k(), s.m()) : Tensor.zeros(s.m(), s.k()), rng);
        b = GemmBenchmark.fill(s.transB() ? Tensor.zeros(s.n(), s.k()) : Tensor.zeros(s.k(), s.n()), rng);
        c = Tensor.zeros(s.m(), s.n());
        be.gemm(s.transA(), s.transB(), 1f, a, b, 0f, c);            // the upload, outside the timing
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        if (be != null) be.close();
        if (blast != null) blast.close();
    }

    @Benchmark
    public Object gemm(Flops flops) {
        if (blast != null) blast.run();
        else be.gemm(s.transA(), s.transB(), 1f, a, b, 0f, c);
        flops.gflop += s.flop() / 1e9;
        return c;
    }
}
