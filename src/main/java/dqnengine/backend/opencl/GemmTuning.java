package dqnengine.backend.opencl;

import dqnengine.tensor.Tensor;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * The gemm kernel's version (2 or 3) and sizes per device: {@code devices --tune} times each of
 * {@link GemmParams#CANDIDATES} on the Nature network's products ({@link #NATURE_SHAPES}) and keeps
 * the fastest, keyed by the device's name and driver version, in the cache file
 * {@code gemm-tuning.tsv} under the user's configuration directory ({@link #cacheFile}).
 * {@link OpenClBackend} reads it when it starts and runs the entry's version with its sizes; without
 * an entry for its device it takes {@link GemmParams#defaultFor} the device's type. A cache that cannot be read or parsed is ignored with one line on
 * standard error (once per file and JVM).
 *
 * <p>The file: lines starting with {@code #} are comments; every other line is
 * {@code device<TAB>driver<TAB>tile sizes<TAB>milliseconds}, the tile sizes as
 * {@link GemmParams#toString} writes them ({@code v3 wg=8 wpt=8x2 vw=8}; without a version, as
 * caches written before version 3 have them, version 2) and the milliseconds the Nature products took with them.
 */
public final class GemmTuning {
    private GemmTuning() {}

    /** The system property that replaces the configuration directory (tests point it at a temporary one). */
    public static final String CONFIG_DIR_PROPERTY = "dqnengine.config.dir";

    /** One product C = op(A)·op(B), C [m, n], with what it is in the Nature train step. */
    public record Shape(String label, int m, int n, int k, boolean transA, boolean transB) {
        /** Floating-point operations of one product: 2mnk. */
        public double flop() { return 2.0 * m * n * k; }

        @Override
        public String toString() { return label + " " + m + "x" + n + "x" + k + (transA ? ",T" : ",N") + (transB ? ",T" : ",N"); }
    }

    /**
     * The Nature train step's products at batch 32: the fully connected layers (forward, weight and
     * input gradient of fc1, forward of the 6-action head) and the three convolutions' forward
     * products as im2col + gemm runs them (M = output channels, N = batch x output pixels,
     * K = input channels x kernel area).
     */
    public static final List<Shape> NATURE_SHAPES = List.of(
            new Shape("fc1", 32, 512, 3136, false, true),
            new Shape("fc2", 32, 6, 512, false, true),
            new Shape("fc1-dW", 512, 3136, 32, true, false),
            new Shape("fc1-dx", 32, 3136, 512, false, false),
            new Shape("conv1", 32, 32 * 400, 4 * 8 * 8, false, false),
            new Shape("conv2", 64, 32 * 81, 32 * 4 * 4, false, false),
            new Shape("conv3", 64, 32 * 49, 64 * 3 * 3, false, false));

    /** A cached result: the tile sizes for one device and driver, and how long the Nature products took with them. */
    public record Entry(String device, String driver, GemmParams params, double millis) {}

    private static final String HEADER = "# dqn-engine gemm tuning (devices --tune): device, driver version, tile sizes, ms for the Nature products";
    private static final Set<String> warned = new HashSet<>();

    /**
     * The cache file: {@code gemm-tuning.tsv} in the directory the system property
     * {@value #CONFIG_DIR_PROPERTY} names, else {@code $XDG_CONFIG_HOME/dqn-engine}, else
     * {@code ~/.config/dqn-engine}.
     */
    public static Path cacheFile() {
        String dir = System.getProperty(CONFIG_DIR_PROPERTY);
        if (dir != null && !dir.isBlank()) return Paths.get(dir, "gemm-tuning.tsv");
        String xdg = System.getenv("XDG_CONFIG_HOME");
        Path base = xdg != null && xdg.startsWith("/") ? Paths.get(xdg) : Paths.get(System.getProperty("user.home"), ".config");
        return base.resolve("dqn-engine").resolve("gemm-tuning.tsv");
    }

    /** A cache file that does not parse; the message says where. */
    static final class CorruptCache extends Exception {
        private static final long serialVersionUID = 1L;
        CorruptCache(String message) { super(message); }
    }

    /** The entries of {@code file}, by {@link #key}; empty when there is no file. */
    static Map<String, Entry> read(Path file) throws IOException, CorruptCache {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return new LinkedHashMap<>();
        } catch (java.nio.charset.MalformedInputException e) {
            throw new CorruptCache("not UTF-8 text");
        }
        Map<String, Entry> out = new LinkedHashMap<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.isBlank() || line.startsWith("#")) continue;
            String[] f = line.split("\t", -1);
            if (f.length != 4) throw new CorruptCache("line " + (i + 1) + " has " + f.length + " tab-separated fields, not 4");
            try {
                double ms = Double.parseDouble(f[3]);
                Entry e = new Entry(f[0], f[1], GemmParams.parse(f[2]), ms);
                out.put(key(e.device(), e.driver()), e);
            } catch (IllegalArgumentException e) {                       // BadInput and NumberFormatException
                throw new CorruptCache("line " + (i + 1) + ": " + e.getMessage());
            }
        }
        return out;
    }

    private static String key(String device, String driver) { return clean(device) + "\t" + clean(driver); }

    private static String clean(String s) { return s.replaceAll("[\\t\\r\\n]", " ").strip(); }

    /**
     * The cached tile sizes for {@code device} with {@code driver}, or null when there are none; a
     * cache that cannot be read or parsed counts as none, with one line on standard error.
     */
    public static GemmParams cached(String device, String driver) {
        Path file = cacheFile();
        try {
            Entry e = read(file).get(key(device, driver));
            return e == null ? null : e.params();
        } catch (IOException | CorruptCache e) {
            warnOnce(file, "dqn-engine: ignoring the gemm tuning cache " + file + " (" + describe(e)
                    + "); using the default tile sizes (rewrite it with: dqn-engine devices --tune)");
            return null;
        }
    }

    private static String describe(Exception e) {
        return e instanceof CorruptCache ? e.getMessage() : "cannot read it: " + e.getClass().getSimpleName() + (e.getMessage() == null ? "" : " " + e.getMessage());
    }

    private static void warnOnce(Path file, String line) {
        synchronized (warned) {
            if (!warned.add(file.toAbsolutePath().toString())) return;
        }
        System.err.println(line);
    }

    /**
     * Writes {@code entry} into the cache file, replacing the one for the same device and driver and
     * keeping the others (a cache that does not parse is replaced whole); written to a temporary
     * file and moved over, so that a reader never sees half a file.
     */
    public static Path write(Entry entry) throws IOException {
        Path file = cacheFile();
        Map<String, Entry> all;
        try {
            all = read(file);
        } catch (CorruptCache e) {
            all = new LinkedHashMap<>();
        }
        all.put(key(entry.device(), entry.driver()), entry);
        StringBuilder text = new StringBuilder(HEADER).append('\n');
        for (Entry e : all.values()) {
            text.append(clean(e.device())).append('\t').append(clean(e.driver())).append('\t').append(e.params()).append('\t')
                    .append(String.format(Locale.ROOT, "%.3f", e.millis())).append('\n');
        }
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, "gemm-tuning", ".tmp");
        try {
            Files.writeString(tmp, text, StandardCharsets.UTF_8);
            try {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
        return file;
    }

    /** One candidate's result: milliseconds per shape (the fastest of the timed rounds), or why it could not run. */
    public record Timing(GemmParams params, double[] millis, String failure) {
        /** The sum over the shapes, or infinity for a candidate that failed. */
        public double total() {
            if (failure != null) return Double.POSITIVE_INFINITY;
            double s = 0;
            for (double m : millis) s += m;
            return s;
        }
    }

    /**
     * Times every candidate on device {@code index} over {@code shapes}: one untimed call per shape
     * (uploads and the driver's compilation), then {@code rounds} timed ones, each blocking until the
     * device is done; a shape's time is its fastest round. A candidate the device cannot build or run
     * is reported with the reason. Prints one line per candidate to {@code log}.
     */
    public static List<Timing> time(int index, List<GemmParams> candidates, List<Shape> shapes, int rounds, PrintStream log) {
        Random rng = new Random(1);
        List<Tensor[]> operands = new ArrayList<>();
        for (Shape s : shapes) {
            operands.add(new Tensor[] {fill(s.transA() ? Tensor.zeros(s.k(), s.m()) : Tensor.zeros(s.m(), s.k()), rng),
                    fill(s.transB() ? Tensor.zeros(s.n(), s.k()) : Tensor.zeros(s.k(), s.n()), rng), Tensor.zeros(s.m(), s.n())});
        }
        double flop = shapes.stream().mapToDouble(Shape::flop).sum();
        List<Timing> out = new ArrayList<>();
        for (GemmParams p : candidates) {
            Timing t;
            try (OpenClBackend be = new OpenClBackend(index, true, true, p.version(), p)) {
                double[] best = new double[shapes.size()];
                java.util.Arrays.fill(best, Double.POSITIVE_INFINITY);
                for (int r = -1; r < rounds; r++) {
                    for (int s = 0; s < shapes.size(); s++) {
                        Shape sh = shapes.get(s);
                        Tensor[] o = operands.get(s);
                        long t0 = System.nanoTime();
                        be.gemm(sh.transA(), sh.transB(), 1f, o[0], o[1], 0f, o[2]);
                        double ms = (System.nanoTime() - t0) / 1e6;
                        if (r >= 0) best[s] = Math.min(best[s], ms);
                    }
                }
                t = new Timing(p, best, null);
            } catch (RuntimeException e) {
                t = new Timing(p, null, e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage().lines().findFirst().orElse(""));
            }
            out.add(t);
            if (t.failure() != null) log.printf(Locale.ROOT, "  %-24s cannot run here: %s%n", p, t.failure());
            else log.printf(Locale.ROOT, "  %-24s %8.2f ms  %7.2f GFLOP/s%n", p, t.total(), flop / t.total() / 1e6);
        }
        return out;
    }

    private static Tensor fill(Tensor t, Random rng) {
        for (int i = 0; i < t.size(); i++) t.data[i] = rng.nextFloat() - 0.5f;
        return t;
    }

    /**
     * {@code devices --tune} for device {@code index}: times the candidates on the Nature products
     * and writes the fastest into the cache; returns its entry (null when none could run).
     */
    public static Entry tune(int index, int rounds, PrintStream log) throws IOException {
        OpenCl.Device device = OpenCl.device(index);
        String driver = OpenCl.driverVersion(device.id());
        log.printf(Locale.ROOT, "opencl:%d  %s (driver %s): timing %d gemm sizes (v2 and v3) on the Nature products (%d rounds)%n", index, device.name(),
                driver, GemmParams.CANDIDATES.size(), rounds);
        List<Timing> timings = time(index, GemmParams.CANDIDATES, NATURE_SHAPES, rounds, log);
        Timing best = null;
        for (Timing t : timings) if (t.failure() == null && (best == null || t.total() < best.total())) best = t;
        if (best == null) {
            log.println("  no gemm sizes could run; nothing cached (the backend keeps the defaults, or gemm v1)");
            return null;
        }
        Entry e = new Entry(device.name(), driver, best.params(), best.total());
        Path file = write(e);
        log.printf(Locale.ROOT, "  fastest: %s (%.2f ms; the device type's default took %.2f ms); cached in %s%n", best.params(), best.total(),
                timings.get(GemmParams.CANDIDATES.indexOf(GemmParams.defaultFor(device.type()))).total(), file);
        return e;
    }
}
