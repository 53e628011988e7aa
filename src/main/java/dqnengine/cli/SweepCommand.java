package dqnengine.cli;

import com.google.gson.Gson;
import com.google.gson.reflect.TypeToken;
import dqnengine.backend.cpu.VectorSupport;
import dqnengine.cluster.HazelcastLinks;
import dqnengine.cluster.Sweep;
import dqnengine.util.BadInput;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@code sweep}: every cell of a grid (games × presets × seeds) as an ordinary {@code train} run,
 * on this machine one after another, or on whichever member of a cluster is free; then one
 * summary table. See {@link Sweep}.
 */
@Command(name = "sweep", mixinStandardHelpOptions = true,
        description = {"Train every cell of a grid (games x presets x seeds) and summarize the returns per iteration.",
                "  sweep --grid grid.json --root runs/sweep                    (here, one cell after another)",
                "  sweep --grid grid.json --root /shared/sweep --port 5702     (and workers on other machines:)",
                "  sweep worker --join COORDINATOR:5702",
                "Each cell is a train run in ROOT/<env>/<preset>/s<seed> (its output in s<seed>.log); a cell whose",
                "worker dies is resumed by another from its latest checkpoint, so ROOT must be shared storage."},
        subcommands = {SweepCommand.WorkerCommand.class})
public final class SweepCommand implements Callable<Integer> {
    @Option(names = "--grid", paramLabel = "FILE",
            description = "JSON: {\"envs\": [...], \"presets\": [...], \"seeds\": [...], \"flags\": [train flags], \"iteration_steps\": N}.")
    Path grid;
    @Option(names = "--root", paramLabel = "DIR", description = "Where the cells' run directories and the summary go.")
    Path root;
    @Option(names = "--port", paramLabel = "N", description = "Also take workers from other machines on this TCP port. Default: none (this machine only).")
    Integer port;
    @Option(names = "--workers", paramLabel = "N", defaultValue = "1", description = "Cells trained at once on this machine. Default: ${DEFAULT-VALUE}.")
    int workers;
    @Option(names = "--lease-seconds", paramLabel = "S", defaultValue = "15", description = "How long a silent worker keeps its cell before another takes it over. Default: ${DEFAULT-VALUE}.")
    int leaseSeconds;

    @Override
    public Integer call() throws Exception {
        if (grid == null || root == null) throw new BadInput("sweep needs --grid FILE and --root DIR (or: sweep worker --join HOST:PORT)");
        if (workers < 0 || workers > 64) throw new BadInput("--workers must be in 0..64");
        if (workers == 0 && port == null) throw new BadInput("--workers 0 needs --port: some worker must train the cells");
        if (leaseSeconds < 3) throw new BadInput("--lease-seconds must be at least 3");
        Sweep.Grid g;
        try {
            g = Sweep.readGrid(grid);
        } catch (IllegalArgumentException e) {
            throw new BadInput(e.getMessage());
        }
        Path absRoot = root.toAbsolutePath();
        Files.createDirectories(absRoot);
        String me = workerName();
        AutoCloseable closer = () -> { };
        Sweep.Board board;
        if (port != null) {
            HazelcastLinks.SweepSide side;
            try {
                side = HazelcastLinks.sweepCoordinator(port, leaseSeconds, me);
            } catch (IllegalArgumentException e) {
                throw new BadInput(e.getMessage());
            }
            side.meta().put("root", absRoot.toString());
            side.meta().put("cells", new Gson().toJson(g.cells()));
            board = side.board();
            closer = side;
            System.out.printf(Locale.ROOT, "sweep: %d cells; workers on other machines join with: dqn-engine sweep worker --join %s:%d%n",
                    g.cells().size(), hostName(), port);
        } else {
            board = Sweep.localBoard();
            System.out.printf(Locale.ROOT, "sweep: %d cells on this machine, %d at a time%n", g.cells().size(), workers);
        }
        try (AutoCloseable c = closer) {
            Sweep.post(board, g.cells());
            List<Thread> threads = new ArrayList<>();
            ChildRunner runner = new ChildRunner();
            Runtime.getRuntime().addShutdownHook(new Thread(runner::stopAll, "sweep-stop"));
            List<Exception> failures = Collections.synchronizedList(new ArrayList<>());
            for (int w = 0; w < workers; w++) {
                String name = me + "#" + w;
                Thread t = new Thread(() -> {
                    try {
                        Sweep.work(board, g.cells(), absRoot, runner, name, System.out, runner::stopping);
                    } catch (Exception e) {
                        failures.add(e);
                    }
                }, "sweep-worker-" + w);
                t.start();
                threads.add(t);
            }
            while (!Sweep.allSettled(board, g.cells())) {
                if (!failures.isEmpty()) throw failures.get(0);
                Thread.sleep(500);
            }
            for (Thread t : threads) t.join();
            return finish(board, g, absRoot);
        }
    }

    /** The summary table and the cells that failed. */
    private static int finish(Sweep.Board board, Sweep.Grid g, Path root) throws IOException {
        String md = Sweep.summarize(g.cells(), root, g.iterationSteps(), dir -> {
            Map<Long, Double> m = new TreeMap<>();
            for (ReportCommand.Row r : ReportCommand.rows(dir.resolve("episodes.csv"), g.iterationSteps())) m.put(r.iteration(), r.mean());
            return m;
        });
        System.out.print(md);
        System.out.println("summary: " + root.resolve("summary.md") + " and " + root.resolve("summary.csv"));
        long failed = g.cells().stream().filter(c -> !"done".equals(board.states().get(c.id()))).count();
        for (Sweep.Cell c : g.cells()) {
            String s = board.states().get(c.id());
            if (!"done".equals(s)) System.out.println("sweep: " + c.id() + " " + s);
        }
        if (failed > 0) {
            System.err.printf(Locale.ROOT, "dqn-engine: error: %d of %d cells failed (their logs are named above)%n", failed, g.cells().size());
            return 1;
        }
        return 0;
    }

