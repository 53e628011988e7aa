package dqnengine.cli;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonParseException;
import dqnengine.backend.Backend;
import dqnengine.cluster.Actor;
import dqnengine.cluster.HazelcastLinks;
import dqnengine.cluster.Learner;
import dqnengine.dqn.DqnConfig;
import dqnengine.util.AtomicFiles;
import dqnengine.util.BadInput;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** {@code cluster}: one learner and many actors in separate processes (Ape-X style), on Hazelcast. */
@Command(name = "cluster", mixinStandardHelpOptions = true,
        description = {"Train with actors in other processes or machines feeding one learner (Ape-X style).",
                "  cluster learner --env ale:pong --actors 8 --run-dir runs/pong-apex",
                "  cluster actor --join LEARNER_HOST:5701        (one per core, on any machine)",
                "See the README's 'Scaling out'."},
        subcommands = {ClusterCommand.LearnerCommand.class, ClusterCommand.ActorCommand.class})
public final class ClusterCommand implements Runnable {
    @Spec CommandSpec spec;

    @Override
    public void run() { spec.commandLine().usage(System.out); }

    /** {@code cluster learner}: every flag of {@code train}, plus where actors find it. */
    @Command(name = "learner", mixinStandardHelpOptions = true,
            description = {"Own the replay, the networks and the checkpoints; take experience from actors.",
                    "Takes every flag of 'train' (preset, config, --resume, ...); --steps counts the actors' steps together.",
                    "Updates come at the preset's rate per agent step (--train-every), whatever the number of actors."})
    public static final class LearnerCommand extends TrainCommand {
        @Option(names = "--port", paramLabel = "N", defaultValue = "5701", description = "TCP port actors join on (all interfaces). Default: ${DEFAULT-VALUE}.")
        int port;
        @Option(names = "--actors", paramLabel = "N", defaultValue = "4", description = "Most actors at once (the replay keeps one ring per actor). Default: ${DEFAULT-VALUE}.")
        int actors;
        @Option(names = "--publish-every", paramLabel = "N", defaultValue = "100", description = "Updates between weight publications to the actors. Default: ${DEFAULT-VALUE}.")
        long publishEvery;
        @Option(names = "--inbox", paramLabel = "N", defaultValue = "64", description = "Chunks the learner holds before actors wait (back-pressure). Default: ${DEFAULT-VALUE}.")
        int inbox;
        @Option(names = "--pace", paramLabel = "HOW", defaultValue = "preset",
                description = {"preset: an update every --train-every agent steps of all actors together (the preset's replay ratio);",
                        "free: update as fast as the learner can, whatever the actors bring (Ape-X). Default: ${DEFAULT-VALUE}."})
        String pace;

        @Override
        public Integer call() throws IOException {
            if (seeds != null) throw new BadInput("--seeds is for train; start one learner per seed");
            if (actors < 1 || actors > 1024) throw new BadInput("--actors must be in 1..1024, got " + actors);
            if (publishEvery < 1) throw new BadInput("--publish-every must be at least 1");
            if (inbox < 1) throw new BadInput("--inbox must be at least 1");
            if (resume != null) restoreSettings(resume);
            if (!pace.equals("preset") && !pace.equals("free")) throw new BadInput("--pace must be preset or free, got '" + pace + "'");
            return super.call();
        }

        /** The learner's own settings, kept beside config.json so that --resume restarts it as it was. */
        static final String SETTINGS_FILE = "cluster.json";

        private record Settings(int port, int actors, long publishEvery, int inbox, String pace) {}

        /** A resumed learner takes its saved --port, --actors, --publish-every and --inbox unless they are given again. */
        private void restoreSettings(Path dir) throws IOException {
            Path file = dir.resolve(SETTINGS_FILE);
            if (!Files.isRegularFile(file)) {
                throw new BadInput(dir + " has no " + SETTINGS_FILE + ": it is not a cluster learner's run (continue it with train --resume)");
            }
            Settings s;
            try {
                s = new Gson().fromJson(Files.readString(file), Settings.class);
            } catch (JsonParseException e) {
                s = null;
            }
            if (s == null || s.actors() < 1 || s.publishEvery() < 1 || s.inbox() < 1 || s.port() < 1) {
                throw new BadInput(file + " is damaged: give --port, --actors, --publish-every and --inbox again after restoring it");
            }
            if (!given("--port")) port = s.port();
            if (!given("--actors")) actors = s.actors();
            if (!given("--publish-every")) publishEvery = s.publishEvery();
            if (!given("--inbox")) inbox = s.inbox();
            if (!given("--pace") && s.pace() != null) pace = s.pace();
        }

