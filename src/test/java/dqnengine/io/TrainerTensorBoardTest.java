package dqnengine.io;

import dqnengine.backend.Backend;
import dqnengine.backend.cpu.FastCpuBackend;
import dqnengine.dqn.DqnConfig;
import dqnengine.dqn.RunDirectory;
import dqnengine.dqn.Trainer;
import dqnengine.env.Environments;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/** The event file the trainer writes, read back: every scalar at the step and with the value the CSV logs hold. */
class TrainerTensorBoardTest {
    @TempDir Path tmp;

    @Test
    void theTrainersScalarsMatchProgressAndEpisodesCsv() throws Exception {
        DqnConfig c = DqnConfig.preset("minatar");       // Breakout: returns differ from lengths (in CartPole they are equal)
        c.steps = 1_500;
        c.learningStarts = 300;
        c.batchSize = 16;
        c.replaySize = 5_000;
        c.epsilonSteps = 1_000;
        c.logEvery = 250;
        c.checkpointEvery = 1_000_000;
        c.stopAtReturn = Double.NaN;
        c.tensorboard = true;
        Path dir = tmp.resolve("run");
        RunDirectory.prepareNew(dir, c);
        try (Backend be = new FastCpuBackend(1)) {
            new Trainer(c, be, (i, seed) -> Environments.builtIn(c.env, seed), dir,
                    new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8)).run(null);
        }
        Path file;
        try (Stream<Path> s = Files.list(dir.resolve("tensorboard"))) {
            List<Path> files = s.toList();
            assertEquals(1, files.size(), files.toString());
            file = files.get(0);
        }
        List<TensorBoardWriterTest.Scalar> scalars = new ArrayList<>();
        List<byte[]> records = TensorBoardWriterTest.records(file);
        // after the version record: the settings as text (the run's config.json), then the scalars
        String settings = new String(records.get(1), StandardCharsets.UTF_8);
        assertTrue(settings.contains("settings") && settings.contains("text") && settings.contains(Files.readString(dir.resolve("config.json")).strip()),
                "the second record carries config.json for the Text tab");
        for (byte[] data : records.subList(2, records.size())) scalars.add(TensorBoardWriterTest.decode(data));

        List<TensorBoardWriterTest.Scalar> expected = new ArrayList<>();
        List<String> episodes = Files.readAllLines(dir.resolve("episodes.csv")), progress = Files.readAllLines(dir.resolve("progress.csv"));
        assertEquals("episode,step,env,return,length,epsilon,wall_s", episodes.get(0));
        assertEquals("step,updates,episodes,steps_per_s,epsilon,loss,mean_max_q,mean_return_100", progress.get(0));
        int e = 1, p = 1;
        // both logs in step order; at one step an episode's rows come before the progress row
        while (e < episodes.size() || p < progress.size()) {
            String[] er = e < episodes.size() ? episodes.get(e).split(",", -1) : null, pr = p < progress.size() ? progress.get(p).split(",", -1) : null;
            if (er != null && (pr == null || Long.parseLong(er[1]) <= Long.parseLong(pr[0]))) {
                long step = Long.parseLong(er[1]);
                add(expected, step, "episode/return", er[3]);
                add(expected, step, "episode/length", er[4]);
                e++;
            } else {
                long step = Long.parseLong(pr[0]);
                add(expected, step, "train/loss", pr[5]);
                add(expected, step, "train/mean_max_q", pr[6]);
                add(expected, step, "train/epsilon", pr[4]);
                add(expected, step, "train/steps_per_s", null);
                add(expected, step, "episode/mean_return_100", pr[7]);
                p++;
            }
        }
        assertEquals(expected.size(), scalars.size(), "one scalar per logged value (NaN ones not written)");
        for (int k = 0; k < expected.size(); k++) {
            TensorBoardWriterTest.Scalar want = expected.get(k), got = scalars.get(k);
            assertEquals(want.tag(), got.tag(), "record " + k);
            assertEquals(want.step(), got.step(), "step of record " + k + " (" + got.tag() + ")");
            if (!Float.isNaN(want.value())) assertEquals(want.value(), got.value(), 1e-6f * Math.max(1f, Math.abs(want.value())),
                    got.tag() + " at step " + got.step());
        }
        assertTrue(expected.stream().anyMatch(s -> s.tag().equals("train/loss")), "losses were logged");
    }

    /** A scalar the logs say was written; an empty CSV cell is NaN, which the writer skips; null: any value (steps/s is rounded in the CSV). */
    private static void add(List<TensorBoardWriterTest.Scalar> out, long step, String tag, String csv) {
        if (csv != null && csv.isEmpty()) return;
        out.add(new TensorBoardWriterTest.Scalar(step, tag, csv == null ? Float.NaN : (float) Double.parseDouble(csv)));
    }
}
