package dqnengine.walkthrough;

import dqnengine.backend.Backend;
import dqnengine.backend.cpu.ReferenceBackend;
import dqnengine.env.Environment;
import dqnengine.env.ObservationEncoding;
import dqnengine.env.Step;
import dqnengine.env.builtin.CartPole;
import dqnengine.nn.Linear;
import dqnengine.nn.ReLU;
import dqnengine.nn.Sequential;
import dqnengine.optim.Adam;
import dqnengine.tensor.Tensor;

import java.util.ArrayDeque;
import java.util.Locale;
import java.util.Random;

/**
 * A whole DQN in one file: CartPole, a two-hidden-layer MLP, the reference backend, and the loop
 * of Mnih et al. 2015, "Human-level control through deep reinforcement learning", Algorithm 1
 * ("deep Q-learning with experience replay"), written out top to bottom. Read it from here down.
 *
 * <pre>
 *   Initialize replay memory D to capacity N                                           [A1.1]
 *   Initialize action-value function Q with random weights θ                           [A1.2]
 *   Initialize target action-value function Q̂ with weights θ⁻ = θ                      [A1.3]
 *   For episode = 1, M do                                                              [A1.4]
 *     Initialize sequence s_1 = {x_1} and preprocessed sequence φ_1 = φ(s_1)            [A1.5]
 *     For t = 1, T do                                                                  [A1.6]
 *       With probability ε select a random action a_t                                  [A1.7]
 *       otherwise select a_t = argmax_a Q(φ(s_t), a; θ)                                [A1.8]
 *       Execute action a_t in emulator and observe reward r_t and image x_{t+1}         [A1.9]
 *       Set s_{t+1} = s_t, a_t, x_{t+1} and preprocess φ_{t+1} = φ(s_{t+1})             [A1.10]
 *       Store transition (φ_t, a_t, r_t, φ_{t+1}) in D                                  [A1.11]
 *       Sample random minibatch of transitions (φ_j, a_j, r_j, φ_{j+1}) from D          [A1.12]
 *       Set y_j = r_j                                  if episode terminates at step j+1
 *               = r_j + γ max_a' Q̂(φ_{j+1}, a'; θ⁻)    otherwise                       [A1.13]
 *       Perform a gradient descent step on (y_j − Q(φ_j, a_j; θ))² w.r.t. θ            [A1.14]
 *       Every C steps reset Q̂ = Q                                                      [A1.15]
 *     End For                                                                          [A1.16]
 *   End For                                                                            [A1.17]
 * </pre>
 * Every step below carries its label: [A1.n] is line n of the pseudocode as printed above (the
 * paper does not number its lines; the wording is the paper's, lightly abbreviated). CartPole
 * needs no preprocessing: φ(s) is the observation itself, four floats (x, ẋ, θ, θ̇), so the
 * replay memory holds them as they are.
 *
 * <p>The numbers are the project's {@code cartpole} preset ({@code DqnConfig.preset("cartpole")}),
 * and the update is exactly {@code DqnLearner.update} with that preset:
 * {@code WalkthroughTest} runs both on the same batch from the same weights and asserts the same
 * loss and the same new weights. What the engine adds on top (several environments at once,
 * frame stacks, n-step returns, prioritized replay, Double DQN, checkpoints, logs, fast backends)
 * is left out here.
 *
 * <p>One rule the paper's pseudocode leaves implicit: CartPole stops an episode after 500 steps.
 * That is a time limit (a <em>truncation</em>), not a terminal state: the pole was still up, so
 * the value of φ_{t+1} is not 0 and y_j bootstraps from it as usual. Only a fall is terminal.
 *
 * <p>Run it: {@code mvn -q -o compile && java -cp target/classes dqnengine.walkthrough.CartPoleDqn [seed]}.
 */
public final class CartPoleDqn {

