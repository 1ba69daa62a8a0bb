package gmp.runtime;

import java.lang.reflect.UndeclaredThrowableException;
import java.util.concurrent.Callable;
import java.util.function.Consumer;

import gmp.runtime.trace.EventKind;

/**
 * System calls and P hand-off (chapter 07): the Java form of Go's {@code entersyscall},
 * {@code entersyscallblock}, {@code exitsyscall}, {@code exitsyscallfast}, {@code exitsyscall0} and
 * {@code handoffp} (proc.go, Go 1.23, the {@code _Psyscall} model).
 *
 * <h2>Why</h2>
 * A goroutine that blocks in the kernel blocks its M's thread: no continuation switch can help, the
 * thread itself waits. If its P waited with it, one blocked read would take a GOMAXPROCS-th of the
 * machine. So a syscall is bracketed: {@link #entersyscall} before the call, {@link #exitsyscall}
 * after, and a P whose M is in a syscall can be given to another M meanwhile. That is why a Go
 * program has as many threads as it has blocked syscalls plus GOMAXPROCS, and why its Ms are a pool
 * the runtime grows and reuses ({@code startm} takes an idle M first), up to {@code sched.maxmcount}.
 *
 * <h2>Lazy hand-off</h2>
 * Most syscalls return within microseconds, and handing the P to another M costs a thread wake-up
 * (tens of microseconds) plus cache misses on both sides. So entersyscall does not hand the P off:
 * it leaves it in {@code _Psyscall}, still reserved for this M but owned by nobody, and goes on.
 * Two things may happen next, and a CAS on the P's status decides which wins:
 * <ul>
 *   <li>the call returns and {@link #exitsyscallfast} CASes {@code _Psyscall -> _Prunning} (through
 *       {@code _Pidle} and {@code wirep}): the goroutine goes on on the same M and P, with no
 *       scheduling at all. This is the common case and costs two atomics;</li>
 *   <li>sysmon sees the P in the same syscall on two consecutive looks ({@code p.syscalltick} has not
 *       moved: {@link Sysmon#retakeSyscall}), CASes it {@code _Psyscall -> _Pidle} and calls
 *       {@link #handoffp}, which starts an M on it if there is work, or puts it on the idle list.</li>
 * </ul>
 * {@link #entersyscallblock} is for calls known to block for long: it skips the bet and hands the
 * P off at once.
 *
 * <h2>The way out</h2>
 * {@link #exitsyscall}: the old P if it is still {@code _Psyscall} (nobody took it), else any idle P,
 * and the goroutine runs on at once; else {@link #exitsyscall0} on g0: the goroutine goes to the
 * global run queue (unless an idle P turned up meanwhile) and the M parks on the idle M list
 * ({@code stopm}), where {@code startm} will find it next time an M is needed.
 *
 * <h2>syscalltick</h2>
 * The P's {@code syscalltick} moves when a syscall ends on it (exitsyscall) and when sysmon takes it
 * (retake); entersyscallblock moves it on entry. sysmon remembers the value it saw
 * ({@code pp.sysmontick.syscalltick}): the same value on its next look means the same syscall is
 * still going on, which is the only evidence it has that a syscall is long and not one of many
 * short ones.
 *
 * <p>entersyscall, entersyscallblock, exitsyscall and exitsyscallfast run on the goroutine's stack
 * (DESIGN.md section 4): they find the M through the G ({@code gp.m}) and use no thread identity;
 * exitsyscall0 runs on g0, handoffp on a goroutine or on sysmon. The call between the brackets must not call into the runtime (no channel operation, no
 * go statement): the goroutine has no P while it is in a syscall, as in Go.
 */
final class Syscall {
    private Syscall() {
    }

    /** The g0 half of a syscall exit that found no P, made once (exitsyscall0). */
    private static final Consumer<G> EXITSYSCALL0 = Syscall::exitsyscall0;

    /**
     * Runs {@code fn}, a Java call that may block its thread, as a syscall of goroutine gp (Go: the
     * entersyscall/exitsyscall pair around syscall.Syscall). {@code block}: the call is known to
     * block for long, so the P is handed off at once (entersyscallblock). Whatever fn returns or
     * throws comes back to the caller; a checked exception comes wrapped, as {@link Go#syscall} says.
     */
    static <T> T call(G gp, boolean block, Callable<T> fn) {
        if (gp.status() == G._Gsyscall) {
            throw new IllegalStateException("Go.syscall inside a syscall: the call between the brackets must not"
                    + " call into the runtime (docs/en/07-syscalls.md#the-bracket)");
        }
        if (block) {
            entersyscallblock(gp);
        } else {
            entersyscall(gp);
        }
        try {
            return fn.call();
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Exception e) {
            throw new UndeclaredThrowableException(e, "checked exception in a syscall: " + e);
        } finally {
            exitsyscall(gp);
        }
    }