        @Override
        Job job(DqnConfig cfg, Backend be, Path dir) {
            try {
                AtomicFiles.writeString(dir.resolve(SETTINGS_FILE),
                        new GsonBuilder().setPrettyPrinting().create().toJson(new Settings(port, actors, publishEvery, inbox, pace)) + "\n");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            Learner.Link link;
            try {
                link = HazelcastLinks.learner(port, inbox);
            } catch (IllegalArgumentException e) {
                throw new BadInput(e.getMessage());
            }
            Learner learner;
            try {
                learner = new Learner(cfg, be, envOptions.open(cfg.env, cfg.seed, cfg.sticky), link, dir, System.out, actors, publishEvery, pace.equals("free"));
            } catch (RuntimeException e) {
                link.close();
                throw e;
            }
            System.out.printf(Locale.ROOT, "cluster learner: %s, preset %s, %,d steps, up to %d actors, port %d, pace %s, backend %s, run dir %s%n",
                    cfg.env, cfg.preset, cfg.steps, actors, port, pace, be.name(), dir);
            if (cfg.evalEvery > 0 || cfg.captureVideoEvery > 0) {
                System.out.println("note: the learner plays no games itself, so --eval-every and --capture-video-every are not done during "
                        + "the run; evaluate its checkpoints with: eval --run-dir " + dir);
            }
            if (cfg.numEnvs > 1) System.out.println("note: --num-envs is for train; here each actor is one environment");
            if (cfg.saveReplay) System.out.println("note: the learner does not save its replay (--save-replay is for train); a resumed learner refills from its actors");
            System.out.printf(Locale.ROOT, "actors join with: dqn-engine cluster actor --join %s:%d%n", SweepCommand.hostName(), port);
            System.out.flush();
            return new Job() {
                @Override
                public void requestStop() { learner.requestStop(); }

                @Override
                public Summary run(Path resumeFrom) throws IOException {
                    try {
                        Learner.Result r = learner.run(resumeFrom);
                        System.out.printf(Locale.ROOT, "learner: %,d chunks taken, %,d skipped%n", r.chunks(), r.chunksRejected());
                        return new Summary(r.steps(), r.updates(), r.episodes(), r.meanReturn100(), r.interrupted());
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new IOException("interrupted");
                    } finally {
                        link.close();
                    }
                }
            };
        }
    }

    /** {@code cluster actor}: plays the learner's game and ships experience to it. */
    @Command(name = "actor", mixinStandardHelpOptions = true,
            description = {"Play the learner's game with its newest weights and send the experience to it.",
                    "Settings (game, preprocessing, network) come from the learner; Atari needs the ROM here too."})
    public static final class ActorCommand implements Callable<Integer> {
        @Option(names = "--join", required = true, paramLabel = "HOST:PORT", description = "The learner's address.")
        String join;
        @Option(names = "--index", paramLabel = "I", defaultValue = "-1", description = "This actor's index i (its epsilon is 0.4^(1+7i/(N-1))). Default: the first free one.")
        int index;
        @Option(names = "--env", paramLabel = "ID", description = "The game this actor expects; refused if the learner trains another. Default: the learner's.")
        String env;
        @Option(names = "--rom", paramLabel = "FILE", description = "An Atari ROM file to use (identified by its MD5; any file name works).")
        Path rom;
        @Option(names = "--rom-dir", paramLabel = "DIR", description = "A directory of Atari ROMs, searched before $ALE_ROMS_DIR and ~/.dqn-engine/roms.")
        Path romDir;
        @Option(names = "--steps", paramLabel = "N", defaultValue = "0", description = "Stop after N agent steps (0 = until the learner is done or gone). Default: ${DEFAULT-VALUE}.")
        long steps;
        @Option(names = "--chunk-steps", paramLabel = "N", defaultValue = "64", description = "Agent steps per chunk sent. Default: ${DEFAULT-VALUE}.")
        int chunkSteps;
        @Option(names = "--sync-every", paramLabel = "N", defaultValue = "100", description = "Agent steps between checks for new weights. Default: ${DEFAULT-VALUE}.")
        int syncEvery;
        @Option(names = "--learner-timeout", paramLabel = "S", defaultValue = "600", description = "Seconds to wait for a learner that went away before stopping. Default: ${DEFAULT-VALUE}.")
        int learnerTimeout;
        @Mixin DeviceOptions deviceOptions;

        @Override
        public Integer call() throws Exception {
            if (chunkSteps < 1 || syncEvery < 1) throw new BadInput("--chunk-steps and --sync-every must be at least 1");
            if (learnerTimeout < 1) throw new BadInput("--learner-timeout must be at least 1 second");
            HazelcastLinks.Address address;
            Actor.Link link;
            try {
                address = HazelcastLinks.Address.parse(join);
                link = HazelcastLinks.actor(address, index, learnerTimeout, System.out);
            } catch (IllegalArgumentException | Actor.Incompatible e) {
                throw new BadInput(e.getMessage());
            }
            EnvOptions envs = new EnvOptions();
            envs.rom = rom;
            envs.romDir = romDir;
            try (link; Backend be = deviceOptions.open("mlp")) {
                Actor actor = new Actor(link, (cfg, seed) -> {
                    envs.atariPreset = cfg.atariPreset;
                    return envs.open(cfg.env, seed, cfg.sticky);
                }, be, env == null ? null : EnvOptions.canonicalEnv(env), System.out, chunkSteps, syncEvery);
                CountDownLatch finished = new CountDownLatch(1);
                Thread hook = new Thread(() -> {
                    actor.requestStop();
                    try {
                        finished.await(30, TimeUnit.SECONDS);
                    } catch (InterruptedException ignored) {
                        Thread.currentThread().interrupt();
                    }
                }, "actor-stop");
                Runtime.getRuntime().addShutdownHook(hook);
                try {
                    Actor.Result r = actor.run(steps);
                    System.out.printf(Locale.ROOT, "actor %d: %,d steps, %,d episodes, %,d chunks, %.1f bytes per step sent (%.1f before deflating), %,d weight loads%n",
                            link.index(), r.steps(), r.episodes(), r.chunks(), r.sentBytes() / Math.max(1.0, r.steps()),
                            r.rawBytes() / Math.max(1.0, r.steps()), r.weightLoads());
                } catch (Actor.Incompatible e) {
                    throw new BadInput(e.getMessage());
                } finally {
                    finished.countDown();
                    try {
                        Runtime.getRuntime().removeShutdownHook(hook);
                    } catch (IllegalStateException shuttingDown) {
                        // the hook is running
                    }
                }
            }
            return 0;
        }
    }
}
