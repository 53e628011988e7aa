package dqnengine.replay;

import dqnengine.env.ObservationEncoding;
import dqnengine.util.Rng;

/**
 * Experience replay (Lin 1992; Mnih et al. 2015) as a ring of single frames.
 *
 * <p>An Atari observation is a stack of the last 4 frames, but consecutive observations share 3
 * of them, so storing stacks would hold every frame four times (28 GB for the Nature buffer of
 * one million transitions). We store each frame once, one byte per pixel, and rebuild the stacks
 * when a batch is sampled (as Dopamine does). One million 84x84 frames are 7.06 GB.
 *
 * <p>Layout. The buffer is split into {@code streams} equal rings, one per environment stepped in
 * parallel, so that each ring holds one environment's frames in time order. Every slot holds:
 * <pre>
 *   frame[slot]    the newest frame of one observation                frameBytes bytes
 *   action[slot]   the action taken from that observation             int
 *   reward[slot]   the reward that action earned                      float
 *   flags[slot]    START   the first observation of an episode
 *                  NEXT    an action was taken here: slot+1 holds the next observation
 *                  TERMINATED, TRUNCATED   how that transition ended its episode
 * </pre>
 * A transition (s, a, r, s') is a slot with NEXT. Its stacks are the {@code stack} frames ending
 * at slot and at slot+1, never reaching back past the episode's START: there the first frame is
 * repeated, exactly as {@code AtariEnvironment} fills its first stack. A slot whose stack would
 * reach into frames already overwritten at the ring's write cursor is never sampled, and neither
 * is the newest slot (its next observation does not exist yet). After an episode ends, its last
 * observation keeps a slot of its own (no NEXT): truncated episodes bootstrap from it.
 *
 * <p>Sampling is uniform over the valid transitions of all rings (by rejection: almost every slot
 * is valid), seeded, and allocates nothing.
 */
public final class ReplayBuffer {
    public static final byte START = 1, NEXT = 2, TERMINATED = 4, TRUNCATED = 8;

    private final int capacity, streams, perStream, frameBytes, stack;
    private final int slotsPerChunk;
    private final byte[][] chunks;
    private final int[] actions;
    private final float[] rewards;
    private final byte[] flags;
    private final long[] written;            // slots ever written, per stream
    private final boolean[] inEpisode;       // an episode is under way: add() may follow
    private final Rng rng;

    /**
     * @param capacity   frames held in all (at least 2 per stream plus the stack)
     * @param streams    environments that add transitions side by side
     * @param frameBytes bytes of one frame (84·84 for Atari; a whole observation when stack is 1)
     * @param stack      frames per observation
     */
    public ReplayBuffer(int capacity, int streams, int frameBytes, int stack, long seed) {
        if (streams < 1 || frameBytes < 1 || stack < 1) throw new IllegalArgumentException("streams, frameBytes and stack must be positive");
        if (capacity / streams < stack + 2) {
            throw new IllegalArgumentException("replay capacity " + capacity + " is too small for " + streams + " environments (need at least "
                    + (long) streams * (stack + 2) + ")");
        }
        this.capacity = capacity - capacity % streams;
        this.streams = streams;
        this.perStream = this.capacity / streams;
        this.frameBytes = frameBytes;
        this.stack = stack;
        this.slotsPerChunk = Math.max(1, (1 << 30) / frameBytes);
        int chunkCount = (this.capacity + slotsPerChunk - 1) / slotsPerChunk;
        this.chunks = new byte[chunkCount][];
        for (int c = 0; c < chunkCount; c++) {
            int slots = Math.min(slotsPerChunk, this.capacity - c * slotsPerChunk);
            chunks[c] = new byte[slots * frameBytes];
        }
        this.actions = new int[this.capacity];
        this.rewards = new float[this.capacity];
        this.flags = new byte[this.capacity];
        this.written = new long[streams];
        this.inEpisode = new boolean[streams];
        this.rng = new Rng(seed);
    }

    /** Bytes a buffer of {@code capacity} frames of {@code frameBytes} needs on the heap. */
    public static long bytesNeeded(long capacity, int frameBytes) {
        return capacity * (frameBytes + Integer.BYTES + Float.BYTES + 1L);
    }

    public int capacity() { return capacity; }
    public int streams() { return streams; }
    public int stack() { return stack; }
    public int frameBytes() { return frameBytes; }

    /** Frames added so far, all streams together. */
    public long added() {
        long n = 0;
        for (long w : written) n += w;
        return n;
    }

    /** Frames held now: {@code min(added, capacity)} per stream. */
    public long size() {
        long n = 0;
        for (long w : written) n += Math.min(w, perStream);
        return n;
    }

    /** Starts an episode in {@code stream} with its first observation (its newest frame is stored). */
    public void start(int stream, byte[] observation) {
        write(stream, observation, START);
        inEpisode[stream] = true;
    }

    /**
     * Records the action taken from the stream's latest observation, what it earned and how it
     * ended, and stores the observation that followed.
     */
    public void add(int stream, int action, float reward, boolean terminated, boolean truncated, byte[] nextObservation) {
        if (!inEpisode[stream]) {
            throw new IllegalStateException("stream " + stream + " has no episode under way: call start() with its first observation");
        }
        int last = slot(stream, written[stream] - 1);
        actions[last] = action;
        rewards[last] = reward;
        flags[last] |= (byte) (NEXT | (terminated ? TERMINATED : 0) | (truncated ? TRUNCATED : 0));
        write(stream, nextObservation, (byte) 0);
        inEpisode[stream] = !(terminated || truncated);
    }

