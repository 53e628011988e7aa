package dqnengine;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Every source file that docs/*.md names exists, and so does every method it names beside one: a
 * `path/File.java` (`method`, `other`) reference must point at a file under src/main/java/dqnengine
 * or src/test/java/dqnengine that declares or calls {@code method(}. Docs cannot silently drift.
 */
class DocsReferencesTest {
    private static final Pattern FILE = Pattern.compile("`([\\w/]+\\.java)`");
    private static final Pattern METHOD = Pattern.compile("`([a-z]\\w*)`");

    @Test
    void everyFileAndMethodTheDocsNameExists() throws Exception {
        List<Path> docs;
        try (Stream<Path> s = Files.list(Path.of("docs"))) {
            docs = s.filter(p -> p.toString().endsWith(".md")).toList();
        }
        assertFalse(docs.isEmpty(), "docs/*.md");
        List<String> broken = new ArrayList<>();
        int files = 0, methods = 0;
        for (Path doc : docs) {
            String text = Files.readString(doc).replace("\n", " ");
            Matcher f = FILE.matcher(text);
            while (f.find()) {
                files++;
                Path main = Path.of("src/main/java/dqnengine", f.group(1)), test = Path.of("src/test/java/dqnengine", f.group(1));
                Path file = Files.isRegularFile(main) ? main : Files.isRegularFile(test) ? test : null;
                if (file == null) {
                    broken.add(doc + ": no file " + f.group(1));
                    continue;
                }
                int after = f.end();
                if (after + 2 <= text.length() && text.startsWith(" (", after)) {
                    int close = text.indexOf(')', after);
                    String inside = text.substring(after + 2, close < 0 ? text.length() : close);
                    int colon = inside.indexOf(':');
                    Matcher m = METHOD.matcher(colon < 0 ? inside : inside.substring(0, colon));
                    String source = Files.readString(file);
                    while (m.find()) {
                        methods++;
                        if (!Pattern.compile("\\b" + m.group(1) + "\\s*\\(").matcher(source).find()) {
                            broken.add(doc + ": " + f.group(1) + " has no method " + m.group(1));
                        }
                    }
                }
            }
        }
        assertEquals(List.of(), broken);
        assertTrue(files >= 20 && methods >= 10, "the check saw the references: " + files + " files, " + methods + " methods");
    }
}
