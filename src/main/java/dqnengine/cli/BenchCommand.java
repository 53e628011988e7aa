package dqnengine.cli;

import dqnengine.backend.Backend;
import dqnengine.backend.Backends;
import dqnengine.backend.cpu.VectorSupport;
import dqnengine.backend.opencl.OpenClBackend;
import dqnengine.bench.CostModel;
import dqnengine.bench.MachinePeak;
import dqnengine.bench.TimedBackend;
import dqnengine.bench.TrainStepWorkload;
import dqnengine.env.Environment;
import dqnengine.env.Environments;
import dqnengine.env.ObservationEncoding;
import dqnengine.replay.ReplayBuffer;
import dqnengine.tensor.Tensor;
import dqnengine.util.BadInput;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintStream;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.function.Consumer;

/**
 * {@code bench}: times the Nature-DQN workload on this machine and prints medians with GFLOP/s,
 * in the same line format as the peers in {@code shared/peers} so the numbers sit side by side.
 */
@Command(name = "bench", mixinStandardHelpOptions = true, subcommands = {BenchEnvCommand.class, BenchLoopCommand.class},
        description = {"Time the Nature-DQN train step, action selection and conv1 on this machine.",
                "Prints median, min and max per-call milliseconds and GFLOP/s (train step at batch 32 by",
                "default). 'bench env' times the Atari emulator and preprocessing; 'bench loop' the whole DQN loop."})
public final class BenchCommand implements Callable<Integer> {

    @Option(names = "--device", defaultValue = "auto", paramLabel = "DEVICE",
            description = "Compute device: ${COMPLETION-CANDIDATES}. 'reference' times the plain-loop oracle. Default: ${DEFAULT-VALUE}.",
            completionCandidates = DeviceCandidates.class)
    String device;

    @Option(names = "--threads", paramLabel = "N", description = "Compute threads. Default: all cores.")
    Integer threads;

    @Option(names = "--batch", defaultValue = "32", paramLabel = "N", description = "Train-step batch size. Default: ${DEFAULT-VALUE}.")
    int batch;

    @Option(names = "--repeats", defaultValue = "5", paramLabel = "N", description = "Timed blocks per figure; the median is reported. Default: ${DEFAULT-VALUE}.")
    int repeats;

    @Option(names = "--iters", defaultValue = "20", paramLabel = "N", description = "Calls per timed block (x10 for act, x2 for conv1 forward). Default: ${DEFAULT-VALUE}.")
    int iters;

    @Option(names = "--warmup", defaultValue = "10", paramLabel = "N", description = "Untimed calls first, for the JIT. Default: ${DEFAULT-VALUE}.")
    int warmup;

    @Option(names = "--seed", defaultValue = "0", paramLabel = "N", description = "Seed for weights and inputs. Default: ${DEFAULT-VALUE}.")
    long seed;

    @Option(names = "--peak-gflops-per-core", paramLabel = "X",
            description = {"Machine peak per core, for the share-of-peak column. Default: measured (fused multiply-adds on",
                    "the kernels' vectors, on every compute thread at once); 83.2 without the Vector API."})
    Double peakPerCore;

    /** The peak for {@code threads} threads: the user's figure, else measured, else the AVX2 development machine's 83.2 per core. */
    private double peak(int threads) {
        if (peakPerCore != null) return peakPerCore * threads;
        double measured = MachinePeak.fmaGflops(threads);
        return Double.isNaN(measured) ? 83.2 * threads : measured;
    }

    private String peakSource() {
        if (peakPerCore != null) return "given with --peak-gflops-per-core";
        return MachinePeak.vectorBits() > 0 ? "measured, " + MachinePeak.vectorBits() + "-bit FMA" : "assumed: 2.6 GHz x 2 AVX2 FMA units";
    }

    @Option(names = "--network", defaultValue = "nature", paramLabel = "NAME",
            description = "Network of the --breakdown train step: nature ([B,4,84,84], as the peers) or minatar ([B,4,10,10]). Default: ${DEFAULT-VALUE}.")
    String network;

    @Option(names = "--breakdown",
            description = {"Print every op of one train step instead (ms, GFLOP/s or GB/s, share of the step), against the",
                    "machine's FMA peak and triad bandwidth measured first. CPU backends, and OpenCL (whose every",
                    "launch and copy blocks, so each op's time is its own). Default: off."})
    boolean breakdown;

    static final class DeviceCandidates implements Iterable<String> {
        @Override
        public Iterator<String> iterator() { return Arrays.asList(Backends.DEVICES.split(", ")).iterator(); }
    }

