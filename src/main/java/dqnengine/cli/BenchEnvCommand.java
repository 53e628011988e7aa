package dqnengine.cli;

import dqnengine.env.Environments;
import dqnengine.env.ale.AleGame;
import dqnengine.env.ale.AtariConfig;
import dqnengine.env.ale.AtariEnvironment;
import dqnengine.env.ale.RomFinder;
import dqnengine.util.BadInput;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.Arrays;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.Callable;

/**
 * {@code bench env}: emulator frames per second on one core, raw ALE beside the full
 * preprocessing stack, over the same number of emulator frames with the same random policy.
 */
@Command(name = "env", mixinStandardHelpOptions = true,
        description = "Time raw ALE emulation and the full Atari preprocessing stack on one core; print frames/s and the overhead.")
final class BenchEnvCommand implements Callable<Integer> {
    @Mixin
    EnvOptions envOptions;

    @Option(names = "--frames", defaultValue = "40000", paramLabel = "N", description = "Emulator frames per timed block. Default: ${DEFAULT-VALUE}.")
    int frames;

    @Option(names = "--repeats", defaultValue = "5", paramLabel = "N", description = "Timed blocks; the median is reported. Default: ${DEFAULT-VALUE}.")
    int repeats;

    @Override
    public Integer call() {
        if (frames < 100 || repeats < 1) throw new BadInput("--frames must be at least 100 and --repeats at least 1");
        String game = Environments.aleGame(envOptions.envOr("ale:pong"));
        RomFinder.FoundRom rom = envOptions.romFinder().find(game);
        AtariConfig cfg = envOptions.atariConfig();
        double[] raw = new double[repeats], full = new double[repeats];
        try (AleGame ale = new AleGame(rom, envOptions.seed, cfg.stickyProbability(), cfg.fullActionSet(), cfg.mode(), cfg.difficulty());
             AtariEnvironment env = new AtariEnvironment(rom, cfg, envOptions.seed)) {
            int actions = ale.actions().length;
            Random rng = new Random(envOptions.seed);
            timeRaw(ale, actions, rng, frames / 4);                   // warm-up
            timeFull(env, rng, frames / 4);
            for (int r = 0; r < repeats; r++) {                        // alternate, so drift hits both alike
                raw[r] = timeRaw(ale, actions, rng, frames);
                full[r] = timeFull(env, rng, frames);
            }
        }
        Arrays.sort(raw);
        Arrays.sort(full);
        double rawFps = raw[repeats / 2], fullFps = full[repeats / 2];
        System.out.printf(Locale.ROOT, "# dqn-engine bench env: %s preset=%s (%s), 1 core, %d frames per block%n", envOptions.envOr("ale:pong"),
                envOptions.atariPreset, cfg.describe(), frames);
        System.out.printf(Locale.ROOT, "ale_raw_fps median=%.0f min=%.0f max=%.0f%n", rawFps, raw[0], raw[repeats - 1]);
        System.out.printf(Locale.ROOT, "preprocessed_fps median=%.0f min=%.0f max=%.0f (agent steps/s = fps / %d)%n", fullFps, full[0],
                full[repeats - 1], cfg.frameSkip());
        System.out.printf(Locale.ROOT, "preprocessing_overhead=%.1f%% (time per frame, preprocessed vs raw, medians)%n", 100 * (rawFps / fullFps - 1));
        return 0;
    }

    private static double timeRaw(AleGame ale, int actions, Random rng, int frames) {
        long t0 = System.nanoTime();
        int action = 0;
        for (int f = 0; f < frames; f++) {
            if (f % 4 == 0) action = rng.nextInt(actions);            // the agent's choice changes every 4 frames
            ale.act(action);
            if (ale.gameOver()) ale.resetGame();
        }
        return frames / ((System.nanoTime() - t0) / 1e9);
    }

    private static double timeFull(AtariEnvironment env, Random rng, int frames) {
        int skip = env.config().frameSkip();
        long t0 = System.nanoTime();
        env.reset();
        for (int f = 0; f < frames; f += skip) {
            if (env.step(rng.nextInt(env.actionCount())).done()) env.reset();
        }
        return frames / ((System.nanoTime() - t0) / 1e9);
    }
}
