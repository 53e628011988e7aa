package dqnengine.cli;

import dqnengine.env.Environment;
import dqnengine.env.Environments;
import dqnengine.env.Step;
import dqnengine.env.ale.AtariConfig;
import dqnengine.env.ale.AtariEnvironment;
import dqnengine.env.FrameRenderer;
import dqnengine.testing.CliRun;
import dqnengine.testing.TestRoms;
import dqnengine.util.Rng;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.metadata.IIOMetadataNode;
import javax.imageio.stream.ImageInputStream;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/** eval's choice of checkpoint and its unclipped returns; what play records, frame by frame. */
class EvalAndRecordingTest {
    @TempDir Path tmp;

    private Path trainCartPole() {
        Path run = tmp.resolve("run");
        CliRun t = CliRun.of("train", "--steps", "400", "--learning-starts", "200", "--log-every", "200", "--threads", "1", "--run-dir", run.toString());
        assertEquals(0, t.code(), t.err());
        return run;
    }

    @Test
    void evalTakesTheBestCheckpointOverTheLatest() throws Exception {
        Path run = trainCartPole();
        Path cps = run.resolve("checkpoints");
        Files.deleteIfExists(cps.resolve("best"));
        Path latest = cps.resolve(Files.readString(cps.resolve("latest")).trim());
        // a best checkpoint at an earlier step, beside the latest at 400
        Path best = Files.createDirectories(cps.resolve("best-step-000000000300"));
        try (Stream<Path> files = Files.list(latest)) {
            for (Path f : files.toList()) Files.copy(f, best.resolve(f.getFileName()));
        }
        Files.writeString(best.resolve("state.json"), Files.readString(best.resolve("state.json")).replaceFirst("\"step\": 400,", "\"step\": 300,"));

        CliRun onlyLatest = CliRun.of("eval", "--run-dir", run.toString(), "--episodes", "1");
        assertEquals(0, onlyLatest.code(), onlyLatest.err());
        assertTrue(onlyLatest.out().contains("(step 400,"), "no best pointer: the latest\n" + onlyLatest.out());

        Files.writeString(cps.resolve("best"), "best-step-000000000300\n");
        CliRun e = CliRun.of("eval", "--run-dir", run.toString(), "--episodes", "1");
        assertEquals(0, e.code(), e.err());
        assertTrue(e.out().contains("best-step-000000000300 (step 300,"), "the best, not the latest\n" + e.out());
        CliRun c = CliRun.of("eval", "--checkpoint", latest.toString(), "--episodes", "1");
        assertTrue(c.out().contains("(step 400,"), "--checkpoint takes the one named\n" + c.out());

        CliRun three = CliRun.of("eval", "--run-dir", run.toString(), "--episodes", "3");
        assertEquals(0, three.code(), three.err());
        for (int k = 1; k <= 3; k++) {
            assertTrue(three.err().matches("(?s).*episode " + k + "/3: return -?[0-9.]+ in [0-9,]+ steps \\([0-9.]+ s elapsed, about [0-9]+ s left\\).*"),
                    "a progress line per episode on stderr\n" + three.err());
        }
        assertFalse(three.out().contains("episode 1/3"), "stdout keeps only the summary\n" + three.out());
    }

    @Test
    void evalReportsTheGamesUnclippedReturns() throws Exception {
        Path roms = TestRoms.dir();
        Path run = trainSpaceInvaders("si");
        CliRun e = CliRun.of("eval", "--run-dir", run.toString(), "--rom-dir", roms.toString(), "--episodes", "1", "--epsilon", "1");
        assertEquals(0, e.code(), e.err());
        Matcher m = Pattern.compile("return: (-?[0-9.]+) \\+-").matcher(e.out());
        assertTrue(m.find(), e.out());
        double reported = Double.parseDouble(m.group(1));

        // the same episode played here: eval's seed, epsilon 1 (every action from the seeded Rng), all lives
        long seed = 1_000_000_007L;
        double score = 0, clipped = 0;
        try (AtariEnvironment env = new AtariEnvironment(TestRoms.rom("space_invaders"), AtariConfig.nature(), seed)) {
            Rng rng = new Rng(seed);
            env.reset();
            while (true) {
                rng.nextDouble();
                Step s = env.step(rng.nextInt(env.actionCount()));
                score += s.score();
                clipped += s.reward();
                if (s.gameOver() || s.truncated()) break;
                if (s.done()) env.reset();
            }
        }
        assertTrue(score > clipped, "Space Invaders pays 5 to 30 a hit: " + score + " vs clipped " + clipped);
        assertEquals(score, reported, 1e-9, "eval reports the game's score, not the clipped training reward (" + clipped + ")");
    }

