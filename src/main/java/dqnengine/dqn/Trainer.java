package dqnengine.dqn;

import dqnengine.backend.Backend;
import dqnengine.env.Environment;
import dqnengine.env.Step;
import dqnengine.io.CsvLog;
import dqnengine.io.Charts;
import dqnengine.io.TensorBoardWriter;
import dqnengine.replay.ReplayBuffer;
import dqnengine.util.Rng;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Locale;

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
 * <p>Resuming: the checkpoint restores networks, optimizer, counters, ε schedule position,
 * random-source states and the last 100 returns. The replay buffer is not saved; before the
 * schedule continues, the resumed run refills it with min(learningStarts, replaySize / 2) transitions from
 * the restored policy at the restored ε. Those refill steps are not counted, so every counter
 * and the schedule carry on from where they stopped.
 */
public final class Trainer {
    /** Opens environment number {@code index} with the given seed. */
    public interface EnvFactory {
        Environment open(int index, long seed);
    }

    /** What a run ended with; {@code loopSeconds} is the time in the loop itself, without start-up and the final save. */
    public record Result(long steps, long updates, long episodes, double meanReturn100, boolean reachedBound, boolean interrupted, Path runDir,
                         double loopSeconds) {}

    private final DqnConfig cfg;
    private final Backend be;
    private final EnvFactory factory;
    private final Path runDir;
    private final PrintStream out;
    private final boolean tty;
    private final EpsilonSchedule epsilon;
    private volatile boolean stopRequested;

    private Environment[] envs;
    private DqnLearner learner;
    private ReplayBuffer replay;
    private final Rng rng;
    private long step, updates, episodes;
    private double bestMean = Double.NEGATIVE_INFINITY;
    private final ArrayDeque<Double> recent = new ArrayDeque<>();
    private long wallMillisBefore;
    private Environment evalEnv;
    private double evalSeconds;
    private Pace pace;

    /** Finished episodes a run needs before its training return can make a checkpoint {@code best}. */
    static final int MIN_EPISODES_FOR_BEST = 10;

    public Trainer(DqnConfig cfg, Backend be, EnvFactory factory, Path runDir, PrintStream out) {
        this.cfg = cfg;
        this.be = be;
        this.factory = factory;
        this.runDir = runDir;
        this.out = out;
        this.tty = System.console() != null;
        this.epsilon = EpsilonSchedule.of(cfg);
        this.rng = new Rng(cfg.seed * 0x9E3779B97F4A7C15L + 12345);
    }

    /** Asks the loop to stop at the next step, save a checkpoint and return (Ctrl-C). */
    public void requestStop() { stopRequested = true; }

    public DqnLearner learner() { return learner; }

    public long step() { return step; }

    /**
     * A copy of everything a checkpoint must carry over: counters, random-source states, the best
     * and last-100 returns, both networks and the optimizer's moments (by name). For tests that
     * compare a saved trainer with its resumed copy; see {@link #liveState()} and {@link #onResumed}.
     */
    record LiveState(long step, long updates, long episodes, long agentRng, long replayRng, double bestMean, double[] recentReturns,
                     java.util.Map<String, float[]> online, java.util.Map<String, float[]> target,
                     java.util.Map<String, float[]> optimizer, long optimizerSteps) {}

    private java.util.function.Consumer<LiveState> resumedHook;

    /** The trainer's live state now (after {@link #run}, or inside the {@link #onResumed} hook). */
    LiveState liveState() {
        learner.syncToHost();
        java.util.Map<String, float[]> on = new java.util.LinkedHashMap<>(), tg = new java.util.LinkedHashMap<>(),
                opt = new java.util.LinkedHashMap<>();
        for (var p : learner.online.parameters()) on.put(p.name(), p.value().data.clone());
        for (var p : learner.target.parameters()) tg.put(p.name(), p.value().data.clone());
        for (var e : learner.optimizer.state().entrySet()) opt.put(e.getKey(), e.getValue().data.clone());
        return new LiveState(step, updates, episodes, rng.state(), replay.rngState(), bestMean,
                recent.stream().mapToDouble(Double::doubleValue).toArray(), on, tg, opt, learner.optimizer.stepCount());
    }

