package dqnengine.replay;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonParseException;
import dqnengine.util.AtomicFiles;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.zip.CRC32;
import java.util.zip.CheckedInputStream;
import java.util.zip.CheckedOutputStream;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;
import java.util.zip.Inflater;
import java.util.zip.InflaterInputStream;
import java.util.zip.ZipException;

/**
 * A {@link ReplayBuffer} saved with a checkpoint ({@code train --save-replay}) and read back by a
 * resumed run, which then samples exactly what the uninterrupted run would have. A saved buffer
 * is a directory:
 * <pre>
 *   s0-00000.seg …     segment j of stream s: the filled slots among ring positions
 *                      [j·segmentSlots, (j+1)·segmentSlots) of that stream: frames, then
 *                      actions, rewards and flags (ReplayBuffer.writeSlots), deflated
 *   priorities.bin     prioritized replay only: the largest priority ever set, then every
 *                      filled slot's priority (p^α, float64), stream by stream, deflated
 *   manifest.json      written last: the buffer's shape, each stream's counters, and for
 *                      every file its length on disk and the CRC-32 of its inflated bytes
 * </pre>
 *
 * <p><b>Only the filled part.</b> A stream that has written w frames holds positions
 * [0, min(w, perStream)); segments beyond them are not written, and a partly filled segment
 * holds only its filled slots.
 *
 * <p><b>Only what changed.</b> The Atari buffer is 7 GB, and rewriting it at every checkpoint
 * would cost more than the training between them. Segments are immutable files, so a segment
 * that no step has touched since the previous save of this same buffer is not written again: it
 * is a hard link to the previous checkpoint's file. A step touches the slot it writes and the one
 * before it (whose action, reward and flags it completes), so after the previous save at w₀ frames
 * the slots of absolute steps [w₀ − 1, w) have changed. Hard links make sharing safe without any
 * bookkeeping of ours: each checkpoint directory holds a complete set of names, deleting an old
 * checkpoint (pruning, {@code RunDirectory} roll-backs) removes only its names, and the file
 * system frees a segment's bytes when the last checkpoint that names it is gone. Where links are
 * not supported, or the previous file is missing, the segment is simply written again from memory.
 * The priorities change at every update anywhere in the buffer, so they are written in full each
 * time (8 MB for a million slots).
 *
 * <p><b>Atomic.</b> The directory is written inside the checkpoint's temporary directory, which
 * {@code Checkpoint.save} renames into place only when everything is on disk, so a crash while
 * saving leaves the previous checkpoint, and its replay, as they were.
 *
 * <p><b>Compressed.</b> Deflate at its fastest level, because it pays: Atari frames shrink 30 to
 * 70 times, and deflating them on one thread (270 to 520 MB/s) is at least as fast as writing
 * them raw to this machine's disk (140 to 240 MB/s); measured by {@code ReplaySaveMeasurement},
 * in the README's "Saved files".
 *
 * <p><b>Streamed.</b> Saving and loading go through a 64 KB buffer straight from and into the
 * ring; no second copy of the buffer is made.
 *
 * <p><b>Checked.</b> {@link #load} refuses, with one line naming the directory and the problem, a
 * buffer of another shape (capacity, environments, frame size, stack, prioritized or not), a
 * manifest of another checkpoint, and a missing, truncated or corrupt file: a resumed run never
 * continues silently from a wrong buffer. The sampler's random state is not here: it is in the
 * checkpoint's state.json ({@code replayRng}).
 */
public final class ReplayFiles {
    public static final String FORMAT = "dqn-engine/replay-v1";
    /** Ring slots per segment: 58 MB of 84×84 frames, about 1 to 2 MB deflated. */
    public static final int SEGMENT_SLOTS = 8192;
    static final String MANIFEST = "manifest.json", PRIORITIES = "priorities.bin";
    private static final int IO_BUFFER = 1 << 16;
    private static final Gson GSON = new GsonBuilder().setPrettyPrinting().create();

    private ReplayFiles() {}

    /** What manifest.json holds. */
    static final class Manifest {
        String format = FORMAT;
        long step;
        int capacity, streams, frameBytes, stack;
        boolean prioritized;
        int segmentSlots;
        long[] written;
        boolean[] inEpisode;
        List<Part> segments = new ArrayList<>();
        Part priorities;
    }

    /** One file of a saved buffer: for a segment, its stream, index and slot count; for every file, its bytes on disk and the CRC-32 of its content. */
    static final class Part {
        String file;
        int stream, index, slots;
        long bytes, crc32;
    }

