package dqnengine.dqn;

import dqnengine.env.Environment;
import dqnengine.env.Step;
import dqnengine.util.Rng;

import java.util.function.Consumer;

/**
 * Plays whole episodes with a fixed ε-greedy policy (ε = 0.05 by default, as Mnih et al. 2015
 * evaluated) and reports the game's own, unclipped returns. An episode runs until the game is
 * over or truncated: with Atari's life-loss terminals it spans every life, as reported scores do.
 */
public final class Evaluator {
    private Evaluator() {}

    /** Mean, standard deviation and extremes of a set of returns. */
    public record Summary(double[] returns, double mean, double std, double min, double max) {
        public static Summary of(double[] r) {
            double mean = 0, min = Double.POSITIVE_INFINITY, max = Double.NEGATIVE_INFINITY;
            for (double v : r) { mean += v; min = Math.min(min, v); max = Math.max(max, v); }
            mean /= r.length;
            double var = 0;
            for (double v : r) var += (v - mean) * (v - mean);
            return new Summary(r, mean, Math.sqrt(var / Math.max(1, r.length - 1)), min, max);
        }
    }

    /**
     * Plays {@code episodes} episodes; every observation (the first of each episode included) is
     * handed to {@code frames} when it is not null (for recording).
     */
    public static Summary run(DqnLearner learner, Environment env, int episodes, double epsilon, long seed, long maxSteps,
                              Consumer<byte[]> frames) {
        return run(learner, env, episodes, epsilon, seed, maxSteps, frames, null);
    }

    /** Told of every finished episode: its index (from 0), return and agent steps. */
    public interface Progress {
        void episode(int index, double ret, long steps);
    }

    /** As above, telling {@code progress} (when not null) of each episode as it ends. */
    public static Summary run(DqnLearner learner, Environment env, int episodes, double epsilon, long seed, long maxSteps,
                              Consumer<byte[]> frames, Progress progress) {
        Rng rng = new Rng(seed);
        double[] returns = new double[episodes];
        int[] action = new int[1];
        byte[][] one = new byte[1][];
        for (int e = 0; e < episodes; e++) {
            Step s = env.reset();
            if (frames != null) frames.accept(s.observation());
            double total = 0;
            long t = 0;
            for (; t < maxSteps; t++) {
                if (rng.nextDouble() < epsilon) {
                    action[0] = rng.nextInt(env.actionCount());
                } else {
                    one[0] = s.observation();
                    learner.greedy(one, 1, action);
                }
                s = env.step(action[0]);
                total += s.score();
                if (frames != null) frames.accept(s.observation());
                if (s.gameOver() || s.truncated()) break;
                if (s.done()) s = env.reset();              // a life lost: the game goes on
            }
            returns[e] = total;
            if (progress != null) progress.episode(e, total, Math.min(t + 1, maxSteps));
        }
        return Summary.of(returns);
    }
}
