package dqnengine.dqn;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonParseException;
import dqnengine.env.Environment;
import dqnengine.replay.ReplayFiles;
import dqnengine.util.AtomicFiles;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;

/**
 * {@code replay/environments.json} of a checkpoint saved with {@code --save-replay}: where every
 * environment of the run stood, so that a resumed run continues the episodes under way instead of
 * starting new ones. Per training environment: its saved state ({@link Environment#saveState},
 * null for Atari), the observation the next action is chosen from, and the return and length of
 * the episode so far; and the saved states of the evaluation and video environments once opened
 * (their random sources carry over from one evaluation to the next).
 */
final class EnvironmentStates {
    static final String FILE = "environments.json", FORMAT = "dqn-engine/environments-v1";
    private static final Gson GSON = new GsonBuilder().setPrettyPrinting().create();

    String format = FORMAT;
    long step;
    Training[] training;
    String evaluation, video;          // Base64 of those environments' states; null: not opened yet, or not savable

    static final class Training {
        String state;                  // Base64 of the environment's state; null: a resumed run starts a new episode
        String observation;            // Base64 of the current observation (with a state only)
        double episodeReturn;
        long episodeLength;
    }

    /** The states of {@code envs} at {@code step}, each with its current observation and episode so far. */
    static EnvironmentStates of(long step, Environment[] envs, byte[][] obs, double[] epReturn, long[] epLength, Environment evalEnv,
                                Environment videoEnv) {
        EnvironmentStates s = new EnvironmentStates();
        s.step = step;
        s.training = new Training[envs.length];
        for (int i = 0; i < envs.length; i++) {
            Training t = new Training();
            byte[] state = envs[i].saveState();
            if (state != null) {
                t.state = encode(state);
                t.observation = encode(obs[i]);
                t.episodeReturn = epReturn[i];
                t.episodeLength = epLength[i];
            }
            s.training[i] = t;
        }
        s.evaluation = evalEnv == null ? null : encode(evalEnv.saveState());
        s.video = videoEnv == null ? null : encode(videoEnv.saveState());
        return s;
    }

    void write(Path file) throws IOException { AtomicFiles.writeString(file, GSON.toJson(this) + "\n"); }

    /** Reads {@code dir/environments.json} of a checkpoint at {@code step} of a run with {@code envCount} environments. */
    static EnvironmentStates read(Path dir, long step, int envCount) throws IOException {
        Path file = dir.resolve(FILE);
        if (!Files.isRegularFile(file)) throw new ReplayFiles.DamagedReplayException(dir, "has no " + FILE + " (the save is incomplete)");
        EnvironmentStates s;
        try {
            s = GSON.fromJson(Files.readString(file, StandardCharsets.UTF_8), EnvironmentStates.class);
        } catch (JsonParseException | CharacterCodingException e) {
            throw new ReplayFiles.DamagedReplayException(dir, "has a damaged " + FILE);
        }
        if (s == null || !FORMAT.equals(s.format) || s.training == null) {
            throw new ReplayFiles.DamagedReplayException(dir, "has a " + FILE + " that is not a " + FORMAT + " file");
        }
        if (s.step != step) throw new ReplayFiles.DamagedReplayException(dir, "has a " + FILE + " of step " + s.step + ", not " + step);
        if (s.training.length != envCount) {
            throw new ReplayFiles.DamagedReplayException(dir, "has the states of " + s.training.length + " environments; this run has " + envCount);
        }
        for (Training t : s.training) {
            if (t == null || (t.state != null && t.observation == null)) throw new ReplayFiles.DamagedReplayException(dir, "has an incomplete " + FILE);
        }
        return s;
    }

    /** Restores {@code env} from {@code base64} (a saved state); damaged bytes are refused naming {@code dir}. */
    static void restore(Environment env, String base64, Path dir) throws IOException {
        try {
            env.restoreState(decode(base64));
        } catch (IllegalArgumentException | UnsupportedOperationException e) {
            throw new ReplayFiles.DamagedReplayException(dir, "has an environment state " + env.id() + " cannot take: " + e.getMessage());
        }
    }

    static byte[] decode(String base64) { return Base64.getDecoder().decode(base64); }

    private static String encode(byte[] bytes) { return bytes == null ? null : Base64.getEncoder().encodeToString(bytes); }
}