    /** What {@link #save} did: segments written and linked, bytes of the files written, and their total on disk. */
    public record Saved(int segmentsWritten, int segmentsLinked, long bytesWritten, long bytesInAll) {}

    /**
     * Saves {@code replay} into the new directory {@code dir}, as it is at checkpoint {@code step}.
     * {@code previous}: the directory of this same buffer's previous save (or load) in this process,
     * whose unchanged segments are linked instead of written; null to write every segment.
     */
    public static Saved save(ReplayBuffer replay, Path dir, long step, Path previous) throws IOException {
        return save(replay, dir, step, previous, SEGMENT_SLOTS);
    }

    /** As above, with segments of {@code segmentSlots} ring slots (tests use small ones). */
    public static Saved save(ReplayBuffer replay, Path dir, long step, Path previous, int segmentSlots) throws IOException {
        Files.createDirectories(dir);
        Manifest before = previous == null ? null : readPreviousManifest(previous, replay, segmentSlots);
        Manifest m = new Manifest();
        m.step = step;
        m.capacity = replay.capacity();
        m.streams = replay.streams();
        m.frameBytes = replay.frameBytes();
        m.stack = replay.stack();
        m.prioritized = replay.prioritized();
        m.segmentSlots = segmentSlots;
        m.written = new long[replay.streams()];
        m.inEpisode = new boolean[replay.streams()];
        int written = 0, linked = 0;
        long bytesWritten = 0, bytesInAll = 0;
        for (int s = 0; s < replay.streams(); s++) {
            m.written[s] = replay.written(s);
            m.inEpisode[s] = replay.inEpisode(s);
            for (Part p : layout(s, m.written[s], replay.perStream(), segmentSlots)) {
                Part old = unchanged(before, p, m.written[s], replay.perStream());
                if (old != null && link(previous.resolve(old.file), dir.resolve(p.file), old.bytes)) {
                    p.bytes = old.bytes;
                    p.crc32 = old.crc32;
                    linked++;
                } else {
                    int first = s * replay.perStream() + p.index * segmentSlots;
                    writeDeflated(dir.resolve(p.file), p, out -> replay.writeSlots(first, p.slots, out));
                    bytesWritten += p.bytes;
                    written++;
                }
                bytesInAll += p.bytes;
                m.segments.add(p);
            }
        }
        if (replay.prioritized()) {
            m.priorities = new Part();
            m.priorities.file = PRIORITIES;
            writeDeflated(dir.resolve(PRIORITIES), m.priorities, out -> {
                SumTree tree = replay.priorityTree();
                out.writeDouble(tree.maxSet());
                for (int s = 0; s < replay.streams(); s++) {
                    long held = Math.min(m.written[s], replay.perStream());
                    for (int pos = 0; pos < held; pos++) out.writeDouble(tree.get(s * replay.perStream() + pos));
                }
            });
            bytesWritten += m.priorities.bytes;
            bytesInAll += m.priorities.bytes;
        }
        AtomicFiles.syncDirectory(dir);
        AtomicFiles.writeString(dir.resolve(MANIFEST), GSON.toJson(m) + "\n");
        return new Saved(written, linked, bytesWritten, bytesInAll);
    }

    /**
     * The segments of a stream that has written {@code written} frames: one per
     * {@code segmentSlots} ring positions up to the filled ones, the last one holding only those.
     */
    private static List<Part> layout(int stream, long written, int perStream, int segmentSlots) {
        List<Part> parts = new ArrayList<>();
        long held = Math.min(written, perStream);
        for (int j = 0; (long) j * segmentSlots < held; j++) {
            Part p = new Part();
            p.stream = stream;
            p.index = j;
            p.slots = (int) Math.min(segmentSlots, held - (long) j * segmentSlots);
            p.file = String.format(Locale.ROOT, "s%d-%05d.seg", stream, j);
            parts.add(p);
        }
        return parts;
    }

    /**
     * The previous save's entry for segment {@code p} of a stream that has now written
     * {@code writtenNow} frames, if none of the segment's slots changed since; else null.
     */
    private static Part unchanged(Manifest before, Part p, long writtenNow, int perStream) {
        if (before == null) return null;
        long w0 = before.written[p.stream];
        if (w0 > writtenNow) return null;                       // not an earlier state of this buffer
        long from = Math.max(0, w0 - 1);                        // the first step after w₀ completes the slot before it
        int lo = p.index * before.segmentSlots;
        for (Part old : before.segments) {
            if (old != null && old.stream == p.stream && old.index == p.index && old.slots == p.slots && p.file.equals(old.file)) {
                return touched(from, writtenNow, lo, lo + p.slots, perStream) ? null : old;
            }
        }
        return null;
    }