    @Override
    public Integer call() throws IOException {
        if (batch < 1 || repeats < 1 || iters < 1 || warmup < 0) {
            throw new BadInput("--batch, --repeats and --iters must be at least 1, --warmup at least 0");
        }
        int nThreads = threads == null ? Backends.defaultThreads() : threads;
        PrintStream out = System.out;
        if (!network.equals("nature") && !network.equals("minatar")) throw new BadInput("--network must be nature or minatar, got '" + network + "'");
        if (peakPerCore != null && !(peakPerCore > 0)) throw new BadInput("--peak-gflops-per-core must be positive");
        if (breakdown) return breakdown(out, nThreads);
        try (Backend be = Backends.create(device, nThreads)) {
            boolean reference = be.name().startsWith("reference");
            boolean opencl = be.name().startsWith("opencl");
            TrainStepWorkload w = new TrainStepWorkload(be, batch, seed);
            double stepFlops = CostModel.trainStepFlops(w.online, batch, 4, 84, 84);
            double actFlops = 2.0 * CostModel.forwardMacs(w.online, 4, 84, 84);
            double conv1Flops = 2.0 * batch * CostModel.firstLayerMacs(w.online, 4, 84, 84);
            int usedThreads = reference ? 1 : Math.min(nThreads, Backends.maxThreads());
            double peak = peak(usedThreads);
            out.printf(Locale.ROOT, "# dqn-engine bench: backend=%s kernel=%s threads=%d batch=%d java=%s%n", be.name(),
                    reference ? "plain loops" : opencl ? "OpenCL C (kernels/*.cl)" : VectorSupport.kernelDescription(), usedThreads, batch,
                    System.getProperty("java.version"));
            out.printf(Locale.ROOT, "# workload: Nature CNN [B,4,84,84] -> 6 actions; train step = target fwd + online fwd + Huber + backward + Adam "
                    + "(%.3f GFLOP); peak %.1f GFLOP/s (%s)%n", stepFlops / 1e9, peak, peakSource());
            // The reference loops are ~100x slower: fewer calls, and one warm-up call suffices.
            int it = reference ? Math.max(1, iters / 10) : iters;
            if (reference) warmup = Math.min(warmup, 1);
            double[] stepMs = time(w::trainStep, it, stepFlops);
            report(out, "train_step_ms", stepMs, stepFlops, peak);
            out.printf(Locale.ROOT, "train_steps_per_s median=%.1f (batch %d)%n", 1000 / median(stepMs), batch);
            double[] replayMs = timeReplayBatch(be, batch, it * 10);
            out.printf(Locale.ROOT, "replay_batch_ms median=%.3f min=%.3f max=%.3f share_of_train_step=%.1f%% "
                            + "(sample %d transitions from 100,000 84x84 frames, rebuild s and s' as the network's float input)%n",
                    median(replayMs), replayMs[0], replayMs[replayMs.length - 1], 100 * median(replayMs) / median(stepMs), batch);
            report(out, "act_batch1_ms", time(w::act, it * 10, actFlops), actFlops, peak);
            report(out, "conv1_fwd_ms", time(w::conv1Forward, it * 2, conv1Flops), conv1Flops, peak);
            // no peer figure: conv1 with its ReLU, written in the layout conv2 takes, as the train step runs it
            report(out, "conv1_fwd_relu_as_in_step_ms", time(w::conv1AsInTheStep, it * 2, conv1Flops), conv1Flops, peak);
            out.printf(Locale.ROOT, "conv1_output_layout %s (in the train step)%n", w.conv1StepPixelMajor() ? "pixel-major" : "channel-major");
            Tensor ones = Tensor.zeros(w.online.layers().get(0).outputShape(new int[] {batch, 4, 84, 84})).fill(1f);
            // forward + weight/bias gradients + input gradient: 3 convolutions' worth
            report(out, "conv1_fwd_bwd_ms", time(() -> w.conv1ForwardBackward(ones), it, 3 * conv1Flops), 3 * conv1Flops, peak);
            if (!reference && !opencl) {                 // the loop figures are for the CPU backend only
                double[] env = timeBuiltInEnv("minatar:breakout");
                out.printf(Locale.ROOT, "env_steps_per_s median=%.0f min=%.0f max=%.0f (minatar:breakout, random policy, one core; "
                        + "Atari: 'bench env')%n", env[repeats / 2], env[0], env[repeats - 1]);
                EnvOptions envOptions = new EnvOptions();
                envOptions.atariPreset = "nature";
                BenchLoopCommand.Measured loop = BenchLoopCommand.measure(be, "minatar:breakout", 2_000, 3, envOptions);
                out.printf(Locale.ROOT, "loop_steps_per_s median=%.0f min=%.0f max=%.0f (minatar:breakout, preset minatar: "
                                + "an update every step; other games: 'bench loop --env ID')%n",
                        loop.sortedStepsPerSecond()[1], loop.sortedStepsPerSecond()[0], loop.sortedStepsPerSecond()[2]);
            }
        }
        return 0;
    }

