package gmp.runtime;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Predicate;

import gmp.runtime.trace.EventKind;
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
 * asynchronous preemption): it is abandoned at its next safepoint (chapter 06, {@link Preempt}), so
 * an M whose goroutine spins in code with no safepoint exits only when that goroutine does; every
 * other M exits promptly.
 *
 * <h2>Interrupts</h2>
 * Go has no thread interrupts, and a goroutine has no thread of its own to interrupt. Java code in a
 * goroutine may still set its thread's interrupt flag (re-asserting it after catching an
 * InterruptedException, say), and that flag then stays set on the M. It lasts for the rest of the
 * goroutine's time slice, where Java code may see it, and no longer: findRunnable clears it on g0
 * before every round, so the scheduler's own waits (an idle M's note, netpoll's sleep) never return
 * early for it and spin, and it cannot reach the thread that called run(), whose own flag
 * rt0go sets aside and puts back.
 *
 * <h2>Locks and access modes</h2>
 * {@code sched.lock} guards the idle lists (and, from chapter 03, the global run queue). allgs is
 * guarded by its own monitor (Go's allglock). {@link #exiting} is volatile: it is the one flag every
 * M polls. Status words and queue indices use explicit VarHandle modes in the classes that own them.
 */
final class Proc {
    /**
     * The most Ps this runtime allows: a safety limit of ours. Go has had no upper limit since 1.10
     * (its old _MaxGomaxprocs was 1024, the value kept here). GoRuntime.Config applies it, to an
     * explicit setting and to the environment's GOMAXPROCS alike, when the runtime is built.
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

    /** Set when main starts running (Go: mainStarted): from then on, a go statement may wake an idle P. */
    volatile boolean mainStarted;
    /**
     * Explicit-step mode, for tests that drive the scheduler one time slice at a time from the test
     * thread: findRunnable returns null instead of sleeping when there is nothing to run.
     */
    boolean stepping;
    /** schedtrace's time origin: its first call, as in Go (so the first line says 0ms); 0 until then. */
    private long traceStartNanos;
    /** The GODEBUG settings this runtime honours. */
    final GoDebug debug;
    /** The network poller (chapter 08); its selector is made on the first network call. */
    final Netpoll netpoll = new Netpoll(this);
    /** The system monitor (chapter 06); null until main starts it. */
    volatile Sysmon sysmon;
    /** Set once the program is over (main returned, or it crashed): every M stops at its next schedule. */
    volatile boolean exiting;
    /** 0, then 1 while exit counts this runtime in the safepoint poll word, then 2 (Preempt.exiting). */
    final AtomicInteger shutdownPolls = new AtomicInteger();
    /** Why the program died, or null: the first reason wins. */
    private final AtomicReference<Throwable> crash = new AtomicReference<>();
    /** The execution trace, or null when tracing is off: every emit point tests it (Trace says why). */
    final Trace trace;

    Proc(GoRuntime.Config config, String threadPrefix, Trace trace) {
        this.config = config;
        this.threadPrefix = threadPrefix;
        this.debug = GoDebug.parse(config.env().get("GODEBUG"));
        this.trace = trace;
    }

    // ---------------------------------------------------------------------------------------------
    // Bootstrap (chapter 01)

    /**
     * Bootstraps the runtime on the calling thread and runs {@code main} (Go: rt0_go, asm_amd64.s).
     * Returns when main has returned; throws why the program died if it did.
     */
    void rt0go(Runnable main) {
        // The caller's interrupt flag is the caller's: put aside while its thread is m0, back on return.
        boolean callerInterrupted = Thread.interrupted();
        try {
            schedinit();
            checkm0p0();
            mainG = newmain(() -> runtimeMain(main));
            mainStarted = true;
            mstart();
        } catch (Throwable t) {
            crash(t);
        } finally {
            exit();
            joinMs();
            netpoll.shutdown();
            Preempt.exited(this);
            if (trace != null) {
                trace.finish(gomaxprocs);
            }
            if (m0 != null) {
                m0.unminit();
            }
            Thread.interrupted();
            if (callerInterrupted) {
                Thread.currentThread().interrupt();
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
     * After schedinit, m0 must be running p0: everything after it (newmain's runnext, mstart's
     * schedule) uses m0's P. Go's acquirep/wirep throws when the binding goes wrong; a runtime that
     * went on without it would only hang, so this says what is missing at once.
     */
    private void checkm0p0() {
        P p0 = allp == null || allp.length == 0 ? null : allp[0];
        if (p0 == null || m0 == null || m0.p != p0 || p0.m != m0 || p0.status != P._Prunning) {
            throw new IllegalStateException("schedinit: m0 must hold p0 when it returns (m0.p == allp[0], allp[0].m"
                    + " == m0, p0 _Prunning), but m0.p = " + (m0 == null ? "no m0" : m0.p) + ", p0 = " + p0
                    + (p0 == null ? "" : " (m " + p0.m + ", " + P.statusName(p0.status) + ")")
                    + ": procresize ends with acquirep(allp[0]). Read docs/en/01-bootstrap.md#acquirep"
                    + " (Go: procresize, acquirep, wirep)");
        }
    }

    /** What the main goroutine runs (Go: runtime.main): the start-up, sysmon, then main (Startup). */
    private void runtimeMain(Runnable main) {
        Startup.runtimeMain(this, main);
    }

    /**
     * Initialises the scheduler on the calling thread (Go: schedinit, proc.go).
     * Makes this thread m0 (mcommoninit gives it id 0 and puts it on allm; minit binds the thread to
     * it), chooses GOMAXPROCS with {@link #gomaxprocs(Integer, Map, int)}, and makes the Ps with
     * {@link #procresize}. Afterwards m0 holds p0 and the other Ps are idle.
     */
    void schedinit() {
        sched.lastpoll.set(nanotime());
        // TODO(ch01): make the calling thread m0: allocm() an M, then mcommoninit(it) and it.minit().
        //             Then pick the number of Ps with gomaxprocs(config.gomaxprocs(), config.env(),
        //             config.ncpu()) and make them with procresize(n).
        //             Read docs/en/01-bootstrap.md#schedinit
        throw new gmp.runtime.NotImplementedYet("ch01", "schedinit", "docs/en/01-bootstrap.md#schedinit");
    }

    /**
     * Go's rule for the number of Ps (schedinit, Go 1.23): an explicit setting wins; else the
     * GOMAXPROCS environment variable when {@link #atoi32} reads it as a positive number (anything
     * else is ignored, as Go ignores it); else the number of CPUs.
     */
    static int gomaxprocs(Integer configured, Map<String, String> env, int ncpu) {
        // TODO(ch01): return `configured` when it is set; else GOMAXPROCS from env if atoi32 reads it as a
        //             positive number; else ncpu. (Ignore a GOMAXPROCS that is empty, zero, negative or not a
        //             number: atoi32 returns -1 for what Go's parser refuses.)
        //             Read docs/en/01-bootstrap.md#gomaxprocs
        throw new gmp.runtime.NotImplementedYet("ch01", "gomaxprocs", "docs/en/01-bootstrap.md#gomaxprocs");
    }

    /**
     * Go's runtime atoi32 (string.go) for the non-negative numbers GOMAXPROCS wants: ASCII digits
     * only, an optional '-' and nothing else (no '+', no spaces, no other scripts' digits, which
     * Java's parseInt accepts), within int32. Returns the number, 0 for a negative one (Go parses it;
     * schedinit ignores it), or -1 when Go's parser refuses the string; null counts as unset.
     */
    static int atoi32(String s) {
        if (s == null || s.isEmpty()) {
            return -1;
        }
        boolean neg = s.charAt(0) == '-';
        int start = neg ? 1 : 0;
        if (start == s.length()) {
            return -1;
        }
        long n = 0;
        for (int i = start; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            n = n * 10 + (c - '0');
            if (n > (neg ? -(long) Integer.MIN_VALUE : Integer.MAX_VALUE)) {
                return -1;
            }
        }
        return neg ? 0 : (int) n;
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
        stealOrder.reset(nprocs);
        if (trace != null) {
            trace.procs(nprocs);
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
        if (trace != null) {
            trace.proc(mp, pp, EventKind.ProcStart); // recorded in pp's buffer, which mp now takes over
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
        if (trace != null) {
            trace.proc(mp, pp, EventKind.ProcStop);
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
        // TODO(ch01): if mp is not m0, acquirep(mp.nextp) and clear nextp. Then call schedule(mp) until it
        //             returns false (Go's schedule never returns; here each round returns to this loop).
        //             Read docs/en/01-bootstrap.md#mstart
        throw new gmp.runtime.NotImplementedYet("ch01", "mstart", "docs/en/01-bootstrap.md#mstart");
    }

    /**
     * One round of the scheduler on mp's g0: find a runnable goroutine and run it until it switches
     * back (Go: schedule, proc.go). Returns false when the program is over.
     *
     * <p>Go's scheduler functions find their M as {@code getg().m}, a register read. Here that
     * lookup is a call the JIT must not inline ({@link M#current} says why), so the functions of the
     * g0 loop, which never leaves its thread, take their M as a parameter from mstart instead.
     */
    boolean schedule(M mp) {
        // TODO(ch01): findRunnable(mp); null means the program is over (return false). Else execute the G
        //             it picked on mp, with its inheritTime, and return true.
        //             Read docs/en/01-bootstrap.md#schedule
        throw new gmp.runtime.NotImplementedYet("ch01", "schedule", "docs/en/01-bootstrap.md#schedule");
    }

    /** What findRunnable and runqget return: a G and whether it inherits the current time slice. */
    record Pick(G gp, boolean inheritTime) {
    }

    /**
     * Finds a goroutine for mp to run, blocking until there is one; null once the program is over
     * (Go: findRunnable, proc.go). The order is Go's: every 61st time slice the global queue first
     * (fairness), then the local queue (runnext, then the ring), then a batch from the global queue.
     * Later chapters add stealing, timers and the network poller in the places Go has them.
     */
    Pick findRunnable(M mp) {
        for (;;) {
            // A goroutine's interrupt flag ends with its time slice ("Interrupts" in the top comment):
            // taken off the thread here, on g0, before any of the scheduler's own waits can see it.
            Thread.interrupted();
            if (exiting) {
                return null;
            }
            P pp = mp.p;
            if (mp.nextg != null) {
                // park_m cancelled a park: run the G again at once, in its own time slice (Go: park_m
                // calls execute(gp, true); Java has no tail call, so it comes back through here), or
                // exitsyscall0 found a P: run the G in a new slice (Go: execute(gp, false)).
                G gp = mp.nextg;
                boolean inherit = !mp.nextgNewSlice;
                mp.nextg = null;
                mp.nextgNewSlice = false;
                return new Pick(gp, inherit);
            }
            checkTimers(pp, 0);
            // TODO(ch03): every 61st time slice (pp.schedtick % SCHED_FAIRNESS_TICKS == 0) and when the global
            //             queue is not empty, take ONE G from it (globrunqget(pp, 1) under sched.lock) and
            //             return it with inheritTime false.
            //             Read docs/en/03-global-runq.md#fairness
            // Chapter 03: the fairness check goes here.
            Pick pick = runqget(pp);
            if (pick != null) {
                return pick;
            }
            if (sched.runqsize > 0) {
                G gp;
                lockSched();
                try {
                    gp = globrunqget(pp, 0);
                } finally {
                    sched.lock.unlock();
                }
                if (gp != null) {
                    return new Pick(gp, false);
                }
            }
            // The network, before stealing: cheaper than a steal, and only if some goroutine waits on
            // it and no M is blocked in netpoll already (that one reports what is ready). Chapter 08.
            if (netpoll.netpollinited() && netpoll.netpollAnyWaiters() && sched.lastpoll.get() != 0) {
                G gp = netpoll.runPolled(netpoll.netpoll(0));
                if (gp != null) {
                    return new Pick(gp, false);
                }
            }
            // TODO(ch04): steal, but only if this M is already spinning or fewer than half the busy Ps have a
            //             spinning M (2 * nmspinning < gomaxprocs - npidle): becomeSpinning if not yet, then
            //             stealWork(pp); return what it found (a stolen G starts a new time slice).
            //             Read docs/en/04-stealing.md#steal
            // Chapter 04: work stealing goes here.
            if (stepping) {
                return null;
            }
            // TODO(ch04): give up the P and sleep, without losing a wake-up (read the doc's "delicate dance"):
            //             under sched.lock, take a global batch if there is one; if this M is not spinning and
            //             needspinning is set, becomeSpinning and start over; else releasep + pidleput. Then, if
            //             this M was spinning: stop spinning (decrement nmspinning: the StoreLoad barrier), and
            //             re-check the global queue and every P's run queue, taking an idle P back if there is
            //             work. (The stopm() after this block then parks the M until it is handed a P.)
            //             Read docs/en/04-stealing.md#stopm-dance
            mp.park.sleep(); // until chapter 04: sleep, holding the P, until the program ends
            mp.park.clear();
            if (mp.p != null) {
                continue; // this M kept its P: start over (the rest is chapter 04's and 05's)
            }
            // TODO(ch05): with no P and nothing to run, sleep until the earliest timer of any P instead of
            //             forever: if timeSleepUntil() gives a deadline (or, from chapter 08, goroutines wait on
            //             the network: netpoll.netpollAnyWaiters()) and no other M is in netpoll (swap
            //             sched.lastpoll to 0; it was non-zero), set sched.pollUntil, list = netpoll.netpoll(
            //             deadline - now, or -1 with no deadline), store lastpoll = now again, then take an idle
            //             P (pidleget under sched.lock). With one: acquirep it, and if netpoll.runPolled(list)
            //             gives a G, return it (a new slice); else start over. Without: netpoll.injectPolled(
            //             list). If another M is in netpoll but would sleep past our deadline, netpollBreak().
            //             (Until chapter 08 netpoll only sleeps, and its list is empty.)
            //             Read docs/en/05-parking.md#idle-timers
            // Chapter 05: sleep until the earliest timer goes here.
            stopm();
        }
    }

    // ---------------------------------------------------------------------------------------------
    // The go statement and the local run queue (chapter 02)

    /**
     * How many goids a P takes from sched.goidgen at once (Go: _GoidCacheBatch = 16). One atomic add
     * per 16 go statements keeps the shared counter from becoming a point of contention.
     */
    static final int GOID_CACHE_BATCH = 16;
    /** gfput spills a P's free list to the global one when it holds this many dead Gs (Go: 64)... */
    static final int GFREE_SPILL_AT = 64;
    /** ...until fewer than this many remain; gfget refills an empty list up to this many (Go: 32). */
    static final int GFREE_KEEP = 32;

    /**
     * The go statement: creates a goroutine that will run {@code fn} and puts it in the current P's
     * runnext, so it runs next on this P (Go: newproc). Once main has started, wakes an idle P in
     * case it can run the new G in parallel (wakep, chapter 04). Called on a goroutine (or on g0).
     */
    void newproc(Runnable fn) {
        // TODO(ch02): newproc1(fn, the current G: getg()) makes the G; runqput it on the caller's P (the
        //             caller G's m.p) with next = true; then, if mainStarted, wakep().
        //             Read docs/en/02-local-runq.md#newproc
        throw new gmp.runtime.NotImplementedYet("ch02", "newproc", "docs/en/02-local-runq.md#newproc");
    }

    /**
     * Makes a _Grunnable G that will run fn (Go: newproc1). Reuses a dead G from the P's free list
     * when there is one (gfget), else allocates one (malg) and moves it _Gidle -> _Gdead. The goid
     * comes from the P's cached batch [goidcache, goidcacheend), refilled GOID_CACHE_BATCH at a time
     * from sched.goidgen. Records the caller's goid as the parent. Ends _Gdead -> _Grunnable.
     */
    G newproc1(Runnable fn, G callergp) {
        P pp = callergp.m.p;
        // TODO(ch02): gfget(pp), or malg() + casgstatus _Gidle -> _Gdead. Set fn and parentGoid. When the
        //             P's goid batch is used up, take GOID_CACHE_BATCH ids from sched.goidgen (one addAndGet):
        //             the batch is [new goidgen - 15, new goidgen], so goidcache = new goidgen - 15 and goidcacheend
        //             = new goidgen + 1 (the end is exclusive). Hand out pp.goidcache++. Then _Gdead -> _Grunnable.
        //             Read docs/en/02-local-runq.md#newproc1
        throw new gmp.runtime.NotImplementedYet("ch02", "newproc1", "docs/en/02-local-runq.md#newproc1");
    }

    /**
     * Puts gp on pp's local run queue (Go: runqput). With {@code next}, gp goes into runnext and the
     * G that was there, if any, is kicked to the tail of the ring instead. When the ring is full,
     * runqputslow moves half of it, with gp, to the global queue. Called only by pp's owner.
     */
    void runqput(P pp, G gp, boolean next) {
        // TODO(ch02): if next: CAS runnext from its old value to gp (retry until it sticks); if the old value
        //             was null you are done, else continue with the old G as gp. Then, in a loop: h = laHead(),
        //             t = lpTail(); if t - h < RUNQ_SIZE, store gp in runq[t & MASK] and srTail(t + 1); else
        //             runqputslow(pp, gp, h, t), and retry if it returns false.
        //             Read docs/en/02-local-runq.md#runqput
        throw new gmp.runtime.NotImplementedYet("ch02", "runqput", "docs/en/02-local-runq.md#runqput");
    }

    /**
     * Moves the oldest half of pp's full ring, then gp, to the tail of the global queue, in that
     * order (Go: runqputslow). Returns false if a thief moved head meanwhile: the caller retries.
     */
    boolean runqputslow(P pp, G gp, int h, int t) {
        int n = (t - h) / 2;
        if (n != P.RUNQ_SIZE / 2) {
            throw new IllegalStateException("runqputslow: queue is not full (" + (t - h) + " of " + P.RUNQ_SIZE
                    + " slots in use): runqput must keep using the ring while t - h < RUNQ_SIZE and call runqputslow"
                    + " only when all " + P.RUNQ_SIZE + " are taken. Read docs/en/02-local-runq.md#runqput (Go: runqput)");
        }
        // TODO(ch02): copy runq[h .. h+n-1] (masked) into a batch of n + 1; claim them with casRelHead(h, h + n)
        //             (return false if it fails); put gp last; link the batch through schedlink and
        //             globrunqputbatch it under sched.lock. Return true.
        //             Read docs/en/02-local-runq.md#runqputslow
        throw new gmp.runtime.NotImplementedYet("ch02", "runqputslow", "docs/en/02-local-runq.md#runqputslow");
    }

    /**
     * Takes a G from pp's local queue (Go: runqget): runnext first, which inherits the time slice
     * (inheritTime = true), then the head of the ring, which starts a new one. Null when both are
     * empty. Called only by pp's owner; thieves take from the same head with their own CAS.
     */
    Pick runqget(P pp) {
        G next = pp.lvRunnext();
        // A failed CAS can only mean a thief took it (chapter 04); then try the ring.
        if (next != null && pp.casRunnext(next, null)) {
            return new Pick(next, true);
        }
        // TODO(ch02): loop: h = laHead(), t = lpTail(); empty (t == h) -> null. Read runq[h & MASK], then
        //             claim it with casRelHead(h, h + 1); on success return it (inheritTime false), else retry.
        //             Read docs/en/02-local-runq.md#runqget
        return null;
    }

    /**
     * Whether pp has nothing to run: no G in the ring and none in runnext (Go: runqempty). Never
     * reports empty spuriously, even while the owner moves a G from runnext into the ring.
     */
    boolean runqempty(P pp) {
        // TODO(ch02): the owner may kick runnext into the ring and then take runnext again between your reads.
        //             Read head, tail and runnext, then read tail again; only if tail did not move, answer
        //             head == tail && runnext == null. Otherwise read everything again.
        //             Read docs/en/02-local-runq.md#runqempty
        throw new gmp.runtime.NotImplementedYet("ch02", "runqempty", "docs/en/02-local-runq.md#runqempty");
    }

    /** Puts a dead G on pp's free list; at GFREE_SPILL_AT, moves some to the global list (Go: gfput). */
    void gfput(P pp, G gp) {
        if (gp.status() != G._Gdead) {
            throw new IllegalStateException("gfput: " + gp + " is not dead");
        }
        // TODO(ch02): push gp on pp.gFree (through schedlink) and count it. When the count reaches
        //             GFREE_SPILL_AT, move Gs to sched.gFree (under sched.gFreeLock) until fewer than
        //             GFREE_KEEP remain on the P; a G that moves there gives up its stack (stack = null).
        //             Read docs/en/02-local-runq.md#gfput
        // Until chapter 02 is written, a dead G is simply dropped.
    }

    /** Takes a dead G from pp's free list, refilling it from the global list first; null if none (Go: gfget). */
    G gfget(P pp) {
        // TODO(ch02): if pp.gFree is empty and sched.gFree is not, move Gs from the global list (under
        //             sched.gFreeLock) until the P has GFREE_KEEP or the global list is empty. Then pop one
        //             from pp.gFree (null if still empty), uncount it and clear its schedlink; if it has no
        //             stack (it came from the global list), give it a new one (new G.Stack(gp)).
        //             Read docs/en/02-local-runq.md#gfget
        throw new gmp.runtime.NotImplementedYet("ch02", "gfget", "docs/en/02-local-runq.md#gfget");
    }

    // ---------------------------------------------------------------------------------------------
    // The global run queue (chapter 03)

    /**
     * findRunnable looks at the global queue first once every this many time slices (Go: the
     * {@code schedtick%61 == 0} check). Without it, two goroutines that keep respawning each other
     * could occupy a P's local queue forever and starve the global one. Go's source does not say
     * why 61; it is a prime, so the check does not fall into step with periodic patterns.
     */
    static final int SCHED_FAIRNESS_TICKS = 61;

    /** Puts gp at the tail of the global queue (Go: globrunqput). sched.lock must be held. */
    void globrunqput(G gp) {
        assertSchedLocked("globrunqput");
        // TODO(ch03): append gp to the sched.runqhead/runqtail list (linked through schedlink), count it.
        //             Read docs/en/03-global-runq.md#globrunqput
        throw new gmp.runtime.NotImplementedYet("ch03", "globrunqput", "docs/en/03-global-runq.md#globrunqput");
    }

    /**
     * Appends a batch of n Gs, head..tail linked through schedlink, to the global queue
     * (Go: globrunqputbatch). sched.lock must be held.
     */
    void globrunqputbatch(G head, G tail, int n) {
        assertSchedLocked("globrunqputbatch");
        tail.schedlink = null;
        if (sched.runqtail != null) {
            sched.runqtail.schedlink = head;
        } else {
            sched.runqhead = head;
        }
        sched.runqtail = tail;
        sched.runqsize += n;
    }

    /**
     * Takes a fair share of the global queue for pp (Go 1.23: globrunqget): n = size/gomaxprocs + 1,
     * capped by the size, by max (when max > 0) and by half the local ring. Returns the first G and
     * puts the other n - 1 on pp's local queue; null when the global queue is empty.
     * sched.lock must be held.
     */
    G globrunqget(P pp, int max) {
        assertSchedLocked("globrunqget");
        // TODO(ch03): empty -> null. n = runqsize / gomaxprocs + 1, then at most runqsize, at most max if
        //             max > 0, at most RUNQ_SIZE / 2. Pop n Gs from the head: return the first, runqput(pp, g,
        //             false) the others, in order.
        //             Read docs/en/03-global-runq.md#globrunqget
        return null;
    }

    /** Pops the head of the global queue (Go: sched.runq.pop); sched.lock held, queue not empty. */
    private G globrunqpop() {
        G gp = sched.runqhead;
        sched.runqhead = gp.schedlink;
        if (sched.runqhead == null) {
            sched.runqtail = null;
        }
        gp.schedlink = null;
        sched.runqsize--;
        return gp;
    }

    // ---------------------------------------------------------------------------------------------
    // Work stealing and spinning Ms (chapter 04)

    /** stealWork's passes over all Ps; only the last also takes runnext (Go: stealTries). */
    static final int STEAL_TRIES = 4;
    /**
     * How long a thief waits before taking a running victim's runnext: the victim has probably just
     * readied that G and is about to block and run it (Go: usleep(3) in runqgrab, ~50x a channel
     * hand-off). Here a 3 us spin, since sleeping a thread for 3 us takes far longer than 3 us.
     */
    static final long RUNNEXT_STEAL_WAIT_NANOS = 3_000;

    /** The victim orders of stealWork (Go: stealOrder); reset when GOMAXPROCS is set. */
    final RandomOrder stealOrder = new RandomOrder();

    /**
     * Makes sure a P can pick up newly submitted work: if there is an idle P and no M is spinning,
     * starts a spinning M on it (Go: wakep). At most one spinning M is started here; that M, once it
     * finds work, starts the next (resetspinning), so wake-ups spread without a thundering herd.
     * The caller has already published the work; the CAS on nmspinning is the StoreLoad barrier.
     */
    void wakep() {
        // TODO(ch04): return if nmspinning != 0, or if CAS nmspinning 0 -> 1 fails. Under sched.lock take a
        //             P with pidlegetSpinning(); none: decrement nmspinning back and return. Else startm(pp,
        //             true) (after unlocking).
        //             Read docs/en/04-stealing.md#wakep
        // Until chapter 04, no other M is ever started.
    }

    /**
     * Takes an idle P for a spinning M; when there is none, records that one is needed
     * (Go: pidlegetSpinning). sched.lock must be held.
     */
    P pidlegetSpinning() {
        P pp = pidleget();
        if (pp == null) {
            sched.needspinning.set(1);
        }
        return pp;
    }

    /** Marks the current M spinning (Go: becomeSpinning). */
    void becomeSpinning(M mp) {
        mp.spinning = true;
        sched.nmspinning.incrementAndGet();
        sched.needspinning.set(0);
    }

    /**
     * Called by mp, a spinning M that found a G to run: it stops spinning and, since it was perhaps
     * the last spinning M, wakes another to keep looking (Go: resetspinning).
     */
    void resetspinning(M mp) {
        // TODO(ch04): clear mp.spinning, decrement nmspinning (it must not go negative), then wakep().
        //             Read docs/en/04-stealing.md#resetspinning
        throw new gmp.runtime.NotImplementedYet("ch04", "resetspinning", "docs/en/04-stealing.md#resetspinning");
    }

    /**
     * Runs some M on P pp, reusing an idle M or starting a new thread (Go: startm). With pp null,
     * takes an idle P, and does nothing if there is none. A spinning start requires a P; if none,
     * it undoes the caller's nmspinning increment.
     */
    void startm(P pp, boolean spinning) {
        // TODO(ch04): under sched.lock: if pp is null, pidleget(); still null: unlock, undo nmspinning if
        //             spinning, return. mget() an idle M; if none, reserve an id (sched.mnext++) and, after
        //             unlocking, newm(pp, spinning, id). Otherwise set its spinning and nextp, unlock, and
        //             wake it (notewakeup of its park note).
        //             Read docs/en/04-stealing.md#startm
        throw new gmp.runtime.NotImplementedYet("ch04", "startm", "docs/en/04-stealing.md#startm");
    }

    /**
     * Creates M {@code id} on a new daemon thread that will run with P pp (Go: newm, newosproc).
     * The thread runs mstart; whatever it throws ends the program; it leaves through mexit. Past
     * sched.maxmcount Ms the program dies instead (Go: checkmcount; chapter 07).
     */
    void newm(P pp, boolean spinning, long id) {
        M mp = new M(this, id);
        mp.nextp = pp;
        mp.spinning = spinning;
        lockSched();
        boolean fits = Syscall.checkmcount(this);
        if (fits) {
            mcommoninit(mp);
        }
        unlockSched();
        if (!fits) {
            Syscall.threadExhaustion(this);
            return;
        }
        Thread t = Thread.ofPlatform().daemon().name(threadPrefix + "-M" + id).unstarted(() -> {
            mp.minit();
            try {
                mstart();
            } catch (Throwable e) {
                crash(e);
            } finally {
                mexit(mp);
            }
        });
        mp.thread = t;
        t.start();
    }

    /** The end of an M's thread: unbind it (Go: mexit). The P, if any, is dropped with the program. */
    void mexit(M mp) {
        mp.unminit();
    }

    /**
     * Tries to steal a G from another P (Go: stealWork). STEAL_TRIES passes over every other P in a
     * random order; the last pass also takes a victim's runnext. Returns the G to run, or null.
     */
    G stealWork(P pp) {
        // TODO(ch04): for STEAL_TRIES passes (the last one with stealRunNextG = true): enumerate victims with
        //             stealOrder.start(a random int); skip your own P. On the last pass, checkTimers(victim)
        //             first, and if it ran any, return runqget(pp)'s G if there is one. Skip idle Ps; else
        //             runqsteal(pp, victim, stealRunNextG) and return the first G you get. Stop early when
        //             the program is over.
        //             Read docs/en/04-stealing.md#stealwork
        return null;
    }

    /**
     * Steals about half of p2's queue into pp's and returns one of the stolen Gs to run
     * (Go: runqsteal). Called by pp's owner; p2 may be running.
     */
    G runqsteal(P pp, P p2, boolean stealRunNextG) {
        // TODO(ch04): t = pp.lpTail(); grab from p2 straight into pp.runq at t (runqgrab). None: null.
        //             Keep the LAST grabbed G to return; if others remain, check they fit (t - laHead() + n <
        //             RUNQ_SIZE, else throw) and publish them with srTail(t + n).
        //             Read docs/en/04-stealing.md#runqsteal
        throw new gmp.runtime.NotImplementedYet("ch04", "runqsteal", "docs/en/04-stealing.md#runqsteal");
    }

    /**
     * Copies half of p2's ring, rounded up, into batch starting at batchHead, and claims them with a
     * CAS on p2's head (Go: runqgrab). With stealRunNextG and an empty ring, takes p2's runnext
     * instead, after a short wait if p2 is running. Returns how many Gs it took.
     */
    int runqgrab(P p2, G[] batch, int batchHead, boolean stealRunNextG) {
        // TODO(ch04): loop: h = p2.laHead(), t = p2.laTail() (both acquire); n = (t - h) - (t - h) / 2.
        //             n == 0: if stealRunNextG and p2 has a runnext, wait RUNNEXT_STEAL_WAIT_NANOS when p2 is
        //             running, CAS runnext to null (retry the loop on failure), put it in batch and return 1;
        //             else return 0. n > RUNQ_SIZE / 2 means h and t were inconsistent: retry. Else copy the n
        //             slots and claim them with p2.casRelHead(h, h + n): return n, or retry on failure.
        //             Read docs/en/04-stealing.md#runqgrab
        throw new gmp.runtime.NotImplementedYet("ch04", "runqgrab", "docs/en/04-stealing.md#runqgrab");
    }

    /**
     * After this M stopped spinning: if some P's run queue has work, takes an idle P to go after it
     * (Go: checkRunqsNoP). Returns that P, or null.
     */
    P checkRunqsNoP() {
        for (P p2 : allp) {
            if (!runqempty(p2)) {
                lockSched();
                try {
                    return pidlegetSpinning();
                } finally {
                    sched.lock.unlock();
                }
            }
        }
        return null;
    }

    /**
     * Parks the current M, which holds no P, on the idle M list until startm hands it a P and wakes
     * it; then acquires that P (Go: stopm). Returns without a P if it was woken because the program
     * is over.
     */
    void stopm() {
        M mp = getm();
        if (mp.p != null || mp.spinning) {
            throw new IllegalStateException("stopm: " + mp + " still holds " + mp.p + (mp.spinning ? " and is spinning" : ""));
        }
        // TODO(ch04): under sched.lock, mput(mp). Sleep on mp.park, then clear it. Unless the program is
        //             over, acquirep(mp.nextp) and clear nextp.
        //             Read docs/en/04-stealing.md#stopm
        throw new gmp.runtime.NotImplementedYet("ch04", "stopm", "docs/en/04-stealing.md#stopm");
    }

    /**
     * Puts mp on the idle M list, then checks whether the program is deadlocked now that one more M
     * is idle (Go: mput). sched.lock must be held.
     */
    void mput(M mp) {
        assertSchedLocked("mput");
        mp.schedlink = sched.midle;
        sched.midle = mp;
        sched.nmidle++;
        checkdead();
    }

    /** Takes an M off the idle list, or null (Go: mget). sched.lock must be held. */
    M mget() {
        assertSchedLocked("mget");
        M mp = sched.midle;
        if (mp != null) {
            sched.midle = mp.schedlink;
            mp.schedlink = null;
            sched.nmidle--;
        }
        return mp;
    }

    /**
     * Starts running {@code gp} on M {@code mp} (Go: execute, proc.go; called on mp's g0). gp must be
     * _Grunnable: it becomes the M's curg and _Grunning. A G that starts a new time slice counts a
     * tick of the P (schedtick); one that inherits the slice (runnext) does not. Then gogo.
     */
    void execute(M mp, G gp, boolean inheritTime) {
        if (mp.spinning) {
            // A spinning M found work: it stops spinning and may wake another (chapter 04). Go does
            // this in schedule, between findRunnable and execute; here it opens execute, so that the
            // schedule of chapter 01 stays as chapter 01 wrote it.
            resetspinning(mp);
        }
        Preempt.startSlice(gp); // chapter 06: a slice starts with no preempt request
        // TODO(ch01): make gp mp's curg and mp gp's m; casgstatus gp _Grunnable -> _Grunning; count a
        //             schedtick on mp.p unless inheritTime; then gogo(mp, gp).
        //             Read docs/en/01-bootstrap.md#execute
        throw new gmp.runtime.NotImplementedYet("ch01", "execute", "docs/en/01-bootstrap.md#execute");
    }

    /**
     * Switches from mp's g0 to gp's stack and runs it until it calls {@link #mcall}; then, back on
     * g0, runs the function mcall left in m.mcallfn (Go: gogo, asm_amd64.s, plus the g0 half of mcall).
     */
    void gogo(M mp, G gp) {
        // TODO(ch01): run gp.stack (Continuation.run returns when the goroutine yields in mcall). Then take
        //             mp's mcallfn, clear it, and call it with gp.
        //             Read docs/en/01-bootstrap.md#gogo
        throw new gmp.runtime.NotImplementedYet("ch01", "gogo", "docs/en/01-bootstrap.md#gogo");
    }

    /**
     * Switches from goroutine gp, the current one, to its M's g0 and has g0 run {@code fn(gp)}
     * (Go: mcall). Called on gp; returns when gp is scheduled again, possibly on another M.
     *
     * <p>Go's mcall finds gp with getg(). Here the caller passes it: a goroutine's G never changes,
     * while its M may change at every switch, so gp.m, read afresh here, is the M to hand fn to.
     */
    static void mcall(G gp, Consumer<G> fn) {
        M mp = gp.m;
        mp.mcallfn = fn;
        try {
            Continuation.yield(G.SCOPE);
        } catch (RuntimeException pinned) {
            mp.mcallfn = null;
            throw pinned;
        }
    }

    /**
     * What a goroutine's stack runs: one function per life of its G, each ending in goexit1, also
     * when the function left through Go.goexit (Go: runtime.Goexit runs the deferred calls, which
     * here are the finally blocks the Goexit error unwinds through, then goexit1).
     */
    void goroutineBody(G gp) {
        for (;;) {
            Runnable f = gp.fn;
            gp.fn = null;
            try {
                f.run();
            } catch (Go.Goexit exited) {
                // runtime.Goexit: the goroutine ends here, and the program goes on.
            } catch (Throwable t) {
                fatalpanic(gp, t);
            }
            goexit1(gp);
        }
    }

    /**
     * The number of goroutines that exist: every G not dead, the runtime's own (system goroutines)
     * left out (Go: gcount, for runtime.NumGoroutine, subtracts sched.ngsys).
     */
    int gcount() {
        int n = 0;
        for (G gp : allgs()) {
            int s = gp.status();
            if (s != G._Gdead && s != G._Gidle && !gp.isSystemGoroutine()) {
                n++;
            }
        }
        return n;
    }

    /** The end of every goroutine: switch to g0 and let it finish the G (Go: goexit1). */
    void goexit1(G gp) {
        Preempt.clear(gp); // a dead G keeps no preempt request (chapter 06)
        mcall(gp, goexit0Fn);
    }

    // The functions mcall hands to g0, made once: a method reference made at each call would be a
    // new object each time.
    private final Consumer<G> goexit0Fn = this::goexit0;
    private final Consumer<G> parkMFn = this::park_m;
    private final Consumer<G> goschedImplFn = this::goschedImpl;

    /**
     * Finishes a goroutine that has exited (Go: goexit0/gdestroy; called on g0). gp becomes _Gdead
     * with no M and no wait reason, the M's curg is cleared (dropg), and gp goes to the P's free
     * list for reuse (gfput, chapter 02).
     */
    void goexit0(G gp) {
        M mp = gp.m; // the M whose g0 runs this: mcall left gp.m pointing at it
        // TODO(ch01): casgstatus gp _Grunning -> _Gdead; clear gp.m and gp.waitreason; dropg (mp.curg = null);
        //             then gfput(mp.p, gp).
        //             Read docs/en/01-bootstrap.md#goexit0
        throw new gmp.runtime.NotImplementedYet("ch01", "goexit0", "docs/en/01-bootstrap.md#goexit0");
    }

    // ---------------------------------------------------------------------------------------------
    // Parking, yield and sleep (chapter 05)

    /**
     * Parks the current goroutine: it stops running, in state _Gwaiting with the given wait reason,
     * until someone calls goready on it (Go: gopark, proc.go). {@code unlockf} runs on g0 after the
     * G's status has changed, so whatever it unlocks (a channel's lock, say) may be used to wake the
     * G at once and the wake-up cannot be lost; if it returns false, the park is cancelled and the G
     * runs again at once. Called on gp, the current goroutine (Go's gopark finds it with getg; here
     * the caller passes the G it has, as for {@link #mcall}).
     */
    void gopark(G gp, Predicate<G> unlockf, String reason) {
        if (gp == null || gp.isG0()) {
            throw new IllegalStateException("gopark: not on a goroutine");
        }
        M mp = gp.m;
        // TODO(ch05): check gp is _Grunning; leave unlockf in mp.waitunlockf and reason in gp.waitreason;
        //             then mcall(gp, parkMFn) (this::park_m, made once). If mcall throws, gp never left this
        //             M (its stack is pinned): clear both again before rethrowing.
        //             Read docs/en/05-parking.md#gopark
        throw new gmp.runtime.NotImplementedYet("ch05", "gopark", "docs/en/05-parking.md#gopark");
    }

    /**
     * The g0 half of gopark (Go: park_m): gp becomes _Gwaiting and leaves the M; then the unlock
     * function runs. If it says no, gp becomes _Grunnable again and runs next on this M.
     */
    void park_m(G gp) {
        M mp = gp.m; // the M whose g0 runs this: mcall left gp.m pointing at it
        // TODO(ch05): casgstatus _Grunning -> _Gwaiting, then dropg (mp.curg = null, gp.m = null). Take the
        //             unlock function out of mp.waitunlockf; if it is set and returns false for gp: clear the
        //             wait reason, casgstatus back to _Grunnable and leave gp in mp.nextg (schedule runs it).
        //             Read docs/en/05-parking.md#gopark
        throw new gmp.runtime.NotImplementedYet("ch05", "park_m", "docs/en/05-parking.md#gopark");
    }

    /**
     * Makes a parked goroutine runnable again, on the current P's runnext, so it runs next here and
     * inherits the waker's time slice; then wakes an idle P in case (Go: goready -> ready). Called
     * with a P: on a goroutine, or on g0 running a timer.
     */
    void goready(G gp) {
        // TODO(ch05): gp must be _Gwaiting (else throw). Clear its wait reason, casgstatus to _Grunnable,
        //             runqput it on the current M's P with next = true, then wakep().
        //             Read docs/en/05-parking.md#goready
        throw new gmp.runtime.NotImplementedYet("ch05", "goready", "docs/en/05-parking.md#goready");
    }

    /**
     * Yields the processor: the current goroutine goes to the tail of the GLOBAL run queue and the
     * M schedules another (Go: Gosched -> gosched_m -> goschedImpl). Not the local queue: a yielding
     * G there would come straight back when the queue is short, and it gives every P a chance at it.
     */
    void gosched(G gp) {
        mcall(gp, goschedImplFn);
    }

    /** The g0 half of Gosched (Go: goschedImpl). */
    void goschedImpl(G gp) {
        M mp = gp.m; // the M whose g0 runs this: mcall left gp.m pointing at it
        // TODO(ch05): casgstatus _Grunning -> _Grunnable; dropg; globrunqput(gp) under sched.lock; then wakep()
        //             if mainStarted.
        //             Read docs/en/05-parking.md#gosched
        throw new gmp.runtime.NotImplementedYet("ch05", "goschedImpl", "docs/en/05-parking.md#gosched");
    }

    /**
     * Sleeps the current goroutine for at least {@code ns} nanoseconds (Go: timeSleep, time.go).
     * ns <= 0 returns at once without yielding. The G parks with reason "sleep"; its timer is armed
     * only after it has parked (resetForSleep runs as gopark's unlock function), so the timer cannot
     * fire for a G that is still running.
     */
    void timeSleep(G gp, long ns) {
        if (ns <= 0) {
            return;
        }
        // TODO(ch05): give gp a timer once (new Timer(this::goroutineReady, gp), kept in gp.timer); set
        //             gp.sleepWhen = now + ns (Long.MAX_VALUE on overflow); gopark(gp, this::resetForSleep, "sleep").
        //             Read docs/en/05-parking.md#sleep
        throw new gmp.runtime.NotImplementedYet("ch05", "timeSleep", "docs/en/05-parking.md#sleep");
    }

    /** gopark's unlock function for sleep, on g0 after gp parked: arms gp's timer (Go: resetForSleep). */
    boolean resetForSleep(G gp) {
        addtimer(getm().p, gp.timer, gp.sleepWhen);
        return true;
    }

    /** A sleep timer's function: the sleeper may run again (Go: goroutineReady). */
    void goroutineReady(Timer t) {
        goready(t.gp);
    }

    /**
     * Puts t in pp's heap to fire at {@code when} (Go: timer.maybeAdd); if it is now the earliest
     * timer anywhere, makes sure some M will wake up for it (wakeNetPoller).
     */
    void addtimer(P pp, Timer t, long when) {
        t.when = when;
        t.ts = pp.timers;
        pp.timers.mu.lock();
        try {
            pp.timers.add(t);
        } finally {
            pp.timers.mu.unlock();
        }
        wakeNetPoller(when);
    }

    /**
     * Runs pp's timers that are due at {@code now} (Go: timers.check). Returns whether it ran any.
     * {@code now} 0 means "read the clock if there is a timer": findRunnable calls it on every
     * round, and most Ps have no timer, so most rounds need no clock read (Go: checkTimers(pp, 0)).
     * Called with a P (its own, or a victim's in stealWork's last pass); each timer runs on this g0
     * with pp's lock released, as Go's unlockAndRun does.
     */
    boolean checkTimers(P pp, long now) {
        // TODO(ch05): quick exit without the lock when pp.timers.wakeTime() is 0 (no timer). If now is 0,
        //             read it (nanotime()). Quick exit if the earliest timer is after now. Else, under
        //             pp.timers.mu, pop the earliest timer while it is due; run each (t.f.accept(t)) with the
        //             lock released. Return whether any ran.
        //             Read docs/en/05-parking.md#checktimers
        return false;
    }

    /** The earliest timer deadline over all Ps, or 0 if there is none (Go: timeSleepUntil). */
    long timeSleepUntil() {
        long next = 0;
        for (P pp : allp) {
            long w = pp.timers.wakeTime();
            if (w != 0 && (next == 0 || w < next)) {
                next = w;
            }
        }
        return next;
    }

    /**
     * A timer was added for {@code when}: make sure an M wakes up by then (Go: wakeNetPoller). If an
     * M is sleeping in netpoll past {@code when}, interrupt it; if none is, wake an idle P.
     */
    void wakeNetPoller(long when) {
        if (sched.lastpoll.get() == 0) {
            long pollUntil = sched.pollUntil;
            if (pollUntil == 0 || pollUntil > when) {
                netpollBreak();
            }
        } else {
            wakep();
        }
    }

    /** Interrupts the M blocked in netpoll (Go: netpollBreak; chapter 08's {@link Netpoll#netpollBreak}). */
    void netpollBreak() {
        netpoll.netpollBreak();
    }

    /**
     * Called whenever an M goes idle (with sched.lock held): if no M is left running and nothing can
     * wake a goroutine, the program is deadlocked (Go: checkdead, proc.go). An M sleeping in netpoll
     * or blocked in a Java call counts as running; a pending timer means something will wake up.
     */
    void checkdead() {
        assertSchedLocked("checkdead");
        if (exiting) {
            return;
        }
        // TODO(ch05): run = Ms that are not idle (allm.size() - sched.nmidle - sched.nmidlelocked: chapter
        //             07's sysmon lowers nmidlelocked while it hands a P off); return if run > 0. Count the
        //             goroutines that are _Gwaiting (skip g0s, dead ones and system goroutines, which
        //             gp.isSystemGoroutine() tells: runtime.main's, parked for good); a runnable or running one here
        //             is a scheduler bug (fatal "checkdead: runnable g"). None waiting: fatal "no goroutines
        //             (main called runtime.Goexit) - deadlock!". If any P has a timer, return: it will wake
        //             someone. Else fatal "all goroutines are asleep - deadlock!" (use fatal(...)).
        //             Read docs/en/05-parking.md#checkdead
        // Until chapter 05, no deadlock is detected.
    }

    /**
     * A fatal error of the runtime (Go: fatal/throw): the program dies with Go's "fatal error:"
     * report and a list of every goroutine; no goroutine can recover from it.
     */
    void fatal(String message) {
        crash(ProgramCrash.fatal(message, goroutineDump()));
    }

    /**
     * Go's throw on a goroutine's stack: the program dies of {@code message} (fatal) and the
     * returned exception, for the caller to throw, unwinds the goroutine so it does not go on.
     */
    IllegalStateException throwFatal(String message) {
        fatal(message);
        return new IllegalStateException(message);
    }

    // Go's wait reasons, as tracebacks print them (runtime2.go, waitReasonStrings).
    static final String WAIT_SLEEP = "sleep";
    static final String WAIT_CHAN_RECEIVE = "chan receive";
    static final String WAIT_CHAN_SEND = "chan send";
    static final String WAIT_CHAN_RECEIVE_NIL = "chan receive (nil chan)";
    static final String WAIT_CHAN_SEND_NIL = "chan send (nil chan)";
    static final String WAIT_SELECT = "select";
    static final String WAIT_SELECT_NO_CASES = "select (no cases)";
    static final String WAIT_SEMACQUIRE = "semacquire";
    static final String WAIT_SYNC_MUTEX_LOCK = "sync.Mutex.Lock";
    static final String WAIT_IO_WAIT = "IO wait";

    /** The runtime's clock (Go: nanotime). */
    static long nanotime() {
        return System.nanoTime();
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
        return M.currentG();
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
        Trace t = gp.proc.trace;
        if (t != null) {
            t.status(gp, oldval, newval);
        }
    }

    void lockSched() {
        sched.lock.lock();
    }

    /** Releases sched.lock (Go: unlock(&sched.lock)); pair it with {@link #lockSched} in a finally. */
    void unlockSched() {
        sched.lock.unlock();
    }

    /**
     * Go's assertLockHeld(&sched.lock). The lock has no owner (RuntimeMutex says why), so this checks
     * only that someone holds it: it still catches a caller that did not lock at all.
     */
    private void assertSchedLocked(String who) {
        if (!sched.lock.isLocked()) {
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
        Preempt.exiting(this);
        for (M mp : allm) {
            mp.park.wakeup();
        }
        netpollBreak();
        Sysmon sm = sysmon;
        if (sm != null) {
            sm.wakeup();
        }
    }

    /** Records why the program died (the first reason wins) and ends it. */
    void crash(Throwable why) {
        crash.compareAndSet(null, why);
        exit();
    }

    /**
     * An uncaught exception on goroutine gp (Go: fatalpanic, after no recover). Once main has
     * returned the program is over, as a Go process that has begun to exit: a goroutine that panics
     * after that point changes nothing, so run() returns normally however the race between them ends.
     */
    void fatalpanic(G gp, Throwable t) {
        if (exiting && crash.get() == null && !(t instanceof NotImplementedYet)) {
            return;
        }
        crash(t instanceof NotImplementedYet ? t : ProgramCrash.panic(gp.goid, t));
    }

    /** Why the program died, or null. */
    Throwable crashed() {
        return crash.get();
    }

    /** Waits (boundedly) for every M but m0 to leave; a goroutine that never reaches a safepoint keeps its M. */
    private void joinMs() {
        Sysmon sm = sysmon;
        if (sm != null) {
            sm.join();
        }
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
        long now = System.nanoTime();
        synchronized (this) {
            if (traceStartNanos == 0) {
                traceStartNanos = now;
            }
        }
        long ms = (now - traceStartNanos) / 1_000_000;
        StringBuilder b = new StringBuilder();
        b.append("SCHED ").append(ms).append("ms: gomaxprocs=").append(gomaxprocs)
                .append(" idleprocs=").append(sched.npidle.get())
                .append(" threads=").append(allm.size() + (sysmon != null ? 1 : 0))
                .append(" spinningthreads=").append(sched.nmspinning.get())
                .append(" needspinning=").append(sched.needspinning.get())
                .append(" idlethreads=").append(sched.nmidle)
                .append(" runqueue=").append(sched.runqsize);
        if (detailed) {
            b.append(" gcwaiting=false nmidlelocked=0 stopwait=0 sysmonwait=").append(sched.sysmonwait).append('\n');
            for (P pp : allp) {
                M mp = pp.m;
                b.append("  P").append(pp.id).append(": status=").append(pp.status)
                        .append(" schedtick=").append(pp.schedtick).append(" syscalltick=").append(pp.syscalltick)
                        .append(" m=").append(mp == null ? "nil" : String.valueOf(mp.id))
                        .append(" runqsize=").append(pp.runqsize()).append(" gfreecnt=").append(pp.gFreeN)
                        .append(" timerslen=").append(pp.timers.len()).append('\n');
            }
            for (M mp : allm) {
                P pp = mp.p;
                G curg = mp.curg;
                b.append("  M").append(mp.id).append(": p=").append(pp == null ? "nil" : String.valueOf(pp.id))
                        .append(" curg=").append(curg == null ? "nil" : String.valueOf(curg.goid))
                        .append(" mallocing=0 throwing=0 preemptoff=").append(mp.preemptoff)
                        .append(" locks=0 dying=0 spinning=").append(mp.spinning)
                        .append(" blocked=")
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
                b.append(i == 0 ? "" : " ").append(allp[i].runqsize());
            }
            b.append("]\n");
        }
        return b.toString();
    }

    /**
     * Every goroutine that is not dead, one line each, Go's traceback headers:
     * {@code goroutine 1 [running]:}, {@code goroutine 7 [chan receive]:}. System goroutines are
     * left out, as Go's tracebackothers leaves them out below GOTRACEBACK=system.
     */
    String goroutineDump() {
        StringBuilder b = new StringBuilder();
        for (G gp : allgs()) {
            int s = gp.status();
            if (s == G._Gdead || s == G._Gidle || gp.isSystemGoroutine()) {
                continue;
            }
            String state = s == G._Gwaiting && !gp.waitreason.isEmpty() ? gp.waitreason : G.statusName(s);
            if (!b.isEmpty()) {
                b.append('\n');
            }
            b.append("goroutine ").append(gp.goid).append(" [").append(state).append("]:\n");
            if (gp.m != null) {
                b.append("running on ").append(gp.m).append('\n');
            }
            if (gp.parentGoid != 0) {
                b.append("created by goroutine ").append(gp.parentGoid).append('\n');
            }
        }
        return b.toString();
    }
}
