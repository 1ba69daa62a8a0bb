package gmp.runtime;

import java.util.ArrayDeque;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * A counting semaphore for goroutines, Go's runtime semaphore (sema.go: {@code semacquire},
 * {@code semrelease}), built on {@link Proc#gopark} and {@link Proc#goready}. Package
 * {@code gmp.sync} builds {@code WaitGroup}, {@code Mutex} and {@code Once} on it, as Go's package
 * sync builds on {@code runtime_Semacquire}/{@code runtime_Semrelease}.
 *
 * <h2>How it works</h2>
 * A count and a FIFO of waiting goroutines, both under a small lock. {@link #acquire} takes a unit
 * if there is one; otherwise it queues the goroutine and parks it, and the lock is released by
 * gopark's unlock function, on g0, <em>after</em> the goroutine's status is _Gwaiting: a releaser
 * that takes the lock and finds the waiter can therefore goready it at once, and no wake-up is lost
 * in between (Go: {@code goparkunlock(&root.lock, ...)}). {@link #release} gives its unit straight
 * to the first waiter, if any, and readies it onto the releaser's runnext; only when nobody waits
 * does the count go up.
 *
 * <h2>Hand-off, kept simple</h2>
 * Go's {@code semrelease(addr, handoff)} normally only increments the count and wakes a waiter,
 * which must then win the unit again against goroutines that arrived meanwhile (barging: faster,
 * unfair); with {@code handoff = true} (sync.Mutex in starvation mode) the unit goes directly to
 * the woken waiter. This semaphore always hands off: strictly first come, first served, and a woken
 * waiter never goes back to sleep. The price is a switch to the waiter on every contended release.
 *
 * <h2>The lock</h2>
 * Go protects a semaphore's queue with a runtime lock that belongs to the M, not to a goroutine.
 * Here it is a test-and-test-and-set spin lock with no owner: the goroutine takes it, and g0 (the
 * unlock function of gopark, in park_m) releases it. A {@code ReentrantLock} would work only by
 * accident: it records its owner with {@code Thread.currentThread()}, which goroutine code must
 * not rely on (a goroutine moves between threads, see {@link M#current}). The critical sections are
 * a few field updates, so spinning is cheap; a spinner gives its CPU away after a while (two CI
 * cores, more Ms than cores) and stops when the program is over, so a crash never leaves an M
 * spinning on a lock whose holder will not run again.
 *
 * <p>Everything here runs on goroutines only: a plain thread gets an IllegalStateException.
 */
public final class Sema {
    /** Go's wait reason for a goroutine in WaitGroup.Wait (and other semaphore users): "semacquire". */
    public static final String SEMACQUIRE = Proc.WAIT_SEMACQUIRE;
    /** Go's wait reason for a goroutine blocked in Mutex.Lock: "sync.Mutex.Lock". */
    public static final String SYNC_MUTEX_LOCK = Proc.WAIT_SYNC_MUTEX_LOCK;

    /** Spins before a lock waiter starts yielding its thread (a guess: a critical section is ~100 ns). */
    private static final int SPINS_BEFORE_YIELD = 128;

    /** 0: free, 1: held. Acquired with a CAS, released with a release store (setRelease). */
    private final AtomicInteger lock = new AtomicInteger();
    /** Units available; under lock. Never positive while a goroutine waits. */
    private int count;
    /** The waiting goroutines, oldest first; under lock. */
    private final ArrayDeque<G> waiters = new ArrayDeque<>();
    /** gopark's unlock function: on g0, after the waiter is _Gwaiting, drop the lock. */
    private final Predicate<G> unlockAfterPark = gp -> {
        unlock();
        return true;
    };

    /** A semaphore holding {@code permits} units (Go: the uint32 a sema address points at). */
    public Sema(int permits) {
        if (permits < 0) {
            throw new IllegalArgumentException("Sema: negative permits " + permits);
        }
        this.count = permits;
    }

    /**
     * Takes one unit, parking the current goroutine with wait reason {@code reason} until one is
     * handed to it (Go: semacquire1). Goroutines waiting here are served in FIFO order.
     */
    public void acquire(String reason) {
        G gp = Go.current("Sema.acquire");
        lock(gp.proc);
        if (count > 0) {
            count--;
            unlock();
            return;
        }
        waiters.addLast(gp);
        try {
            gp.proc.gopark(gp, unlockAfterPark, reason);
        } catch (RuntimeException | Error notParked) {
            // gopark failed before the switch (e.g. a stub of the workbook): the G never parked and
            // the unlock function never ran, so undo the queueing and drop the lock ourselves.
            waiters.remove(gp);
            unlock();
            throw notParked;
        }
        // Woken by release, which handed its unit straight to us: nothing left to take.
    }

    /**
     * Returns one unit: to the longest-waiting goroutine, which is readied onto this P's runnext,
     * or to the count if nobody waits (Go: semrelease1 with handoff). Must run on a goroutine, since
     * goready needs the current M's P.
     */
    public void release() {
        G gp = Go.current("Sema.release");
        lock(gp.proc);
        G waiter = waiters.peekFirst();
        if (waiter == null) {
            count++;
        } else if (waiter.proc != gp.proc) {
            unlock();
            throw new IllegalStateException("Sema.release: the waiting " + waiter + " belongs to another runtime"
                    + " (a semaphore, Mutex or WaitGroup must not outlive the program that used it)");
        } else {
            waiters.pollFirst();
        }
        unlock();
        if (waiter != null) {
            gp.proc.goready(waiter);
        }
    }

    /**
     * Fails unless the caller runs on a goroutine: what every goroutine-only operation of package
     * {@code gmp.sync} checks first. {@code what} names the operation for the message.
     */
    public static void requireGoroutine(String what) {
        Go.current(what);
    }

    /**
     * Kills the program with a fatal error, as Go's runtime {@code fatal} (e.g. "sync: unlock of
     * unlocked mutex"): run() ends with {@code fatal error: <message>} and the goroutine list, whatever
     * any goroutine catches. Returns an Error for the caller to throw, so that the calling goroutine
     * stops here too: {@code throw Sema.fatal("...")}.
     */
    public static Error fatal(String message) {
        G gp = Go.current("a fatal error of package sync");
        gp.proc.fatal(message);
        return new Fatal(message);
    }

    private void lock(Proc proc) {
        int spins = 0;
        while (lock.get() != 0 || !lock.compareAndSet(0, 1)) {
            if (proc.exiting) {
                throw new Fatal("the program is over; a goroutine waiting for a semaphore's lock stops here");
            }
            if (++spins < SPINS_BEFORE_YIELD) {
                Thread.onSpinWait();
            } else {
                Thread.yield();
            }
        }
    }

    private void unlock() {
        lock.setRelease(0);
    }

    /**
     * Stops a goroutine of a program that is already dying with a fatal error. Not meant to be
     * caught; if a goroutine catches it anyway, the program still ends with the fatal error.
     */
    static final class Fatal extends Error {
        private static final long serialVersionUID = 1L;

        Fatal(String message) {
            super("fatal error: " + message);
        }
    }
}
