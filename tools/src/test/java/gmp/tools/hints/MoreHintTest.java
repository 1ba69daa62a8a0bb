package gmp.tools.hints;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("./gmp hint --more: the full TODO of the method the failing test points at")
class MoreHintTest {
    private static final String HINTS = """
            # The full text of every TODO still to do, read by ./gmp hint --more.

            == ch03 globrunqput docs/en/03-global-runq.md#globrunqput gmp/runtime/Proc.java
            append gp to the sched.runqhead/runqtail list (linked through schedlink), count it.

            == ch03 globrunqget docs/en/03-global-runq.md#globrunqget gmp/runtime/Proc.java
            empty -> null. n = runqsize / gomaxprocs + 1, then at most runqsize,
            at most RUNQ_SIZE / 2.
            """;

    private static String results(String... tests) {
        return "{\n  \"version\": 3,\n  \"status\": \"fail\",\n  \"message\": null,\n  \"tests\": [\n"
                + String.join(",\n", tests) + "\n  ]\n}\n";
    }

    private static String test(String id, String status, String message, String doc) {
        return "    {\"name\": \"a test\", \"test_code\": \"" + id + "\", \"chapter\": \"ch03\", \"given\": false,"
                + " \"status\": \"" + status + "\", \"message\": " + (message == null ? "null" : "\"" + message + "\"")
                + ", \"hint\": {\"doc\": \"" + doc + "\", \"go\": \"globrunqget (proc.go)\"}}";
    }

    @Test
    @DisplayName("a stub's message names the method: its TODO is shown in full, with the section to read")
    void stubNamesTheMethod() {
        String json = results(test("T#a", "error",
                "TODO(ch03): globrunqget is not written yet. Read docs/en/03-global-runq.md#globrunqget",
                "docs/en/03-global-runq.md#fairness"));

        assertThat(MoreHint.more("  test  T#a", json, HINTS, Path.of("h"))).isEqualTo("""

                The full TODO of globrunqget (ch03, gmp/runtime/Proc.java):
                    empty -> null. n = runqsize / gomaxprocs + 1, then at most runqsize,
                    at most RUNQ_SIZE / 2.
                    Read docs/en/03-global-runq.md#globrunqget
                """);
    }

    @Test
    @DisplayName("a failed assertion points at its hint's section; the test is the one hint.txt names")
    void assertionPointsAtItsHint() {
        String json = results(test("T#first", "fail", "expected 1", "docs/en/03-global-runq.md#globrunqget"),
                test("T#named", "fail", "expected: 3 but was: 2", "docs/en/03-global-runq.md#globrunqput"));

        assertThat(MoreHint.more("  test  T#named\n", json, HINTS, Path.of("h")))
                .contains("The full TODO of globrunqput").doesNotContain("globrunqget");
    }

    @Test
    @DisplayName("nothing to add when every test passes, and a plain word when the test points at no TODO")
    void nothingOrAPlainWord() {
        assertThat(MoreHint.more("All done", results(test("T#a", "pass", null, "docs/en/03-global-runq.md#x")),
                HINTS, Path.of("h"))).isEmpty();
        assertThat(MoreHint.more("T#a", results(test("T#a", "fail", "no", "docs/en/01-bootstrap.md#x")),
                HINTS, Path.of("h"))).startsWith("more: T#a points at no TODO still to do");
    }
}
