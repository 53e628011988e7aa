package dqnengine.dqn;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonParseException;
import dqnengine.io.AtomicFiles;
import dqnengine.io.ParameterFile;
import dqnengine.io.SafeTensors;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A training checkpoint: a directory {@code <run>/checkpoints/step-<N>/} holding
 * <pre>
 *   online.safetensors   online network + optimizer state (ParameterFile format)
 *   target.safetensors   target network
 *   state.json           counters, ε, random-source states, recent returns, the run's identity
 * </pre>
 * It is written into a hidden temporary directory, every file forced to disk, then renamed into
 * place; only then does the pointer file {@code checkpoints/latest} (or {@code best}) change,
 * itself by an atomic rename. So a checkpoint is either whole or never pointed at: a crash at any
 * moment leaves the previous one in force. The replay buffer is not saved (it is up to 7 GB); see
 * {@link Trainer} for what a resumed run does instead.
 */
public final class Checkpoint {
    public static final String FORMAT = "dqn-engine/checkpoint-v1";
    private static final Gson GSON = new GsonBuilder().setPrettyPrinting().serializeSpecialFloatingPointValues().create();

    /** What state.json holds. */
    public static final class State {
        public String format = FORMAT;
        public String env;
        public String network;
        public int[] observationShape;
        public int actions;
        public long step, updates, episodes;
        public double epsilon;
        public long agentRng, replayRng;
        public double bestMeanReturn = Double.NEGATIVE_INFINITY;
        public double[] recentReturns = new double[0];
        public long wallMillis;
    }

    private Checkpoint() {}

    /** Writes a checkpoint named {@code kind-step-N} and points {@code kind} ("latest" or "best") at it. */
    public static Path save(Path runDir, String kind, DqnLearner learner, State state) throws IOException {
        Path dir = runDir.resolve("checkpoints");
        Files.createDirectories(dir);
        String name = (kind.equals("latest") ? "" : kind + "-") + String.format("step-%012d", state.step);
        Path tmp = AtomicFiles.newTempDirectory(dir, "." + name + ".");
        learner.syncToHost();
        try {
            ParameterFile.save(tmp.resolve("online.safetensors"), learner.online, learner.optimizer, Map.of("step", Long.toString(state.step)));
            ParameterFile.save(tmp.resolve("target.safetensors"), learner.target, null, Map.of("step", Long.toString(state.step)));
            AtomicFiles.writeString(tmp.resolve("state.json"), GSON.toJson(state));
            Path target = dir.resolve(name);
            if (Files.exists(target)) AtomicFiles.deleteTree(target);
            AtomicFiles.move(tmp, target);
            AtomicFiles.syncDirectory(dir);
            AtomicFiles.writeString(dir.resolve(kind), name + "\n");
        } finally {
            if (Files.exists(tmp)) AtomicFiles.deleteTree(tmp);
        }
        prune(dir, kind);
        return dir.resolve(name);
    }

    /** Keeps the checkpoint a pointer names and the one before it; removes older ones of that kind. */
    private static void prune(Path dir, String kind) throws IOException {
        String prefix = (kind.equals("latest") ? "" : kind + "-") + "step-";
        List<Path> mine = new ArrayList<>();
        try (Stream<Path> s = Files.list(dir)) {
            s.filter(p -> p.getFileName().toString().startsWith(prefix) && Files.isDirectory(p)).forEach(mine::add);
        }
        mine.sort(Comparator.comparing(p -> p.getFileName().toString()));
        for (int i = 0; i < mine.size() - 2; i++) AtomicFiles.deleteTree(mine.get(i));
    }

    /**
     * The checkpoint directory {@code path} means: a checkpoint directory itself, or a run
     * directory (then its {@code best} checkpoint if {@code preferBest} and one exists, else its
     * latest).
     */
    public static Path resolve(Path path, boolean preferBest) throws IOException {
        if (Files.isRegularFile(path.resolve("state.json"))) return path;
        Path dir = path.resolve("checkpoints");
        if (!Files.isDirectory(path)) throw new NoSuchFileException(path + " (no such run directory or checkpoint)");
        for (String kind : preferBest ? new String[] {"best", "latest"} : new String[] {"latest"}) {
            Path pointer = dir.resolve(kind);
            if (Files.isRegularFile(pointer)) {
                Path target = dir.resolve(Files.readString(pointer, StandardCharsets.UTF_8).trim());
                if (!Files.isRegularFile(target.resolve("state.json"))) {
                    throw new SafeTensors.FormatException(pointer, "points at " + target.getFileName() + ", which is missing or incomplete");
                }
                return target;
            }
        }
        throw new NoSuchFileException(path + " holds no checkpoint yet (no " + dir.resolve("latest") + ")");
    }

    /** Reads and checks state.json of checkpoint {@code dir}. */
    public static State readState(Path dir) throws IOException {
        Path file = dir.resolve("state.json");
        State s;
        try {
            s = GSON.fromJson(Files.readString(file, StandardCharsets.UTF_8), State.class);
        } catch (JsonParseException e) {
            throw new SafeTensors.FormatException(file, "is not valid JSON (" + e.getMessage() + ")");
        }
        if (s == null || !FORMAT.equals(s.format)) {
            throw new SafeTensors.FormatException(file, "is not a " + FORMAT + " file");
        }
        if (s.env == null || s.observationShape == null || s.recentReturns == null) {
            throw new SafeTensors.FormatException(file, "is missing fields (truncated?)");
        }
        return s;
    }

    /** Loads the networks and optimizer of checkpoint {@code dir} into {@code learner}, checking identity first. */
    public static State load(Path dir, DqnLearner learner, String env, int[] obsShape, int actions) throws IOException {
        State s = readState(dir);
        if (!s.env.equals(env)) {
            throw new SafeTensors.FormatException(dir, "was trained on " + s.env + ", not " + env);
        }
        if (!Arrays.equals(s.observationShape, obsShape) || s.actions != actions) {
            throw new SafeTensors.FormatException(dir, "is for observations " + Arrays.toString(s.observationShape) + " and " + s.actions
                    + " actions; this environment has " + Arrays.toString(obsShape) + " and " + actions);
        }
        ParameterFile.load(dir.resolve("online.safetensors"), learner.online, learner.optimizer);
        ParameterFile.load(dir.resolve("target.safetensors"), learner.target, null);
        learner.hostWroteAll();
        learner.optimizer.setStepCount(s.updates);
        return s;
    }
}
