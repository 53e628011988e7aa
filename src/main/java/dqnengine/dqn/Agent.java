package dqnengine.dqn;

import dqnengine.backend.Backend;
import dqnengine.env.Environment;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A trained network loaded from a checkpoint, to act with: the greedy action a = argmax_a Q(s, a)
 * for an observation, or whole episodes played at a small ε.
 *
 * <p>Loading rebuilds the network the run's {@code config.json} names, for the observations and
 * actions of the environment given, and fills it with the checkpoint's weights; a checkpoint for
 * other observation shapes or action counts than the environment's is refused with one line. The
 * backend stays the caller's: close it after the agent is no longer used. An agent is not safe
 * to use from several threads at once (it reuses its buffers).
 */
public final class Agent {
    private final DqnConfig config;
    private final Path checkpoint;
    private final Checkpoint.State state;
    private final DqnLearner learner;
    private final byte[][] one = new byte[1][];
    private final int[] action = new int[1];

    private Agent(DqnConfig config, Path checkpoint, Checkpoint.State state, DqnLearner learner) {
        this.config = config;
        this.checkpoint = checkpoint;
        this.state = state;
        this.learner = learner;
    }

    /**
     * Loads a checkpoint for acting in {@code env}.
     *
     * @param path       a run directory (then its {@code best} checkpoint if {@code preferBest} and
     *                   it has one, else its {@code latest}) or a checkpoint directory inside one
     * @param preferBest whether a run directory's best checkpoint is wanted rather than its latest
     * @param env        an environment like the one trained on: it gives the observation shape,
     *                   encoding and action count (it is not stepped, nor closed)
     * @param be         the backend to compute on
     * @return the agent
     * @throws IOException when the checkpoint or the run's config cannot be read, or does not fit {@code env}
     */
    public static Agent load(Path path, boolean preferBest, Environment env, Backend be) throws IOException {
        Path checkpoint = Checkpoint.resolve(path, preferBest);
        DqnConfig cfg = DqnConfig.readRunConfig(checkpoint.toAbsolutePath().getParent().getParent());   // RUN/checkpoints/step-N
        DqnLearner learner = DqnLearner.fromConfig(be, cfg, env.observationShape(), env.encoding(), env.actionCount(), cfg.seed);
        Checkpoint.State state = Checkpoint.load(checkpoint, learner, cfg.env, env.observationShape(), env.actionCount());
        return new Agent(cfg, checkpoint, state, learner);
    }

    /**
     * The greedy action for one observation.
     *
     * @param observation an observation as the environment returns it
     * @return argmax_a Q(observation, a)
     */
    public int act(byte[] observation) {
        one[0] = observation;
        learner.greedy(one, 1, action);
        return action[0];
    }

    /**
     * The network's Q-values for one observation.
     *
     * @param observation an observation as the environment returns it
     * @return Q(observation, a) for every action a
     */
    public float[] qValues(byte[] observation) { return learner.qValues(observation); }

    /**
     * Plays whole episodes in {@code env} at exploration rate {@code epsilon} (0.05 is Mnih et
     * al.'s evaluation protocol) and reports the game's own returns; see {@link Evaluator}.
     *
     * @param env      the environment to play in (reset here, not closed)
     * @param episodes how many episodes
     * @param epsilon  the probability of a random action at each step
     * @param seed     the seed of those random choices
     * @param maxSteps steps after which an episode is cut off
     * @return the episodes' returns, their mean, standard deviation and extremes
     */
    public Evaluator.Summary evaluate(Environment env, int episodes, double epsilon, long seed, long maxSteps) {
        return Evaluator.run(learner, env, episodes, epsilon, seed, maxSteps, null);
    }

    /** @return the settings of the run the checkpoint belongs to */
    public DqnConfig config() { return config; }

    /** @return the checkpoint directory loaded */
    public Path checkpoint() { return checkpoint; }

    /** @return the step count the checkpoint was saved at */
    public long step() { return state.step; }

    /** @return the checkpoint's counters and identity, as its {@code state.json} holds them */
    public Checkpoint.State state() { return state; }

    /** @return the online and target networks and the optimizer, for what this class does not offer */
    public DqnLearner learner() { return learner; }
}
