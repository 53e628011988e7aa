package dqnengine.dqn;

import dqnengine.nn.Parameter;
import dqnengine.io.CsvLog;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** Evaluation during training: its own environment and random source, so training is unchanged; eval.csv; best by evaluation. */
class EvalDuringTrainingTest {
    @TempDir Path tmp;

    @Test
    void evaluatingLeavesTheTrainingTrajectoryUnchangedAndChoosesTheBestCheckpoint() throws Exception {
        DqnConfig plain = TrainerTest.small("minatar:breakout", 2_000);
        DqnConfig withEval = TrainerTest.small("minatar:breakout", 2_000);
        withEval.evalEvery = 500;
        withEval.evalEpisodes = 2;
        withEval.evalEpsilon = 0.05;
        Path a = tmp.resolve("plain"), b = tmp.resolve("eval");
        TrainerTest.train(plain, a, null);
        TrainerTest.train(withEval, b, null);

        List<String> ea = Files.readAllLines(a.resolve("episodes.csv")), eb = Files.readAllLines(b.resolve("episodes.csv"));
        assertEquals(ea.size(), eb.size(), "same number of training episodes");
        for (int i = 1; i < ea.size(); i++) {
            String[] fa = ea.get(i).split(","), fb = eb.get(i).split(",");
            assertEquals(fa[1] + "," + fa[3] + "," + fa[4], fb[1] + "," + fb[3] + "," + fb[4], "episode " + i + ": step, return, length");
        }
        Path ca = Checkpoint.resolve(a, false), cb = Checkpoint.resolve(b, false);
        assertArrayEquals(Files.readAllBytes(ca.resolve("online.safetensors")), Files.readAllBytes(cb.resolve("online.safetensors")),
                "the same weights at the end");

        double[][] eval = CsvLog.columns(b.resolve("eval.csv"), "step", "mean_return");
        assertArrayEquals(new double[] {500, 1000, 1500, 2000}, eval[0]);
        assertFalse(Files.exists(a.resolve("eval.csv")));
        assertTrue(Files.isRegularFile(b.resolve("plots/eval.png")));

        // best: the evaluation with the highest mean after learning starts (step 300), the first of equals
        int bestRow = 0;
        for (int i = 1; i < eval[1].length; i++) if (eval[1][i] > eval[1][bestRow]) bestRow = i;
        Checkpoint.State best = Checkpoint.readState(Checkpoint.resolve(b, true));
        assertEquals((long) eval[0][bestRow], best.step, "best is the checkpoint of the best evaluation");
        assertEquals(eval[1][bestRow], best.bestMeanReturn, 1e-9);
    }

    @Test
    void capturingVideoRecordsAnEpisodeEveryNStepsAndLeavesTrainingUnchanged() throws Exception {
        DqnConfig plain = TrainerTest.small("minatar:breakout", 1_000);
        DqnConfig withVideo = TrainerTest.small("minatar:breakout", 1_000);
        withVideo.captureVideoEvery = 500;
        Path a = tmp.resolve("plain"), b = tmp.resolve("video");
        TrainerTest.train(plain, a, null);
        TrainerTest.train(withVideo, b, null);
        assertEquals(Files.readAllLines(a.resolve("episodes.csv")).stream().map(l -> l.substring(0, l.lastIndexOf(','))).toList(),
                Files.readAllLines(b.resolve("episodes.csv")).stream().map(l -> l.substring(0, l.lastIndexOf(','))).toList(),
                "the same training episodes (all but the wall-clock column)");
        assertArrayEquals(Files.readAllBytes(Checkpoint.resolve(a, false).resolve("online.safetensors")),
                Files.readAllBytes(Checkpoint.resolve(b, false).resolve("online.safetensors")), "the same weights at the end");
        for (long step : new long[] {500, 1000}) {
            Path gif = b.resolve(String.format("videos/step-%012d.gif", step));
            try (var in = ImageIO.createImageInputStream(gif.toFile())) {
                var reader = ImageIO.getImageReaders(in).next();
                reader.setInput(in);
                assertTrue(reader.getNumImages(true) >= 2, "an episode's frames in " + gif);
            }
        }
        assertFalse(Files.exists(a.resolve("videos")));
    }
}
