package dqnengine.cli;

import dqnengine.env.Environment;
import dqnengine.env.Environments;
import dqnengine.env.ale.AtariEnvironment;
import dqnengine.env.minatar.MinAtarGame;
import dqnengine.env.ale.AtariConfig;
import dqnengine.env.ale.RomFinder;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The environment flags, spelled the same on every command that opens a game. */
final class EnvOptions {
    String env;

    @Option(names = {"--env", "--env-id"}, paramLabel = "ID",
            description = "Environment: cartpole, frozenlake, minatar:<breakout|space_invaders|freeway|asterix|seaquest>, "
                    + "or ale:<game> (e.g. ale:pong; needs the game's ROM). Gym/ale-py ids work too: CartPole-v1, "
                    + "PongNoFrameskip-v4, ALE/Breakout-v5.")
    void env(String id) { this.env = canonicalEnv(id); }

    /**
     * Our id for a Gym / ale-py id (CleanRL's {@code --env-id} values): {@code CartPole-v1} →
     * {@code cartpole}, {@code FrozenLake-v1} → {@code frozenlake}, {@code <Game>NoFrameskip-v4},
     * {@code <Game>-v5} and {@code ALE/<Game>-v5} → {@code ale:<game>} in snake case. The
     * preprocessing is still ours ({@code --atari-preset}); anything else is returned unchanged.
     */
    static String canonicalEnv(String id) {
        Matcher gym = Pattern.compile("(?:ALE/)?([A-Z][A-Za-z]*?)(?:NoFrameskip)?-v\\d+").matcher(id);
        if (!gym.matches()) return id;
        String name = gym.group(1);
        if (name.equals("CartPole")) return "cartpole";
        if (name.equals("FrozenLake")) return "frozenlake";
        return "ale:" + name.replaceAll("([a-z])([A-Z])", "$1_$2").toLowerCase(Locale.ROOT);
    }

    @Option(names = "--rom", paramLabel = "FILE", description = "An Atari ROM file to use (identified by its MD5; any file name works).")
    Path rom;

    @Option(names = "--rom-dir", paramLabel = "DIR", description = "A directory of Atari ROMs, searched before $ALE_ROMS_DIR and ~/.dqn-engine/roms.")
    Path romDir;

    @Option(names = "--atari-preset", paramLabel = "NAME", defaultValue = "nature",
            description = "Atari preprocessing: nature (Mnih et al. 2015), machado (Machado et al. 2018: sticky actions 0.25) or dopamine "
                    + "(Dopamine's baselines: sticky 0.25, no life-loss terminal, no no-ops, no FIRE reset). Default: ${DEFAULT-VALUE} (train: the preset's).")
    String atariPreset;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "0", description = "Seed for the emulator and every random choice. Default: ${DEFAULT-VALUE}.")
    long seed;

    /** The --env value, or {@code fallback} when it was not given. */
    String envOr(String fallback) { return env == null ? fallback : env; }

    /**
     * Opens environment {@code id}: an Atari game through ALE and the preset's preprocessing, or a
     * built-in game. {@code sticky} overrides the sticky-action probability when ≥ 0.
     */
    Environment open(String id, long seed, double sticky) {
        if (Environments.isAle(id)) {
            AtariConfig cfg = atariConfig();
            if (sticky >= 0) {
                cfg = new AtariConfig((float) sticky, cfg.fullActionSet(), cfg.frameSkip(), cfg.maxPoolLastTwo(), cfg.size(), cfg.stack(),
                        cfg.noopMax(), cfg.fireOnReset(), cfg.lifeLossTerminal(), cfg.clipRewards(), cfg.maxEpisodeFrames(), cfg.mode(), cfg.difficulty());
            }
            return new AtariEnvironment(romFinder().find(Environments.aleGame(id)), cfg, seed);
        }
        MinAtarGame.Options m = MinAtarGame.Options.paper(seed);
        if (sticky >= 0) m = new MinAtarGame.Options(seed, sticky, m.ramping(), m.minimalActions(), m.maxSteps());
        return Environments.builtIn(id, seed, m);
    }

    /**
     * Checks, before anything is written, that {@code id} can be opened: a known built-in id, or
     * an Atari game whose ROM is found; and that --atari-preset names a preset.
     */
    void check(String id) {
        atariConfig();
        Environments.requireKnown(id);
        if (Environments.isAle(id)) romFinder().find(Environments.aleGame(id));
    }

    RomFinder romFinder() { return new RomFinder(rom, romDir); }

    AtariConfig atariConfig() { return AtariConfig.preset(atariPreset); }
}