    // ---------------------------------------------------------------- the cartpole preset's numbers
    // DqnConfig.preset("cartpole") (ours, tuned on this machine; no paper sets them).
    // WalkthroughTest checks that these still equal the preset.
    static final int OBS = 4, ACTIONS = 2;               // CartPole: 4 floats in, LEFT or RIGHT out
    static final int HIDDEN = 128;                       // hidden = {128, 128}
    static final int REPLAY_SIZE = 50_000;               // N, the replay memory's capacity
    static final int BATCH = 64;                         // minibatch size
    static final long LEARNING_STARTS = 1_000;           // steps of a random policy before the first update
    static final float GAMMA = 0.99f;                    // discount γ
    static final float LR = 5e-4f;                       // Adam's learning rate
    static final float ADAM_BETA1 = 0.9f, ADAM_BETA2 = 0.999f, ADAM_EPS = 1e-8f;
    static final int TRAIN_EVERY = 1;                    // one update per environment step
    static final long TARGET_EVERY = 500;                // C
    static final double EPS_START = 1.0, EPS_END = 0.01; // ε, linear over EPS_STEPS steps counted from step 0
    static final long EPS_STEPS = 10_000;
    static final long STEPS = 200_000;                   // the whole run
    static final double SOLVED = 475;                    // stop when the last 100 episodes average this
    static final long LOG_EVERY = 5_000;

    // ---------------------------------------------------------------- [A1.1] the replay memory D
    /**
     * D: a ring of the last {@code capacity} transitions (φ_t, a_t, r_t, φ_{t+1}, terminal). When it
     * is full the newest transition overwrites the oldest. (The engine's {@code ReplayBuffer}
     * stores each observation once and rebuilds Atari's frame stacks; with one CartPole
     * observation per state there is nothing to share, so here every field is a plain array.)
     */
    static final class Replay {
        final float[][] states, nextStates;
        final int[] actions;
        final float[] rewards;
        final boolean[] terminal;
        int size, next;                                  // transitions held; where the next one goes

        Replay(int capacity) {
            states = new float[capacity][OBS];
            nextStates = new float[capacity][OBS];
            actions = new int[capacity];
            rewards = new float[capacity];
            terminal = new boolean[capacity];
        }

        void store(float[] s, int a, float r, float[] sNext, boolean isTerminal) {
            System.arraycopy(s, 0, states[next], 0, OBS);
            System.arraycopy(sNext, 0, nextStates[next], 0, OBS);
            actions[next] = a;
            rewards[next] = r;
            terminal[next] = isTerminal;
            next = (next + 1) % states.length;
            size = Math.min(size + 1, states.length);
        }
    }

    // ---------------------------------------------------------------- the agent
    final Backend be = new ReferenceBackend();           // plain loops that read like the equations
    final Sequential online, target;                     // Q(·; θ) and Q̂(·; θ⁻)
    final Adam optimizer;

    /**
     * [A1.2] Q with random weights θ, and [A1.3] Q̂ with θ⁻ = θ. Both networks are drawn from one
     * {@code Random(seed)}, online first (PyTorch's default initialisation, U(±1/√fan_in)), then
     * the target's own draw is overwritten with a copy of θ: the same draws, in the same order, as
     * {@code DqnLearner} with this seed, so both start from identical weights.
     */
    CartPoleDqn(long seed) {
        Random init = new Random(seed);
        online = mlp(init);                                                     // [A1.2] θ
        target = mlp(init);
        target.copyParametersFrom(online);                                      // [A1.3] θ⁻ = θ
        optimizer = new Adam(online.parameters(), LR, ADAM_BETA1, ADAM_BETA2, ADAM_EPS);
    }

    /** Q(s, ·): [B, 4] → Linear 128 → ReLU → Linear 128 → ReLU → Linear 2 → [B, 2]. */
    static Sequential mlp(Random rng) {
        return new Sequential(
                new Linear(OBS, HIDDEN, rng), new ReLU(),
                new Linear(HIDDEN, HIDDEN, rng), new ReLU(),
                new Linear(HIDDEN, ACTIONS, rng));
    }

