package gmp.sync;

import java.util.concurrent.atomic.AtomicLong;

import gmp.runtime.GoPanic;
import gmp.runtime.Sema;

/**
 * Waits for a collection of goroutines to finish (Go: sync.WaitGroup). The waiting goroutine calls
 * {@link #add} with the number to wait for, each of them calls {@link #done} when it finishes, and
 * {@link #await} parks until the counter is back to zero. A {@code done} happens before the return
 * of every {@code await} it unblocks.
 *
 * <p>As in Go, one 64-bit word holds the counter (high 32 bits) and the number of waiters (low 32
 * bits), so that "the counter reached zero" and "how many to wake" are read in one atomic step; the
 * waiters park on a {@link Sema} with Go's wait reason "semacquire". The {@code add} that brings the
 * counter to zero resets the word and releases the semaphore once per waiter.
 *
 * <p>Go calls the wait {@code Wait}; {@code wait()} is taken by {@link Object#wait()}, hence
 * {@code await}, as in {@link java.util.concurrent.CountDownLatch}.
 */
public final class WaitGroup {
    /** Counter in the high 32 bits, waiters in the low 32 (Go: state atomic.Uint64). */
    private final AtomicLong state = new AtomicLong();
    private final Sema sema = new Sema(0);

    /**
     * Adds {@code delta}, which may be negative, to the counter; at zero, wakes every goroutine in
     * {@link #await} (Go: WaitGroup.Add). A negative counter panics with Go's words.
     *
     * @throws GoPanic "sync: negative WaitGroup counter", or a misuse Go also reports
     */
    public void add(int delta) {
        Sema.requireGoroutine("WaitGroup.add");
        long s = state.addAndGet((long) delta << 32);
        int v = (int) (s >> 32);
        int w = (int) s;
        if (v < 0) {
            throw new GoPanic("sync: negative WaitGroup counter");
        }
        if (w != 0 && delta > 0 && v == delta) {
            throw new GoPanic("sync: WaitGroup misuse: Add called concurrently with Wait");
        }
        if (v > 0 || w == 0) {
            return;
        }
        // This add brought the counter to zero with waiters: nobody else may change the state now
        // (an await that sees zero does not count itself; an add now would be the misuse above).
        if (state.get() != s) {
            throw new GoPanic("sync: WaitGroup misuse: Add called concurrently with Wait");
        }
        state.set(0);
        for (; w != 0; w--) {
            sema.release();
        }
    }

    /** Decrements the counter by one (Go: WaitGroup.Done). */
    public void done() {
        add(-1);
    }

    /**
     * Parks the current goroutine until the counter is zero; returns at once, without yielding,
     * if it already is (Go: WaitGroup.Wait).
     */
    public void await() {
        Sema.requireGoroutine("WaitGroup.await");
        for (;;) {
            long s = state.get();
            if ((int) (s >> 32) == 0) {
                return;
            }
            if (state.compareAndSet(s, s + 1)) {
                sema.acquire(Sema.SEMACQUIRE);
                if (state.get() != 0) {
                    throw new GoPanic("sync: WaitGroup is reused before previous Wait has returned");
                }
                return;
            }
        }
    }
}
