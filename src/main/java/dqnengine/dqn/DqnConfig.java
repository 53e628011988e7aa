package dqnengine.dqn;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import dqnengine.util.BadInput;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;

/**
 * Every setting of a DQN run. A run starts from a named preset; flags and a JSON config file
 * (same names as the fields) override single values; the result is written to the run
 * directory as {@code config.json}, which is what {@code --resume} reads back.
 *
 * <p>Counting: a <b>step</b> is one call of {@code Environment.step} (an "agent step"); with
 * several environments each of them counts. For Atari one step is 4 emulator frames (frame
 * skip), so the papers' "frames" are steps × 4. Updates happen every {@code trainEvery} steps.
 */
public final class DqnConfig {
    // --- what to train on
    public String env = "minatar:breakout";
    public long steps = 5_000_000;
    public long seed = 0;
    public int numEnvs = 1;
    public String network = "minatar";          // nature | minatar | mlp
    public int[] hidden = {128, 128};          // mlp only

    // --- replay
    public int replaySize = 100_000;
    public int batchSize = 32;
    public long learningStarts = 5_000;        // steps of random-policy data before the first update
    public int nStep = 1;                      // n-step returns (1 = the one-step target)
    public boolean prioritized = false;        // proportional prioritized replay (Schaul et al. 2016)
    public double priorityAlpha = 0.5;         // P(i) ∝ p_i^α (Rainbow: 0.5)
    public double priorityBeta = 0.4;          // importance-weight exponent at step 0, annealed linearly to 1 at the last step (Rainbow: 0.4)
    public double priorityEps = 1e-6;          // p_i = |δ_i| + this, so no transition is never drawn again

    // --- learning
    public double gamma = 0.99;
    public String optimizer = "rmsprop-centered";   // adam | rmsprop-nature | rmsprop-centered | sgd
    public double lr = 2.5e-4;
    public double optimizerEps = 0.01;
    public double adamBeta1 = 0.9, adamBeta2 = 0.999;   // Adam's moment decays (Kingma & Ba 2015; PyTorch's defaults)
    public double rmspropAlpha = 0.95;         // RMSProp's squared-gradient decay ("squared gradient momentum", Mnih et al. 2015)
    public double huberDelta = 1.0;            // Huber's δ: 1 is the paper's error clipping to [-1, 1]
    public String loss = "huber";              // huber | mse
    public String lossReduction = "mean";      // mean | sum over the batch: what the gradient step sees (nature: sum, as DeepMind's code)
    public int trainEvery = 1;
    public long targetEvery = 1_000;           // steps between target updates
    public double tau = 1.0;                   // 1 = hard copy; < 1 = Polyak averaging at every target update
    public boolean doubleDqn = false;
    public boolean dueling = false;             // dueling head (Wang et al. 2016)
    public double maxGradNorm = 0;             // 0 = no clipping

    // --- exploration
    public double epsilonStart = 1.0;
    public double epsilonEnd = 0.1;
    public long epsilonSteps = 100_000;        // linear decay over these steps, counted from step 0 ...
    public boolean epsilonFromLearningStarts = false;   // ... or from learningStarts (DeepMind's and Dopamine's code)
    public double evalEpsilon = 0.05;
    public long evalEvery = 0;                 // steps between evaluations during training (0 = none)
    public int evalEpisodes = 10;              // episodes per evaluation
    public long captureVideoEvery = 0;         // steps between recorded episodes (RUN_DIR/videos/step-….gif; 0 = none)

    // --- environment details
    public double sticky = -1;                 // MinAtar / Atari sticky-action probability; -1 = the env preset's
    public String atariPreset = "nature";

    // --- bookkeeping
    public long checkpointEvery = 100_000;
    public long logEvery = 10_000;
    public double stopAtReturn = Double.NaN;   // stop when the mean return of the last 100 episodes reaches it
    public boolean tensorboard = false;        // also write TensorBoard event files to RUN_DIR/tensorboard
    public boolean saveReplay = false;         // latest checkpoints also carry the replay buffer and the environments' states, so a resume continues exactly
    public String preset = "minatar";

    public static final List<String> PRESETS = List.of("nature", "dopamine-dqn", "rainbow-lite", "cleanrl", "minatar", "cartpole");

