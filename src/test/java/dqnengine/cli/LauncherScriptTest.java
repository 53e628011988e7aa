package dqnengine.cli;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The {@code ./dqn-engine} script at the repository root, as a new user runs it: in a fresh copy of
 * the sources (no target/), from another directory. It builds the jar, trains, passes the exit
 * code through, and the second call starts without building.
 */
class LauncherScriptTest {
    @TempDir Path tmp;

    private record Result(int code, String out, String err) {}

    private static Result run(Path cwd, Path script, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(script.toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(cwd.toFile());
        File out = Files.createTempFile(cwd, "out", ".txt").toFile(), err = Files.createTempFile(cwd, "err", ".txt").toFile();
        Process p = pb.redirectOutput(out).redirectError(err).start();
        if (!p.waitFor(900, TimeUnit.SECONDS)) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            fail("the script did not finish: " + Files.readString(out.toPath()) + Files.readString(err.toPath()));
        }
        return new Result(p.exitValue(), Files.readString(out.toPath()), Files.readString(err.toPath()));
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> s = Files.walk(from)) {
            for (Path p : s.toList()) {
                Path q = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) Files.createDirectories(q);
                else Files.copy(p, q, StandardCopyOption.COPY_ATTRIBUTES);
            }
        }
    }

    /** A PATH holding only the named tools (symlinks to where the real ones are). */
    private static Path pathWith(Path dir, String... tools) throws Exception {
        Files.createDirectories(dir);
        for (String t : tools) {
            for (String d : System.getenv("PATH").split(File.pathSeparator)) {
                Path real = Path.of(d, t);
                if (Files.isExecutable(real)) {
                    Files.createSymbolicLink(dir.resolve(t), real.toRealPath());
                    break;
                }
            }
        }
        return dir;
    }

    @Test
    void aMissingJavaOrMavenIsOneLine() throws Exception {
        Path repo = Path.of("").toAbsolutePath();
        Path clone = Files.createDirectories(tmp.resolve("clone"));
        Files.copy(repo.resolve("dqn-engine"), clone.resolve("dqn-engine"), StandardCopyOption.COPY_ATTRIBUTES);
        Files.copy(repo.resolve("pom.xml"), clone.resolve("pom.xml"));
        for (String[] c : new String[][] {{"nojava", "dirname", "find"}, {"nomaven", "dirname", "find", "java"}}) {
            Path bin = pathWith(tmp.resolve(c[0]), Arrays.copyOfRange(c, 1, c.length));
            ProcessBuilder pb = new ProcessBuilder("/bin/bash", clone.resolve("dqn-engine").toString(), "train").directory(tmp.toFile());
            pb.environment().put("PATH", bin.toString());
            Process p = pb.redirectErrorStream(true).start();
            assertTrue(p.waitFor(60, TimeUnit.SECONDS));
            String out = new String(p.getInputStream().readAllBytes());
            assertEquals(127, p.exitValue(), out);
            assertEquals(1, out.strip().lines().count(), out);
            assertTrue(out.contains(c[0].equals("nojava") ? "Java is not installed" : "Maven is not installed"), out);
        }
    }

    @Test
    void aFreshCopyBuildsOnFirstUseTrainsAndPassesTheExitCode() throws Exception {
        Assumptions.assumeTrue(Arrays.stream(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator))
                .anyMatch(d -> new File(d, "mvn").canExecute()), "no Maven on the PATH to build with");
        Path repo = Path.of("").toAbsolutePath();
        Path clone = Files.createDirectories(tmp.resolve("clone"));
        for (String f : new String[] {"pom.xml", "dqn-engine"}) Files.copy(repo.resolve(f), clone.resolve(f), StandardCopyOption.COPY_ATTRIBUTES);
        copyTree(repo.resolve("src/main"), clone.resolve("src/main"));
        copyTree(repo.resolve("kernels"), clone.resolve("kernels"));
        Path script = clone.resolve("dqn-engine");
        assertTrue(Files.isExecutable(script), "the script is executable in the repository");
        Path elsewhere = Files.createDirectories(tmp.resolve("elsewhere"));

        Result first = run(elsewhere, script, "train", "--steps", "300", "--learning-starts", "100", "--run-dir", "run");
        assertEquals(0, first.code(), first.out() + first.err());
        assertTrue(first.err().contains("building target/dqn-engine.jar"), first.err());
        assertTrue(Files.isRegularFile(clone.resolve("target/dqn-engine.jar")));
        assertTrue(first.out().contains("done after 300 steps"), first.out());
        assertTrue(Files.isRegularFile(elsewhere.resolve("run/config.json")), "the run directory is relative to the caller's directory");

        Result second = run(elsewhere, script, "train", "--no-such-flag");
        assertEquals(2, second.code(), "the exit code passes through: " + second.err());
        assertFalse(second.err().contains("building"), "built once, started at once after: " + second.err());
    }
}
