package dqnengine.cluster;

import dqnengine.backend.Backend;
import dqnengine.dqn.DqnConfig;
import dqnengine.dqn.DqnLearner;
import dqnengine.env.Environment;
import dqnengine.env.Step;
import dqnengine.io.SafeTensors;
import dqnengine.nn.Parameter;
import dqnengine.tensor.Tensor;
import dqnengine.util.Rng;

import java.io.PrintStream;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Locale;
import java.util.Random;
import java.util.function.BiFunction;
import java.util.function.BooleanSupplier;

/**
 * An actor of an Ape-X style run (Horgan et al. 2018): it plays its own environment with its own
 * copy of the network and exploration rate, and ships what it saw to the learner in chunks.
 * <pre>
 *   ε_i = 0.4^(1 + 7 i / (N − 1))          actor i of N (ε = 0.4 when N = 1), as in Ape-X
 *   repeat:
 *     every syncEvery steps: if the learner published newer weights, load them
 *     a ← random with probability ε_i (always, until the first weights arrive), else argmax_a Q(s, a)
 *     s', r ← env.step(a);  chunk ← (a, r, flags, newest frame of s')
 *     every chunkSteps steps: send the chunk (waits while the learner's inbox is full)
 * </pre>
 * When the learner's replay is prioritized, the actor also computes each transition's initial
 * priority, as Ape-X's actors do, with its own copy of the network and the learner's n and γ:
 * <pre>
 *   δ_t = Σ_{k=0}^{m−1} γ^k r_{t+k} + γ^m max_a Q(s_{t+m}, a) − Q(s_t, a_t)   m = n, or fewer at an episode's end
 *                                                                        (no bootstrap after a termination)
 * </pre>
 * so it holds each step back until n more steps (or the episode's end) are known, and sends |δ_t|
 * with it; the learner stores (|δ_t| + ε)^α instead of the largest priority so far. Until the
 * first weights arrive it sends none.
 *
 * <p>The actor never trains and keeps nothing that matters: killed at any moment, it loses only the
 * chunk it had not sent yet. While the learner is away (restarting), {@link Link#send} keeps
 * trying; a learner that comes back with another game or version stops the actor with one line.
 */
public final class Actor {
    /** Ape-X's exploration: ε_i = BASE^(1 + ALPHA·i/(N−1)). */
    public static final double BASE_EPSILON = 0.4, ALPHA = 7;

    /** The actor's side of the cluster. */
    public interface Link extends AutoCloseable {
        /** The learner's description of the run (waits until one is there). */
        Manifest manifest() throws InterruptedException;

        /** This actor's index, 0 … manifest.actors − 1 (claimed once, kept while the actor lives). */
        int index();

        /**
         * Sends a chunk; waits while the learner's inbox is full or the learner is away, unless
         * {@code stop} says the actor is stopping. Returns whether the chunk was sent.
         */
        boolean send(byte[] chunk, BooleanSupplier stop) throws InterruptedException;

        /** The version of the newest weights the learner published, or −1 when it published none. */
        long weightsVersion() throws InterruptedException;

        /** The newest weights (safetensors bytes), or null. */
        byte[] weights() throws InterruptedException;

        /** Whether the learner said its run reached its steps. */
        boolean finished() throws InterruptedException;

        @Override
        void close();
    }

    /** Stops an actor: the learner's run is not one this actor can serve. */
    public static final class Incompatible extends RuntimeException {
        private static final long serialVersionUID = 1L;

        public Incompatible(String message) { super(message); }
    }

    /** What an actor did. */
    public record Result(long steps, long episodes, long chunks, long rawBytes, long sentBytes, long weightLoads) {}

    public static double epsilon(int index, int count) {
        return count <= 1 ? BASE_EPSILON : Math.pow(BASE_EPSILON, 1 + ALPHA * index / (count - 1.0));
    }

    private final Link link;
    private final BiFunction<DqnConfig, Long, Environment> envFactory;
    private final Backend be;
    private final String expectedEnv;
    private final PrintStream out;
    private final int chunkSteps, syncEvery;
    private volatile boolean stopRequested;