    /** [A1.8] argmax_a Q(φ, a; θ) for one observation (the first action on a tie). */
    int greedy(float[] phi) {
        Tensor q = online.forward(be, Tensor.wrap(phi, 1, OBS));
        int best = 0;
        for (int a = 1; a < ACTIONS; a++) if (q.data[a] > q.data[best]) best = a;
        return best;
    }

    /**
     * [A1.13] and [A1.14]: one gradient step on a minibatch of B transitions; returns the loss
     * L(θ) = (1/B) Σ_j (y_j − Q(φ_j, a_j; θ))² (the mean over the batch, as PyTorch's MSELoss and
     * the preset's {@code lossReduction = mean}).
     */
    float update(float[][] states, int[] actions, float[] rewards, float[][] nextStates, boolean[] terminal) {
        int b = states.length;

        // [A1.13] y_j, from the target network's outputs Q̂(φ_{j+1}, ·; θ⁻). No gradient flows
        // through y_j: it is a number here, computed in plain Java, and θ⁻ is not trained.
        Tensor nextQ = target.forward(be, batchOf(nextStates));                 // [B, A]
        float[] y = new float[b];
        for (int j = 0; j < b; j++) {
            float maxNext = nextQ.data[j * ACTIONS];
            for (int a = 1; a < ACTIONS; a++) maxNext = Math.max(maxNext, nextQ.data[j * ACTIONS + a]);
            y[j] = terminal[j] ? rewards[j]                                     // the episode ended at φ_{j+1}
                               : rewards[j] + GAMMA * maxNext;                  // r_j + γ max_a' Q̂(φ_{j+1}, a'; θ⁻)
        }

        // [A1.14] the loss and its gradient with respect to the Q-values. With e_j = Q(φ_j, a_j; θ) − y_j
        // only the taken action's output enters the loss, so
        //   ∂L/∂Q[j, a] = (1/B) · 2 e_j   if a = a_j,   0 for every other action.
        Tensor q = online.forward(be, batchOf(states));                         // [B, A]; the last forward, which backward uses
        Tensor dq = Tensor.zeros(b, ACTIONS);
        double loss = 0;
        for (int j = 0; j < b; j++) {
            float e = q.data[j * ACTIONS + actions[j]] - y[j];                  // TD error
            loss += (double) e * e;
            dq.data[j * ACTIONS + actions[j]] = 2f * e / b;
        }

        // [A1.14] the gradient step: backpropagate ∂L/∂Q through the network to ∂L/∂θ, then Adam.
        optimizer.zeroGrad(be);
        online.backward(be, dq);
        optimizer.step(be);
        return (float) (loss / b);
    }

    /** [A1.15] Q̂ = Q: copy θ into θ⁻. */
    void updateTarget() { target.copyParametersFrom(online); }

    private static Tensor batchOf(float[][] rows) {
        Tensor t = Tensor.zeros(rows.length, OBS);
        for (int j = 0; j < rows.length; j++) System.arraycopy(rows[j], 0, t.data, j * OBS, OBS);
        return t;
    }

    /** ε after {@code step} steps: 1 (a random policy) until learning starts, then linear from 1 to 0.01 over the first 10,000 steps. */
    static double epsilon(long step) {
        if (step < LEARNING_STARTS) return 1.0;
        if (step >= EPS_STEPS) return EPS_END;
        return EPS_START + (EPS_END - EPS_START) * step / (double) EPS_STEPS;
    }

