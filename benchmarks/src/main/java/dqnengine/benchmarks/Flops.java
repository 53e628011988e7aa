package dqnengine.benchmarks;

import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Floating-point operations done, as a JMH auxiliary counter. The benchmarks run in throughput
 * mode per second, so JMH divides the counter by the time and the {@code gflop} row of the result
 * table reads directly as GFLOP/s; the primary score is calls per second (1000 / score = ms per
 * call).
 */
@State(Scope.Thread)
@AuxCounters(AuxCounters.Type.OPERATIONS)
public class Flops {
    /** Billions of floating-point operations done in this iteration. */
    public double gflop;

    @Setup(Level.Iteration)
    public void reset() { gflop = 0; }
}
