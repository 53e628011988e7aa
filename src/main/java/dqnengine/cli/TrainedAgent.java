package dqnengine.cli;

import dqnengine.backend.Backend;
import dqnengine.dqn.Agent;
import dqnengine.dqn.Checkpoint;
import dqnengine.dqn.DqnConfig;
import dqnengine.dqn.DqnLearner;
import dqnengine.env.Environment;

import java.io.IOException;
import java.nio.file.Path;

/** A trained agent loaded for eval and play: the run's config, a fresh environment, the checkpoint's network. */
record TrainedAgent(DqnConfig config, Path checkpoint, Checkpoint.State state, Environment env, DqnLearner learner) implements AutoCloseable {

    /**
     * Loads from {@code path}: a run directory (its best checkpoint if {@code preferBest} and one
     * exists, else its latest) or a checkpoint directory inside one. The environment is the run's,
     * opened with the command line's options; the loading itself is {@link Agent#load}'s.
     */
    static TrainedAgent load(Path path, boolean preferBest, EnvOptions envOptions, long seed, Backend be) throws IOException {
        Path checkpoint = Checkpoint.resolve(path, preferBest);
        DqnConfig cfg = DqnConfig.readRunConfig(checkpoint.toAbsolutePath().getParent().getParent());
        envOptions.atariPreset = cfg.atariPreset;
        Environment env = envOptions.open(cfg.env, seed, cfg.sticky);
        try {
            Agent agent = Agent.load(checkpoint, false, env, be);
            return new TrainedAgent(agent.config(), agent.checkpoint(), agent.state(), env, agent.learner());
        } catch (IOException | RuntimeException e) {
            env.close();
            throw e;
        }
    }

    @Override
    public void close() { env.close(); }
}
