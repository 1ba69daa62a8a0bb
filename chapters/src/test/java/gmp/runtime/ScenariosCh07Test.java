package gmp.runtime;

import static gmp.runtime.Fixtures.global;
import static gmp.runtime.Scenarios.DOC;
import static gmp.runtime.Scenarios.picture;
import static gmp.runtime.Scenarios.traceOn;
import static gmp.runtime.Scenarios.traced;
import static gmp.runtime.TraceGolden.golden;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import gmp.runtime.trace.Event;
import gmp.runtime.trace.EventKind;
import gmp.workbook.Harness;
import gmp.workbook.Hint;

/**
 * Interview scenarios 10 and 11 on the reference runtime (docs/en/scenarios.md): a goroutine that
 * blocks in a syscall loses its P to another M, and a goroutine coming back from one looks for a P
 * in Go's order (its old P, an idle P, else the global queue while its M parks). Tagged ch07, the
 * chapter of entersyscall, exitsyscall, retake's syscall half and handoffp.
 *
 * <p>Scenario 10 and the last outcome of 11 run real Ms on GOMAXPROCS 1, with sysmon on its own
 * thread: a hand-off starts a thread, and sysmon's two looks are the point. They wait for events,
 * never for a time, and the order they check is the one that holds however late a thread wakes (the
 * P's track up to the hand-off: after it, sysmon may preempt a G that a cold JVM slowed past 10 ms). The first two outcomes of 11 run in explicit steps (Stepper, no
 * sysmon), so that nobody retakes the P unless the test says so: the test takes it by hand, inside
 * the call, as sysmon would, and marks it running as if another M held it (as scenes 8 and 9 do).
 */
@Tag("ch07")
@DisplayName("Interview scenarios 10, 11: a syscall hands its P off; on the way back, the old P, an idle P, or the global queue")
@Hint(doc = DOC, go = "entersyscall, entersyscallblock, retake, handoffp, exitsyscall, exitsyscallfast, exitsyscall0 (proc.go)")
class ScenariosCh07Test {
    private static final Duration LIMIT = Duration.ofSeconds(15);
    private static final long WAIT_S = 10;
    private static final String NO_HANDOFF = "probably no hand-off: the goroutine in the syscall kept the only P, so"
            + " nobody ran the other one. Check entersyscall (_Psyscall), retake's syscall half (two looks) and"
            + " handoffp (startm). Read " + DOC + "#s10";

    /** The events of P pp's track as "Kind Gn Mm", from the first event of kind {@code from}. */
    private static List<String> track(Proc proc, int pp, EventKind from) {
        List<String> out = new ArrayList<>();
        for (Event e : proc.trace.events()) {
            if (e.p() == pp && (!out.isEmpty() || e.kind() == from)) {
                out.add(e.kind() + (e.g() != 0 ? " G" + e.g() : "") + " M" + e.m());
            }
        }
        return out;
    }

    /** How many times sysmon took P pp from a syscall (ProcSteal events in sysmon's buffer). */
    private static long steals(Proc proc, int pp) {
        return proc.trace.events().stream().filter(e -> e.kind() == EventKind.ProcSteal && e.m() < 0 && e.arg() == pp)
                .count();
    }

