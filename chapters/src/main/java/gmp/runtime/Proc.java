package gmp.runtime;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

import jdk.internal.vm.Continuation;

/**
 * The scheduler: the Java form of Go's {@code runtime/proc.go}, one instance per {@link GoRuntime}.
 *
 * <h2>The design in one page</h2>
 * Go multiplexes goroutines (G) onto OS threads (M) through processors (P). A G is a function with
 * its own stack. An M is a thread; it runs Go code only while it holds a P, and there are exactly
 * GOMAXPROCS Ps, so at most GOMAXPROCS goroutines run Go code at once however many threads exist.
 * Each P has a local run queue; the scheduler loop on every M takes a G from its P's queue, runs it
 * until the G blocks, yields or exits, and comes back for the next.
 *
 * <p>In this runtime a G's stack is a {@code jdk.internal.vm.Continuation} ({@link G.Stack}), an M
 * is a platform thread and its own thread stack is g0. The scheduler loop ({@link #schedule},
 * {@link #findRunnable}, {@link #execute}) always runs on g0. A goroutine gives the thread back only
 * through {@link #mcall}: it yields its continuation, and g0, back from {@link #gogo}, runs the
 * function mcall left behind ({@code goexit0}, and in later chapters {@code park_m},
 * {@code gosched_m}) before it looks for the next G. In Go, {@code schedule} never returns: each
 * mcall function ends by calling it again, a chain of tail calls on g0. Java has no tail calls, so
 * here that chain is the loop in {@link #mstart}.
 *
 * <p>Start-up follows Go's {@code rt0_go}: {@link #schedinit} binds the calling thread as m0, picks
 * GOMAXPROCS and makes the Ps ({@link #procresize}: m0 takes p0, the others go idle); {@link #newmain}
 * creates the main goroutine (goid 1); {@link #mstart} enters the scheduler loop. When main returns,
 * a Go process exits: here {@link #exit} stops every M at its next scheduling point, m0's loop
 * returns, and {@link GoRuntime#run} returns to its caller.
 *
 * <h2>Dying</h2>
 * Any uncaught exception in a goroutine, any exception on a g0 loop (a scheduler bug or a learner's
 * stub) and {@link GoRuntime#abort} end the program: {@link #crash} records the first reason, every
 * M stops, and run() rethrows it. A goroutine cannot be stopped from outside (a continuation has no
 * asynchronous preemption), so an M whose goroutine spins without ever calling into the runtime
 * exits only when that goroutine does; every other M exits promptly.
 *
 * <h2>Locks and access modes</h2>
 * {@code sched.lock} guards the idle lists (and, from chapter 03, the global run queue). allgs is
 * guarded by its own monitor (Go's allglock). {@link #exiting} is volatile: it is the one flag every
 * M polls. Status words and queue indices use explicit VarHandle modes in the classes that own them.
 */
final class Proc {
    /**
     * The most Ps this runtime allows: a safety limit of ours. Go has had no upper limit since 1.10
     * (its old _MaxGomaxprocs was 1024, the value kept here).
     */
    static final int MAX_GOMAXPROCS = 1024;

    final GoRuntime.Config config;
    final Sched sched = new Sched();
    /** The runtime's name in thread names: gmp-<id>-M<n>. */
    final String threadPrefix;

    /** All Ps, index = id (Go's allp). Written by procresize only. */
    P[] allp = new P[0];
    /** GOMAXPROCS: the number of Ps. */
    int gomaxprocs;
    /** The M of the thread that called run(). */
    M m0;
    /** The main goroutine (goid 1). */
    G mainG;
    /** Every M ever created (Go's allm). */
    final List<M> allm = new CopyOnWriteArrayList<>();
    /** Every G ever created, dead ones included (Go's allgs); guarded by its own monitor. */
    private final List<G> allgs = new ArrayList<>();

