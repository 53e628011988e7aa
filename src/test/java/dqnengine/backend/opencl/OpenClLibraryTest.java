package dqnengine.backend.opencl;

import dqnengine.testing.OpenClTesting;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** --device auto looks for libOpenCL.so without loading it (JOCL prints its own line when it cannot load one). */
class OpenClLibraryTest {
    @TempDir Path tmp;

    @Test
    void theLibraryIsFoundByNameInTheLoadersDirectories() throws Exception {
        Path empty = Files.createDirectories(tmp.resolve("empty")), with = Files.createDirectories(tmp.resolve("with"));
        Files.writeString(with.resolve("libOpenCL.so"), "");
        assertFalse(OpenCl.libraryIn(List.of(empty.toString(), "")));
        assertTrue(OpenCl.libraryIn(List.of(empty.toString(), with.toString())));
        if (OpenClTesting.icdInstalled()) assertTrue(OpenCl.libraryPresent(), "the OpenCL tests run here, so the library is installed");
    }
}
