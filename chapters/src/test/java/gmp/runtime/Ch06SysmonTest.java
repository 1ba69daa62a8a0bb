package gmp.runtime;

import static gmp.runtime.Workbench.run;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import gmp.workbook.Hint;

/**
 * Chapter 06: sysmon's rules, one cycle at a time. sysmon runs without a P; every few microseconds
 * to 10 ms it looks at every P, and a P whose schedtick has not moved for 10 ms has run one slice
 * too long: preemptone asks its goroutine to stop at the next safepoint. When every P is idle,
 * sysmon sleeps until the next timer instead of looking.
 *
 * <p>Nothing here runs a thread: the Ps, Ms and Gs are set up by hand on a Proc that is never
 * started (the {@link Workbench}), and each test calls retake, sysmonDelay or sysmonSleep with the time it wants sysmon to
 * see. So each rule is checked at its exact boundary (10 ms, not 9.999 ms), with no real waiting.
 */
@Tag("ch06")
@DisplayName("Chapter 06: sysmon's delay, deep sleep and retake, one cycle at a time")
@Hint(doc = Ch06SysmonTest.DOC + "#retake", go = "sysmon, retake, preemptone (proc.go)")
class Ch06SysmonTest {
    static final String DOC = "docs/en/06-preemption.md";
    private static final long MS = 1_000_000L;

    @RegisterExtension
    final Workbench bench = new Workbench();

    // ---------------------------------------------------------------------------------------------
    // The delay rule

    @Order(1)
    @Test
    @DisplayName("the delay between cycles: 20 us for the first 50 idle cycles, then doubling, capped at 10 ms")
    @Hint(doc = DOC + "#delay", go = "sysmon: delay = 20; if idle > 50 { delay *= 2 }; if delay > 10*1000 { ... }")
    void delayRule() {
        List<Long> delays = new ArrayList<>();
        long delay = 0;
        for (long idle = 0; idle <= 62; idle++) {
            delay = Sysmon.sysmonDelay(idle, delay);
            delays.add(delay);
        }
        List<Long> expected = new ArrayList<>();
        for (int i = 0; i <= 50; i++) {
            expected.add(20L);
        }
        expected.addAll(List.of(40L, 80L, 160L, 320L, 640L, 1280L, 2560L, 5120L, 10_000L, 10_000L, 10_000L, 10_000L));
        assertThat(delays).as("sysmon sleeps 20 us while it is busy, keeps 20 us for the first 50 idle cycles"
                + " (1 ms), then doubles the delay each idle cycle up to 10 ms, so an idle runtime costs"
                + " little and a busy one is watched closely. Read %s#delay (Go: sysmon)", DOC)
                .containsExactlyElementsOf(expected);
    }

    @Order(2)
    @Test
    @DisplayName("a cycle that took a P (idle back to 0) starts over at 20 us, however long the delay had grown")
    @Hint(doc = DOC + "#delay", go = "sysmon: if idle == 0 { delay = 20 }")
    void delayStartsOverWhenBusy() {
        assertThat(Sysmon.sysmonDelay(0, 10_000)).as("idle == 0 means the last cycle found work (it took a P):"
                + " sysmon goes back to 20 us at once. Read %s#delay (Go: sysmon)", DOC).isEqualTo(20);
        assertThat(Sysmon.sysmonDelay(51, 10_000)).as("a delay at the 10 ms cap stays there. Read %s#delay", DOC)
                .isEqualTo(10_000);
        assertThat(Sysmon.sysmonDelay(30, 20)).as("idle but not yet 50 cycles: the delay stays. Read %s#delay", DOC)
                .isEqualTo(20);
    }

    // ---------------------------------------------------------------------------------------------
    // Deep sleep

    @Order(3)
    @Test
    @DisplayName("with every P idle, sysmon sleeps until the next timer, at most 60 s; a due timer means no sleep")
    @Hint(doc = DOC + "#deep-sleep", go = "sysmon: if debug.schedtrace <= 0 && sched.npidle == gomaxprocs { ... notetsleep(&sched.sysmonnote, sleep) }")
    void deepSleepUntilTheNextTimer() {
        Sysmon sm = bench.sysmon(2);
        long now = 1_000 * MS;
        assertThat(sm.sysmonSleep(now, 0)).as("every P idle and no timer: nothing can run too long, so sysmon"
                + " sleeps for the longest deep sleep, forcegcperiod/2 = 60 s. Read %s#deep-sleep (Go: sysmon)", DOC)
                .isEqualTo(Sysmon.MAX_DEEP_SLEEP_NS);
        assertThat(sm.sysmonSleep(now, now + 5 * MS)).as("the next timer, due in 5 ms, is when a P may be busy"
                + " again: sysmon sleeps exactly until then. Read %s#deep-sleep", DOC).isEqualTo(5 * MS);
        assertThat(sm.sysmonSleep(now, now + 120_000 * MS)).as("a timer two minutes away: still at most 60 s."
                + " Read %s#deep-sleep", DOC).isEqualTo(Sysmon.MAX_DEEP_SLEEP_NS);
        assertThat(sm.sysmonSleep(now, now)).as("a timer that is due now will make a P busy at once: no deep"
                + " sleep (Go: if next > now). Read %s#deep-sleep", DOC).isZero();
    }