    /**
     * Whether a step in absolute steps [from, to) of a stream wrote a slot among ring positions
     * [lo, hi): the steps fill positions from mod perStream onwards, wrapping round.
     */
    static boolean touched(long from, long to, int lo, int hi, int perStream) {
        if (to <= from) return false;
        if (to - from >= perStream) return true;
        int a = (int) (from % perStream), b = (int) ((to - 1) % perStream);   // the first and the last position written
        if (a <= b) return a < hi && b >= lo;                                  // [a, b] meets [lo, hi)
        return a < hi || b >= lo;                                              // [a, perStream) ∪ [0, b] meets [lo, hi)
    }

    /** Links {@code to} to the existing file {@code from} if it has the expected length; false (nothing done) if that cannot be done. */
    private static boolean link(Path from, Path to, long bytes) {
        try {
            if (Files.size(from) != bytes) return false;
            Files.createLink(to, from);
            return true;
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }

    private interface Content {
        void write(DataOutputStream out) throws IOException;
    }

    /**
     * Writes {@code content} deflated to {@code file}, forced to disk; sets the part's length and
     * CRC. The file must be new: an existing name could be a link that another checkpoint shares.
     */
    private static void writeDeflated(Path file, Part part, Content content) throws IOException {
        Deflater deflater = new Deflater(Deflater.BEST_SPEED);
        CRC32 crc = new CRC32();
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            DeflaterOutputStream deflated = new DeflaterOutputStream(Channels.newOutputStream(channel), deflater, IO_BUFFER);
            DataOutputStream out = new DataOutputStream(new BufferedOutputStream(new CheckedOutputStream(deflated, crc), IO_BUFFER));
            content.write(out);
            out.flush();
            deflated.finish();
            channel.force(true);
        } finally {
            deflater.end();
        }
        part.bytes = Files.size(file);
        part.crc32 = crc.getValue();
    }

    /**
     * Reads the buffer saved in {@code dir} at checkpoint {@code step} into {@code replay}, a new
     * buffer of the same shape; any mismatch or damage is refused with {@link DamagedReplayException}.
     */
    public static void load(ReplayBuffer replay, Path dir, long step) throws IOException {
        Manifest m = readManifest(dir);
        if (m.step != step) throw damaged(dir, "was saved at step " + m.step + ", not with this checkpoint (step " + step + ")");
        String saved = shape(m.capacity, m.streams, m.frameBytes, m.stack, m.prioritized);
        String ours = shape(replay.capacity(), replay.streams(), replay.frameBytes(), replay.stack(), replay.prioritized());
        if (!saved.equals(ours)) throw damaged(dir, "holds a buffer of " + saved + "; this run's is " + ours);
        checkLayout(dir, m, replay.perStream());
        for (Part p : m.segments) {
            int first = p.stream * replay.perStream() + p.index * m.segmentSlots;
            readDeflated(dir, p, in -> replay.readSlots(first, p.slots, in));
        }
        SumTree tree = replay.priorityTree();
        if (tree != null) {
            readDeflated(dir, m.priorities, in -> {
                double max = in.readDouble();
                if (!(max >= 0) || Double.isInfinite(max)) throw damaged(dir, "has an impossible largest priority " + max);
                for (int s = 0; s < m.streams; s++) {
                    long held = Math.min(m.written[s], replay.perStream());
                    for (int pos = 0; pos < held; pos++) {
                        double p = in.readDouble();
                        if (!(p >= 0 && p <= max)) throw damaged(dir, "has an impossible priority " + p + " (largest " + max + ")");
                        tree.set(s * replay.perStream() + pos, p);
                    }
                }
                tree.restoreMaxSet(max);
            });
        }
        replay.restoreCounters(m.written, m.inEpisode);
    }

    private static String shape(int capacity, int streams, int frameBytes, int stack, boolean prioritized) {
        return String.format(Locale.ROOT, "%,d frames of %,d bytes for %d environment(s), stacks of %d, %s", capacity, frameBytes, streams, stack,
                prioritized ? "prioritized" : "uniform");
    }

