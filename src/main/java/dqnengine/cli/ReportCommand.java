package dqnengine.cli;

import dqnengine.util.BadInput;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.TreeMap;
import java.util.concurrent.Callable;

/**
 * {@code report}: a run's training returns per iteration, the figure published learning curves
 * use. Dopamine's baselines (and {@code shared/anchors/dopamine-atari.md}) report, per iteration of
 * 250,000 agent steps, the mean return of the training episodes that ended in it; this computes
 * the same from {@code episodes.csv}: an episode belongs to iteration ⌊(step − 1) / N⌋, where
 * {@code step} is the agent step it ended at (1-based), so iteration k covers steps k·N+1 … (k+1)·N.
 */
@Command(name = "report", mixinStandardHelpOptions = true,
        description = {"Mean training return per iteration of a run (Dopamine's figure).",
                "An iteration is --iteration-steps agent steps (default 250,000 = 1 M Atari frames);",
                "each row averages the episodes that ended in it."})
final class ReportCommand implements Callable<Integer> {
    @Option(names = "--run-dir", paramLabel = "DIR", required = true, description = "The run directory (its episodes.csv).")
    Path runDir;
    @Option(names = "--iteration-steps", paramLabel = "N", defaultValue = "250000", description = "Agent steps per iteration. Default: ${DEFAULT-VALUE}.")
    long iterationSteps;

    /** One iteration's row. */
    record Row(long iteration, int episodes, double mean, double std, double min, double max) {}

    @Override
    public Integer call() throws IOException {
        if (iterationSteps < 1) throw new BadInput("--iteration-steps must be positive");
        Path csv = runDir.resolve("episodes.csv");
        if (!Files.isRegularFile(csv)) throw new BadInput(runDir + " is not a run directory (it has no episodes.csv)");
        List<Row> rows = rows(csv, iterationSteps);
        System.out.printf(Locale.ROOT, "# %s: mean training return of the episodes ending in each iteration of %,d agent steps%n", runDir, iterationSteps);
        System.out.println("iteration,first_step,last_step,episodes,mean_return,std,min,max");
        for (Row r : rows) {
            System.out.printf(Locale.ROOT, "%d,%d,%d,%d,%.2f,%.2f,%.1f,%.1f%n", r.iteration(), r.iteration() * iterationSteps + 1,
                    (r.iteration() + 1) * iterationSteps, r.episodes(), r.mean(), r.std(), r.min(), r.max());
        }
        if (rows.isEmpty()) System.out.println("# no episode has ended yet");
        else {
            long reached = reachedStep(runDir), last = rows.get(rows.size() - 1).iteration();
            if (reached < (last + 1) * iterationSteps)
                System.out.printf(Locale.ROOT, "# iteration %d is not complete: the run has reached step %,d of its %,d%n",
                        last, reached, (last + 1) * iterationSteps);
        }
        return 0;
    }

    /**
     * The newest agent step the run has logged: the larger of the last step in progress.csv and the
     * last episode's end, so that a row of an iteration still running is not read as a whole one.
     */
    static long reachedStep(Path runDir) throws IOException {
        long reached = 0;
        for (String name : List.of("progress.csv", "episodes.csv")) {
            Path f = runDir.resolve(name);
            if (!Files.isRegularFile(f)) continue;
            List<String> lines = Files.readAllLines(f, StandardCharsets.UTF_8);
            if (lines.size() < 2) continue;
            List<String> head = List.of(lines.get(0).split(",", -1));
            int si = head.indexOf("step");
            if (si < 0) continue;
            for (int i = lines.size() - 1; i >= 1; i--) {
                String[] cells = lines.get(i).split(",", -1);
                if (cells.length != head.size()) continue;
                try {
                    reached = Math.max(reached, (long) Double.parseDouble(cells[si]));
                    break;
                } catch (NumberFormatException e) {
                    // a row cut short by a crash: the one before it counts
                }
            }
        }
        return reached;
    }

    /** The per-iteration rows of an episodes.csv; iterations with no finished episode are left out. */
    static List<Row> rows(Path csv, long iterationSteps) throws IOException {
        List<String> lines = Files.readAllLines(csv, StandardCharsets.UTF_8);
        if (lines.isEmpty()) return List.of();
        List<String> head = List.of(lines.get(0).split(",", -1));
        int si = head.indexOf("step"), ri = head.indexOf("return");
        if (si < 0 || ri < 0) throw new BadInput(csv + " has no step and return columns");
        TreeMap<Long, List<Double>> by = new TreeMap<>();
        for (int i = 1; i < lines.size(); i++) {
            String[] f = lines.get(i).split(",", -1);
            if (f.length != head.size()) continue;                  // a row cut short by a crash
            try {
                long step = (long) Double.parseDouble(f[si]);
                by.computeIfAbsent((step - 1) / iterationSteps, k -> new ArrayList<>()).add(Double.parseDouble(f[ri]));
            } catch (NumberFormatException e) {
                // skipped like a cut row
            }
        }
        List<Row> out = new ArrayList<>();
        for (var e : by.entrySet()) {
            List<Double> v = e.getValue();
            double mean = v.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
            double var = v.stream().mapToDouble(x -> (x - mean) * (x - mean)).sum() / v.size();
            out.add(new Row(e.getKey(), v.size(), mean, Math.sqrt(var), v.stream().mapToDouble(Double::doubleValue).min().orElse(Double.NaN),
                    v.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN)));
        }
        return out;
    }
}