    /**
     * The per-op table: the train step on a {@link TimedBackend}, {@code repeats} blocks of
     * {@code iters} steps, each row the median over blocks of its milliseconds per step.
     */
    private int breakdown(PrintStream out, int nThreads) {
        try (Backend inner = Backends.create(device, nThreads)) {
            // each op is timed as it returns: true of the CPU backends, and of OpenClBackend, which waits for every launch and copy
            if (!inner.hostResident() && !(inner instanceof OpenClBackend)) {
                throw new BadInput("--breakdown times each op as it returns, which only a CPU or OpenCL backend allows (this is " + inner.name() + ")");
            }
            int used = inner.name().startsWith("reference") ? 1 : Math.min(nThreads, Backends.maxThreads());
            double peak1 = peakPerCore != null ? peakPerCore : MachinePeak.fmaGflops(1);
            double peakN = peakPerCore != null ? peakPerCore * used : MachinePeak.fmaGflops(used);
            double bwCache = MachinePeak.triadGBs(used, 1 << 18), bwDram = MachinePeak.triadGBs(used, 1 << 24);
            boolean measured = !Double.isNaN(peakN);
            double peak = measured ? peakN : 83.2 * used;
            out.printf(Locale.ROOT, "# dqn-engine bench --breakdown: backend=%s threads=%d batch=%d java=%s%n", inner.name(), used, batch,
                    System.getProperty("java.version"));
            if (measured) {
                out.printf(Locale.ROOT, "# machine: FMA peak %.1f GFLOP/s on 1 thread, %.1f on %d (%d-bit vectors, " + (peakPerCore != null ? "given" : "measured") + "); triad %.1f GB/s on 1 MB arrays, "
                        + "%.1f GB/s on 64 MB arrays (%d threads)%n", peak1, peakN, used, MachinePeak.vectorBits(), bwCache, bwDram, used);
            } else {
                out.printf(Locale.ROOT, "# machine: no Vector API in this JVM, FMA peak assumed %.1f GFLOP/s (83.2 per core); triad %.1f GB/s on 1 MB "
                        + "arrays, %.1f GB/s on 64 MB arrays%n", peak, bwCache, bwDram);
            }
            TimedBackend be = new TimedBackend(inner);
            TrainStepWorkload w = new TrainStepWorkload(be, batch, seed, network);
            int[] sm = w.sample;
            Consumer<String> phases = be::phase;
            for (int i = 0; i < warmup; i++) w.trainStep(phases);
            Map<String, double[]> ms = new LinkedHashMap<>();
            Map<String, TimedBackend.Entry> rows = new LinkedHashMap<>();
            double[] stepMs = new double[repeats];
            for (int r = 0; r < repeats; r++) {
                be.reset();
                long t0 = System.nanoTime();
                for (int i = 0; i < iters; i++) w.trainStep(phases);
                stepMs[r] = (System.nanoTime() - t0) / 1e6 / iters;
                for (TimedBackend.Entry e : be.entries()) {
                    String key = e.phase + " | " + e.op;
                    rows.putIfAbsent(key, e);
                    ms.computeIfAbsent(key, k -> new double[repeats])[r] = e.nanos / 1e6 / iters;
                }
            }
            double step = median(sorted(stepMs));
            double flops = CostModel.trainStepFlops(w.online, batch, sm);
            out.printf(Locale.ROOT, "train_step_ms median=%.3f (%s network, the same steps timed whole; %.1f GFLOP/s, %.0f%% of the FMA peak)%n", step,
                    network, flops / (step * 1e6), 100 * flops / (step * 1e6) / peak);
            out.printf(Locale.ROOT, "%-11s %-44s %5s %8s %6s %8s %6s %7s %6s %6s%n", "phase", "op", "calls", "ms", "share", "GFLOP/s", "%peak", "GB/s", "%bw",
                    "%mem");
            double sum = 0;
            for (var entry : rows.entrySet()) {
                TimedBackend.Entry e = entry.getValue();
                double m = median(sorted(ms.get(entry.getKey())));
                sum += m;
                double perStep = 1.0 / iters;
                String gf = "", gfShare = "", gb = "", gbShare = "", memShare = "";
                if (e.flops > 0) {
                    double g = e.flops * perStep / (m * 1e6);
                    gf = String.format(Locale.ROOT, "%.1f", g);
                    gfShare = String.format(Locale.ROOT, "%.0f%%", 100 * g / peak);
                }
                if (e.bytes > 0) {
                    double g = e.bytes * perStep / (m * 1e6);
                    gb = String.format(Locale.ROOT, "%.1f", g);
                    gbShare = String.format(Locale.ROOT, "%.0f%%", 100 * g / bwCache);
                    memShare = String.format(Locale.ROOT, "%.0f%%", 100 * g / bwDram);
                }
                out.printf(Locale.ROOT, "%-11s %-44s %5d %8.3f %5.1f%% %8s %6s %7s %6s %6s%n", e.phase, e.op, e.calls / iters, m, 100 * m / step,
                        gf, gfShare, gb, gbShare, memShare);
            }
            out.printf(Locale.ROOT, "%-11s %-44s %5s %8.3f %5.1f%%%n", "-", "outside the ops (layers' own bookkeeping, timing)", "", step - sum,
                    100 * (step - sum) / step);
            out.printf(Locale.ROOT, "# ms: median over %d blocks of %d steps, per step; %%peak against the %s FMA peak, %%bw against the 1 MB triad "
                    + "(arrays in cache), %%mem against the 64 MB triad (arrays in memory: the ceiling of an op that moves more than the caches hold, "
                    + "such as Adam over every parameter)%n", repeats, iters, measured ? "measured" : "assumed");
        }
        return 0;
    }

