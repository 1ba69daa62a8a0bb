package gmp.runtime;

import static gmp.runtime.Workbench.asM;
import static gmp.runtime.Workbench.run;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import gmp.workbook.Hint;

/**
 * Chapter 07: syscalls and P hand-off, one step at a time. A goroutine that enters a syscall leaves
 * its P in _Psyscall; on the way out it takes it back if nobody took it; sysmon takes a P that it
 * sees in the same syscall twice, and handoffp decides who runs it next.
 *
 * <p>Nothing here runs a thread: the Ps, Ms and Gs are set up by hand on a Proc that is never
 * started (the {@link Workbench}, shared with chapter 06's sysmon tests), the test calls entersyscall, exitsyscallfast, handoffp and retake itself, and retake gets
 * the time it should see (chapter 06's injected clock). An M that handoffp starts is an idle M the
 * test put on the idle list, so "startm" shows as that M being handed the P.
 */
@Tag("ch07")
@DisplayName("Chapter 07: entersyscall, exitsyscall, handoffp and sysmon's retake, one step at a time")
@Hint(doc = Ch07SyscallTest.DOC + "#retake-syscall", go = "entersyscall, exitsyscall, handoffp, retake (proc.go)")
class Ch07SyscallTest {
    static final String DOC = "docs/en/07-syscalls.md";
    private static final long MS = 1_000_000L;
    private static final long US = 1_000L;

    @RegisterExtension
    final Workbench bench = new Workbench();

    /** Puts gp's M in a syscall by hand, as entersyscall leaves it, so that retake can be tested alone. */
    private static void inSyscall(G gp) {
        M mp = gp.m;
        P pp = mp.p;
        gp.setStatus(G._Gsyscall);
        mp.syscalltick = pp.syscalltick;
        pp.m = null;
        mp.oldp = pp;
        mp.p = null;
        pp.status = P._Psyscall;
    }

    /** sysmon took pp from its M's syscall (_Pidle) and another M now runs goroutine goid on it. */
    private static G retakenAndRunning(Proc proc, P pp, long goid) {
        pp.status = P._Pidle;
        return run(proc, pp, goid);
    }

    /**
     * gp's M enters a syscall by hand (as entersyscall leaves it) at P syscalltick 4, and a new sysmon
     * takes its first look at time 0, which only records that syscall. Returns that sysmon.
     */
    private static Sysmon inSyscallSeenOnce(G gp) {
        gp.m.p.syscalltick = 4;
        inSyscall(gp);
        Sysmon sm = new Sysmon(gp.proc);
        sm.retake(0);
        return sm;
    }

    /** An idle M on the idle list (not started): the M startm hands a P to. */
    private static M idleM(Proc proc) {
        M mp = new M(proc, 200);
        proc.lockSched();
        try {
            mp.schedlink = proc.sched.midle;
            proc.sched.midle = mp;
            proc.sched.nmidle++;
        } finally {
            proc.unlockSched();
        }
        return mp;
    }

    /** A G in pp's run queue: work for whoever gets pp. */
    private static void work(Proc proc, P pp, long goid) {
        G w = proc.malg();
        w.goid = goid;
        w.setStatus(G._Grunnable);
        proc.runqput(pp, w, false);
    }

    private static boolean onIdleList(Proc proc, P pp) {
        for (P p = proc.sched.pidle; p != null; p = p.link) {
            if (p == pp) {
                return true;
            }
        }
        return false;
    }

    // ---------------------------------------------------------------------------------------------
    // entersyscall

