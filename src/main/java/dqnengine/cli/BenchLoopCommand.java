package dqnengine.cli;

import dqnengine.backend.Backend;
import dqnengine.dqn.DqnConfig;
import dqnengine.dqn.RunDirectory;
import dqnengine.dqn.Trainer;
import dqnengine.util.AtomicFiles;
import dqnengine.util.BadInput;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code bench loop}: agent steps per second of the whole training loop (acting, environment,
 * replay, updates at the preset's rate, target syncs), in throw-away run directories. Each block
 * is a fresh run whose first tenth fills the replay without updates; an untimed block warms the JIT.
 */
@Command(name = "loop", mixinStandardHelpOptions = true,
        description = "Time the whole DQN loop (env + replay + updates at the preset's rate); print agent steps/s.")
final class BenchLoopCommand implements Callable<Integer> {
    @Mixin EnvOptions envOptions;
    @Option(names = "--steps", defaultValue = "5000", paramLabel = "N", description = "Agent steps per timed block. Default: ${DEFAULT-VALUE}.")
    long steps;
    @Option(names = "--repeats", defaultValue = "3", paramLabel = "N", description = "Timed blocks; the median is reported. Default: ${DEFAULT-VALUE}.")
    int repeats;
    @Mixin DeviceOptions deviceOptions;

    @Override
    public Integer call() throws IOException {
        if (steps < 100 || repeats < 1) throw new BadInput("--steps must be at least 100 and --repeats at least 1");
        String env = envOptions.envOr("minatar:breakout");
        try (Backend be = deviceOptions.open(DqnConfig.preset(DqnConfig.presetFor(env)).network)) {
            Measured m = measure(be, env, steps, repeats, envOptions);
            System.out.printf(Locale.ROOT, "# dqn-engine bench loop: %s preset=%s backend=%s, %,d steps per block (%,d of them before learning starts)%n",
                    env, m.cfg.preset, be.name(), steps, m.cfg.learningStarts);
            System.out.printf(Locale.ROOT, "agent_steps_per_s median=%.0f min=%.0f max=%.0f (updates every %d steps, batch %d)%n",
                    m.sortedStepsPerSecond[repeats / 2], m.sortedStepsPerSecond[0], m.sortedStepsPerSecond[repeats - 1],
                    m.cfg.trainEvery, m.cfg.batchSize);
        }
        return 0;
    }

    /** What {@link #measure} found: the config it ran and agent steps/s per block, sorted. */
    record Measured(DqnConfig cfg, double[] sortedStepsPerSecond) {}

    /** Runs {@code repeats} timed blocks (after one untimed) of the loop on {@code env}. */
    static Measured measure(Backend be, String env, long steps, int repeats, EnvOptions envOptions) throws IOException {
        DqnConfig cfg = DqnConfig.preset(DqnConfig.presetFor(env));
        cfg.env = env;
        cfg.seed = envOptions.seed;
        cfg.replaySize = (int) Math.min(cfg.replaySize, 4 * steps + 1000);
        cfg.learningStarts = Math.min(cfg.learningStarts, Math.max(4L * cfg.batchSize, steps / 10));
        cfg.checkpointEvery = Long.MAX_VALUE / 4;
        cfg.logEvery = Long.MAX_VALUE / 4;
        cfg.stopAtReturn = Double.NaN;
        cfg.steps = steps;
        double[] sps = new double[repeats];
        Path dir = Files.createTempDirectory("dqn-engine-bench-loop");
        try {
            PrintStream quiet = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
            for (int r = -1; r < repeats; r++) {                         // r = -1: warm-up
                Path run = dir.resolve("run" + (r + 1));
                RunDirectory.prepareNew(run, cfg);
                Trainer t = new Trainer(cfg, be, (i, seed) -> envOptions.open(cfg.env, seed, cfg.sticky), run, quiet);
                double secs = t.run(null).loopSeconds();
                if (r >= 0) sps[r] = steps / secs;
            }
        } finally {
            AtomicFiles.deleteTree(dir);
        }
        Arrays.sort(sps);
        return new Measured(cfg, sps);
    }
}
