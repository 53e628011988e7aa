package dqnengine.cli;

import dqnengine.backend.Backend;
import dqnengine.dqn.Checkpoint;
import dqnengine.dqn.ConfigFile;
import dqnengine.dqn.DqnConfig;
import dqnengine.dqn.Evaluator;
import dqnengine.dqn.RunDirectory;
import dqnengine.dqn.Trainer;
import dqnengine.util.AtomicFiles;
import dqnengine.util.BadInput;
import dqnengine.util.IoReasons;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * {@code train}: runs the DQN loop ({@link Trainer}) on one environment and writes a run directory.
 * Settings come from a preset, then a JSON config file, then single flags, in that order.
 */
@Command(name = "train", mixinStandardHelpOptions = true,
        description = {"Train a DQN (default: CartPole, about a minute).",
                "With no arguments: CartPole with the 'cartpole' preset, stopping when the",
                "last 100 episodes average 475. Atari: --env ale:pong (preset nature).",
                "Presets: nature, dopamine-dqn, rainbow-lite, cleanrl, minatar, cartpole;",
                "'train --preset X --print-config' shows every value of one.",
                "Writes RUN_DIR/config.json, episodes.csv, progress.csv, plots/*.png",
                "and checkpoints/."})
public class TrainCommand implements Callable<Integer> {

    @Mixin EnvOptions envOptions;

    @Option(names = "--preset", paramLabel = "NAME", description = "nature, dopamine-dqn, rainbow-lite, cleanrl, minatar or cartpole. Default: the one that suits --env.")
    String preset;
    @Option(names = "--config", paramLabel = "FILE", description = "A JSON file of settings (the names in config.json, or the flag spellings), applied over the preset.")
    Path config;
    @Option(names = "--run-dir", paramLabel = "DIR", description = "Where to write the run. Default: a new runs/<env>-s<seed>-<date>-<time>.")
    Path runDir;
    @Option(names = "--resume", paramLabel = "RUN_DIR", description = "Continue the run in RUN_DIR from its latest checkpoint (--steps may raise the total).")
    Path resume;
    @Mixin DeviceOptions deviceOptions;

