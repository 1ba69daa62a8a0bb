package gmp.workbook;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import gmp.workbook.Scoreboard.Result;
import gmp.workbook.Scoreboard.Status;

/**
 * The scoreboard's own tests: what a learner reads after a run. Tagged {@code tooling}, so they run
 * with the reference (the solutions module runs every test) and never on a learner's scoreboard.
 */
@Tag("tooling")
class ScoreboardTest {
    private static Result passed(String chapter, int i) {
        return new Result(chapter, Status.PASSED, false, false, "T#t" + i, "test " + i, "", null, false, "");
    }

    private static Result failed(String chapter, String name, String message) {
        return new Result(chapter, Status.FAILED, false, false, "T#" + name, name, message, null, false, "");
    }

    @Test
    @DisplayName("a finished chapter's hint says what is done and which chapter is next, never 'All done'")
    void finishedChapterNamesTheNext() {
        List<Result> results = IntStream.range(0, 24).mapToObj(i -> passed("ch01", i)).toList();
        String hint = Scoreboard.render(results)[0].replaceAll("\\s+", " ");
        assertThat(hint).startsWith("chapter 01 done: 24/24.")
                .contains("next chapter 02, The go statement and the local run queue: read docs/en/02-local-runq.md,"
                        + " then ./gmp test 02.")
                .doesNotContain("All done");
    }

    @Test
    @DisplayName("a chapter listed without a doc yet is named as coming")
    void nextChapterWithoutADocIsComing() {
        List<Result> results = List.of(passed("ch08", 1));
        assertThat(Scoreboard.render(results)[0].replaceAll("\\s+", " ")).contains("next chapter 09, The memory model")
                .doesNotContain("All done");
    }

    @Test
    @DisplayName("a given test that waits for earlier chapters is neither won nor lost, and is named as waiting")
    void givenTestWaitingForEarlierChapters() {
        List<Result> results = new ArrayList<>();
        results.add(new Result("ch05", Status.PASSED, false, false, "T#g1", "g1", "", null, true, ""));
        results.add(new Result("ch05", Status.PASSED, false, false, "T#g2", "g2", "", null, true, ""));
        results.add(new Result("ch05", Status.FAILED, true, true, "T#g3", "g3", "TODO(ch01)", null, true, "ch02"));
        results.add(failed("ch05", "parks", "TODO(ch05): gopark"));
        String[] out = Scoreboard.render(results);
        assertThat(out[1]).contains("2/3").contains("2 given, 1 given waiting for ch02 and before");
        assertThat(out[0]).contains("test    parks").doesNotContain("g3");
    }

    @Test
    @DisplayName("an exception thrown in the runtime's code names that method and its doc section")
    void learnersExceptionNamesTheirMethodAndSection() {
        Throwable npe = null;
        try {
            npeInProc();
        } catch (NullPointerException e) {
            npe = e;
        }
        assertThat(Scoreboard.reason(npe)).startsWith("NullPointerException in Proc.pidleput (Proc.java:")
                .contains("read docs/en/01-bootstrap.md#pidleput)");
    }

    /** An NPE from inside Proc.pidleput, as a learner's pidleput(null) would throw it. */
    private static void npeInProc() {
        gmp.runtime.ToolingAccess.pidleputNull();
    }
}