    /** The call between the brackets: waits, without the runtime, for what the scene needs. */
    private static void await(CountDownLatch latch, String what) {
        try {
            if (!latch.await(WAIT_S, TimeUnit.SECONDS)) {
                throw new AssertionError("waited " + WAIT_S + " s in the syscall for " + what + ". " + NO_HANDOFF);
            }
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    private static boolean idleM(Proc proc, M mp) {
        proc.lockSched();
        try {
            for (M m = proc.sched.midle; m != null; m = m.schedlink) {
                if (m == mp) {
                    return true;
                }
            }
            return false;
        } finally {
            proc.unlockSched();
        }
    }

    private static boolean inGlobal(Proc proc, G gp) {
        proc.lockSched();
        try {
            return global(proc).contains(gp);
        } finally {
            proc.unlockSched();
        }
    }

    /** Spins (holding the P) until cond holds or 10 s have passed; returns cond. */
    private static boolean within(BooleanSupplier cond) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_S);
        while (!cond.getAsBoolean() && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        return cond.getAsBoolean();
    }

    /**
     * Scenario 10 with Go.syscall: main (the telling's G8) makes G5 (its G9), then blocks in a syscall
     * until G5 has run. Returns what it saw.
     */
    private static List<String> blockAfterGo(GoRuntime rt, boolean block) {
        List<String> seen = new CopyOnWriteArrayList<>();
        CountDownLatch g9ran = new CountDownLatch(1);
        Harness.run(rt, LIMIT, NO_HANDOFF, () -> {
            M m = Proc.getg().m;
            P pp = m.p;
            Go.go(() -> {
                M m2 = Proc.getg().m;
                seen.add("G5 on " + (m2 == m ? "the same M" : "another M") + ", P" + m2.p.id);
                g9ran.countDown();
            });
            Runnable call = () -> {
                if (block) {
                    seen.add("in the call: P" + pp.id + (pp.status == P._Psyscall ? " _Psyscall" : " handed off")
                            + ", oldp " + (m.oldp == null ? "none" : "P" + m.oldp.id));
                }
                await(g9ran, "G5 to run on the P this call left");
            };
            if (block) {
                Go.syscallBlock(call);
            } else {
                Go.syscall(call);
            }
        });
        return seen;
    }

    @Test
    @DisplayName("Scenario 10: G1 makes G5 and blocks in a syscall; sysmon retakes the P and hands it to a new M, which runs G5")
    @Hint(doc = DOC + "#s10", go = "entersyscall (P left _Psyscall); retake: second look -> handoffp -> startm(pp, false)")
    void s10SysmonHandsThePOff() {
        GoRuntime rt = traceOn(1);
        List<String> seen = blockAfterGo(rt, false);
        Proc proc = rt.proc();
        assertThat(seen).as("G5 ran while G1 was still in the syscall, on P0 (the only P) but on another M: G1's thread"
                + " is busy in the call. Read %s#s10 (Go: retake, handoffp)", DOC).containsExactly("G5 on another M, P0");
        assertThat(steals(proc, 0)).as("the hand-off was sysmon's: entersyscall leaves the P in _Psyscall, and sysmon,"
                + " seeing the same syscall on two looks with G5 queued, took it (ProcSteal, in sysmon's buffer)."
                + " Read %s#s10 (Go: retake)", DOC).isEqualTo(1);
        assertThat(track(proc, 0, EventKind.GoSyscallBegin)).as("P0's track from the syscall on: G1 enters it on M0"
                + " and does not stop P0 (no ProcStop: the P is only reserved); then the M that handoffp started takes P0"
                + " and runs G5. Read %s#s10 (Go: entersyscall, handoffp, startm)", DOC)
                .startsWith("GoSyscallBegin G1 M0", "ProcStart M1", "GoStart G5 M1");
        picture(proc, "10");
    }

    @Test
    @DisplayName("Scenario 10, as told: Go.syscallBlock (entersyscallblock) hands the P off at the call, with no sysmon")
    @Hint(doc = DOC + "#s10", go = "entersyscallblock: handoffp(releasep())")
    void s10BlockHandsOffAtTheCall() {
        GoRuntime rt = traceOn(1);
        List<String> seen = blockAfterGo(rt, true);
        Proc proc = rt.proc();
        assertThat(seen).as("inside a call known to block, P0 is already given away (not _Psyscall) and there is no old"
                + " P to come back to; G5 runs on P0 on another M. Read %s#s10 (Go: entersyscallblock)", DOC)
                .containsExactlyInAnyOrder("in the call: P0 handed off, oldp none", "G5 on another M, P0");
        assertThat(steals(proc, 0)).as("sysmon had nothing to take: the call handed the P off itself."
                + " Read %s#s10", DOC).isZero();
        assertThat(track(proc, 0, EventKind.GoSyscallBegin)).as("P0's track: G1 enters the syscall and M0 stops P0 at"
                + " once (releasep); handoffp starts an M for it, which runs G5. Read %s#s10 (Go: entersyscallblock)", DOC)
                .startsWith("GoSyscallBegin G1 M0", "ProcStop M0", "ProcStart M1", "GoStart G5 M1");
        picture(proc, "10-block");
    }

    @Test
    @DisplayName("Scenario 11: back from a short syscall, the M takes its old P back (still _Psyscall), even with P1 idle")
    @Hint(doc = DOC + "#s11", go = "exitsyscallfast: oldp.status == _Psyscall && atomic.Cas(&oldp.status, _Psyscall, _Pidle)")
    void s11OldPBack() {
        try (Stepper s = traced(2)) {
            List<String> seen = new ArrayList<>();
            s.go(() -> {
                M m = Proc.getg().m;
                P pp = m.p;
                Go.syscall(() -> seen.add("in the call: P" + pp.id + " " + P.statusName(pp.status) + ", M0 holds "
                        + (m.p == null ? "no P" : "P" + m.p.id) + ", oldp P" + m.oldp.id));
                seen.add("after: " + (Proc.getg().m == m ? "M0" : "another M") + ", P" + Proc.getg().m.p.id
                        + ", syscalltick " + pp.syscalltick);
            });
            s.runUntilIdle(3);
            assertThat(seen).as("in the call the M has no P but remembers P0 (m.oldp), which stays _Psyscall, reserved:"
                    + " the telling's \"unbinds but remembers\". Back, exitsyscallfast CASes it back before it looks at"
                    + " idle P1, and counts the syscall on it. Read %s#s11 (Go: exitsyscallfast)", DOC)
                    .containsExactly("in the call: P0 syscall, M0 holds no P, oldp P0", "after: M0, P0, syscalltick 1");
            assertThat(golden(s.proc)).as("no reschedule: G1 leaves the syscall and runs on, with no GoStop and no"
                    + " GoStart in between. Read %s#s11 (Go: exitsyscall)", DOC)
                    .containsSubsequence("GoSyscallBegin G1", "GoSyscallEnd G1", "GoDestroy G1")
                    .doesNotContain("GoStop G1", "GoSyscallEndBlocked G1");
            picture(s.proc, "11");
        }
    }

    @Test
    @DisplayName("Scenario 11: the old P was taken and runs another M; the M takes idle P1 and G1 runs on, on the same M")
    @Hint(doc = DOC + "#s11", go = "exitsyscallfast: else if sched.pidle != 0 { exitsyscallfast_pidle }")
    void s11AnIdleP() {
        try (Stepper s = traced(2)) {
            List<String> seen = new ArrayList<>();
            s.go(() -> {
                M m = Proc.getg().m;
                P pp = m.p;
                Go.syscall(() -> {
                    // sysmon takes P0 (the CAS exitsyscallfast would make) and another M runs it now.
                    pp.casStatus(P._Psyscall, P._Pidle);
                    pp.status = P._Prunning;
                });
                seen.add("after: " + (Proc.getg().m == m ? "M0" : "another M") + ", P" + Proc.getg().m.p.id);
            });
            s.runUntilIdle(3);
            assertThat(seen).as("P0 is not _Psyscall any more (someone else runs it): exitsyscallfast must leave it and"
                    + " take idle P1; G1 goes on at once on the same M, on P1. Read %s#s11 (Go: exitsyscallfast_pidle)", DOC)
                    .containsExactly("after: M0, P1");
            assertThat(track(s.proc, 1, EventKind.ProcStart)).as("P1's track: M0 takes it, and G1 leaves the syscall"
                    + " there: its P was lost (GoSyscallEndBlocked, then GoStart on the new P, as Go traces it)."
                    + " Read %s#s11", DOC)
                    .startsWith("ProcStart M0", "GoSyscallEndBlocked G1 M0", "GoStart G1 M0", "GoDestroy G1 M0");
            picture(s.proc, "11-idle-p");
        }
    }

    @Test
    @DisplayName("Scenario 11: no P free, so G5 goes to the global queue and its M parks on the idle list, kept, not destroyed")
    @Hint(doc = DOC + "#s11", go = "exitsyscall0: globrunqput(gp); stopm()")
    void s11NoPGlobalQueueAndStopm() {
        GoRuntime rt = traceOn(1);
        List<String> seen = new CopyOnWriteArrayList<>();
        AtomicReference<G> blocker = new AtomicReference<>();
        AtomicLong blockerGoid = new AtomicLong();
        AtomicReference<M> mainM = new AtomicReference<>();
        AtomicBoolean inCall = new AtomicBoolean();
        AtomicBoolean returned = new AtomicBoolean();
        Harness.run(rt, LIMIT, NO_HANDOFF, () -> {
            Proc proc = rt.proc();
            Chan<Boolean> done = Chan.make(1);
            Go.go(() -> {
                M m = Proc.getg().m;
                blocker.set(Proc.getg());
                blockerGoid.set(Go.goid());
                Go.syscall(() -> {
                    inCall.set(true);
                    if (!within(() -> mainM.get() != null)) {
                        throw new AssertionError("waited " + WAIT_S + " s in the syscall for main to run on another M. "
                                + NO_HANDOFF);
                    }
                });
                seen.add("G5 runs again on " + (Proc.getg().m == m ? "the same M" : "another M"));
                seen.add("its old M parked on the idle list: " + within(() -> idleM(proc, m)));
                seen.add("Ms: " + proc.allm.size());
                returned.set(true);
                done.send(true);
            });
            while (!inCall.get()) {
                Go.gosched();
            }
            // Main runs again only on the M that sysmon's hand-off started. It keeps P0, the only P,
            // until G5 has left its call and is queued: nobody else can take G5 off the queue meanwhile.
            M me = Proc.getg().m;
            me.preemptoff = "scenario 11: main holds P0 until G5 is back from its syscall";
            try {
                mainM.set(me);
                seen.add("G5 waits in the global queue: " + within(() -> inGlobal(proc, blocker.get())));
            } finally {
                me.preemptoff = "";
            }
            while (!returned.get()) {
                Go.gosched();
            }
            done.recv();
        });
        Proc proc = rt.proc();
        assertThat(seen).as("G5's call returned while main held P0 (the only P) on the M that took it: no old P, no idle"
                + " P. So exitsyscall0 put G5 on the GLOBAL queue (no P, so no local queue to join) and its M parked"
                + " (stopm) on the idle M list, where the next startm finds it: nothing was destroyed, and no M was made"
                + " but the one for the hand-off. G5 ran again on the other M. Read %s#s11 (Go: exitsyscall0, stopm)", DOC)
                .containsExactly("G5 waits in the global queue: true", "G5 runs again on another M",
                        "its old M parked on the idle list: true", "Ms: 2");
        long g2 = blockerGoid.get();
        Event end = proc.trace.events().stream().filter(e -> e.g() == g2 && (e.kind() == EventKind.GoSyscallEnd
                || e.kind() == EventKind.GoSyscallEndBlocked)).findFirst().orElseThrow();
        assertThat(end.kind() + " on P" + end.p()).as("the trace: G5 left the syscall with no P (GoSyscallEndBlocked,"
                + " off any P's track). Read %s#s11 (Go: exitsyscall0)", DOC)
                .isEqualTo("GoSyscallEndBlocked on P-1");
        picture(proc, "11-no-p");
    }
}
