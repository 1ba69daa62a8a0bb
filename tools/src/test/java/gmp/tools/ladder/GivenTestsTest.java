package gmp.tools.ladder;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Reading a chapter doc's given tests")
class GivenTestsTest {
    private static final String DOC = """
            # 02 The local run queue

            `RunqTest#notListed` is mentioned before the section.

            ## Exercises
            ### Given tests
            These pass before you write anything:
            - `RunqTest#capacity` checks the ring's size;
            - `RunqTest.emptyRing()` and `Outer$Inner#nested`.

            ```
            # not a heading: still inside the section
            ```
            - `RunqTest#afterTheFence`

            #### A subsection is still part of it
            `RunqTest#inSubsection`

            ### Hints
            `RunqTest#afterTheSection`
            """;

    @Test
    @DisplayName("takes the tests named in the Given tests section, and only there")
    void readsTheSection() {
        GivenTests given = GivenTests.fromDoc(DOC);

        assertThat(given.names()).containsExactlyInAnyOrder("RunqTest#capacity", "RunqTest#emptyRing",
                "Outer$Inner#nested", "RunqTest#afterTheFence", "RunqTest#inSubsection");
    }

    @Test
    @DisplayName("matches test ids by simple class name, for parameterized and nested tests too")
    void matchesTestIds() {
        GivenTests given = GivenTests.fromDoc(DOC);

        assertThat(given.contains("gmp.runtime.RunqTest#capacity")).isTrue();
        assertThat(given.contains("gmp.runtime.RunqTest#emptyRing[2]")).isTrue();
        assertThat(given.contains("gmp.runtime.Outer$Inner#nested")).isTrue();
        assertThat(given.contains("gmp.runtime.RunqTest#afterTheSection")).isFalse();
        assertThat(given.contains("gmp.other.OtherTest#capacity")).isFalse();
    }

    @Test
    @DisplayName("a doc without the section gives no given tests")
    void noSection() {
        assertThat(GivenTests.fromDoc("# 01 Bootstrap\n`BootTest#mainRuns`\n").names()).isEmpty();
    }
}
