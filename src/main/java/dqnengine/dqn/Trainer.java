package dqnengine.dqn;

import dqnengine.backend.Backend;
import dqnengine.env.Environment;
import dqnengine.env.FrameRenderer;
import dqnengine.env.Step;
import dqnengine.io.GifWriter;
import dqnengine.replay.ReplayBuffer;
import dqnengine.replay.ReplayFiles;
import dqnengine.util.Rng;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The DQN training loop (Mnih et al. 2015, Algorithm 1), one way from environment to optimizer:
 * <pre>
 *   repeat until `steps`:
 *     ε ← schedule(step)
 *     a_i ← random with probability ε (always before learningStarts), else argmax_a Q(s_i, a)
 *           — one batched forward pass for all N environments
 *     s'_i, r_i ← env_i.step(a_i);  replay ← (s_i, a_i, r_i, s'_i, terminated, truncated)
 *     every trainEvery steps (after learningStarts): one update on a sampled batch
 *     every targetEvery steps: target network ← online network (or Polyak average)
 *     every logEvery steps: a row of progress.csv; every checkpointEvery: a checkpoint and plots
 *     every evalEvery steps (if set): evalEpisodes episodes at evalEpsilon on a separate
 *           environment with its own seed and random source: a row of eval.csv
 * </pre>
 * Evaluation reads the online network and touches nothing else the training run uses (its
 * environments, random sources or replay), so a run with evaluation trains exactly as one
 * without. When it is on, the {@code best} checkpoint is the one with the best evaluation score;
 * otherwise the one with the best mean of the last 100 training episodes. Time spent evaluating
 * is left out of the steps/s figures and reported on its own.
 * The {@code [A1.n]} labels in the code are the lines of Algorithm 1 as numbered in
 * {@code walkthrough/CartPoleDqn.java}, which writes the whole algorithm out in one file.
 * Episode returns are the game's unclipped score summed until the game is over (with Atari's
 * life-loss terminals an episode spans all lives), and they are what the logs report.
 *
 * <p>The run's records live elsewhere, so that {@code loop} reads as the algorithm: {@link RunLog}
 * writes episodes.csv, progress.csv, eval.csv, TensorBoard and the plots and prints the progress
 * line; {@link MemoryCheck} checks that the replay fits; {@link RunDirectory#prepareNew} makes a
 * new run's directory; {@link DqnLearner} does the update and {@link EpsilonSchedule} gives ε.
 * What stays here decides: when to update, sync, log, evaluate, checkpoint and stop.
 *
 * <p>Resuming: the checkpoint restores networks, optimizer, counters, ε schedule position,
 * random-source states and the last 100 returns. With {@code saveReplay} the {@code latest}
 * checkpoints also carry the replay buffer and where every environment stood
 * ({@code replay/}: {@link ReplayFiles}, {@link EnvironmentStates}); a resumed run that finds them
 * continues exactly as the uninterrupted run would have (built-in environments continue their
 * episodes; Atari environments, whose emulator state is not saved, start new ones). A checkpoint
 * without them (saved without the option) is resumed as before: the run refills the empty buffer
 * with min(learningStarts, replaySize / 2) transitions from the restored policy at the restored ε
 * before the schedule continues. Those refill steps are not counted, so every counter and the
 * schedule carry on from where they stopped. A saved buffer that is damaged or of another shape
 * stops the run with one line rather than being replaced by a refill unasked.
 *
 * <p>Listening: {@link TrainingListener}s added with {@link #addListener} are told of each
 * finished episode, evaluation and saved checkpoint, and may answer that the run should stop.
 * They and {@link #requestStop} are the only ways in from outside, and both can only end a run
 * early, never change what it trains.
 *
 * <p>As a library: make the run directory with {@link RunDirectory#prepareNew} (it writes the
 * {@code config.json} that {@link Agent#load} and a resume read), open a backend with
 * {@link dqnengine.backend.Backends#create}, then {@code new Trainer(...).run(null)}. README,
 * "Use it from Java", shows a whole program.
 */
public final class Trainer {
    /**
     * Opens the run's environments: one per {@code numEnvs}, then the evaluation environment and
     * the video environment when those are on, each with a seed of its own.
     */
    public interface EnvFactory {
        /**
         * Opens a new environment; the trainer closes it when the run ends.
         *
         * @param index which environment: 0 … numEnvs − 1 train, numEnvs evaluates, numEnvs + 1 records videos
         * @param seed  the seed it should draw its randomness from
         * @return the environment, not yet reset
         */
        Environment open(int index, long seed);
    }

    /**
     * What a run ended with.
     *
     * @param steps         the step count reached
     * @param updates       gradient updates made
     * @param episodes      training episodes finished
     * @param meanReturn100 the mean return of the last 100 episodes (NaN when none finished)
     * @param reachedBound  the run stopped because that mean reached {@link DqnConfig#stopAtReturn}
     * @param interrupted   the run stopped early: {@link #requestStop} (SIGTERM, Ctrl-C) or a
     *                      {@link TrainingListener} that answered STOP
     * @param runDir        the run directory
     * @param loopSeconds   the time in the loop itself, without start-up and the final save
     */
    public record Result(long steps, long updates, long episodes, double meanReturn100, boolean reachedBound, boolean interrupted, Path runDir,
                         double loopSeconds) {}

    private final DqnConfig cfg;
    private final Backend be;
    private final EnvFactory factory;
    private final Path runDir;
    private final PrintStream out;
    private final EpsilonSchedule epsilon;
    private volatile boolean stopRequested;

    private Environment[] envs;
    private byte[][] obs;                           // each environment's observation, the next action's input
    private DqnLearner learner;
    private ReplayBuffer replay;
    private boolean replayRestored;                 // resumed with the checkpoint's saved replay buffer: no refill
    private Path replaySavedIn;                     // where this buffer was last saved or loaded: unchanged segments are linked from there
    private int replaySegmentSlots = ReplayFiles.SEGMENT_SLOTS;
    private final Rng rng;
    private long step, updates, episodes;
    private double[] epReturn;                      // each environment's episode so far: its return and length
    private long[] epLength;
    private final RecentReturns recent = new RecentReturns();
    private double bestMean = Double.NEGATIVE_INFINITY;
    private long wallMillisBefore;
    private Environment evalEnv;
    private RunLog log;
    private final List<TrainingListener> listeners = new ArrayList<>();

    /** Finished episodes a run needs before its training return can make a checkpoint {@code best}. */
    static final int MIN_EPISODES_FOR_BEST = 10;

    /** The directory of a checkpoint that holds the saved replay buffer and environments ({@code saveReplay}). */
    static final String REPLAY_DIR = "replay";

    /**
     * A trainer for one run. Nothing happens until {@link #run}.
     *
     * @param cfg     the run's settings; refused at once when they are impossible ({@link DqnConfig#validate})
     * @param be      the backend the networks compute on; the caller closes it after the run
     * @param factory opens the environments
     * @param runDir  where the run's files go (see {@link RunLog} and {@link Checkpoint}); a new run's
     *                directory should have been made with {@link RunDirectory#prepareNew}
     * @param out     where the progress lines go (e.g. {@code System.out})
     */
    public Trainer(DqnConfig cfg, Backend be, EnvFactory factory, Path runDir, PrintStream out) {
        cfg.validate();
        this.cfg = cfg;
        this.be = be;
        this.factory = factory;
        this.runDir = runDir;
        this.out = out;
        this.epsilon = EpsilonSchedule.of(cfg);
        this.rng = new Rng(cfg.seed * 0x9E3779B97F4A7C15L + 12345);
    }

    /** Asks the loop to stop at the next step, save a checkpoint and return (Ctrl-C); safe from any thread. */
    public void requestStop() { stopRequested = true; }

    /**
     * Adds a listener that hears of every episode, evaluation and checkpoint of the run, in the
     * order added. Add listeners before {@link #run}; they are called on the thread that runs it.
     *
     * @param listener the listener
     */
    public void addListener(TrainingListener listener) { listeners.add(Objects.requireNonNull(listener)); }

    /** @return the networks and optimizer, once {@link #run} has built them (null before) */
    public DqnLearner learner() { return learner; }

    /** @return the run's step count so far */
    public long step() { return step; }

    /**
     * A copy of everything a checkpoint must carry over: counters, random-source states, the best
     * and last-100 returns, both networks and the optimizer's moments (by name). For tests that
     * compare a saved trainer with its resumed copy; see {@link #liveState()} and {@link #onResumed}.
     */
    record LiveState(long step, long updates, long episodes, long agentRng, long replayRng, double bestMean, double[] recentReturns,
                     Map<String, float[]> online, Map<String, float[]> target,
                     Map<String, float[]> optimizer, long optimizerSteps) {}

    private Consumer<LiveState> resumedHook;

    /** The trainer's live state now (after {@link #run}, or inside the {@link #onResumed} hook). */
    LiveState liveState() {
        learner.syncToHost();
        Map<String, float[]> on = new LinkedHashMap<>(), tg = new LinkedHashMap<>(),
                opt = new LinkedHashMap<>();
        for (var p : learner.online.parameters()) on.put(p.name(), p.value().data.clone());
        for (var p : learner.target.parameters()) tg.put(p.name(), p.value().data.clone());
        for (var e : learner.optimizer.state().entrySet()) opt.put(e.getKey(), e.getValue().data.clone());
        return new LiveState(step, updates, episodes, rng.state(), replay.rngState(), bestMean,
                recent.toArray(), on, tg, opt, learner.optimizer.stepCount());
    }

    /** Tests only: saves the replay buffer in segments of {@code slots} ring slots, so that small buffers have several. */
    void replaySegmentSlots(int slots) { this.replaySegmentSlots = slots; }

    /** Tests only: {@code hook} gets {@link #liveState()} right after a checkpoint (and its saved replay, if any) is loaded, before any refill. */
    void onResumed(Consumer<LiveState> hook) { this.resumedHook = hook; }

    /**
     * Trains from scratch, or from {@code resumeFrom} when not null, until the run's steps are
     * done, the stop bound is reached, or a stop is asked for; then saves the {@code latest}
     * checkpoint and returns.
     *
     * @param resumeFrom a checkpoint directory of this run to continue from
     *                   ({@link Checkpoint#resolve} finds a run's latest), or null for a new run
     * @return what the run ended with
     * @throws IOException when the run's files cannot be written or the checkpoint read
     */
    public Result run(Path resumeFrom) throws IOException {
        envs = new Environment[cfg.numEnvs];
        try {
            for (int i = 0; i < envs.length; i++) envs[i] = factory.open(i, cfg.seed * 1_000_003L + i);
            obs = new byte[envs.length][];
            epReturn = new double[envs.length];
            epLength = new long[envs.length];
            Environment e0 = envs[0];
            int[] shape = e0.observationShape();
            int stack = e0.frameStack();
            int frameBytes = e0.encoding().bytes(shape) / stack;
            MemoryCheck.replayFits(cfg, frameBytes, out);
            replay = new ReplayBuffer(cfg.replaySize, cfg.numEnvs, frameBytes, stack, cfg.seed + 777);   // [A1.1] replay memory D
            replay.setReturns(cfg.nStep, cfg.gamma);
            if (cfg.prioritized) replay.setPrioritized(cfg.priorityAlpha, cfg.priorityEps);
            learner = DqnLearner.fromConfig(be, cfg, shape, e0.encoding(), e0.actionCount(), cfg.seed);   // [A1.2-3] Q with θ, Q̂ with θ⁻ = θ
            if (resumeFrom != null) resume(resumeFrom, shape, e0.actionCount());
            return loop(resumeFrom != null);
        } finally {
            if (envs != null) for (Environment e : envs) if (e != null) e.close();
            if (evalEnv != null) evalEnv.close();
            if (videoEnv != null) videoEnv.close();
        }
    }

    /**
     * Algorithm 1. Its two loops, over episodes [A1.4] and their steps [A1.6], are one loop over
     * steps here: N environments step side by side, and each starts its next episode [A1.5] as
     * soon as one ends ({@link #advance}).
     */
    private Result loop(boolean resumed) throws IOException {
        int n = envs.length;
        int[] greedy = new int[n], chosen = new int[n];
        for (int i = 0; i < n; i++) if (obs[i] == null) startEpisode(i, obs);   // [A1.5] s_1 in every environment (not one that continues)
        if (resumed && !replayRestored) refill(obs, greedy, chosen);

        boolean reached = false, interrupted;
        double loopSeconds;
        try (RunLog runLog = new RunLog(cfg, runDir, out, step)) {
            log = runLog;
            while (step < cfg.steps && !stopRequested && !reached) {
                double eps = actingEpsilon();
                chooseActions(obs, eps, greedy, chosen);                        // [A1.7-8] ε-greedy a_t
                for (int i = 0; i < n && step < cfg.steps && !stopRequested; i++) {
                    Step s = advance(i, chosen[i], obs);                        // [A1.9-11] execute, store in D
                    step++;
                    countEpisode(i, s, eps);                                    // its return so far; a finished one is counted and logged
                    if (step >= cfg.learningStarts && step % cfg.trainEvery == 0) {
                        float loss = learner.update(replay, cfg.priorityBeta(step));   // [A1.12-14] sample, y_j, gradient step
                        log.update(loss, learner.lastMeanMaxQ());
                        updates++;
                    }
                    if (step % cfg.targetEvery == 0) learner.updateTarget();        // [A1.15] every C steps Q̂ = Q
                    keepRecords();                                              // logs, evaluation, checkpoints
                    if (reachedBound()) {
                        reached = true;
                        break;
                    }
                }
                log.progressLineIfDue(step, episodes, recent, actingEpsilon(), learner.lastLoss());
            }
            interrupted = stopRequested;                    // a listener's answer to the final checkpoint below changes nothing
            log.lastProgressRow(step, updates, episodes, actingEpsilon(), recent.mean());
            loopSeconds = log.loopSeconds();
            log.evaluationTotal();
            save("latest");
            log.plots();
            log.progressLine(step, episodes, recent, actingEpsilon(), learner.lastLoss(), true);
        }
        if (reached) out.printf(Locale.ROOT, "reached the bound: mean return %.2f over the last 100 episodes >= %.2f at step %,d%n",
                recent.mean(), cfg.stopAtReturn, step);
        return new Result(step, updates, episodes, recent.mean(), reached, interrupted, runDir, loopSeconds);
    }

    /** The ε actions are chosen with now: 1 (a random policy) until learning starts, then the schedule's. */
    private double actingEpsilon() { return step < cfg.learningStarts ? 1.0 : epsilon.at(step); }

    /** ε-greedy for all environments: the random draws first, then one forward pass if any is greedy. */
    private void chooseActions(byte[][] obs, double eps, int[] greedy, int[] chosen) {
        boolean anyGreedy = false;
        for (int i = 0; i < envs.length; i++) {
            if (rng.nextDouble() < eps) {
                chosen[i] = rng.nextInt(envs[i].actionCount());
            } else {
                chosen[i] = -1;
                anyGreedy = true;
            }
        }
        if (!anyGreedy) return;
        learner.greedy(obs, envs.length, greedy);
        for (int i = 0; i < envs.length; i++) if (chosen[i] < 0) chosen[i] = greedy[i];
    }

    /** Starts an episode in environment i: its first observation goes to obs[i] and to the replay. */
    private void startEpisode(int i, byte[][] obs) {
        obs[i] = envs[i].reset().observation();
        replay.start(i, obs[i]);
    }

    /**
     * Steps environment i with {@code action}, stores the transition, and starts the next episode
     * when this one ended. The returned step's observation may already be overwritten by that reset.
     */
    private Step advance(int i, int action, byte[][] obs) {
        Step s = envs[i].step(action);
        replay.add(i, action, s.reward(), s.terminated(), s.truncated(), s.observation());
        obs[i] = s.observation();
        if (s.done()) startEpisode(i, obs);
        return s;
    }

    /**
     * Adds step {@code s} of environment i (acted at ε {@code eps}) to its episode. When the game
     * is over or cut off, the episode is counted, its return joins the last 100 and it is logged;
     * a life lost is not an episode's end here.
     */
    private void countEpisode(int i, Step s, double eps) throws IOException {
        epReturn[i] += s.score();
        epLength[i]++;
        if (s.done() && (s.gameOver() || s.truncated())) {
            episodes++;
            recent.add(epReturn[i]);
            log.episode(episodes, step, i, epReturn[i], epLength[i], eps);
            var ended = new TrainingListener.EpisodeEnd(episodes, step, i, epReturn[i], epLength[i], eps, recent.mean());
            tell(l -> l.onEpisodeEnd(ended));
            epReturn[i] = 0;
            epLength[i] = 0;
        }
    }

    /**
     * The records after a step: every logEvery steps a row of progress.csv, every evalEvery steps
     * an evaluation, every checkpointEvery steps a checkpoint and the plots. The {@code best}
     * checkpoint follows the evaluation score when there is evaluation, otherwise the mean training
     * return of the last 100 episodes (once there are {@link #MIN_EPISODES_FOR_BEST}); neither
     * counts before learning starts.
     */
    private void keepRecords() throws IOException {
        if (step % cfg.logEvery == 0) {
            log.progressRow(step, updates, episodes, actingEpsilon(), recent.mean());
            if (cfg.evalEvery == 0 && recent.size() >= MIN_EPISODES_FOR_BEST && recent.mean() > bestMean && step >= cfg.learningStarts) {
                bestMean = recent.mean();
                save("best");
            }
        }
        if (cfg.evalEvery > 0 && step % cfg.evalEvery == 0) {
            Evaluator.Summary evaluation = evaluate();
            tell(l -> l.onEvaluation(new TrainingListener.Evaluation(step, evaluation, cfg.evalEpsilon)));
            double mean = evaluation.mean();
            if (mean > bestMean && step >= cfg.learningStarts) {
                bestMean = mean;
                save("best");
            }
        }
        if (step % cfg.checkpointEvery == 0) {
            save("latest");
            log.plots();
        }
        if (cfg.captureVideoEvery > 0 && step % cfg.captureVideoEvery == 0) captureVideo();
    }

    private Environment videoEnv;

    /**
     * One episode at {@code evalEpsilon} on an environment of its own (opened on first use, with a
     * seed no other environment has; its random choices come from their own seeded Rng), recorded
     * to {@code videos/step-N.gif}: the training environments and their random state are not
     * touched. Atari: the emulator's colour screen after each agent step; otherwise a drawing of
     * the observation.
     */
    private void captureVideo() throws IOException {
        if (videoEnv == null) videoEnv = openVideoEnv();
        Path gif = runDir.resolve("videos").resolve(String.format(Locale.ROOT, "step-%012d.gif", step));
        Files.createDirectories(gif.getParent());
        FrameRenderer renderer = new FrameRenderer(videoEnv, true);
        IOException[] failure = {null};
        try (GifWriter writer = new GifWriter(gif, 1000 / 15)) {
            Evaluator.run(learner, videoEnv, 1, cfg.evalEpsilon, cfg.seed * 37 + step, 27_000, obs -> {
                if (failure[0] != null) return;
                try {
                    writer.add(renderer.render(obs));
                } catch (IOException e) {
                    failure[0] = e;
                }
            });
            if (failure[0] != null) throw failure[0];
            writer.finish();
        }
    }

    private Environment openVideoEnv() { return factory.open(envs.length + 1, cfg.seed * 1_000_003L + 1_999_993L); }

    private Environment openEvalEnv() { return factory.open(envs.length, cfg.seed * 1_000_003L + 999_983L); }

    /** Whether the last 100 episodes reached {@code stopAtReturn} (if set); then, without evaluation, this is also the best checkpoint. */
    private boolean reachedBound() throws IOException {
        boolean reached = !Double.isNaN(cfg.stopAtReturn) && recent.isFull() && recent.mean() >= cfg.stopAtReturn;
        if (reached && cfg.evalEvery == 0 && recent.mean() >= bestMean) {   // never replace best with a worse checkpoint
            bestMean = recent.mean();
            save("best");
        }
        return reached;
    }

    /**
     * Plays {@code evalEpisodes} episodes at {@code evalEpsilon} with the online network on the
     * evaluation environment (opened on first use, with a seed no training environment has), logs
     * them and returns their summary.
     */
    private Evaluator.Summary evaluate() throws IOException {
        long t0 = System.nanoTime();
        if (evalEnv == null) evalEnv = openEvalEnv();
        Evaluator.Summary s = Evaluator.run(learner, evalEnv, cfg.evalEpisodes, cfg.evalEpsilon, cfg.seed * 31 + step, 1_000_000, null);
        log.evaluation(step, s, (System.nanoTime() - t0) / 1e9);
        return s;
    }

    /** The step each kind of checkpoint was last saved at, so that a step is never saved twice (an overwrite is not atomic). */
    private final Map<String, Long> savedAt = new HashMap<>();

    private void save(String kind) throws IOException {
        if (Long.valueOf(step).equals(savedAt.get(kind))) return;
        savedAt.put(kind, step);
        Checkpoint.State s = new Checkpoint.State();
        s.env = cfg.env;
        s.network = cfg.network;
        s.observationShape = envs[0].observationShape();
        s.actions = envs[0].actionCount();
        s.step = step;
        s.updates = updates;
        s.episodes = episodes;
        s.epsilon = actingEpsilon();
        s.agentRng = rng.state();
        s.replayRng = replay.rngState();
        s.bestMeanReturn = bestMean;
        s.recentReturns = recent.toArray();
        s.wallMillis = wallMillisBefore + log.millisSinceStart();
        boolean withReplay = cfg.saveReplay && kind.equals("latest");      // a resume starts from latest; best is for evaluation
        Path saved = Checkpoint.save(runDir, kind, learner, s, withReplay ? this::saveReplay : null);
        if (withReplay) replaySavedIn = saved.resolve(REPLAY_DIR);
        tell(l -> l.onCheckpoint(new TrainingListener.CheckpointSaved(step, kind, saved)));
    }

    /** Tells every listener of an event; when any answers STOP, the loop stops as on {@link #requestStop}. */
    private void tell(Function<TrainingListener, TrainingListener.Decision> event) {
        for (TrainingListener l : listeners) {
            if (event.apply(l) == TrainingListener.Decision.STOP) stopRequested = true;
        }
    }

    /**
     * Writes {@code replay/} into a checkpoint being saved: where every environment stands, then the
     * replay buffer, linking the segments unchanged since its last save ({@link ReplayFiles}).
     */
    private void saveReplay(Path checkpointDir) throws IOException {
        long t0 = System.nanoTime();
        Path dir = checkpointDir.resolve(REPLAY_DIR);
        Files.createDirectories(dir);
        EnvironmentStates.of(step, envs, obs, epReturn, epLength, evalEnv, videoEnv).write(dir.resolve(EnvironmentStates.FILE));
        ReplayFiles.Saved r = ReplayFiles.save(replay, dir, step, replaySavedIn, replaySegmentSlots);
        log.replaySaved(step, replay.size(), r, (System.nanoTime() - t0) / 1e9);
    }

    /** Loads checkpoint {@code from}: networks, optimizer, counters, random sources and the last 100 returns. */
    private void resume(Path from, int[] shape, int actions) throws IOException {
        Checkpoint.State s = Checkpoint.load(from, learner, cfg.env, shape, actions);
        step = s.step;
        updates = s.updates;
        episodes = s.episodes;
        rng.setState(s.agentRng);
        replay.setRngState(s.replayRng);
        // the best checkpoint this value belongs to may have been set aside with a discarded future (RunDirectory.rollBackTo)
        bestMean = Files.isRegularFile(runDir.resolve("checkpoints").resolve("best")) ? s.bestMeanReturn : Double.NEGATIVE_INFINITY;
        recent.restore(s.recentReturns);
        savedAt.put("latest", step);          // stopping before a step is taken keeps that checkpoint as it is
        wallMillisBefore = s.wallMillis;
        out.printf(Locale.ROOT, "resumed from %s at step %,d (%,d updates, %,d episodes, epsilon %.3f)%n",
                from, step, updates, episodes, actingEpsilon());
        Path saved = from.resolve(REPLAY_DIR);
        if (Files.isDirectory(saved)) {
            restoreReplay(saved);
        } else if (cfg.saveReplay) {
            out.printf(Locale.ROOT, "%s has no saved replay buffer (it was saved without --save-replay): refilling it; the next checkpoint saves it%n", from);
        }
        if (resumedHook != null) resumedHook.accept(liveState());
    }

    /**
     * Loads the replay buffer and the environments saved in {@code dir} at this step: every
     * environment that could save its state continues its episode (observation, return and length
     * so far); the others (Atari) start a new one in {@link #loop}. Anything damaged or of another
     * shape stops the run ({@link ReplayFiles.DamagedReplayException}).
     */
    private void restoreReplay(Path dir) throws IOException {
        long t0 = System.nanoTime();
        ReplayFiles.load(replay, dir, step);
        EnvironmentStates saved = EnvironmentStates.read(dir, step, envs.length);
        int expected = envs[0].encoding().bytes(envs[0].observationShape()), continued = 0;
        for (int i = 0; i < envs.length; i++) {
            EnvironmentStates.Training t = saved.training[i];
            if (t.state == null) continue;
            EnvironmentStates.restore(envs[i], t.state, dir);
            byte[] o;
            try {
                o = EnvironmentStates.decode(t.observation);
            } catch (IllegalArgumentException e) {
                o = null;
            }
            if (o == null || o.length != expected) throw new ReplayFiles.DamagedReplayException(dir, "has a damaged observation of environment " + i);
            obs[i] = o;
            epReturn[i] = t.episodeReturn;
            epLength[i] = t.episodeLength;
            continued++;
        }
        if (saved.evaluation != null) {
            evalEnv = openEvalEnv();
            EnvironmentStates.restore(evalEnv, saved.evaluation, dir);
        }
        if (saved.video != null) {
            videoEnv = openVideoEnv();
            EnvironmentStates.restore(videoEnv, saved.video, dir);
        }
        replayRestored = true;
        replaySavedIn = dir;
        out.printf(Locale.ROOT, "restored the replay buffer from %s: %,d frames, no refill (%.1f s); %s%n", dir, replay.size(),
                (System.nanoTime() - t0) / 1e9, continued == envs.length ? "every environment continues its episode"
                        : continued == 0 ? "the environments start new episodes (their state is not saved)"
                        : continued + " of " + envs.length + " environments continue their episodes");
    }

    /** After a resume: fills the empty replay buffer from the restored policy without counting steps. */
    private void refill(byte[][] obs, int[] greedy, int[] chosen) {
        long target = Math.min(cfg.learningStarts, cfg.replaySize / 2);
        out.printf(Locale.ROOT, "refilling the replay buffer with %,d transitions (not counted as training steps)...%n", target);
        double eps = actingEpsilon();
        for (long k = 0; k < target && !stopRequested; ) {
            chooseActions(obs, eps, greedy, chosen);
            for (int i = 0; i < envs.length && k < target; i++, k++) {  // exactly target, with any number of environments
                advance(i, chosen[i], obs);
            }
        }
        // The refill leaves every environment inside an episode whose first steps were not counted:
        // start afresh, so the first episode logged after a resume is a whole one.
        for (int i = 0; i < envs.length; i++) startEpisode(i, obs);
    }
}
