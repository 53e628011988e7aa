package dqnengine.dqn;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import dqnengine.util.AtomicFiles;
import dqnengine.io.SafeTensors;

import java.io.IOException;
import java.math.BigDecimal;
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
 * moment leaves the previous one in force. The replay buffer is saved only with
 * {@code --save-replay}, in the {@code latest} checkpoints' {@code replay/} directory
 * ({@link dqnengine.replay.ReplayFiles}; it is up to 7 GB); see {@link Trainer} for what a resumed
 * run does without it.
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
        return save(runDir, kind, learner, state, null);
    }

    /** More files for a checkpoint, written into its temporary directory with the others (so they are part of its atomic rename). */
    public interface Extra {
        void writeInto(Path checkpointDir) throws IOException;
    }

    /** As above, with {@code extra} (when not null) writing more files into the checkpoint before it is renamed into place. */
    public static Path save(Path runDir, String kind, DqnLearner learner, State state, Extra extra) throws IOException {
        Path dir = runDir.resolve("checkpoints");
        Files.createDirectories(dir);
        String name = (kind.equals("latest") ? "" : kind + "-") + String.format("step-%012d", state.step);
        Path tmp = AtomicFiles.newTempDirectory(dir, "." + name + ".");
        learner.syncToHost();
        try {
            ParameterFile.save(tmp.resolve("online.safetensors"), learner.online, learner.optimizer, Map.of("step", Long.toString(state.step)));
            ParameterFile.save(tmp.resolve("target.safetensors"), learner.target, null, Map.of("step", Long.toString(state.step)));
            AtomicFiles.writeString(tmp.resolve("state.json"), GSON.toJson(state));
            if (extra != null) extra.writeInto(tmp);
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
                String name = Files.readString(pointer, StandardCharsets.UTF_8).trim();
                if (!RunDirectory.isCheckpointName(name)) {
                    // a pointer names a checkpoint of this run, never a path: anything else is damage or tampering
                    throw new SafeTensors.FormatException(pointer, "names '" + name + "', which is not a checkpoint of this run (expected step-N or best-step-N)");
                }
                Path target = dir.resolve(name);
                if (!Files.isRegularFile(target.resolve("state.json"))) {
                    throw new SafeTensors.FormatException(pointer, "points at " + target.getFileName() + ", which is missing or incomplete");
                }
                return target;
            }
        }
        throw new NoSuchFileException(path + " holds no checkpoint yet (no " + dir.resolve("latest") + ")");
    }

    /** Reads and checks state.json of checkpoint {@code dir}: every field present, of its type and in its range. */
    public static State readState(Path dir) throws IOException {
        Path file = dir.resolve("state.json");
        JsonObject o;
        try {
            JsonElement root = JsonParser.parseString(Files.readString(file, StandardCharsets.UTF_8));
            if (!root.isJsonObject()) throw new StateException(file, "is not a JSON object");
            o = root.getAsJsonObject();
        } catch (JsonParseException e) {
            throw new StateException(file, "is not valid JSON (truncated?)");
        }
        if (!o.has("format") || !FORMAT.equals(text(o, "format", file))) throw new StateException(file, "is not a " + FORMAT + " file");
        text(o, "env", file);
        if (o.has("network") && !o.get("network").isJsonNull()) text(o, "network", file);
        long step = whole(o, "step", file, 0), updates = whole(o, "updates", file, 0), episodes = whole(o, "episodes", file, 0);
        whole(o, "agentRng", file, Long.MIN_VALUE);
        whole(o, "replayRng", file, Long.MIN_VALUE);
        whole(o, "wallMillis", file, 0);
        whole(o, "actions", file, 1);
        double eps = number(o, "epsilon", file);
        if (!(eps >= 0 && eps <= 1)) throw new StateException(file, "field \"epsilon\" must be in [0, 1], got " + eps);
        number(o, "bestMeanReturn", file);
        array(o, "observationShape", file, true);
        double[] recent = array(o, "recentReturns", file, false);
        if (recent.length > 100) throw new StateException(file, "field \"recentReturns\" holds " + recent.length + " values; at most 100");
        if (updates > step) throw new StateException(file, "counts " + updates + " updates in " + step + " steps");
        if (episodes > step) throw new StateException(file, "counts " + episodes + " episodes in " + step + " steps");
        try {
            return GSON.fromJson(o, State.class);
        } catch (JsonParseException e) {
            throw new StateException(file, "has a field of the wrong type");
        }
    }

    /** A damaged or hand-edited state.json: one line naming the file and the field. */
    public static final class StateException extends IOException {
        private static final long serialVersionUID = 1L;

        StateException(Path file, String problem) { super("checkpoint state " + file + " " + problem); }
    }

    private static JsonPrimitive field(JsonObject o, String name, Path file) throws StateException {
        if (!o.has(name) || o.get(name).isJsonNull()) throw new StateException(file, "has no field \"" + name + "\" (truncated or edited by hand?)");
        if (!o.get(name).isJsonPrimitive()) throw new StateException(file, "field \"" + name + "\" must be a single value, got " + o.get(name));
        return o.get(name).getAsJsonPrimitive();
    }

    private static String text(JsonObject o, String name, Path file) throws StateException {
        JsonPrimitive p = field(o, name, file);
        if (!p.isString()) throw new StateException(file, "field \"" + name + "\" must be a string, got " + p);
        return p.getAsString();
    }

    private static long whole(JsonObject o, String name, Path file, long min) throws StateException {
        JsonPrimitive p = field(o, name, file);
        long v;
        try {
            if (!p.isNumber()) throw new NumberFormatException();
            v = new BigDecimal(p.getAsString()).longValueExact();
        } catch (NumberFormatException | ArithmeticException e) {
            throw new StateException(file, "field \"" + name + "\" must be a whole number, got " + p);
        }
        if (v < min) throw new StateException(file, "field \"" + name + "\" must be at least " + min + ", got " + v);
        return v;
    }

    private static double number(JsonObject o, String name, Path file) throws StateException {
        JsonPrimitive p = field(o, name, file);
        try {
            // Gson writes -Infinity (no best yet) as a bare token, which parses as a string primitive
            double v = p.isNumber() ? p.getAsDouble() : Double.parseDouble(p.getAsString());
            if (Double.isNaN(v)) throw new NumberFormatException();
            return v;
        } catch (NumberFormatException e) {
            throw new StateException(file, "field \"" + name + "\" must be a number, got " + p);
        }
    }

    private static double[] array(JsonObject o, String name, Path file, boolean positiveWhole) throws StateException {
        if (!o.has(name) || !o.get(name).isJsonArray()) throw new StateException(file, "field \"" + name + "\" must be a list of numbers");
        JsonArray a = o.getAsJsonArray(name);
        double[] out = new double[a.size()];
        for (int i = 0; i < out.length; i++) {
            JsonElement e = a.get(i);
            if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isNumber()) {
                throw new StateException(file, "field \"" + name + "\" must be a list of numbers, got " + e);
            }
            out[i] = e.getAsDouble();
            if (!Double.isFinite(out[i]) || (positiveWhole && (out[i] < 1 || out[i] != Math.rint(out[i])))) {
                throw new StateException(file, "field \"" + name + "\" has an impossible value " + e);
            }
        }
        if (positiveWhole && out.length == 0) throw new StateException(file, "field \"" + name + "\" is empty");
        return out;
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