    /**
     * @param envFactory  opens the learner's game (its config) with a seed
     * @param expectedEnv the game this actor was asked to play, or null for the learner's
     */
    public Actor(Link link, BiFunction<DqnConfig, Long, Environment> envFactory, Backend be, String expectedEnv, PrintStream out,
                 int chunkSteps, int syncEvery) {
        if (chunkSteps < 1 || syncEvery < 1) throw new IllegalArgumentException("chunk steps and sync interval must be positive");
        this.link = link;
        this.envFactory = envFactory;
        this.be = be;
        this.expectedEnv = expectedEnv;
        this.out = out;
        this.chunkSteps = chunkSteps;
        this.syncEvery = syncEvery;
    }

    public void requestStop() { stopRequested = true; }

    /** Plays until stopped, or for {@code maxSteps} steps when it is positive. */
    public Result run(long maxSteps) throws InterruptedException {
        Manifest m = link.manifest();
        check(m);
        DqnConfig cfg = m.dqnConfig();
        int index = link.index();
        double eps = epsilon(index, m.actors());
        long seed = cfg.seed * 1_000_003L + 7_919L * (index + 1) + System.nanoTime() % 1_000_000L;
        Rng rng = new Rng(seed);
        long session = new Random().nextLong();
        long steps = 0, episodes = 0, chunks = 0, loads = 0;
        try (Environment env = envFactory.apply(cfg, seed)) {
            if (!Arrays.equals(env.observationShape(), m.observationShape()) || env.actionCount() != m.actions()) {
                throw new Incompatible("this actor's " + cfg.env + " has observations " + Arrays.toString(env.observationShape()) + " and "
                        + env.actionCount() + " actions; the learner's has " + Arrays.toString(m.observationShape()) + " and " + m.actions());
            }
            DqnLearner net = DqnLearner.fromConfig(be, cfg, env.observationShape(), env.encoding(), env.actionCount(), cfg.seed);
            int frameBytes = env.encoding().bytes(env.observationShape()) / env.frameStack();
            ExperienceChunk.Writer writer = new ExperienceChunk.Writer(index, session, frameBytes);
            out.printf(Locale.ROOT, "actor %d of up to %d: %s, epsilon %.4f, chunks of %d steps%n", index, m.actors(),
                    cfg.env, eps, chunkSteps);
            out.flush();
            long version = -1, incarnation = m.incarnation();
            byte[][] obs = {env.reset().observation()};
            writer.start(obs[0]);
            int[] greedy = new int[1];
            Priorities held = cfg.prioritized ? new Priorities(cfg.nStep, cfg.gamma, frameBytes) : null;
            double ret = 0;
            long length = 0;
            while (!stopRequested && (maxSteps <= 0 || steps < maxSteps)) {
                if (steps % syncEvery == 0) {
                    if (link.finished()) {
                        out.println("actor " + index + ": the learner finished its run");
                        break;
                    }
                    long v = link.weightsVersion();
                    if (v >= 0 && v != version) {
                        byte[] w = link.weights();
                        if (w != null) {
                            version = load(net, w);
                            loads++;
                        }
                    }
                    Manifest now = link.manifest();
                    if (now.incarnation() != incarnation) {          // the learner restarted: is it still our run?
                        check(now);
                        if (!now.config().equals(m.config())) throw new Incompatible("the learner restarted with other settings; start the actors again");
                        incarnation = now.incarnation();
                        out.println("actor " + index + ": the learner restarted; carrying on");
                    }
                }
                int a;
                float[] q = held != null && version >= 0 ? net.qValues(obs[0]) : null;   // prioritized: Q(s_t, ·) for the TD errors
                if (q != null) held.resolveOldest(max(q), writer);
                if (version < 0 || rng.nextDouble() < eps) {
                    a = rng.nextInt(env.actionCount());
                } else if (q != null) {
                    a = argmax(q);
                } else {
                    net.greedy(obs, 1, greedy);
                    a = greedy[0];
                }
                Step s = env.step(a);
                if (held == null || q == null) {
                    if (held != null) held.flush(writer);                        // weights arrived or not: keep the order of records
                    writer.step(a, s.reward(), s.terminated(), s.truncated(), s.observation());
                } else {
                    held.add(a, s.reward(), s.terminated(), s.truncated(), q[a], s.observation());
                }
                steps++;
                ret += s.score();
                length++;
                obs[0] = s.observation();
                if (s.done()) {
                    if (held != null) held.finish(s.terminated() || q == null ? 0 : max(net.qValues(s.observation())), s.terminated(), writer);
                    if (s.gameOver() || s.truncated()) {
                        writer.episode(ret, length, (float) eps);
                        episodes++;
                        ret = 0;
                        length = 0;
                    }
                    obs[0] = env.reset().observation();
                    writer.start(obs[0]);
                }
                if (writer.steps() >= chunkSteps) {
                    if (!link.send(writer.finish(), () -> stopRequested)) break;     // stopping while the learner is away or busy
                    chunks++;
                    if (link.finished()) {
                        out.println("actor " + index + ": the learner finished its run");
                        break;
                    }
                }
            }
            return new Result(steps, episodes, chunks, writer.rawBytes(), writer.packedBytes(), loads);
        }
    }

