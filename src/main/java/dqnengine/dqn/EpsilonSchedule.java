package dqnengine.dqn;

/**
 * The ε of ε-greedy acting (Mnih et al. 2015, Algorithm 1, line 7: "with probability ε select a
 * random action"): linear from {@code start} to {@code end} over {@code decaySteps} steps, then
 * flat at {@code end}. The decay is counted from step {@code decayFrom}: 0, or the replay start
 * ({@code learningStarts}) as DeepMind's {@code NeuralQLearner.lua} and Dopamine count it; until
 * then ε is {@code start}.
 * <pre>
 *   ε(t) = start + (end − start) · k / decaySteps   for k = max(0, t − decayFrom) &lt; decaySteps
 *        = end                                       afterwards
 * </pre>
 * The trainer acts with ε = 1 (a random policy) before learning starts, whatever the schedule
 * says then ({@code Trainer.actingEpsilon}).
 */
public record EpsilonSchedule(double start, double end, long decaySteps, long decayFrom) {

    /** The schedule a config sets: epsilonStart → epsilonEnd over epsilonSteps, from 0 or from learningStarts. */
    public static EpsilonSchedule of(DqnConfig c) {
        return new EpsilonSchedule(c.epsilonStart, c.epsilonEnd, c.epsilonSteps, c.epsilonFromLearningStarts ? c.learningStarts : 0);
    }

    /** ε after {@code step} steps. */
    public double at(long step) {
        long k = Math.max(0, step - decayFrom);
        if (k >= decaySteps) return end;
        return start + (end - start) * k / (double) decaySteps;
    }
}
