package dqnengine.cluster;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import dqnengine.dqn.DqnConfig;
import dqnengine.util.AtomicFiles;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.BooleanSupplier;

/**
 * A sweep: every cell of a grid (games × presets × seeds, with the same extra flags) trained as an
 * ordinary {@code train} run in its own directory under one root, by whichever worker is free.
 * <pre>
 *   board     cell id → "pending" | "running WORKER" | "done" | "failed WHY"     (shared by all workers)
 *   leases    cell id → WORKER, held while the worker lives (on a cluster: renewed every few seconds
 *             with a time to live, so that a dead worker's lease ends by itself)
 *   a worker: take a cell that is pending, or running without a lease (its worker died);
 *             train it (from its latest checkpoint if it has one); mark it done or failed
 * </pre>
 * A claim takes the cell's lease first, only if no live worker holds it, then moves the cell's
 * state by compare-and-set on the board ({@link ConcurrentMap#replace(Object, Object, Object)}),
 * so two workers never take the same cell: with the state moved first and the lease taken after,
 * a second worker could see "running" with no lease yet, take the cell for an orphan and run it
 * again (a cell of {@code SweepTest}'s twenty ran twice so, once in several CI runs). On one machine the board is a plain concurrent map; on
 * a cluster it is a Hazelcast map held by the coordinator, and the root must be storage that
 * every member reaches at the same path (NFS, a shared volume), since a cell may be resumed on
 * another machine.
 */
public final class Sweep {
    private Sweep() {}

    /** One run of the grid. {@code flags}: train flags shared by every cell. */
    public record Cell(String env, String preset, long seed, List<String> flags) {
        /** The cell's id and its directory under the root: {@code <env>/<preset>/s<seed>} (':' in an env id becomes '-'). */
        public String id() { return env.replace(':', '-') + "/" + preset + "/s" + seed; }

        public Path dir(Path root) { return root.resolve(id()); }

        /** The {@code train} arguments of a fresh start. */
        public List<String> trainArgs(Path root) {
            List<String> a = new ArrayList<>(List.of("train", "--env", env, "--preset", preset, "--seed", Long.toString(seed),
                    "--run-dir", dir(root).toString()));
            a.addAll(flags);
            return a;
        }
    }

    /** A grid file, read. */
    public record Grid(List<Cell> cells, long iterationSteps) {}

    /**
     * Reads a grid file:
     * <pre>
     *   {"envs": ["ale:pong", "ale:breakout"], "presets": ["rainbow-lite"], "seeds": [0, 1, 2],
     *    "flags": ["--steps", "1000000", "--atari-preset", "dopamine"], "iteration_steps": 250000}
     * </pre>
     * {@code presets} may be left out (each env's usual preset); {@code iteration_steps} too
     * (250,000 for Atari, else a tenth of --steps when it is given, else 10,000).
     */
    public static Grid readGrid(Path file) {
        JsonObject o;
        try {
            JsonElement e = JsonParser.parseString(Files.readString(file));
            if (!e.isJsonObject()) throw new IllegalArgumentException("--grid " + file + ": not a JSON object");
            o = e.getAsJsonObject();
        } catch (IOException e) {
            throw new IllegalArgumentException("--grid " + file + ": cannot read it (" + e.getMessage() + ")");
        } catch (JsonParseException e) {
            throw new IllegalArgumentException("--grid " + file + ": not valid JSON (" + e.getMessage() + ")");
        }
        for (String k : o.keySet()) {
            if (!List.of("envs", "presets", "seeds", "flags", "iteration_steps").contains(k)) {
                throw new IllegalArgumentException("--grid " + file + ": unknown field \"" + k + "\" (fields: envs, presets, seeds, flags, iteration_steps)");
            }
        }
        List<String> envs = strings(o, "envs", file, true);
        List<String> presets = strings(o, "presets", file, false);
        List<String> flags = strings(o, "flags", file, false);
        List<Long> seeds = new ArrayList<>();
        try {
            JsonArray a = o.has("seeds") ? o.getAsJsonArray("seeds") : null;
            if (a == null || a.isEmpty()) throw new IllegalArgumentException("--grid " + file + ": \"seeds\" must be a non-empty list of whole numbers");
            for (JsonElement s : a) seeds.add(s.getAsLong());
        } catch (ClassCastException | IllegalStateException | NumberFormatException e) {
            throw new IllegalArgumentException("--grid " + file + ": \"seeds\" must be a non-empty list of whole numbers");
        }
        if (seeds.stream().distinct().count() != seeds.size()) throw new IllegalArgumentException("--grid " + file + ": \"seeds\" repeats a seed");
        for (String f : flags) {
            if (List.of("--env", "--env-id", "--preset", "--seed", "--seeds", "--run-dir", "--resume").contains(f)) {
                throw new IllegalArgumentException("--grid " + file + ": \"flags\" may not set " + f + " (the grid decides it for each cell)");
            }
        }
        List<Cell> cells = new ArrayList<>();
        for (String env : envs) {
            List<String> ps = presets.isEmpty() ? List.of(DqnConfig.presetFor(env)) : presets;
            for (String p : ps) for (long s : seeds) cells.add(new Cell(env, p, s, flags));
        }
        long iteration;
        if (o.has("iteration_steps")) {
            iteration = o.get("iteration_steps").getAsLong();
            if (iteration < 1) throw new IllegalArgumentException("--grid " + file + ": \"iteration_steps\" must be positive");
        } else if (envs.stream().allMatch(e -> e.startsWith("ale:"))) {
            iteration = 250_000;
        } else {
            int i = flags.indexOf("--steps");
            iteration = i >= 0 && i + 1 < flags.size() ? Math.max(1, Long.parseLong(flags.get(i + 1).replace("_", "")) / 10) : 10_000;
        }
        return new Grid(cells, iteration);
    }

