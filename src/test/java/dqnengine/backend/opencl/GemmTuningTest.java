package dqnengine.backend.opencl;

import dqnengine.backend.Backend;
import dqnengine.backend.cpu.ReferenceBackend;
import dqnengine.bench.BackendParity;
import dqnengine.bench.BackendParity.GemmCase;
import dqnengine.tensor.Tensor;
import dqnengine.testing.OpenClTesting;
import dqnengine.util.BadInput;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The gemm kernel's tile sizes: every candidate {@code devices --tune} may pick equals the reference
 * on odd, ragged and Nature shapes; the tuning cache is written, read back and used by the backend;
 * a corrupt or unreadable cache is ignored with one line on stderr.
 */
class GemmTuningTest {
    private static final Backend ref = new ReferenceBackend();
    private static final List<OpenClBackend> candidates = new ArrayList<>();
    private static String savedDir;

    @TempDir Path tmp;

    @BeforeAll
    static void pointTheCacheAway() {
        savedDir = System.getProperty(GemmTuning.CONFIG_DIR_PROPERTY);
    }

    @AfterEach
    void restore() {
        if (savedDir == null) System.clearProperty(GemmTuning.CONFIG_DIR_PROPERTY);
        else System.setProperty(GemmTuning.CONFIG_DIR_PROPERTY, savedDir);
    }

    @AfterAll
    static void closeAll() {
        candidates.forEach(OpenClBackend::close);
        candidates.clear();
    }

    private static synchronized List<OpenClBackend> candidateBackends() {
        if (candidates.isEmpty()) {
            for (GemmParams p : GemmParams.CANDIDATES) {
                OpenClBackend b = new OpenClBackend(0, false, true, p.version(), p);
                assertEquals(p.version(), b.gemmVersion(), "sizes " + p + " should run as gemm v" + p.version() + " on " + b.name());
                assertEquals(p, b.gemmParams());
                candidates.add(b);
            }
        }
        return candidates;
    }

    static List<GemmCase> cases() {
        Set<GemmCase> all = new LinkedHashSet<>(BackendParity.GEMM_CASES);
        // ragged against the 128-wide blocks of 8x8 work-items and the 32-wide ones of 8x8 work-groups
        all.add(new GemmCase(false, false, 131, 129, 33));
        all.add(new GemmCase(true, true, 33, 130, 65));
        // ragged against gemm_v3: columns past the last whole vector (131 = 4*32 + 3, 200 = 12*16 + 8), rows
        // past the last whole block of 4, 8 or 16, and K short of (and just past) a whole vector with B transposed
        all.add(new GemmCase(false, false, 37, 131, 29));
        all.add(new GemmCase(true, false, 19, 200, 45));
        all.add(new GemmCase(false, true, 21, 13, 15));
        all.add(new GemmCase(true, true, 17, 11, 33));
        for (GemmTuning.Shape s : GemmTuning.NATURE_SHAPES) all.add(new GemmCase(s.transA(), s.transB(), s.m(), s.n(), s.k()));
        return new ArrayList<>(all);
    }

    @ParameterizedTest
    @MethodSource("cases")
    void everyCandidateEqualsTheReference(GemmCase g) {
        OpenClTesting.assumeIcd();
        int m = g.m(), n = g.n(), k = g.k();
        Random rng = new Random(29L * m + 3L * n + k);
        Tensor a = g.transA() ? BackendParity.uniform(rng, k, m) : BackendParity.uniform(rng, m, k);
        Tensor b = g.transB() ? BackendParity.uniform(rng, n, k) : BackendParity.uniform(rng, k, n);
        Tensor c0 = BackendParity.uniform(rng, m, n);
        for (float beta : new float[] {0f, 0.5f}) {
            Tensor expected = c0.copy();
            ref.gemm(g.transA(), g.transB(), 0.75f, a, b, beta, expected);
            for (OpenClBackend be : candidateBackends()) {
                Tensor actual = c0.copy();
                be.gemm(g.transA(), g.transB(), 0.75f, a, b, beta, actual);
                BackendParity.assertNormClose(expected, actual, BackendParity.TOLERANCE, be.gemmParams() + " beta=" + beta + " " + g);
            }
        }
    }