    /** When the runtime started: schedtrace's time origin. */
    final long startNanos = System.nanoTime();
    /** Set once the program is over (main returned, or it crashed): every M stops at its next schedule. */
    volatile boolean exiting;
    /** Why the program died, or null: the first reason wins. */
    private final AtomicReference<Throwable> crash = new AtomicReference<>();

    Proc(GoRuntime.Config config, String threadPrefix) {
        this.config = config;
        this.threadPrefix = threadPrefix;
    }

    // ---------------------------------------------------------------------------------------------
    // Bootstrap (chapter 01)

    /**
     * Bootstraps the runtime on the calling thread and runs {@code main} (Go: rt0_go, asm_amd64.s).
     * Returns when main has returned; throws why the program died if it did.
     */
    void rt0go(Runnable main) {
        try {
            schedinit();
            mainG = newmain(main);
            mstart();
        } catch (Throwable t) {
            crash(t);
        } finally {
            exit();
            joinMs();
            if (m0 != null) {
                m0.unminit();
            }
        }
        Throwable t = crash.get();
        if (t instanceof RuntimeException re && (t instanceof ProgramCrash || t instanceof NotImplementedYet)) {
            throw re;
        }
        if (t != null) {
            throw ProgramCrash.fatal(t.toString(), goroutineDump(), t);
        }
    }

    /**
     * Initialises the scheduler on the calling thread (Go: schedinit, proc.go).
     * Makes this thread m0 (mcommoninit gives it id 0 and puts it on allm; minit binds the thread to
     * it), chooses GOMAXPROCS with {@link #gomaxprocs(Integer, Map, int)}, and makes the Ps with
     * {@link #procresize}. Afterwards m0 holds p0 and the other Ps are idle.
     */
    void schedinit() {
        // TODO(ch01): make the calling thread m0: allocm() an M, then mcommoninit(it) and it.minit().
        //             Then pick the number of Ps with gomaxprocs(...) and make them with procresize(n).
        //             Read docs/en/01-bootstrap.md#schedinit
        throw new gmp.runtime.NotImplementedYet("ch01", "schedinit", "docs/en/01-bootstrap.md#schedinit");
    }

    /**
     * Go's rule for the number of Ps (schedinit, Go 1.23): an explicit setting wins; else the
     * GOMAXPROCS environment variable when it parses as a positive integer (anything else is
     * ignored, as Go ignores it); else the number of CPUs.
     */
    static int gomaxprocs(Integer configured, Map<String, String> env, int ncpu) {
        // TODO(ch01): return `configured` when it is set; else GOMAXPROCS from env if it is a positive int;
        //             else ncpu. (Ignore a GOMAXPROCS that is empty, zero, negative or not a number.)
        //             Read docs/en/01-bootstrap.md#gomaxprocs
        throw new gmp.runtime.NotImplementedYet("ch01", "gomaxprocs", "docs/en/01-bootstrap.md#gomaxprocs");
    }

    /**
     * Sets the number of Ps to {@code nprocs} at start-up (Go: procresize, proc.go; we only ever
     * grow from zero, while Go can also shrink at a stop-the-world).
     * Makes allp[0..nprocs), each P's status set by p.init; the current M (m0) acquires p0; every
     * other P becomes _Pidle and goes on the idle list, pushed from the highest id down so that
     * the list reads p1, p2, ... as in Go.
     */
    void procresize(int nprocs) {
        if (nprocs < 1 || nprocs > MAX_GOMAXPROCS) {
            throw new IllegalArgumentException("procresize: invalid GOMAXPROCS " + nprocs
                    + " (want 1.." + MAX_GOMAXPROCS + ")");
        }
        // TODO(ch01): fill allp with nprocs new P(i); set gomaxprocs. The current M (getm()) takes allp[0]:
        //             set it _Pidle, then acquirep it. Every other P, from nprocs-1 down to 1: _Pidle, pidleput.
        //             Read docs/en/01-bootstrap.md#procresize
        throw new gmp.runtime.NotImplementedYet("ch01", "procresize", "docs/en/01-bootstrap.md#procresize");
    }

