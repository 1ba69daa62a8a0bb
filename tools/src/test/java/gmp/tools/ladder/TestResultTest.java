package gmp.tools.ladder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Reading the results table the workbook's test run writes")
class TestResultTest {

    @Test
    @DisplayName("reads each test's chapter, status, id, message and given mark, skipping the header")
    void readsLines() {
        List<TestResult> results = TestResult.parse(List.of(
                "#chapter\tstatus\ttestId\tdisplayName\tmessage\tgiven",
                "ch02\tfailed\tgmp.runtime.RunqTest#fifo[1]\tFIFO order\texpected 1 but was 2\t",
                "ch01\tpassed\tgmp.runtime.BootTest#mainRuns\tmain runs\t\tgiven",
                "\tpassed\tgmp.runtime.UntaggedTest#x\tx"));

        assertThat(results).containsExactly(
                new TestResult(2, TestResult.Status.FAILED, "gmp.runtime.RunqTest#fifo[1]", "FIFO order",
                        "expected 1 but was 2", false),
                new TestResult(1, TestResult.Status.PASSED, "gmp.runtime.BootTest#mainRuns", "main runs", "", true),
                new TestResult(0, TestResult.Status.PASSED, "gmp.runtime.UntaggedTest#x", "x", "", false));
        assertThat(results.get(0).failing()).isTrue();
    }

    @Test
    @DisplayName("refuses a line it cannot read, naming the line")
    void refusesMalformedLines() {
        assertThatThrownBy(() -> TestResult.parse(List.of("#header", "ch01\tgreen\tA#b\tb\t")))
                .hasMessageStartingWith("results.tsv:2:");
    }
}
