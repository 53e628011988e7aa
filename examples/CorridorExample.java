import dqnengine.backend.Backend;
import dqnengine.backend.Backends;
import dqnengine.dqn.Agent;
import dqnengine.dqn.DqnConfig;
import dqnengine.dqn.RunDirectory;
import dqnengine.dqn.Trainer;
import dqnengine.dqn.TrainingListener;
import dqnengine.env.Environment;
import dqnengine.env.ObservationEncoding;
import dqnengine.env.Step;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/** Trains a DQN on an environment of its own, stops once it walks the corridor, then acts with the saved network. */
public class CorridorExample {

    /**
     * A corridor of 6 cells. The agent starts in cell 0 and moves left (action 0) or right
     * (action 1); each step costs 0.1 and reaching cell 5 earns 1 and ends the episode, which is
     * cut off after 20 steps. The best return is 0.6: four steps at -0.1, then the goal.
     */
    static final class Corridor implements Environment {
        static final int CELLS = 6, LIMIT = 20;
        private final byte[] observation = new byte[CELLS];    // the agent's cell, one-hot
        private int cell, steps;

        @Override public String id() { return "corridor"; }
        @Override public int[] observationShape() { return new int[] {CELLS}; }
        @Override public ObservationEncoding encoding() { return ObservationEncoding.BINARY; }
        @Override public int actionCount() { return 2; }
        @Override public List<String> actionMeanings() { return List.of("LEFT", "RIGHT"); }

        @Override
        public Step reset() {
            cell = 0;
            steps = 0;
            return observe(0, false, false);
        }

        @Override
        public Step step(int action) {
            cell = Math.max(0, cell + (action == 1 ? 1 : -1));
            steps++;
            boolean goal = cell == CELLS - 1;
            return observe(goal ? 1f : -0.1f, goal, !goal && steps == LIMIT);
        }

        private Step observe(float reward, boolean terminated, boolean truncated) {
            Arrays.fill(observation, (byte) 0);
            observation[cell] = 1;
            // reward to learn from, score to report, terminated, truncated, game over, lives
            return new Step(observation, reward, reward, terminated, truncated, terminated, 0);
        }

        @Override public void close() {}
    }

    public static void main(String[] args) throws Exception {
        Path runDir = args.length > 0 ? Path.of(args[0]) : Files.createTempDirectory("corridor-");

        // The settings: the cartpole preset (an MLP, Adam, MSE) made small for a small problem.
        DqnConfig cfg = DqnConfig.preset("cartpole");
        cfg.env = "corridor";                   // the id checkpoints are stamped with
        cfg.network = "mlp";                    // the network: a multi-layer perceptron ...
        cfg.hidden = new int[] {32};            // ... with one hidden layer of 32 units
        cfg.steps = 3_000;
        cfg.replaySize = 3_000;
        cfg.learningStarts = 200;
        cfg.batchSize = 32;
        cfg.targetEvery = 100;
        cfg.epsilonSteps = 1_000;
        cfg.evalEvery = 100;                    // a greedy episode every 100 steps ...
        cfg.evalEpisodes = 1;
        cfg.evalEpsilon = 0;
        cfg.checkpointEvery = 500;
        cfg.logEvery = 100;
        cfg.stopAtReturn = Double.NaN;
        RunDirectory.prepareNew(runDir, cfg);   // writes config.json; refuses a directory that holds a run

        TrainingListener listener = new TrainingListener() {
            @Override
            public Decision onEpisodeEnd(EpisodeEnd e) {
                if (e.episode() % 25 == 0) System.out.printf(Locale.ROOT, "episode %d ended at step %d after %d steps%n", e.episode(), e.step(), e.length());
                return Decision.CONTINUE;
            }

            @Override
            public Decision onEvaluation(Evaluation e) {   // ... and the run stops once that episode is the best possible
                boolean walksStraight = e.summary().mean() > 0.59;
                if (walksStraight) System.out.printf(Locale.ROOT, "evaluation at step %d: return %.1f, stopping%n", e.step(), e.summary().mean());
                return walksStraight ? Decision.STOP : Decision.CONTINUE;
            }

            @Override
            public Decision onCheckpoint(CheckpointSaved c) {
                System.out.printf(Locale.ROOT, "saved the %s checkpoint at step %d%n", c.kind(), c.step());
                return Decision.CONTINUE;
            }
        };

        try (Backend backend = Backends.create("cpu", 1)) {            // the fast CPU backend, one thread
            Trainer trainer = new Trainer(cfg, backend, (index, seed) -> new Corridor(), runDir, System.out);
            trainer.addListener(listener);
            Trainer.Result result = trainer.run(null);
            System.out.printf(Locale.ROOT, "trained %d steps, stopped early: %b; run directory %s%n", result.steps(), result.interrupted(), runDir);

            // Act: the run's best checkpoint, one greedy walk.
            try (Corridor env = new Corridor()) {
                Agent agent = Agent.load(runDir, true, env, backend);
                Step s = env.reset();
                StringBuilder path = new StringBuilder("0");
                float total = 0;
                while (!s.done()) {
                    s = env.step(agent.act(s.observation()));
                    total += s.score();
                    path.append(" ").append(env.cell);
                }
                System.out.printf(Locale.ROOT, "greedy walk from the step-%d checkpoint: %s, return %.1f%n", agent.step(), path, total);
            }
        }
    }
}