    /**
     * Associates P {@code pp} with the current M (Go: acquirep/wirep). The P must be idle and have no
     * M; afterwards it is _Prunning and m.p/p.m point at each other.
     */
    void acquirep(P pp) {
        M mp = getm();
        if (mp.p != null || pp.m != null || pp.status != P._Pidle) {
            throw new IllegalStateException("acquirep: invalid state: " + mp + ".p=" + mp.p + ", " + pp
                    + ".m=" + pp.m + ", " + pp + ".status=" + P.statusName(pp.status) + " (want no P, no M, idle)");
        }
        // TODO(ch01): link mp.p and pp.m to each other and mark pp _Prunning.
        //             Read docs/en/01-bootstrap.md#acquirep
        throw new gmp.runtime.NotImplementedYet("ch01", "acquirep", "docs/en/01-bootstrap.md#acquirep");
    }

    /** Dissociates the current M from its P and returns the P, now _Pidle (Go: releasep). */
    P releasep() {
        M mp = getm();
        P pp = mp.p;
        if (pp == null || pp.m != mp || pp.status != P._Prunning) {
            throw new IllegalStateException("releasep: invalid state: " + mp + ".p=" + pp);
        }
        mp.p = null;
        pp.m = null;
        pp.status = P._Pidle;
        return pp;
    }

    /** Puts {@code pp} on the idle P list (Go: pidleput). sched.lock must be held; pp must be idle with an empty run queue. */
    void pidleput(P pp) {
        assertSchedLocked("pidleput");
        // TODO(ch01): push pp on the front of sched.pidle (linked through p.link) and count it in sched.npidle.
        //             Read docs/en/01-bootstrap.md#pidleput
        throw new gmp.runtime.NotImplementedYet("ch01", "pidleput", "docs/en/01-bootstrap.md#pidleput");
    }

    /** Takes a P off the idle list, or returns null (Go: pidleget). sched.lock must be held. */
    P pidleget() {
        assertSchedLocked("pidleget");
        // TODO(ch01): pop the front of sched.pidle (null when empty), unlink it and uncount it.
        //             Read docs/en/01-bootstrap.md#pidleput
        throw new gmp.runtime.NotImplementedYet("ch01", "pidleget", "docs/en/01-bootstrap.md#pidleput");
    }

    /**
     * Creates the main goroutine and hands it to p0 (Go: rt0_go calls newproc(runtime.main), which
     * puts the new G in p0's runnext). Chapter 02 writes the general newproc; main takes this
     * shorter path so that chapter 01 runs without it.
     */
    G newmain(Runnable main) {
        G gp = malg();
        // TODO(ch01): take the next goid from sched.goidgen (main is 1), set gp.fn to run main and then
        //             exit(); move gp _Gidle -> _Gdead -> _Grunnable (casgstatus) and put it in p0's runnext.
        //             Read docs/en/01-bootstrap.md#newmain
        throw new gmp.runtime.NotImplementedYet("ch01", "newmain", "docs/en/01-bootstrap.md#newmain");
    }

    // ---------------------------------------------------------------------------------------------
    // The scheduler loop (chapter 01)

    /**
     * Runs the scheduler on the current M until the program is over (Go: mstart/mstart1; called on
     * g0). An M other than m0 first acquires the P it was started for (m.nextp).
     */
    void mstart() {
        M mp = getm();
        // TODO(ch01): if mp is not m0, acquirep(mp.nextp) and clear nextp. Then call schedule() until it
        //             returns false (Go's schedule never returns; here each round returns to this loop).
        //             Read docs/en/01-bootstrap.md#mstart
        throw new gmp.runtime.NotImplementedYet("ch01", "mstart", "docs/en/01-bootstrap.md#mstart");
    }

