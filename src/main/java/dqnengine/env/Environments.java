package dqnengine.env;

/** Environment ids: the forms this build understands, and parsing them. */
public final class Environments {
    private Environments() {}

    /** The id forms this build understands. */
    public static final String FORMS = "ale:<game> (e.g. ale:pong, ale:breakout, ale:space_invaders)";

    /** The game id of an {@code ale:<game>} environment id. */
    public static String aleGame(String id) {
        if (!id.startsWith("ale:")) throw new IllegalArgumentException("'" + id + "' is not an Atari environment; expected " + FORMS);
        return id.substring(4);
    }
}
