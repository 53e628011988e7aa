package dqnengine.cli;

import dqnengine.testing.ChildRun;
import dqnengine.testing.CliRun;
import dqnengine.testing.Requirements;
import dqnengine.testing.TestRoms;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** roms, bench env and play --human, end to end (skipped without ROMs; the display test without Xvfb). */
class AtariCommandsTest {
    @TempDir
    Path tmp;

    private static Path roms() { return TestRoms.dir(); }

    private static CliRun inProcess(String... args) { return CliRun.of(args); }

    /** Runs the CLI in a child JVM (for display handling). */
    private static ChildRun child(Map<String, String> env, boolean removeDisplay, String... args) throws IOException, InterruptedException {
        return ChildRun.of(env, removeDisplay, args);
    }

    @Test
    void keysComposeIntoAleActions() {
        assertEquals(0, HumanControls.action(false, false, false, false, false));       // NOOP
        assertEquals(1, HumanControls.action(false, false, false, false, true));        // FIRE
        assertEquals(6, HumanControls.action(true, false, false, true, false));         // UPRIGHT
        assertEquals(17, HumanControls.action(false, true, true, false, true));         // DOWNLEFTFIRE
        assertEquals(4, HumanControls.action(true, true, true, false, false));          // up+down cancel: LEFT
    }

    @Test
    void romsListsWhatItFindsAndImportCopiesUnderCanonicalNames() throws IOException {
        Path source = Files.createDirectories(tmp.resolve("downloads"));
        Files.copy(roms().resolve("breakout.bin"), source.resolve("Breakout (1978).a26"));
        Files.writeString(source.resolve("notes.txt"), "not a rom");
        Path target = tmp.resolve("imported");
        CliRun imported = inProcess("roms", "import", source.toString(), "--to", target.toString());
        assertEquals(0, imported.code(), imported.err());
        assertTrue(Files.isRegularFile(target.resolve("breakout.bin")), imported.out());
        CliRun listed = inProcess("roms", "--rom-dir", target.toString());
        assertEquals(0, listed.code(), listed.err());
        assertTrue(listed.out().lines().anyMatch(l -> l.startsWith("breakout") && l.contains(target.resolve("breakout.bin").toString())), listed.out());
        CliRun empty = inProcess("roms", "import", tmp.resolve("nothing-here").toString());
        assertEquals(1, empty.code());
        assertEquals(1, empty.err().strip().lines().count(), empty.err());
    }

    @Test
    void importSaysWhatItSkipsAndImportsEachGameOnce() throws IOException {
        Path source = Files.createDirectories(tmp.resolve("downloads"));
        Files.copy(roms().resolve("pong.bin"), source.resolve("a-pong.bin"));
        Files.copy(roms().resolve("pong.bin"), source.resolve("b-pong-copy.a26"));
        Files.copy(roms().resolve("breakout.bin"), source.resolve("breakout.a26"));
        Path broken = Files.createSymbolicLink(source.resolve("c-gone.bin"), tmp.resolve("no-such-target.bin"));
        Path target = tmp.resolve("imported");
        CliRun r = inProcess("roms", "import", source.toString(), "--to", target.toString());
        assertEquals(0, r.code(), r.err());
        assertEquals("dqn-engine: roms import: skipped " + broken + ": cannot read it (a broken link)", r.err().strip());
        assertTrue(r.out().contains("skipped " + source.resolve("b-pong-copy.a26") + ": another copy of pong (a-pong.bin is imported)"), r.out());
        assertTrue(r.out().contains("2 game(s) imported into " + target + " (1 duplicate file(s) skipped)"), r.out());
        assertEquals(1, r.out().lines().filter(l -> l.startsWith("pong ") && l.contains(" -> ")).count(), r.out());
    }

    @Test
    void importReportsAFileItMayNotRead() throws IOException {
        // root reads any file whatever its mode, so this check needs an ordinary user
        assumeTrue(!"root".equals(System.getProperty("user.name")), "running as root: chmod 000 does not stop root from reading");
        Path source = Files.createDirectories(tmp.resolve("locked"));
        Files.copy(roms().resolve("pong.bin"), source.resolve("pong.bin"));
        Path locked = Files.copy(roms().resolve("breakout.bin"), source.resolve("breakout.bin"));
        Files.setPosixFilePermissions(locked, Set.of());
        CliRun r = inProcess("roms", "import", source.toString(), "--to", tmp.resolve("imported").toString());
        assertEquals(0, r.code(), r.err());
        assertEquals("dqn-engine: roms import: skipped " + locked + ": cannot read it (permission denied)", r.err().strip());
        assertTrue(r.out().contains("1 game(s) imported"), r.out());
    }