    /**
     * The goroutine gp is about to make a system call (Go: entersyscall -> reentersyscall). Its P
     * stays reserved for this M in {@code _Psyscall} but is no longer held: m.p and p.m are cleared,
     * m.oldp remembers it, and m.syscalltick the P's syscalltick, so that exitsyscall can tell whether
     * the P was taken and used by someone else meanwhile. Wakes sysmon if it is in its deep sleep
     * (every P was idle when it went to sleep; now one P can be retaken).
     */
    static void entersyscall(G gp) {
        M mp = gp.m;
        P pp = mp.p;
        Proc proc = gp.proc;
        // BEGIN SOLUTION ch07 #entersyscall
        // TODO: casgstatus gp _Grunning -> _Gsyscall; if sched.sysmonwait, Sysmon.wakeLocked(proc)
        //       under sched.lock. Then mp.syscalltick = pp.syscalltick;
        //       pp.m = null; mp.oldp = pp; mp.p = null; and last, pp.status = P._Psyscall (a volatile
        //       store: it publishes the rest to whoever CASes the status next).
        Proc.casgstatus(gp, G._Grunning, G._Gsyscall);
        if (proc.sched.sysmonwait) {
            proc.lockSched();
            try {
                Sysmon.wakeLocked(proc);
            } finally {
                proc.unlockSched();
            }
        }
        mp.syscalltick = pp.syscalltick;
        pp.m = null;
        mp.oldp = pp;
        mp.p = null;
        pp.status = P._Psyscall;
        // END SOLUTION
    }

    /**
     * Like entersyscall, for a call known to block (Go: entersyscallblock): the P is handed off at
     * once ({@code handoffp(releasep())}), instead of waiting for sysmon to notice. Its syscalltick
     * moves now, as the P is taken; m.oldp stays null, so exitsyscall looks for an idle P only.
     */
    static void entersyscallblock(G gp) {
        M mp = gp.m;
        P pp = mp.p;
        // BEGIN SOLUTION ch07 #entersyscallblock
        // TODO: mp.syscalltick = pp.syscalltick, then pp.syscalltick++. casgstatus gp _Grunning ->
        //       _Gsyscall. Then hand the P off: handoffp(gp.proc, gp.proc.releasep()).
        mp.syscalltick = pp.syscalltick;
        pp.syscalltick++;
        Proc.casgstatus(gp, G._Grunning, G._Gsyscall);
        handoffp(gp.proc, gp.proc.releasep());
        // END SOLUTION
    }

    /**
     * The goroutine gp's system call has returned (Go: exitsyscall). Called on gp, which may resume
     * on another M (exitsyscall0 path). Once the program is over, gp is abandoned here, as at any
     * other safepoint: a Go process that has exited never returns from a syscall either.
     */
    static void exitsyscall(G gp) {
        if (gp.proc.exiting) {
            Preempt.check(gp); // never returns: the program is over
        }
        M mp = gp.m;
        P oldp = mp.oldp;
        mp.oldp = null;
        // BEGIN SOLUTION ch07 #exitsyscall
        // TODO: if exitsyscallfast(mp, oldp) got a P (pp = mp.p): when tracing,
        //       trace.syscallExit(gp, lostP), lostP being pp != oldp || mp.syscalltick != pp.syscalltick;
        //       then count the end of the syscall on pp (pp.syscalltick++), casgstatus gp _Gsyscall ->
        //       _Grunning and return: gp runs on, with no reschedule.
        //       Else Proc.mcall(gp, EXITSYSCALL0); when that returns gp runs again (maybe on
        //       another M): count gp.m.p.syscalltick++.
        if (exitsyscallfast(mp, oldp)) {
            P pp = mp.p;
            Trace t = gp.proc.trace;
            if (t != null) {
                t.syscallExit(gp, pp != oldp || mp.syscalltick != pp.syscalltick);
            }
            pp.syscalltick++;
            Proc.casgstatus(gp, G._Gsyscall, G._Grunning);
            return;
        }
        Proc.mcall(gp, EXITSYSCALL0);
        gp.m.p.syscalltick++;
        // END SOLUTION
    }