    private static float max(float[] q) {
        float m = q[0];
        for (float v : q) m = Math.max(m, v);
        return m;
    }

    private static int argmax(float[] q) {
        int best = 0;
        for (int i = 1; i < q.length; i++) if (q[i] > q[best]) best = i;
        return best;
    }

    /**
     * Steps held back until their n-step TD error is known (prioritized runs), oldest first:
     * each is written to the chunk with |δ| once n more steps or the episode's end are known.
     */
    static final class Priorities {
        private final int n;
        private final double gamma;
        private final ArrayDeque<float[]> numbers = new ArrayDeque<>();   // action, reward, terminated, truncated, Q(s_t, a_t)
        private final ArrayDeque<byte[]> frames = new ArrayDeque<>();
        private final int frameBytes;

        Priorities(int n, double gamma, int frameBytes) {
            this.n = n;
            this.gamma = gamma;
            this.frameBytes = frameBytes;
        }

        void add(int action, float reward, boolean terminated, boolean truncated, float qTaken, byte[] observation) {
            numbers.addLast(new float[] {action, reward, terminated ? 1 : 0, truncated ? 1 : 0, qTaken});
            frames.addLast(Arrays.copyOfRange(observation, observation.length - frameBytes, observation.length));
        }

        /** With max_a Q(s_now, a) known: the oldest step's window is complete when n steps are held. */
        void resolveOldest(float maxQNow, ExperienceChunk.Writer writer) {
            if (numbers.size() == n) writeOldest(maxQNow, false, writer);
        }

        /** At an episode's end: every held step, its window cut at the end (no bootstrap after a termination). */
        void finish(float maxQLast, boolean terminated, ExperienceChunk.Writer writer) {
            while (!numbers.isEmpty()) writeOldest(maxQLast, terminated, writer);
        }

        /** Writes every held step without a priority (the learner gives them the largest so far). */
        void flush(ExperienceChunk.Writer writer) {
            while (!numbers.isEmpty()) {
                float[] x = numbers.removeFirst();
                writer.step((int) x[0], x[1], x[2] != 0, x[3] != 0, frames.removeFirst());
            }
        }

        private void writeOldest(float bootstrap, boolean terminated, ExperienceChunk.Writer writer) {
            double ret = 0, discount = 1;
            for (float[] x : numbers) {
                ret += discount * x[1];
                discount *= gamma;
            }
            float[] first = numbers.removeFirst();
            double delta = ret + (terminated ? 0 : discount * bootstrap) - first[4];
            writer.step((int) first[0], first[1], first[2] != 0, first[3] != 0, (float) Math.abs(delta), frames.removeFirst());
        }
    }

    private void check(Manifest m) {
        String why = m.incompatibility(expectedEnv);
        if (why != null) throw new Incompatible(why);
    }

    /** Loads published weights into the acting network; returns their version. */
    private static long load(DqnLearner net, byte[] weights) {
        SafeTensors.Contents c;
        try {
            c = SafeTensors.fromBytes(weights, "the learner's weights");
        } catch (SafeTensors.FormatException e) {
            throw new Incompatible(e.getMessage());
        }
        for (Parameter p : net.online.parameters()) {
            Tensor t = c.tensors().get(p.name());
            if (t == null || t.size() != p.value().size()) throw new Incompatible("the learner's weights do not fit this actor's network (" + p.name() + ")");
            System.arraycopy(t.data, 0, p.value().data, 0, t.size());
        }
        net.hostWroteAll();
        return Long.parseLong(c.metadata().getOrDefault("version", "0"));
    }
}
