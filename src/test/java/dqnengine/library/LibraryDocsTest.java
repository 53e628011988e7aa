package dqnengine.library;

import com.sun.source.doctree.DocCommentTree;
import com.sun.source.tree.ClassTree;
import com.sun.source.tree.CompilationUnitTree;
import com.sun.source.tree.Tree;
import com.sun.source.util.DocTrees;
import com.sun.source.util.JavacTask;
import com.sun.source.util.TreePath;
import com.sun.source.util.TreePathScanner;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.lang.model.element.Modifier;
import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.DocumentationTool;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import java.io.IOException;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The API documentation builds, in {@code mvn test} (the Javadoc jar itself is built at
 * {@code mvn verify}): the javadoc tool runs over every package with the build's doclint settings,
 * every public type has a comment, and the types a library user starts from are documented to the
 * last parameter.
 */
class LibraryDocsTest {
    static final Path SOURCES = Path.of("src/main/java");

    /** The library API's entry points (README, "Use it from Java"): doclint's "missing" group too. */
    static final List<String> API_IN_FULL = List.of(
            "dqnengine/env/Environment.java", "dqnengine/env/Step.java", "dqnengine/backend/Backends.java",
            "dqnengine/dqn/Trainer.java", "dqnengine/dqn/TrainingListener.java", "dqnengine/dqn/Agent.java");

    @TempDir Path tmp;

    /** The javadoc tool over {@code files} with {@code doclint}: its problems, the incubating-module notice left out. */
    private static List<String> javadoc(Path out, String doclint, List<Path> files) throws IOException {
        DocumentationTool tool = ToolProvider.getSystemDocumentationTool();
        DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        StringWriter log = new StringWriter();
        try (StandardJavaFileManager fm = tool.getStandardFileManager(diagnostics, Locale.ROOT, StandardCharsets.UTF_8)) {
            List<String> options = List.of("-d", out.toString(), "-quiet", "-Xdoclint:" + doclint,
                    "--add-modules", "jdk.incubator.vector", "-sourcepath", SOURCES.toString(),
                    "-classpath", System.getProperty("java.class.path"));
            boolean ok = tool.getTask(log, fm, diagnostics, null, options, fm.getJavaFileObjectsFromPaths(files)).call();
            List<String> problems = new ArrayList<>();
            for (Diagnostic<? extends JavaFileObject> d : diagnostics.getDiagnostics()) {
                if (d.getKind() == Diagnostic.Kind.NOTE || d.getMessage(Locale.ROOT).contains("incubating module")) continue;
                problems.add(d.getKind() + " " + (d.getSource() == null ? "" : d.getSource().getName() + ":" + d.getLineNumber() + ": ")
                        + d.getMessage(Locale.ROOT));
            }
            if (!ok && problems.isEmpty()) problems.add("javadoc failed: " + log);
            return problems;
        }
    }

    private static List<Path> allSources() throws IOException {
        try (Stream<Path> s = Files.walk(SOURCES)) {
            return s.filter(p -> p.toString().endsWith(".java")).sorted().collect(Collectors.toList());
        }
    }

    @Test
    void javadocBuildsWithoutErrorsOrWarnings() throws IOException {
        List<String> problems = javadoc(tmp.resolve("all"), "all,-missing", allSources());
        assertEquals(List.of(), problems, "the javadoc tool with the build's settings (pom.xml: maven-javadoc-plugin)");
        assertTrue(Files.isRegularFile(tmp.resolve("all/dqnengine/dqn/TrainingListener.html")), "the pages were written");
    }

    @Test
    void theLibraryApiIsDocumentedToTheLastParameter() throws IOException {
        List<Path> files = API_IN_FULL.stream().map(SOURCES::resolve).collect(Collectors.toList());
        assertEquals(List.of(), javadoc(tmp.resolve("api"), "all", files));
    }

    @Test
    void everyPublicTypeHasAComment() throws IOException {
        List<String> bare = undocumentedPublicTypes(allSources());
        assertEquals(List.of(), bare, "public types without a doc comment");
    }

    /** The check fails where it should: on a public type without a comment, nested ones and those of interfaces included. */
    @Test
    void theCommentCheckFindsAnUndocumentedType() throws IOException {
        Path file = tmp.resolve("Sample.java");
        Files.writeString(file, String.join("\n",
                "/** Documented. */",
                "public class Sample {",
                "    public record Bare(int x) {}",
                "    /** Documented. */ public enum Fine { A }",
                "    private static class Hidden {}",
                "    /** Documented. */ public interface Api { class Implicit {} }",
                "}",
                "class PackagePrivate {}"));
        assertEquals(List.of("Sample.java: Bare", "Sample.java: Implicit"), undocumentedPublicTypes(List.of(file)));
    }

    /** Public types (top-level, and nested in public types) with no doc comment, as "File.java: Name". */
    static List<String> undocumentedPublicTypes(List<Path> files) throws IOException {
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        List<String> bare = new ArrayList<>();
        try (StandardJavaFileManager fm = javac.getStandardFileManager(null, Locale.ROOT, StandardCharsets.UTF_8)) {
            JavacTask task = (JavacTask) javac.getTask(null, fm, null, List.of("-proc:none"), null, fm.getJavaFileObjectsFromPaths(files));
            DocTrees docs = DocTrees.instance(task);
            for (CompilationUnitTree unit : task.parse()) {
                String file = Path.of(unit.getSourceFile().toUri()).getFileName().toString();
                new TreePathScanner<Void, Boolean>() {
                    @Override
                    public Void visitClass(ClassTree type, Boolean inInterface) {
                        boolean isPublic = inInterface || type.getModifiers().getFlags().contains(Modifier.PUBLIC);
                        if (!isPublic) return null;                    // nor is anything inside it
                        DocCommentTree comment = docs.getDocCommentTree(getCurrentPath());
                        if (comment == null) bare.add(file + ": " + type.getSimpleName());
                        boolean isInterface = type.getKind() == Tree.Kind.INTERFACE || type.getKind() == Tree.Kind.ANNOTATION_TYPE;
                        TreePath here = getCurrentPath();            // scan(TreePath, …) clears it when done
                        for (Tree member : type.getMembers()) {
                            if (member instanceof ClassTree) scan(new TreePath(here, member), isInterface);
                        }
                        return null;
                    }
                }.scan(new TreePath(unit), false);
            }
        }
        return bare;
    }
}