    /**
     * A named preset. Every value cites where it comes from.
     * <ul>
     *   <li>{@code nature}: Mnih et al. 2015, Extended Data Table 1: minibatch 32, replay
     *       1,000,000, target update every 10,000, discount 0.99, update every 4 steps, RMSProp
     *       lr 0.00025, squared gradient momentum 0.95, min squared gradient 0.01, ε 1 → 0.1 over
     *       1,000,000 (counted from the replay start, as {@code NeuralQLearner.lua} does), replay start 50,000, 50 M frames in all (12.5 M steps). The table's counts
     *       are agent steps here, as in DeepMind's released code ({@code learn_start},
     *       {@code ep_endt} and {@code target_q} all count steps). The gradient is the batch
     *       <em>sum</em> ({@code lossReduction = sum}): DeepMind's {@code NeuralQLearner.lua} writes
     *       the clipped TD errors straight into the output gradient and calls {@code backward}
     *       without dividing by the batch. RMSProp with ε inside the root is not scale-invariant,
     *       so the mean would behave like ε·B² ≈ 10 at batch 32.</li>
     *   <li>{@code dopamine-dqn}: Dopamine's DQN (Castro et al. 2018) as in the "DQN (Adam + MSE
     *       in JAX)" row of their baselines ({@code jax/agents/dqn/configs/dqn.gin}): replay
     *       1,000,000, batch 32, an update every 4 agent steps, target every 8,000 agent steps,
     *       discount 0.99, ε 1 → 0.01 over 250,000 agent steps, learning starts at 20,000, Adam
     *       lr 6.25e-5 with ε 1.5e-4, MSE (mean over the batch), the Nature network, under their
     *       Atari protocol ({@code atariPreset = dopamine}); 200 iterations of 250,000 agent steps.
     *       The ε decay starts after the 20,000 warm-up steps, as theirs does.</li>
     *   <li>{@code rainbow-lite}: Rainbow (Hessel et al. 2018) without its distributional head
     *       and noisy networks: Double DQN, the dueling head, 3-step returns and proportional
     *       prioritized replay (α 0.5, β 0.4 → 1: Hessel et al. Table 1), with Dopamine's Rainbow
     *       schedule ({@code rainbow.gin}): replay 1,000,000, batch 32, an update every 4 agent
     *       steps, target every 8,000, ε 1 → 0.01 over 250,000, learning starts at 20,000, Adam
     *       6.25e-5 with ε 1.5e-4, under Dopamine's Atari protocol. The loss is Huber (Rainbow's
     *       is C51's cross-entropy, which this preset does not have; the prioritized-replay paper
     *       used the clipped TD error, i.e. Huber).</li>
     *   <li>{@code cleanrl}: CleanRL's {@code dqn_atari.py} (Huang et al. 2022): Adam lr 1e-4,
     *       MSE loss, replay 1,000,000, target every 1,000 steps, train every 4, learning starts
     *       80,000, ε 1 → 0.01 over 10% of 10 M steps.</li>
     *   <li>{@code minatar}: Young &amp; Tian 2019, section 4: batch 32, replay 100,000, target
     *       every 1,000 steps, train every step, discount 0.99, centred RMSProp lr 0.00025,
     *       α 0.95, ε 0.01, Huber loss, ε 1 → 0.1 over the first 100,000 frames, replay start
     *       5,000, 5 M frames.</li>
     *   <li>{@code cartpole}: ours, tuned on this machine (no paper sets them): an MLP 128-128,
     *       Adam lr 5e-4, batch 64, replay 50,000, hard target update every 500 steps, train
     *       every step after 1,000, ε 1 → 0.01 over 10,000 steps, MSE loss, 200,000 steps, stop
     *       when the last 100 episodes average 475.</li>
     * </ul>
     */
    public static DqnConfig preset(String name) {
        DqnConfig c = new DqnConfig();
        c.preset = name;
        switch (name) {
            case "nature" -> {
                c.env = "ale:pong"; c.network = "nature"; c.steps = 12_500_000;
                c.replaySize = 1_000_000; c.batchSize = 32; c.learningStarts = 50_000;
                c.optimizer = "rmsprop-nature"; c.lr = 2.5e-4; c.optimizerEps = 0.01; c.loss = "huber"; c.lossReduction = "sum";
                c.trainEvery = 4; c.targetEvery = 10_000;
                c.epsilonEnd = 0.1; c.epsilonSteps = 1_000_000; c.epsilonFromLearningStarts = true;
                c.checkpointEvery = 250_000; c.logEvery = 10_000;
            }
            case "dopamine-dqn" -> {
                c.env = "ale:pong"; c.network = "nature"; c.steps = 50_000_000; c.atariPreset = "dopamine";
                c.replaySize = 1_000_000; c.batchSize = 32; c.learningStarts = 20_000;
                c.optimizer = "adam"; c.lr = 6.25e-5; c.optimizerEps = 1.5e-4; c.loss = "mse"; c.lossReduction = "mean";
                c.trainEvery = 4; c.targetEvery = 8_000;
                c.epsilonEnd = 0.01; c.epsilonSteps = 250_000; c.epsilonFromLearningStarts = true;
                c.checkpointEvery = 250_000; c.logEvery = 10_000;
            }
            case "rainbow-lite" -> {
                c.env = "ale:pong"; c.network = "nature"; c.steps = 50_000_000; c.atariPreset = "dopamine";
                c.replaySize = 1_000_000; c.batchSize = 32; c.learningStarts = 20_000;
                c.optimizer = "adam"; c.lr = 6.25e-5; c.optimizerEps = 1.5e-4; c.loss = "huber"; c.lossReduction = "mean";
                c.trainEvery = 4; c.targetEvery = 8_000;
                c.epsilonEnd = 0.01; c.epsilonSteps = 250_000; c.epsilonFromLearningStarts = true;
                c.doubleDqn = true; c.dueling = true; c.nStep = 3;
                c.prioritized = true; c.priorityAlpha = 0.5; c.priorityBeta = 0.4;
                c.checkpointEvery = 250_000; c.logEvery = 10_000;
            }
            case "cleanrl" -> {
                c.env = "ale:pong"; c.network = "nature"; c.steps = 10_000_000;
                c.replaySize = 1_000_000; c.batchSize = 32; c.learningStarts = 80_000;
                c.optimizer = "adam"; c.lr = 1e-4; c.optimizerEps = 1e-8; c.loss = "mse";
                c.trainEvery = 4; c.targetEvery = 1_000;
                c.epsilonEnd = 0.01; c.epsilonSteps = 1_000_000;
                c.checkpointEvery = 250_000; c.logEvery = 10_000;
            }
            case "minatar" -> { /* the field defaults above are this preset */ }
            case "cartpole" -> {
                c.env = "cartpole"; c.network = "mlp"; c.hidden = new int[] {128, 128}; c.steps = 200_000;
                c.replaySize = 50_000; c.batchSize = 64; c.learningStarts = 1_000;
                c.optimizer = "adam"; c.lr = 5e-4; c.optimizerEps = 1e-8; c.loss = "mse";
                c.trainEvery = 1; c.targetEvery = 500;
                c.epsilonEnd = 0.01; c.epsilonSteps = 10_000;
                c.checkpointEvery = 25_000; c.logEvery = 5_000; c.stopAtReturn = 475;
            }
            default -> throw new BadInput("unknown preset '" + name + "'; expected one of " + String.join(", ", PRESETS));
        }
        return c;
    }

