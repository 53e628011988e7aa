package dqnengine.cli;

import dqnengine.env.builtin.FrozenLake;
import dqnengine.tabular.QLearning;
import dqnengine.util.BadInput;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.Locale;
import java.util.concurrent.Callable;

/** {@code tabular}: Q-learning with a table on FrozenLake, the first chapter of the reading path. */
@Command(name = "tabular", mixinStandardHelpOptions = true,
        description = {"Tabular Q-learning on FrozenLake 4x4 (no network).",
                "Trains, then reports the greedy policy's success rate and draws it."})
final class TabularCommand implements Callable<Integer> {
    @Option(names = "--env", defaultValue = "frozenlake", paramLabel = "ID", description = "frozenlake (slippery) or frozenlake:deterministic. Default: ${DEFAULT-VALUE}.")
    String env;
    @Option(names = "--episodes", defaultValue = "20000", paramLabel = "N", description = "Training episodes. Default: ${DEFAULT-VALUE}.")
    int episodes;
    @Option(names = "--alpha", defaultValue = "0.05", paramLabel = "X", description = "Learning rate. Default: ${DEFAULT-VALUE}.")
    double alpha;
    @Option(names = "--gamma", defaultValue = "0.99", paramLabel = "X", description = "Discount. Default: ${DEFAULT-VALUE}.")
    double gamma;
    @Option(names = "--epsilon-end", defaultValue = "0.01", paramLabel = "X", description = "Final exploration. Default: ${DEFAULT-VALUE}.")
    double epsilonEnd;
    @Option(names = "--eval-episodes", defaultValue = "1000", paramLabel = "N", description = "Greedy episodes for the success rate. Default: ${DEFAULT-VALUE}.")
    int evalEpisodes;
    @Option(names = "--seed", defaultValue = "0", paramLabel = "N", description = "Seed. Default: ${DEFAULT-VALUE}.")
    long seed;

    @Override
    public Integer call() {
        boolean slippery = switch (env) {
            case "frozenlake" -> true;
            case "frozenlake:deterministic" -> false;
            default -> throw new BadInput("tabular runs on frozenlake or frozenlake:deterministic, not '" + env + "'");
        };
        if (episodes < 1 || evalEpisodes < 1) throw new BadInput("--episodes and --eval-episodes must be positive");
        if (!(alpha > 0 && alpha <= 1) || !(gamma >= 0 && gamma <= 1) || !(epsilonEnd >= 0 && epsilonEnd <= 1)) {
            throw new BadInput("--alpha must be in (0, 1], --gamma and --epsilon-end in [0, 1]");
        }
        long t0 = System.nanoTime();
        QLearning agent = new QLearning(FrozenLake.STATES, FrozenLake.ACTIONS, alpha, gamma, seed);
        agent.train(new FrozenLake(slippery, seed), episodes, epsilonEnd);
        double rate = agent.successRate(new FrozenLake(slippery, seed + 1), evalEpisodes);
        System.out.printf(Locale.ROOT, "%s: %,d training episodes in %.2f s; greedy success rate %.3f over %,d episodes%n",
                env, episodes, (System.nanoTime() - t0) / 1e9, rate, evalEpisodes);
        System.out.print("greedy policy (< v > ^ = left down right up):\n" + agent.policyMap());
        return 0;
    }
}
