package dqnengine.env;

import dqnengine.env.builtin.CartPole;
import dqnengine.env.builtin.FrozenLake;
import dqnengine.env.minatar.Asterix;
import dqnengine.env.minatar.Breakout;
import dqnengine.env.minatar.Freeway;
import dqnengine.env.minatar.MinAtarGame;
import dqnengine.env.minatar.Seaquest;
import dqnengine.env.minatar.SpaceInvaders;
import dqnengine.util.BadInput;

import java.util.List;

/** Environment ids: the forms this build understands, and opening the built-in ones. */
public final class Environments {
    private Environments() {}

    /** The built-in environments: they need no ROM and no native library. */
    public static final List<String> BUILT_IN = List.of("cartpole", "frozenlake", "frozenlake:deterministic",
            "minatar:breakout", "minatar:space_invaders", "minatar:freeway", "minatar:asterix", "minatar:seaquest");

    /** The id forms this build understands. */
    public static final String FORMS = String.join(", ", BUILT_IN) + ", ale:<game> (e.g. ale:pong, ale:breakout)";

    /** Whether {@code id} names an Atari game (which needs a ROM and ALE). */
    public static boolean isAle(String id) { return id.startsWith("ale:"); }

    /** The game id of an {@code ale:<game>} environment id. */
    public static String aleGame(String id) {
        if (!isAle(id)) throw new BadInput("'" + id + "' is not an Atari environment; expected ale:<game>, e.g. ale:pong");
        return id.substring(4);
    }

    /** Refuses an id that names no environment of this build (an {@code ale:} game is checked when its ROM is looked up). */
    public static void requireKnown(String id) {
        if (!isAle(id) && !BUILT_IN.contains(id)) throw unknown(id);
    }

    private static BadInput unknown(String id) {
        return new BadInput("unknown environment '" + id + "'; expected one of " + FORMS);
    }

    /** Opens a built-in environment; MinAtar games take {@code minatar} (sticky actions, ramping). */
    public static Environment builtIn(String id, long seed, MinAtarGame.Options minatar) {
        MinAtarGame.Options m = new MinAtarGame.Options(seed, minatar.sticky(), minatar.ramping(), minatar.minimalActions(), minatar.maxSteps());
        return switch (id) {
            case "cartpole" -> new CartPole(seed);
            case "frozenlake" -> new FrozenLake(true, seed);
            case "frozenlake:deterministic" -> new FrozenLake(false, seed);
            case "minatar:breakout" -> new Breakout(m);
            case "minatar:space_invaders" -> new SpaceInvaders(m);
            case "minatar:freeway" -> new Freeway(m);
            case "minatar:asterix" -> new Asterix(m);
            case "minatar:seaquest" -> new Seaquest(m);
            default -> throw unknown(id);
        };
    }

    /** Opens a built-in environment with the MinAtar paper's settings. */
    public static Environment builtIn(String id, long seed) {
        return builtIn(id, seed, MinAtarGame.Options.paper(seed));
    }
}