    @Order(1)
    @Test
    @DisplayName("entersyscall leaves the P in _Psyscall, held by nobody, remembered by the M as oldp")
    @Hint(doc = DOC + "#entersyscall", go = "reentersyscall: pp.m = 0; gp.m.oldp.set(pp); gp.m.p = 0; atomic.Store(&pp.status, _Psyscall)")
    void entersyscallKeepsThePReserved() {
        Proc proc = bench.proc(2, 1);
        P pp = proc.allp[0];
        G gp = run(proc, pp, 5);
        M mp = gp.m;
        pp.syscalltick = 7;
        Syscall.entersyscall(gp);
        assertThat(gp.status()).as("the goroutine is in a syscall now: _Gsyscall. Read %s#entersyscall (Go: reentersyscall)", DOC)
                .isEqualTo(G._Gsyscall);
        assertThat(pp.status).as("the P is not handed off (that would cost a thread wake-up for every short syscall):"
                + " it stays reserved for this M, in _Psyscall, until sysmon takes it. Read %s#lazy-hand-off", DOC)
                .isEqualTo(P._Psyscall);
        assertThat(mp.p).as("the M no longer holds the P (m.p = nil): sysmon may take it at any moment. Read %s#entersyscall", DOC)
                .isNull();
        assertThat(pp.m).as("the P has no M (p.m = nil). Read %s#entersyscall (Go: reentersyscall)", DOC).isNull();
        assertThat(mp.oldp).as("the M remembers its P in m.oldp, to try to get it back when the call returns."
                + " Read %s#entersyscall", DOC).isSameAs(pp);
        assertThat(mp.syscalltick).as("m.syscalltick = p.syscalltick: how exitsyscall can tell whether the P was"
                + " taken and used meanwhile. Read %s#syscalltick", DOC).isEqualTo(7);
        assertThat(pp.syscalltick).as("entering a syscall does not move the P's syscalltick (leaving it does)."
                + " Read %s#syscalltick", DOC).isEqualTo(7);
    }

    @Order(2)
    @Test
    @DisplayName("entersyscall wakes sysmon from its deep sleep, since a P can now be retaken")
    @Hint(doc = DOC + "#entersyscall", go = "entersyscall_sysmon: if sched.sysmonwait { sched.sysmonwait = false; notewakeup(&sched.sysmonnote) }")
    void entersyscallWakesSysmon() {
        Proc proc = bench.proc(1, 0);
        G gp = run(proc, proc.allp[0], 5);
        proc.sched.sysmonwait = true;
        Syscall.entersyscall(gp);
        assertThat(proc.sched.sysmonwait).as("a deep-sleeping sysmon would not look at this P for up to 60 s: entersyscall"
                + " must wake it (sysmonwait = false, notewakeup). Read %s#entersyscall (Go: entersyscall_sysmon)", DOC)
                .isFalse();
    }

    @Order(3)
    @Test
    @DisplayName("entersyscallblock hands the P off at once and moves its syscalltick")
    @Hint(doc = DOC + "#entersyscallblock", go = "entersyscallblock: pp.syscalltick++; handoffp(releasep())")
    void entersyscallblockHandsOffAtOnce() {
        Proc proc = bench.proc(2, 0);
        P pp = proc.allp[0];
        G gp = run(proc, pp, 5);
        run(proc, proc.allp[1], 6);
        M mp = gp.m;
        M idle = idleM(proc);
        work(proc, pp, 9);
        pp.syscalltick = 3;
        asM(mp, () -> Syscall.entersyscallblock(gp)); // releasep finds its M through the thread, as on a goroutine
        assertThat(gp.status()).as("the goroutine is in a syscall: _Gsyscall. Read %s#entersyscallblock", DOC)
                .isEqualTo(G._Gsyscall);
        assertThat(mp.p).as("a call known to block gives its P up at once (releasep). Read %s#entersyscallblock", DOC)
                .isNull();
        assertThat(idle.nextp).as("the P had work in its run queue: handoffp must start an M on it (here the idle M"
                + " gets it). Read %s#handoffp (Go: entersyscallblock_handoff)", DOC).isSameAs(pp);
        assertThat(pp.syscalltick).as("entersyscallblock counts the syscall on the P at once (p.syscalltick++),"
                + " since the P is taken now. Read %s#syscalltick", DOC).isEqualTo(4);
        assertThat(mp.syscalltick).as("m.syscalltick is the value before the increment. Read %s#entersyscallblock", DOC)
                .isEqualTo(3);
        assertThat(mp.oldp).as("there is no old P to get back: exitsyscall will look for an idle one."
                + " Read %s#entersyscallblock", DOC).isNull();
    }

