package gmp.runtime;

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
import gmp.runtime.trace.EventKind;
import gmp.workbook.Hint;

/**
 * The execution trace of small programs on one P, event by event (golden sequences).
 *
 * <p>The tracer is given code (Trace, called from casgstatus, acquirep, releasep, procresize and
 * Preempt.request): the learner writes none of it. The events, though, come from the learner's
 * code: a GoCreate exists only if newproc1 moves the new G _Gdead -> _Grunnable, a GoStop
 * "preempted" only if a safepoint reaches gopreempt_m. So each test is tagged with the chapter
 * whose code produces its events, and fails on that chapter's stub like the chapter's own tests;
 * once the chapter is written, a wrong trace here means a status change the chapter's tests did
 * not see (docs/en/trace.md#golden).
 */
@DisplayName("The execution trace: golden event sequences on one P")
@Hint(doc = TraceGoldenTest.DOC + "#golden", go = "traceGoCreate, traceGoStart, traceGoPark, traceGoUnpark (traceruntime.go)")
class TraceGoldenTest {
    static final String DOC = "docs/en/trace.md";

    private final List<G> requested = new ArrayList<>();

    /** Requests raise a JVM-wide poll word: drop any a failing test left, so no later test pays for it. */
    @AfterEach
    void dropRequests() {
        requested.forEach(Preempt::clear);
    }

    private static Stepper traced() {
        return Stepper.boot(GoRuntime.builder().gomaxprocs(1).env(Map.of()).recordTrace().build());
    }

    /** The events in the compact form the golden lists use: kind, G, who caused it, reason. */
    private static List<String> golden(Proc proc) {
        List<String> out = new ArrayList<>();
        for (Event e : proc.trace.events()) {
            StringBuilder b = new StringBuilder(e.kind().name());
            if (e.g() != 0) {
                b.append(" G").append(e.g());
            }
            if ((e.kind() == EventKind.GoCreate || e.kind() == EventKind.GoUnblock) && e.arg() != 0) {
                b.append(" by G").append(e.arg());
            }
            if (!e.reason().isEmpty()) {
                b.append(" \"").append(e.reason()).append('"');
            }
            out.add(b.toString());
        }
        return out;
    }

    @Test
    @Tag("ch02")
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

    @Test
    @Tag("ch05")
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
    @Tag("ch05")
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

    @Test
    @Tag("ch06")
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
    @Tag("ch06")
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
