package dqnengine.library;

import dqnengine.testing.ChildRun;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The README's "Use it from Java" program ({@code examples/CorridorExample.java}) is the file in
 * the repository, compiles against the engine's public classes, and trains and acts as a library
 * user's program: in a JVM of its own, on the engine's classes and dependencies, without the
 * Vector API module (so the engine says once that its kernels run slowly).
 */
class LibraryExampleTest {
    static final Path EXAMPLE = Path.of("examples/CorridorExample.java");
    static final String VECTOR_WARNING = "the Vector API (jdk.incubator.vector) is not loaded";

    @TempDir Path tmp;

    @Test
    void theReadmeQuotesTheExampleFile() throws Exception {
        String readme = Files.readString(Path.of("README.md"), StandardCharsets.UTF_8);
        int section = readme.indexOf("\n## Use it from Java\n");
        assertTrue(section >= 0, "README has a section \"Use it from Java\"");
        int next = readme.indexOf("\n## ", section + 1);
        int open = readme.indexOf("\n```java\n", section);
        assertTrue(open > 0 && (next < 0 || open < next), "the section holds a java block");
        int from = open + "\n```java\n".length(), to = readme.indexOf("\n```\n", from);
        assertEquals(Files.readString(EXAMPLE, StandardCharsets.UTF_8), readme.substring(from, to + 1),
                "the README's block is examples/CorridorExample.java as it is");
    }

    /** The engine's classes and dependencies as a library user has them: the test classpath without the tests. */
    private static String libraryClasspath() {
        return Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(entry -> !Path.of(entry).endsWith("test-classes"))
                .collect(Collectors.joining(File.pathSeparator));
    }

    @Test
    void theExampleCompilesAgainstThePublicApiTrainsStopsAndActs() throws Exception {
        // Compile it, as a class in no package: only public types and members can be reached from there.
        Path classes = Files.createDirectories(tmp.resolve("classes"));
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        boolean compiled;
        try (StandardJavaFileManager fm = javac.getStandardFileManager(diagnostics, Locale.ROOT, StandardCharsets.UTF_8)) {
            List<String> options = List.of("-d", classes.toString(), "-classpath", libraryClasspath(), "-Xlint:all,-path", "-proc:none");
            compiled = javac.getTask(null, fm, diagnostics, options, null, fm.getJavaFileObjects(EXAMPLE.toFile())).call();
        }
        List<String> said = new ArrayList<>();
        for (Diagnostic<? extends JavaFileObject> d : diagnostics.getDiagnostics()) said.add(d.getKind() + " line " + d.getLineNumber() + ": " + d.getMessage(Locale.ROOT));
        assertTrue(compiled, "it compiles: " + said);
        assertEquals(List.of(), said, "without a warning");

        // Run it in a JVM of its own, without the vector module and without the test JVM's LD_PRELOAD.
        Path runDir = tmp.resolve("run");
        List<String> cmd = List.of(ProcessHandle.current().info().command().orElse("java"), "-Xmx512m",
                "-cp", classes + File.pathSeparator + libraryClasspath(), "CorridorExample", runDir.toString());
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(tmp.toFile());
        pb.environment().remove("LD_PRELOAD");
        File out = tmp.resolve("out.txt").toFile(), err = tmp.resolve("err.txt").toFile();
        Process p = pb.redirectOutput(out).redirectError(err).start();
        if (!p.waitFor(ChildRun.LIMIT_SECONDS, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail("the example did not finish: " + Files.readString(out.toPath()) + Files.readString(err.toPath()));
        }
        String stdout = Files.readString(out.toPath()), stderr = Files.readString(err.toPath());
        assertEquals(0, p.exitValue(), stdout + stderr);

        // The listener heard episodes, checkpoints and evaluations, and its STOP ended the run early.
        assertTrue(stdout.contains("episode 25 ended at step "), stdout);
        assertTrue(stdout.contains("saved the best checkpoint at step "), stdout);
        Matcher stopped = Pattern.compile("evaluation at step (\\d+): return 0\\.6, stopping\n").matcher(stdout);
        assertTrue(stopped.find(), stdout);
        long stopStep = Long.parseLong(stopped.group(1));
        assertTrue(stdout.contains("saved the latest checkpoint at step " + stopStep + "\n"), "the stop saved a checkpoint:\n" + stdout);
        assertTrue(stdout.contains("trained " + stopStep + " steps, stopped early: true"), stdout);
        assertTrue(stopStep < 3_000, "before its 3,000 steps");
        // The agent loaded from the best checkpoint walks straight to the goal.
        assertTrue(stdout.contains("greedy walk from the step-" + stopStep + " checkpoint: 0 1 2 3 4 5, return 0.6\n"), stdout);
        assertTrue(Files.isRegularFile(runDir.resolve("config.json")) && Files.isRegularFile(runDir.resolve("checkpoints/latest")));

        // Without the vector module: said once, with the flag.
        assertEquals(1, stderr.split(Pattern.quote(VECTOR_WARNING), -1).length - 1, "said exactly once:\n" + stderr);
        assertTrue(stderr.contains("--add-modules jdk.incubator.vector"), stderr);
    }
}
