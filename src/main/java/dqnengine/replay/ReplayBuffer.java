package dqnengine.replay;

import dqnengine.env.ObservationEncoding;
import dqnengine.util.Rng;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;

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
 *
 * <p><b>n-step returns</b> ({@link #setReturns}, Sutton 1988; Hessel et al. 2018): the sampled
 * transition from s_t carries
 * <pre>
 *   reward   R = Σ_{k&lt;m} γ^k r_{t+k}        m = n, or fewer when the episode ends first
 *   discount d = γ^m, or 0 when the episode terminated within the window
 *   next     s_{t+m}
 * </pre>
 * so the TD target is R + d · max_a Q(s_{t+m}, a). A truncation (time limit) inside the window
 * ends it at m but bootstraps from the last real observation (d = γ^m), a termination does not
 * (d = 0). A transition whose window reaches past the newest stored step (its rewards are not
 * known yet) is not sampled. With n = 1 this is the one-step transition, d = γ(1 − terminated).
 *
 * <p><b>Prioritized replay</b> ({@link #setPrioritized}, Schaul et al. 2016, proportional
 * variant): a {@link SumTree} beside the ring holds p_i^α for every complete transition; a new one
 * gets the largest priority set so far; transition i is drawn with probability P(i) = p_i^α / Σ_k
 * p_k^α, one draw from each of B equal slices of the total (stratified); the learner then
 * weighs its loss by w_i = (N·P(i))^(−β) / max_j w_j (the max over the batch, as Dopamine does)
 * and sets p_i = |δ_i| + ε through {@link #updatePriorities}.
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
    private int nStep = 1;
    private float gamma = 0.99f;
    private SumTree priorities;              // null: uniform sampling
    private double alpha, priorityEps;

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

    /** Returns over {@code n} steps with discount {@code gamma} (n = 1: one-step transitions). */
    public void setReturns(int n, double gamma) {
        if (n < 1 || n > 100) throw new IllegalArgumentException("n-step must be between 1 and 100, got " + n);
        if (!(gamma >= 0 && gamma <= 1)) throw new IllegalArgumentException("gamma must be in [0, 1], got " + gamma);
        if (n >= perStream - stack) throw new IllegalArgumentException("n-step " + n + " needs a replay of more than " + (n + stack) + " frames per environment");
        this.nStep = n;
        this.gamma = (float) gamma;
    }

    /**
     * Turns on proportional prioritized sampling with exponent {@code alpha}; a priority is
     * |δ| + {@code eps}. Call before anything is added.
     */
    public void setPrioritized(double alpha, double eps) {
        if (added() > 0) throw new IllegalStateException("turn prioritized replay on before adding transitions");
        if (!(alpha >= 0 && alpha <= 1) || !(eps > 0)) throw new IllegalArgumentException("need alpha in [0, 1] and eps > 0");
        this.priorities = new SumTree(capacity);
        this.alpha = alpha;
        this.priorityEps = eps;
    }

    public boolean prioritized() { return priorities != null; }

    /** Bytes the sum tree of a prioritized buffer of {@code capacity} frames takes besides the ring. */
    public static long priorityBytes(int capacity) { return SumTree.bytes(capacity); }

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
        if (priorities != null) priorities.set(last, priorities.maxSet() > 0 ? priorities.maxSet() : 1.0);   // new: the largest priority so far
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
        if (priorities != null) priorities.set(s, 0);            // the transition that was here is gone
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
            // the newest transitions whose stacks and n-step windows could be complete
            for (long a = written[s] - 2; a >= Math.max(0, written[s] - perStream) && a >= written[s] - 2 - stack - 2 - nStep; a--) {
                if (fill(probe, 0, s, a)) return true;
            }
        }
        return false;
    }

    /** A one-row batch for {@link #canSample} to try transitions in (allocated once). */
    private final Batch probe = new Batch(1);

    /**
     * A batch of transitions as indices into the buffer, filled by {@link #sample}: for each,
     * the action, the (n-step) reward, whether the episode terminated within the window, the
     * bootstrap discount d (γ^m, 0 after a termination), how many steps ahead s' is, and the
     * importance weight (1 for uniform sampling).
     */
    public static final class Batch {
        public final int size;
        public final int[] stream, actions, nextOffset;
        public final long[] slot, first;
        public final float[] rewards, terminated, discount, weights;

        public Batch(int size) {
            this.size = size;
            stream = new int[size];
            actions = new int[size];
            nextOffset = new int[size];
            slot = new long[size];
            first = new long[size];
            rewards = new float[size];
            terminated = new float[size];
            discount = new float[size];
            weights = new float[size];
        }
    }

    /**
     * Draws {@code batch.size} transitions with replacement: uniformly, or by priority when
     * prioritized ({@code beta} is then the importance-weight exponent; ignored when uniform).
     */
    public void sample(Batch batch, double beta) {
        if (!canSample()) throw new IllegalStateException("the replay buffer holds no complete transition yet");
        if (priorities != null) {
            samplePrioritized(batch, beta);
            return;
        }
        for (int i = 0; i < batch.size; i++) {
            int s;
            long a;
            do {
                s = rng.nextInt(streams);
                long held = Math.min(written[s], perStream);
                if (held < 2) { a = -1; continue; }
                a = written[s] - held + rng.nextInt((int) held - 1);
            } while (!fill(batch, i, s, a));
            batch.weights[i] = 1f;
        }
    }

    /** Uniform sampling (one-step or n-step). */
    public void sample(Batch batch) { sample(batch, 0); }

    private void samplePrioritized(Batch batch, double beta) {
        double total = priorities.total();
        if (!(total > 0)) throw new IllegalStateException("the replay buffer holds no complete transition yet");
        double segment = total / batch.size, maxWeight = 0;
        long held = size();
        for (int i = 0; i < batch.size; i++) {
            double u = (i + rng.nextDouble()) * segment;              // stratified: one draw per slice
            for (int tries = 0; ; tries++) {
                int leaf = priorities.find(u);
                int s = leaf / perStream;
                long a = absolute(s, leaf % perStream);
                if (a >= 0 && fill(batch, i, s, a)) {
                    double prob = priorities.get(leaf) / total;
                    batch.weights[i] = (float) Math.pow(held * prob, -beta);
                    break;
                }
                if (tries > 10_000) throw new IllegalStateException("no valid prioritized transition found");
                u = rng.nextDouble() * total;                            // invalid now (its window is not complete): redraw
            }
            maxWeight = Math.max(maxWeight, batch.weights[i]);
        }
        for (int i = 0; i < batch.size; i++) batch.weights[i] = (float) (batch.weights[i] / maxWeight);
    }

    /** The absolute step of ring position {@code pos} in stream {@code s}, or −1 if it holds nothing. */
    private long absolute(int s, int pos) {
        long w = written[s];
        if (w == 0) return -1;
        long newest = w - 1;
        long a = newest - Math.floorMod(newest - pos, (long) perStream);
        return a >= 0 ? a : -1;
    }

    /**
     * Fills row i of the batch with transition {@code a} of stream {@code s}, walking its n-step
     * window; false (nothing written that matters) if it cannot be sampled now.
     */
    private boolean fill(Batch batch, int i, int s, long a) {
        if (a < 0) return false;
        long first = firstFrame(s, a);
        if (first < 0) return false;
        long w = written[s];
        float reward = 0, g = 1;
        int m = 0;
        boolean terminal = false;
        for (long t = a; ; t++) {
            if (t + 1 >= w) return false;                         // the window reaches past the newest step
            int k = slot(s, t);
            if ((flags[k] & NEXT) == 0) return false;
            reward += g * rewards[k];
            g *= gamma;
            m++;
            if ((flags[k] & TERMINATED) != 0) { terminal = true; break; }
            if ((flags[k] & TRUNCATED) != 0 || m == nStep) break;
        }
        int k = slot(s, a);
        batch.stream[i] = s;
        batch.slot[i] = a;
        batch.first[i] = first;
        batch.actions[i] = actions[k];
        batch.rewards[i] = reward;
        batch.terminated[i] = terminal ? 1f : 0f;
        batch.discount[i] = terminal ? 0f : g;
        batch.nextOffset[i] = m;
        return true;
    }

    /** Sets the priorities of a sampled batch's transitions from their TD errors: p = (|δ| + ε)^α. */
    public void updatePriorities(Batch batch, float[] tdErrors) {
        if (priorities == null) throw new IllegalStateException("this replay buffer samples uniformly");
        for (int i = 0; i < batch.size; i++) {
            int k = slot(batch.stream[i], batch.slot[i]);
            if (priorities.get(k) == 0) continue;                 // overwritten since it was sampled
            priorities.set(k, Math.pow(Math.abs(tdErrors[i]) + priorityEps, alpha));
        }
    }

    /**
     * Sets the priority of the stream's newest transition from a TD error computed elsewhere (a
     * cluster actor's, with its own copy of the network): p = (|δ| + ε)^α, in place of the
     * largest-so-far it entered with.
     */
    public void prioritizeNewest(int stream, double tdError) {
        if (priorities == null) throw new IllegalStateException("this replay buffer samples uniformly");
        if (written[stream] < 2) return;
        int k = slot(stream, written[stream] - 2);
        if ((flags[k] & NEXT) == 0) return;
        priorities.set(k, Math.pow(Math.abs(tdError) + priorityEps, alpha));
    }

    /** The current priority (p^α) of transition {@code a} of stream {@code s}, for tests. */
    double priority(int s, long a) { return priorities.get(slot(s, a)); }

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
     * at the transition's slot (or m slots later, m = its n-step window) and never reach back past
     * its episode's start, where the first frame repeats.
     */
    private int stackSlot(Batch batch, int i, int j, boolean next) {
        long end = batch.slot[i] + (next ? batch.nextOffset[i] : 0);
        return slot(batch.stream[i], Math.max(batch.first[i], end - (stack - 1 - j)));
    }

    /** The random source's state, for checkpoints. */
    public long rngState() { return rng.state(); }

    public void setRngState(long state) { rng.setState(state); }

    // --- What ReplayFiles needs to save the buffer with a checkpoint and restore it. Ring slot
    // numbers here are the ring's own: stream s holds slots s·perStream … (s+1)·perStream − 1.

    int perStream() { return perStream; }

    /** Frames ever written to {@code stream}; the one of absolute step a is in slot s·perStream + a mod perStream. */
    long written(int stream) { return written[stream]; }

    boolean inEpisode(int stream) { return inEpisode[stream]; }

    /** The priorities, or null when sampling is uniform. */
    SumTree priorityTree() { return priorities; }

    /**
     * Writes ring slots [first, first + count) to {@code out}: their frames (count · frameBytes
     * bytes, straight from the ring, no copy), then their actions, rewards (raw float bits) and flags.
     */
    void writeSlots(int first, int count, DataOutput out) throws IOException {
        for (int s = first; s < first + count; ) {
            int within = s % slotsPerChunk, run = Math.min(first + count - s, slotsPerChunk - within);
            out.write(chunks[s / slotsPerChunk], within * frameBytes, run * frameBytes);
            s += run;
        }
        for (int s = first; s < first + count; s++) out.writeInt(actions[s]);
        for (int s = first; s < first + count; s++) out.writeInt(Float.floatToRawIntBits(rewards[s]));
        out.write(flags, first, count);
    }

    /** Reads into ring slots [first, first + count) what {@link #writeSlots} wrote. */
    void readSlots(int first, int count, DataInput in) throws IOException {
        for (int s = first; s < first + count; ) {
            int within = s % slotsPerChunk, run = Math.min(first + count - s, slotsPerChunk - within);
            in.readFully(chunks[s / slotsPerChunk], within * frameBytes, run * frameBytes);
            s += run;
        }
        for (int s = first; s < first + count; s++) actions[s] = in.readInt();
        for (int s = first; s < first + count; s++) rewards[s] = Float.intBitsToFloat(in.readInt());
        in.readFully(flags, first, count);
    }

    /** Sets each stream's count of frames written and whether an episode is under way (after its slots were read back). */
    void restoreCounters(long[] writtenPerStream, boolean[] inEpisodePerStream) {
        System.arraycopy(writtenPerStream, 0, written, 0, streams);
        System.arraycopy(inEpisodePerStream, 0, inEpisode, 0, streams);
    }
}
