package dqnengine.backend.opencl;

import dqnengine.backend.Backend;
import dqnengine.backend.cpu.ReferenceBackend;
import dqnengine.bench.BackendParity;
import dqnengine.bench.BackendParity.GemmCase;
import dqnengine.tensor.Tensor;
import dqnengine.testing.ClBlast;
import dqnengine.testing.OpenClTesting;
import dqnengine.testing.Requirements;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * CLBlast's SGEMM, an outside anchor, on the first OpenCL device: it equals the reference gemm on
 * odd and ragged shapes and on the Nature train step's products (GemmTuning.NATURE_SHAPES), and
 * every version of our gemm kernel (v2 and v3 with their default sizes) equals it. CLBlast's native library must load here (it does on
 * Debian 12 with PoCL; under CI a failure to load fails the test, elsewhere it skips with the reason).
 */
class ClBlastGemmTest {
    private static final Backend ref = new ReferenceBackend();
    private static ClBlast blast;
    private static OpenClBackend v1, v2, v3;

    @BeforeAll
    static void open() {
        OpenClTesting.assumeIcd();
        Requirements.require(ClBlast.loadFailure() == null, String.valueOf(ClBlast.loadFailure()));
        blast = new ClBlast(0);
        v1 = new OpenClBackend(0, false, true, 1, GemmParams.DEFAULT);
        v2 = new OpenClBackend(0, false, true, 2, GemmParams.DEFAULT);
        assertEquals(2, v2.gemmVersion());
        v3 = new OpenClBackend(0, false, true, 3, GemmParams.DEFAULT_V3);
        assertEquals(3, v3.gemmVersion());
    }

    @AfterAll
    static void close() {
        if (blast != null) blast.close();
        if (v1 != null) v1.close();
        if (v2 != null) v2.close();
        if (v3 != null) v3.close();
    }

    /** The parity suite's gemm cases (odd, ragged against every tile, transposed every way) and the Nature products. */
    static List<GemmCase> cases() {
        Set<GemmCase> all = new LinkedHashSet<>(BackendParity.GEMM_CASES);
        for (GemmTuning.Shape s : GemmTuning.NATURE_SHAPES) all.add(new GemmCase(s.transA(), s.transB(), s.m(), s.n(), s.k()));
        return new ArrayList<>(all);
    }

    @ParameterizedTest
    @MethodSource("cases")
    void clblastEqualsTheReferenceAndOurKernelsEqualClblast(GemmCase g) {
        int m = g.m(), n = g.n(), k = g.k();
        Random rng = new Random(17L * m + 5L * n + k);
        Tensor a = g.transA() ? BackendParity.uniform(rng, k, m) : BackendParity.uniform(rng, m, k);
        Tensor b = g.transB() ? BackendParity.uniform(rng, n, k) : BackendParity.uniform(rng, k, n);
        Tensor c0 = BackendParity.uniform(rng, m, n);
        for (float beta : new float[] {0f, 0.5f}) {
            Tensor expected = c0.copy(), clblast = c0.copy(), ours1 = c0.copy(), ours2 = c0.copy(), ours3 = c0.copy();
            ref.gemm(g.transA(), g.transB(), 0.75f, a, b, beta, expected);
            int status = blast.sgemm(g.transA(), g.transB(), 0.75f, a, b, beta, clblast);
            assertEquals(0, status, "CLBlast's status for " + g);
            BackendParity.assertNormClose(expected, clblast, BackendParity.TOLERANCE, "CLBlast vs reference, beta=" + beta + ", " + g);
            v1.gemm(g.transA(), g.transB(), 0.75f, a, b, beta, ours1);
            BackendParity.assertNormClose(clblast, ours1, BackendParity.TOLERANCE, "gemm v1 vs CLBlast, beta=" + beta + ", " + g);
            v2.gemm(g.transA(), g.transB(), 0.75f, a, b, beta, ours2);
            BackendParity.assertNormClose(clblast, ours2, BackendParity.TOLERANCE, "gemm v2 vs CLBlast, beta=" + beta + ", " + g);
            v3.gemm(g.transA(), g.transB(), 0.75f, a, b, beta, ours3);
            BackendParity.assertNormClose(clblast, ours3, BackendParity.TOLERANCE, "gemm v3 vs CLBlast, beta=" + beta + ", " + g);
        }
    }
}