    // ---------------------------------------------------------------------------------------------
    // exitsyscall

    @Order(4)
    @Test
    @DisplayName("exitsyscall, fast path: the old P, still _Psyscall, is taken back, even when other Ps are idle")
    @Hint(doc = DOC + "#exitsyscallfast", go = "exitsyscallfast: if oldp.status == _Psyscall && atomic.Cas(&oldp.status, _Psyscall, _Pidle) { wirep(oldp) }")
    void exitsyscallfastReacquiresTheOldP() {
        Proc proc = bench.proc(2, 1);
        P pp = proc.allp[0];
        G gp = run(proc, pp, 5);
        M mp = gp.m;
        Syscall.entersyscall(gp);
        boolean got = Syscall.exitsyscallfast(mp, mp.oldp);
        assertThat(got).as("nobody took the P while the call ran: exitsyscallfast must get a P. Read %s#exitsyscallfast", DOC)
                .isTrue();
        assertThat(mp.p).as("it must be the OLD P: CAS it _Psyscall -> _Pidle and wire it, before looking at the idle"
                + " list. Its caches and run queue are this M's, and taking another would leave the old one in"
                + " _Psyscall with nobody coming back for it. Read %s#exitsyscallfast (Go: exitsyscallfast)", DOC)
                .isSameAs(pp);
        assertThat(pp.status).as("the old P is running again. Read %s#exitsyscallfast", DOC).isEqualTo(P._Prunning);
        assertThat(pp.m).as("and wired to this M (p.m = mp). Read %s#exitsyscallfast (Go: wirep)", DOC).isSameAs(mp);
        assertThat(proc.sched.npidle.get()).as("the idle P stays idle. Read %s#exitsyscallfast", DOC).isEqualTo(1);
    }

    @Order(5)
    @Test
    @DisplayName("exitsyscall, fast path: the goroutine runs on at once, and the P's syscalltick moves")
    @Hint(doc = DOC + "#exitsyscall", go = "exitsyscall: if exitsyscallfast(oldp) { gp.m.p.ptr().syscalltick++; casgstatus(gp, _Gsyscall, _Grunning) }")
    void exitsyscallCountsTheSyscall() {
        Proc proc = bench.proc(1, 0);
        P pp = proc.allp[0];
        G gp = run(proc, pp, 5);
        M mp = gp.m;
        pp.syscalltick = 10;
        Syscall.entersyscall(gp);
        Syscall.exitsyscall(gp);
        assertThat(gp.status()).as("back from the syscall with its P: _Grunning, on the same M, with no reschedule."
                + " Read %s#exitsyscall (Go: exitsyscall)", DOC).isEqualTo(G._Grunning);
        assertThat(mp.p).as("the M holds its P again. Read %s#exitsyscall", DOC).isSameAs(pp);
        assertThat(mp.oldp).as("m.oldp is taken and cleared on the way out. Read %s#exitsyscall", DOC).isNull();
        assertThat(pp.syscalltick).as("the end of a syscall moves the P's syscalltick (p.syscalltick++). Without it,"
                + " sysmon sees the same value on its next look and takes the P from a goroutine that is no longer in"
                + " that syscall: many short syscalls would look like one long one. Read %s#syscalltick", DOC)
                .isEqualTo(11);
    }

    @Order(6)
    @Test
    @DisplayName("exitsyscall: a P that sysmon took and that now runs another M is not taken back; an idle P is")
    @Hint(doc = DOC + "#exitsyscallfast", go = "exitsyscallfast: only a P still in _Psyscall (CAS), else exitsyscallfast_pidle")
    void exitsyscallfastNeverStealsABusyP() {
        Proc proc = bench.proc(2, 1);
        P old = proc.allp[0];
        G gp = run(proc, old, 5);
        M mp = gp.m;
        Syscall.entersyscall(gp);
        // sysmon took the P meanwhile and another M runs goroutine 6 on it now.
        G other = retakenAndRunning(proc, old, 6);
        boolean got = Syscall.exitsyscallfast(mp, old);
        assertThat(old.m).as("the old P now belongs to another M, which runs goroutine 6 on it: exitsyscallfast must not"
                + " take it (only a P still in _Psyscall may be CASed back). Read %s#exitsyscallfast", DOC)
                .isSameAs(other.m);
        assertThat(old.status).as("the old P stays _Prunning for its new M. Read %s#exitsyscallfast", DOC)
                .isEqualTo(P._Prunning);
        assertThat(got).as("an idle P (P1) was there to take instead. Read %s#exitsyscallfast (Go: exitsyscallfast_pidle)", DOC)
                .isTrue();
        assertThat(mp.p).as("the M gets the idle P, P1. Read %s#exitsyscallfast (Go: exitsyscallfast_pidle)", DOC)
                .isSameAs(proc.allp[1]);
        assertThat(proc.sched.npidle.get()).as("P1 left the idle list. Read %s#exitsyscallfast", DOC).isZero();
    }

