package dqnengine;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Every source file that docs/*.md and README.md name exists, and so does every method named beside
 * one: a `path/File.java` (`method`, `other`) reference must point at a file under
 * src/main/java/dqnengine, src/test/java/dqnengine or the repository root (`examples/…`,
 * `src/test/java/…`) that declares or calls {@code method(}; a `kernels/name.cl` reference (or a bare
 * `name.cl`) must point at an OpenCL source in kernels/, the directory the build ships as the
 * classpath's kernels/, and the names beside it at kernels it defines. Docs cannot silently drift.
 */
class DocsReferencesTest {
    private static final Pattern FILE = Pattern.compile("`([\\w/]+\\.java)`");
    private static final Pattern KERNEL_FILE = Pattern.compile("`(?:kernels/)?(\\w+\\.cl)`");
    private static final Pattern METHOD = Pattern.compile("`([a-z]\\w*)`");
    private static final Path KERNELS = Path.of("kernels");

    /** References seen and broken, over every document checked. */
    private static final class Tally {
        final List<String> broken = new ArrayList<>();
        int files, methods, kernelFiles;
    }

    @Test
    void everyFileAndMethodTheDocsNameExists() throws Exception {
        List<Path> docs;
        try (Stream<Path> s = Files.list(Path.of("docs"))) {
            docs = s.filter(p -> p.toString().endsWith(".md")).sorted().toList();
        }
        assertFalse(docs.isEmpty(), "docs/*.md");
        Tally all = new Tally();
        for (Path doc : docs) check(doc, all);
        assertEquals(List.of(), all.broken);
        assertTrue(all.files >= 20 && all.methods >= 10 && all.kernelFiles >= 3,
                "the check saw the references: " + all.files + " files, " + all.methods + " methods, " + all.kernelFiles + " kernel files");
    }

    @Test
    void everyFileAndMethodTheReadmeNamesExists() throws Exception {
        Tally readme = new Tally();
        check(Path.of("README.md"), readme);
        assertEquals(List.of(), readme.broken);
        assertTrue(readme.files >= 40 && readme.methods >= 1 && readme.kernelFiles >= 5,
                "the check saw the references: " + readme.files + " files, " + readme.methods + " methods, " + readme.kernelFiles + " kernel files");
    }

    private static void check(Path doc, Tally tally) throws IOException {
        String text = Files.readString(doc).replace("\n", " ");
        Matcher f = FILE.matcher(text);
        while (f.find()) {
            tally.files++;
            Path file = javaFile(f.group(1));
            if (file == null) {
                tally.broken.add(doc + ": no file " + f.group(1));
                continue;
            }
            checkMethods(doc, text, f.end(), f.group(1), file, tally);
        }
        Matcher k = KERNEL_FILE.matcher(text);
        while (k.find()) {
            tally.kernelFiles++;
            Path file = KERNELS.resolve(k.group(1));
            if (!Files.isRegularFile(file)) {
                tally.broken.add(doc + ": no kernel source " + file);
                continue;
            }
            checkMethods(doc, text, k.end(), file.toString(), file, tally);
        }
    }

    /** The file a `x/Y.java` reference names: under the main or test sources' dqnengine/, else from the repository root. */
    private static Path javaFile(String name) {
        for (Path p : List.of(Path.of("src/main/java/dqnengine", name), Path.of("src/test/java/dqnengine", name), Path.of(name))) {
            if (Files.isRegularFile(p)) return p;
        }
        return null;
    }

    /** The `method` names in the parentheses right after a reference (up to a colon) must each appear as {@code name(} in {@code file}. */
    private static void checkMethods(Path doc, String text, int after, String name, Path file, Tally tally) throws IOException {
        if (after + 2 > text.length() || !text.startsWith(" (", after)) return;
        int close = text.indexOf(')', after);
        String inside = text.substring(after + 2, close < 0 ? text.length() : close);
        int colon = inside.indexOf(':');
        Matcher m = METHOD.matcher(colon < 0 ? inside : inside.substring(0, colon));
        String source = Files.readString(file);
        while (m.find()) {
            tally.methods++;
            if (!Pattern.compile("\\b" + m.group(1) + "\\s*\\(").matcher(source).find()) {
                tally.broken.add(doc + ": " + name + " has no method " + m.group(1));
            }
        }
    }
}