    /** Tests only: {@code hook} gets {@link #liveState()} right after a checkpoint is loaded, before the replay refill. */
    void onResumed(java.util.function.Consumer<LiveState> hook) { this.resumedHook = hook; }

    /** Trains from scratch, or from {@code resumeFrom} (a checkpoint directory) when not null. */
    public Result run(Path resumeFrom) throws IOException {
        envs = new Environment[cfg.numEnvs];
        try {
            for (int i = 0; i < envs.length; i++) envs[i] = factory.open(i, cfg.seed * 1_000_003L + i);
            Environment e0 = envs[0];
            int[] shape = e0.observationShape();
            int stack = e0.frameStack();
            int obsBytes = e0.encoding().bytes(shape);
            int frameBytes = obsBytes / stack;

            long need = ReplayBuffer.bytesNeeded(cfg.replaySize, frameBytes) + (cfg.prioritized ? ReplayBuffer.priorityBytes(cfg.replaySize) : 0);
            Runtime rt = Runtime.getRuntime();
            long free = rt.maxMemory() - (rt.totalMemory() - rt.freeMemory());
            long margin = 256L << 20;
            out.printf(Locale.ROOT, "memory: replay of %,d frames x %,d bytes needs %s; this JVM may use %s more%n",
                    cfg.replaySize, frameBytes, gb(need), gb(free));
            if (need + margin > free) {
                long xmx = (need + (1L << 30)) >> 30;
                throw new IllegalArgumentException(String.format(Locale.ROOT,
                        "the replay buffer needs %s but this JVM may use only %s: lower --replay-size or give Java more memory (java -Xmx%dg -jar ...)",
                        gb(need), gb(free), xmx + 1));
            }
            replay = new ReplayBuffer(cfg.replaySize, cfg.numEnvs, frameBytes, stack, cfg.seed + 777);   // [A1.1] replay memory D
            replay.setReturns(cfg.nStep, cfg.gamma);
            if (cfg.prioritized) replay.setPrioritized(cfg.priorityAlpha, cfg.priorityEps);
            learner = DqnLearner.fromConfig(be, cfg, shape, e0.encoding(), e0.actionCount(), cfg.seed);   // [A1.2-3] Q with θ, Q̂ with θ⁻ = θ

            if (resumeFrom != null) {
                Checkpoint.State s = Checkpoint.load(resumeFrom, learner, cfg.env, shape, e0.actionCount());
                step = s.step;
                updates = s.updates;
                episodes = s.episodes;
                rng.setState(s.agentRng);
                replay.setRngState(s.replayRng);
                // the best checkpoint this value belongs to may have been set aside with a discarded future (RunDirectory.rollBackTo)
                bestMean = Files.isRegularFile(runDir.resolve("checkpoints").resolve("best")) ? s.bestMeanReturn : Double.NEGATIVE_INFINITY;
                for (double r : s.recentReturns) recent.addLast(r);
                savedAt.put("latest", step);          // stopping before a step is taken keeps that checkpoint as it is
                wallMillisBefore = s.wallMillis;
                out.printf(Locale.ROOT, "resumed from %s at step %,d (%,d updates, %,d episodes, epsilon %.3f)%n",
                        resumeFrom, step, updates, episodes, actingEpsilon());
                if (resumedHook != null) resumedHook.accept(liveState());
            }
            return loop(resumeFrom != null);
        } finally {
            if (envs != null) for (Environment e : envs) if (e != null) e.close();
            if (evalEnv != null) evalEnv.close();
        }
    }

