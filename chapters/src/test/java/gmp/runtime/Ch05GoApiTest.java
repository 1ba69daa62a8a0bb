package gmp.runtime;

import static gmp.runtime.Fixtures.runtime;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import gmp.workbook.Harness;
import gmp.workbook.Hint;

/**
 * Chapter 05: package runtime's Goexit and NumGoroutine, as a Go program uses them, with ports of
 * Go's own tests (crash_test.go TestGoexitDeadlock, proc_test.go TestNumGoroutine). Both are given
 * code in the facade {@link Go}; what they show works only once parking and checkdead do.
 */
@Tag("ch05")
@DisplayName("Chapter 05: Goexit and NumGoroutine")
@Hint(doc = Ch05GoApiTest.DOC + "#goexit", go = "runtime.Goexit, runtime.NumGoroutine (panic.go, debug.go)")
class Ch05GoApiTest {
    static final String DOC = "docs/en/05-parking.md";
    private static final Duration LIMIT = Duration.ofSeconds(10);

    @Order(1)
    @Test
    @DisplayName("Goexit ends only its goroutine, after its finally blocks (Go's deferred calls); main goes on")
    void goexitEndsOnlyItsGoroutine() {
        List<String> seen = new ArrayList<>();
        Harness.run(runtime(1), LIMIT, "a goroutine that left through Goexit never closed its channel", () -> {
            Chan<Object> done = Chan.make();
            Go.go(() -> {
                try {
                    seen.add("before");
                    Go.goexit();
                    seen.add("after Goexit: must not run");
                } finally {
                    seen.add("finally");
                    done.close();
                }
            });
            done.recv();
            seen.add("main goes on");
        });
        assertThat(seen).as("Goexit unwinds the goroutine through its finally blocks and ends it, and only it."
                + " Read %s#goexit (Go: runtime.Goexit)", DOC).containsExactly("before", "finally", "main goes on");
    }

    @Order(2)
    @ParameterizedTest(name = "GOMAXPROCS {0}")
    @ValueSource(ints = {1, 2})
    @DisplayName("Go's TestGoexitDeadlock: main calls Goexit, the others finish: \"no goroutines (main called runtime.Goexit) - deadlock!\"")
    @Hint(doc = DOC + "#checkdead", go = "TestGoexitDeadlock (crash_test.go); checkdead (proc.go)")
    void goexitDeadlock(int procs) {
        Throwable t = catchThrowable(() -> Harness.run(runtime(procs), LIMIT,
                "main called Goexit and every other goroutine ended, but checkdead said nothing", () -> {
                    Runnable f = () -> {
                        for (int i = 0; i < 10; i++) {
                            Thread.onSpinWait();
                        }
                    };
                    Go.go(f);
                    Go.go(f);
                    Go.goexit();
                }));
        assertThat(t).as("with main gone through Goexit and no goroutine left, the program must die with Go's words."
                + " Read %s#checkdead (Go: checkdead)", DOC).isInstanceOf(ProgramCrash.class)
                .hasMessageContaining("fatal error: no goroutines (main called runtime.Goexit) - deadlock!");
    }

    @Order(3)
    @Test
    @DisplayName("Go's TestNumGoroutine: main alone counts 1; parked goroutines count; the count agrees with the goroutine dump")
    @Hint(doc = DOC + "#goexit", go = "TestNumGoroutine (proc_test.go); gcount (proc.go)")
    void numGoroutine() {
        GoRuntime rt = runtime(1);
        List<String> seen = new ArrayList<>();
        Harness.run(rt, LIMIT, "goroutines parked on a channel were never woken by close", () -> {
            seen.add("alone=" + Go.numGoroutine());
            Chan<Object> c = Chan.make();
            for (int i = 0; i < 10; i++) {
                Go.go(c::recv);
            }
            Go.gosched(); // the ten run and park (or, if the fairness tick picks main first, are still runnable)
            int n = Go.numGoroutine();
            long inDump = rt.goroutineDump().lines().filter(l -> l.startsWith("goroutine ")).count();
            seen.add("parked=" + n + ", dump=" + inDump);
            c.close();
            for (int i = 0; i < 100 && Go.numGoroutine() > 1; i++) {
                Go.gosched(); // let the ten wake and end
            }
            seen.add("after=" + Go.numGoroutine());
        });
        assertThat(seen).as("NumGoroutine counts every goroutine that exists (not dead), main included, as Go's"
                + " gcount does, and agrees with the goroutine dump. Read %s#goexit", DOC)
                .containsExactly("alone=1", "parked=11, dump=11", "after=1");
    }
}
