package gmp.runtime;

import static gmp.runtime.TraceGolden.DOC;
import static gmp.runtime.TraceGolden.golden;
import static gmp.runtime.TraceGolden.traced;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import gmp.runtime.trace.Event;
import gmp.workbook.Hint;

/**
 * The execution trace of small programs on one P, event by event (golden sequences).
 *
 * <p>The tracer is given code (Trace, called from casgstatus, acquirep, releasep, procresize and
 * Preempt.request): the learner writes none of it. The events, though, come from the learner's
 * code: a GoCreate exists only if newproc1 moves the new G _Gdead -> _Grunnable, a GoStop
 * "preempted" only if a safepoint reaches gopreempt_m. So the tests are one class per chapter (this one: preemption), tagged with the chapter
 * whose code produces its events; each fails on that chapter's stub like the chapter's own tests;
 * once the chapter is written, a wrong trace here means a status change the chapter's tests did
 * not see (docs/en/trace.md#golden).
 */
@Tag("ch06")
@DisplayName("The execution trace: golden event sequences on one P (preemption)")
@Hint(doc = DOC + "#golden", go = "traceGoCreate, traceGoStart, traceGoPark, traceGoUnpark (traceruntime.go)")
class TraceGoldenCh06Test {
    private final List<G> requested = new ArrayList<>();

    /** Requests raise a JVM-wide poll word: drop any a failing test left, so no later test pays for it. */
    @AfterEach
    void dropRequests() {
        requested.forEach(Preempt::clear);
    }

    @Test
    @DisplayName("a preemption at a safepoint: PreemptRequest, then GoStop \"preempted\", and the G resumes")
    @Hint(doc = DOC + "#golden", go = "preemptone, newstack -> gopreempt_m (traceGoPreempt -> GoStop \"preempted\")")
    void preemptionAtASafepoint() {
        try (Stepper s = traced()) {
            s.p0().schedtick = 1;
            s.go(() -> {
                G gp = Proc.getg();
                requested.add(gp);
                Preempt.request(gp);
                Safepoint.poll();
            });
            catchThrowable(() -> s.runUntilIdle(5));
            assertThat(golden(s.proc)).as("the request is recorded where it is made; the safepoint switches to g0,"
                    + " whose gopreempt_m stops the G with reason \"preempted\" (a Gosched marked preempted), and the G"
                    + " runs again from the global queue. Read %s#golden", DOC)
                    .containsExactly("ProcsChange", "ProcStart", "GoCreate G1", "GoStart G1", "PreemptRequest G1",
                            "GoStop G1 \"preempted\"", "GoStart G1", "GoDestroy G1");
        }
    }

    @Test
    @DisplayName("sysmon's retake, on an injected clock: the preempt request is recorded in sysmon's own buffer")
    @Hint(doc = DOC + "#buffers", go = "retake -> preemptone (proc.go); sysmon runs without a P")
    void sysmonRequestsInItsOwnBuffer() {
        Proc proc = GoRuntime.builder().gomaxprocs(1).env(Map.of()).recordTrace().build().proc();
        proc.gomaxprocs = 1;
        P pp = new P(0);
        proc.allp = new P[] {pp};
        M mp = new M(proc, 100);
        G gp = proc.malg();
        gp.goid = 7;
        gp.setStatus(G._Grunning);
        mp.p = pp;
        mp.curg = gp;
        gp.m = mp;
        pp.m = mp;
        pp.status = P._Prunning;
        pp.schedtick = 3;
        requested.add(gp);
        Sysmon sm = new Sysmon(proc);
        long ms = 1_000_000L;
        sm.retake(1_000 * ms);
        sm.retake(1_010 * ms);
        List<Event> events = proc.trace.events();
        assertThat(events).as("after a whole 10 ms slice without a new schedtick, retake's preemptone must request a"
                + " preemption, and the trace records it once. Read docs/en/06-preemption.md#retake").hasSize(1);
        Event e = events.getFirst();
        assertThat(e.kind() + " G" + e.g() + " on P" + e.arg() + " by " + (e.m() < 0 ? "sysmon" : "M" + e.m()))
                .as("sysmon has no M and no P: its events go to a buffer of its own, and the event names the P"
                        + " whose G it asked to stop. Read %s#buffers", DOC)
                .isEqualTo("PreemptRequest G7 on P0 by sysmon");
    }
}
