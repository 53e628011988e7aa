package dqnengine.benchmarks;

import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Floating-point operations done, as a JMH auxiliary counter: JMH divides it by the measured time,
 * so the result table shows a {@code gflop} row in operations per second scaled by 1e-9 units of
 * the benchmark's time unit. With {@code -tu s} read it directly as GFLOP/s.
 */
@State(Scope.Thread)
@AuxCounters(AuxCounters.Type.OPERATIONS)
public class Flops {
    /** Billions of floating-point operations done in this iteration. */
    public double gflop;

    @Setup(Level.Iteration)
    public void reset() { gflop = 0; }
}
