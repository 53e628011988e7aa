package dqnengine.env.ale;

import dqnengine.util.BadInput;

import java.util.Locale;

/**
 * The Atari preprocessing choices, each with its source. Three named presets:
 *
 * <ul>
 *   <li>{@link #nature()}: Mnih et al. 2015, "Human-level control through deep reinforcement
 *       learning", Methods and Extended Data Table 1: no sticky actions, minimal action set,
 *       frame skip 4 with the max over the last two frames, up to 30 no-op starts, loss of a life
 *       ends the training episode.</li>
 *   <li>{@link #machado()}: Machado et al. 2018, "Revisiting the Arcade Learning Environment",
 *       §5 recommendations: sticky actions with probability 0.25 as the only source of
 *       stochasticity (no no-op starts), no life-loss signal (episodes end at game over), full
 *       action set of 18.</li>
 *   <li>{@link #dopamine()}: the protocol of Dopamine's published baselines (Castro et al. 2018;
 *       {@code atari_lib.create_atari_environment} and {@code AtariPreprocessing} with the
 *       defaults of their {@code dqn.gin}/{@code rainbow.gin}): sticky actions 0.25, minimal
 *       action set, frame skip 4 with max-pool, no no-op starts, no FIRE after reset, a lost life
 *       is not terminal, episodes capped at 27,000 agent steps (108,000 frames), rewards clipped
 *       for training. The curves of {@code shared/anchors/dopamine-atari.md} are under it.</li>
 * </ul>
 * The default is {@code nature}.
 *
 * @param stickyProbability   ALE {@code repeat_action_probability}
 * @param fullActionSet       18 actions instead of the game's minimal set
 * @param frameSkip           emulator frames per agent step, the action repeated (Mnih 2015: 4)
 * @param maxPoolLastTwo      observation = pixel-wise max of the last two frames of a step,
 *                            against sprite flicker (Mnih 2015, Methods: Preprocessing)
 * @param size                side of the square, area-resized grayscale frame (84)
 * @param stack               frames stacked into one observation (Mnih 2015: 4)
 * @param noopMax             up to this many no-op frames at each reset, uniform (Mnih 2015: 30)
 * @param fireOnReset         press FIRE after a reset (and after a lost life) in games whose
 *                            actions include it, as OpenAI Baselines' FireResetEnv does: games such
 *                            as Breakout otherwise wait for FIRE forever
 * @param lifeLossTerminal    losing a life is terminal for training; the game continues and the
 *                            reported score is still per game (Mnih 2015)
 * @param clipRewards         training reward = sign(game reward) (Mnih 2015, Methods: Training details)
 * @param maxEpisodeFrames    emulator frames after which an episode is truncated (108,000 = 30
 *                            minutes at 60 Hz, Dopamine's and Rainbow's limit of 27,000 agent steps)
 * @param mode                game mode, or -1 for the default
 * @param difficulty          game difficulty, or -1 for the default
 */
public record AtariConfig(float stickyProbability, boolean fullActionSet, int frameSkip, boolean maxPoolLastTwo, int size,
                          int stack, int noopMax, boolean fireOnReset, boolean lifeLossTerminal, boolean clipRewards,
                          int maxEpisodeFrames, int mode, int difficulty) {

    public AtariConfig {
        if (stickyProbability < 0f || stickyProbability > 1f) throw new IllegalArgumentException("sticky probability must be in [0, 1]");
        if (frameSkip < 1) throw new IllegalArgumentException("frame skip must be at least 1");
        if (size < 8 || size > 160) throw new IllegalArgumentException("frame size must be in [8, 160]");
        if (stack < 1) throw new IllegalArgumentException("frame stack must be at least 1");
        if (noopMax < 0) throw new IllegalArgumentException("no-op maximum must be at least 0");
        if (maxEpisodeFrames < 1) throw new IllegalArgumentException("episode frame cap must be positive");
    }

    public static AtariConfig nature() {
        return new AtariConfig(0f, false, 4, true, 84, 4, 30, true, true, true, 108_000, -1, -1);
    }

    public static AtariConfig machado() {
        return new AtariConfig(0.25f, true, 4, true, 84, 4, 0, true, false, true, 108_000, -1, -1);
    }

    public static AtariConfig dopamine() {
        return new AtariConfig(0.25f, false, 4, true, 84, 4, 0, false, false, true, 108_000, -1, -1);
    }

    /** The preset names {@link #preset} knows. */
    public static final String PRESETS = "nature, machado, dopamine";

    /** A preset by name: {@code nature}, {@code machado} or {@code dopamine}. */
    public static AtariConfig preset(String name) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "nature" -> nature();
            case "machado" -> machado();
            case "dopamine" -> dopamine();
            default -> throw new BadInput("unknown Atari preset '" + name + "'; presets: " + PRESETS);
        };
    }

    /** One line for logs and the eval report. */
    public String describe() {
        return String.format(Locale.ROOT, "sticky=%.2f actions=%s frameskip=%d maxpool=%s %dx%d stack=%d noops<=%d fire-reset=%s "
                        + "life-loss-terminal=%s clip=%s frame-cap=%d", stickyProbability, fullActionSet ? "full" : "minimal", frameSkip,
                maxPoolLastTwo, size, size, stack, noopMax, fireOnReset, lifeLossTerminal, clipRewards, maxEpisodeFrames);
    }
}