    @Order(7)
    @Test
    @DisplayName("exitsyscall: with the old P busy and no idle P, the fast path fails and touches nothing")
    @Hint(doc = DOC + "#exitsyscallfast", go = "exitsyscallfast returns false: mcall(exitsyscall0)")
    void exitsyscallfastFailsWithoutAP() {
        Proc proc = bench.proc(1, 0);
        P old = proc.allp[0];
        G gp = run(proc, old, 5);
        M mp = gp.m;
        Syscall.entersyscall(gp);
        G other = retakenAndRunning(proc, old, 6);
        assertThat(Syscall.exitsyscallfast(mp, old)).as("no P is free: the fast path must fail, so that exitsyscall0"
                + " queues the goroutine. Read %s#exitsyscallfast", DOC).isFalse();
        assertThat(old.m).as("and it must leave the busy P alone. Read %s#exitsyscallfast", DOC).isSameAs(other.m);
        assertThat(mp.p).as("the M has no P. Read %s#exitsyscallfast", DOC).isNull();
    }

    @Order(8)
    @Test
    @DisplayName("exitsyscall: getting the old P back after sysmon took it and lent it out counts one more syscalltick")
    @Hint(doc = DOC + "#syscalltick", go = "exitsyscallfast_reacquired: if gp.m.syscalltick != gp.m.p.ptr().syscalltick { pp.syscalltick++ }")
    void reacquiredAfterARetakeMovesTheTick() {
        Proc proc = bench.proc(1, 0);
        P pp = proc.allp[0];
        G gp = run(proc, pp, 5);
        M mp = gp.m;
        pp.syscalltick = 4;
        Syscall.entersyscall(gp);
        // sysmon took the P (tick 5), another M used it and entered a syscall on it, leaving it _Psyscall again.
        pp.syscalltick = 6;
        assertThat(Syscall.exitsyscallfast(mp, pp)).as("the P is _Psyscall again: the CAS succeeds. Read %s#exitsyscallfast", DOC)
                .isTrue();
        assertThat(pp.syscalltick).as("the P is in someone else's syscall now, and we take it from that one: the tick"
                + " must move (6 -> 7), so that sysmon does not count that syscall as still going on."
                + " Read %s#syscalltick (Go: exitsyscallfast_reacquired)", DOC).isEqualTo(7);
    }

    @Order(9)
    @Test
    @DisplayName("exitsyscall0: no P anywhere, so the goroutine goes to the global run queue and the M parks")
    @Hint(doc = DOC + "#exitsyscall0", go = "exitsyscall0: globrunqput(gp); stopm()")
    void exitsyscall0QueuesGloballyAndParks() {
        Proc proc = bench.proc(1, 0);
        P old = proc.allp[0];
        G gp = run(proc, old, 5);
        M mp = gp.m;
        Syscall.entersyscall(gp);
        retakenAndRunning(proc, old, 6);
        // stopm parks the M until startm wakes it: pre-wake its note and end the "program", so that it returns.
        mp.park.wakeup();
        proc.exiting = true;
        asM(mp, () -> Syscall.exitsyscall0(gp)); // stopm finds its M through the current thread, as on g0
        assertThat(gp.status()).as("without a P the goroutine cannot run: _Grunnable. Read %s#exitsyscall0", DOC)
                .isEqualTo(G._Grunnable);
        assertThat(Fixtures.global(proc)).as("it goes to the GLOBAL run queue (it has no P whose local queue it could"
                + " join), where the next M that looks for work finds it. Read %s#exitsyscall0 (Go: exitsyscall0)", DOC)
                .containsExactly(gp);
        assertThat(mp.curg).as("dropg: the M lets go of the goroutine. Read %s#exitsyscall0", DOC).isNull();
        assertThat(proc.sched.midle).as("and the M parks on the idle M list (stopm), to be reused by the next startm."
                + " Read %s#exitsyscall0 (Go: stopm)", DOC).isSameAs(mp);
    }

