/**
 * Go's package sync for goroutines of a {@link gmp.runtime.GoRuntime}: {@link gmp.sync.WaitGroup},
 * {@link gmp.sync.Mutex} and {@link gmp.sync.Once}, built, as Go builds them, on the runtime's
 * semaphore ({@link gmp.runtime.Sema}), which parks and readies goroutines instead of blocking threads.
 *
 * <h2>Why not java.util.concurrent or synchronized</h2>
 * A goroutine that blocks in a Java lock blocks its whole M, and with it the M's P: no other
 * goroutine runs on that P until the lock is free. A goroutine that parks (sleeps, waits on a
 * channel) while it holds a Java lock is worse:
 * <ul>
 *   <li>every goroutine that then contends for that lock blocks its M and P as well, possibly all
 *       of them, and the holder may never get a P back to release it;</li>
 *   <li>a {@link java.util.concurrent.locks.ReentrantLock} belongs to a thread, and a parked
 *       goroutine may resume on another M: its {@code unlock()} then throws
 *       {@link java.lang.IllegalMonitorStateException}.</li>
 * </ul>
 * Since JDK 24 (JEP 491) a continuation carries its Java monitors along, so {@code synchronized}
 * no longer pins a goroutine and the JVM cannot report the misuse any more; the first problem
 * remains. Use these types in goroutine code; they park the goroutine and leave the M free.
 *
 * <p>Every operation here runs on goroutines only: from a plain Java thread it throws an
 * {@link IllegalStateException}.
 */
package gmp.sync;