    /**
     * One round of the scheduler on g0: find a runnable goroutine and run it until it switches
     * back (Go: schedule, proc.go). Returns false when the program is over.
     */
    boolean schedule() {
        // TODO(ch01): findRunnable(); null means the program is over (return false). Else execute the G it
        //             picked, with its inheritTime, and return true.
        //             Read docs/en/01-bootstrap.md#schedule
        throw new gmp.runtime.NotImplementedYet("ch01", "schedule", "docs/en/01-bootstrap.md#schedule");
    }

    /** What findRunnable and runqget return: a G and whether it inherits the current time slice. */
    record Pick(G gp, boolean inheritTime) {
    }

    /**
     * Finds a goroutine to run, blocking until there is one; null once the program is over
     * (Go: findRunnable, proc.go). Chapter 01 looks only at the P's runnext; later chapters add
     * the local queue, the global queue, stealing, timers and the network poller, in Go's order.
     */
    Pick findRunnable() {
        M mp = getm();
        for (;;) {
            if (exiting) {
                return null;
            }
            Pick pick = runqget(mp.p);
            if (pick != null) {
                return pick;
            }
            stopm();
        }
    }

    /**
     * Takes a G from pp's local queue: runnext first, which inherits the time slice (Go: runqget).
     * Called by the P's owner.
     */
    Pick runqget(P pp) {
        G next = pp.lvRunnext();
        // A failed CAS can only mean another P took it (chapter 04); then try the queue.
        if (next != null && pp.casRunnext(next, null)) {
            return new Pick(next, true);
        }
        return null;
    }

    /**
     * Puts the current M to sleep until another thread wakes it (Go: stopm). Chapter 04 gives it its
     * full job (the idle M list, handing over a P on wake-up).
     */
    void stopm() {
        M mp = getm();
        if (exiting) {
            return;
        }
        mp.park.sleep();
        mp.park.clear();
    }

    /**
     * Starts running {@code gp} on the current M (Go: execute, proc.go; called on g0). gp must be
     * _Grunnable: it becomes the M's curg and _Grunning. A G that starts a new time slice counts a
     * tick of the P (schedtick); one that inherits the slice (runnext) does not. Then gogo.
     */
    void execute(G gp, boolean inheritTime) {
        M mp = getm();
        // TODO(ch01): make gp mp's curg and mp gp's m; casgstatus gp _Grunnable -> _Grunning; count a
        //             schedtick on mp.p unless inheritTime; then gogo(gp).
        //             Read docs/en/01-bootstrap.md#execute
        throw new gmp.runtime.NotImplementedYet("ch01", "execute", "docs/en/01-bootstrap.md#execute");
    }

    /**
     * Switches from g0 to gp's stack and runs it until it calls {@link #mcall}; then, back on g0,
     * runs the function mcall left in m.mcallfn (Go: gogo, asm_amd64.s, plus the g0 half of mcall).
     */
    void gogo(G gp) {
        // TODO(ch01): run gp.stack (Continuation.run returns when the goroutine yields in mcall). Then take
        //             the current M's mcallfn, clear it, and call it with gp.
        //             Read docs/en/01-bootstrap.md#gogo
        throw new gmp.runtime.NotImplementedYet("ch01", "gogo", "docs/en/01-bootstrap.md#gogo");
    }

    /**
     * Switches from the current goroutine to g0 and has g0 run {@code fn(gp)} (Go: mcall).
     * Called on a goroutine; returns when the goroutine is scheduled again (possibly on another M).
     */
    static void mcall(Consumer<G> fn) {
        M mp = M.current();
        mp.mcallfn = fn;
        try {
            Continuation.yield(G.SCOPE);
        } catch (RuntimeException pinned) {
            mp.mcallfn = null;
            throw pinned;
        }
    }