    @Order(10)
    @Test
    @DisplayName("exitsyscall0: an idle P that turned up meanwhile runs the goroutine at once, in a new slice")
    @Hint(doc = DOC + "#exitsyscall0", go = "exitsyscall0: if pp != nil { acquirep(pp); execute(gp, false) }")
    void exitsyscall0TakesAnIdleP() {
        Proc proc = bench.proc(2, 1);
        P old = proc.allp[0];
        G gp = run(proc, old, 5);
        M mp = gp.m;
        Syscall.entersyscall(gp);
        retakenAndRunning(proc, old, 6);
        asM(mp, () -> Syscall.exitsyscall0(gp)); // acquirep finds its M through the current thread, as on g0
        assertThat(mp.p).as("P1 was idle when exitsyscall0 looked under sched.lock: the M takes it. Read %s#exitsyscall0", DOC)
                .isSameAs(proc.allp[1]);
        assertThat(mp.nextg).as("and runs the goroutine next (Go: execute(gp, false); here m.nextg). Read %s#exitsyscall0", DOC)
                .isSameAs(gp);
        assertThat(mp.nextgNewSlice).as("in a new time slice (execute's inheritTime = false). Read %s#exitsyscall0", DOC)
                .isTrue();
        assertThat(Fixtures.global(proc)).as("not on the global queue as well. Read %s#exitsyscall0", DOC).isEmpty();
    }

    // ---------------------------------------------------------------------------------------------
    // handoffp

    @Order(11)
    @Test
    @DisplayName("handoffp: a P with work in its run queue, or work in the global queue, gets an M")
    @Hint(doc = DOC + "#handoffp", go = "handoffp: if !runqempty(pp) || sched.runqsize != 0 { startm(pp, false) }")
    void handoffpStartsAnMForWork() {
        Proc proc = bench.proc(3, 1);
        P pp = proc.allp[0];
        run(proc, proc.allp[1], 6);
        M idle = idleM(proc);
        work(proc, pp, 9);
        Syscall.handoffp(proc, pp);
        assertThat(idle.nextp).as("the P has a runnable G in its queue: handoffp must start an M on it (startm), not"
                + " idle it: idling it strands that G. Read %s#handoffp (Go: handoffp)", DOC).isSameAs(pp);
        assertThat(idle.spinning).as("a plain M, not a spinning one: there is work to run. Read %s#handoffp", DOC).isFalse();

        Proc proc2 = bench.proc(3, 1);
        P pp2 = proc2.allp[0];
        run(proc2, proc2.allp[1], 6);
        M idle2 = idleM(proc2);
        G g = proc2.malg();
        g.goid = 9;
        g.setStatus(G._Grunnable);
        Fixtures.globrunqputLocked(proc2, g);
        Syscall.handoffp(proc2, pp2);
        assertThat(idle2.nextp).as("work in the GLOBAL queue counts too: findRunnable on this P would find it, so an M"
                + " must come. Read %s#handoffp (Go: sched.runqsize != 0)", DOC).isSameAs(pp2);
    }

