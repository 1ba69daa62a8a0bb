package gmp.tools.ladder;

import gmp.tools.generator.ChapterTable;
import java.util.ArrayList;
import java.util.List;

/**
 * The verdict on one rung of the ladder: the workbook generated with chapters before N solved and N
 * onwards stubbed, and the tests of chapters 1..N run against it. The rung holds when
 * <ul>
 *   <li>every test of an earlier chapter passes (skipped ones aside: a disabled test is disabled
 *       whatever the stubs do), so no later stub breaks an earlier chapter; and
 *   <li>chapter N has a failing test, and each of its tests fails or aborts on the stub unless it is
 *       given (marked {@code @Given}), so the learner has something to do and no test is green by the
 *       accident of a harmless stub; and
 *   <li>the tests marked {@code @Given} are exactly those the chapter's doc lists under "Given tests",
 *       so the learner reads what the scoreboard counts.
 * </ul>
 * This class only judges a results table; {@link LadderCheck} produces the table.
 *
 * @param line the one-line summary, {@code ladder ch02: 14/14 earlier tests pass; 9/9 ... — OK}
 * @param details what broke, one test a line, empty when the rung holds
 */
record Rung(boolean holds, String line, List<String> details) {
    /** Failing tests listed by name, at most; the rest are counted. */
    private static final int SHOWN = 10;

    static Rung judge(int chapter, List<TestResult> results, GivenTests given, String doc) {
        String tag = ChapterTable.tag(chapter);
        List<TestResult> earlier = ran(results.stream().filter(r -> r.chapter() > 0 && r.chapter() < chapter).toList());
        List<TestResult> own = ran(results.stream().filter(r -> r.chapter() == chapter).toList());
        List<TestResult> broken = earlier.stream().filter(TestResult::failing).toList();
        List<TestResult> greenOnStub = own.stream().filter(r -> !r.failing() && !r.given()).toList();
        List<TestResult> disagree = own.stream().filter(r -> r.given() != given.contains(r.testId())).toList();
        long failing = own.stream().filter(TestResult::failing).count();
        long givenCount = own.stream().filter(TestResult::given).count();

        List<String> details = new ArrayList<>();
        broken.stream().limit(SHOWN).forEach(r -> details.add("earlier test fails: " + r.testId()
                + " (" + ChapterTable.tag(r.chapter()) + ")" + (r.message().isEmpty() ? "" : ": " + r.message())));
        if (broken.size() > SHOWN) {
            details.add("... and " + (broken.size() - SHOWN) + " more earlier tests fail");
        }
        greenOnStub.forEach(r -> details.add("passes on the stub: " + r.testId()
                + " (make it fail on the stub, or mark it @Given and list it under \"Given tests\" in " + doc + ")"));
        disagree.forEach(r -> details.add(r.given()
                ? "marked @Given but not listed under \"Given tests\" in " + doc + ": " + r.testId()
                : "listed under \"Given tests\" in " + doc + " but not marked @Given: " + r.testId()));
        if (own.isEmpty()) {
            details.add("no " + tag + " test ran: tag the chapter's tests @Tag(\"" + tag + "\")");
        } else if (failing == 0) {
            details.add("no " + tag + " test fails on the stub: the learner has nothing to do");
        }

        boolean holds = details.isEmpty();
        String line = "ladder " + tag + ": "
                + (earlier.isEmpty() ? "no earlier tests" : (earlier.size() - broken.size()) + "/" + earlier.size()
                        + " earlier tests pass")
                + "; " + failing + "/" + own.size() + " chapter tests fail on the stub"
                + (givenCount > 0 ? " (" + givenCount + " given)" : "")
                + (holds ? " — OK" : " — BROKEN");
        return new Rung(holds, line, details);
    }

    /** A rung that could not be judged: the workbook did not build, or no results were written. */
    static Rung unjudged(int chapter, String why, List<String> details) {
        return new Rung(false, "ladder " + ChapterTable.tag(chapter) + ": " + why + " — BROKEN", details);
    }

    private static List<TestResult> ran(List<TestResult> results) {
        return results.stream().filter(r -> r.status() != TestResult.Status.SKIPPED).toList();
    }
}
