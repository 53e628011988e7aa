package dqnengine.backend.opencl;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static dqnengine.backend.opencl.OpenClBackend.Convolutions.DIRECT;
import static dqnengine.backend.opencl.OpenClBackend.Convolutions.IM2COL;
import static dqnengine.backend.opencl.OpenClBackend.Convolutions.IMPLICIT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Which convolution kernels the system properties select for {@code --device opencl} (no device needed). */
class OpenClConvolutionsChoiceTest {
    @AfterEach
    void clear() {
        System.clearProperty("dqnengine.opencl.conv");
        System.clearProperty("dqnengine.opencl.im2col");
    }

    @Test
    void implicitGemmUnlessAPropertyAsks() {
        assertEquals(IMPLICIT, OpenClBackend.Convolutions.fromSystemProperties());
    }

    @Test
    void theOlderPropertyKeepsItsMeaning() {
        System.setProperty("dqnengine.opencl.im2col", "false");
        assertEquals(DIRECT, OpenClBackend.Convolutions.fromSystemProperties());
        System.setProperty("dqnengine.opencl.im2col", "true");
        assertEquals(IM2COL, OpenClBackend.Convolutions.fromSystemProperties());
    }

    @Test
    void theNewPropertyNamesAnyOfTheThreeAndWins() {
        System.setProperty("dqnengine.opencl.im2col", "true");
        System.setProperty("dqnengine.opencl.conv", "Direct");
        assertEquals(DIRECT, OpenClBackend.Convolutions.fromSystemProperties());
        System.setProperty("dqnengine.opencl.conv", "implicit");
        assertEquals(IMPLICIT, OpenClBackend.Convolutions.fromSystemProperties());
        System.setProperty("dqnengine.opencl.conv", "im2col");
        assertEquals(IM2COL, OpenClBackend.Convolutions.fromSystemProperties());
        System.setProperty("dqnengine.opencl.conv", "winograd");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, OpenClBackend.Convolutions::fromSystemProperties);
        assertTrue(e.getMessage().contains("implicit, im2col or direct"), e.getMessage());
    }
}
