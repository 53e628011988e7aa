package dqnengine.cli;

import dqnengine.backend.Backend;
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
     * exists, else its latest) or a checkpoint directory inside one.
     */
    static TrainedAgent load(Path path, boolean preferBest, EnvOptions envOptions, long seed, Backend be) throws IOException {
        Path checkpoint = Checkpoint.resolve(path, preferBest);
        Path runDir = checkpoint.toAbsolutePath().getParent().getParent();
        DqnConfig cfg = DqnConfig.readRunConfig(runDir);
        Checkpoint.State state = Checkpoint.readState(checkpoint);
        envOptions.atariPreset = cfg.atariPreset;
        Environment env = envOptions.open(cfg.env, seed, cfg.sticky);
        try {
            DqnLearner learner = DqnLearner.fromConfig(be, cfg, env.observationShape(), env.encoding(), env.actionCount(), seed);
            Checkpoint.load(checkpoint, learner, cfg.env, env.observationShape(), env.actionCount());
            return new TrainedAgent(cfg, checkpoint, state, env, learner);
        } catch (IOException | RuntimeException e) {
            env.close();
            throw e;
        }
    }

    @Override
    public void close() { env.close(); }
}