    @Order(12)
    @Test
    @DisplayName("handoffp: with no M spinning and no P idle, the P gets a spinning M to look for work")
    @Hint(doc = DOC + "#handoffp", go = "handoffp: if sched.nmspinning.Load()+sched.npidle.Load() == 0 && sched.nmspinning.CompareAndSwap(0, 1) { startm(pp, true) }")
    void handoffpStartsASpinningM() {
        Proc proc = bench.proc(2, 0);
        P pp = proc.allp[0];
        run(proc, proc.allp[1], 6);
        M idle = idleM(proc);
        Syscall.handoffp(proc, pp);
        assertThat(idle.nextp).as("every other P is busy and nobody spins: if work arrives, nobody would look for it."
                + " handoffp must start a spinning M on the P. Read %s#handoffp", DOC).isSameAs(pp);
        assertThat(idle.spinning).as("the M starts spinning (startm(pp, true)). Read %s#handoffp", DOC).isTrue();
        assertThat(proc.sched.nmspinning.get()).as("and counts in nmspinning (the CAS 0 -> 1). Read %s#handoffp", DOC)
                .isEqualTo(1);
    }

    @Order(13)
    @Test
    @DisplayName("handoffp: the last running P, with nobody blocked in netpoll, gets an M to poll (chapter 08's seam)")
    @Hint(doc = DOC + "#handoffp", go = "handoffp: if sched.npidle.Load() == gomaxprocs-1 && sched.lastpoll.Load() != 0 { startm(pp, false) }")
    void handoffpTheLastPWhenNobodyPolls() {
        Proc proc = bench.proc(2, 1);
        P pp = proc.allp[0];
        M idle = idleM(proc);
        proc.sched.lastpoll.set(1);
        Syscall.handoffp(proc, pp);
        assertThat(idle.nextp).as("this was the last running P and no M waits in netpoll (lastpoll != 0): if it went idle"
                + " nobody would wait for the network or the timers, so an M must take it. Read %s#handoffp", DOC)
                .isSameAs(pp);

        Proc proc2 = bench.proc(2, 1);
        P pp2 = proc2.allp[0];
        M idle2 = idleM(proc2);
        proc2.sched.lastpoll.set(0); // an M is blocked in netpoll
        Syscall.handoffp(proc2, pp2);
        assertThat(idle2.nextp).as("an M is already in netpoll (lastpoll == 0): no M is needed, the P goes idle."
                + " Read %s#handoffp", DOC).isNull();
        assertThat(onIdleList(proc2, pp2)).as("the P is on the idle list. Read %s#handoffp (Go: pidleput)", DOC).isTrue();
    }

    @Order(14)
    @Test
    @DisplayName("handoffp: with nothing to run and someone free to pick up new work, the P goes idle")
    @Hint(doc = DOC + "#handoffp", go = "handoffp: pidleput(pp)")
    void handoffpIdlesTheP() {
        Proc proc = bench.proc(3, 1);
        P pp = proc.allp[0];
        run(proc, proc.allp[1], 6);
        M idle = idleM(proc);
        proc.sched.lastpoll.set(1);
        Syscall.handoffp(proc, pp);
        assertThat(onIdleList(proc, pp)).as("no work anywhere, a P idle already (so wakep can start an M when work"
                + " comes), and not the last running P: the P goes idle (pidleput). Read %s#handoffp", DOC).isTrue();
        assertThat(idle.nextp).as("and no M is woken for nothing. Read %s#handoffp", DOC).isNull();
        assertThat(proc.sched.npidle.get()).as("npidle counts it. Read %s#handoffp", DOC).isEqualTo(2);
    }

    @Order(15)
    @Test
    @DisplayName("handoffp: a P that goes idle with a timer passes the timer's time on, so an M wakes for it")
    @Hint(doc = DOC + "#handoffp", go = "handoffp: when := pp.timers.wakeTime(); pidleput(pp); if when != 0 { wakeNetPoller(when) }")
    void handoffpPassesTheTimerOn() {
        Proc proc = bench.proc(3, 1);
        P pp = proc.allp[0];
        run(proc, proc.allp[1], 6);
        M idle = idleM(proc);
        proc.sched.lastpoll.set(1);
        Timer t = new Timer(x -> { }, null);
        t.when = Proc.nanotime() + 1_000 * MS;
        t.ts = pp.timers;
        pp.timers.mu.lock();
        try {
            pp.timers.add(t);
        } finally {
            pp.timers.mu.unlock();
        }
        Syscall.handoffp(proc, pp);
        assertThat(idle.nextp).as("the P had a timer: an idle P's timers fire only if some M wakes for them, so handoffp"
                + " must pass the time on (wakeNetPoller, which here starts a spinning M). Read %s#handoffp", DOC)
                .isNotNull();
    }