    /** This machine's name, or "HOST" where it does not resolve. */
    static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "HOST";
        }
    }

    static String workerName() { return hostName() + ":" + ProcessHandle.current().pid(); }

    /**
     * Trains a cell in a child JVM (the same Java and flags as this one), its output appended to
     * {@code <cell dir>.log}. The child stops and saves when this JVM dies, even by kill -9 (it
     * watches its launcher), so a cell is never trained by two processes at once.
     */
    static final class ChildRunner implements Sweep.Runner {
        private final Map<Process, Boolean> running = new ConcurrentHashMap<>();
        private volatile boolean stopping;

        boolean stopping() { return stopping; }

        @Override
        public int run(Sweep.Cell cell, Path root, boolean resume, String worker) throws IOException, InterruptedException {
            Path dir = cell.dir(root);
            Files.createDirectories(dir.getParent());
            List<String> args = resume ? List.of("train", "--resume", dir.toString()) : cell.trainArgs(root);
            List<String> jvm = new ArrayList<>();
            for (String o : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
                if (!o.startsWith("-D" + Relaunch.MARKER) && !o.startsWith("-D" + Relaunch.LAUNCHER_PID)) jvm.add(o);
            }
            List<String> cmd = Relaunch.command(ProcessHandle.current().info().command().orElse("java"), jvm, System.getProperty("java.class.path"),
                    args.toArray(new String[0]), !VectorSupport.inBootLayer() && VectorSupport.inRuntime(), ProcessHandle.current().pid());
            Path log = dir.resolveSibling(dir.getFileName() + ".log");
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
            pb.environment().put("DQN_ENGINE_NO_RELAUNCH", "1");
            try (PrintStream head = new PrintStream(Files.newOutputStream(log, StandardOpenOption.CREATE, StandardOpenOption.APPEND))) {
                head.println("### " + worker + ": dqn-engine " + String.join(" ", args));
            }
            Process p = pb.start();
            running.put(p, true);
            try {
                return p.waitFor();
            } finally {
                running.remove(p);
            }
        }

        /** SIGTERM or Ctrl-C on the sweep: every cell saves its checkpoint and stops; the cells stay running on the board. */
        void stopAll() {
            stopping = true;
            for (Process p : running.keySet()) p.destroy();
            for (Process p : running.keySet()) {
                try {
                    p.waitFor();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    /** {@code sweep worker}: trains cells of a coordinator's sweep until none is left. */
    @Command(name = "worker", mixinStandardHelpOptions = true,
            description = {"Train cells of the sweep a coordinator runs, until every cell is done.",
                    "The coordinator's --root must be reachable here at the same path (or give --root)."})
    static final class WorkerCommand implements Callable<Integer> {
        @Option(names = "--join", required = true, paramLabel = "HOST:PORT", description = "The coordinator's address (its sweep --port).")
        String join;
        @Option(names = "--root", paramLabel = "DIR", description = "Where the sweep's root is mounted here. Default: the coordinator's path.")
        Path root;
        @Option(names = "--workers", paramLabel = "N", defaultValue = "1", description = "Cells trained at once here. Default: ${DEFAULT-VALUE}.")
        int workers;
        @Option(names = "--lease-seconds", paramLabel = "S", defaultValue = "15", description = "As the coordinator's. Default: ${DEFAULT-VALUE}.")
        int leaseSeconds;

        @Override
        public Integer call() throws Exception {
            if (workers < 1 || workers > 64) throw new BadInput("--workers must be in 1..64");
            HazelcastLinks.SweepSide side;
            try {
                side = HazelcastLinks.sweepWorker(HazelcastLinks.Address.parse(join), leaseSeconds, workerName());
            } catch (IllegalArgumentException e) {
                throw new BadInput(e.getMessage());
            }
            try (side) {
                String rootText = side.meta().get("root"), cellsJson = side.meta().get("cells");
                if (rootText == null || cellsJson == null) throw new BadInput("the coordinator at " + join + " has no sweep posted");
                Path r = root != null ? root.toAbsolutePath() : Path.of(rootText);
                if (!Files.isDirectory(r)) throw new BadInput("the sweep's root " + r + " is not reachable here: mount it, or give --root");
                List<Sweep.Cell> cells = new Gson().fromJson(cellsJson, new TypeToken<List<Sweep.Cell>>() { }.getType());
                ChildRunner runner = new ChildRunner();
                Runtime.getRuntime().addShutdownHook(new Thread(runner::stopAll, "sweep-stop"));
                List<Thread> threads = new ArrayList<>();
                int[] ran = new int[workers];
                for (int w = 0; w < workers; w++) {
                    int k = w;
                    String name = workerName() + "#" + w;
                    Thread t = new Thread(() -> {
                        try {
                            ran[k] = Sweep.work(side.board(), cells, r, runner, name, System.out, runner::stopping);
                        } catch (Exception e) {
                            System.err.println("dqn-engine: error: " + e.getMessage());
                        }
                    }, "sweep-worker-" + w);
                    t.start();
                    threads.add(t);
                }
                for (Thread t : threads) t.join();
                System.out.printf(Locale.ROOT, "sweep worker: trained %d cell(s); no cell is left%n", Arrays.stream(ran).sum());
            }
            return 0;
        }
    }
}
