package dqnengine.dqn;

import dqnengine.io.Charts;
import dqnengine.io.CsvLog;
import dqnengine.io.TensorBoardWriter;
import dqnengine.replay.ReplayFiles;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Locale;

/**
 * What a training run records while {@link Trainer} trains, and nothing it decides: the files in
 * the run directory and the lines it prints.
 * <pre>
 *   episodes.csv   a row per finished episode: episode, step, env, return, length, epsilon, wall_s
 *   progress.csv   a row every logEvery steps: step, updates, episodes, steps_per_s, epsilon, loss,
 *                  mean_max_q, mean_return_100 (loss and mean max-Q averaged over the updates since the last row)
 *   eval.csv       a row per evaluation (evalEvery &gt; 0): step, episodes, mean_return, std, min, max, epsilon, seconds
 *   tensorboard/   the same scalars as event files (tensorboard = true)
 *   plots/         return, loss, mean max-Q, speed (and evaluation) as PNGs, redrawn from the CSVs
 *   the progress line, and a line per evaluation
 * </pre>
 * It also keeps the loop's clock: time spent evaluating is left out of steps/s, the time left and
 * the loop's seconds. Opened when the loop starts (files of a resumed run are appended to), closed
 * when it ends.
 */
public final class RunLog implements AutoCloseable {
    private final DqnConfig cfg;
    private final Path runDir;
    private final PrintStream out;
    private final boolean tty;

    private final long start, startStep;            // the loop's start (System.nanoTime) and the step it started at
    private long lastPrint;
    private double evalSeconds;                      // time spent evaluating so far, not counted in steps/s
    private final Pace pace;

    private double lossSum, qSum;                    // over the updates since the last progress row
    private long lossCount;

    private final CsvLog episodes, progress, eval;
    private final TensorBoardWriter tb;

    /** Starts the loop's clock at step {@code startStep} and opens (or reopens) the run's files. */
    @SuppressWarnings("try")    // the try-with-resources below only closes what was opened before a failure
    public RunLog(DqnConfig cfg, Path runDir, PrintStream out, long startStep) throws IOException {
        this.cfg = cfg;
        this.runDir = runDir;
        this.out = out;
        this.tty = System.console() != null;
        this.start = System.nanoTime();
        this.startStep = startStep;
        this.lastPrint = start;
        this.pace = new Pace(cfg.learningStarts, cfg.steps);
        pace.observe(0, startStep);
        CsvLog e = null, p = null, v = null;
        TensorBoardWriter t;
        try {
            e = new CsvLog(runDir.resolve("episodes.csv"), "episode", "step", "env", "return", "length", "epsilon", "wall_s");
            p = new CsvLog(runDir.resolve("progress.csv"), "step", "updates", "episodes", "steps_per_s", "epsilon",
                    "loss", "mean_max_q", "mean_return_100");
            v = cfg.evalEvery > 0 ? new CsvLog(runDir.resolve("eval.csv"), "step", "episodes", "mean_return", "std", "min", "max",
                    "epsilon", "seconds") : null;
            t = cfg.tensorboard ? new TensorBoardWriter(runDir.resolve("tensorboard")) : null;
            // the settings, as config.json holds them, in TensorBoard's Text tab: a run is identifiable there
            if (t != null) t.text("settings", startStep, "```\n" + cfg.toJson() + "\n```");
        } catch (IOException | RuntimeException ex) {
            try (CsvLog a = e; CsvLog b = p; CsvLog c = v) {
                throw ex;
            }
        }
        this.episodes = e;
        this.progress = p;
        this.eval = v;
        this.tb = t;
    }

    /** A finished episode: a row of episodes.csv (and its TensorBoard scalars). */
    public void episode(long episode, long step, int env, double ret, long length, double epsilon) throws IOException {
        episodes.row(episode, step, env, ret, length, epsilon, round((System.nanoTime() - start) / 1e9));
        if (tb != null) {
            tb.scalar("episode/return", step, ret);
            tb.scalar("episode/length", step, length);
        }
    }

    /** One update's loss and mean max-Q, for the next progress row's averages. */
    public void update(float loss, float meanMaxQ) {
        lossSum += loss;
        qSum += meanMaxQ;
        lossCount++;
    }

    /** A row of progress.csv (and the TensorBoard scalars) for the updates since the last one. */
    public void progressRow(long step, long updates, long episodeCount, double epsilon, double mean100) throws IOException {
        double sps = (step - startStep) / Math.max(1e-9, (System.nanoTime() - start) / 1e9 - evalSeconds);
        double meanLoss = lossCount == 0 ? Double.NaN : lossSum / lossCount, meanQ = lossCount == 0 ? Double.NaN : qSum / lossCount;
        progress.row(step, updates, episodeCount, round(sps), epsilon, meanLoss, meanQ, mean100);
        if (tb != null) {
            tb.scalar("train/loss", step, meanLoss);
            tb.scalar("train/mean_max_q", step, meanQ);
            tb.scalar("train/epsilon", step, epsilon);
            tb.scalar("train/steps_per_s", step, sps);
            tb.scalar("episode/mean_return_100", step, mean100);
        }
        lossSum = 0;
        qSum = 0;
        lossCount = 0;
    }

