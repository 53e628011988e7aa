package dqnengine.cluster;

import dqnengine.backend.Backend;
import dqnengine.dqn.Checkpoint;
import dqnengine.dqn.DqnConfig;
import dqnengine.dqn.DqnLearner;
import dqnengine.dqn.MemoryCheck;
import dqnengine.dqn.RecentReturns;
import dqnengine.dqn.RunLog;
import dqnengine.env.Environment;
import dqnengine.io.SafeTensors;
import dqnengine.nn.Parameter;
import dqnengine.replay.ReplayBuffer;
import dqnengine.tensor.Tensor;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * The learner of an Ape-X style run (Horgan et al. 2018): it owns the replay, the networks and
 * the checkpoints, and never steps an environment. Actors in other processes play and send their
 * experience in chunks ({@link ExperienceChunk}); the learner stores each chunk's transitions in
 * the actor's own ring of the replay and runs the same updates a single-process {@code train} run
 * would, at the same points:
 * <pre>
 *   for each chunk, for each agent step s in it (counted over all actors):
 *     replay ← the transition                                  (the actor's stream)
 *     every trainEvery steps, once the replay holds the warm-up:  one update
 *     every targetEvery steps:                                   target ← online
 *     every logEvery / checkpointEvery steps:                    progress row / checkpoint
 *   every publishEvery updates: weights (version = updates) → every actor
 * </pre>
 * So the replay ratio (updates per agent step) is that of the preset, whatever the number of
 * actors; when actors produce faster than the learner can update, its bounded inbox fills and
 * they wait (back-pressure) instead of memory growing. With {@code freeRunning} (Ape-X's own
 * way) the learner instead updates as fast as it can, one update after each look at its inbox,
 * and takes whatever the actors send meanwhile; the target network is then synced every
 * targetEvery / trainEvery updates, the preset's number of updates between syncs.
 *
 * <p>Chunks from one actor are checked for continuity (its session id and sequence number):
 * after a gap (the learner restarted, the actor restarted, a chunk lost with a killed actor) the
 * actor's steps are counted but not stored until its next episode starts, so no stored
 * transition ever joins frames that were not consecutive. The warm-up after a resume is the same
 * min(learningStarts, replaySize / 2) transitions a resumed {@code train} run refills, but here
 * they are real steps of the actors and are counted.
 *
 * <p>The data flows one way: chunks in, weights out. {@link Link} is all the learner knows of the
 * cluster ({@link HazelcastLinks#learner} makes the real one; tests use a queue).
 */
public final class Learner {

    /** The learner's side of the cluster. */
    public interface Link extends AutoCloseable {
        /** Tells actors what this run is (before the first chunk is read). */
        void announce(Manifest manifest);

        /** The next chunk, or null after {@code timeoutMillis} without one. */
        byte[] take(long timeoutMillis) throws InterruptedException;

        /** Makes weights {@code version} (safetensors bytes) the ones actors pick up. */
        void publish(long version, byte[] weights);

        /** Tells actors the run reached its steps (they stop); called once, at the end of a run that was not interrupted. */
        void finish();

        @Override
        void close();
    }

    /** What a learner ended with. */
    public record Result(long steps, long updates, long episodes, double meanReturn100, long chunks, long chunksRejected, boolean interrupted) {}

    private final DqnConfig cfg;
    private final Backend be;
    private final Link link;
    private final Path runDir;
    private final PrintStream out;
    private final int actors;
    private final long publishEvery;
    private final boolean freeRunning;
    private volatile boolean stopRequested;

    private DqnLearner learner;
    private ReplayBuffer replay;
    private long step, updates, episodes, chunks, rejected, lastPublished = -1;
    private long warmup;
    private final RecentReturns recent = new RecentReturns();
    private double bestMean = Double.NEGATIVE_INFINITY;
    private long wallMillisBefore;
    private RunLog log;
    private int[] shape;
    private int actionCount, frameBytes;
    private byte[] observation;                     // a whole observation with the chunk's frame last (the replay reads the newest frame)
    private final Map<String, Long> savedAt = new HashMap<>();

    /** Each actor's stream: the session and next sequence number expected, and whether its steps are being stored. */
    private long[] session, nextSequence;
    private boolean[] storing;

    /**
     * @param probe an environment of the run's game, opened only to read its shapes (closed here)
     */
    public Learner(DqnConfig cfg, Backend be, Environment probe, Link link, Path runDir, PrintStream out, int actors, long publishEvery,
                   boolean freeRunning) {
        if (actors < 1) throw new IllegalArgumentException("a learner needs room for at least one actor");
        if (publishEvery < 1) throw new IllegalArgumentException("weights must be published every 1 or more updates");
        this.cfg = cfg;
        this.be = be;
        this.link = link;
        this.runDir = runDir;
        this.out = out;
        this.actors = actors;
        this.publishEvery = publishEvery;
        this.freeRunning = freeRunning;
        try (probe) {
            shape = probe.observationShape();
            actionCount = probe.actionCount();
            frameBytes = probe.encoding().bytes(shape) / probe.frameStack();
            observation = new byte[frameBytes * probe.frameStack()];
            MemoryCheck.replayFits(cfg, frameBytes, out);
            replay = new ReplayBuffer(cfg.replaySize, actors, frameBytes, probe.frameStack(), cfg.seed + 777);
            replay.setReturns(cfg.nStep, cfg.gamma);
            if (cfg.prioritized) replay.setPrioritized(cfg.priorityAlpha, cfg.priorityEps);
            learner = DqnLearner.fromConfig(be, cfg, shape, probe.encoding(), actionCount, cfg.seed);
        }
        session = new long[actors];
        nextSequence = new long[actors];
        storing = new boolean[actors];
    }

    /** Asks the loop to stop after the chunk in hand, save a checkpoint and return (SIGTERM, Ctrl-C). */
    public void requestStop() { stopRequested = true; }

    public long step() { return step; }

    public long updates() { return updates; }

    /** The replay (tests: what was stored). */
    ReplayBuffer replay() { return replay; }

    /** Trains from the actors' experience until {@code cfg.steps} agent steps have arrived (or a stop). */
    public Result run(Path resumeFrom) throws IOException, InterruptedException {
        warmup = cfg.learningStarts;
        if (resumeFrom != null) resume(resumeFrom);
        link.announce(new Manifest(Manifest.PROTOCOL, Manifest.thisVersion(), new Random().nextLong(), cfg.toJson(), actors, shape, actionCount));
        if (step >= cfg.learningStarts) publish();             // a resumed learner's actors act with its trained network at once
        try (RunLog runLog = new RunLog(cfg, runDir, out, step)) {
            log = runLog;
            Sink sink = new Sink();
            while (step < cfg.steps && !stopRequested) {
                byte[] chunk = link.take(freeRunning && ready() ? 0 : 200);
                if (chunk != null) ingest(chunk, sink);
                if (freeRunning && ready()) update();
                log.progressLineIfDue(step, episodes, recent, Double.NaN, learner.lastLoss());
            }
            log.lastProgressRow(step, updates, episodes, Double.NaN, recent.mean());
            save("latest");
            log.plots();
            log.progressLine(step, episodes, recent, Double.NaN, learner.lastLoss(), true);
        }
        if (!stopRequested) link.finish();
        return new Result(step, updates, episodes, recent.mean(), chunks, rejected, stopRequested);
    }

    /** One chunk: checked whole first, then its records in order; a malformed one is counted and skipped with a line. */
    private void ingest(byte[] chunk, Sink sink) throws IOException {
        try {
            ExperienceChunk.read(chunk, frameBytes, sink.checkingHeader());
            chunks++;
        } catch (ExperienceChunk.FormatException e) {
            rejected++;
            out.println("learner: skipped a chunk: " + e.getMessage());
        } catch (Rejected e) {
            rejected++;
            out.println("learner: skipped a chunk: " + e.getMessage());
        }
        if (sink.failure != null) {
            IOException f = sink.failure;
            sink.failure = null;
            throw f;
        }
    }

    /** A chunk whose header the learner cannot accept (checked before any record is used). */
    private static final class Rejected extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Rejected(String message) { super(message, null, false, false); }
    }

    /** Stores one chunk's records: the learner's side of {@link ExperienceChunk.Sink}. */
    private final class Sink implements ExperienceChunk.Sink {
        private int actor = -1;
        IOException failure;

        Sink checkingHeader() {
            actor = -1;
            return this;
        }

        @Override
        public void begin(ExperienceChunk.Header h) {
            if (h.actor() < 0 || h.actor() >= actors) throw new Rejected("actor index " + h.actor() + " is outside 0.." + (actors - 1));
            actor = h.actor();
            boolean continues = session[actor] == h.session() && nextSequence[actor] == h.sequence();
            if (!continues) storing[actor] = false;          // a gap: wait for the actor's next episode
            session[actor] = h.session();
            nextSequence[actor] = h.sequence() + 1;
        }

        @Override
        public void start(byte[] frame) {
            System.arraycopy(frame, 0, observation, observation.length - frameBytes, frameBytes);
            replay.start(actor, observation);
            storing[actor] = true;
        }

        @Override
        public void step(int action, float reward, boolean terminated, boolean truncated, float priority, byte[] frame) {
            if (step >= cfg.steps) return;                      // the run is complete: the rest of the chunk is not needed
            if (storing[actor]) {
                System.arraycopy(frame, 0, observation, observation.length - frameBytes, frameBytes);
                replay.add(actor, action, reward, terminated, truncated, observation);
                if (replay.prioritized() && !Float.isNaN(priority)) replay.prioritizeNewest(actor, priority);   // the actor's TD error
                if (terminated || truncated) storing[actor] = false;   // the next record of this actor is a START
            }
            step++;
            try {
                afterStep();
            } catch (IOException e) {
                if (failure == null) failure = e;
            }
        }

        @Override
        public void episode(double score, long length, float epsilon) {
            if (step >= cfg.steps) return;
            episodes++;
            recent.add(score);
            try {
                log.episode(episodes, step, actor, score, length, epsilon);
            } catch (IOException e) {
                if (failure == null) failure = e;
            }
        }
    }

    /** The duties of an agent step, as in a single-process run: update, target sync, records. */
    private void afterStep() throws IOException {
        if (!freeRunning && step % cfg.trainEvery == 0 && ready()) update();
        if (!freeRunning && step % cfg.targetEvery == 0) learner.updateTarget();
        if (step % cfg.logEvery == 0) {
            log.progressRow(step, updates, episodes, Double.NaN, recent.mean());
            if (recent.size() >= 10 && recent.mean() > bestMean && step >= cfg.learningStarts) {
                bestMean = recent.mean();
                save("best");
            }
        }
        if (step % cfg.checkpointEvery == 0) {
            save("latest");
            log.plots();
        }
    }

    /** Whether updates may start: past learningStarts, with the warm-up in the replay. */
    private boolean ready() { return step >= cfg.learningStarts && replay.size() >= warmup; }

    /** One update on a sampled batch; weights out every publishEvery updates; free-running: the target sync too. */
    private void update() {
        float loss = learner.update(replay, cfg.priorityBeta(step));
        log.update(loss, learner.lastMeanMaxQ());
        updates++;
        if (freeRunning && updates % Math.max(1, cfg.targetEvery / cfg.trainEvery) == 0) learner.updateTarget();
        if (updates - Math.max(lastPublished, 0) >= publishEvery) publish();
    }

    /** The online network's weights as safetensors bytes, version = updates so far; sent to every actor. */
    private void publish() {
        learner.syncToHost();
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        for (Parameter p : learner.online.parameters()) tensors.put(p.name(), p.value());
        link.publish(updates, SafeTensors.toBytes(tensors, Map.of("version", Long.toString(updates))));
        lastPublished = updates;
    }

    private void save(String kind) throws IOException {
        if (Long.valueOf(step).equals(savedAt.get(kind))) return;
        savedAt.put(kind, step);
        Checkpoint.State s = new Checkpoint.State();
        s.env = cfg.env;
        s.network = cfg.network;
        s.observationShape = shape;
        s.actions = actionCount;
        s.step = step;
        s.updates = updates;
        s.episodes = episodes;
        s.epsilon = Actor.BASE_EPSILON;                // the actors' ε_i are 0.4^(1 + 7i/(N−1)); a checkpoint holds one number
        s.replayRng = replay.rngState();
        s.bestMeanReturn = bestMean;
        s.recentReturns = recent.toArray();
        s.wallMillis = wallMillisBefore + log.millisSinceStart();
        Checkpoint.save(runDir, kind, learner, s);
    }

    private void resume(Path from) throws IOException {
        Checkpoint.State s = Checkpoint.load(from, learner, cfg.env, shape, actionCount);
        step = s.step;
        updates = s.updates;
        episodes = s.episodes;
        replay.setRngState(s.replayRng);
        bestMean = Files.isRegularFile(runDir.resolve("checkpoints").resolve("best")) ? s.bestMeanReturn : Double.NEGATIVE_INFINITY;
        recent.restore(s.recentReturns);
        savedAt.put("latest", step);
        wallMillisBefore = s.wallMillis;
        warmup = Math.min(cfg.learningStarts, cfg.replaySize / 2);
        out.printf(Locale.ROOT, "resumed from %s at step %,d (%,d updates, %,d episodes); training resumes once the replay holds %,d new transitions%n",
                from, step, updates, episodes, warmup);
    }
}