    private static List<String> strings(JsonObject o, String name, Path file, boolean required) {
        if (!o.has(name)) {
            if (required) throw new IllegalArgumentException("--grid " + file + ": \"" + name + "\" is missing");
            return List.of();
        }
        List<String> out = new ArrayList<>();
        try {
            for (JsonElement e : o.getAsJsonArray(name)) out.add(e.getAsString());
        } catch (ClassCastException | IllegalStateException e) {
            throw new IllegalArgumentException("--grid " + file + ": \"" + name + "\" must be a list of strings");
        }
        if (required && out.isEmpty()) throw new IllegalArgumentException("--grid " + file + ": \"" + name + "\" is empty");
        return out;
    }

    /** Where workers meet: the board of cell states and the leases. */
    public interface Board {
        ConcurrentMap<String, String> states();

        /** Takes the cell's lease for {@code worker} if no live worker holds it; whether it did. */
        boolean tryLease(String cell, String worker);

        /** Whether some live worker holds the cell's lease. */
        boolean leased(String cell);

        void release(String cell);
    }

    /** A board in this JVM only: workers are threads, and none dies without the others. */
    public static Board localBoard() {
        ConcurrentMap<String, String> states = new ConcurrentHashMap<>(), leases = new ConcurrentHashMap<>();
        return new Board() {
            @Override public ConcurrentMap<String, String> states() { return states; }
            @Override public boolean tryLease(String cell, String worker) { return leases.putIfAbsent(cell, worker) == null; }
            @Override public boolean leased(String cell) { return leases.containsKey(cell); }
            @Override public void release(String cell) { leases.remove(cell); }
        };
    }

    /** Runs one cell to its end and returns its exit code (0: done). {@code resume}: continue from its checkpoint. */
    public interface Runner {
        int run(Cell cell, Path root, boolean resume, String worker) throws IOException, InterruptedException;
    }

    /** Puts the grid's cells on the board: a cell already there keeps its state (a restarted coordinator). */
    public static void post(Board board, List<Cell> cells) {
        for (Cell c : cells) board.states().putIfAbsent(c.id(), "pending");
    }

