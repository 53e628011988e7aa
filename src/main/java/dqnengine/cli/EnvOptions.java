package dqnengine.cli;

import dqnengine.env.ale.AtariConfig;
import dqnengine.env.ale.RomFinder;
import picocli.CommandLine.Option;

import java.nio.file.Path;

/** The environment flags, spelled the same on every command that opens a game. */
final class EnvOptions {
    @Option(names = "--env", paramLabel = "ID", defaultValue = "ale:pong",
            description = "Environment: ale:<game>, e.g. ale:pong, ale:breakout, ale:space_invaders. Default: ${DEFAULT-VALUE}.")
    String env;

    @Option(names = "--rom", paramLabel = "FILE", description = "An Atari ROM file to use (identified by its MD5; any file name works).")
    Path rom;

    @Option(names = "--rom-dir", paramLabel = "DIR", description = "A directory of Atari ROMs, searched before $ALE_ROMS_DIR and ~/.dqn-engine/roms.")
    Path romDir;

    @Option(names = "--atari-preset", paramLabel = "NAME", defaultValue = "nature",
            description = "Atari preprocessing: nature (Mnih et al. 2015) or machado (Machado et al. 2018: sticky actions 0.25). Default: ${DEFAULT-VALUE}.")
    String atariPreset;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "0", description = "Seed for the emulator and every random choice. Default: ${DEFAULT-VALUE}.")
    long seed;

    RomFinder romFinder() { return new RomFinder(rom, romDir); }

    AtariConfig atariConfig() { return AtariConfig.preset(atariPreset); }
}