    /** The preset that suits an environment when none is named. */
    public static String presetFor(String env) {
        if (env.startsWith("ale:")) return "nature";
        if (env.equals("cartpole")) return "cartpole";
        return "minatar";
    }

    /** The importance-weight exponent of prioritized replay after {@code step} steps: priorityBeta → 1 linearly over the run. */
    public double priorityBeta(long step) {
        return priorityBeta + (1 - priorityBeta) * Math.min(1.0, step / (double) steps);
    }

    /**
     * ε after {@code step} steps: linear from epsilonStart to epsilonEnd over epsilonSteps, then
     * flat, counted from step 0, or from learningStarts when {@code epsilonFromLearningStarts}
     * (as DeepMind's and Dopamine's code count it). See {@link EpsilonSchedule}.
     */
    public double epsilon(long step) { return EpsilonSchedule.of(this).at(step); }

    /** Rejects impossible settings with a message naming the flag. */
    public void validate() {
        require(steps > 0, "--steps must be positive");
        require(numEnvs >= 1 && numEnvs <= 256, "--num-envs must be between 1 and 256");
        require(replaySize >= 100, "--replay-size must be at least 100");
        require(batchSize >= 1 && batchSize <= 4096, "--batch-size must be between 1 and 4096");
        require(learningStarts >= batchSize, "--learning-starts must be at least the batch size (" + batchSize + ")");
        require(nStep >= 1 && nStep <= 100, "--n-step must be between 1 and 100");
        require(learningStarts >= (long) numEnvs * (nStep + 1),
                "--learning-starts must be at least --num-envs x (--n-step + 1) = " + (long) numEnvs * (nStep + 1)
                        + ", so that every environment has a complete n-step window before the first update");
        require(adamBeta1 >= 0 && adamBeta1 < 1 && adamBeta2 >= 0 && adamBeta2 < 1, "--adam-beta1 and --adam-beta2 must be in [0, 1)");
        require(rmspropAlpha > 0 && rmspropAlpha < 1, "--rmsprop-alpha must be in (0, 1)");
        require(huberDelta > 0 && !Double.isInfinite(huberDelta), "--huber-delta must be positive");
        require(priorityAlpha >= 0 && priorityAlpha <= 1, "--priority-alpha must be in [0, 1]");
        require(priorityBeta >= 0 && priorityBeta <= 1, "--priority-beta must be in [0, 1]");
        require(priorityEps > 0, "priorityEps (a --config setting) must be positive");
        require(gamma >= 0 && gamma <= 1, "--gamma must be in [0, 1]");
        require(lr > 0 && lr < 1, "--lr must be in (0, 1)");
        require(trainEvery >= 1, "--train-every must be at least 1");
        require(targetEvery >= 1, "--target-every must be at least 1");
        require(tau > 0 && tau <= 1, "--tau must be in (0, 1]");
        require(epsilonStart >= 0 && epsilonStart <= 1 && epsilonEnd >= 0 && epsilonEnd <= 1, "epsilon values must be in [0, 1]");
        require(epsilonSteps >= 1, "--epsilon-steps must be at least 1");
        require(evalEpsilon >= 0 && evalEpsilon <= 1, "--eval-epsilon must be in [0, 1]");
        require(evalEvery >= 0, "--eval-every must be 0 (off) or positive");
        require(evalEpisodes >= 1, "--eval-episodes must be at least 1");
        require(captureVideoEvery >= 0, "--capture-video-every must be 0 (off) or positive");
        require(maxGradNorm >= 0, "--max-grad-norm must be 0 (off) or positive");
        require(checkpointEvery >= 1 && logEvery >= 1, "--checkpoint-every and --log-every must be positive");
        require(List.of("nature", "minatar", "mlp").contains(network), "network (a --config setting) must be nature, minatar or mlp");
        require(List.of("adam", "rmsprop-nature", "rmsprop-centered", "sgd").contains(optimizer),
                "--optimizer must be adam, rmsprop-nature, rmsprop-centered or sgd");
        require(List.of("huber", "mse").contains(loss), "--loss must be huber or mse");
        require(List.of("mean", "sum").contains(lossReduction), "--loss-reduction must be mean or sum");
        require(sticky == -1 || (sticky >= 0 && sticky < 1), "--sticky must be in [0, 1)");
        for (int h : hidden) require(h >= 1, "hidden (a --config setting) sizes must be positive");
        require(hidden.length >= 1 || !network.equals("mlp") || !dueling, "a dueling MLP needs at least one hidden layer");
    }

    private static void require(boolean ok, String message) {
        if (!ok) throw new BadInput(message);
    }

    private static final Gson GSON = new GsonBuilder().setPrettyPrinting().serializeSpecialFloatingPointValues().create();

    public String toJson() { return GSON.toJson(this); }

    /**
     * Reads a config written by {@link #toJson}, or a {@code --config} file; settings it does not
     * name keep {@code base}'s values. Unknown names and values of the wrong type are refused with
     * one line beginning with {@code source} (see {@link ConfigFile}).
     */
    public static DqnConfig fromJson(String json, DqnConfig base, String source) {
        return ConfigFile.apply(ConfigFile.read(json, source), base.copy());
    }

    /** The config.json of run directory {@code runDir} (one clear error when it has none). */
    public static DqnConfig readRunConfig(Path runDir) throws IOException {
        Path file = runDir.resolve("config.json");
        if (!Files.isRegularFile(file)) {
            throw new NoSuchFileException(file + " (" + runDir + " is not a run directory: it has no config.json)");
        }
        return fromJson(Files.readString(file, StandardCharsets.UTF_8), new DqnConfig(), "config " + file);
    }

    public DqnConfig copy() { return GSON.fromJson(GSON.toJson(this), DqnConfig.class); }
}
