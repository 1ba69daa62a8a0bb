package gmp.tools.generator;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("Generating the workbook from the reference tree")
class WorkbookGeneratorTest {
    private static final String PROC = """
            package gmp.runtime;

            class Proc {
                void schedinit() {
                    // BEGIN SOLUTION ch01 #schedinit
                    // TODO: call procresize.
                    procresize(1);
                    // END SOLUTION
                }

                G runqget(P p) {
                    // BEGIN SOLUTION ch02 #runqget
                    // TODO: take the head of the ring.
                    return p.take();
                    // END SOLUTION
                    // STUB: return null;
                }
            }
            """;

    @TempDir
    Path repo;
    private Path solutions;
    private Path workbook;
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    @BeforeEach
    void aRepository() throws IOException {
        write(repo.resolve("docs/chapters.tsv"), "# number, slug, title\n01\tbootstrap\tBootstrap\n02\tlocal-runq\tRunq\n");
        solutions = repo.resolve("solutions/src/main/java");
        workbook = repo.resolve("chapters/src/main/java");
    }

    private static void write(Path file, String text) throws IOException {
        Files.createDirectories(file.getParent());
        Files.writeString(file, text);
    }

    private int generator(String... args) throws IOException {
        String[] all = new String[args.length + 2];
        all[0] = "--repo";
        all[1] = repo.toString();
        System.arraycopy(args, 0, all, 2, args.length);
        return WorkbookGenerator.run(all, new PrintStream(out, true, UTF_8), new PrintStream(err, true, UTF_8));
    }

    @Test
    @DisplayName("with start N, chapters before N are solved and chapters from N on are to do")
    void startKeepsEarlierChaptersSolved() throws IOException {
        write(solutions.resolve("gmp/runtime/Proc.java"), PROC);

        int status = generator("--start", "2");

        assertThat(status).as(err.toString(UTF_8)).isZero();
        assertThat(workbook.resolve("gmp/runtime/Proc.java")).content()
                .contains("        procresize(1);\n")
                .doesNotContain("TODO(ch01)", "p.take()")
                .contains("        // TODO(ch02): take the head of the ring.\n", "        return null;\n");
        assertThat(out.toString(UTF_8)).contains("chapters before ch02 solved");
    }

    @Test
    @DisplayName("files without markers, and files that are not Java, are copied byte for byte")
    void unmarkedFilesAreCopiedVerbatim() throws IOException {
        byte[] latin1Java = "class Old { /* caf\u00e9 */ } // TODO: not a marker\r\n".getBytes(ISO_8859_1);
        byte[] binary = {0, (byte) 0xff, (byte) 0xfe, '\r', '\n', 42};
        Files.createDirectories(solutions.resolve("gmp/runtime"));
        Files.write(solutions.resolve("gmp/runtime/Old.java"), latin1Java);
        Files.write(solutions.resolve("gmp/runtime/table.bin"), binary);

        assertThat(generator()).isZero();

        assertThat(workbook.resolve("gmp/runtime/Old.java")).hasBinaryContent(latin1Java);
        assertThat(workbook.resolve("gmp/runtime/table.bin")).hasBinaryContent(binary);
    }

    @Test
    @DisplayName("problems in several files are all reported with file and line, and nothing is written")
    void problemsAreCollectedAndNothingIsWritten() throws IOException {
        write(solutions.resolve("gmp/runtime/Proc.java"), PROC);
        write(solutions.resolve("gmp/runtime/A.java"), "class A {\n    // END SOLUTION\n}\n");
        write(solutions.resolve("gmp/B.java"), "class B {\n  void b() {\n    // BEGIN SOLUTION ch07 #b\n  }\n}\n");

        int status = generator();

        assertThat(status).isEqualTo(1);
        assertThat(err.toString(UTF_8)).contains(
                "gmp/runtime/A.java:2: END SOLUTION without BEGIN SOLUTION",
                "gmp/B.java:3: unknown chapter 'ch07'",
                "gmp/B.java:3: BEGIN SOLUTION without END SOLUTION");
        assertThat(workbook).doesNotExist();
    }

