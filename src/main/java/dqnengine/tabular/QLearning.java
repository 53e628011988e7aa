package dqnengine.tabular;

import dqnengine.env.builtin.FrozenLake;
import dqnengine.env.Step;
import dqnengine.util.Rng;

/**
 * Tabular Q-learning (Watkins 1989; Sutton &amp; Barto 2018, section 6.5): the first chapter of the
 * reading path, before any network. One table entry per (state, action) and one update per step:
 * <pre>
 *   Q(s, a) ← Q(s, a) + α · (r + γ · (1 − terminal) · max_a' Q(s', a') − Q(s, a))
 * </pre>
 * A DQN replaces the table with a network and this update with a gradient step on the same
 * error, computed on a batch drawn from a replay buffer.
 *
 * <p>Exploration is ε-greedy with ε decaying linearly per episode; ties between equal Q-values
 * are broken at random, so an all-zero table still explores.
 */
public final class QLearning {
    private final double[][] q;
    private final double alpha, gamma;
    private final Rng rng;

    public QLearning(int states, int actions, double alpha, double gamma, long seed) {
        this.q = new double[states][actions];
        this.alpha = alpha;
        this.gamma = gamma;
        this.rng = new Rng(seed);
    }

    /** The Bellman update for one observed transition. */
    public void update(int s, int a, double r, int next, boolean terminal) {
        double target = r + (terminal ? 0 : gamma * max(q[next]));
        q[s][a] += alpha * (target - q[s][a]);
    }

    /** ε-greedy action in state s. */
    public int act(int s, double epsilon) {
        if (rng.nextDouble() < epsilon) return rng.nextInt(q[s].length);
        return greedy(s);
    }

    /** An action of highest value in s, ties broken at random. */
    public int greedy(int s) {
        double best = max(q[s]);
        int ties = 0;
        for (double v : q[s]) if (v == best) ties++;
        int pick = rng.nextInt(ties);
        for (int a = 0; a < q[s].length; a++) if (q[s][a] == best && pick-- == 0) return a;
        throw new AssertionError();
    }

    public double value(int s, int a) { return q[s][a]; }

    private static double max(double[] v) {
        double m = Double.NEGATIVE_INFINITY;
        for (double x : v) m = Math.max(m, x);
        return m;
    }

    /** Trains on FrozenLake for {@code episodes} episodes (ε from 1 to {@code epsilonEnd} over the first 80%). */
    public void train(FrozenLake env, int episodes, double epsilonEnd) {
        for (int e = 0; e < episodes; e++) {
            double eps = Math.max(epsilonEnd, 1.0 - (1.0 - epsilonEnd) * e / (0.8 * episodes));
            env.reset();
            int s = env.state();
            for (;;) {
                int a = act(s, eps);
                Step st = env.step(a);
                int next = env.state();
                update(s, a, st.reward(), next, st.terminated());
                s = next;
                if (st.done()) break;
            }
        }
    }

    /** The fraction of {@code episodes} greedy episodes that reach the goal. */
    public double successRate(FrozenLake env, int episodes) {
        int wins = 0;
        for (int e = 0; e < episodes; e++) {
            env.reset();
            int s = env.state();
            for (;;) {
                Step st = env.step(greedy(s));
                s = env.state();
                if (st.done()) {
                    if (st.reward() > 0) wins++;
                    break;
                }
            }
        }
        return wins / (double) episodes;
    }

    /** The greedy policy as arrows on the map (holes and goal shown as letters). */
    public String policyMap() {
        String arrows = "<v>^";
        StringBuilder sb = new StringBuilder();
        for (int s = 0; s < FrozenLake.STATES; s++) {
            char c = FrozenLake.cell(s);
            int a = 0;
            for (int k = 1; k < FrozenLake.ACTIONS; k++) if (q[s][k] > q[s][a]) a = k;
            sb.append(c == 'H' || c == 'G' ? c : arrows.charAt(a));
            if (s % FrozenLake.SIDE == FrozenLake.SIDE - 1) sb.append('\n');
        }
        return sb.toString();
    }
}
