package gmp.tools.export;

import static org.assertj.core.api.Assertions.assertThat;

import gmp.tools.generator.ChapterTable;
import gmp.tools.generator.WorkbookGenerator;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.Yaml;

/**
 * Exports chapter 03 once, then checks the export as an instructor and a student would meet it: no
 * solution of chapter 03 or later anywhere in it (its git objects included), a fresh clone that builds
 * and scores with only a JDK 25, and the grading its workflow runs (0 points on the stub, full points
 * with the reference put in, refused when a test was edited).
 *
 * <p>One export and one clone serve every test, which run in order (each Maven run of the workbook's
 * tests costs seconds: four in all, the export's own reference run included). The search for solution
 * blocks is this test's own, not {@link LeakCheck}'s, so that one bug cannot hide in both.
 */
@DisplayName("An exported assignment: no answer key in it, builds from a fresh clone, graded end to end")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ExportTest {
    private static final int FIRST = 3;
    /** Maven runs the workbook's tests; on 2 loaded cores that has taken a minute. */
    private static final long RUN_MINUTES = 10;
    private static final Pattern POINTS = Pattern.compile("(?m)^Points (\\d+)/(\\d+)$");

    private Path repo;
    private Path export;
    private Path clone;

    @BeforeAll
    void exportAndClone(@TempDir Path work) throws Exception {
        repo = Path.of(System.getProperty("gmp.repo.root", "..")).toAbsolutePath().normalize();
        export = work.resolve("x");
        Export.export(repo, Export.options(List.of("03", export.toString())));
        clone = work.resolve("clone");
        assertThat(run(work, "git", "clone", "-q", export.toString(), clone.toString()).exit()).isZero();
    }

    @Test
    @Order(1)
    @DisplayName("no solution block of chapter 03 or later is in any file of the export, nor in its git history")
    void noSolutionBlockAnywhere() throws Exception {
        List<String> blocks = solutionBlocks(repo.resolve(WorkbookGenerator.SOLUTIONS), FIRST);
        assertThat(blocks).as("solution blocks of chapters from 03 on").isNotEmpty();
        List<String> inReference = hits(blocks, Stream.of(repo.resolve(WorkbookGenerator.SOLUTIONS)));
        assertThat(blocks).as("the search finds every block where it is (the reference)")
                .allMatch(b -> inReference.stream().anyMatch(h -> h.endsWith(": " + b)));

        String history = run(export, "git", "cat-file", "--batch-all-objects", "--batch").output();
        List<String> found = new ArrayList<>(hits(blocks, Stream.of(export)));
        blocks.stream().filter(b -> normalize(history).contains(b)).forEach(b -> found.add("git history: " + b));
        assertThat(found).as("solution code in the export").isEmpty();
        assertThat(run(export, "git", "rev-list", "--count", "HEAD").output().strip()).as("commits").isEqualTo("1");
        try (Stream<Path> files = Files.walk(export)) {
            assertThat(files.map(p -> export.relativize(p).toString())
                    .filter(p -> p.matches("(solutions|bench|stress)(/.*)?|.*\\.(class|jar)"))).isEmpty();
        }
    }

    @Test
    @Order(2)
    @DisplayName("a fresh clone builds, and ./gmp score shows chapters 01 and 02 done and 03 to do")
    void freshCloneScores() throws Exception {
        Result score = run(clone, "./gmp", "score");

        assertThat(score.exit()).as("./gmp score's exit (1: a chapter to do)\n%s", score.output()).isEqualTo(1);
        assertThat(score.output()).containsPattern("(?m)^  ch01 .* done")
                .containsPattern("(?m)^  ch02 .* done").containsPattern("(?m)^  ch03 .* to do");
        assertThat(score.output()).doesNotContain("ch04", "ch05");
    }

    @Test
    @Order(3)
    @DisplayName("grading the stubbed chapter gives 0 points of the reference's")
    void stubScoresZero() throws Exception {
        Result grade = run(clone, "./gmp", "grade");

        assertThat(points(grade)).as(grade.output()).containsExactly(0, maxPoints());
        assertThat(grade.exit()).isEqualTo(1);
    }

    @Test
    @Order(4)
    @DisplayName("grading refuses a repository whose test was edited, and names the file")
    void editedTestIsRefused() throws Exception {
        Path test = clone.resolve("chapters/src/test/java/gmp/runtime/Ch03GlobalRunQueueTest.java");
        String original = Files.readString(test);
        Files.writeString(test, original.replace("@Test", "@Test @org.junit.jupiter.api.Disabled"));
        try {
            Result grade = run(clone, "./gmp", "grade");

            assertThat(grade.exit()).isEqualTo(1);
            assertThat(grade.output()).contains("grade: refused",
                    "changed: chapters/src/test/java/gmp/runtime/Ch03GlobalRunQueueTest.java");
            assertThat(points(grade)).containsExactly(0, maxPoints());
        } finally {
            Files.writeString(test, original);
        }
    }

    @Test
    @Order(5)
    @DisplayName("with the reference's chapter 03 put in, grading gives full points")
    void referenceScoresFull() throws Exception {
        ChapterTable table = ChapterTable.read(repo.resolve(WorkbookGenerator.CHAPTER_TABLE));
        WorkbookGenerator.write(WorkbookGenerator.generate(repo.resolve(WorkbookGenerator.SOLUTIONS), table,
                FIRST + 1).files(), clone.resolve(WorkbookGenerator.WORKBOOK));

        Result grade = run(clone, "./gmp", "grade");

        assertThat(points(grade)).as(grade.output()).containsExactly(maxPoints(), maxPoints());
        assertThat(maxPoints()).isPositive();
        assertThat(grade.exit()).isZero();
    }

    @Test
    @Order(6)
    @DisplayName("the workflow is GitHub Classroom's: YAML whose grade step feeds the grading reporter")
    @SuppressWarnings("unchecked")
    void workflowIsClassroomsShape() throws IOException {
        Map<String, Object> workflow = new Yaml().load(Files.readString(export.resolve(AssignmentFiles.WORKFLOW)));
        assertThat(workflow).containsEntry("name", "Autograding Tests").containsKeys("on", "permissions", "jobs");
        Map<String, Object> job = (Map<String, Object>) ((Map<String, Object>) workflow.get("jobs"))
                .get("run-autograding-tests");
        List<Map<String, Object>> steps = (List<Map<String, Object>>) job.get("steps");
        assertThat(steps).anySatisfy(s -> assertThat(s).containsEntry("id", "gmp").containsEntry("run", "./gmp grade"));
        assertThat(steps).anySatisfy(s -> {
            assertThat(s).containsEntry("uses", "classroom-resources/autograding-grading-reporter@v1")
                    .containsEntry("with", Map.of("runners", "gmp"));
            assertThat((Map<String, Object>) s.get("env")).containsEntry("GMP_RESULTS", "${{ steps.gmp.outputs.result }}");
        });
    }

    private int maxPoints() throws IOException {
        Matcher m = Pattern.compile("(?m)^max-points=(\\d+)$").matcher(Files.readString(export.resolve(Grade.ASSIGNMENT)));
        assertThat(m.find()).isTrue();
        return Integer.parseInt(m.group(1));
    }

    private static List<Integer> points(Result grade) {
        Matcher m = POINTS.matcher(grade.output());
        assertThat(m.find()).as("a Points X/Y line in\n%s", grade.output()).isTrue();
        return List.of(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)));
    }

    /** The solution lines of each block of a chapter from {@code first} on, normalized. */
    private static List<String> solutionBlocks(Path root, int first) throws IOException {
        Pattern block = Pattern.compile("(?m)^[ \\t]*// BEGIN SOLUTION ch(\\d\\d) #\\S+\\R((?:[ \\t]*// (?:TODO:| {2,}).*\\R)*)"
                + "((?s:.*?))^[ \\t]*// END SOLUTION");
        List<String> blocks = new ArrayList<>();
        try (Stream<Path> files = Files.walk(root)) {
            for (Path file : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                Matcher m = block.matcher(Files.readString(file));
                while (m.find()) {
                    if (Integer.parseInt(m.group(1)) >= first) {
                        blocks.add(normalize(m.group(3)));
                    }
                }
            }
        }
        return blocks;
    }

    /** The blocks found in some file under the roots (git's own directory aside). */
    private static List<String> hits(List<String> blocks, Stream<Path> roots) throws IOException {
        List<String> hits = new ArrayList<>();
        for (Path root : roots.toList()) {
            try (Stream<Path> files = Files.walk(root)) {
                for (Path file : files.filter(Files::isRegularFile)
                        .filter(p -> !root.relativize(p).toString().startsWith(".git/")).toList()) {
                    String text = normalize(new String(Files.readAllBytes(file), StandardCharsets.UTF_8));
                    blocks.stream().filter(text::contains).forEach(b -> hits.add(root.relativize(file) + ": " + b));
                }
            }
        }
        return hits;
    }

    private static String normalize(String text) {
        StringBuilder out = new StringBuilder("\n");
        text.lines().map(String::strip).filter(l -> !l.isEmpty()).forEach(l -> out.append(l).append('\n'));
        return out.toString();
    }

    private record Result(int exit, String output) { }

    /** Runs a command with only a JDK 25 (this JVM's) as JAVA_HOME, and no CI variables. */
    private static Result run(Path dir, String... command) throws IOException, InterruptedException {
        Path log = Files.createTempFile("gmp-export-test", ".log");
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile());
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        pb.environment().remove("GITHUB_STEP_SUMMARY");
        pb.environment().remove("GITHUB_OUTPUT");
        Process p = pb.start();
        if (!p.waitFor(RUN_MINUTES, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new AssertionError(String.join(" ", command) + " did not finish in " + RUN_MINUTES
                    + " minutes (a hung Maven or test run?):\n" + new String(Files.readAllBytes(log), StandardCharsets.UTF_8));
        }
        String output = new String(Files.readAllBytes(log), StandardCharsets.UTF_8);
        Files.delete(log);
        return new Result(p.exitValue(), output);
    }
}