    @Test
    @DisplayName("stale files and the directories they leave are removed, identical files are left untouched")
    void outputMirrorsTheSourceTree() throws IOException {
        write(solutions.resolve("gmp/runtime/Same.java"), "class Same { }\n");
        write(workbook.resolve("gmp/runtime/Same.java"), "class Same { }\n");
        FileTime old = FileTime.fromMillis(1_000_000_000_000L);
        Files.setLastModifiedTime(workbook.resolve("gmp/runtime/Same.java"), old);
        write(workbook.resolve("gmp/gone/deeper/Stale.java"), "class Stale { }\n");

        assertThat(generator()).isZero();

        assertThat(workbook.resolve("gmp/gone")).doesNotExist();
        assertThat(Files.getLastModifiedTime(workbook.resolve("gmp/runtime/Same.java"))).isEqualTo(old);
        assertThat(out.toString(UTF_8)).contains("0 written, 1 removed, 1 unchanged");
    }

    @Test
    @DisplayName("--check lists the files that drifted, says to run ./gmp regen, and changes nothing")
    void checkDetectsDrift() throws IOException {
        write(solutions.resolve("gmp/runtime/Proc.java"), PROC);
        write(solutions.resolve("gmp/runtime/New.java"), "class New { }\n");
        assertThat(generator()).isZero();
        write(workbook.resolve("gmp/runtime/Proc.java"), "class Proc { /* edited by hand */ }\n");
        Files.delete(workbook.resolve("gmp/runtime/New.java"));
        write(workbook.resolve("gmp/runtime/Extra.java"), "class Extra { }\n");

        int status = generator("--check");

        assertThat(status).isEqualTo(1);
        assertThat(err.toString(UTF_8)).contains(
                "different: gmp/runtime/Proc.java",
                "missing:   gmp/runtime/New.java",
                "extra:     gmp/runtime/Extra.java",
                "run ./gmp regen");
        assertThat(workbook.resolve("gmp/runtime/Proc.java")).content().contains("edited by hand");
        assertThat(workbook.resolve("gmp/runtime/Extra.java")).exists();
    }

    @Test
    @DisplayName("--check passes with a one-line OK when the workbook is in sync")
    void checkPassesWhenInSync() throws IOException {
        write(solutions.resolve("gmp/runtime/Proc.java"), PROC);
        assertThat(generator()).isZero();
        out.reset();

        int status = generator("--check");

        assertThat(status).as(err.toString(UTF_8)).isZero();
        assertThat(out.toString(UTF_8).lines()).singleElement().asString().contains("is in sync");
    }

    @Test
    @DisplayName("a repository with no solutions yet is in sync with an empty workbook, and regenerating it is refused")
    void noSolutionsYet() throws IOException {
        assertThat(generator("--check")).isZero();

        write(workbook.resolve("gmp/runtime/Kept.java"), "class Kept { }\n");

        assertThat(generator("--check")).isEqualTo(1);
        assertThat(generator()).isEqualTo(1);
        assertThat(workbook.resolve("gmp/runtime/Kept.java")).exists();
    }

    @Test
    @DisplayName("--out writes the workbook elsewhere, and a bad option prints the usage")
    void outAndUsage() throws IOException {
        write(solutions.resolve("gmp/runtime/Proc.java"), PROC);
        Path elsewhere = repo.resolve("target/ladder/ch02/src");

        assertThat(generator("--out", elsewhere.toString(), "--start", "2")).isZero();
        assertThat(elsewhere.resolve("gmp/runtime/Proc.java")).exists();
        assertThat(workbook).doesNotExist();

        assertThat(generator("--start")).isEqualTo(2);
        assertThat(generator("--start", "0")).isEqualTo(2);
        assertThat(err.toString(UTF_8)).contains("usage: WorkbookGenerator");
    }
}
