package dqnengine.env.ale;

import dqnengine.testing.TestRoms;
import dqnengine.util.BadInput;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RomFinderTest {
    @TempDir
    Path tmp;

    @Test
    void everySharedRomIsIdentifiedByContent() {
        for (String id : new String[] {"pong", "breakout", "space_invaders", "beam_rider", "enduro", "qbert", "seaquest"}) {
            assertEquals(id, TestRoms.rom(id).game().id());
        }
    }

    @Test
    void aRenamedRomIsStillRecognised() throws IOException {
        Path renamed = tmp.resolve("my-favourite-game.a26");
        Files.copy(TestRoms.dir().resolve("pong.bin"), renamed);
        assertEquals("pong", RomFinder.identify(renamed).game().id());
        RomFinder finder = new RomFinder(null, tmp, Map.of(), tmp.resolve("home"));
        assertEquals(renamed, finder.find("pong").path());
    }

    @Test
    void aTruncatedRomIsRefusedWithWhatWasFoundAndExpected() throws IOException {
        Path cut = tmp.resolve("pong.bin");
        byte[] bytes = Files.readAllBytes(TestRoms.dir().resolve("pong.bin"));
        Files.write(cut, Arrays.copyOf(bytes, 1000));
        RomException e = assertThrows(RomException.class, () -> RomFinder.identify(cut));
        assertTrue(e.getMessage().contains("1000 bytes") && e.getMessage().contains("truncated") && e.getMessage().contains("pong"), e.getMessage());
    }

    @Test
    void anUnknownFileIsRefusedBeforeAleSeesIt() throws IOException {
        Path junk = tmp.resolve("pong.bin");                           // the right name does not help
        byte[] noise = new byte[2048];
        new Random(1).nextBytes(noise);
        Files.write(junk, noise);
        RomException e = assertThrows(RomException.class, () -> RomFinder.identify(junk));
        assertTrue(e.getMessage().contains("not a known Atari game") && e.getMessage().contains("corrupt"), e.getMessage());
        assertThrows(RomException.class, () -> new RomFinder(junk, null, Map.of(), tmp).find("pong"));
    }

    @Test
    void aMissingFileAndAWrongGameAreClearErrors() {
        RomException missing = assertThrows(RomException.class, () -> RomFinder.identify(tmp.resolve("nope.bin")));
        assertTrue(missing.getMessage().contains("does not exist"), missing.getMessage());
        Path pong = TestRoms.dir().resolve("pong.bin");
        RomException wrong = assertThrows(RomException.class, () -> new RomFinder(pong, null, Map.of(), tmp).find("breakout"));
        assertTrue(wrong.getMessage().contains("is pong") && wrong.getMessage().contains("not breakout"), wrong.getMessage());
    }

    @Test
    void searchOrderIsRomDirThenEnvironmentThenUserDirectory() throws IOException {
        Path a = Files.createDirectories(tmp.resolve("a")), b = Files.createDirectories(tmp.resolve("b"));
        Path home = tmp.resolve("home");
        Path user = Files.createDirectories(RomFinder.userRomDir(home));
        Files.copy(TestRoms.dir().resolve("pong.bin"), a.resolve("x.bin"));
        Files.copy(TestRoms.dir().resolve("pong.bin"), b.resolve("y.bin"));
        Files.copy(TestRoms.dir().resolve("pong.bin"), user.resolve("z.bin"));
        assertEquals(a.resolve("x.bin"), new RomFinder(null, a, Map.of("ALE_ROMS_DIR", b.toString()), home).find("pong").path());
        assertEquals(b.resolve("y.bin"), new RomFinder(null, null, Map.of("ALE_ROMS_DIR", b.toString()), home).find("pong").path());
        assertEquals(user.resolve("z.bin"), new RomFinder(null, null, Map.of(), home).find("pong").path());
        RomException none = assertThrows(RomException.class, () -> new RomFinder(null, null, Map.of(), tmp.resolve("empty")).find("pong"));
        assertTrue(none.getMessage().contains("no ROM for 'pong'") && none.getMessage().contains("--rom"), none.getMessage());
    }

    @Test
    void anUnknownGameIdListsTheKnownOnes() {
        BadInput e = assertThrows(BadInput.class, () -> new RomFinder(null, null, Map.of(), tmp).find("pacman"));
        assertTrue(e.getMessage().contains("unknown game 'pacman'") && e.getMessage().contains("space_invaders"), e.getMessage());
    }
}