    private static Manifest readManifest(Path dir) throws IOException {
        Path file = dir.resolve(MANIFEST);
        if (!Files.isRegularFile(file)) throw damaged(dir, "has no " + MANIFEST + " (the save is incomplete)");
        Manifest m;
        try {
            m = GSON.fromJson(Files.readString(file, StandardCharsets.UTF_8), Manifest.class);
        } catch (JsonParseException | CharacterCodingException e) {
            throw damaged(dir, "has a damaged " + MANIFEST);
        }
        if (m == null || !FORMAT.equals(m.format)) throw damaged(dir, "has a " + MANIFEST + " that is not a " + FORMAT + " manifest");
        return m;
    }

    /** The manifest of an earlier save to link from, if it is one of this buffer's shape; otherwise null (every segment is written). */
    private static Manifest readPreviousManifest(Path previous, ReplayBuffer replay, int segmentSlots) {
        try {
            Manifest m = readManifest(previous);
            boolean same = m.capacity == replay.capacity() && m.streams == replay.streams() && m.frameBytes == replay.frameBytes()
                    && m.stack == replay.stack() && m.segmentSlots == segmentSlots && m.written != null && m.written.length == m.streams
                    && m.segments != null;
            return same ? m : null;
        } catch (IOException e) {
            return null;
        }
    }

    /** The counters are possible and the segments are exactly those the counters call for. */
    private static void checkLayout(Path dir, Manifest m, int perStream) throws DamagedReplayException {
        if (m.segmentSlots < 1 || m.written == null || m.written.length != m.streams || m.inEpisode == null || m.inEpisode.length != m.streams
                || m.segments == null) {
            throw damaged(dir, "has a " + MANIFEST + " with missing or impossible fields");
        }
        List<Part> expected = new ArrayList<>();
        for (int s = 0; s < m.streams; s++) {
            if (m.written[s] < 0) throw damaged(dir, "has a " + MANIFEST + " with a negative count of frames");
            expected.addAll(layout(s, m.written[s], perStream, m.segmentSlots));
        }
        if (expected.size() != m.segments.size()) {
            throw damaged(dir, "lists " + m.segments.size() + " segments where its counters need " + expected.size());
        }
        for (int i = 0; i < expected.size(); i++) {
            Part e = expected.get(i), p = m.segments.get(i);
            if (p == null || p.stream != e.stream || p.index != e.index || p.slots != e.slots || !e.file.equals(p.file)) {
                throw damaged(dir, "lists segment " + (p == null ? "null" : p.file) + " where its counters need " + e.file + " of " + e.slots + " slots");
            }
        }
        if (m.prioritized && (m.priorities == null || !PRIORITIES.equals(m.priorities.file))) throw damaged(dir, "has no priorities for its prioritized buffer");
    }

    private interface Reading {
        void read(DataInputStream in) throws IOException;
    }

    /** Reads part {@code p} of {@code dir} through {@code reading}, checking its length on disk, that it ends where the content does, and its CRC. */
    private static void readDeflated(Path dir, Part p, Reading reading) throws IOException {
        Path file = dir.resolve(p.file);
        if (!Files.isRegularFile(file)) throw damaged(dir, "is missing " + p.file);
        long size = Files.size(file);
        if (size != p.bytes) throw damaged(dir, "has " + p.file + " of " + size + " bytes where " + p.bytes + " were written (truncated or replaced)");
        Inflater inflater = new Inflater();
        CRC32 crc = new CRC32();
        try (InputStream raw = Files.newInputStream(file)) {
            CheckedInputStream checked = new CheckedInputStream(new InflaterInputStream(raw, inflater, IO_BUFFER), crc);
            DataInputStream in = new DataInputStream(new BufferedInputStream(checked, IO_BUFFER));
            reading.read(in);
            if (in.read() != -1) throw damaged(dir, "has more data in " + p.file + " than its manifest describes");
        } catch (EOFException | ZipException e) {
            throw damaged(dir, "has a truncated or corrupt " + p.file);
        } finally {
            inflater.end();
        }
        if (crc.getValue() != p.crc32) throw damaged(dir, "has a corrupt " + p.file + " (CRC-32 mismatch)");
    }

    /** A saved buffer that cannot be used: one line, naming the directory, the problem and the way out. */
    public static final class DamagedReplayException extends IOException {
        private static final long serialVersionUID = 1L;

        public DamagedReplayException(Path dir, String problem) {
            super("saved replay buffer " + dir + " " + problem + "; to resume without it (refilling the buffer instead), remove that directory");
        }
    }

    private static DamagedReplayException damaged(Path dir, String problem) { return new DamagedReplayException(dir, problem); }
}