    /**
     * Tries to get a P for mp, whose goroutine leaves a syscall, without a reschedule (Go:
     * exitsyscallfast): first its old P, if it is still in {@code _Psyscall} (nobody retook it:
     * CAS it to {@code _Pidle} and wire it, {@link #reacquired}); else any idle P (under sched.lock,
     * waking sysmon from its deep sleep). Returns whether mp now holds a P. The CAS matters: sysmon
     * may be CASing the same P away at the same moment, and a P that is not {@code _Psyscall} (taken,
     * now running someone else's goroutine) is never this M's to take.
     */
    static boolean exitsyscallfast(M mp, P oldp) {
        Proc proc = mp.proc;
        // BEGIN SOLUTION ch07 #exitsyscallfast
        // TODO: oldp not null, oldp.status == _Psyscall and oldp.casStatus(_Psyscall, _Pidle):
        //       wirep(mp, oldp), reacquired(mp, oldp), return true. Else, if sched.npidle > 0: under
        //       sched.lock pidleget(), and wake sysmon if it got one and sched.sysmonwait; after
        //       unlocking, wirep(mp, pp) and return true. Else false. (Sysmon.wakeLocked wakes sysmon.)
        if (oldp != null && oldp.status == P._Psyscall && oldp.casStatus(P._Psyscall, P._Pidle)) {
            wirep(mp, oldp);
            reacquired(mp, oldp);
            return true;
        }
        if (proc.sched.npidle.get() > 0) {
            P pp;
            proc.lockSched();
            try {
                pp = proc.pidleget();
                if (pp != null) {
                    Sysmon.wakeLocked(proc);
                }
            } finally {
                proc.unlockSched();
            }
            if (pp != null) {
                wirep(mp, pp);
                return true;
            }
        }
        return false;
        // END SOLUTION
    }

    /**
     * mp got its old P back (Go: exitsyscallfast_reacquired). If the P's syscalltick is not the one
     * entersyscall saw, sysmon retook the P and gave it back to the idle list, and this M took it
     * again in a later syscall of someone else: count one more tick, so that sysmon sees a change.
     */
    static void reacquired(M mp, P pp) {
        if (mp.syscalltick != pp.syscalltick) {
            Trace t = mp.proc.trace;
            if (t != null) {
                t.proc(mp, pp, EventKind.ProcSteal);
            }
            pp.syscalltick++;
        }
    }

    /**
     * Wires P pp, which is {@code _Pidle} and has no M, to mp (Go: wirep, acquirep without the
     * write barrier bookkeeping). Called on a goroutine, so it takes its M as a parameter.
     */
    static void wirep(M mp, P pp) {
        if (mp.p != null || pp.m != null || pp.status != P._Pidle) {
            throw new IllegalStateException("wirep: invalid state: " + mp + ".p=" + mp.p + ", " + pp + ".m=" + pp.m
                    + ", " + pp + ".status=" + P.statusName(pp.status) + " (want no P, no M, idle)");
        }
        Trace t = mp.proc.trace;
        if (t != null) {
            t.proc(mp, pp, EventKind.ProcStart);
        }
        mp.p = pp;
        pp.m = mp;
        pp.status = P._Prunning;
    }

    /**
     * The g0 half of a syscall exit that found no P (Go: exitsyscall0). gp becomes runnable and
     * leaves the M. Under sched.lock, one more try for an idle P; none: gp goes to the global run
     * queue, where the next M to look for work finds it. With a P, the M runs gp at once in a new
     * time slice (m.nextg). Without one, the M parks on the idle M list (stopm) until startm needs it.
     */
    static void exitsyscall0(G gp) {
        M mp = gp.m; // the M whose g0 runs this: mcall left gp.m pointing at it
        Proc proc = gp.proc;
        // BEGIN SOLUTION ch07 #exitsyscall0
        // TODO: casgstatus gp _Gsyscall -> _Grunnable; dropg (mp.curg = null, gp.m = null). Under sched.lock: pp = pidleget(); none:
        //       globrunqput(gp); got one: Sysmon.wakeLocked(proc). After unlocking: with a P,
        //       proc.acquirep(pp), mp.nextg = gp, mp.nextgNewSlice = true (findRunnable runs it next,
        //       as Go's execute(gp, false)); without one, proc.stopm().
        Proc.casgstatus(gp, G._Gsyscall, G._Grunnable);
        mp.curg = null;
        gp.m = null;
        P pp;
        proc.lockSched();
        try {
            pp = proc.pidleget();
            if (pp == null) {
                proc.globrunqput(gp);
            } else {
                Sysmon.wakeLocked(proc);
            }
        } finally {
            proc.unlockSched();
        }
        if (pp != null) {
            proc.acquirep(pp);
            mp.nextg = gp;
            mp.nextgNewSlice = true;
            return;
        }
        proc.stopm();
        // END SOLUTION
    }