    private void write(int stream, byte[] observation, byte flag) {
        int expected = frameBytes * stack;
        if (observation.length != expected) {
            throw new IllegalArgumentException("observation has " + observation.length + " bytes, this buffer stores " + expected);
        }
        int s = slot(stream, written[stream]);
        System.arraycopy(observation, expected - frameBytes, chunks[s / slotsPerChunk], (s % slotsPerChunk) * frameBytes, frameBytes);
        flags[s] = flag;
        actions[s] = 0;
        rewards[s] = 0;
        written[stream]++;
    }

    private int slot(int stream, long absolute) {
        return stream * perStream + (int) (absolute % perStream);
    }

    /**
     * The earliest absolute slot the stacks of transition {@code a} use, or −1 if {@code a} is not
     * a transition that can be sampled now.
     */
    long firstFrame(int stream, long a) {
        long w = written[stream], oldest = Math.max(0, w - perStream);
        if (a < oldest || a + 1 >= w) return -1;
        if ((flags[slot(stream, a)] & NEXT) == 0) return -1;
        long lo = a;
        for (int k = 1; k < stack; k++) {
            if ((flags[slot(stream, lo)] & START) != 0) break;
            if (lo - 1 < oldest) return -1;               // the rest of the stack was overwritten
            lo--;
        }
        return lo;
    }

    /** Whether at least one transition can be sampled. */
    public boolean canSample() {
        for (int s = 0; s < streams; s++) {
            for (long a = written[s] - 2; a >= Math.max(0, written[s] - perStream) && a >= written[s] - 2 - stack - 2; a--) {
                if (a >= 0 && firstFrame(s, a) >= 0) return true;
            }
        }
        return false;
    }

    /** A batch of transitions as indices into the buffer, filled by {@link #sample}. */
    public static final class Batch {
        public final int size;
        public final int[] stream, actions;
        public final long[] slot, first;
        public final float[] rewards, terminated;

        public Batch(int size) {
            this.size = size;
            stream = new int[size];
            actions = new int[size];
            slot = new long[size];
            first = new long[size];
            rewards = new float[size];
            terminated = new float[size];
        }
    }

    /** Draws {@code batch.size} transitions uniformly, with replacement. */
    public void sample(Batch batch) {
        if (!canSample()) throw new IllegalStateException("the replay buffer holds no complete transition yet");
        for (int i = 0; i < batch.size; i++) {
            int s;
            long a, first;
            do {
                s = rng.nextInt(streams);
                long held = Math.min(written[s], perStream);
                if (held < 2) { first = -1; a = 0; continue; }
                a = written[s] - held + rng.nextInt((int) held - 1);
                first = firstFrame(s, a);
            } while (first < 0);
            int k = slot(s, a);
            batch.stream[i] = s;
            batch.slot[i] = a;
            batch.first[i] = first;
            batch.actions[i] = actions[k];
            batch.rewards[i] = rewards[k];
            batch.terminated[i] = (flags[k] & TERMINATED) != 0 ? 1f : 0f;
        }
    }

    /**
     * Decodes the observations of a sampled batch straight from the ring into {@code dst} (the
     * network's input, [batch, stack·…] row-major): s when {@code next} is false, s' when true.
     */
    public void gather(Batch batch, boolean next, ObservationEncoding encoding, float[] dst) {
        int values = frameBytes / encoding.bytesPerValue;
        int perObs = values * stack;
        if (dst.length < batch.size * perObs) throw new IllegalArgumentException("destination too small for the batch");
        for (int i = 0; i < batch.size; i++) {
            for (int j = 0; j < stack; j++) {
                int s = stackSlot(batch, i, j, next);
                encoding.decode(chunks[s / slotsPerChunk], (s % slotsPerChunk) * frameBytes, dst, i * perObs + j * values, values);
            }
        }
    }

    /**
     * Copies the raw bytes of a sampled batch's observations into {@code dst} ([batch, stack·frame]
     * bytes): what a device backend uploads before converting to floats itself.
     */
    public void gatherBytes(Batch batch, boolean next, byte[] dst) {
        int perObs = frameBytes * stack;
        if (dst.length < batch.size * perObs) throw new IllegalArgumentException("destination too small for the batch");
        for (int i = 0; i < batch.size; i++) {
            for (int j = 0; j < stack; j++) {
                int s = stackSlot(batch, i, j, next);
                System.arraycopy(chunks[s / slotsPerChunk], (s % slotsPerChunk) * frameBytes, dst, i * perObs + j * frameBytes, frameBytes);
            }
        }
    }

    /**
     * The ring slot of frame j (0 = oldest) of transition i's state (or next state): the frames end
     * at the transition's slot (or the one after) and never reach back past its episode's start,
     * where the first frame repeats.
     */
    private int stackSlot(Batch batch, int i, int j, boolean next) {
        long end = batch.slot[i] + (next ? 1 : 0);
        return slot(batch.stream[i], Math.max(batch.first[i], end - (stack - 1 - j)));
    }

    /** The random source's state, for checkpoints. */
    public long rngState() { return rng.state(); }

    public void setRngState(long state) { rng.setState(state); }
}
