package gmp.runtime;

import java.util.function.Consumer;

/**
 * A timer: run {@code f} once {@link System#nanoTime()} reaches {@code when} (Go: runtime.timer,
 * time.go). It lives in one P's heap ({@link Timers}); whichever M checks that heap after {@code when}
 * runs {@code f} on its g0, with that M's P. A sleeping goroutine's timer is {@code goroutineReady}:
 * it readies the sleeper onto the runnext of the P that ran the timer.
 */
final class Timer {
    /** When to fire, in System.nanoTime() units. */
    long when;
    /** What to do, on g0 of the M that runs the timer. */
    final Consumer<Timer> f;
    /** The goroutine a sleep timer wakes (Go: the timer's arg). */
    final G gp;
    /** Index in its heap, or -1 when in none. Guarded by the heap's lock. */
    int index = -1;
    /** The heap it was added to (Go: t.ts); set by addtimer. A timer never moves to another heap. */
    volatile Timers ts;

    Timer(Consumer<Timer> f, G gp) {
        this.f = f;
        this.gp = gp;
    }

    @Override
    public String toString() {
        return "timer(when=" + when + (gp == null ? "" : ", " + gp) + ")";
    }
}
