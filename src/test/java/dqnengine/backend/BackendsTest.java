package dqnengine.backend;

import dqnengine.backend.cpu.VectorSupport;
import dqnengine.backend.opencl.OpenCl;
import dqnengine.testing.OpenClTesting;
import dqnengine.util.BadInput;
import dqnengine.util.SignalChaining;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BackendsTest {
    @Test
    void anImpossibleVectorWidthIsRefusedInOneLine() {
        String key = VectorSupport.BITS_PROPERTY, before = System.getProperty(key);
        System.setProperty(key, "384");
        try {
            var e = assertThrows(BadInput.class, () -> Backends.create("cpu", 1));
            assertTrue(e.getMessage().contains("must be 256 or 512, got '384'"), e.getMessage());
        } finally {
            if (before == null) System.clearProperty(key); else System.setProperty(key, before);
        }
    }

    @Test
    void namesMapToBackends() {
        try (Backend cpu = Backends.create("cpu", 2); Backend ref = Backends.create("reference", 1);
             Backend auto = Backends.create("AUTO", 1)) {
            assertTrue(cpu.name().startsWith("cpu (2 threads"), cpu.name());
            assertTrue(ref.name().equals("reference"));
            // auto is the first OpenCL GPU where there is one (and only in a JVM with signal chaining,
            // which Surefire's LD_PRELOAD gives this one), else the fast CPU backend
            String expected = firstOpenClGpu() != null && SignalChaining.active() ? "opencl (" : "cpu (";
            assertTrue(auto.name().startsWith(expected), "auto on this host (GPU: " + firstOpenClGpu() + "): " + auto.name());
        }
    }

    /** The first OpenCL GPU listed here, asked of the loader independently of Backends; null when none. */
    private static String firstOpenClGpu() {
        try {
            for (var p : OpenCl.platforms()) {
                for (var d : p.devices()) if (d.type().equals("GPU")) return d.name();
            }
        } catch (OpenCl.UnavailableException | LinkageError e) {
            return null;
        }
        return null;
    }

    @Test
    void anUnknownDeviceNamesTheChoices() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Backends.create("tpu", 1));
        assertTrue(e.getMessage().contains("tpu") && e.getMessage().contains(Backends.DEVICES), e.getMessage());
    }

    @Test
    void zeroThreadsIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> Backends.create("cpu", 0));
    }

    @Test
    void openclDeviceNumbersAreChecked() {
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class, () -> Backends.create("opencl:first", 1));
        assertTrue(bad.getMessage().contains("opencl:N"), bad.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Backends.create("opencl:-1", 1));
        OpenClTesting.assumeIcd();
        IllegalArgumentException none = assertThrows(IllegalArgumentException.class, () -> Backends.create("opencl:99", 1));
        assertTrue(none.getMessage().contains("no OpenCL device 99"), none.getMessage());
        try (Backend first = Backends.create("opencl", 1)) {
            assertTrue(first.name().startsWith("opencl ("), first.name());
        }
    }
}