    @Option(names = {"--steps", "--total-timesteps"}, paramLabel = "N", description = "Total environment steps (all environments together; Atari: 4 frames each).") Long steps;
    @Option(names = "--num-envs", paramLabel = "N", description = "Environments stepped together, actions chosen in one batched forward pass.") Integer numEnvs;
    @Option(names = {"--replay-size", "--buffer-size"}, paramLabel = "N", description = "Replay capacity in frames.") Integer replaySize;
    @Option(names = "--batch-size", paramLabel = "N", description = "Transitions per update. Default: the preset's.") Integer batchSize;
    @Option(names = "--learning-starts", paramLabel = "N", description = "Random-policy steps before the first update.") Long learningStarts;
    @Option(names = "--gamma", paramLabel = "X", description = "Discount factor. Default: the preset's.") Double gamma;
    @Option(names = {"--lr", "--learning-rate"}, paramLabel = "X", description = "Learning rate. Default: the preset's.") Double lr;
    @Option(names = "--optimizer", paramLabel = "NAME", description = "adam, rmsprop-nature, rmsprop-centered or sgd.") String optimizer;
    @Option(names = "--optimizer-eps", paramLabel = "X", description = "The optimizer's epsilon (RMSProp: inside or outside the root, by --optimizer). Default: the preset's.") Double optimizerEps;
    @Option(names = "--loss", paramLabel = "NAME", description = "huber or mse.") String loss;
    @Option(names = "--eval-every", paramLabel = "N", description = "Evaluate every N steps on a separate environment (0 = never). Default: 0.") Long evalEvery;
    @Option(names = "--capture-video-every", paramLabel = "N", description = {"Every N steps, record one episode (a separate environment, at --eval-epsilon)",
            "to RUN_DIR/videos/step-<N>.gif: Atari's colour screen, else a drawing of the observation. Default: 0 (never)."}) Long captureVideoEvery;
    @Option(names = "--eval-episodes", paramLabel = "N", description = "Episodes per evaluation. Default: 10.") Integer evalEpisodes;
    @Option(names = "--eval-epsilon", paramLabel = "X", description = "Exploration while evaluating. Default: 0.05.") Double evalEpsilon;
    @Option(names = "--adam-beta1", paramLabel = "X", description = "Adam's first-moment decay. Default: 0.9.") Double adamBeta1;
    @Option(names = "--adam-beta2", paramLabel = "X", description = "Adam's second-moment decay. Default: 0.999.") Double adamBeta2;
    @Option(names = "--rmsprop-alpha", paramLabel = "X", description = "RMSProp's squared-gradient decay. Default: 0.95.") Double rmspropAlpha;
    @Option(names = "--huber-delta", paramLabel = "X", description = "Huber's delta (1 = the paper's error clipping). Default: 1.") Double huberDelta;
    @Option(names = "--n-step", paramLabel = "N", description = "n-step returns (1 = one-step targets). Default: the preset's (rainbow-lite 3, others 1).") Integer nStep;
    @Option(names = "--prioritized", negatable = true, description = "Proportional prioritized replay (Schaul et al. 2016).") Boolean prioritized;
    @Option(names = "--priority-alpha", paramLabel = "X", description = "Prioritized replay: P(i) ∝ p_i^X. Default: 0.5.") Double priorityAlpha;
    @Option(names = "--priority-beta", paramLabel = "X", description = "Prioritized replay: importance-weight exponent at the start, annealed to 1. Default: 0.4.") Double priorityBeta;
    @Option(names = "--loss-reduction", paramLabel = "HOW", description = "mean or sum over the batch for the gradient step. Default: the preset's (nature: sum, as DeepMind's code; others mean).") String lossReduction;
    @Option(names = {"--train-every", "--train-frequency"}, paramLabel = "N", description = "Steps between updates. Default: the preset's.") Integer trainEvery;
    @Option(names = {"--target-every", "--target-network-frequency"}, paramLabel = "N", description = "Steps between target-network updates.") Long targetEvery;
    @Option(names = "--tau", paramLabel = "X", description = "1 = hard copy; below 1 = Polyak averaging at each target update.") Double tau;
    @Option(names = "--double", negatable = true, description = "Double DQN targets (van Hasselt et al. 2016).") Boolean doubleDqn;
    @Option(names = "--dueling", negatable = true, description = "Dueling network head (Wang et al. 2016).") Boolean dueling;
    @Option(names = "--max-grad-norm", paramLabel = "X", description = "Clip the global gradient norm (0 = off).") Double maxGradNorm;
    @Option(names = {"--epsilon-start", "--start-e"}, paramLabel = "X", description = "Exploration at step 0 (after learning starts; 1 before). Default: the preset's.") Double epsilonStart;
    @Option(names = {"--epsilon-end", "--end-e"}, paramLabel = "X", description = "Exploration after the decay. Default: the preset's.") Double epsilonEnd;
    @Option(names = "--epsilon-steps", paramLabel = "N", description = "Steps of the linear decay, from step 0. Default: the preset's.") Long epsilonSteps;
    @Option(names = "--exploration-fraction", paramLabel = "X", description = "CleanRL's spelling: the epsilon decay lasts this fraction of --steps (sets --epsilon-steps).") Double explorationFraction;
    @Option(names = "--print-config", description = "Print the fully resolved settings (preset, file, flags) as the JSON --config accepts, and exit.") boolean printConfig;
    @Option(names = "--epsilon-from-learning-starts", negatable = true, description = "Count the epsilon decay from --learning-starts instead of step 0 (DeepMind's and Dopamine's code). Default: the preset's.") Boolean epsilonFromLearningStarts;
    @Option(names = "--sticky", paramLabel = "P", description = "Sticky-action probability (MinAtar, Atari). Default: the environment preset's.") Double sticky;
    @Option(names = "--checkpoint-every", paramLabel = "N", description = "Steps between checkpoints (and plots). Default: the preset's.") Long checkpointEvery;
    @Option(names = "--log-every", paramLabel = "N", description = "Steps between rows of progress.csv. Default: the preset's.") Long logEvery;
    @Option(names = "--tensorboard", negatable = true, description = "Also write TensorBoard event files (RUN_DIR/tensorboard).") Boolean tensorboard;
    @Option(names = "--save-replay", negatable = true,
            description = "Save the replay buffer and environment states with each latest checkpoint: a resume continues exactly, without a refill. Default: off.")
    Boolean saveReplay;
    @Option(names = "--stop-at-return", paramLabel = "X", description = "Stop when the mean return of the last 100 episodes reaches X.") Double stopAtReturn;
    @Option(names = "--seeds", split = ",", paramLabel = "N,N,...",
            description = {"Train one run per seed, one after another, each in its own run directory (DIR/s<seed> under --run-dir DIR),",
                    "then print the mean and std across seeds of each iteration's mean training return. Default: one run, with --seed."})
    List<Long> seeds;
    @Option(names = "--iteration-steps", paramLabel = "N",
            description = "Agent steps per iteration in the --seeds summary. Default: 250,000 for Atari (Dopamine's iteration), a tenth of --steps otherwise.")
    Long iterationSteps;

