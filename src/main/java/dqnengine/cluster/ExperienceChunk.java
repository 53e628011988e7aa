package dqnengine.cluster;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;

/**
 * A stretch of one actor's experience as it travels to the learner: the same calls the replay
 * buffer receives in a single-process run ({@code start}, {@code add}), in order, plus the
 * returns of the episodes that ended. Only the newest frame of each observation travels (the
 * replay stores single frames and rebuilds the stacks), deflated.
 * <pre>
 *   header   magic "DQNX", format version, actor index, session id, sequence number,
 *            frame bytes, agent steps in the chunk, records
 *   records  START    frame                                    the first observation of an episode
 *            STEP     action, reward, flags, priority, frame   an action and the observation it led to; the
 *                                                      actor's |TD error| for it, or NaN (prioritized runs)
 *            EPISODE  return, length, epsilon                  a game over (or cut-off) episode's score
 * </pre>
 * The session id is drawn at random when an actor starts, and the sequence number counts its
 * chunks from 0: the learner tells from them whether a chunk continues the one before it from
 * the same actor, or whether something was lost in between (an actor restarted, a learner
 * restarted, a chunk that never arrived).
 */
public final class ExperienceChunk {
    static final int MAGIC = 0x44514E58;            // "DQNX"
    static final int FORMAT = 1;
    static final byte START = 1, STEP = 2, EPISODE = 3;
    static final byte TERMINATED = 1, TRUNCATED = 2;
    private static final int HEADER_BYTES = 4 + 4 + 4 + 8 + 8 + 4 + 4 + 4;

    private ExperienceChunk() {}

    /** What the learner does with a chunk's records, in order. */
    public interface Sink {
        /** The chunk's header, after the whole chunk was checked and before its first record. */
        default void begin(Header header) {}

        void start(byte[] frame);

        /** {@code priority}: the actor's |TD error| of this transition, NaN when it sent none. */
        void step(int action, float reward, boolean terminated, boolean truncated, float priority, byte[] frame);

        void episode(double score, long length, float epsilon);
    }

    /** A chunk's header. */
    public record Header(int actor, long session, long sequence, int frameBytes, int steps, int records) {}

    /** Collects one actor's records and packs them into chunks (one writer per actor, reused). */
    public static final class Writer {
        private final int actor, frameBytes;
        private final long session;
        private ByteBuffer body;
        private int steps, records;
        private long sequence;
        private final Deflater deflater = new Deflater(Deflater.BEST_SPEED);
        private final ByteArrayOutputStream packed = new ByteArrayOutputStream();
        private final byte[] buffer = new byte[1 << 16];
        private long rawBytes, packedBytes;

        public Writer(int actor, long session, int frameBytes) {
            if (frameBytes < 1) throw new IllegalArgumentException("frameBytes must be positive");
            this.actor = actor;
            this.session = session;
            this.frameBytes = frameBytes;
            this.body = ByteBuffer.allocate(HEADER_BYTES + 64 * (frameBytes + 16));
            body.position(HEADER_BYTES);
        }

        /** The first observation of an episode ({@code observation}'s last frameBytes bytes are its newest frame). */
        public void start(byte[] observation) {
            room(1 + frameBytes);
            body.put(START).put(observation, observation.length - frameBytes, frameBytes);
            records++;
        }

        /** An action, what it earned and the observation that followed. */
        public void step(int action, float reward, boolean terminated, boolean truncated, byte[] observation) {
            step(action, reward, terminated, truncated, Float.NaN, observation);
        }

        /** As {@link #step(int, float, boolean, boolean, byte[])}, with the actor's |TD error| for the transition. */
        public void step(int action, float reward, boolean terminated, boolean truncated, float priority, byte[] observation) {
            if (action < 0 || action > Short.MAX_VALUE) throw new IllegalArgumentException("action " + action);
            room(1 + 2 + 4 + 1 + 4 + frameBytes);
            body.put(STEP).putShort((short) action).putFloat(reward)
                    .put((byte) ((terminated ? TERMINATED : 0) | (truncated ? TRUNCATED : 0)))
                    .putFloat(priority)
                    .put(observation, observation.length - frameBytes, frameBytes);
            steps++;
            records++;
        }

        /** An episode that ended with the game over (or was cut off), with its unclipped score. */
        public void episode(double score, long length, float epsilon) {
            room(1 + 8 + 8 + 4);
            body.put(EPISODE).putDouble(score).putLong(length).putFloat(epsilon);
            records++;
        }

        /** Agent steps collected since the last {@link #finish}. */
        public int steps() { return steps; }