    @Test
    void theCacheIsWrittenReadBackAndUsedByTheBackend() throws Exception {
        OpenClTesting.assumeIcd();
        System.setProperty(GemmTuning.CONFIG_DIR_PROPERTY, tmp.toString());
        OpenCl.Device d = OpenCl.device(0);
        String driver = OpenCl.driverVersion(d.id());
        GemmParams tuned = new GemmParams(16, 8, 4, 8);
        assertNull(GemmTuning.cached(d.name(), driver), "no cache yet");
        try (OpenClBackend before = new OpenClBackend(0)) {
            assertEquals(GemmParams.defaultFor(d.type()), before.gemmParams(), "without a cache: the defaults for the device's type");
        }
        GemmTuning.write(new GemmTuning.Entry("another device", "1.0", GemmParams.DEFAULT, 5.0));
        Path file = GemmTuning.write(new GemmTuning.Entry(d.name(), driver, tuned, 12.5));
        assertEquals(tmp.resolve("gemm-tuning.tsv"), file);
        assertEquals(tuned, GemmTuning.cached(d.name(), driver));
        assertEquals(GemmParams.DEFAULT, GemmTuning.cached("another device", "1.0"), "the other device's entry is kept");
        assertNull(GemmTuning.cached(d.name(), driver + " (another version)"), "a new driver version is not the tuned one");
        try (OpenClBackend after = new OpenClBackend(0, false, true, 0)) {   // per-op copies, as BackendParity needs
            assertEquals(tuned, after.gemmParams());
            assertTrue(after.name().contains(tuned.toString()), after.name());
            BackendParity.gemm(ref, after, new GemmCase(false, true, 70, 129, 50));   // and it computes with them
        }
        // rewriting the device's entry replaces it, without duplicating the line
        GemmTuning.write(new GemmTuning.Entry(d.name(), driver, GemmParams.DEFAULT, 10.0));
        assertEquals(GemmParams.DEFAULT, GemmTuning.cached(d.name(), driver));
        assertEquals(3, Files.readAllLines(file).size(), Files.readString(file));   // the header and two devices
    }

    @Test
    void version3SizesAreCachedAndRunAsVersion3() throws Exception {
        OpenClTesting.assumeIcd();
        System.setProperty(GemmTuning.CONFIG_DIR_PROPERTY, tmp.toString());
        OpenCl.Device d = OpenCl.device(0);
        String driver = OpenCl.driverVersion(d.id());
        GemmParams tuned = GemmParams.v3(8, 4, 2, 16);
        GemmTuning.write(new GemmTuning.Entry(d.name(), driver, tuned, 12.5));
        assertTrue(Files.readString(tmp.resolve("gemm-tuning.tsv")).contains("\tv3 wg=8 wpt=4x2 vw=16\t"));
        assertEquals(tuned, GemmTuning.cached(d.name(), driver));
        try (OpenClBackend b = new OpenClBackend(0, false, true, 0)) {
            assertEquals(3, b.gemmVersion(), "the cache's version 3 sizes choose gemm v3");
            assertEquals(tuned, b.gemmParams());
            assertTrue(b.name().contains("gemm " + tuned + ")"), b.name());      // "gemm v3 wg=8 wpt=4x2 vw=16"
            BackendParity.gemm(ref, b, new GemmCase(false, false, 70, 129, 50));
        }
        try (OpenClBackend b = new OpenClBackend(0, false, true, 2)) {     // asking for v2: v2's defaults, not the v3 sizes
            assertEquals(2, b.gemmVersion());
            assertEquals(GemmParams.DEFAULT, b.gemmParams());
        }
        // a cache written before version 3 (sizes without a version) still reads, as version 2
        Files.writeString(tmp.resolve("gemm-tuning.tsv"), d.name() + "\t" + driver + "\twg=16 wpt=4x8 tk=16\t82.7\n");
        assertEquals(new GemmParams(16, 4, 8, 16), GemmTuning.cached(d.name(), driver));
        try (OpenClBackend b = new OpenClBackend(0, false, true, 3)) {     // asking for v3 with v2 sizes cached: v3's defaults
            assertEquals(3, b.gemmVersion());
            assertEquals(GemmParams.DEFAULT_V3, b.gemmParams());
        }
    }

