package dqnengine.dqn;

import dqnengine.backend.Backend;
import dqnengine.env.ObservationEncoding;
import dqnengine.loss.Huber;
import dqnengine.loss.Loss;
import dqnengine.loss.Mse;
import dqnengine.nn.Networks;
import dqnengine.nn.Parameter;
import dqnengine.nn.Sequential;
import dqnengine.optim.Adam;
import dqnengine.optim.GradClip;
import dqnengine.optim.Optimizer;
import dqnengine.optim.RmsProp;
import dqnengine.optim.Sgd;
import dqnengine.replay.ReplayBuffer;
import dqnengine.tensor.Tensor;

import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * The learning half of DQN (Mnih et al. 2015, Methods and Algorithm 1): an online network Q(s,a;θ),
 * a target network Q(s,a;θ⁻), and one gradient step on a sampled batch.
 *
 * <pre>
 *   y_j = r_j                                              if s'_j is terminal
 *       = r_j + γ · max_a' Q(s'_j, a'; θ⁻)                 otherwise                (DQN)
 *       = r_j + γ · Q(s'_j, argmax_a' Q(s'_j, a'; θ); θ⁻)   otherwise  (Double DQN, van Hasselt et al. 2016)
 *   with n-step returns r_j is Σ_{k&lt;m} γ^k r_{t+k}, s'_j is m steps ahead and γ becomes γ^m (see ReplayBuffer);
 *   the backend gets the per-sample discount d_j (γ^m, or 0 when terminal): y_j = r_j + d_j · bootstrap_j
 *   L(θ) = mean_j ℓ(Q(s_j, a_j; θ) − y_j)       ℓ = Huber (δ = 1) or e² (MSE, as torch.nn.functional.mse_loss)
 *          (or sum_j, lossReduction = sum: the gradient DeepMind's code steps with; the loss logged stays the mean)
 *          prioritized replay weighs sample j's gradient by its importance weight w_j, and sends
 *          |Q(s_j, a_j) − y_j| back to the replay as its new priority: the one edge from the loss
 *          back to the replay, which prioritized replay is made of
 *   θ ← optimizer(θ, ∇_θ L)                    target: θ⁻ ← τθ + (1 − τ)θ⁻ every C steps
 * </pre>
 * A truncated episode (time limit) is not terminal: its s' is stored and bootstrapped from.
 *
 * <p>What an update reads is the few {@link Settings} below, given once at construction; the
 * networks and the optimizer come built ({@link #fromConfig} builds all three from a run's config).
 *
 * <p>Shapes: observations [B, …obs] as floats decoded from the replay's bytes; Q [B, A]. All
 * buffers are allocated once; on the CPU backends an update allocates nothing (the OpenCL
 * backend allocates small argument arrays when it launches kernels).
 */
public final class DqnLearner {
    /**
     * The settings an update uses, and nothing else of a run's config.
     *
     * @param batchSize    B, transitions per update
     * @param doubleDqn    the target's action from the online network (van Hasselt et al. 2016)
     * @param loss         "huber" or "mse"
     * @param huberDelta   Huber's δ (1: the paper's error clipping to [-1, 1])
     * @param sumOverBatch step with the gradient of the batch sum instead of the mean (DeepMind's code)
     * @param maxGradNorm  clip the gradient to this global norm; 0 = no clipping
     * @param tau          target update θ⁻ ← τθ + (1 − τ)θ⁻; 1 = a copy
     */
    public record Settings(int batchSize, boolean doubleDqn, String loss, double huberDelta, boolean sumOverBatch,
                           double maxGradNorm, double tau) {
        /** The settings of a run's config. */
        public static Settings of(DqnConfig c) {
            return new Settings(c.batchSize, c.doubleDqn, c.loss, c.huberDelta, c.lossReduction.equals("sum"), c.maxGradNorm, c.tau);
        }
    }

    private final Backend be;
    private final Settings settings;
    private final int[] obsShape;
    private final ObservationEncoding encoding;
    public final Sequential online, target;
    public final Optimizer optimizer;
    private final Loss loss;
    private final int actions;
    private final ReplayBuffer.Batch batch;
    private final Tensor states, nextStates, nextMax, targets, dq, rowMax;
    private final int[] nextArgmax, actArgmax;
    private final float[] tdErrors;
    private Tensor actInput, actMax;
    private final byte[] batchBytes;          // the sampled observations as stored, for u8ToFloat on the backend
    private float lastLoss = Float.NaN, lastMeanMaxQ = Float.NaN;
    private Tensor nextQ, q;                  // the update's Q̂(s′, ·; θ⁻) and Q(s, ·; θ)
    private final Backend.Work targetForward = this::targetForward, onlineForward = this::onlineForward;
    private final Backend.Work loadStates = this::loadStates, loadNextStates = this::loadNextStates;
    private ReplayBuffer loading;              // the replay the update in progress reads its batch from
    /** Batches of at least this many floats (s alone) are decoded on two cores: Atari's 903 K, not MinAtar's 12.8 K. */
    static final int CONCURRENT_LOAD_FLOATS = 1 << 16;
    int concurrentLoadFloats = CONCURRENT_LOAD_FLOATS;       // (tests set it past any batch, for the one-after-the-other path)

    /**
     * A learner for observations of {@code obsShape} (no batch dimension) stored with
     * {@code encoding}, and {@code actions} actions. {@code online} is Q(·; θ), {@code target}
     * Q̂(·; θ⁻) of the same structure, and {@code optimizer} steps {@code online}'s parameters.
     */
    public DqnLearner(Backend be, Settings settings, Sequential online, Sequential target, Optimizer optimizer,
                      int[] obsShape, ObservationEncoding encoding, int actions) {
        if (online == target) throw new IllegalArgumentException("the online and target networks must be two networks (their forward passes may run at once)");
        this.be = be;
        this.settings = settings;
        this.obsShape = obsShape.clone();
        this.encoding = encoding;
        this.actions = actions;
        this.online = online;
        this.target = target;
        this.optimizer = optimizer;
        this.batchBytes = encoding == ObservationEncoding.FLOAT32 ? null : new byte[Math.multiplyExact(settings.batchSize(), encoding.bytes(obsShape))];
        this.loss = settings.loss().equals("mse") ? new Mse() : new Huber((float) settings.huberDelta());
        int b = settings.batchSize();
        this.batch = new ReplayBuffer.Batch(b);
        this.states = Tensor.zeros(withBatch(b, obsShape));
        this.nextStates = Tensor.zeros(withBatch(b, obsShape));
        this.nextMax = Tensor.zeros(b);
        this.targets = Tensor.zeros(b);
        this.rowMax = Tensor.zeros(b);
        this.dq = Tensor.zeros(b, actions);
        this.nextArgmax = new int[b];
        this.tdErrors = new float[b];
        this.actArgmax = new int[256];
    }

    /**
     * The learner a run's config describes: the network it names, drawn from {@code Random(seed)}
     * ([A1.2] θ, then the target's own draw, overwritten by [A1.3] θ⁻ = θ), its optimizer and its
     * {@link Settings}.
     */
    public static DqnLearner fromConfig(Backend be, DqnConfig cfg, int[] obsShape, ObservationEncoding encoding, int actions, long seed) {
        Random init = new Random(seed);
        Sequential online = build(cfg, obsShape, actions, init);
        Sequential target = build(cfg, obsShape, actions, init);
        target.copyParametersFrom(online);
        Optimizer optimizer = optimizer(cfg, online.parameters());
        return new DqnLearner(be, Settings.of(cfg), online, target, optimizer, obsShape, encoding, actions);
    }

    /** The network the config names, for observations of {@code obsShape} (no batch dimension). */
    public static Sequential build(DqnConfig cfg, int[] obsShape, int actions, Random rng) {
        return switch (cfg.network) {
            case "nature" -> {
                if (obsShape.length != 3 || obsShape[1] != 84 || obsShape[2] != 84)
                    throw new IllegalArgumentException("the nature network takes [C,84,84] observations, this environment gives " + Arrays.toString(obsShape));
                yield cfg.dueling ? Networks.natureDueling(obsShape[0], actions, rng) : Networks.nature(obsShape[0], actions, rng);
            }
            case "minatar" -> {
                if (obsShape.length != 3 || obsShape[1] != 10 || obsShape[2] != 10)
                    throw new IllegalArgumentException("the minatar network takes [C,10,10] observations, this environment gives " + Arrays.toString(obsShape));
                yield cfg.dueling ? Networks.minatarDueling(obsShape[0], actions, rng) : Networks.minatar(obsShape[0], actions, rng);
            }
            case "mlp" -> {
                int in = 1;
                for (int d : obsShape) in *= d;
                yield cfg.dueling ? Networks.mlpDueling(in, cfg.hidden, actions, obsShape.length > 1, rng)
                        : Networks.mlp(in, cfg.hidden, actions, obsShape.length > 1, rng);
            }
            default -> throw new IllegalArgumentException("unknown network " + cfg.network);
        };
    }

    static Optimizer optimizer(DqnConfig cfg, List<Parameter> params) {
        float lr = (float) cfg.lr, eps = (float) cfg.optimizerEps;
        return switch (cfg.optimizer) {
            case "adam" -> new Adam(params, lr, (float) cfg.adamBeta1, (float) cfg.adamBeta2, eps);
            case "rmsprop-nature" -> new RmsProp(params, lr, (float) cfg.rmspropAlpha, eps, 0f, true, true);
            case "rmsprop-centered" -> new RmsProp(params, lr, (float) cfg.rmspropAlpha, eps, 0f, true, false);
            case "sgd" -> new Sgd(params, lr);
            default -> throw new IllegalArgumentException("unknown optimizer " + cfg.optimizer);
        };
    }

    private static int[] withBatch(int b, int[] shape) {
        int[] s = new int[shape.length + 1];
        s[0] = b;
        System.arraycopy(shape, 0, s, 1, shape.length);
        return s;
    }

    public int actions() { return actions; }

    /**
     * Greedy actions for {@code count} observations at once (one batched forward pass).
     * {@code observations[i]} are the environments' raw bytes; the chosen actions go to {@code out}.
     */
    public void greedy(byte[][] observations, int count, int[] out) {
        if (actInput == null || actInput.dim(0) != count) {
            actInput = Tensor.zeros(withBatch(count, obsShape));
            actMax = Tensor.zeros(count);
        }
        int per = actInput.size() / count;
        for (int i = 0; i < count; i++) encoding.decode(observations[i], 0, actInput.data, i * per, per);
        be.hostWrote(actInput);
        int[] argmax = count <= actArgmax.length ? actArgmax : new int[count];
        be.rowMax(online.forward(be, actInput), actMax, argmax);
        System.arraycopy(argmax, 0, out, 0, count);
    }

    /** Q-values of one observation (for watching and tests). */
    public float[] qValues(byte[] observation) {
        Tensor x = Tensor.zeros(withBatch(1, obsShape));
        encoding.decode(observation, 0, x.data, 0, x.size());
        be.hostWrote(x);
        Tensor q = online.forward(be, x);
        be.toHost(q);
        return q.data.clone();
    }

    /** One gradient step on a batch sampled uniformly from {@code replay}; returns the loss. */
    public float update(ReplayBuffer replay) { return update(replay, 1.0); }

    /**
     * One gradient step on a batch sampled from {@code replay} (by priority when it is
     * prioritized, with importance-weight exponent {@code beta}); returns the loss.
     */
    public float update(ReplayBuffer replay, double beta) {
        replay.sample(batch, beta);                                              // [A1.12] a minibatch from D
        loading = replay;
        try {
            if ((batchBytes == null || be.hostResident()) && states.size() >= concurrentLoadFloats) {
                // s and s' decoded from the ring at once, one on each core (a CPU backend's runBoth): 2 × 3.6 MB of floats
                // for the Nature network, read from all over a replay that does not fit in any cache
                be.runBoth(loadStates, loadNextStates);
            } else {
                load(be, false, states);         // a small batch (not worth waking a second core), or a device's one byte buffer in turn
                load(be, true, nextStates);
            }
        } finally {
            loading = null;
        }

        int[] nextActions = null;
        if (settings.doubleDqn()) {
            be.rowMax(online.forward(be, nextStates), nextMax, nextArgmax);       // a* from the online network
            nextActions = nextArgmax;
        }
        // The two forward passes are independent: the backend may run them at the same time.
        be.runBoth(targetForward, onlineForward);
        // [A1.13] y_j = r_j + d_j · max_a' Q̂(s'_j, a'; θ⁻)   (d_j = γ^m, or 0 when terminal)
        be.tdTarget(nextQ, nextActions, batch.rewards, batch.discount, targets);

        Tensor q = this.q;                                                       // the online network's last forward (on s): backward uses it
        be.rowMax(q, rowMax, null);
        be.toHost(rowMax);
        float l = loss.compute(be, q, batch.actions, targets, dq);
        boolean prioritized = replay.prioritized();
        if (prioritized) {
            be.toHost(q);
            be.toHost(targets);
            for (int j = 0; j < batch.size; j++) tdErrors[j] = q.data[j * actions + batch.actions[j]] - targets.data[j];
            be.scaleRows(dq, batch.weights);                // importance weights on each sample's ∂ℓ_j/∂Q
        }
        if (settings.sumOverBatch()) be.scale(dq, batch.size);          // ∂(Σ_j ℓ_j)/∂Q = B · ∂(mean_j ℓ_j)/∂Q
        online.backwardFresh(be, dq, false);                                     // ∂L/∂θ written, not added to: no pass that zeroes the gradients first
        if (settings.maxGradNorm() > 0) GradClip.clipGlobalNorm(be, online.parameters(), settings.maxGradNorm());
        optimizer.step(be);                                                      // [A1.14] the gradient step on θ
        if (prioritized) replay.updatePriorities(batch, tdErrors);

        double sum = 0;
        for (int j = 0; j < batch.size; j++) sum += rowMax.data[j];
        lastMeanMaxQ = (float) (sum / batch.size);
        lastLoss = l;
        return l;
    }

    private void targetForward(Backend b) { nextQ = target.forward(b, nextStates); }

    private void loadStates(Backend b) { load(b, false, states); }

    private void loadNextStates(Backend b) { load(b, true, nextStates); }

    private void onlineForward(Backend b) { q = online.forward(b, states); }

    /**
     * Puts the sampled observations into {@code dst}. On a device backend byte encodings go over as
     * bytes and are converted there ({@code u8ToFloat}: only the uint8 batch crosses the bus); on the
     * host they are decoded straight from the ring into {@code dst} in one pass.
     */
    private void load(Backend b, boolean next, Tensor dst) {
        if (batchBytes == null || b.hostResident()) {
            loading.gather(batch, next, encoding, dst.data);
            b.hostWrote(dst);
        } else {
            loading.gatherBytes(batch, next, batchBytes);
            b.u8ToFloat(batchBytes, 0, encoding.scale, dst);
        }
    }

    /** θ⁻ ← τθ + (1 − τ)θ⁻ (a copy with the backend, a device copy on a device, when τ = 1). */
    public void updateTarget() {
        if (settings.tau() >= 1.0) {
            target.copyParametersFrom(be, online);
            return;
        }
        float tau = (float) settings.tau();
        List<Parameter> on = online.parameters(), tg = target.parameters();
        for (int i = 0; i < on.size(); i++) {
            be.toHost(on.get(i).value());
            be.toHost(tg.get(i).value());
            float[] src = on.get(i).value().data, dst = tg.get(i).value().data;
            for (int k = 0; k < dst.length; k++) dst[k] = tau * src[k] + (1f - tau) * dst[k];
            be.hostWrote(tg.get(i).value());
        }
    }

    /** Brings every network weight and optimizer state up to date on the host (before saving). */
    public void syncToHost() {
        for (Parameter p : online.parameters()) be.toHost(p.value());
        for (Parameter p : target.parameters()) be.toHost(p.value());
        for (Tensor t : optimizer.state().values()) be.toHost(t);
    }

    /** Tells the backend every weight and optimizer state was written on the host (after loading). */
    public void hostWroteAll() {
        for (Parameter p : online.parameters()) be.hostWrote(p.value());
        for (Parameter p : target.parameters()) be.hostWrote(p.value());
        for (Tensor t : optimizer.state().values()) be.hostWrote(t);
    }

    public float lastLoss() { return lastLoss; }

    /** Mean over the last batch of max_a Q(s, a): the "average Q" of Mnih et al. 2015, Fig. 2. */
    public float lastMeanMaxQ() { return lastMeanMaxQ; }
}