    /**
     * A worker: takes free cells one after another until none is pending or orphaned, running
     * each with {@code runner}. Returns the number of cells it ran.
     */
    public static int work(Board board, List<Cell> cells, Path root, Runner runner, String worker, PrintStream out, BooleanSupplier stop)
            throws IOException, InterruptedException {
        int ran = 0;
        while (!stop.getAsBoolean()) {
            Cell taken = null;
            boolean resume = false;
            for (Cell c : cells) {
                String s = board.states().get(c.id());
                if (s == null) continue;
                boolean orphan = s.startsWith("running ") && !board.leased(c.id());
                if ((s.equals("pending") || orphan) && board.tryLease(c.id(), worker)) {
                    if (board.states().replace(c.id(), s, "running " + worker)) {
                        taken = c;
                        resume = orphan;
                        break;
                    }
                    board.release(c.id());              // the cell moved on since it was read: let go of the lease just taken
                }
            }
            if (taken == null) {
                if (allSettled(board, cells)) return ran;
                Thread.sleep(500);                      // cells are running elsewhere; one may be orphaned later
                continue;
            }
            Path dir = taken.dir(root);
            boolean hasCheckpoint = Files.isRegularFile(dir.resolve("checkpoints").resolve("latest"));
            if (!hasCheckpoint && Files.exists(dir)) {
                // started but never saved: set the remains aside and start the cell afresh
                Path aside = dir.resolveSibling(dir.getFileName() + ".unfinished-" + System.currentTimeMillis());
                Files.move(dir, aside);
                out.printf(Locale.ROOT, "sweep: %s had no checkpoint; its remains are in %s%n", taken.id(), aside);
            }
            out.printf(Locale.ROOT, "sweep: %s %s on %s%n", hasCheckpoint ? "resuming" : "starting", taken.id(), worker);
            out.flush();
            int code = runner.run(taken, root, hasCheckpoint, worker);
            if (stop.getAsBoolean()) return ran;       // this worker is stopping: its lease lapses and another worker resumes the cell
            board.states().put(taken.id(), code == 0 ? "done" : "failed: exit " + code + " (see " + taken.dir(root).resolveSibling(taken.dir(root).getFileName() + ".log") + ")");
            board.release(taken.id());
            out.printf(Locale.ROOT, "sweep: %s %s%n", taken.id(), code == 0 ? "done" : "failed with exit " + code);
            out.flush();
            ran++;
        }
        return ran;
    }

    /** Whether every cell is done or failed. */
    public static boolean allSettled(Board board, List<Cell> cells) {
        for (Cell c : cells) {
            String s = board.states().get(c.id());
            if (s == null || s.equals("pending") || s.startsWith("running ")) return false;
        }
        return true;
    }

    /** Per-iteration mean training returns of one run directory: iteration → mean. */
    public interface Returns {
        Map<Long, Double> of(Path runDir) throws IOException;
    }

    /**
     * The summary: one row per env and preset, one column per iteration, each the mean ± std
     * (sample) across seeds of the per-iteration mean training return, as in Dopamine's tables.
     * Writes {@code summary.csv} and {@code summary.md} under the root and returns the Markdown.
     */
    public static String summarize(List<Cell> cells, Path root, long iterationSteps, Returns returns) throws IOException {
        Map<String, List<Map<Long, Double>>> byRow = new LinkedHashMap<>();
        long iterations = 0;
        for (Cell c : cells) {
            Map<Long, Double> r = Files.isRegularFile(c.dir(root).resolve("episodes.csv")) ? returns.of(c.dir(root)) : Map.of();
            byRow.computeIfAbsent(c.env() + "," + c.preset(), k -> new ArrayList<>()).add(r);
            for (long it : r.keySet()) iterations = Math.max(iterations, it + 1);
        }
        StringBuilder csv = new StringBuilder("env,preset,iteration,seeds,mean,std\n");
        StringBuilder md = new StringBuilder(String.format(Locale.ROOT,
                "Mean training return per iteration of %,d agent steps (mean ± std across seeds; seeds that reached the iteration in brackets)%n%n", iterationSteps));
        md.append("| env | preset |");
        for (long i = 0; i < iterations; i++) md.append(" ").append(i).append(" |");
        md.append("\n|---|---|");
        for (long i = 0; i < iterations; i++) md.append("---|");
        md.append("\n");
        for (var row : byRow.entrySet()) {
            String[] key = row.getKey().split(",", 2);
            md.append("| ").append(key[0]).append(" | ").append(key[1]).append(" |");
            for (long i = 0; i < iterations; i++) {
                List<Double> v = new ArrayList<>();
                for (Map<Long, Double> r : row.getValue()) if (r.containsKey(i)) v.add(r.get(i));
                if (v.isEmpty()) {
                    md.append(" - |");
                    continue;
                }
                double mean = v.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
                double std = v.size() < 2 ? 0 : Math.sqrt(v.stream().mapToDouble(x -> (x - mean) * (x - mean)).sum() / (v.size() - 1));
                csv.append(String.format(Locale.ROOT, "%s,%s,%d,%d,%.2f,%.2f%n", key[0], key[1], i, v.size(), mean, std));
                md.append(String.format(Locale.ROOT, " %.1f ± %.1f (%d) |", mean, std, v.size()));
            }
            md.append("\n");
        }
        AtomicFiles.writeString(root.resolve("summary.csv"), csv.toString());
        AtomicFiles.writeString(root.resolve("summary.md"), md.toString());
        return md.toString();
    }
}