    @Test
    void theXdgConfigDirectoryIsTheDefaultPlace() {
        System.clearProperty(GemmTuning.CONFIG_DIR_PROPERTY);
        String xdg = System.getenv("XDG_CONFIG_HOME");
        Path expected = xdg != null && xdg.startsWith("/") ? Path.of(xdg, "dqn-engine", "gemm-tuning.tsv")
                : Path.of(System.getProperty("user.home"), ".config", "dqn-engine", "gemm-tuning.tsv");
        assertEquals(expected, GemmTuning.cacheFile());
    }

    @Test
    void aCorruptCacheIsIgnoredWithOneLine() throws Exception {
        OpenClTesting.assumeIcd();
        System.setProperty(GemmTuning.CONFIG_DIR_PROPERTY, tmp.toString());
        Files.writeString(tmp.resolve("gemm-tuning.tsv"), "# header\nPortable Computing Language\tdriver\twg=16 wpt=4 tk=16\t1.0\n");
        assertStartsWithDefaultsAndOneLine("line 2: not gemm tile sizes");
    }

    @Test
    void tileSizesOutOfRangeAreCorrupt() throws Exception {
        OpenClTesting.assumeIcd();
        System.setProperty(GemmTuning.CONFIG_DIR_PROPERTY, tmp.toString());
        Files.writeString(tmp.resolve("gemm-tuning.tsv"), "dev\tdriver\twg=999 wpt=4x4 tk=16\t1.0\n");
        assertStartsWithDefaultsAndOneLine("out of range");
    }

    @Test
    void anUnreadableCacheIsIgnoredWithOneLine() throws Exception {
        OpenClTesting.assumeIcd();
        System.setProperty(GemmTuning.CONFIG_DIR_PROPERTY, tmp.toString());
        Files.createDirectory(tmp.resolve("gemm-tuning.tsv"));            // a directory where the file should be
        assertStartsWithDefaultsAndOneLine("cannot read it");
    }

    /** Two backends start with the default tile sizes, and stderr got exactly one line, containing {@code reason}. */
    private static void assertStartsWithDefaultsAndOneLine(String reason) {
        PrintStream old = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            for (int i = 0; i < 2; i++) {
                try (OpenClBackend b = new OpenClBackend(0)) {
                    assertEquals(GemmParams.defaultFor(OpenCl.device(0).type()), b.gemmParams());
                }
            }
        } finally {
            System.setErr(old);
        }
        String text = err.toString(StandardCharsets.UTF_8);
        assertEquals(1, text.strip().lines().count(), text);
        assertTrue(text.contains("ignoring the gemm tuning cache") && text.contains(reason), text);
    }

    @Test
    void tileSizesParseBackAndBadOnesSayWhy() {
        for (GemmParams p : GemmParams.CANDIDATES) assertEquals(p, GemmParams.parse(p.toString()));
        assertEquals("-DWG=16 -DWPT_M=4 -DWPT_N=4 -DTK=16", GemmParams.DEFAULT.buildOptions());
        BadInput e = assertThrows(BadInput.class, () -> GemmParams.parse("wg=16 wpt=4y4 tk=16"));
        assertTrue(e.getMessage().contains("wg=N wpt=MxN tk=N"), e.getMessage());
        assertThrows(BadInput.class, () -> new GemmParams(16, 0, 4, 16));
        assertEquals(GemmParams.v3(8, 8, 2, 8), GemmParams.parse("v3 wg=8 wpt=8x2 vw=8"));
        assertEquals("-DV3_WPT_M=8 -DV3_WPT_N=2 -DV3_VW=8", GemmParams.v3(8, 8, 2, 8).buildOptions());
        BadInput w = assertThrows(BadInput.class, () -> GemmParams.parse("v3 wg=8 wpt=8x2 vw=5"));
        assertTrue(w.getMessage().contains("vector width 4, 8 or 16"), w.getMessage());
        assertThrows(BadInput.class, () -> GemmParams.parse("v3 wg=8 wpt=8x2 tk=8"));
    }
}
