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
import java.util.Arrays;
import java.util.Locale;
import java.util.function.BiFunction;

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
 * The actor never trains and keeps nothing that matters: killed at any moment, it loses only the
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
        boolean send(byte[] chunk, java.util.function.BooleanSupplier stop) throws InterruptedException;

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
        long session = new java.util.Random().nextLong();
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
                if (version < 0 || rng.nextDouble() < eps) {
                    a = rng.nextInt(env.actionCount());
                } else {
                    net.greedy(obs, 1, greedy);
                    a = greedy[0];
                }
                Step s = env.step(a);
                writer.step(a, s.reward(), s.terminated(), s.truncated(), s.observation());
                steps++;
                ret += s.score();
                length++;
                obs[0] = s.observation();
                if (s.done()) {
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
