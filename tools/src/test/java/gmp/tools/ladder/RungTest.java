package gmp.tools.ladder;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Judging one rung of the ladder from its results table")
class RungTest {
    private static final String DOC = "docs/en/02-local-runq.md";
    private static final GivenTests NONE = new GivenTests(Set.of());

    private static List<TestResult> table(String... lines) {
        return TestResult.parse(List.of(lines));
    }

    @Test
    @DisplayName("holds when every earlier test passes and every chapter test fails on the stub")
    void holds() {
        List<TestResult> results = table(
                "#chapter\tstatus\ttestId\tdisplayName\tmessage",
                "ch01\tpassed\tgmp.runtime.BootTest#mainRuns\tmain runs\t",
                "ch01\tskipped\tgmp.runtime.BootTest#disabled\tdisabled\t",
                "ch02\tfailed\tgmp.runtime.RunqTest#fifo\tFIFO\texpected 1 but was 2",
                "ch02\taborted\tgmp.runtime.RunqTest#runnext[1]\trunnext\tnot implemented yet");

        Rung rung = Rung.judge(2, results, NONE, DOC);

        assertThat(rung.holds()).isTrue();
        assertThat(rung.details()).isEmpty();
        assertThat(rung.line())
                .isEqualTo("ladder ch02: 1/1 earlier tests pass; 2/2 chapter tests fail on the stub — OK");
    }

    @Test
    @DisplayName("the first chapter has no earlier tests")
    void firstChapter() {
        Rung rung = Rung.judge(1, table("ch01\tfailed\tgmp.runtime.BootTest#mainRuns\tmain runs\tboom"), NONE, DOC);

        assertThat(rung.line()).startsWith("ladder ch01: no earlier tests; 1/1 chapter tests fail");
    }

    @Test
    @DisplayName("breaks when a later chapter's stub makes an earlier test fail, and names the test")
    void earlierTestFails() {
        List<TestResult> results = table(
                "ch01\tfailed\tgmp.runtime.BootTest#mainRuns\tmain runs\tNotImplementedYet: ch02 runqget",
                "ch01\tpassed\tgmp.runtime.BootTest#exits\texits\t",
                "ch02\tfailed\tgmp.runtime.RunqTest#fifo\tFIFO\texpected 1 but was 2");

        Rung rung = Rung.judge(2, results, NONE, DOC);

        assertThat(rung.holds()).isFalse();
        assertThat(rung.line()).startsWith("ladder ch02: 1/2 earlier tests pass;").endsWith("— BROKEN");
        assertThat(rung.details()).containsExactly(
                "earlier test fails: gmp.runtime.BootTest#mainRuns (ch01): NotImplementedYet: ch02 runqget");
    }

    @Test
    @DisplayName("breaks when a chapter test passes on the stub, unless it is given")
    void chapterTestPassesOnTheStub() {
        List<TestResult> results = table(
                "ch02\tfailed\tgmp.runtime.RunqTest#fifo\tFIFO\texpected 1 but was 2",
                "ch02\tpassed\tgmp.runtime.RunqTest#emptyRingIsEmpty\tan empty ring\t",
                "ch02\tpassed\tgmp.runtime.RunqTest#capacity[3]\tcapacity\t\tgiven");
        GivenTests given = new GivenTests(Set.of("RunqTest#capacity"));

        Rung rung = Rung.judge(2, results, given, DOC);

        assertThat(rung.holds()).isFalse();
        assertThat(rung.line()).contains("1/3 chapter tests fail on the stub (1 given)");
        assertThat(rung.details()).singleElement().asString()
                .startsWith("passes on the stub: gmp.runtime.RunqTest#emptyRingIsEmpty")
                .contains("@Given", "Given tests", DOC);
    }

    @Test
    @DisplayName("breaks when the @Given marks and the doc's Given tests disagree, either way")
    void givenMarksAgreeWithTheDoc() {
        List<TestResult> results = table(
                "ch02\tfailed\tgmp.runtime.RunqTest#fifo\tFIFO\texpected 1 but was 2\tgiven",
                "ch02\tfailed\tgmp.runtime.RunqTest#lifo\tLIFO\texpected 2 but was 1\t");

        Rung rung = Rung.judge(2, results, new GivenTests(Set.of("RunqTest#lifo")), DOC);

        assertThat(rung.holds()).isFalse();
        assertThat(rung.details()).containsExactly(
                "marked @Given but not listed under \"Given tests\" in " + DOC + ": gmp.runtime.RunqTest#fifo",
                "listed under \"Given tests\" in " + DOC + " but not marked @Given: gmp.runtime.RunqTest#lifo");
    }

    @Test
    @DisplayName("breaks when no chapter test fails, even if every one of them is given")
    void nothingFails() {
        List<TestResult> results = table("ch02\tpassed\tgmp.runtime.RunqTest#capacity\tcapacity\t\tgiven");

        Rung rung = Rung.judge(2, results, new GivenTests(Set.of("RunqTest#capacity")), DOC);

        assertThat(rung.holds()).isFalse();
        assertThat(rung.details()).containsExactly("no ch02 test fails on the stub: the learner has nothing to do");
    }

    @Test
    @DisplayName("breaks when the chapter has no test at all; later chapters' results are ignored")
    void noChapterTests() {
        List<TestResult> results = table(
                "ch01\tpassed\tgmp.runtime.BootTest#mainRuns\tmain runs\t",
                "ch03\tpassed\tgmp.runtime.GlobrunqTest#batch\tbatch\t");

        Rung rung = Rung.judge(2, results, NONE, DOC);

        assertThat(rung.holds()).isFalse();
        assertThat(rung.line()).contains("1/1 earlier tests pass; 0/0 chapter tests");
        assertThat(rung.details()).singleElement().asString().startsWith("no ch02 test ran");
    }

    @Test
    @DisplayName("never prints a line that CI would read as a test count")
    void noTestCountLines() {
        List<TestResult> results = table(
                "ch01\tfailed\tgmp.runtime.BootTest#mainRuns\tmain runs\texpected 3 but was 1",
                "ch02\tpassed\tgmp.runtime.RunqTest#fifo\tFIFO\t");

        Rung rung = Rung.judge(2, results, NONE, DOC);

        assertThat(rung.line()).doesNotContainPattern("\\d+ passed, \\d+ failed");
    }
}