    private static double[] sorted(double[] values) {
        double[] copy = values.clone();
        Arrays.sort(copy);
        return copy;
    }

    /** Random-policy environment steps per second of a built-in game, per timed block, sorted. */
    private double[] timeBuiltInEnv(String id) {
        double[] sps = new double[repeats];
        try (Environment env = Environments.builtIn(id, seed)) {
            Random rng = new Random(seed);
            int n = 100_000;
            for (int r = -1; r < repeats; r++) {
                env.reset();
                long t0 = System.nanoTime();
                for (int i = 0; i < n; i++) if (env.step(rng.nextInt(env.actionCount())).done()) env.reset();
                if (r >= 0) sps[r] = n / ((System.nanoTime() - t0) / 1e9);
            }
        }
        Arrays.sort(sps);
        return sps;
    }

    /** Sampling a batch from a replay of Atari frames and turning it into the network's input. */
    private double[] timeReplayBatch(Backend be, int batch, int perBlock) {
        int frame = 84 * 84;
        ReplayBuffer replay = new ReplayBuffer(100_000, 1, frame, 4, seed);
        byte[] obs = new byte[4 * frame];
        Random rng = new Random(seed);
        rng.nextBytes(obs);
        replay.start(0, obs);
        for (int t = 1; t < 100_000; t++) {
            for (int k = 0; k < 64; k++) obs[3 * frame + rng.nextInt(frame)] = (byte) t;      // a changing newest frame
            boolean end = t % 2_000 == 0;
            replay.add(0, t % 6, 1f, end, false, obs);
            if (end) replay.start(0, obs);
        }
        ReplayBuffer.Batch b = new ReplayBuffer.Batch(batch);
        byte[] bytes = new byte[batch * 4 * frame];
        Tensor s = Tensor.zeros(batch, 4, 84, 84), next = Tensor.zeros(batch, 4, 84, 84);
        ObservationEncoding pixels = ObservationEncoding.PIXELS;
        Backend.Work states = half -> replay.gather(b, false, pixels, s.data), nextStates = half -> replay.gather(b, true, pixels, next.data);
        return time(() -> {                                   // what DqnLearner does on this backend
            replay.sample(b);
            if (be.hostResident()) {
                be.runBoth(states, nextStates);               // s and s' at once, on a CPU backend of two threads or more
            } else {
                replay.gatherBytes(b, false, bytes);
                be.u8ToFloat(bytes, 0, pixels.scale, s);
                replay.gatherBytes(b, true, bytes);
                be.u8ToFloat(bytes, 0, pixels.scale, next);
            }
        }, perBlock, 0);
    }

    private double[] time(Runnable call, int perBlock, double flops) {
        for (int i = 0; i < warmup; i++) call.run();
        double[] ms = new double[repeats];
        for (int r = 0; r < repeats; r++) {
            long t0 = System.nanoTime();
            for (int i = 0; i < perBlock; i++) call.run();
            ms[r] = (System.nanoTime() - t0) / 1e6 / perBlock;
        }
        Arrays.sort(ms);
        return ms;
    }

    private static double median(double[] sorted) {
        return sorted.length % 2 == 1 ? sorted[sorted.length / 2] : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;
    }

    private static void report(PrintStream out, String name, double[] sortedMs, double flops, double peak) {
        double median = median(sortedMs);
        double gflops = flops / (median * 1e6);
        out.printf(Locale.ROOT, "%s median=%.3f min=%.3f max=%.3f gflops=%.1f peak_share=%.0f%%%n",
                name, median, sortedMs[0], sortedMs[sortedMs.length - 1], gflops, 100 * gflops / peak);
    }
}