    // ---------------------------------------------------------------------------------------------
    // sysmon's retake, the syscall half

    @Order(16)
    @Test
    @DisplayName("retake: a P in a syscall is retaken on the second look at the same syscall, never on the first")
    @Hint(doc = DOC + "#retake-syscall", go = "retake: if !sysretake && int64(pd.syscalltick) != t { pd.syscalltick = uint32(t); pd.syscallwhen = now; continue }")
    void retakeNeedsTwoLooks() {
        Proc proc = bench.proc(1, 0);
        P pp = proc.allp[0];
        G gp = run(proc, pp, 5);
        work(proc, pp, 9);
        M idle = idleM(proc);
        pp.syscalltick = 4;
        inSyscall(gp);
        Sysmon sm = new Sysmon(proc);
        assertThat(sm.retake(0)).as("the first look at this syscall (syscalltick 4, last seen 0) only records it: sysmon"
                + " cannot know whether it is one long call or the latest of many short ones. Read %s#two-ticks", DOC)
                .isZero();
        assertThat(pp.status).as("so the P stays _Psyscall after the first look. Read %s#two-ticks (Go: retake)", DOC)
                .isEqualTo(P._Psyscall);
        assertThat(pp.sysmontick.syscalltick).as("retake records the syscalltick it saw (pd.syscalltick = t)."
                + " Read %s#two-ticks", DOC).isEqualTo(4);
        assertThat(sm.retake(20 * US)).as("one sysmon delay later, the same syscalltick: the same syscall is still going"
                + " on, and its P has work: retake takes it and counts it. Read %s#two-ticks (Go: retake)", DOC)
                .isEqualTo(1);
        assertThat(pp.syscalltick).as("taking the P moves its syscalltick (pp.syscalltick++), so that the M coming back"
                + " sees it was taken. Read %s#syscalltick", DOC).isEqualTo(5);
        assertThat(idle.nextp).as("and hands it off: its queue has work, so an M gets it. Read %s#handoffp", DOC)
                .isSameAs(pp);
    }

    @Order(17)
    @Test
    @DisplayName("retake: a syscalltick that moved between two looks is a new syscall, and its clock starts over")
    @Hint(doc = DOC + "#two-ticks", go = "retake: pd.syscalltick != pp.syscalltick: record, continue")
    void aMovedSyscalltickIsANewSyscall() {
        Proc proc = bench.proc(1, 0);
        P pp = proc.allp[0];
        G gp = run(proc, pp, 5);
        work(proc, pp, 9);
        idleM(proc);
        Sysmon sm = inSyscallSeenOnce(gp);
        pp.syscalltick = 6; // that syscall ended, another began
        assertThat(sm.retake(1 * MS)).as("between the looks one syscall ended and the next began: many short syscalls are"
                + " not one long one, so the P must stay. Read %s#two-ticks", DOC).isZero();
        assertThat(pp.sysmontick.syscallwhen).as("the new syscall is timed from the look that saw it (pd.syscallwhen = now)."
                + " Read %s#two-ticks", DOC).isEqualTo(1 * MS);
        assertThat(sm.retake(2 * MS)).as("seen twice now: retaken. Read %s#two-ticks", DOC).isEqualTo(1);
    }

