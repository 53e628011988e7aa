package dqnengine.testing;

import dqnengine.env.ale.RomFinder;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

/**
 * Where the real Atari ROMs for tests are: {@code $DQN_ENGINE_TEST_ROMS} (set by .ci/run), else
 * {@code ../shared/roms} beside the checkout. Tests that need them are skipped with this message
 * when neither exists, and fail with it under CI ({@link Requirements}). ROMs are never copied into the repository.
 */
public final class TestRoms {
    private TestRoms() {}

    public static Path dir() {
        String env = System.getenv("DQN_ENGINE_TEST_ROMS");
        Path p = env != null && !env.isBlank() ? Paths.get(env) : Paths.get("..", "shared", "roms");
        Requirements.require(Files.isRegularFile(p.resolve("pong.bin")),
                "no Atari ROMs found: set DQN_ENGINE_TEST_ROMS to a directory with pong.bin, breakout.bin, space_invaders.bin");
        return p.toAbsolutePath().normalize();
    }

    public static RomFinder.FoundRom rom(String id) {
        return RomFinder.identify(dir().resolve(id + ".bin"));
    }
}
