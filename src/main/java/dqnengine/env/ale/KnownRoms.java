package dqnengine.env.ale;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The Atari 2600 ROMs this build recognises, by MD5 of the file's bytes.
 *
 * <p>ALE 0.6.1 chooses the game's settings (action set, reward and terminal detection) from the
 * ROM's <em>file name</em>, and a name it does not know crashes the process natively. So every
 * ROM is identified here by content first and handed to ALE under its canonical name,
 * {@code <id>.bin}; a renamed file works, an unknown one is refused before ALE sees it.
 *
 * <p>To add a game, add its id (ALE's ROM file name without {@code .bin}), the MD5 of a known-good
 * dump and its size.
 */
public final class KnownRoms {
    private KnownRoms() {}

    /** One known ROM. */
    public record Game(String id, String md5, int bytes, String title) {
        public String canonicalFileName() { return id + ".bin"; }
    }

    private static final Map<String, Game> BY_MD5 = new LinkedHashMap<>();
    private static final Map<String, Game> BY_ID = new LinkedHashMap<>();

    private static void add(String id, String md5, int bytes, String title) {
        Game g = new Game(id, md5, bytes, title);
        BY_MD5.put(md5, g);
        BY_ID.put(id, g);
    }

    static {
        add("beam_rider", "79ab4123a83dc11d468fb2108ea09e2e", 8192, "Beamrider (1984) (Activision)");
        add("breakout", "f34f08e5eb96e500e851a80be3277a56", 2048, "Breakout (1978) (Atari)");
        add("enduro", "94b92a882f6dbaa6993a46e2dcc58402", 4096, "Enduro (1983) (Activision)");
        add("pong", "60e0ea3cbe0913d39803477945e9e5ec", 2048, "Video Olympics / Pong (1978) (Atari)");
        add("qbert", "484b0076816a104875e00467d431c2d2", 4096, "Q-bert (1983) (Parker Bros)");
        add("seaquest", "240bfbac5163af4df5ae713985386f92", 4096, "Seaquest (1983) (Activision)");
        add("space_invaders", "72ffbef6504b75e69ee1045af9075f66", 4096, "Space Invaders (1980) (Atari)");
    }

    /** The game whose ROM has this MD5, or null. */
    public static Game byMd5(String md5) { return BY_MD5.get(md5); }

    /** The game with this id (e.g. {@code pong}), or null. */
    public static Game byId(String id) { return BY_ID.get(id); }

    /** Every known game, by id. */
    public static Map<String, Game> all() { return Collections.unmodifiableMap(BY_ID); }
}