    private Result loop(boolean resumed) throws IOException {
        int n = envs.length;
        byte[][] obs = new byte[n][];
        double[] epReturn = new double[n];
        long[] epLength = new long[n];
        int[] greedy = new int[n], chosen = new int[n];
        for (int i = 0; i < n; i++) startEpisode(i, obs);
        if (resumed) refill(obs, greedy, chosen);

        long start = System.nanoTime();
        long startStep = step;
        long lastPrint = start;
        pace = new Pace(cfg.learningStarts, cfg.steps);
        pace.observe(0, step);
        double lossSum = 0, qSum = 0;
        long lossCount = 0;
        boolean reached = false;
        double loopSeconds;
        try (CsvLog episodesCsv = new CsvLog(runDir.resolve("episodes.csv"), "episode", "step", "env", "return", "length", "epsilon", "wall_s");
             CsvLog progressCsv = new CsvLog(runDir.resolve("progress.csv"), "step", "updates", "episodes", "steps_per_s", "epsilon",
                     "loss", "mean_max_q", "mean_return_100");
             CsvLog evalCsv = cfg.evalEvery > 0 ? new CsvLog(runDir.resolve("eval.csv"), "step", "episodes", "mean_return", "std", "min", "max",
                     "epsilon", "seconds") : null;
             TensorBoardWriter tb = cfg.tensorboard ? new TensorBoardWriter(runDir.resolve("tensorboard")) : null) {
            while (step < cfg.steps && !stopRequested && !reached) {
                double eps = actingEpsilon();
                chooseActions(obs, eps, greedy, chosen);                        // [A1.7-8] ε-greedy a_t
                for (int i = 0; i < n && step < cfg.steps; i++) {
                    Step s = advance(i, chosen[i], obs);                        // [A1.9-11] execute, store in D
                    epReturn[i] += s.score();
                    epLength[i]++;
                    step++;
                    if (s.done()) {
                        if (s.gameOver() || s.truncated()) {
                            episodes++;
                            recent.addLast(epReturn[i]);
                            if (recent.size() > 100) recent.removeFirst();
                            episodesCsv.row(episodes, step, i, epReturn[i], epLength[i], eps, wall(start));
                            if (tb != null) {
                                tb.scalar("episode/return", step, epReturn[i]);
                                tb.scalar("episode/length", step, epLength[i]);
                            }
                            epReturn[i] = 0;
                            epLength[i] = 0;
                        }
                    }
                    if (step >= cfg.learningStarts && step % cfg.trainEvery == 0) {
                        lossSum += learner.update(replay, cfg.priorityBeta(step));     // [A1.12-14] sample, y_j, gradient step
                        qSum += learner.lastMeanMaxQ();
                        lossCount++;
                        updates++;
                    }
                    if (step % cfg.targetEvery == 0) learner.updateTarget();        // [A1.15] every C steps Q̂ = Q
                    if (step % cfg.logEvery == 0) {
                        double sps = (step - startStep) / Math.max(1e-9, (System.nanoTime() - start) / 1e9 - evalSeconds);
                        logProgress(progressCsv, tb, sps, lossCount, lossSum, qSum);
                        lossSum = 0;
                        qSum = 0;
                        lossCount = 0;
                        if (cfg.evalEvery == 0 && recent.size() >= MIN_EPISODES_FOR_BEST && mean100() > bestMean && step >= cfg.learningStarts) {
                            bestMean = mean100();
                            save("best", start);
                        }
                    }
                    if (cfg.evalEvery > 0 && step % cfg.evalEvery == 0) {
                        double mean = evaluate(evalCsv, tb);
                        if (mean > bestMean && step >= cfg.learningStarts) {
                            bestMean = mean;
                            save("best", start);
                        }
                    }
                    if (step % cfg.checkpointEvery == 0) {
                        save("latest", start);
                        plots();
                    }
                    if (!Double.isNaN(cfg.stopAtReturn) && recent.size() >= 100 && mean100() >= cfg.stopAtReturn) {
                        reached = true;
                        if (cfg.evalEvery == 0 && mean100() >= bestMean) {   // never replace best with a worse checkpoint
                            bestMean = mean100();
                            save("best", start);
                        }
                        break;
                    }
                }
                long now = System.nanoTime();
                if (now - lastPrint > (tty ? 500_000_000L : 10_000_000_000L)) {
                    lastPrint = now;
                    pace.observe(now - start - (long) (evalSeconds * 1e9), step);
                    progress(start, startStep, false);
                }
            }
            if (step % cfg.logEvery != 0 && step > startStep) {
                // a run that stops between log steps still leaves its last stretch in progress.csv (and its plots)
                double sps = (step - startStep) / Math.max(1e-9, (System.nanoTime() - start) / 1e9 - evalSeconds);
                logProgress(progressCsv, tb, sps, lossCount, lossSum, qSum);
            }
            loopSeconds = (System.nanoTime() - start) / 1e9 - evalSeconds;
            if (evalSeconds > 0) out.printf(Locale.ROOT, "evaluation took %.1f s in all (not counted in steps/s)%n", evalSeconds);
            save("latest", start);
            plots();
            progress(start, startStep, true);
        }
        if (reached) out.printf(Locale.ROOT, "reached the bound: mean return %.2f over the last 100 episodes >= %.2f at step %,d%n",
                mean100(), cfg.stopAtReturn, step);
        return new Result(step, updates, episodes, mean100(), reached, stopRequested, runDir, loopSeconds);
    }

