package dqnengine.cli;

import dqnengine.dqn.DqnConfig;
import dqnengine.testing.CliRun;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Preset, then file, then flags, for every field of {@link DqnConfig}: a value in a --config file
 * survives when its flag is not typed (a flag's default must never override it), and a typed flag
 * overrides the file. The field list is read by reflection, so a new field without a case here
 * fails the test.
 */
class ConfigPrecedenceTest {
    @TempDir Path tmp;

    /** Per field: the value the file sets (none equal to the cartpole preset's), and the flag with a value that differs again. */
    private record Case(Object fileValue, String flag, String flagValue, Object flagResult) {}

    private static Map<String, Case> cases() {
        Map<String, Case> c = new LinkedHashMap<>();
        c.put("env", new Case("frozenlake", "--env", "frozenlake:deterministic", "frozenlake:deterministic"));
        c.put("steps", new Case(300L, "--steps", "320", 320L));
        c.put("seed", new Case(7L, "--seed", "9", 9L));
        c.put("numEnvs", new Case(2, "--num-envs", "3", 3));
        c.put("network", new Case("mlp", null, null, null));
        c.put("hidden", new Case(new int[] {8}, null, null, null));
        c.put("replaySize", new Case(1000, "--replay-size", "1200", 1200));
        c.put("batchSize", new Case(8, "--batch-size", "16", 16));
        c.put("learningStarts", new Case(100L, "--learning-starts", "120", 120L));
        c.put("gamma", new Case(0.9, "--gamma", "0.8", 0.8));
        c.put("nStep", new Case(3, "--n-step", "2", 2));
        c.put("adamBeta1", new Case(0.8, "--adam-beta1", "0.85", 0.85));
        c.put("adamBeta2", new Case(0.99, "--adam-beta2", "0.995", 0.995));
        c.put("rmspropAlpha", new Case(0.9, "--rmsprop-alpha", "0.99", 0.99));
        c.put("huberDelta", new Case(2.0, "--huber-delta", "3", 3.0));
        c.put("prioritized", new Case(true, "--no-prioritized", null, false));
        c.put("priorityAlpha", new Case(0.6, "--priority-alpha", "0.7", 0.7));
        c.put("priorityBeta", new Case(0.5, "--priority-beta", "0.3", 0.3));
        c.put("priorityEps", new Case(1e-5, null, null, null));
        c.put("optimizer", new Case("sgd", "--optimizer", "rmsprop-centered", "rmsprop-centered"));
        c.put("lr", new Case(0.003, "--lr", "0.002", 0.002));
        c.put("optimizerEps", new Case(0.001, "--optimizer-eps", "0.002", 0.002));
        c.put("loss", new Case("huber", "--loss", "mse", "mse"));
        c.put("lossReduction", new Case("sum", "--loss-reduction", "mean", "mean"));
        c.put("trainEvery", new Case(2, "--train-every", "3", 3));
        c.put("targetEvery", new Case(50L, "--target-every", "60", 60L));
        c.put("tau", new Case(0.5, "--tau", "0.25", 0.25));
        c.put("doubleDqn", new Case(true, "--no-double", null, false));
        c.put("dueling", new Case(true, "--no-dueling", null, false));
        c.put("maxGradNorm", new Case(5.0, "--max-grad-norm", "4", 4.0));
        c.put("epsilonStart", new Case(0.9, "--epsilon-start", "0.8", 0.8));
        c.put("epsilonEnd", new Case(0.2, "--epsilon-end", "0.3", 0.3));
        c.put("epsilonSteps", new Case(200L, "--epsilon-steps", "210", 210L));
        c.put("epsilonFromLearningStarts", new Case(true, "--no-epsilon-from-learning-starts", null, false));
        c.put("evalEpsilon", new Case(0.07, "--eval-epsilon", "0.08", 0.08));
        c.put("evalEvery", new Case(100L, "--eval-every", "110", 110L));
        c.put("evalEpisodes", new Case(2, "--eval-episodes", "1", 1));
        c.put("captureVideoEvery", new Case(300L, "--capture-video-every", "310", 310L));
        c.put("sticky", new Case(0.05, "--sticky", "0.02", 0.02));
        c.put("atariPreset", new Case("machado", "--atari-preset", "dopamine", "dopamine"));
        c.put("checkpointEvery", new Case(150L, "--checkpoint-every", "160", 160L));
        c.put("logEvery", new Case(60L, "--log-every", "70", 70L));
        c.put("stopAtReturn", new Case(1e9, "--stop-at-return", "2e9", 2e9));
        c.put("tensorboard", new Case(true, "--no-tensorboard", null, false));
        c.put("saveReplay", new Case(true, "--no-save-replay", null, false));
        c.put("preset", new Case("cartpole", null, null, null));
        return c;
    }

    private static List<Field> fields() {
        List<Field> out = new ArrayList<>();
        for (Field f : DqnConfig.class.getFields()) if (!Modifier.isStatic(f.getModifiers())) out.add(f);
        return out;
    }

    @Test
    void everyFieldHasACase() {
        TreeSet<String> names = new TreeSet<>();
        for (Field f : fields()) names.add(f.getName());
        assertEquals(names, new TreeSet<>(cases().keySet()), "a DqnConfig field without a precedence case (or a case for a field that is gone)");
    }

    @Test
    void theFileBeatsThePresetAndFlagDefaultsAndATypedFlagBeatsTheFile() throws Exception {
        Map<String, Case> cases = cases();
        StringBuilder json = new StringBuilder("{");
        for (var e : cases.entrySet()) {
            Object v = e.getValue().fileValue();
            if (json.length() > 1) json.append(",\n");
            json.append('"').append(e.getKey()).append("\": ").append(v instanceof String s ? "\"" + s + "\""
                    : v instanceof int[] a ? Arrays.toString(a) : String.valueOf(v));
        }
        json.append("}");
        Path file = Files.writeString(tmp.resolve("all.json"), json.toString());

        Path fromFile = tmp.resolve("file");
        CliRun r = CliRun.of("train", "--config", file.toString(), "--run-dir", fromFile.toString());
        assertEquals(0, r.code(), r.err());
        DqnConfig written = DqnConfig.readRunConfig(fromFile);
        for (Field f : fields()) {
            Object want = cases.get(f.getName()).fileValue(), got = f.get(written);
            if (want instanceof int[] a) assertArrayEquals(a, (int[]) got, f.getName());
            else assertEquals(want, got, f.getName() + ": the file's value must survive when the flag is not typed");
        }

        List<String> args = new ArrayList<>(List.of("train", "--config", file.toString(), "--run-dir", tmp.resolve("flags").toString()));
        for (Case c : cases.values()) {
            if (c.flag() == null) continue;
            args.add(c.flag());
            if (c.flagValue() != null) args.add(c.flagValue());
        }
        CliRun f2 = CliRun.of(args.toArray(String[]::new));
        assertEquals(0, f2.code(), f2.err());
        DqnConfig flagged = DqnConfig.readRunConfig(tmp.resolve("flags"));
        for (Field f : fields()) {
            Case c = cases.get(f.getName());
            Object want = c.flag() != null ? c.flagResult() : c.fileValue(), got = f.get(flagged);
            if (want instanceof int[] a) assertArrayEquals(a, (int[]) got, f.getName());
            else assertEquals(want, got, f.getName() + (c.flag() != null ? ": the typed flag must win" : ": no flag, the file's value"));
        }
    }
}
