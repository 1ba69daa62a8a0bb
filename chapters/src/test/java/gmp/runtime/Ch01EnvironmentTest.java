package gmp.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

import gmp.workbook.Harness;
import gmp.workbook.Hint;

/**
 * Chapter 01: what the runtime takes from the world around it, exactly as Go takes it. GOMAXPROCS
 * is read with Go's own parser (a '+' sign or a non-ASCII digit is not a number to Go), the limit on
 * Ps is one rule checked once, at build(), and the caller's thread gets back from run() the interrupt
 * flag it had, whatever a goroutine did to the flag meanwhile.
 */
@Tag("ch01")
@DisplayName("Chapter 01: the environment, as Go reads it")
@Hint(doc = Ch01EnvironmentTest.DOC + "#gomaxprocs", go = "schedinit, atoi32 (proc.go, string.go)")
class Ch01EnvironmentTest {
    static final String DOC = "docs/en/01-bootstrap.md";

    @Order(1)
    @ParameterizedTest(name = "GOMAXPROCS=''{0}'' with 4 CPUs -> {1} Ps")
    @CsvSource({
            "3,           3",
            "007,         7",
            "+3,          4",
            "' 3',        4",
            "'3 ',        4",
            "'\u0663',    4",
            "-0,          4",
            "2147483648,  4",
            "99999999999, 4",
    })
    @DisplayName("GOMAXPROCS is read as Go's atoi32 reads it: ASCII digits only; '+3', spaces, other digits, overflow are ignored")
    void gomaxprocsAsGoParsesIt(String envValue, int expected) {
        assertThat(Proc.gomaxprocs(null, Map.of("GOMAXPROCS", envValue), 4))
                .as("Go 1.23's schedinit uses GOMAXPROCS only when atoi32 reads a number > 0 from it, and atoi32"
                        + " takes ASCII digits and a leading '-' only (Java's parseInt also takes '+' and other"
                        + " scripts' digits). Read %s#gomaxprocs (Go: schedinit, atoi32)", DOC)
                .isEqualTo(expected);
    }

    @Order(2)
    @Test
    @DisplayName("the limit on Ps is one rule at build(): 1024 from the environment runs, 1025 is refused there, as gomaxprocs(1025) is")
    void gomaxprocsLimitAtBuild() {
        GoRuntime rt = GoRuntime.builder().env(Map.of("GOMAXPROCS", "1024")).ncpu(1).build();
        int[] seen = new int[1];
        Harness.run(rt, () -> seen[0] = rt.proc().allp.length);
        assertThat(seen[0]).as("GOMAXPROCS=1024, this runtime's limit, must make 1024 Ps. Read %s#gomaxprocs", DOC)
                .isEqualTo(1024);
        assertThatThrownBy(() -> GoRuntime.builder().env(Map.of("GOMAXPROCS", "1025")).build())
                .as("a GOMAXPROCS past the limit must be refused by build(), naming the variable, not fail later"
                        + " inside run(). Read %s#gomaxprocs", DOC)
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("GOMAXPROCS=1025");
        assertThatThrownBy(() -> GoRuntime.builder().gomaxprocs(1025).build())
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Order(3)
    @Test
    @DisplayName("an interrupt flag a goroutine sets does not reach the thread that called run(); the caller's own flag survives run()")
    @Hint(doc = DOC + "#interrupts", go = "(Java only: Go has no thread interrupts) findRunnable, rt0go")
    void interruptFlagStaysWithTheProgram() {
        Harness.run(Fixtures.runtime(1), () -> Thread.currentThread().interrupt());
        assertThat(Thread.interrupted()).as("main set its thread's interrupt flag; after run() the caller's thread"
                + " must not have it: the flag lasts for the goroutine's time slice only. Read %s#interrupts", DOC).isFalse();

        Thread.currentThread().interrupt();
        boolean[] inMain = new boolean[1];
        try {
            Fixtures.runtime(1).run(() -> inMain[0] = Thread.currentThread().isInterrupted());
        } finally {
            assertThat(Thread.interrupted()).as("the caller's own interrupt flag, set before run(), must be set"
                    + " again when run() returns. Read %s#interrupts", DOC).isTrue();
        }
        assertThat(inMain[0]).as("main must not see the caller's interrupt flag: it is not the goroutine's").isFalse();
    }
}
