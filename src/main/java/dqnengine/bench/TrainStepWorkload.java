package dqnengine.bench;

import dqnengine.backend.Backend;
import dqnengine.backend.Conv2dShape;
import dqnengine.loss.Huber;
import dqnengine.nn.Conv2d;
import dqnengine.nn.Networks;
import dqnengine.nn.Sequential;
import dqnengine.optim.Adam;
import dqnengine.tensor.Tensor;

import java.util.Random;
import java.util.function.Consumer;

/**
 * The benchmark workload, identical to the peers' in {@code shared/peers} so that times compare:
 * the Nature network on [B, 4, 84, 84] float inputs, 6 actions.
 *
 * <pre>
 *   trainStep:  q' = target(s')  (forward only)
 *               y  = r + 0.99·(1 − done)·max_a q'[·, a]
 *               L  = Huber(online(s)[·, a], y), mean over the batch
 *               backward, Adam (lr 1e-4, ε 1.5e-4) on the online network
 *   act:        argmax_a online(s[0:1])
 * </pre>
 * All buffers are made here once; a step allocates nothing.
 */
public final class TrainStepWorkload {
    public static final int ACTIONS = 6;
    public static final float GAMMA = 0.99f;

    private final Backend be;
    public final Sequential online, target;
    private final Adam adam;
    private final Huber huber = new Huber();
    private final Tensor states, nextStates, single, rewards, discounts, targets, dq;
    private final int[] actions, chosen = new int[1];
    private final Tensor singleMax = Tensor.zeros(1);
    /** One sample's shape: [4, 84, 84] for the Nature network, [4, 10, 10] for the MinAtar one. */
    public final int[] sample;

    public TrainStepWorkload(Backend be, int batch, long seed) {
        this(be, batch, seed, "nature");
    }

    /** @param network {@code nature} (the peers' workload) or {@code minatar} (MinAtar Breakout's network and input) */
    public TrainStepWorkload(Backend be, int batch, long seed, String network) {
        this.be = be;
        Random rng = new Random(seed);
        boolean minatar = network.equals("minatar");
        if (!minatar && !network.equals("nature")) throw new IllegalArgumentException("network must be nature or minatar, got " + network);
        sample = minatar ? new int[] {4, 10, 10} : new int[] {4, 84, 84};
        online = minatar ? Networks.minatar(4, ACTIONS, rng) : Networks.nature(4, ACTIONS, rng);
        target = minatar ? Networks.minatar(4, ACTIONS, rng) : Networks.nature(4, ACTIONS, rng);
        target.copyParametersFrom(online);
        adam = new Adam(online.parameters(), 1e-4f, 0.9f, 0.999f, 1.5e-4f);
        states = Tensor.zeros(batch, sample[0], sample[1], sample[2]);
        nextStates = Tensor.zeros(batch, sample[0], sample[1], sample[2]);
        for (int i = 0; i < states.size(); i++) {
            states.data[i] = rng.nextFloat();
            nextStates.data[i] = rng.nextFloat();
        }
        single = Tensor.zeros(1, sample[0], sample[1], sample[2]);
        System.arraycopy(states.data, 0, single.data, 0, single.size());
        rewards = Tensor.zeros(batch);
        discounts = Tensor.zeros(batch);
        discounts.fill(GAMMA);                 // no episode ends in the bench batch: every target bootstraps with γ
        actions = new int[batch];
        for (int i = 0; i < batch; i++) {
            rewards.data[i] = rng.nextFloat();
            actions[i] = rng.nextInt(ACTIONS);
        }
        targets = Tensor.zeros(batch);
        dq = Tensor.zeros(batch, ACTIONS);
    }

    private Consumer<String> phase;
    private Tensor nextQ, q;
    private final Backend.Work targetForward = this::targetForward, onlineForward = this::onlineForward;

    private void targetForward(Backend b) {
        phase.accept("target fwd");
        nextQ = target.forward(b, nextStates);
    }

    private void onlineForward(Backend b) {
        phase.accept("online fwd");
        q = online.forward(b, states);
    }

    /** One DQN update; returns the loss. */
    public float trainStep() {
        return trainStep(phase -> {});
    }

    /** One DQN update, naming each phase to {@code phase} before it starts (for the per-op breakdown). */
    public float trainStep(Consumer<String> phase) {
        // At the same time where the backend can (as DqnLearner). Then phase is called from two threads at once; the one
        // consumer that records phases, the breakdown's TimedBackend, runs the pieces one after the other.
        this.phase = phase;
        try {
            be.runBoth(targetForward, onlineForward);
        } finally {
            this.phase = null;
        }
        phase.accept("loss");
        be.tdTarget(nextQ, null, rewards.data, discounts.data, targets);
        float loss = huber.compute(be, q, actions, targets, dq);
        phase.accept("backward");
        online.backwardFresh(be, dq, false);                // as DqnLearner: the gradients written, not zeroed first
        phase.accept("optimizer");
        adam.step(be);
        return loss;
    }

    /** Greedy action for one state. */
    public int act() {
        be.rowMax(online.forward(be, single), singleMax, chosen);
        return chosen[0];
    }

    /** The first convolution alone, forward, on the batch (the peers' conv1_fwd). */
    public Tensor conv1Forward() {
        return online.layers().get(0).forward(be, states);
    }

    private Conv2dShape conv1Step;
    private Tensor conv1StepOut;

    /**
     * The first convolution and its ReLU as the train step runs them: one op, written in the layout
     * the second convolution takes (pixel-major where the backend says so between the two, see
     * {@link Conv2dShape}). The peers have no such figure: their conv1_fwd is {@link #conv1Forward}'s op.
     */
    public Tensor conv1AsInTheStep() {
        if (conv1Step == null) {
            Conv2d conv1 = (Conv2d) online.layers().get(0), conv2 = (Conv2d) online.layers().get(2);
            conv1Step = conv1.shapeOn(be, states.dim(0), states.dim(2), states.dim(3), false, conv2);
            conv1StepOut = Tensor.zeros(conv1Step.outputShape());
        }
        Conv2d conv1 = (Conv2d) online.layers().get(0);
        be.conv2dForwardRelu(conv1Step, states, conv1.weight().value(), conv1.bias().value(), conv1StepOut);
        return conv1StepOut;
    }

    /** Whether {@link #conv1AsInTheStep} writes pixel-major (after its first call). */
    public boolean conv1StepPixelMajor() { return conv1Step != null && conv1Step.pixelMajorOut(); }

    /** conv1 forward then the gradients of sum(out) for weight, bias and input (the peers' conv1_fwd_bwd). */
    public Tensor conv1ForwardBackward(Tensor ones) {
        var conv = online.layers().get(0);
        conv.forward(be, states);
        return conv.backward(be, ones, true);
    }
}