    /**
     * Plays {@code evalEpisodes} episodes at {@code evalEpsilon} with the online network on the
     * evaluation environment (opened on first use, with a seed no training environment has), writes
     * a row of eval.csv and returns the mean return.
     */
    private double evaluate(CsvLog evalCsv, TensorBoardWriter tb) throws IOException {
        long t0 = System.nanoTime();
        if (evalEnv == null) evalEnv = factory.open(envs.length, cfg.seed * 1_000_003L + 999_983L);
        Evaluator.Summary s = Evaluator.run(learner, evalEnv, cfg.evalEpisodes, cfg.evalEpsilon, cfg.seed * 31 + step, 1_000_000, null);
        double secs = (System.nanoTime() - t0) / 1e9;
        evalSeconds += secs;
        evalCsv.row(step, cfg.evalEpisodes, s.mean(), s.std(), s.min(), s.max(), cfg.evalEpsilon, round(secs));
        if (tb != null) tb.scalar("eval/mean_return", step, s.mean());
        out.printf(Locale.ROOT, "%seval at step %,d: %.2f +- %.2f over %d episodes (epsilon %.3f, %.1f s)%n", tty ? "\n" : "",
                step, s.mean(), s.std(), cfg.evalEpisodes, cfg.evalEpsilon, secs);
        return s.mean();
    }