    @Spec CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        DqnConfig cfg = resolve();
        if (printConfig) {
            System.out.println(cfg.toJson());
            return 0;
        }
        envOptions.check(cfg.env);                 // an unknown game or a missing ROM stops here, before any directory is made
        if (seeds != null) return trainSeeds(cfg);
        trainOne(cfg, resolvedDir, null, runDir == null && resume == null);
        return 0;
    }

    /** The run directory {@link #resolve} chose: --resume's, --run-dir's, or null for a fresh runs/... one. */
    Path resolvedDir;

    /**
     * The settings of this run: a resumed run's config.json (with a new --steps), or the preset,
     * then the --config file, then the flags.
     */
    DqnConfig resolve() throws IOException {
        DqnConfig cfg;
        Path dir;
        boolean atariPresetFlag = given("--atari-preset");
        if (resume != null) {
            if (runDir != null || preset != null || config != null || envOptions.env != null || atariPresetFlag || anyOverride()) {
                throw new BadInput("--resume continues a run with its own config.json; only --steps, --save-replay, --device and --threads may be given with it");
            }
            dir = resume;
            cfg = DqnConfig.readRunConfig(dir);
            if (steps != null) cfg.steps = steps;
            if (saveReplay != null) cfg.saveReplay = saveReplay;
            cfg.validate();
            envOptions.atariPreset = cfg.atariPreset;
        } else {
            // env: the flag, else the config file's, else the preset's, else CartPole;
            // preset: the flag, else the file's, else the one that suits the env.
            Map<String, Object> file = config == null ? Map.of() : readConfigFile(config);
            String fileEnv = (String) file.get("env");
            String filePreset = (String) file.get("preset");
            String presetName = preset != null ? preset : filePreset;
            String env = envOptions.env != null ? envOptions.env : fileEnv != null ? fileEnv
                    : presetName != null ? DqnConfig.preset(presetName).env : "cartpole";
            cfg = DqnConfig.preset(presetName != null ? presetName : DqnConfig.presetFor(env));
            ConfigFile.apply(file, cfg);
            cfg.preset = presetName != null ? presetName : DqnConfig.presetFor(env);
            cfg.env = env;
            // --seed and --atari-preset have defaults: the flag when given, else the file's value, else the default
            if (given("--seed") || !file.containsKey("seed")) cfg.seed = envOptions.seed;
            applyOverrides(cfg);
            if (atariPresetFlag) cfg.atariPreset = envOptions.atariPreset;     // else the file's, else the preset's
            envOptions.atariPreset = cfg.atariPreset;
            cfg.validate();
            dir = runDir;                                   // null: a fresh runs/<env>-s<seed>-<date>-<time>, made below
        }
        resolvedDir = dir;
        return cfg;
    }

    /** Where one run ended up, and whether it was interrupted (SIGTERM, Ctrl-C) before its last step. */
    private record Outcome(Path dir, boolean interrupted) {}

    /** {@code --seeds}: the runs one after another, then the summary across seeds per iteration. */
    private int trainSeeds(DqnConfig base) throws IOException {
        if (resume != null) throw new BadInput("--seeds starts new runs; --resume continues one (resume each seed's directory on its own)");
        if (given("--seed")) throw new BadInput("give --seed or --seeds, not both");
        if (seeds.isEmpty() || seeds.stream().distinct().count() != seeds.size()) throw new BadInput("--seeds needs distinct seeds, e.g. --seeds 0,1,2");
        long perIteration = iterationSteps != null ? iterationSteps : base.env.startsWith("ale:") ? 250_000 : Math.max(1, base.steps / 10);
        if (perIteration < 1) throw new BadInput("--iteration-steps must be positive");
        if (runDir != null) {                                  // a taken seed directory is found now, not after the seeds before it trained
            for (long seed : seeds) {
                Path d = runDir.resolve("s" + seed);
                if (Files.exists(d.resolve("config.json")) || Files.exists(d.resolve("checkpoints"))) {
                    throw new BadInput("run directory " + d + " already holds a run: continue it with --resume " + d + ", or choose another --run-dir");
                }
            }
        }
        // SIGTERM or Ctrl-C during a seed: its run saves, and the JVM waits for the summary below too
        seriesDone = new CountDownLatch(1);
        try {
            trainSeedsInOrder(base, perIteration);
        } finally {
            seriesDone.countDown();
        }
        return 0;
    }

    /** Counted down when a --seeds series has printed its summary; the save-on-interrupt hook waits for it. */
    private CountDownLatch seriesDone;

    private void trainSeedsInOrder(DqnConfig base, long perIteration) throws IOException {
        List<Path> dirs = new ArrayList<>();
        for (long seed : seeds) {
            DqnConfig cfg = base.copy();
            cfg.seed = seed;
            System.out.printf(Locale.ROOT, "=== seed %d (%d of %d)%n", seed, dirs.size() + 1, seeds.size());
            Outcome o = trainOne(cfg, runDir == null ? null : runDir.resolve("s" + seed), null, runDir == null);
            dirs.add(o.dir());
            if (o.interrupted()) {
                System.out.printf(Locale.ROOT, "stopped during seed %d: the later seeds were not started%n", seed);
                break;
            }
        }
        printSeedSummary(dirs, perIteration);
        System.out.flush();
    }

    /** Mean training return per iteration of each run, and the mean ± std (sample) across the runs that reached it. */
    static void printSeedSummary(List<Path> dirs, long perIteration) throws IOException {
        TreeMap<Long, List<Double>> byIteration = new TreeMap<>();
        for (Path d : dirs) {
            for (ReportCommand.Row r : ReportCommand.rows(d.resolve("episodes.csv"), perIteration)) {
                byIteration.computeIfAbsent(r.iteration(), k -> new ArrayList<>()).add(r.mean());
            }
        }
        System.out.printf(Locale.ROOT, "# %d seed(s): mean training return per iteration of %,d agent steps, across seeds%n", dirs.size(), perIteration);
        System.out.println("iteration,seeds,mean,std,per_seed");
        for (var e : byIteration.entrySet()) {
            List<Double> v = e.getValue();
            Evaluator.Summary s = Evaluator.Summary.of(v.stream().mapToDouble(Double::doubleValue).toArray());
            StringBuilder each = new StringBuilder();
            for (double x : v) each.append(each.length() == 0 ? "" : " ").append(String.format(Locale.ROOT, "%.2f", x));
            System.out.printf(Locale.ROOT, "%d,%d,%.2f,%.2f,%s%n", e.getKey(), v.size(), s.mean(), s.std(), each);
        }
        for (Path d : dirs) System.out.println("run directory: " + d);
    }

    /**
     * One run: takes ownership of {@code dir} (or makes a fresh runs/... directory when it is null),
     * trains, and saves on SIGTERM or Ctrl-C. {@code freshDir}: the directory is this run's own, so
     * a run that fails before its first checkpoint removes it again.
     */
    private Outcome trainOne(DqnConfig cfg, Path dir, Path resumeFrom, boolean freshDir) throws IOException {
        Path firstCreated = null;                  // the outermost directory this run creates (removed again if it fails early)
        for (Path p = (dir != null ? dir : Path.of("runs")).toAbsolutePath(); p != null && !Files.exists(p); p = p.getParent()) firstCreated = p;

        try (Backend be = deviceOptions.open(cfg.network);
             RunDirectory owned = dir != null ? RunDirectory.lock(dir)
                     : RunDirectory.createFresh(Path.of("runs"), cfg.env.replace(':', '-') + "-s" + cfg.seed + "-"
                             + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")))) {
            dir = owned.path();
            if (freshDir && firstCreated == null) firstCreated = dir.toAbsolutePath();   // a fresh directory is ours
            int stale = owned.removeStaleTemporaries();
            if (stale > 0) System.out.printf(Locale.ROOT, "removed %d temporary file(s) left in %s by an interrupted writer%n", stale, dir);
            if (resume == null) {
                try {
                    RunDirectory.prepareNew(dir, cfg);
                } catch (IllegalArgumentException | IOException e) {
                    if (freshDir) removeIfNothingSaved(dir, firstCreated);    // our own fresh directory
                    throw e;
                }
            } else {
                resumeFrom = Checkpoint.resolve(dir, false);             // now that the run is ours
                Checkpoint.State at = Checkpoint.readState(resumeFrom);
                if (at.step >= cfg.steps) {
                    throw new BadInput(steps != null
                            ? String.format(Locale.ROOT, "run %s is already at step %,d, %s --steps %,d: give a larger --steps to continue",
                                    dir, at.step, at.step > steps ? "past" : "which is", steps)
                            : String.format(Locale.ROOT, "run %s already reached its %,d steps (it is at step %,d): give a larger --steps to continue",
                                    dir, cfg.steps, at.step));
                }
                if (saveReplay != null) keepSaveReplay(dir, cfg.saveReplay);
                RunDirectory.RollBack rb = owned.rollBackTo(at.step, at.episodes);
                if (rb.changedAnything()) {
                    System.out.printf(Locale.ROOT, "rolled %s back to its checkpoint at step %,d: removed %d episode and %d progress row(s) written after it%s%n",
                            dir, at.step, rb.episodeRows(), rb.progressRows(),
                            rb.checkpointsSetAside().isEmpty() ? "" : "; later checkpoints moved to " + dir.resolve("discarded") + ": "
                                    + String.join(", ", rb.checkpointsSetAside()));
                }
            }
            Job trainer = job(cfg, be, dir);
            CountDownLatch finished = new CountDownLatch(1);
            Thread hook = new Thread(() -> {
                trainer.requestStop();
                try {
                    finished.await(120, TimeUnit.SECONDS);       // let the loop write its checkpoint
                    if (seriesDone != null) seriesDone.await(30, TimeUnit.SECONDS);   // and a --seeds series its summary
                } catch (InterruptedException ignored) {
                    Thread.currentThread().interrupt();
                }
            }, "save-on-interrupt");
            Runtime.getRuntime().addShutdownHook(hook);
            try {
                Summary r;
                try {
                    r = trainer.run(resumeFrom);
                } catch (IOException | RuntimeException e) {
                    if (resume == null) removeIfNothingSaved(dir, firstCreated);
                    throw e;
                }
                try {
                    Runtime.getRuntime().removeShutdownHook(hook);
                } catch (IllegalStateException shuttingDown) {
                    // SIGTERM or Ctrl-C: the hook is running; it waits for the lines below
                }
                System.out.printf(Locale.ROOT, "%s after %,d steps (%,d updates, %,d episodes); mean return of the last 100 episodes: %.2f%n",
                        r.interrupted() ? "interrupted and saved" : "done", r.steps(), r.updates(), r.episodes(), r.meanReturn100());
                System.out.println("run directory: " + dir + " (evaluate with: eval --run-dir " + dir + ")");
                System.out.flush();
                return new Outcome(dir, r.interrupted());
            } finally {
                finished.countDown();                          // the hook lets the JVM exit only after the save and these lines
            }
        }
    }

    /** One run's work inside the directory {@link #trainOne} prepared: {@code train}'s {@link Trainer}, or a cluster learner. */
    interface Job {
        /** Stop at the next step and save (SIGTERM, Ctrl-C). */
        void requestStop();

        Summary run(Path resumeFrom) throws IOException;
    }

    /** What a {@link Job} ended with. */
    record Summary(long steps, long updates, long episodes, double meanReturn100, boolean interrupted) {}

    /** {@code train}'s job: the single-process loop, with the run's headline. */
    Job job(DqnConfig cfg, Backend be, Path dir) {
        Trainer trainer = new Trainer(cfg, be, (i, seed) -> envOptions.open(cfg.env, seed, cfg.sticky), dir, System.out);
        System.out.printf(Locale.ROOT, "train: %s, preset %s, %,d steps, %d env(s), backend %s, run dir %s%n",
                cfg.env, cfg.preset, cfg.steps, cfg.numEnvs, be.name(), dir);
        return new Job() {
            @Override
            public void requestStop() { trainer.requestStop(); }

            @Override
            public Summary run(Path resumeFrom) throws IOException {
                Trainer.Result r = trainer.run(resumeFrom);
                return new Summary(r.steps(), r.updates(), r.episodes(), r.meanReturn100(), r.interrupted());
            }
        };
    }

    /**
     * {@code --resume} with {@code --[no-]save-replay}: the choice is written to the run's
     * config.json (atomically), so that later resumes keep it. Nothing else there changes.
     */
    private static void keepSaveReplay(Path dir, boolean on) throws IOException {
        DqnConfig stored = DqnConfig.readRunConfig(dir);
        if (stored.saveReplay == on) return;
        stored.saveReplay = on;
        AtomicFiles.writeString(dir.resolve("config.json"), stored.toJson() + "\n");
    }

    /**
     * A new run that failed before its first checkpoint leaves no directory behind to block a
     * retry, nor the parents it created ({@code runs/} on a first run), when they are empty.
     */
    private static void removeIfNothingSaved(Path dir, Path firstCreated) {
        if (Files.exists(dir.resolve("checkpoints"))) return;
        try {
            // a run that got as far as finishing an episode keeps its logs: they may explain the failure
            Path episodes = dir.resolve("episodes.csv");
            if (Files.exists(episodes) && Files.readAllLines(episodes).size() > 1) return;
            for (String f : new String[] {"config.json", "episodes.csv", "progress.csv", ".lock"}) Files.deleteIfExists(dir.resolve(f));
            if (firstCreated == null) return;
            for (Path p = dir.toAbsolutePath(); p != null && p.startsWith(firstCreated); p = p.getParent()) {
                try (var rest = Files.list(p)) {
                    if (rest.findAny().isPresent()) return;
                }
                Files.delete(p);
            }
        } catch (IOException ignored) {
            // best effort: the error being reported matters more
        }
    }

    boolean given(String option) {
        var parsed = spec.commandLine().getParseResult();
        return parsed != null && parsed.hasMatchedOption(option);
    }

    /** The settings of a --config file, or one line saying why it cannot be used. */
    private static Map<String, Object> readConfigFile(Path file) {
        if (!Files.exists(file)) throw new BadInput("--config " + file + ": no such file");
        if (Files.isDirectory(file)) throw new BadInput("--config " + file + ": is a directory, not a JSON file");
        String json;
        try {
            json = Files.readString(file, StandardCharsets.UTF_8);
        } catch (CharacterCodingException e) {
            throw new BadInput("--config " + file + ": not UTF-8 text (a JSON file is expected)");
        } catch (IOException e) {
            throw new BadInput("--config " + file + ": cannot read it: " + IoReasons.of(e));
        }
        return ConfigFile.read(json, "--config " + file);
    }

    /** Whether a flag that changes a setting of the run was given (--steps and --save-replay, which --resume accepts, are not counted). */
    private boolean anyOverride() {
        Object[] all = {numEnvs, replaySize, batchSize, learningStarts, gamma, lr, optimizer, optimizerEps, loss, lossReduction, nStep, adamBeta1, adamBeta2, rmspropAlpha, huberDelta, prioritized, priorityAlpha, priorityBeta, evalEvery, captureVideoEvery, evalEpisodes, evalEpsilon, trainEvery, targetEvery, tau,
                doubleDqn, dueling, maxGradNorm, epsilonStart, epsilonEnd, epsilonSteps, explorationFraction, epsilonFromLearningStarts, sticky, checkpointEvery, logEvery, stopAtReturn, tensorboard};
        for (Object o : all) if (o != null) return true;
        return false;
    }

    private void applyOverrides(DqnConfig c) {
        if (steps != null) c.steps = steps;
        if (numEnvs != null) c.numEnvs = numEnvs;
        if (replaySize != null) c.replaySize = replaySize;
        if (batchSize != null) c.batchSize = batchSize;
        if (learningStarts != null) c.learningStarts = learningStarts;
        if (gamma != null) c.gamma = gamma;
        if (lr != null) c.lr = lr;
        if (optimizer != null) c.optimizer = optimizer;
        if (optimizerEps != null) c.optimizerEps = optimizerEps;
        if (loss != null) c.loss = loss;
        if (lossReduction != null) c.lossReduction = lossReduction;
        if (nStep != null) c.nStep = nStep;
        if (adamBeta1 != null) c.adamBeta1 = adamBeta1;
        if (adamBeta2 != null) c.adamBeta2 = adamBeta2;
        if (rmspropAlpha != null) c.rmspropAlpha = rmspropAlpha;
        if (huberDelta != null) c.huberDelta = huberDelta;
        if (evalEvery != null) c.evalEvery = evalEvery;
        if (evalEpisodes != null) c.evalEpisodes = evalEpisodes;
        if (captureVideoEvery != null) c.captureVideoEvery = captureVideoEvery;
        if (evalEpsilon != null) c.evalEpsilon = evalEpsilon;
        if (prioritized != null) c.prioritized = prioritized;
        if (priorityAlpha != null) c.priorityAlpha = priorityAlpha;
        if (priorityBeta != null) c.priorityBeta = priorityBeta;
        if (trainEvery != null) c.trainEvery = trainEvery;
        if (targetEvery != null) c.targetEvery = targetEvery;
        if (tau != null) c.tau = tau;
        if (doubleDqn != null) c.doubleDqn = doubleDqn;
        if (dueling != null) c.dueling = dueling;
        if (maxGradNorm != null) c.maxGradNorm = maxGradNorm;
        if (epsilonStart != null) c.epsilonStart = epsilonStart;
        if (epsilonEnd != null) c.epsilonEnd = epsilonEnd;
        if (epsilonSteps != null) c.epsilonSteps = epsilonSteps;
        if (explorationFraction != null) {
            if (epsilonSteps != null) throw new BadInput("give --epsilon-steps or --exploration-fraction, not both");
            if (!(explorationFraction > 0 && explorationFraction <= 1)) throw new BadInput("--exploration-fraction must be in (0, 1]");
            c.epsilonSteps = Math.max(1, Math.round(explorationFraction * c.steps));
        }
        if (epsilonFromLearningStarts != null) c.epsilonFromLearningStarts = epsilonFromLearningStarts;
        if (sticky != null) c.sticky = sticky;
        if (checkpointEvery != null) c.checkpointEvery = checkpointEvery;
        if (logEvery != null) c.logEvery = logEvery;
        if (stopAtReturn != null) c.stopAtReturn = stopAtReturn;
        if (tensorboard != null) c.tensorboard = tensorboard;
        if (saveReplay != null) c.saveReplay = saveReplay;
    }
}