    @Order(18)
    @Test
    @DisplayName("retake spares a young syscall with nothing queued while someone is free, until it is 10 ms old")
    @Hint(doc = DOC + "#retake-syscall", go = "retake: if runqempty(pp) && sched.nmspinning.Load()+sched.npidle.Load() > 0 && pd.syscallwhen+10*1000*1000 > now { continue }")
    void aYoungSyscallWithNothingToDoKeepsItsP() {
        Proc proc = bench.proc(2, 1);
        P pp = proc.allp[0];
        G gp = run(proc, pp, 5);
        Sysmon sm = inSyscallSeenOnce(gp);
        assertThat(sm.retake(5 * MS)).as("no work in its queue, an idle P to pick up new work, and 5 ms old: taking the P"
                + " buys nothing. Read %s#retake-syscall (Go: retake)", DOC).isZero();
        assertThat(sm.retake(10 * MS - 1)).as("still younger than 10 ms. Read %s#retake-syscall", DOC).isZero();
        assertThat(sm.retake(10 * MS)).as("10 ms old: retaken anyway, so that an idle program's sysmon can reach its deep"
                + " sleep. Read %s#retake-syscall", DOC).isEqualTo(1);
        assertThat(onIdleList(proc, pp)).as("with nothing to run, handoffp idles it. Read %s#handoffp", DOC).isTrue();
    }

    @Order(19)
    @Test
    @DisplayName("retake takes a young syscall's P when nobody else is free, even with nothing queued")
    @Hint(doc = DOC + "#retake-syscall", go = "retake: the exemption needs nmspinning+npidle > 0")
    void aYoungSyscallIsRetakenWhenNobodyIsFree() {
        Proc proc = bench.proc(2, 0);
        P pp = proc.allp[0];
        G gp = run(proc, pp, 5);
        run(proc, proc.allp[1], 6);
        M idle = idleM(proc);
        Sysmon sm = inSyscallSeenOnce(gp);
        assertThat(sm.retake(20 * US)).as("every other P is busy and no M spins: if a goroutine became runnable now, no P"
                + " could take it. retake must take this P (20 us into the syscall). Read %s#retake-syscall", DOC)
                .isEqualTo(1);
        assertThat(idle.spinning).as("handoffp gives it a spinning M (nobody spinning, no idle P). Read %s#handoffp", DOC)
                .isTrue();
    }

    @Order(20)
    @Test
    @DisplayName("retake: a syscall that has outlasted a whole slice is retaken at once, without the second look")
    @Hint(doc = DOC + "#retake-syscall", go = "retake: preemptone fails for a P in a syscall: sysretake = true")
    void aSyscallLongerThanASliceIsRetakenAtOnce() {
        Proc proc = bench.proc(1, 0);
        P pp = proc.allp[0];
        G gp = run(proc, pp, 5);
        work(proc, pp, 9);
        idleM(proc);
        pp.schedtick = 3;
        Sysmon sm = inSyscallSeenOnce(gp);
        pp.syscalltick = 6; // a new syscall, but the same slice (schedtick 3) since 0 ms
        assertThat(sm.retake(10 * MS)).as("the P's slice is used up (schedtick unchanged for 10 ms) and preemptone cannot"
                + " reach a goroutine in a syscall: retake takes the P now, without waiting for a second look at this"
                + " syscall. Read %s#retake-syscall (Go: sysretake)", DOC).isEqualTo(1);
    }

    @Order(21)
    @Test
    @DisplayName("retake and exitsyscall race for the P with one CAS: exactly one of them gets it")
    @Hint(doc = DOC + "#lazy-hand-off", go = "retake: atomic.Cas(&pp.status, s, _Pidle); exitsyscallfast: atomic.Cas(&oldp.status, _Psyscall, _Pidle)")
    void oneCasDecides() {
        Proc proc = bench.proc(1, 0);
        P pp = proc.allp[0];
        G gp = run(proc, pp, 5);
        M mp = gp.m;
        work(proc, pp, 9);
        M idle = idleM(proc);
        pp.syscalltick = 4;
        Syscall.entersyscall(gp);
        Sysmon sm = new Sysmon(proc);
        sm.retake(0);
        assertThat(Syscall.exitsyscallfast(mp, mp.oldp)).as("the M came back first: its CAS wins. Read %s#lazy-hand-off", DOC)
                .isTrue();
        assertThat(sm.retake(20 * US)).as("the P is _Prunning again: retake must leave it alone. Read %s#lazy-hand-off", DOC)
                .isZero();
        assertThat(idle.nextp).as("nobody else was given the P. Read %s#lazy-hand-off", DOC).isNull();
    }
}