    @Test
    void playRecordsTheAtariScreenInColourAtFullSizeOrTheAgentsView() throws Exception {
        Path roms = TestRoms.dir();
        Path run = trainSpaceInvaders("si-play");
        Path gif = tmp.resolve("si.gif"), grey = tmp.resolve("si-agent.gif");
        CliRun p = CliRun.of("play", "--run-dir", run.toString(), "--rom-dir", roms.toString(), "--gif", gif.toString(),
                "--max-steps", "10", "--epsilon", "1");
        assertEquals(0, p.code(), p.err());

        // the same steps here (play's seed, epsilon 1): ALE's own RGB screen after the reset and after each agent step
        long seed = 2_000_000_011L;
        List<BufferedImage> expected = new ArrayList<>();
        byte[] rgb = new byte[210 * 160 * 3];
        try (AtariEnvironment env = new AtariEnvironment(TestRoms.rom("space_invaders"), AtariConfig.nature(), seed)) {
            Rng rng = new Rng(seed);
            env.reset();
            env.game().screenRgb(rgb);
            expected.add(FrameRenderer.rgb(rgb, 160, 210));
            for (int k = 0; k < 10; k++) {
                rng.nextDouble();
                Step s = env.step(rng.nextInt(env.actionCount()));
                env.game().screenRgb(rgb);
                expected.add(FrameRenderer.rgb(rgb, 160, 210));
                if (s.gameOver() || s.truncated()) break;
            }
        }
        boolean colour = false;
        try (ImageInputStream in = ImageIO.createImageInputStream(gif.toFile())) {
            ImageReader reader = ImageIO.getImageReaders(in).next();
            reader.setInput(in);
            assertEquals(expected.size(), reader.getNumImages(true));
            for (int k = 0; k < expected.size(); k++) {
                BufferedImage frame = reader.read(k);
                assertSamePixels(expected.get(k), frame, "colour frame " + k);
                for (int y = 0; y < 210 && !colour; y++) {
                    for (int x = 0; x < 160; x++) {
                        int c = frame.getRGB(x, y);
                        if (((c >> 16) & 0xFF) != ((c >> 8) & 0xFF) || ((c >> 8) & 0xFF) != (c & 0xFF)) { colour = true; break; }
                    }
                }
            }
        }
        assertTrue(colour, "Space Invaders in colour, not gray");

        CliRun a = CliRun.of("play", "--run-dir", run.toString(), "--rom-dir", roms.toString(), "--gif", grey.toString(),
                "--max-steps", "10", "--epsilon", "1", "--agent-view");
        assertEquals(0, a.code(), a.err());
        try (ImageInputStream in = ImageIO.createImageInputStream(grey.toFile())) {
            ImageReader reader = ImageIO.getImageReaders(in).next();
            reader.setInput(in);
            BufferedImage first = reader.read(0);
            assertNotEquals(160, first.getWidth(), "--agent-view records the 84x84 input, not the screen");
            for (int y = 0; y < first.getHeight(); y++) {
                for (int x = 0; x < first.getWidth(); x++) {
                    int c = first.getRGB(x, y);
                    assertTrue(((c >> 16) & 0xFF) == (c & 0xFF) && ((c >> 8) & 0xFF) == (c & 0xFF), "the agent's view is gray");
                }
            }
        }
    }