    /** At the end: a run that stopped between log steps still leaves its last stretch in progress.csv (and its plots). */
    public void lastProgressRow(long step, long updates, long episodeCount, double epsilon, double mean100) throws IOException {
        if (step % cfg.logEvery != 0 && step > startStep) progressRow(step, updates, episodeCount, epsilon, mean100);
    }

    /** An evaluation at {@code step} that took {@code seconds}: a row of eval.csv, a TensorBoard scalar and a line. */
    void evaluation(long step, Evaluator.Summary s, double seconds) throws IOException {
        evalSeconds += seconds;
        eval.row(step, cfg.evalEpisodes, s.mean(), s.std(), s.min(), s.max(), cfg.evalEpsilon, round(seconds));
        if (tb != null) tb.scalar("eval/mean_return", step, s.mean());
        out.printf(Locale.ROOT, "%seval at step %,d: %.2f +- %.2f over %d episodes (epsilon %.3f, %.1f s)%n", tty ? "\n" : "",
                step, s.mean(), s.std(), cfg.evalEpisodes, cfg.evalEpsilon, seconds);
    }

    /** A replay buffer of {@code frames} frames saved with the checkpoint at {@code step}: a line saying what it cost. */
    void replaySaved(long step, long frames, ReplayFiles.Saved r, double seconds) {
        out.printf(Locale.ROOT, "%ssaved the replay buffer with the checkpoint at step %,d: %,d frames; %d segment(s) written, %d unchanged one(s) linked;"
                        + " %.1f MB written, %.1f MB in all; %.1f s%n", tty ? "\n" : "", step, frames, r.segmentsWritten(), r.segmentsLinked(),
                r.bytesWritten() / 1e6, r.bytesInAll() / 1e6, seconds);
    }

    /** The line saying how long evaluating took in all, when there was any. */
    public void evaluationTotal() {
        if (evalSeconds > 0) out.printf(Locale.ROOT, "evaluation took %.1f s in all (not counted in steps/s)%n", evalSeconds);
    }

    /** Seconds in the loop so far, without the time spent evaluating. */
    public double loopSeconds() { return (System.nanoTime() - start) / 1e9 - evalSeconds; }

    /** Milliseconds since the loop started, evaluation included (a checkpoint's wall clock). */
    public long millisSinceStart() { return (System.nanoTime() - start) / 1_000_000; }

    /** Redraws the plots from the CSVs written so far. */
    public void plots() throws IOException {
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

    /** The progress line, when the last one is old enough: every 0.5 s on a terminal (redrawn in place), every 10 s otherwise. */
    public void progressLineIfDue(long step, long episodeCount, RecentReturns recent, double epsilon, float lastLoss) {
        long now = System.nanoTime();
        if (now - lastPrint > (tty ? 500_000_000L : 10_000_000_000L)) {
            lastPrint = now;
            pace.observe(now - start - (long) (evalSeconds * 1e9), step);
            progressLine(step, episodeCount, recent, epsilon, lastLoss, false);
        }
    }

    /**
     * The progress line. Speed and time left come from the recent pace ({@link Pace}): during the
     * warm-up the line says so instead of guessing; the {@code last} line gives the average of the whole run.
     */
    public void progressLine(long step, long episodeCount, RecentReturns recent, double epsilon, float lastLoss, boolean last) {
        double secs = (System.nanoTime() - start) / 1e9 - evalSeconds;
        double average = (step - startStep) / Math.max(secs, 1e-9);
        double recentSps = pace.stepsPerSecond();
        double sps = last || Double.isNaN(recentSps) ? average : recentSps;
        String eta = last ? "ETA -"
                : pace.warmingUp() ? String.format(Locale.ROOT, "warm-up (random policy) to step %,d", cfg.learningStarts)
                : Double.isNaN(pace.secondsLeft()) ? "ETA -" : "ETA " + duration(pace.secondsLeft());
        String line = String.format(Locale.ROOT, "step %,d/%,d (%.0f%%) | %,.0f steps/s | episodes %,d | return100 %s | eps %s | loss %s | %s",
                step, cfg.steps, 100.0 * step / cfg.steps, sps, episodeCount,
                recent.isEmpty() ? "-" : String.format(Locale.ROOT, "%.2f", recent.mean()),
                Double.isNaN(epsilon) ? "-" : String.format(Locale.ROOT, "%.3f", epsilon),
                Float.isNaN(lastLoss) ? "-" : String.format(Locale.ROOT, "%.4g", lastLoss), eta);
        if (tty) {
            out.print("\r" + line + "   ");
            if (last) out.println();
        } else {
            out.println(line);
        }
        out.flush();
    }

    /** Closes the files, the last opened first. */
    @Override
    @SuppressWarnings("try")    // the resources are only closed
    public void close() throws IOException {
        try (CsvLog a = episodes; CsvLog b = progress; CsvLog c = eval; TensorBoardWriter d = tb) {
            // nothing to do but close them
        }
    }

    private static double round(double v) { return Math.round(v * 100) / 100.0; }

    static String duration(double seconds) {
        long s = Math.round(seconds);
        return String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, (s / 60) % 60, s % 60);
    }
}
