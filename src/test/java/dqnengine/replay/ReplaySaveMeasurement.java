package dqnengine.replay;

import dqnengine.env.ale.AtariConfig;
import dqnengine.env.ale.AtariEnvironment;
import dqnengine.env.ale.RomFinder;
import dqnengine.env.Step;

import java.io.BufferedOutputStream;
import java.io.DataOutputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Random;

/**
 * Not a test: the measurement behind ReplayFiles' choice of compression (README, "Saved files").
 * Fills a replay buffer with real Atari frames (Dopamine's preprocessing, random actions), then
 * saves it raw (the slots as they are, forced to disk) and as ReplayFiles saves it (deflated at
 * the fastest level, forced to disk), loads that back, and saves again after more steps (only the
 * changed segments are written). One thread; MB are of the buffer's content (frames and the rest).
 * <pre>
 *   mvn -B -o -q package -DskipTests
 *   java -Xmx1g -cp target/dqn-engine.jar:target/test-classes dqnengine.replay.ReplaySaveMeasurement ROM_DIR pong 50000 /tmp/replay-measure
 * </pre>
 */
public final class ReplaySaveMeasurement {
    private ReplaySaveMeasurement() {}

    public static void main(String[] args) throws IOException {
        Path romDir = Path.of(args[0]);
        String game = args[1];
        int frames = Integer.parseInt(args[2]);
        Path out = Files.createDirectories(Path.of(args[3]));
        RomFinder.FoundRom rom = RomFinder.scan(romDir).stream().filter(r -> r.game().id().equals(game)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no ROM of " + game + " in " + romDir));
        ReplayBuffer replay = new ReplayBuffer(frames, 1, 84 * 84, 4, 1);
        try (AtariEnvironment env = new AtariEnvironment(rom, AtariConfig.dopamine(), 1)) {
            Random actions = new Random(1);
            replay.start(0, env.reset().observation());
            while (replay.added() < frames) {
                Step s = env.step(actions.nextInt(env.actionCount()));
                replay.add(0, 0, s.reward(), s.terminated(), s.truncated(), s.observation());
                if (s.done()) replay.start(0, env.reset().observation());
            }
            double content = (double) frames * (84 * 84 + 9) / 1e6;
            System.out.printf(Locale.ROOT, "%s: %,d frames, %.1f MB of content%n", game, frames, content);

            Path raw = out.resolve("raw.bin");
            long t0 = System.nanoTime();
            try (FileOutputStream file = new FileOutputStream(raw.toFile())) {
                DataOutputStream data = new DataOutputStream(new BufferedOutputStream(file, 1 << 16));
                replay.writeSlots(0, frames, data);
                data.flush();
                file.getChannel().force(true);
            }
            report("raw save", content, Files.size(raw), t0);

            Path saved = out.resolve("deflated");
            t0 = System.nanoTime();
            ReplayFiles.Saved first = ReplayFiles.save(replay, saved, frames, null);
            report("deflated save (" + first.segmentsWritten() + " segments)", content, first.bytesInAll(), t0);

            ReplayBuffer back = new ReplayBuffer(frames, 1, 84 * 84, 4, 1);
            t0 = System.nanoTime();
            ReplayFiles.load(back, saved, frames);
            report("deflated load", content, first.bytesInAll(), t0);

            int more = Math.min(frames / 4, 50_000);                   // a quarter more steps: the ring overwrites a quarter of the slots
            for (int k = 0; k < more; k++) {
                Step s = env.step(actions.nextInt(env.actionCount()));
                replay.add(0, 0, s.reward(), s.terminated(), s.truncated(), s.observation());
                if (s.done()) replay.start(0, env.reset().observation());
            }
            t0 = System.nanoTime();
            ReplayFiles.Saved second = ReplayFiles.save(replay, out.resolve("deflated-2"), frames + more, saved);
            double rewritten = Math.min(frames, (double) second.segmentsWritten() * ReplayFiles.SEGMENT_SLOTS) * (84 * 84 + 9) / 1e6;
            report("after " + more + " more steps: " + second.segmentsWritten() + " written, " + second.segmentsLinked() + " linked",
                    rewritten, second.bytesWritten(), t0);
        }
    }

    private static void report(String what, double contentMb, long bytes, long t0) {
        double s = (System.nanoTime() - t0) / 1e9;
        System.out.printf(Locale.ROOT, "  %-50s %9.1f MB on disk (%5.1fx) %6.2f s  %6.0f MB/s of content%n", what, bytes / 1e6,
                contentMb * 1e6 / bytes, s, contentMb / s);
    }
}