    @Test
    void playRecordsEveryObservationToTheGifAndTheFramesDirectory() throws Exception {
        Path run = trainCartPole();
        Path gif = tmp.resolve("agent.gif"), frames = tmp.resolve("frames");
        CliRun p = CliRun.of("play", "--run-dir", run.toString(), "--gif", gif.toString(), "--frames-dir", frames.toString(),
                "--episodes", "2", "--max-steps", "12", "--epsilon", "1", "--fps", "20");
        assertEquals(0, p.code(), p.err());

        // the episodes played here: play's seed, epsilon 1, every observation from each reset on
        long seed = 2_000_000_011L;
        List<BufferedImage> expected = new ArrayList<>();
        try (Environment env = Environments.builtIn("cartpole", seed)) {
            FrameRenderer renderer = new FrameRenderer(env);
            Rng rng = new Rng(seed);
            for (int ep = 0; ep < 2; ep++) {
                expected.add(renderer.render(env.reset().observation()));
                for (int t = 0; t < 12; t++) {
                    rng.nextDouble();
                    Step s = env.step(rng.nextInt(env.actionCount()));
                    expected.add(renderer.render(s.observation()));
                    if (s.gameOver() || s.truncated()) break;
                }
            }
        }
        assertTrue(p.out().contains("recorded " + expected.size() + " frames of 2 episode(s)"), expected.size() + "\n" + p.out());

        List<Path> pngs;
        try (Stream<Path> s = Files.list(frames)) {
            pngs = s.sorted().toList();
        }
        assertEquals(expected.size(), pngs.size());
        try (ImageInputStream in = ImageIO.createImageInputStream(gif.toFile())) {
            ImageReader reader = ImageIO.getImageReaders(in).next();
            reader.setInput(in);
            assertEquals(expected.size(), reader.getNumImages(true), "one GIF frame per observation");
            for (int k = 0; k < expected.size(); k++) {
                assertEquals(String.format("frame-%06d.png", k), pngs.get(k).getFileName().toString());
                BufferedImage png = ImageIO.read(pngs.get(k).toFile()), fromGif = reader.read(k);
                assertSamePixels(expected.get(k), png, "PNG frame " + k);
                assertSamePixels(expected.get(k), fromGif, "GIF frame " + k);
                IIOMetadataNode root = (IIOMetadataNode) reader.getImageMetadata(k).getAsTree("javax_imageio_gif_image_1.0");
                IIOMetadataNode gce = (IIOMetadataNode) root.getElementsByTagName("GraphicControlExtension").item(0);
                assertEquals("5", gce.getAttribute("delayTime"), "20 fps: 5 hundredths of a second per frame");
            }
        }
    }

    /** A 100-step Space Invaders run (no update: learning starts at 100), for the commands that read a run directory. */
    private Path trainSpaceInvaders(String name) throws Exception {
        Path run = tmp.resolve(name);
        CliRun t = CliRun.of("train", "--env", "ale:space_invaders", "--rom-dir", TestRoms.dir().toString(), "--steps", "100", "--learning-starts", "100",
                "--replay-size", "1000", "--threads", "1", "--run-dir", run.toString());
        assertEquals(0, t.code(), t.err());
        return run;
    }

    private static void assertSamePixels(BufferedImage want, BufferedImage got, String what) {
        assertEquals(want.getWidth(), got.getWidth(), what);
        assertEquals(want.getHeight(), got.getHeight(), what);
        for (int y = 0; y < want.getHeight(); y++) {
            for (int x = 0; x < want.getWidth(); x++) {
                if ((want.getRGB(x, y) & 0xFFFFFF) != (got.getRGB(x, y) & 0xFFFFFF)) {
                    fail(what + ": pixel (" + x + ", " + y + ") is " + Integer.toHexString(got.getRGB(x, y)) + ", expected "
                            + Integer.toHexString(want.getRGB(x, y)));
                }
            }
        }
    }
}