    @Order(4)
    @Test
    @DisplayName("sysmon keeps watching while any P is busy, and always when schedtrace is on; it sleeps when all are idle")
    @Hint(doc = DOC + "#deep-sleep", go = "sysmon: debug.schedtrace <= 0 && (sched.gcwaiting || sched.npidle == gomaxprocs)")
    void noDeepSleepWhileBusyOrTracing() {
        Sysmon sm = bench.sysmon(2);
        assertThat(sm.sysmonSleep(0, 0)).as("both Ps idle, no timer, no trace: sysmon may sleep deeply."
                + " Read %s#deep-sleep (Go: sysmon)", DOC).isPositive();
        run(sm.proc, sm.proc.allp[1], 7, 1);
        assertThat(sm.sysmonSleep(0, 0)).as("P1 is running: its goroutine may hog it, so sysmon must not sleep."
                + " Read %s#deep-sleep (Go: sched.npidle == gomaxprocs)", DOC).isZero();
        Sysmon traced = bench.sysmon(2, Map.of("GODEBUG", "schedtrace=1000"));
        assertThat(traced.sysmonSleep(0, 0)).as("with GODEBUG=schedtrace sysmon prints a line every period even"
                + " when every P is idle: no deep sleep. Read %s#deep-sleep (Go: debug.schedtrace <= 0)", DOC).isZero();
    }

    // ---------------------------------------------------------------------------------------------
    // retake

    @Order(5)
    @Test
    @DisplayName("retake: a P whose schedtick has not moved for 10 ms gets preemptone, not a nanosecond sooner")
    @Hint(doc = DOC + "#retake", go = "retake: if pd.schedwhen+forcePreemptNS <= now { preemptone(pp) }")
    void preemptsAfterAWholeSlice() {
        Sysmon sm = bench.sysmon(2);
        G gp = run(sm.proc, sm.proc.allp[0], 5, 1);
        sm.retake(0);
        assertThat(gp.preempt).as("at its first look sysmon only records the P's schedtick and the time; the"
                + " slice has just begun. Read %s#retake (Go: retake)", DOC).isFalse();
        sm.retake(10 * MS - 1);
        assertThat(gp.preempt).as("9.999999 ms into the slice is not yet 10 ms (forcePreemptNS): a goroutine"
                + " must not be preempted before its slice is used up. Read %s#retake (Go: retake)", DOC).isFalse();
        sm.retake(10 * MS);
        assertThat(gp.preempt).as("schedtick has not moved for 10 ms: the G has used its slice, and retake must"
                + " preemptone its P (gp.preempt = true). Read %s#retake (Go: retake, preemptone)", DOC).isTrue();
        assertThat(Safepoint.pending()).as("preemptone must also raise the safepoint poll word, the Java form of"
                + " stackguard0 = stackPreempt, or no poll takes its slow path. Read %s#preemptone", DOC).isTrue();
    }

    @Order(6)
    @Test
    @DisplayName("retake: a moved schedtick is a new slice, timed from the cycle that saw it move")
    @Hint(doc = DOC + "#retake", go = "retake: if pd.schedtick != t { pd.schedtick = t; pd.schedwhen = now }")
    void aMovedSchedtickStartsANewSlice() {
        Sysmon sm = bench.sysmon(1);
        P pp = sm.proc.allp[0];
        G gp = run(sm.proc, pp, 5, 1);
        sm.retake(0);
        pp.schedtick = 2; // a new slice began
        sm.retake(5 * MS);
        assertThat(pp.sysmontick.schedtick).as("retake must record the schedtick it saw (pd.schedtick = t)."
                + " Read %s#retake (Go: retake)", DOC).isEqualTo(2);
        assertThat(pp.sysmontick.schedwhen).as("retake must record when it saw the tick move (pd.schedwhen ="
                + " now). Read %s#retake (Go: retake)", DOC).isEqualTo(5 * MS);
        sm.retake(14 * MS);
        assertThat(gp.preempt).as("the slice that began at 5 ms is only 9 ms old at 14 ms: timing it from the"
                + " first look (0 ms) preempts a goroutine that has not used its slice. Read %s#retake", DOC)
                .isFalse();
        sm.retake(15 * MS);
        assertThat(gp.preempt).as("10 ms after sysmon saw the tick move, the slice is used up: preemptone."
                + " Read %s#retake (Go: retake)", DOC).isTrue();
    }