    /** What a goroutine's stack runs: one function per life of its G, each ending in goexit1. */
    void goroutineBody(G gp) {
        for (;;) {
            Runnable f = gp.fn;
            gp.fn = null;
            try {
                f.run();
            } catch (Throwable t) {
                fatalpanic(gp, t);
            }
            goexit1();
        }
    }

    /** The end of every goroutine: switch to g0 and let it finish the G (Go: goexit1). */
    void goexit1() {
        mcall(this::goexit0);
    }

    /**
     * Finishes a goroutine that has exited (Go: goexit0/gdestroy; called on g0). gp becomes _Gdead
     * with no M and no wait reason, the M's curg is cleared (dropg), and gp goes to the P's free
     * list for reuse (gfput, chapter 02).
     */
    void goexit0(G gp) {
        M mp = getm();
        // TODO(ch01): casgstatus gp _Grunning -> _Gdead; clear gp.m and gp.waitreason; dropg (mp.curg = null);
        //             then gfput(mp.p, gp).
        //             Read docs/en/01-bootstrap.md#goexit0
        throw new gmp.runtime.NotImplementedYet("ch01", "goexit0", "docs/en/01-bootstrap.md#goexit0");
    }

    /** Puts a dead G on pp's free list (Go: gfput). Until chapter 02 a dead G is simply dropped. */
    void gfput(P pp, G gp) {
        // Chapter 02 keeps dead Gs for reuse.
    }

    // ---------------------------------------------------------------------------------------------
    // Helpers the chapters use

    /** The current thread's M (Go: getg().m). */
    M getm() {
        M mp = M.current();
        if (mp == null || mp.proc != this) {
            throw new IllegalStateException("not on one of this runtime's threads");
        }
        return mp;
    }

    /** The current goroutine, or the M's g0 when called on the scheduler's own stack (Go: getg). */
    static G getg() {
        M mp = M.current();
        if (mp == null) {
            return null;
        }
        return Continuation.getCurrentContinuation(G.SCOPE) == null ? mp.g0 : mp.curg;
    }

    /** Allocates a fresh G with a stack, _Gidle, and records it in allgs (Go: malg + allgadd). */
    G malg() {
        G gp = new G(this);
        synchronized (allgs) {
            allgs.add(gp);
        }
        return gp;
    }

    /** Allocates an M (Go: allocm); it gets its id in mcommoninit. */
    M allocm() {
        lockSched();
        try {
            return new M(this, sched.mnext++);
        } finally {
            sched.lock.unlock();
        }
    }

    /** Registers a new M on allm (Go: mcommoninit). */
    void mcommoninit(M mp) {
        allm.add(mp);
    }

    /**
     * Changes gp's status from oldval to newval, or fails loudly: a status that is not what the
     * caller expects is a scheduler bug (Go: casgstatus throws).
     */
    static void casgstatus(G gp, int oldval, int newval) {
        if (!gp.casStatus(oldval, newval)) {
            throw new IllegalStateException("casgstatus: " + gp + " has status " + G.statusName(gp.status())
                    + ", expected " + G.statusName(oldval) + " (moving it to " + G.statusName(newval) + ")");
        }
    }

    void lockSched() {
        sched.lock.lock();
    }

    private void assertSchedLocked(String who) {
        if (!sched.lock.isHeldByCurrentThread()) {
            throw new IllegalStateException(who + ": sched.lock must be held");
        }
    }

