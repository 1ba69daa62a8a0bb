package gmp.sync;

import java.util.concurrent.atomic.AtomicInteger;

import gmp.runtime.Sema;

/**
 * A mutual exclusion lock for goroutines (Go: sync.Mutex). A goroutine that finds it locked parks
 * with wait reason "sync.Mutex.Lock" and leaves its M and P free; it does not belong to a goroutine
 * or a thread, so one goroutine may lock it and another unlock it, as in Go.
 *
 * <p>The state word holds a locked bit and the number of parked waiters. {@link #unlock} with
 * waiters keeps the locked bit set and hands the mutex to the longest waiter through the semaphore:
 * this is Go's <em>starvation mode</em>, used here always. Go starts in <em>normal mode</em>, where a
 * woken waiter competes with newly arriving goroutines (which usually win: they are already running),
 * and switches to starvation mode when a waiter has waited more than 1 ms; normal mode has more
 * throughput, starvation mode is fair. Go also spins briefly before parking; this one parks at once.
 *
 * <p>Unlocking an unlocked mutex is a fatal error in Go, not a panic: the program dies whatever the
 * goroutines catch. So is it here.
 */
public final class Mutex {
    private static final int LOCKED = 1;
    /** One waiter, counted in the bits above LOCKED (Go: mutexWaiterShift). */
    private static final int WAITER = 2;

    private final AtomicInteger state = new AtomicInteger();
    private final Sema sema = new Sema(0);

    /** Locks the mutex, parking until it is free (Go: Mutex.Lock). */
    public void lock() {
        Sema.requireGoroutine("Mutex.lock");
        if (state.compareAndSet(0, LOCKED)) {
            return;
        }
        for (;;) {
            int s = state.get();
            if ((s & LOCKED) == 0) {
                if (state.compareAndSet(s, s | LOCKED)) {
                    return;
                }
            } else if (state.compareAndSet(s, s + WAITER)) {
                // unlock hands the mutex over with the locked bit still set: once woken, we hold it.
                sema.acquire(Sema.SYNC_MUTEX_LOCK);
                return;
            }
        }
    }

    /** Locks the mutex if it is free and returns true; never waits (Go: Mutex.TryLock). */
    public boolean tryLock() {
        Sema.requireGoroutine("Mutex.tryLock");
        int s = state.get();
        return (s & LOCKED) == 0 && state.compareAndSet(s, s | LOCKED);
    }

    /**
     * Unlocks the mutex; the longest waiter, if any, gets it and runs next on this P (Go:
     * Mutex.Unlock). Unlocking an unlocked mutex is a fatal error: "sync: unlock of unlocked mutex".
     */
    public void unlock() {
        Sema.requireGoroutine("Mutex.unlock");
        for (;;) {
            int s = state.get();
            if ((s & LOCKED) == 0) {
                throw Sema.fatal("sync: unlock of unlocked mutex");
            }
            if (s == LOCKED) {
                if (state.compareAndSet(s, 0)) {
                    return;
                }
            } else if (state.compareAndSet(s, s - WAITER)) {
                sema.release();
                return;
            }
        }
    }
}
