package dqnengine.cli;

import dqnengine.dqn.DqnConfig;
import dqnengine.testing.CliRun;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

/** train --config FILE: names it does not know, values of the wrong type, files that are not there. */
class ConfigErrorsTest {
    @TempDir Path tmp;

    private CliRun trainWith(String json) throws IOException {
        Path cfg = tmp.resolve("cfg.json");
        Files.writeString(cfg, json);
        return CliRun.of("train", "--config", cfg.toString(), "--steps", "200", "--learning-starts", "64", "--run-dir", tmp.resolve("run").toString());
    }

    private void refused(CliRun r, String... contains) {
        assertEquals(2, r.code(), r.err());
        assertEquals(1, r.err().strip().lines().count(), "one line: " + r.err());
        for (String c : contains) assertTrue(r.err().contains(c), r.err());
        assertFalse(Files.exists(tmp.resolve("run")), "nothing is written for a refused config");
    }

    @Test
    void anUnknownNameIsRefusedWithTheNearestKnownOne() throws IOException {
        for (String name : new String[] {"learningRate", "learning_rate", "learning-rate"}) {
            refused(trainWith("{\"" + name + "\": 0.001}"), "unknown setting \"" + name + "\"", "did you mean \"lr\"?");
        }
        refused(trainWith("{\"batchSise\": 8}"), "unknown setting \"batchSise\"", "did you mean \"batchSize\"?");
        refused(trainWith("{\"target-evry\": 8}"), "did you mean \"target-every\"?");
        refused(trainWith("{\"zzzzzzzzzzzz\": 1}"), "unknown setting \"zzzzzzzzzzzz\"", "config.json");
    }

    @Test
    void theFlagSpellingsAreAcceptedInTheFile() throws IOException {
        CliRun r = trainWith("{\"preset\": \"cartpole\", \"env\": \"cartpole\", \"replay-size\": 1000, \"--optimizer-eps\": 1e-6,"
                + " \"double\": true, \"stop-at-return\": 400, \"batchSize\": 16, \"seed\": 7, \"hidden\": [32]}");
        assertEquals(0, r.code(), r.err());
        String written = Files.readString(tmp.resolve("run").resolve("config.json"));
        for (String v : new String[] {"\"replaySize\": 1000", "\"optimizerEps\": 1.0E-6", "\"doubleDqn\": true", "\"stopAtReturn\": 400.0",
                "\"batchSize\": 16", "\"learningStarts\": 64", "\"seed\": 7", "\"preset\": \"cartpole\""}) {
            assertTrue(written.contains(v), v + " in " + written);
        }
    }

    @Test
    void aValueOfTheWrongTypeIsNamed() throws IOException {
        refused(trainWith("{\"lr\": \"fast\"}"), "config " + tmp.resolve("cfg.json") + ": \"lr\" must be a number, got \"fast\"");
        refused(trainWith("{\"steps\": 1.5}"), "\"steps\" must be a whole number, got 1.5");
        refused(trainWith("{\"double\": \"yes\"}"), "\"double\" must be true or false, got \"yes\"");
        refused(trainWith("{\"env\": 3}"), "\"env\" must be a string, got 3");
        refused(trainWith("{\"hidden\": [64, \"x\"]}"), "\"hidden[1]\" must be a whole number");
        refused(trainWith("{\"lr\": 0.1, \"--lr\": 0.2}"), "\"lr\" and \"--lr\" set the same thing");
        refused(trainWith("[1, 2]"), "expected a JSON object");
        refused(trainWith("{ not json"), "not valid JSON");
    }

    @Test
    void aMissingFileOrADirectoryIsOneLine() throws IOException {
        Path missing = tmp.resolve("nope.json");
        refused(CliRun.of("train", "--config", missing.toString(), "--run-dir", tmp.resolve("run").toString()),
                "--config " + missing + ": no such file");
        Path dir = Files.createDirectories(tmp.resolve("adir"));
        refused(CliRun.of("train", "--config", dir.toString(), "--run-dir", tmp.resolve("run").toString()),
                "--config " + dir + ": is a directory");
    }

    @Test
    void everyPresetsConfigJsonReadsBackUnchanged() {
        for (String p : DqnConfig.PRESETS) {
            DqnConfig c = DqnConfig.preset(p);
            c.hidden = new int[] {64, 32};
            c.evalEpsilon = 0.01;
            c.atariPreset = "machado";
            DqnConfig back = DqnConfig.fromJson(c.toJson(), new DqnConfig(), "config test");
            assertEquals(c.toJson(), back.toJson(), p);
        }
    }
}
