package gmp.tools.generator;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Challenge mode keeps the first sentence of each TODO (what to write) and nothing else changes: the
 * code, and so what compiles and what the ladder checks, is the normal mode's. The full texts go to
 * the hints file that {@code ./gmp hint --more} reads.
 */
@DisplayName("Challenge mode: terse TODOs, the same code, the full text one step away")
class ChallengeModeTest {
    private static final ChapterTable CHAPTERS = new ChapterTable(new TreeMap<>(Map.of(
            3, new ChapterTable.Chapter(3, "global-runq", "The global run queue"))));

    private static final String GLOBRUNQGET = """
            class Proc {
                G globrunqget(P pp, int max) {
                    // BEGIN SOLUTION ch03 #globrunqget
                    // TODO: take a batch of Gs from the global queue, e.g. for a P that ran dry. Take n =
                    //       runqsize / gomaxprocs + 1 of them, at most max.
                    //       Return the first and runqput the others.
                    return batch(pp, max);
                    // END SOLUTION
                    // STUB: return null;
                }
            }
            """;

    private static MarkerRewriter.Result rewrite(boolean challenge) {
        List<String> problems = new ArrayList<>();
        MarkerRewriter.Result result = MarkerRewriter.rewrite("gmp/runtime/Proc.java", GLOBRUNQGET, CHAPTERS, 3,
                challenge, problems);
        assertThat(problems).as("problems").isEmpty();
        return result;
    }

    @Test
    @DisplayName("a TODO keeps its first sentence only, over as many lines as it takes, then the doc link and the stub")
    void todoKeepsItsFirstSentence() {
        assertThat(rewrite(true).text()).isEqualTo("""
                class Proc {
                    G globrunqget(P pp, int max) {
                        // TODO(ch03): take a batch of Gs from the global queue, e.g. for a P that ran dry.
                        //             Read docs/en/03-global-runq.md#globrunqget
                        return null;
                    }
                }
                """);
    }

    @Test
    @DisplayName("the full TODO, with its chapter, method and doc section, is kept for ./gmp hint --more")
    void fullTodoIsKeptForHintMore() {
        assertThat(rewrite(true).todos()).containsExactly(new MarkerRewriter.Todo(3,
                "docs/en/03-global-runq.md#globrunqget", "globrunqget", List.of(
                        "take a batch of Gs from the global queue, e.g. for a P that ran dry. Take n =",
                        "runqsize / gomaxprocs + 1 of them, at most max.",
                        "Return the first and runqput the others.")));
    }

    @Test
    @DisplayName("the first sentence ends at a period before a space or the end, not in a range nor after e.g.")
    void firstSentenceEnds() {
        assertThat(MarkerRewriter.firstSentence(List.of("copy runq[h .. h+n-1] (masked), e.g. five. Then claim.")))
                .containsExactly("copy runq[h .. h+n-1] (masked), e.g. five.");
        assertThat(MarkerRewriter.firstSentence(List.of("no period here", "nor here")))
                .containsExactly("no period here", "nor here");
    }

    @Test
    @DisplayName("for every start chapter, the reference's challenge workbook has exactly the normal workbook's code")
    void challengeWorkbookHasTheSameCode() throws IOException, WorkbookException {
        Path repo = Path.of(System.getProperty("gmp.repo.root", "..")).toAbsolutePath().normalize();
        ChapterTable chapters = ChapterTable.read(repo.resolve(WorkbookGenerator.CHAPTER_TABLE));
        Path solutions = repo.resolve(WorkbookGenerator.SOLUTIONS);
        for (int start : chapters.chapters().keySet()) {
            WorkbookGenerator.Workbook normal = WorkbookGenerator.generate(solutions, chapters, start, false);
            WorkbookGenerator.Workbook challenge = WorkbookGenerator.generate(solutions, chapters, start, true);
            assertThat(challenge.files().keySet()).isEqualTo(normal.files().keySet());
            assertThat(challenge.todos()).isEqualTo(normal.todos());
            for (Path file : normal.files().keySet()) {
                assertThat(code(challenge.files().get(file))).as("the code of %s, start %d", file, start)
                        .isEqualTo(code(normal.files().get(file)));
                assertThat(challenge.files().get(file).length).as("%s is no longer in challenge mode", file)
                        .isLessThanOrEqualTo(normal.files().get(file).length);
            }
        }
    }

    /** The file without its TODO comment lines (the only lines the two modes may differ in). */
    private static List<String> code(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8).lines()
                .filter(line -> !line.strip().startsWith("//")).toList();
    }
}