    // ---------------------------------------------------------------- Algorithm 1
    public static void main(String[] args) {
        long seed = args.length > 0 ? Long.parseLong(args[0]) : 0;
        Environment env = new CartPole(seed);
        Random rng = new Random(seed + 1);                                      // ε-greedy and minibatch draws

        Replay d = new Replay(REPLAY_SIZE);                                     // [A1.1] replay memory D, capacity N
        CartPoleDqn agent = new CartPoleDqn(seed);                              // [A1.2] θ at random, [A1.3] θ⁻ = θ

        float[][] s = new float[BATCH][], sNext = new float[BATCH][];           // one minibatch, reused
        int[] a = new int[BATCH];
        float[] r = new float[BATCH];
        boolean[] term = new boolean[BATCH];
        ArrayDeque<Double> last100 = new ArrayDeque<>();
        float lastLoss = Float.NaN;
        long step = 0;
        long started = System.nanoTime();

        for (int episode = 1; step < STEPS; episode++) {                        // [A1.4] for each episode
            float[] phi = decode(env.reset().observation());                    // [A1.5] φ_1: the first observation
            double episodeReturn = 0;
            boolean over = false;
            while (!over && step < STEPS) {                                     // [A1.6] for each step t
                // [A1.7] with probability ε a random action, [A1.8] otherwise argmax_a Q(φ_t, a; θ)
                int action = rng.nextDouble() < epsilon(step) ? rng.nextInt(ACTIONS) : agent.greedy(phi);

                Step out = env.step(action);                                    // [A1.9] execute a_t: r_t and x_{t+1}
                float[] phiNext = decode(out.observation());                    // [A1.10] φ_{t+1} = x_{t+1}
                episodeReturn += out.reward();
                step++;

                // [A1.11] store (φ_t, a_t, r_t, φ_{t+1}) in D. Terminal means the pole fell: the
                // 500-step time limit (out.truncated()) is not terminal, so y_j will bootstrap from φ_{t+1}.
                d.store(phi, action, out.reward(), phiNext, out.terminated());

                if (step >= LEARNING_STARTS && step % TRAIN_EVERY == 0) {
                    for (int j = 0; j < BATCH; j++) {                           // [A1.12] a minibatch from D, uniformly, with replacement
                        int i = rng.nextInt(d.size);
                        s[j] = d.states[i];
                        a[j] = d.actions[i];
                        r[j] = d.rewards[i];
                        sNext[j] = d.nextStates[i];
                        term[j] = d.terminal[i];
                    }
                    lastLoss = agent.update(s, a, r, sNext, term);              // [A1.13] y_j and [A1.14] the gradient step
                }
                if (step % TARGET_EVERY == 0) agent.updateTarget();             // [A1.15] every C steps Q̂ = Q

                phi = phiNext;
                over = out.terminated() || out.truncated();
                if (over) {
                    last100.addLast(episodeReturn);
                    if (last100.size() > 100) last100.removeFirst();
                }
                if (step % LOG_EVERY == 0) {
                    System.out.printf(Locale.ROOT, "step %,7d  episode %,5d  mean return (last 100) %6.1f  epsilon %.3f  loss %.4g  %.0f s%n",
                            step, episode, mean(last100), epsilon(step), lastLoss, (System.nanoTime() - started) / 1e9);
                }
            }                                                                   // [A1.16] end for t
            if (last100.size() == 100 && mean(last100) >= SOLVED) {
                System.out.printf(Locale.ROOT, "solved at step %,d, episode %,d: mean return %.1f over the last 100 episodes%n",
                        step, episode, mean(last100));
                break;
            }
        }                                                                       // [A1.17] end for episode
    }

    /** The observation's four little-endian floats (how the engine's environments hand over observations). */
    private static float[] decode(byte[] observation) {
        float[] phi = new float[OBS];
        ObservationEncoding.FLOAT32.decode(observation, 0, phi, 0, OBS);
        return phi;
    }

    private static double mean(ArrayDeque<Double> values) {
        if (values.isEmpty()) return Double.NaN;
        double sum = 0;
        for (double v : values) sum += v;
        return sum / values.size();
    }
}