    /** A snapshot of allgs. */
    List<G> allgs() {
        synchronized (allgs) {
            return List.copyOf(allgs);
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Exit and crash

    /** The program is over: stop every M at its next scheduling point and wake the sleeping ones. */
    void exit() {
        exiting = true;
        for (M mp : allm) {
            mp.park.wakeup();
        }
    }

    /** Records why the program died (the first reason wins) and ends it. */
    void crash(Throwable why) {
        crash.compareAndSet(null, why);
        exit();
    }

    /** An uncaught exception on goroutine gp (Go: fatalpanic, after no recover). */
    void fatalpanic(G gp, Throwable t) {
        crash(t instanceof NotImplementedYet ? t : ProgramCrash.panic(gp.goid, t));
    }

    /** Why the program died, or null. */
    Throwable crashed() {
        return crash.get();
    }

    /** Waits (boundedly) for every M but m0 to leave; a goroutine that never yields keeps its M. */
    private void joinMs() {
        for (M mp : allm) {
            Thread t = mp.thread;
            if (mp != m0 && t != null && t != Thread.currentThread()) {
                try {
                    t.join(1000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    /**
     * Go's GODEBUG=schedtrace line, and with {@code detailed} the scheddetail lines for every P, M
     * and G (Go: schedtrace, proc.go, Go 1.23 format). Read without stopping anything, as Go does:
     * a snapshot that may be slightly inconsistent. Counters of later chapters read 0 until they exist.
     */
    String schedtrace(boolean detailed) {
        long ms = (System.nanoTime() - startNanos) / 1_000_000;
        StringBuilder b = new StringBuilder();
        b.append("SCHED ").append(ms).append("ms: gomaxprocs=").append(gomaxprocs)
                .append(" idleprocs=").append(sched.npidle.get())
                .append(" threads=").append(allm.size())
                .append(" spinningthreads=0 needspinning=0")
                .append(" idlethreads=").append(sched.nmidle)
                .append(" runqueue=0");
        if (detailed) {
            b.append(" gcwaiting=false nmidlelocked=0 stopwait=0 sysmonwait=false\n");
            for (P pp : allp) {
                M mp = pp.m;
                b.append("  P").append(pp.id).append(": status=").append(pp.status)
                        .append(" schedtick=").append(pp.schedtick).append(" syscalltick=").append(pp.syscalltick)
                        .append(" m=").append(mp == null ? "nil" : String.valueOf(mp.id))
                        .append(" runqsize=0 gfreecnt=0 timerslen=0\n");
            }
            for (M mp : allm) {
                P pp = mp.p;
                G curg = mp.curg;
                b.append("  M").append(mp.id).append(": p=").append(pp == null ? "nil" : String.valueOf(pp.id))
                        .append(" curg=").append(curg == null ? "nil" : String.valueOf(curg.goid))
                        .append(" mallocing=0 throwing=0 preemptoff= locks=0 dying=0 spinning=false blocked=")
                        .append(mp.park.sleeping()).append(" lockedg=nil\n");
            }
            for (G gp : allgs()) {
                M mp = gp.m;
                b.append("  G").append(gp.goid).append(": status=").append(gp.status())
                        .append('(').append(gp.waitreason).append(") m=")
                        .append(mp == null ? "nil" : String.valueOf(mp.id)).append(" lockedm=nil\n");
            }
        } else {
            b.append(" [");
            for (int i = 0; i < allp.length; i++) {
                b.append(i == 0 ? "" : " ").append(0);
            }
            b.append("]\n");
        }
        return b.toString();
    }

    /**
     * Every goroutine that is not dead, one line each, Go's traceback headers:
     * {@code goroutine 1 [running]:}, {@code goroutine 7 [chan receive]:}.
     */
    String goroutineDump() {
        StringBuilder b = new StringBuilder();
        for (G gp : allgs()) {
            int s = gp.status();
            if (s == G._Gdead || s == G._Gidle) {
                continue;
            }
            String state = s == G._Gwaiting && !gp.waitreason.isEmpty() ? gp.waitreason : G.statusName(s);
            b.append("goroutine ").append(gp.goid).append(" [").append(state).append("]:");
            if (gp.m != null) {
                b.append(" on ").append(gp.m);
            }
            if (gp.parentGoid != 0) {
                b.append(", created by goroutine ").append(gp.parentGoid);
            }
            b.append('\n');
        }
        return b.toString();
    }
}