    @Test
    void benchEnvPrintsRawAndPreprocessedFramesPerSecond() {
        CliRun r = inProcess("bench", "env", "--env", "ale:pong", "--rom-dir", roms().toString(), "--frames", "400", "--repeats", "1");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("ale_raw_fps median=") && r.out().contains("preprocessed_fps median=")
                && r.out().contains("preprocessing_overhead="), r.out());
    }

    @Test
    void aMissingRomOrUnknownEnvironmentIsOneLine() {
        CliRun missing = inProcess("bench", "env", "--env", "ale:pong", "--rom", tmp.resolve("nope.bin").toString());
        assertEquals(1, missing.code());
        assertEquals(1, missing.err().strip().lines().count(), missing.err());
        assertTrue(missing.err().contains("does not exist"), missing.err());
        CliRun unknown = inProcess("bench", "env", "--env", "gym:CartPole-v1");
        assertEquals(2, unknown.code());
        assertTrue(unknown.err().contains("not an Atari environment"), unknown.err());
    }

    @Test
    void playWithoutADisplayFailsWithOneLine() throws Exception {
        ChildRun r = child(Map.of(), true, "play", "--human", "--env", "ale:pong", "--rom-dir", roms().toString());
        assertEquals(1, r.code(), r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertTrue(r.err().contains("needs a display"), r.err());
    }

    @Test
    void playShowsTheGameInAWindowUnderXvfb() throws Exception {
        Path roms = roms();
        Path xvfbBinary = Stream.of(System.getenv().getOrDefault("PATH", "/usr/bin").split(File.pathSeparator))
                .map(d -> Paths.get(d, "Xvfb")).filter(Files::isExecutable).findFirst().orElse(Paths.get("Xvfb"));
        Requirements.require(Files.isExecutable(xvfbBinary), "Xvfb is not installed (apt-get install xvfb); display test skipped");
        // -displayfd: Xvfb picks a free display itself and writes its number to stdout once it accepts
        // connections, so no guessed number can collide with another server and no sleep guesses readiness.
        Process xvfb = new ProcessBuilder(xvfbBinary.toString(), "-displayfd", "1", "-screen", "0", "800x800x24", "-nolisten", "tcp")
                .redirectError(tmp.resolve("xvfb.log").toFile()).start();
        try {
            String display = readDisplayNumber(xvfb, 60);
            Path png = tmp.resolve("shot.png");
            ChildRun r = child(Map.of("DISPLAY", ":" + display), false, "play", "--human", "--env", "ale:space_invaders", "--rom-dir",
                    roms.toString(), "--max-frames", "120", "--screenshot", png.toString());
            assertEquals(0, r.code(), r.err());
            BufferedImage shot = ImageIO.read(png.toFile());
            assertEquals(160 * 3, shot.getWidth());
            long distinct = IntStream.range(0, shot.getWidth() * 300).map(i -> shot.getRGB(i % shot.getWidth(), i / shot.getWidth()))
                    .distinct().count();
            assertTrue(distinct >= 4, "the window shows the game's colours, found " + distinct);
        } finally {
            xvfb.destroy();
            if (!xvfb.waitFor(10, TimeUnit.SECONDS)) xvfb.destroyForcibly();
        }
    }

    /** The display number Xvfb writes (with -displayfd 1) when it is ready; fails with its log if it ends or takes longer than {@code seconds}. */
    private String readDisplayNumber(Process xvfb, int seconds) throws Exception {
        CompletableFuture<String> line = CompletableFuture.supplyAsync(() -> {
            try {
                return new BufferedReader(new InputStreamReader(xvfb.getInputStream(), StandardCharsets.US_ASCII))
                        .readLine();
            } catch (IOException e) {
                return null;
            }
        });
        String n;
        try {
            n = line.get(seconds, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            n = null;
        }
        if (n == null || !n.strip().matches("\\d+")) {
            throw new AssertionError("Xvfb gave no display number (" + n + "); its log:\n" + Files.readString(tmp.resolve("xvfb.log")));
        }
        return n.strip();
    }
}
