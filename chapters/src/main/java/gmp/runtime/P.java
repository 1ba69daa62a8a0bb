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
 */
final class P {
    // P status values, as in runtime2.go.
    static final int _Pidle = 0;     // not running Go code; on the idle list (or being handed over)
    static final int _Prunning = 1;  // owned by an M that runs Go code or the scheduler
    static final int _Psyscall = 2;  // its M is in a syscall (chapter 07)
    static final int _Pgcstop = 3;   // just created; Go also uses it to stop the world for GC
    static final int _Pdead = 4;     // no longer used (GOMAXPROCS shrank)

    final int id;
    int status = _Pgcstop;
    /** The M that owns this P, or null. */
    M m;
    /** Next P on the idle list (Go's p.link). */
    P link;
    /** Incremented each time the scheduler starts a new time slice on this P (execute). */
    long schedtick;
    /** Incremented on every system call (chapter 07). */
    long syscalltick;

    /**
     * The G to run next, ahead of the queue (Go's runnext). The owner sets it; in chapter 04 thieves
     * may also take it, so every change is a CAS.
     */
    @SuppressWarnings("unused") // accessed through RUNNEXT
    private volatile G runnext;

    private static final VarHandle RUNNEXT;

    static {
        try {
            RUNNEXT = MethodHandles.lookup().findVarHandle(P.class, "runnext", G.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    P(int id) {
        this.id = id;
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
