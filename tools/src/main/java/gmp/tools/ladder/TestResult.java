package gmp.tools.ladder;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One line of {@code <build dir>/gmp/results.tsv}, the table the workbook's JUnit listener writes after
 * every run: {@code chapter<TAB>status<TAB>testId<TAB>displayName<TAB>message<TAB>given}, after a {@code #}
 * header.
 * The ladder reads this table instead of Maven's console, whose format is not ours to rely on.
 *
 * @param chapter the number of the test's {@code chNN} tag, 0 when it has none
 * @param testId {@code fully.qualified.ClassName#method}, with {@code [n]} for each parameterized call
 * @param message the first line of the failure message, empty when the test passed
 * @param given the test is marked {@code @Given} (the column reads {@code given}): it tests code the
 *     chapter hands out, so it may pass on the stub
 */
record TestResult(int chapter, Status status, String testId, String displayName, String message, boolean given) {
    private static final Pattern CHAPTER = Pattern.compile("ch(\\d+)");

    enum Status { PASSED, FAILED, ABORTED, SKIPPED }

    /** Failed or aborted: what a test must do on a stub. */
    boolean failing() {
        return status == Status.FAILED || status == Status.ABORTED;
    }

    /** Parses the table's lines; a line that does not fit is an error, not something to skip. */
    static List<TestResult> parse(List<String> lines) {
        List<TestResult> results = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            String[] f = line.split("\t", -1);
            Status status = f.length >= 4 ? status(f[1]) : null;
            if (status == null) {
                throw new IllegalArgumentException("results.tsv:" + (i + 1)
                        + ": expected chapter, status (passed|failed|aborted|skipped), testId, displayName, message");
            }
            Matcher chapter = CHAPTER.matcher(f[0]);
            int number = chapter.matches() ? Integer.parseInt(chapter.group(1)) : 0;
            results.add(new TestResult(number, status, f[2], f[3], f.length > 4 ? f[4] : "",
                    f.length > 5 && f[5].equals("given")));
        }
        return results;
    }

    private static Status status(String word) {
        for (Status s : Status.values()) {
            if (s.name().equals(word.toUpperCase(Locale.ROOT))) {
                return s;
            }
        }
        return null;
    }
}
