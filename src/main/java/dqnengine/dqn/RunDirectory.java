package dqnengine.dqn;

import dqnengine.util.AtomicFiles;
import dqnengine.util.BadInput;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A run directory owned by one process while it trains there.
 *
 * <p>Ownership is an operating-system lock on {@code RUN/.lock} ({@link FileChannel#tryLock}), held
 * for as long as the process trains; the file also names the owner's PID for the message a second
 * process gets. The kernel drops the lock when its process dies, however it dies, so a lock left
 * by a dead process is stale by construction: the next process simply takes it.
 *
 * <p>Once it owns the directory, a process may tidy what dead writers left: hidden temporaries of
 * interrupted checkpoint and file writes ({@link #removeStaleTemporaries}), and, on resume, the log
 * rows and checkpoints written after the checkpoint it resumes from ({@link #rollBackTo}).
 */
public final class RunDirectory implements AutoCloseable {
    static final String LOCK_FILE = ".lock";
    private static final Pattern CHECKPOINT = Pattern.compile("(best-)?step-(\\d+)");

    private final Path dir;
    private final FileChannel channel;
    private final FileLock lock;

    private RunDirectory(Path dir, FileChannel channel, FileLock lock) {
        this.dir = dir;
        this.channel = channel;
        this.lock = lock;
    }

    public Path path() { return dir; }

    /**
     * Creates a fresh directory {@code parent/base} (or {@code base-2}, {@code base-3}, … when that
     * name is taken: several runs started in the same second each get their own) and locks it.
     * Creating a directory is atomic, so two processes can never both get the same one.
     */
    public static RunDirectory createFresh(Path parent, String base) throws IOException {
        Files.createDirectories(parent);
        for (int n = 1; ; n++) {
            Path candidate = parent.resolve(n == 1 ? base : base + "-" + n);
            try {
                Files.createDirectory(candidate);
            } catch (FileAlreadyExistsException taken) {
                if (n > 10_000) throw taken;
                continue;
            }
            return lock(candidate);
        }
    }

    /**
     * Locks {@code dir} (created if missing) for this process; refuses with one line when another
     * process, or this one, trains in it.
     */
    public static RunDirectory lock(Path dir) throws IOException {
        if (Files.exists(dir) && !Files.isDirectory(dir)) throw new BadInput("run directory " + dir + " is a file, not a directory");
        try {
            Files.createDirectories(dir);
        } catch (AccessDeniedException e) {
            throw new BadInput("cannot create run directory " + dir + ": permission denied");
        }
        Path file = dir.resolve(LOCK_FILE);
        FileChannel ch;
        try {
            ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
        } catch (AccessDeniedException e) {
            throw new BadInput("cannot write in run directory " + dir + ": permission denied");
        }
        FileLock lock;
        try {
            lock = ch.tryLock();
        } catch (OverlappingFileLockException sameProcess) {
            lock = null;
        } catch (IOException e) {
            ch.close();
            throw e;
        }
        if (lock == null) {
            String owner = readOwner(ch);
            ch.close();
            throw new BadInput("run " + dir + " is in use by PID " + owner + " (another training process writes it; wait for it or stop it first)");
        }
        ch.truncate(0);
        ch.write(ByteBuffer.wrap((ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.UTF_8)), 0);
        ch.force(true);
        return new RunDirectory(dir, ch, lock);
    }

    /**
     * Makes {@code dir} a new run's directory: creates it and writes the run's {@code config.json}
     * (what {@code --resume} reads back). Refuses a directory that already holds a run, so no run
     * is overwritten.
     */
    public static void prepareNew(Path dir, DqnConfig cfg) throws IOException {
        if (Files.exists(dir.resolve("config.json")) || Files.exists(dir.resolve("checkpoints"))) {
            throw new BadInput("run directory " + dir + " already holds a run: continue it with --resume " + dir + " or choose another --run-dir");
        }
        Files.createDirectories(dir);
        AtomicFiles.writeString(dir.resolve("config.json"), cfg.toJson() + "\n");
    }

    private static String readOwner(FileChannel ch) {
        try {
            ByteBuffer b = ByteBuffer.allocate(64);
            ch.read(b, 0);
            String pid = new String(b.array(), 0, b.position(), StandardCharsets.UTF_8).trim();
            return pid.isEmpty() ? "(unknown)" : pid;
        } catch (IOException e) {
            return "(unknown)";
        }
    }

    /**
     * Removes the hidden temporaries ({@code .NAME.*.tmp}) that writers leave when they die between
     * creating and renaming them: checkpoint directories under {@code checkpoints/}, files in the
     * run directory and {@code plots/}. Only called while this process owns the directory, so no
     * live writer can own them. Returns how many were removed.
     */
    public int removeStaleTemporaries() throws IOException {
        int removed = 0;
        for (Path d : new Path[] {dir, dir.resolve("checkpoints"), dir.resolve("plots")}) {
            if (!Files.isDirectory(d)) continue;
            List<Path> stale = new ArrayList<>();
            try (Stream<Path> s = Files.list(d)) {
                s.filter(p -> {
                    String n = p.getFileName().toString();
                    return n.startsWith(".") && n.endsWith(".tmp");
                }).forEach(stale::add);
            }
            for (Path p : stale) {
                AtomicFiles.deleteTree(p);
                removed++;
            }
        }
        return removed;
    }

    /** What {@link #rollBackTo} changed. */
    public record RollBack(int episodeRows, int progressRows, List<String> checkpointsSetAside, boolean bestRemains) {
        public boolean changedAnything() { return episodeRows > 0 || progressRows > 0 || !checkpointsSetAside.isEmpty(); }
    }

    /**
     * Makes the run directory agree with the checkpoint at {@code step} (after {@code episodes}
     * episodes) that a resumed run continues from: rows of {@code episodes.csv} and
     * {@code progress.csv} written after it are removed (the resumed run writes those steps
     * again), and checkpoints saved after it are moved to {@code RUN/discarded/} (kept, but no
     * longer pointed at or pruned); {@code best} then names the newest best checkpoint at or before
     * {@code step}, or nothing.
     */
    public RollBack rollBackTo(long step, long episodes) throws IOException {
        int ep = truncateCsv(dir.resolve("episodes.csv"), row -> row.get("episode") <= episodes && row.get("step") <= step);
        int pr = truncateCsv(dir.resolve("progress.csv"), row -> row.get("step") <= step)
                + truncateCsv(dir.resolve("eval.csv"), row -> row.get("step") <= step);
        List<String> aside = new ArrayList<>();
        Path cps = dir.resolve("checkpoints");
        boolean bestRemains = false;
        if (Files.isDirectory(cps)) {
            List<Path> all = new ArrayList<>();
            try (Stream<Path> s = Files.list(cps)) {
                s.filter(Files::isDirectory).forEach(all::add);
            }
            Path discarded = dir.resolve("discarded");
            String newestBest = null;
            long newestBestStep = -1;
            for (Path p : all) {
                Matcher m = CHECKPOINT.matcher(p.getFileName().toString());
                if (!m.matches()) continue;
                long s = Long.parseLong(m.group(2));
                if (s > step) {
                    Files.createDirectories(discarded);
                    Path to = discarded.resolve(p.getFileName());
                    for (int k = 2; Files.exists(to); k++) to = discarded.resolve(p.getFileName() + "-" + k);   // an earlier roll-back's copy stays
                    AtomicFiles.move(p, to);
                    aside.add(p.getFileName().toString());
                } else if (m.group(1) != null && s > newestBestStep) {
                    newestBestStep = s;
                    newestBest = p.getFileName().toString();
                }
            }
            Path best = cps.resolve("best");
            String pointed = Files.isRegularFile(best) ? Files.readString(best, StandardCharsets.UTF_8).trim() : null;
            if (newestBest == null) {
                Files.deleteIfExists(best);
            } else if (!newestBest.equals(pointed)) {
                AtomicFiles.writeString(best, newestBest + "\n");
            }
            bestRemains = newestBest != null;
            AtomicFiles.syncDirectory(cps);
        }
        return new RollBack(ep, pr, aside, bestRemains);
    }

    private interface RowTest {
        boolean keep(Map<String, Double> row);
    }

    /** Rewrites {@code file} (atomically) without the rows {@code test} rejects or that do not parse; returns how many were dropped. */
    private static int truncateCsv(Path file, RowTest test) throws IOException {
        if (!Files.isRegularFile(file)) return 0;
        String text = Files.readString(file, StandardCharsets.UTF_8);
        List<String> lines = new ArrayList<>(List.of(text.split("\n", -1)));
        boolean endsWithNewline = text.endsWith("\n");
        if (endsWithNewline) lines.remove(lines.size() - 1);
        if (lines.isEmpty()) return 0;
        String[] head = lines.get(0).split(",", -1);
        StringBuilder out = new StringBuilder(lines.get(0)).append('\n');
        int dropped = 0;
        for (int i = 1; i < lines.size(); i++) {
            String line = lines.get(i);
            boolean complete = i < lines.size() - 1 || endsWithNewline;
            String[] f = line.split(",", -1);
            boolean keep = complete && f.length == head.length;
            if (keep) {
                Map<String, Double> row = new HashMap<>();
                try {
                    for (int c = 0; c < head.length; c++) if (head[c].equals("step") || head[c].equals("episode")) row.put(head[c], Double.parseDouble(f[c]));
                    keep = test.keep(row);
                } catch (NumberFormatException e) {
                    keep = false;
                }
            }
            if (keep) out.append(line).append('\n');
            else dropped++;
        }
        if (dropped > 0) AtomicFiles.writeString(file, out.toString());
        return dropped;
    }

    /** Releases the lock (the lock file stays: removing it could let two processes lock two different files). */
    @Override
    public void close() throws IOException {
        try {
            if (lock.isValid()) lock.release();
        } finally {
            channel.close();
        }
    }

    /** The checkpoint names {@code checkpoints/latest} and {@code best} may hold. */
    static boolean isCheckpointName(String name) { return CHECKPOINT.matcher(name).matches(); }
}
