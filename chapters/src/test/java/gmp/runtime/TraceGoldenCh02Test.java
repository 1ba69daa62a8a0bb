package gmp.runtime;

import static gmp.runtime.TraceGolden.DOC;
import static gmp.runtime.TraceGolden.golden;
import static gmp.runtime.TraceGolden.traced;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.util.List;

import gmp.runtime.trace.Event;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import gmp.workbook.Hint;

/**
 * The execution trace of small programs on one P, event by event (golden sequences).
 *
 * <p>The tracer is given code (Trace, called from casgstatus, acquirep, releasep, procresize and
 * Preempt.request): the learner writes none of it. The events, though, come from the learner's
 * code: a GoCreate exists only if newproc1 moves the new G _Gdead -> _Grunnable, a GoStop
 * "preempted" only if a safepoint reaches gopreempt_m. So the tests are one class per chapter (this one: the go statement), tagged with the chapter
 * whose code produces its events; each fails on that chapter's stub like the chapter's own tests;
 * once the chapter is written, a wrong trace here means a status change the chapter's tests did
 * not see (docs/en/trace.md#golden).
 */
@Tag("ch02")
@DisplayName("The execution trace: golden event sequences on one P (the go statement)")
@Hint(doc = DOC + "#golden", go = "traceGoCreate, traceGoStart, traceGoPark, traceGoUnpark (traceruntime.go)")
class TraceGoldenCh02Test {
    @Test
    @DisplayName("a go statement: GoCreate by its creator, then GoStart and GoDestroy of each G, all on P0 and M0")
    @Hint(doc = DOC + "#golden", go = "newproc1 (traceGoCreate), execute (traceGoStart), goexit0 (traceGoDestroy)")
    void goStatement() {
        try (Stepper s = traced()) {
            s.go(() -> Go.go(() -> { }));
            catchThrowable(() -> s.runUntilIdle(5));
            assertThat(golden(s.proc)).as("a go statement is a GoCreate (newproc1's _Gdead -> _Grunnable), each run a"
                    + " GoStart (execute's _Grunnable -> _Grunning) and each exit a GoDestroy (goexit0's _Grunning ->"
                    + " _Gdead); the new G runs after its creator exits, from runnext. Read %s#golden", DOC)
                    .containsExactly("ProcsChange", "ProcStart", "GoCreate G1", "GoStart G1", "GoCreate G2 by G1",
                            "GoDestroy G1", "GoStart G2", "GoDestroy G2");
            List<Event> events = s.proc.trace.events();
            assertThat(events.subList(1, events.size())).as("with one P every event after ProcsChange is P0's, recorded"
                    + " by M0 (the test thread). Read %s#buffers", DOC)
                    .allSatisfy(e -> assertThat(e.p() + "/" + e.m()).isEqualTo("0/0"));
            assertThat(events).as("timestamps strictly increase within a P's buffer. Read %s#buffers", DOC)
                    .isSortedAccordingTo((a, b) -> Long.compare(a.ts(), b.ts()));
        }
    }
}
