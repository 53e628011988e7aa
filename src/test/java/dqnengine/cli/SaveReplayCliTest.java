package dqnengine.cli;

import dqnengine.dqn.DqnConfig;
import dqnengine.testing.CliRun;
import dqnengine.util.AtomicFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.*;

/**
 * {@code train --save-replay} from the command line: the latest checkpoint carries the replay and a
 * resume continues from it without a refill; a damaged or mismatched saved replay stops the resume
 * with one line (exit 1) and leaves the checkpoint as it was, and without the saved replay the
 * resume refills; {@code --resume} takes {@code --[no-]save-replay} and keeps it in config.json.
 */
class SaveReplayCliTest {
    @TempDir Path tmp;

    private static Path latest(Path run) throws Exception {
        return run.resolve("checkpoints").resolve(Files.readString(run.resolve("checkpoints/latest")).trim());
    }

    @Test
    void theLatestCheckpointCarriesTheReplayAndAResumeContinuesFromIt() throws Exception {
        Path run = tmp.resolve("run");
        CliRun t = CliRun.of("train", "--steps", "400", "--learning-starts", "100", "--threads", "1", "--run-dir", run.toString(), "--save-replay");
        assertEquals(0, t.code(), t.err());
        Matcher saved = Pattern.compile("saved the replay buffer with the checkpoint at step 400: ([0-9,]+) frames").matcher(t.out());
        assertTrue(saved.find(), t.out());
        String frames = saved.group(1);                                  // 400 steps and the first observation of every episode
        assertTrue(DqnConfig.readRunConfig(run).saveReplay, "config.json records the choice");
        Path replay = latest(run).resolve("replay");
        for (String f : new String[] {"manifest.json", "environments.json", "s0-00000.seg"}) assertTrue(Files.isRegularFile(replay.resolve(f)), f);

        CliRun more = CliRun.of("train", "--resume", run.toString(), "--steps", "600", "--threads", "1");
        assertEquals(0, more.code(), more.err());
        assertTrue(more.out().contains("restored the replay buffer from " + replay + ": " + frames + " frames, no refill"), more.out());
        assertFalse(more.out().contains("refilling"), more.out());
        assertTrue(more.out().contains("saved the replay buffer with the checkpoint at step 600: "), more.out());
    }

    @Test
    void aDamagedOrMismatchedSavedReplayStopsTheResumeInOneLineAndWithoutItTheRunRefills() throws Exception {
        Path run = tmp.resolve("run");
        assertEquals(0, CliRun.of("train", "--steps", "400", "--learning-starts", "100", "--threads", "1", "--run-dir", run.toString(),
                "--save-replay").code());
        Path checkpoint = latest(run), segment = checkpoint.resolve("replay/s0-00000.seg");
        byte[] good = Files.readAllBytes(segment);

        Files.write(segment, Arrays.copyOf(good, good.length - 10));
        CliRun truncated = CliRun.of("train", "--resume", run.toString(), "--steps", "600", "--threads", "1");
        assertEquals(1, truncated.code(), truncated.out());
        assertEquals(1, truncated.err().strip().lines().count(), truncated.err());
        assertTrue(truncated.err().contains("saved replay buffer " + checkpoint.resolve("replay") + " has s0-00000.seg of " + (good.length - 10)
                + " bytes"), truncated.err());
        assertTrue(truncated.err().contains("remove that directory"), truncated.err());
        assertEquals(checkpoint, latest(run), "the checkpoint stays the latest");
        assertFalse(truncated.out().contains("refilling"), "no silent refill: " + truncated.out());
        Files.write(segment, good);

        Path config = run.resolve("config.json");                        // the run's replay size edited by hand: a buffer of another capacity
        String json = Files.readString(config);
        Files.writeString(config, json.replace("\"replaySize\": 50000", "\"replaySize\": 40000"));
        CliRun other = CliRun.of("train", "--resume", run.toString(), "--steps", "600", "--threads", "1");
        assertEquals(1, other.code(), other.out());
        assertTrue(other.err().contains("holds a buffer of 50,000 frames of 16 bytes") && other.err().contains("this run's is 40,000 frames"), other.err());
        Files.writeString(config, json);

        AtomicFiles.deleteTree(checkpoint.resolve("replay"));              // what the message says to do
        CliRun refilled = CliRun.of("train", "--resume", run.toString(), "--steps", "600", "--threads", "1");
        assertEquals(0, refilled.code(), refilled.err());
        assertTrue(refilled.out().contains("has no saved replay buffer (it was saved without --save-replay): refilling it"), refilled.out());
        assertTrue(Files.isDirectory(latest(run).resolve("replay")), "the next checkpoint saves it again");
    }

    @Test
    void resumeTakesSaveReplayAndKeepsItInConfigJson() throws Exception {
        Path run = tmp.resolve("run");
        assertEquals(0, CliRun.of("train", "--steps", "300", "--learning-starts", "100", "--threads", "1", "--run-dir", run.toString()).code());
        assertFalse(DqnConfig.readRunConfig(run).saveReplay, "off by default");
        assertFalse(Files.exists(latest(run).resolve("replay")));

        CliRun on = CliRun.of("train", "--resume", run.toString(), "--steps", "400", "--threads", "1", "--save-replay");
        assertEquals(0, on.code(), on.err());
        assertTrue(on.out().contains("refilling"), "the first resume has nothing to restore: " + on.out());
        assertTrue(DqnConfig.readRunConfig(run).saveReplay);
        assertTrue(Files.isDirectory(latest(run).resolve("replay")));

        CliRun kept = CliRun.of("train", "--resume", run.toString(), "--steps", "500", "--threads", "1");
        assertEquals(0, kept.code(), kept.err());
        assertTrue(kept.out().contains("restored the replay buffer"), kept.out());
        assertTrue(Files.isDirectory(latest(run).resolve("replay")), "later resumes keep saving it");

        CliRun off = CliRun.of("train", "--resume", run.toString(), "--steps", "600", "--threads", "1", "--no-save-replay");
        assertEquals(0, off.code(), off.err());
        assertTrue(off.out().contains("restored the replay buffer"), "a saved replay is used when found: " + off.out());
        assertFalse(DqnConfig.readRunConfig(run).saveReplay);
        assertFalse(Files.exists(latest(run).resolve("replay")), "checkpoints without it from now on");
    }
}
