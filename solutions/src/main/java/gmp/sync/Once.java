package gmp.sync;

import java.util.concurrent.atomic.AtomicBoolean;

import gmp.runtime.Sema;

/**
 * Performs one action exactly once (Go: sync.Once). Every caller of {@link #run} returns only after
 * the action has finished: concurrent callers park on a {@link Mutex} while the first one runs it.
 * If the action throws, it still counts as done, as in Go (a panicking f is never called again).
 *
 * <p>Go calls the method {@code Do}; {@code do} is a Java keyword, hence {@code run}.
 */
public final class Once {
    /** Set, with a volatile write, only after the action returned: the fast path's acquire pairs with it. */
    private final AtomicBoolean done = new AtomicBoolean();
    private final Mutex m = new Mutex();

    /** Runs {@code f} if no call of run on this Once has run it yet; waits until it has finished (Go: Once.Do). */
    public void run(Runnable f) {
        Sema.requireGoroutine("Once.run");
        if (done.get()) {
            return;
        }
        m.lock();
        try {
            if (!done.get()) {
                try {
                    f.run();
                } finally {
                    done.set(true);
                }
            }
        } finally {
            m.unlock();
        }
    }
}
