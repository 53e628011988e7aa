package dqnengine.bench;

import dqnengine.backend.Backend;
import dqnengine.bench.BackendParity;
import dqnengine.backend.opencl.OpenClBackend;
import dqnengine.tensor.Tensor;
import dqnengine.testing.OpenClTesting;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The GPU check's parity runner, on the first OpenCL device (PoCL in CI): it passes on the real
 * kernels through its {@code main} path, and a device whose gemm returns one wrong element makes
 * it report the gemm cases as failed (and only the checks that use gemm), so a broken kernel on a
 * GPU cannot pass unseen.
 */
class OpenClParityCheckTest {
    @Test
    void theRealKernelsPass() {
        OpenClTesting.assumeIcd();
        ByteArrayOutputStream text = new ByteArrayOutputStream();
        int code = OpenClParityCheck.run(new String[] {"opencl:0"}, new PrintStream(text, true, StandardCharsets.UTF_8));
        String out = text.toString(StandardCharsets.UTF_8);
        assertEquals(0, code, out);
        assertFalse(out.contains("FAIL"), out);
        assertTrue(out.lines().anyMatch(l -> l.startsWith("parity: PASS (")), out);
        int gemms = BackendParity.GEMM_CASES.size(), best = OpenClBackend.GEMM_VERSIONS;       // PoCL runs the newest
        for (int v = 1; v <= best; v++) {
            assertTrue(out.contains("parity opencl:0 im2col gemm v" + v + " gemmEqualsReference: " + gemms + "/" + gemms + " passed"), out);
        }
        assertTrue(out.contains("parity opencl:0 direct gemm v" + best + " aFullNatureTrainStepEqualsReference: 1/1 passed"), out);
        int convs = BackendParity.CONV_CASES.size();
        assertTrue(out.contains("parity opencl:0 implicit gemm v" + best + " convolutionEqualsReference: " + convs + "/" + convs + " passed"), out);
        assertTrue(out.contains("parity opencl:0 implicit gemm v" + best + " aFullNatureTrainStepEqualsReference: 1/1 passed"), out);
    }

    @Test
    void aWrongGemmResultFailsTheCheck() {
        OpenClTesting.assumeIcd();
        ByteArrayOutputStream text = new ByteArrayOutputStream();
        int failed;
        try (Backend device = new OpenClBackend(0, false, false)) {
            failed = OpenClParityCheck.failures(wrongGemm(device), "faulty", new PrintStream(text, true, StandardCharsets.UTF_8));
        }
        String out = text.toString(StandardCharsets.UTF_8);
        int gemms = BackendParity.GEMM_CASES.size(), convs = BackendParity.CONV_CASES.size();
        assertTrue(failed >= gemms, "every gemm case must fail, " + failed + " did:\n" + out);
        assertTrue(out.contains("parity faulty gemmEqualsReference: 0/" + gemms + " passed"), out);
        assertTrue(out.lines().anyMatch(l -> l.startsWith("FAIL faulty gemmEqualsReference [transA=false transB=false m=1 n=1 k=1]")), out);
        assertTrue(out.contains("parity faulty aFullNatureTrainStepEqualsReference: 0/1 passed"), out);
        assertTrue(out.contains("parity faulty fillEqualsReference: 1/1 passed"), "checks without gemm still pass:\n" + out);
        assertTrue(out.contains("parity faulty convolutionEqualsReference: " + convs + "/" + convs + " passed"), "the convolution kernels do not go through the faulty gemm:\n" + out);
    }

    @Test
    void aDeviceThatIsNotThereIsReportedAsSuch() {
        ByteArrayOutputStream text = new ByteArrayOutputStream();
        assertEquals(2, OpenClParityCheck.run(new String[] {"opencl:x"}, new PrintStream(text, true, StandardCharsets.UTF_8)));
        assertTrue(text.toString(StandardCharsets.UTF_8).startsWith("parity: cannot start: expected a device as opencl:N"));
    }

    /** {@code device} with gemm's output off by 1e-3 (relative to the largest entry, at least 1e-3) in its middle element. */
    private static Backend wrongGemm(Backend device) {
        return (Backend) Proxy.newProxyInstance(Backend.class.getClassLoader(), new Class<?>[] {Backend.class}, (proxy, method, args) -> {
            Object result;
            try {
                result = method.invoke(device, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
            if (method.getName().equals("gemm")) {
                Tensor c = (Tensor) args[6];
                float max = 1;
                for (float v : c.data) max = Math.max(max, Math.abs(v));
                c.data[c.data.length / 2] += 1e-3f * max;
            }
            return result;
        });
    }
}