        /** The chunk of everything collected since the last call, deflated; the writer starts the next one. */
        public byte[] finish() {
            int end = body.position();
            body.position(0);
            body.putInt(MAGIC).putInt(FORMAT).putInt(actor).putLong(session).putLong(sequence).putInt(frameBytes).putInt(steps).putInt(records);
            deflater.reset();
            deflater.setInput(body.array(), 0, end);
            deflater.finish();
            packed.reset();
            while (!deflater.finished()) {
                int n = deflater.deflate(buffer);
                packed.write(buffer, 0, n);
            }
            rawBytes += end;
            packedBytes += packed.size();
            sequence++;
            steps = 0;
            records = 0;
            body.position(HEADER_BYTES);
            return packed.toByteArray();
        }

        /** Bytes before and after deflating, over all chunks so far. */
        public long rawBytes() { return rawBytes; }

        public long packedBytes() { return packedBytes; }

        private void room(int bytes) {
            if (body.remaining() >= bytes) return;
            body = ByteBuffer.wrap(Arrays.copyOf(body.array(), Math.max(body.capacity() * 2, body.position() + bytes))).position(body.position());
        }
    }

    /** A chunk that is not one: one line on what is wrong with it. */
    public static final class FormatException extends Exception {
        private static final long serialVersionUID = 1L;

        FormatException(String problem) { super("experience chunk: " + problem); }
    }

    /**
     * Unpacks {@code chunk} and hands its records to {@code sink} in order, after checking the
     * whole chunk (nothing reaches the sink from a malformed one). {@code frameBytes}: what the
     * learner expects.
     */
    public static Header read(byte[] chunk, int frameBytes, Sink sink) throws FormatException {
        ByteBuffer b = ByteBuffer.wrap(inflate(chunk));
        if (b.remaining() < HEADER_BYTES) throw new FormatException("only " + b.remaining() + " bytes");
        if (b.getInt() != MAGIC) throw new FormatException("wrong magic number (not from a dqn-engine actor)");
        int format = b.getInt();
        if (format != FORMAT) throw new FormatException("format " + format + ", this learner reads format " + FORMAT);
        Header h = new Header(b.getInt(), b.getLong(), b.getLong(), b.getInt(), b.getInt(), b.getInt());
        if (h.frameBytes() != frameBytes) {
            throw new FormatException("frames of " + h.frameBytes() + " bytes, the learner's environment has " + frameBytes);
        }
        int bodyStart = b.position();
        walk(b, h, null);                    // check first
        b.position(bodyStart);
        sink.begin(h);
        walk(b, h, sink);
        return h;
    }

    private static void walk(ByteBuffer b, Header h, Sink sink) throws FormatException {
        byte[] frame = new byte[h.frameBytes()];
        int steps = 0;
        for (int r = 0; r < h.records(); r++) {
            if (!b.hasRemaining()) throw new FormatException("ends after " + r + " of " + h.records() + " records");
            byte kind = b.get();
            int need = switch (kind) {
                case START -> h.frameBytes();
                case STEP -> 2 + 4 + 1 + 4 + h.frameBytes();
                case EPISODE -> 8 + 8 + 4;
                default -> throw new FormatException("unknown record kind " + kind + " at record " + r);
            };
            if (b.remaining() < need) throw new FormatException("record " + r + " is cut short");
            switch (kind) {
                case START -> {
                    b.get(frame);
                    if (sink != null) sink.start(frame);
                }
                case STEP -> {
                    int action = b.getShort();
                    float reward = b.getFloat();
                    byte flags = b.get();
                    float priority = b.getFloat();
                    b.get(frame);
                    steps++;
                    if (sink != null) sink.step(action, reward, (flags & TERMINATED) != 0, (flags & TRUNCATED) != 0, priority, frame);
                }
                default -> {
                    double score = b.getDouble();
                    long length = b.getLong();
                    float eps = b.getFloat();
                    if (sink != null) sink.episode(score, length, eps);
                }
            }
        }
        if (b.hasRemaining()) throw new FormatException(b.remaining() + " bytes after the last record");
        if (steps != h.steps()) throw new FormatException("header says " + h.steps() + " steps, the records hold " + steps);
    }

    private static byte[] inflate(byte[] chunk) throws FormatException {
        Inflater inf = new Inflater();
        try {
            inf.setInput(chunk);
            ByteArrayOutputStream out = new ByteArrayOutputStream(chunk.length * 4);
            byte[] buf = new byte[1 << 16];
            while (!inf.finished()) {
                int n = inf.inflate(buf);
                if (n == 0 && (inf.needsInput() || inf.needsDictionary())) throw new FormatException("deflated data is cut short");
                out.write(buf, 0, n);
                if (out.size() > (1 << 30)) throw new FormatException("unpacks to more than 1 GiB");
            }
            return out.toByteArray();
        } catch (DataFormatException e) {
            throw new FormatException("not deflated data (" + e.getMessage() + ")");
        } finally {
            inf.end();
        }
    }
}
