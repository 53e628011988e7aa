package dqnengine.cli;

import dqnengine.backend.Backend;
import dqnengine.dqn.Evaluator;
import dqnengine.env.Environments;
import dqnengine.env.ale.AtariConfig;
import dqnengine.env.minatar.MinAtarGame;
import dqnengine.util.BadInput;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;

/** {@code eval}: plays N episodes with a trained agent and reports the score with the protocol used. */
@Command(name = "eval", mixinStandardHelpOptions = true,
        description = {"Evaluate a trained agent: mean +- std over N episodes.",
                "Plays at a small epsilon and reports the game's own (unclipped) returns",
                "with the protocol used (sticky actions, life loss, frame cap)."})
final class EvalCommand implements Callable<Integer> {
    static final class Source {
        @Option(names = "--run-dir", paramLabel = "DIR", required = true, description = "A run directory: its best checkpoint (else its latest).")
        Path runDir;
        @Option(names = "--checkpoint", paramLabel = "DIR", required = true, description = "One checkpoint directory (RUN/checkpoints/step-N).")
        Path checkpoint;
    }

    @ArgGroup(exclusive = true, multiplicity = "1")
    Source source;
    @Mixin
    EnvOptions envOptions;
    @Option(names = "--episodes", defaultValue = "30", paramLabel = "N", description = "Episodes to play. Default: ${DEFAULT-VALUE}.")
    int episodes;
    @Option(names = "--epsilon", defaultValue = "0.05", paramLabel = "X", description = "Exploration while evaluating (Mnih et al. 2015: 0.05). Default: ${DEFAULT-VALUE}.")
    double epsilon;
    @Option(names = "--max-steps", defaultValue = "1000000", paramLabel = "N", description = "Cut an episode after N steps. Default: ${DEFAULT-VALUE}.")
    long maxSteps;
    @Mixin DeviceOptions deviceOptions;

    @Override
    public Integer call() throws Exception {
        if (episodes < 1) throw new BadInput("--episodes must be at least 1");
        if (!(epsilon >= 0 && epsilon <= 1)) throw new BadInput("--epsilon must be in [0, 1]");
        if (maxSteps < 1) throw new BadInput("--max-steps must be positive");
        Path path = source.runDir != null ? source.runDir : source.checkpoint;
        long seed = envOptions.seed + 1_000_000_007L;                  // not the training seeds
        try (Backend be = deviceOptions.open(null);
             TrainedAgent agent = TrainedAgent.load(path, source.runDir != null, envOptions, seed, be)) {
            System.out.printf(Locale.ROOT, "checkpoint: %s (step %,d, %,d updates)%n", agent.checkpoint(), agent.state().step, agent.state().updates);
            System.out.println("protocol: " + protocol(agent) + String.format(Locale.ROOT, ", epsilon %.3f, %d episodes, cap %,d steps", epsilon, episodes, maxSteps));
            long t0 = System.nanoTime();
            // One line per episode on stderr (an Atari game at 30 episodes takes minutes), the summary on stdout.
            Evaluator.Summary s = Evaluator.run(agent.learner(), agent.env(), episodes, epsilon, seed, maxSteps, null, (e, ret, steps) -> {
                double elapsed = (System.nanoTime() - t0) / 1e9;
                System.err.printf(Locale.ROOT, "episode %d/%d: return %.1f in %,d steps (%.1f s elapsed, about %.0f s left)%n",
                        e + 1, episodes, ret, steps, elapsed, elapsed / (e + 1) * (episodes - e - 1));
            });
            System.out.printf(Locale.ROOT, "return: %.2f +- %.2f (std over %d episodes; min %.1f, max %.1f) in %.1f s%n",
                    s.mean(), s.std(), episodes, s.min(), s.max(), (System.nanoTime() - t0) / 1e9);
        }
        return 0;
    }

    /** How the episodes were played, for the line beside the score. */
    static String protocol(TrainedAgent agent) {
        String env = agent.config().env;
        if (Environments.isAle(env)) {
            return env + " " + AtariConfig.preset(agent.config().atariPreset).describe()
                    + (agent.config().sticky >= 0 ? " (sticky overridden to " + agent.config().sticky + ")" : "");
        }
        if (agent.env() instanceof MinAtarGame) {
            double sticky = agent.config().sticky >= 0 ? agent.config().sticky : 0.1;
            return env + String.format(Locale.ROOT, " sticky=%.2f ramping=true actions=%d", sticky, agent.env().actionCount());
        }
        return env;
    }
}