    /**
     * Hands off P pp, taken from an M in a syscall (or released by one entering a blocking one), to
     * whoever should run it (Go: handoffp). Called without a P, by sysmon or by the goroutine in
     * entersyscallblock. pp is _Pidle and has no M. Go's invariant: handoffp must start an M in any
     * situation where findRunnable would find a G to run on pp. In Go's order:
     * <ol>
     *   <li>work in pp's run queue or the global queue: startm(pp, false);</li>
     *   <li>no M spinning and no P idle (nmspinning + npidle == 0), and the CAS nmspinning 0 -> 1
     *       wins: a spinning M on pp (startm(pp, true)), which will look for work to steal;</li>
     *   <li>under sched.lock, the global queue again (someone may have put work there meanwhile);</li>
     *   <li>pp was the last running P (npidle == gomaxprocs - 1) and nobody is blocked in netpoll
     *       (sched.lastpoll != 0): startm(pp, false), so that some M waits for the network and the
     *       timers (chapter 08);</li>
     *   <li>else pp goes idle (pidleput), and its earliest timer is passed on: wakeNetPoller(when),
     *       so that the M sleeping in netpoll, or a new one, fires it in time.</li>
     * </ol>
     * (Go's steps for a trace reader, GC mark work and a stop-the-world fall in between; this runtime
     * has none of those.)
     */
    static void handoffp(Proc proc, P pp) {
        Sched sched = proc.sched;
        // BEGIN SOLUTION ch07 #handoffp
        // TODO: the list above, in order. !proc.runqempty(pp) || sched.runqsize != 0:
        //       proc.startm(pp, false), return. nmspinning + npidle == 0 and
        //       sched.nmspinning.compareAndSet(0, 1): sched.needspinning.set(0), proc.startm(pp, true),
        //       return. Then under sched.lock: sched.runqsize != 0, or npidle == gomaxprocs - 1 and
        //       lastpoll != 0, means start; else when = pp.timers.wakeTime() and pidleput(pp). After
        //       unlocking: start ? proc.startm(pp, false) : if when != 0, proc.wakeNetPoller(when).
        if (!proc.runqempty(pp) || sched.runqsize != 0) {
            proc.startm(pp, false);
            return;
        }
        if (sched.nmspinning.get() + sched.npidle.get() == 0 && sched.nmspinning.compareAndSet(0, 1)) {
            sched.needspinning.set(0);
            proc.startm(pp, true);
            return;
        }
        boolean start;
        long when = 0;
        proc.lockSched();
        try {
            start = sched.runqsize != 0 || (sched.npidle.get() == proc.gomaxprocs - 1 && sched.lastpoll.get() != 0);
            if (!start) {
                when = pp.timers.wakeTime();
                proc.pidleput(pp);
            }
        } finally {
            proc.unlockSched();
        }
        if (start) {
            proc.startm(pp, false);
        } else if (when != 0) {
            proc.wakeNetPoller(when);
        }
        // END SOLUTION
    }

    /**
     * Counts v more Ms as idle but not to be counted by checkdead (Go: incidlelocked): sysmon passes
     * -1 while it hands a P taken from a syscall to a new M, so that one more M counts as running,
     * then +1, and checks for a deadlock then, as Go does.
     */
    static void incidlelocked(Proc proc, int v) {
        proc.lockSched();
        try {
            proc.sched.nmidlelocked += v;
            if (v > 0) {
                proc.checkdead();
            }
        } finally {
            proc.unlockSched();
        }
    }

    /**
     * Whether one more M fits under sched.maxmcount (Go: checkmcount, called by mReserveID); if not,
     * the program dies with Go's "runtime: program exceeds N-thread limit" and "fatal error: thread
     * exhaustion". Go counts every M it made, sysmon's included. sched.lock must be held.
     */
    static boolean checkmcount(Proc proc) {
        int count = proc.allm.size() + (proc.sysmon != null ? 1 : 0) + 1;
        return count <= proc.sched.maxmcount;
    }

    /** The death of a program that wanted more than sched.maxmcount threads (Go: checkmcount's throw). */
    static void threadExhaustion(Proc proc) {
        proc.config.trace().println("runtime: program exceeds " + proc.sched.maxmcount + "-thread limit");
        proc.config.trace().flush();
        proc.fatal("thread exhaustion");
    }
}
