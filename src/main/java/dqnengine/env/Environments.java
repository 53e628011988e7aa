package dqnengine.env;

import dqnengine.env.ale.AtariConfig;
import dqnengine.env.ale.AtariEnvironment;
import dqnengine.env.ale.RomFinder;

/** Opens an environment from its id. */
public final class Environments {
    private Environments() {}

    /** The id forms this build understands. */
    public static final String FORMS = "ale:<game> (e.g. ale:pong, ale:breakout, ale:space_invaders)";

    /**
     * @param id     {@code ale:<game>}
     * @param roms   where to look for Atari ROMs
     * @param atari  the Atari preprocessing settings
     * @param seed   seeds the emulator and every random choice of the preprocessing
     */
    public static Environment open(String id, RomFinder roms, AtariConfig atari, long seed) {
        if (id.startsWith("ale:")) return AtariEnvironment.open(id.substring(4), roms, atari, seed);
        throw new IllegalArgumentException("unknown environment '" + id + "'; this build has: " + FORMS);
    }

    /** The game id of an {@code ale:<game>} environment id. */
    public static String aleGame(String id) {
        if (!id.startsWith("ale:")) throw new IllegalArgumentException("'" + id + "' is not an Atari environment; expected " + FORMS);
        return id.substring(4);
    }
}
