package gmp.runtime;

import static gmp.runtime.TraceGolden.DOC;
import static gmp.runtime.TraceGolden.golden;
import static gmp.runtime.TraceGolden.traced;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

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
 * "preempted" only if a safepoint reaches gopreempt_m. So the tests are one class per chapter (this one: park, ready and Gosched), tagged with the chapter
 * whose code produces its events; each fails on that chapter's stub like the chapter's own tests;
 * once the chapter is written, a wrong trace here means a status change the chapter's tests did
 * not see (docs/en/trace.md#golden).
 */
@Tag("ch05")
@DisplayName("The execution trace: golden event sequences on one P (park, ready and Gosched)")
@Hint(doc = DOC + "#golden", go = "traceGoCreate, traceGoStart, traceGoPark, traceGoUnpark (traceruntime.go)")
class TraceGoldenCh05Test {
    @Test
    @DisplayName("a park and a ready: GoBlock \"chan receive\", GoUnblock by the sender, and the receiver runs next")
    @Hint(doc = DOC + "#golden", go = "park_m (traceGoPark), ready (traceGoUnpark)")
    void parkAndReady() {
        try (Stepper s = traced()) {
            s.go(() -> {
                Chan<Integer> c = Chan.make();
                Go.go(() -> c.send(1));
                c.recv();
            });
            catchThrowable(() -> s.runUntilIdle(5));
            assertThat(golden(s.proc)).as("the receiver blocks with Go's trace reason \"chan receive\" (park_m's"
                    + " _Grunning -> _Gwaiting), the sender readies it (goready's _Gwaiting -> _Grunnable, a GoUnblock"
                    + " by the sender) into runnext, so it starts as soon as the sender exits. Read %s#golden", DOC)
                    .containsExactly("ProcsChange", "ProcStart", "GoCreate G1", "GoStart G1", "GoCreate G2 by G1",
                            "GoBlock G1 \"chan receive\"", "GoStart G2", "GoUnblock G1 by G2", "GoDestroy G2",
                            "GoStart G1", "GoDestroy G1");
        }
    }

    @Test
    @DisplayName("a Gosched: GoStop \"runtime.Gosched\"; the yielding G runs again after the local queue")
    @Hint(doc = DOC + "#golden", go = "goschedImpl (traceGoSched -> GoStop \"runtime.Gosched\")")
    void gosched() {
        try (Stepper s = traced()) {
            s.p0().schedtick = 1; // keep the 61-tick check from taking the global queue first
            s.go(() -> {
                Go.go(() -> { });
                Go.gosched();
            });
            catchThrowable(() -> s.runUntilIdle(5));
            assertThat(golden(s.proc)).as("Gosched stops the G, still runnable (goschedImpl's _Grunning ->"
                    + " _Grunnable, reason \"runtime.Gosched\"), and puts it on the global queue: the G in runnext runs"
                    + " first, then the yielder resumes. Read %s#golden", DOC)
                    .containsExactly("ProcsChange", "ProcStart", "GoCreate G1", "GoStart G1", "GoCreate G2 by G1",
                            "GoStop G1 \"runtime.Gosched\"", "GoStart G2", "GoDestroy G2", "GoStart G1", "GoDestroy G1");
        }
    }
}
