package gmp.runtime;

import java.util.concurrent.locks.LockSupport;

/**
 * A one-shot sleep/wakeup event for one thread, Go's {@code note} (lock_futex.go): an M parks on
 * its note when it has nothing to do ({@code stopm}) and another thread wakes it.
 *
 * <p>{@link #wakeup} before {@link #sleep} is not lost: sleep then returns at once. {@link #clear}
 * re-arms the note; only the sleeping thread clears it, before it goes to sleep again.
 * The key is written with a volatile store and read with volatile loads; {@code LockSupport}
 * supplies the blocking, and the loop absorbs its spurious returns.
 */
final class Note {
    private volatile boolean key;
    private volatile Thread waiter;

    /** Re-arms the note (Go's {@code noteclear}). Only the owner calls it, never concurrently with wakeup. */
    void clear() {
        key = false;
    }

    /** Blocks the calling thread until {@link #wakeup} (Go's {@code notesleep}). */
    void sleep() {
        waiter = Thread.currentThread();
        while (!key) {
            LockSupport.park(this);
        }
        waiter = null;
    }

    /** Blocks until {@link #wakeup} or until {@code nanos} have passed (Go's {@code notetsleep}); true if woken. */
    boolean sleep(long nanos) {
        long deadline = System.nanoTime() + nanos;
        waiter = Thread.currentThread();
        while (!key) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                break;
            }
            LockSupport.parkNanos(this, left);
        }
        waiter = null;
        return key;
    }

    /** Whether a thread is asleep on this note right now (for schedtrace's "blocked"). */
    boolean sleeping() {
        return waiter != null;
    }

    /** Wakes the sleeper, now or when it next sleeps (Go's {@code notewakeup}). */
    void wakeup() {
        key = true;
        Thread w = waiter;
        if (w != null) {
            LockSupport.unpark(w);
        }
    }
}