    @Order(7)
    @Test
    @DisplayName("retake: a P that starts a new slice every millisecond is never preempted, until its slices stop")
    @Hint(doc = DOC + "#retake", go = "retake: preemption only when pd.schedtick == pp.schedtick for forcePreemptNS")
    void aBusySchedulerIsNeverPreempted() {
        Sysmon sm = bench.sysmon(1);
        P pp = sm.proc.allp[0];
        G gp = run(sm.proc, pp, 5, 1);
        for (long t = 0; t <= 100; t++) {
            pp.schedtick = 1 + t;
            sm.retake(t * MS);
        }
        assertThat(gp.preempt).as("every look saw a new schedtick (a new slice each millisecond): no slice ever"
                + " reached 10 ms, so retake must preempt nobody. Read %s#retake (Go: retake)", DOC).isFalse();
        sm.retake(110 * MS);
        assertThat(gp.preempt).as("the last slice began at 100 ms and nothing moved since: at 110 ms it is used"
                + " up. Read %s#retake (Go: retake)", DOC).isTrue();
    }

    @Order(8)
    @Test
    @DisplayName("retake: goroutines that inherit one slice through runnext are preempted as one unit")
    @Hint(doc = DOC + "#inherited", go = "execute(gp, inheritTime=true) leaves schedtick alone; retake sees one slice")
    void anInheritedSliceIsPreemptedAsAUnit() {
        Sysmon sm = bench.sysmon(1);
        P pp = sm.proc.allp[0];
        G a = run(sm.proc, pp, 5, 1);
        sm.retake(0);
        // A readies B into runnext and parks; B inherits A's slice: curg changes, schedtick does not.
        G b = sm.proc.malg();
        b.goid = 6;
        b.setStatus(G._Grunning);
        a.m = null;
        a.setStatus(G._Gwaiting);
        pp.m.curg = b;
        b.m = pp.m;
        sm.retake(6 * MS);
        sm.retake(10 * MS);
        assertThat(b.preempt).as("B runs in the slice A began at 0 ms (it inherited it from runnext, so schedtick"
                + " did not move): at 10 ms the chain has used one slice and its current G, B, must be preempted."
                + " Timing each G of the chain on its own would let a ping-pong pair keep the P forever."
                + " Read %s#inherited (Go: retake)", DOC).isTrue();
        assertThat(a.preempt).as("the request goes to the G running now (mp.curg), not to A, which has parked."
                + " Read %s#preemptone (Go: preemptone)", DOC).isFalse();
    }

    @Order(9)
    @Test
    @DisplayName("retake leaves idle Ps alone, and a P seen for the first time starts its slice then")
    @Hint(doc = DOC + "#retake", go = "retake: only _Prunning and _Psyscall Ps")
    void idleAndNewlySeenPs() {
        Sysmon sm = bench.sysmon(2);
        P busy = sm.proc.allp[0];
        G gp = run(sm.proc, busy, 5, 3);
        sm.retake(100 * MS);
        assertThat(gp.preempt).as("at 100 ms sysmon sees P0 for the first time, at schedtick 3: it does not know"
                + " when that slice began, so it starts timing it now, instead of preempting at once."
                + " Read %s#retake (Go: retake)", DOC).isFalse();
        P idle = sm.proc.allp[1];
        sm.retake(200 * MS);
        assertThat(idle.sysmontick.schedwhen).as("an idle P runs no goroutine: retake must skip it, without"
                + " recording anything. Read %s#retake (Go: retake)", DOC).isZero();
        assertThat(gp.preempt).as("P0's slice, timed from 100 ms, is used up at 200 ms. Read %s#retake", DOC).isTrue();
    }

    // ---------------------------------------------------------------------------------------------
    // preemptone

    @Order(10)
    @Test
    @DisplayName("preemptone asks the P's current goroutine to stop, and nobody when the P runs none")
    @Hint(doc = DOC + "#preemptone", go = "preemptone (proc.go)")
    void preemptoneAsksTheCurrentG() {
        Sysmon sm = bench.sysmon(3);
        P pp = sm.proc.allp[0];
        G gp = run(sm.proc, pp, 5, 1);
        assertThat(Preempt.preemptone(pp)).as("P0's M runs G5: preemptone must ask it and return true."
                + " Read %s#preemptone (Go: preemptone)", DOC).isTrue();
        assertThat(gp.preempt).as("preemptone must set the G's request (Go: gp.preempt = true). Read %s#preemptone",
                DOC).isTrue();
        assertThat(Safepoint.pending()).as("and raise the poll word (Go: gp.stackguard0 = stackPreempt), through"
                + " Preempt.request. Read %s#preemptone", DOC).isTrue();
        assertThat(Preempt.preemptone(sm.proc.allp[1])).as("an idle P has no M: nobody to preempt, return false."
                + " Read %s#preemptone", DOC).isFalse();
        P onG0 = sm.proc.allp[2];
        run(sm.proc, onG0, 9, 1);
        onG0.m.curg = null; // its M is in the scheduler, between goroutines
        assertThat(Preempt.preemptone(onG0)).as("an M on g0 runs no goroutine: return false. Read %s#preemptone",
                DOC).isFalse();
    }
}
