package dqnengine.cli;

import dqnengine.testing.ChildRun;
import dqnengine.testing.OpenClTesting;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** {@code devices}: lists what the OpenCL ICD loader finds, or says in one line why there is nothing. */
class DevicesCommandTest {
    @TempDir Path tmp;

    @Test
    void listsTheInstalledPlatformsAndNumbersTheirDevices() throws Exception {
        OpenClTesting.assumeIcd();
        ChildRun r = ChildRun.of(Map.of(), false, "devices");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().startsWith("platform: "), r.out());
        assertTrue(r.out().contains("  opencl:0  "), r.out());
        assertTrue(r.out().matches("(?s).*\\[(CPU|GPU|accelerator|other), OpenCL \\d\\.\\d.*"), r.out());
    }

    @Test
    void noPlatformGivesOneClearLine() throws Exception {
        OpenClTesting.assumeIcd();           // the ICD loader is needed to ask it for an empty vendor directory
        // The ICD loader reads vendors from OCL_ICD_VENDORS when set: an empty directory means no platform.
        ChildRun r = ChildRun.of(Map.of("OCL_ICD_VENDORS", tmp.toString()), false, "devices");
        assertEquals(1, r.code(), r.out());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertTrue(r.err().contains("no OpenCL platform is installed"), r.err());
    }

    @Test
    void tuneTimesTheTileSizesAndCachesTheFastestUnderXdgConfigHome() throws Exception {
        OpenClTesting.assumeIcd();
        ChildRun r = ChildRun.of(Map.of("XDG_CONFIG_HOME", tmp.toString()), false, "devices", "--tune", "--rounds", "1");
        assertEquals(0, r.code(), r.err());
        Path cache = tmp.resolve("dqn-engine").resolve("gemm-tuning.tsv");
        assertTrue(r.out().contains("gemm tuning cache: " + cache), r.out());
        assertTrue(r.out().contains("  wg=16 wpt=4x4 tk=16 "), r.out());               // both defaults are among the timed
        assertTrue(r.out().contains("  v3 wg=8 wpt=8x2 vw=16 "), r.out());
        assertTrue(r.out().matches("(?s).*\\n  fastest: (v3 )?wg=.*"), r.out());
        java.util.List<String> entries = Files.readAllLines(cache).stream().filter(l -> !l.startsWith("#")).toList();
        assertEquals(1, entries.size(), entries.toString());                          // PoCL: one device
        String fastest = r.out().lines().filter(l -> l.startsWith("  fastest: ")).findFirst().orElseThrow();
        assertTrue(fastest.contains(entries.get(0).split("\t")[2] + " ("), fastest + " vs " + entries.get(0));
    }

    @Test
    void tuneRefusesZeroRoundsInOneLine() throws Exception {
        ChildRun r = ChildRun.of(Map.of("XDG_CONFIG_HOME", tmp.toString()), false, "devices", "--tune", "--rounds", "0");
        assertEquals(2, r.code(), r.out());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertTrue(r.err().contains("--rounds must be at least 1"), r.err());
        assertFalse(Files.exists(tmp.resolve("dqn-engine")), "nothing written");
    }
}