    /** After a resume: fills the empty replay buffer from the restored policy without counting steps. */
    private void refill(byte[][] obs, int[] greedy, int[] chosen) {
        long target = Math.min(cfg.learningStarts, cfg.replaySize / 2);
        out.printf(Locale.ROOT, "refilling the replay buffer with %,d transitions (not counted as training steps)...%n", target);
        double eps = actingEpsilon();
        for (long k = 0; k < target && !stopRequested; ) {
            chooseActions(obs, eps, greedy, chosen);
            for (int i = 0; i < envs.length; i++, k++) {
                advance(i, chosen[i], obs);
            }
        }
        // The refill leaves every environment inside an episode whose first steps were not counted:
        // start afresh, so the first episode logged after a resume is a whole one.
        for (int i = 0; i < envs.length; i++) startEpisode(i, obs);
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

    /** The step each kind of checkpoint was last saved at, so that a step is never saved twice (an overwrite is not atomic). */
    private final java.util.Map<String, Long> savedAt = new java.util.HashMap<>();

    private void save(String kind, long start) throws IOException {
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
        s.recentReturns = recent.stream().mapToDouble(Double::doubleValue).toArray();
        s.wallMillis = wallMillisBefore + (System.nanoTime() - start) / 1_000_000;
        Checkpoint.save(runDir, kind, learner, s);
    }

    private void plots() throws IOException {
        Path plots = runDir.resolve("plots");
        double[][] ret = CsvLog.columns(runDir.resolve("episodes.csv"), "step", "return");
        Charts.write(plots.resolve("return.png"), Charts.line("Episode return (" + cfg.env + ")", "step", "return", ret[0], ret[1], 100, false));
        double[][] loss = CsvLog.columns(runDir.resolve("progress.csv"), "step", "loss");
        Charts.write(plots.resolve("loss.png"), Charts.line("Training loss (" + cfg.loss + ", mean per update)", "step", "loss", loss[0], loss[1], 1, true));
        double[][] q = CsvLog.columns(runDir.resolve("progress.csv"), "step", "mean_max_q");
        Charts.write(plots.resolve("q.png"), Charts.line("Mean max-Q of sampled batches", "step", "Q", q[0], q[1], 1, false));
        double[][] sps = CsvLog.columns(runDir.resolve("progress.csv"), "step", "steps_per_s");
        Charts.write(plots.resolve("speed.png"), Charts.line("Training speed", "step", "agent steps/s", sps[0], sps[1], 1, false));
        if (cfg.evalEvery > 0) {
            double[][] ev = CsvLog.columns(runDir.resolve("eval.csv"), "step", "mean_return");
            Charts.write(plots.resolve("eval.png"), Charts.line("Evaluation return (epsilon " + cfg.evalEpsilon + ", " + cfg.evalEpisodes + " episodes)",
                    "step", "mean return", ev[0], ev[1], 1, false));
        }
    }

    /** A row of progress.csv (and the TensorBoard scalars) for the updates since the last one. */
    private void logProgress(CsvLog progressCsv, TensorBoardWriter tb, double sps, long lossCount, double lossSum, double qSum) throws IOException {
        double meanLoss = lossCount == 0 ? Double.NaN : lossSum / lossCount, meanQ = lossCount == 0 ? Double.NaN : qSum / lossCount;
        progressCsv.row(step, updates, episodes, round(sps), actingEpsilon(), meanLoss, meanQ, mean100());
        if (tb != null) {
            tb.scalar("train/loss", step, meanLoss);
            tb.scalar("train/mean_max_q", step, meanQ);
            tb.scalar("train/epsilon", step, actingEpsilon());
            tb.scalar("train/steps_per_s", step, sps);
            tb.scalar("episode/mean_return_100", step, mean100());
        }
    }

    /**
     * The progress line. Speed and time left come from the recent pace ({@link Pace}): during the
     * warm-up the line says so instead of guessing; the final line gives the average of the whole run.
     */
    private void progress(long start, long startStep, boolean last) {
        double secs = (System.nanoTime() - start) / 1e9 - evalSeconds;
        double average = (step - startStep) / Math.max(secs, 1e-9);
        double recentSps = pace.stepsPerSecond();
        double sps = last || Double.isNaN(recentSps) ? average : recentSps;
        String eta = last ? "ETA -"
                : pace.warmingUp() ? String.format(Locale.ROOT, "warm-up (random policy) to step %,d", cfg.learningStarts)
                : Double.isNaN(pace.secondsLeft()) ? "ETA -" : "ETA " + duration(pace.secondsLeft());
        String line = String.format(Locale.ROOT, "step %,d/%,d (%.0f%%) | %,.0f steps/s | episodes %,d | return100 %s | eps %.3f | loss %s | %s",
                step, cfg.steps, 100.0 * step / cfg.steps, sps, episodes,
                recent.isEmpty() ? "-" : String.format(Locale.ROOT, "%.2f", mean100()), actingEpsilon(),
                Float.isNaN(learner.lastLoss()) ? "-" : String.format(Locale.ROOT, "%.4g", learner.lastLoss()), eta);
        if (tty) {
            out.print("\r" + line + "   ");
            if (last) out.println();
        } else {
            out.println(line);
        }
        out.flush();
    }

    private double mean100() {
        if (recent.isEmpty()) return Double.NaN;
        double s = 0;
        for (double r : recent) s += r;
        return s / recent.size();
    }

    private static double wall(long start) { return round((System.nanoTime() - start) / 1e9); }

    private static double round(double v) { return Math.round(v * 100) / 100.0; }

    static String gb(long bytes) { return String.format(Locale.ROOT, "%.2f GB", bytes / 1e9); }

    static String duration(double seconds) {
        long s = Math.round(seconds);
        return String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, (s / 60) % 60, s % 60);
    }

    /** Creates a new run directory, refusing one that already holds a run (so no run is overwritten). */
    public static void prepareNewRunDir(Path dir, DqnConfig cfg) throws IOException {
        if (Files.exists(dir.resolve("config.json")) || Files.exists(dir.resolve("checkpoints"))) {
            throw new dqnengine.util.BadInput("run directory " + dir + " already holds a run: continue it with --resume " + dir + " or choose another --run-dir");
        }
        Files.createDirectories(dir);
        dqnengine.util.AtomicFiles.writeString(dir.resolve("config.json"), cfg.toJson() + "\n");
    }
}
