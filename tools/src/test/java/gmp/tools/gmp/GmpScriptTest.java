package gmp.tools.gmp;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code gmp} script's answers that need no build, run on a copy of the script with a chapter
 * table and one test class, so that nothing of the real checkout (its last results) is touched.
 */
class GmpScriptTest {
    private static final Path REPO = Path.of(System.getProperty("gmp.repo.root", "..")).toAbsolutePath().normalize();

    private record Run(int exit, String out, String err) {
    }

    private static Run gmp(Path dir, String... args) throws IOException, InterruptedException {
        List<String> command = new java.util.ArrayList<>(List.of("bash", dir.resolve("gmp").toString()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile())
                .redirectOutput(dir.resolve("out.txt").toFile()).redirectError(dir.resolve("err.txt").toFile());
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        Process p = pb.start();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("./gmp %s did not end within 60 s", String.join(" ", args)).isTrue();
        return new Run(p.exitValue(), Files.readString(dir.resolve("out.txt")), Files.readString(dir.resolve("err.txt")));
    }

    /** A checkout with the real script and chapter table, chapter 01's tests only, and a last run's results. */
    private static Path checkout(Path dir) throws IOException {
        Files.copy(REPO.resolve("gmp"), dir.resolve("gmp"));
        Files.createDirectories(dir.resolve("docs"));
        Files.copy(REPO.resolve("docs/chapters.tsv"), dir.resolve("docs/chapters.tsv"));
        Path tests = Files.createDirectories(dir.resolve("chapters/src/test/java/gmp/runtime"));
        Files.writeString(tests.resolve("Ch01BootstrapTest.java"), "@Tag(\"ch01\")\nclass Ch01BootstrapTest {}\n");
        Path results = Files.createDirectories(dir.resolve("chapters/target/gmp"));
        Files.writeString(results.resolve("hint.txt"), "Next: ch01  the last run's hint\n", StandardCharsets.UTF_8);
        Files.writeString(results.resolve("results.tsv"), "# header\nch01\tfailed\tT#t\tt\twhy\t\n");
        return dir;
    }

    @Test
    @DisplayName("./gmp test of a chapter that is listed but has no tests yet is refused at once, and hint still shows the last run")
    void comingChapterIsRefusedAndKeepsTheLastResults(@TempDir Path tmp) throws Exception {
        Path dir = checkout(tmp);
        long start = System.nanoTime();
        Run run = gmp(dir, "test", "02");
        assertThat(run.exit()).as("exit code of ./gmp test 02 (a usage error); stderr: %s", run.err()).isEqualTo(64);
        assertThat(run.err()).contains("chapter 02 is coming").contains("./gmp hint shows them");
        assertThat(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start)).as("refused at once, before any build")
                .isLessThan(20);
        assertThat(dir.resolve("chapters/target/gmp/results.tsv")).as("the last results are kept").exists();
        Run hint = gmp(dir, "hint");
        assertThat(hint.exit()).isZero();
        assertThat(hint.out()).isEqualTo("Next: ch01  the last run's hint\n");
    }

    @Test
    @DisplayName("./gmp test of a chapter that is not listed is refused as a usage error")
    void unknownChapterIsRefused(@TempDir Path tmp) throws Exception {
        Run run = gmp(checkout(tmp), "test", "42");
        assertThat(run.exit()).isEqualTo(64);
        assertThat(run.err()).contains("there is no chapter 42");
    }
}
