package gmp.runtime;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A processor: the resource an M needs to run Go code, Go's {@code p} (runtime2.go).
 *
 * <p>There are exactly GOMAXPROCS Ps. Each owns a local run queue (chapter 02), a free list of dead
 * Gs, and the tick counters the scheduler's fairness and sysmon's preemption read. An M acquires a
 * P before it runs a goroutine and releases it when it blocks; a P without an M sits on the idle list.
 *
 * <p>{@code status}, {@code m} and {@code link} are written by the owning M or under
 * {@code sched.lock}, as in Go.
 *
 * <h2>The local run queue (chapter 02)</h2>
 * A ring of {@link #RUNQ_SIZE} slots with free-running indices: {@code runqhead} counts Gs ever
 * taken, {@code runqtail} Gs ever added; {@code tail - head} is the length (int arithmetic wraps the
 * way Go's uint32 does) and slot {@code i & MASK} holds G number i. One producer, the owner, adds
 * at the tail; many consumers, the owner and thieves (chapter 04), take from the head with a CAS.
 * The access modes are Go's (proc.go, runqput/runqget/runqgrab), and each accessor is named for
 * its mode, JCTools style:
 * <ul>
 *   <li>{@code laHead}: load-acquire of head (everyone; pairs with the CAS-release that consumed);</li>
 *   <li>{@code casRelHead}: CAS-release of head ("commit consume": the slots read before it may now
 *       be overwritten by the owner);</li>
 *   <li>{@code lpTail}: plain load of tail (only the owner writes it, so the owner may read it plainly);</li>
 *   <li>{@code laTail}: load-acquire of tail (thieves; pairs with srTail, makes the slot writes visible);</li>
 *   <li>{@code srTail}: store-release of tail (the owner, after writing the slots: "publish").</li>
 * </ul>
 * The slots themselves are plain: they are published by the release on tail and handed back by the
 * release on head. A thief may read a slot while the owner rewrites it, but then the thief's CAS on
 * head fails and the value is dropped: a benign race, as in Go. On x86 these orders cost nothing
 * and their absence is rarely seen; chapter 09 explains why they are still required.
 */
final class P {
    // P status values, as in runtime2.go.
    static final int _Pidle = 0;     // not running Go code; on the idle list (or being handed over)
    static final int _Prunning = 1;  // owned by an M that runs Go code or the scheduler
    static final int _Psyscall = 2;  // its M is in a syscall (chapter 07)
    static final int _Pgcstop = 3;   // just created; Go also uses it to stop the world for GC
    static final int _Pdead = 4;     // no longer used (GOMAXPROCS shrank)

    final int id;
    // Volatile so that thieves and sysmon, which read it without sched.lock, see a recent value.
    volatile int status = _Pgcstop;
    /** The M that owns this P, or null. */
    M m;
    /** Next P on the idle list (Go's p.link). */
    P link;
    /** Incremented each time the scheduler starts a new time slice on this P (execute). */
    long schedtick;
    /**
     * Incremented on every system call and again when it ends (chapter 07), so that sysmon can tell
     * one long syscall (the same value on two looks) from many short ones (Go: p.syscalltick).
     * Written by the P's M and by sysmon when it retakes the P; read racily, as Go reads it.
     */
    volatile long syscalltick;
    /** What sysmon last saw of this P's ticks (Go: p.sysmontick); sysmon's alone (chapter 06). */
    final Sysmon.Tick sysmontick = new Sysmon.Tick();

    /**
     * The G to run next, ahead of the queue (Go's runnext). The owner sets it; in chapter 04 thieves
     * may also take it, so every change is a CAS.
     */
    @SuppressWarnings("unused") // accessed through RUNNEXT
    private volatile G runnext;

    private static final VarHandle RUNNEXT;
    private static final VarHandle STATUS;

    static {
        try {
            RUNNEXT = MethodHandles.lookup().findVarHandle(P.class, "runnext", G.class);
            STATUS = MethodHandles.lookup().findVarHandle(P.class, "status", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** Slots in the local run queue (Go: len(p.runq) = 256); a power of two, so i % 256 is i & MASK. */
    static final int RUNQ_SIZE = 256;
    static final int MASK = RUNQ_SIZE - 1;

    /** The ring; slot i & MASK holds the i-th G ever queued. Plain accesses (see the class comment). */
    final G[] runq = new G[RUNQ_SIZE];
    @SuppressWarnings("unused") // accessed through RUNQHEAD
    private volatile int runqhead;
    @SuppressWarnings("unused") // accessed through RUNQTAIL
    private volatile int runqtail;

    /** The next goid this P hands out, and the end of its cached batch (Go: goidcache, goidcacheend). */
    long goidcache;
    long goidcacheend;

    /** This P's timers (chapter 05). */
    final Timers timers = new Timers();

    /** Dead Gs kept for reuse, linked through schedlink, and their count (Go: p.gFree). Owner only. */
    G gFree;
    int gFreeN;

    private static final VarHandle RUNQHEAD;
    private static final VarHandle RUNQTAIL;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            RUNQHEAD = l.findVarHandle(P.class, "runqhead", int.class);
            RUNQTAIL = l.findVarHandle(P.class, "runqtail", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    P(int id) {
        this.id = id;
    }

    /** Load-acquire of runqhead (Go: atomic.LoadAcq(&pp.runqhead)). */
    int laHead() {
        return (int) RUNQHEAD.getAcquire(this);
    }

    /** CAS-release of runqhead: commits a consume (Go: atomic.CasRel(&pp.runqhead, h, h+n)). */
    boolean casRelHead(int expect, int update) {
        return (int) RUNQHEAD.compareAndExchangeRelease(this, expect, update) == expect;
    }

    /** Plain load of runqtail: only the owner writes tail, so only the owner may read it this way. */
    int lpTail() {
        return (int) RUNQTAIL.get(this);
    }

    /** Load-acquire of runqtail, for thieves (Go: atomic.LoadAcq(&pp.runqtail)). */
    int laTail() {
        return (int) RUNQTAIL.getAcquire(this);
    }

    /** Store-release of runqtail: publishes the slots written before it (Go: atomic.StoreRel). Owner only. */
    void srTail(int t) {
        RUNQTAIL.setRelease(this, t);
    }

    /** The number of Gs in the ring, runnext not counted (a racy snapshot, as schedtrace prints it). */
    int runqsize() {
        return laTail() - laHead();
    }

    /**
     * CAS of status (Go: atomic.Cas(&pp.status, ...)): a P in _Psyscall is claimed this way, by its
     * M leaving the syscall or by sysmon retaking it (chapter 07), and exactly one of them wins.
     */
    boolean casStatus(int expect, int update) {
        return STATUS.compareAndSet(this, expect, update);
    }

    /** Load of runnext (volatile: Go reads it with an atomic load). */
    G lvRunnext() {
        return (G) RUNNEXT.getVolatile(this);
    }

    /** CAS of runnext (Go's guintptr.cas: a full, sequentially consistent CAS). */
    boolean casRunnext(G expect, G update) {
        return RUNNEXT.compareAndSet(this, expect, update);
    }

    static String statusName(int s) {
        return switch (s) {
            case _Pidle -> "idle";
            case _Prunning -> "running";
            case _Psyscall -> "syscall";
            case _Pgcstop -> "gcstop";
            case _Pdead -> "dead";
            default -> "status " + s;
        };
    }

    @Override
    public String toString() {
        return "P" + id;
    }
}
