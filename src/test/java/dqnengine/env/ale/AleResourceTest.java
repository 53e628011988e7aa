package dqnengine.env.ale;

import dqnengine.testing.TestRoms;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Native memory does not grow with resets, steps, or environments opened and closed: every
 * emulator is freed by close(), not left to the garbage collector.
 */
class AleResourceTest {

    private static long residentKb() throws IOException {
        for (String line : Files.readAllLines(Paths.get("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) return Long.parseLong(line.replaceAll("\\D", ""));
        }
        throw new IllegalStateException("no VmRSS in /proc/self/status");
    }

    private static void cycle(int environments, int resetsEach, int stepsEach) {
        Random rng = new Random(1);
        for (int e = 0; e < environments; e++) {
            try (AtariEnvironment env = new AtariEnvironment(TestRoms.rom(e % 2 == 0 ? "pong" : "breakout"), AtariConfig.nature(), e)) {
                for (int r = 0; r < resetsEach; r++) {
                    env.reset();
                    for (int t = 0; t < stepsEach; t++) if (env.step(rng.nextInt(env.actionCount())).done()) env.reset();
                }
            }
        }
    }

    @Test
    void manyEnvironmentsResetsAndStepsLeaveNativeMemoryFlat() throws IOException {
        TestRoms.dir();
        Assumptions.assumeTrue(Files.exists(Paths.get("/proc/self/status")), "needs Linux /proc");
        cycle(20, 5, 50);                                              // warm up: JIT, allocator pools
        System.gc();
        long before = residentKb();
        cycle(60, 34, 10);                                             // 60 emulators, 2,040 resets, 20,400 steps
        System.gc();
        long grown = residentKb() - before;
        // Measured (2-core x86-64, JDK 17): closing every emulator, RSS grows by -12 to -10 MB (the
        // heap gives back what the warm-up used); leaking every emulator (close() a no-op), by +21 to
        // +34 MB; leaking every second one, by +7.8 MB. The old bound of 16 MB was half the full
        // leak and let the half leak through. 6 MB sits 16 MB above the largest growth measured with
        // every emulator closed and below the half leak, so it fails when one emulator in two is not
        // freed. The test JVM runs with JavaCPP's GC-driven freeing off (pom.xml), so only an
        // explicit close() frees native memory.
        assertTrue(grown < 6 * 1024, "resident memory grew by " + grown / 1024 + " MB over 60 environments");
    }
}
