package gmp.runtime;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Callable;

/**
 * The language side of the runtime: what a Go program writes as statements and calls into package
 * runtime. Each method finds the current runtime through the current M, the way Go finds {@code g}
 * through thread-local storage, so it only works on a goroutine: called from a plain Java thread it
 * throws an {@link IllegalStateException} that says so.
 */
public final class Go {
    private Go() {
    }

    /** The go statement: {@code go fn()}. The new goroutine runs next on this P (chapter 02). */
    public static void go(Runnable fn) {
        Objects.requireNonNull(fn, "fn");
        current("the go statement").proc.newproc(fn);
    }

    /**
     * Yields the processor, letting other goroutines run (Go: runtime.Gosched). The goroutine goes
     * to the global run queue and runs again later, maybe on another P.
     */
    public static void gosched() {
        G gp = current("Go.gosched");
        gp.proc.gosched(gp);
    }

    /**
     * Pauses the current goroutine for at least {@code d} (Go: time.Sleep); d <= 0 returns at once.
     * A Duration past Go's largest (math.MaxInt64 ns, about 292 years) sleeps that long: forever.
     */
    public static void sleep(Duration d) {
        sleep(d.isNegative() ? 0 : d.compareTo(MAX_DURATION) > 0 ? Long.MAX_VALUE : d.toNanos());
    }

    /** Go's largest time.Duration: math.MaxInt64 nanoseconds. */
    private static final Duration MAX_DURATION = Duration.ofNanos(Long.MAX_VALUE);

    /**
     * Pauses the current goroutine for at least {@code nanos} nanoseconds (Go: time.Sleep; the rest
     * of package time, timers and tickers, is in {@link Time}).
     */
    public static void sleep(long nanos) {
        G gp = current("Go.sleep");
        gp.proc.timeSleep(gp, nanos);
    }

    /**
     * Ends the current goroutine (Go: runtime.Goexit). It unwinds the goroutine's stack with an
     * Error, running every finally block on the way, as Goexit runs deferred calls; other goroutines
     * are not affected. Called by main, main ends but the program does not: it runs until every
     * other goroutine has ended too, then dies with Go's "no goroutines (main called runtime.Goexit)
     * - deadlock!". Do not catch the Error (catch Exception, not Throwable): a catch stops it, and
     * the goroutine goes on.
     */
    public static void goexit() {
        current("Go.goexit");
        throw new Goexit();
    }

    /** The number of goroutines that exist now, this one included (Go: runtime.NumGoroutine). */
    public static int numGoroutine() {
        return current("Go.numGoroutine").proc.gcount();
    }

    /** What Go.goexit unwinds a goroutine's stack with; goroutineBody ends the goroutine on it. */
    static final class Goexit extends Error {
        private static final long serialVersionUID = 1L;

        Goexit() {
            super("runtime.Goexit", null, false, false);
        }
    }

    /**
     * Makes a Java call that may block its thread, as a Go system call: the goroutine enters a
     * syscall first and leaves it after (Go: entersyscall/exitsyscall around syscall.Syscall). While
     * it blocks, its P is not lost to the program: sysmon gives it to another M when the call has
     * lasted for two of its looks (from 20 us to 10 ms), and the other goroutines run on (chapter 07,
     * docs/en/07-syscalls.md). Use it for a FileChannel read, Process.waitFor, a socket outside
     * chapter 08's netpoll, a Thread.sleep that stands for a slow system call. {@code fn} must not
     * call into the runtime (no channel operation, no go statement, no Go.sleep): the goroutine has no
     * P while it runs.
     */
    public static void syscall(Runnable fn) {
        Objects.requireNonNull(fn, "fn");
        Syscall.call(current("Go.syscall"), false, runnable(fn));
    }

    /**
     * Like {@link #syscall(Runnable)}, returning what {@code fn} returns. What it throws comes back as
     * it is; a checked exception comes wrapped in an {@link java.lang.reflect.UndeclaredThrowableException},
     * whose getCause() is the exception.
     */
    public static <T> T syscall(Callable<T> fn) {
        Objects.requireNonNull(fn, "fn");
        return Syscall.call(current("Go.syscall"), false, fn);
    }

    /**
     * Like {@link #syscall(Runnable)}, for a call known to block for long (Go: entersyscallblock):
     * the P is handed off at once, not when sysmon notices.
     */
    public static void syscallBlock(Runnable fn) {
        Objects.requireNonNull(fn, "fn");
        Syscall.call(current("Go.syscallBlock"), true, runnable(fn));
    }

    /** Like {@link #syscallBlock(Runnable)}, returning what {@code fn} returns (see {@link #syscall(Callable)}). */
    public static <T> T syscallBlock(Callable<T> fn) {
        Objects.requireNonNull(fn, "fn");
        return Syscall.call(current("Go.syscallBlock"), true, fn);
    }

    private static Callable<Void> runnable(Runnable fn) {
        return () -> {
            fn.run();
            return null;
        };
    }

    /** The current goroutine's id (Go does not expose it; the workbook's tests and demos use it). */
    public static long goid() {
        return current("Go.goid").goid;
    }

    /**
     * The current goroutine, after a safepoint; {@code what} names the operation in the error when
     * there is none.
     */
    static G current(String what) {
        G gp = Proc.getg();
        if (gp == null || gp.isG0()) {
            throw new IllegalStateException(what + " must be called on a goroutine, i.e. inside GoRuntime.run(main)"
                    + " or a goroutine it started, not on " + (gp == null ? "a plain Java thread" : "the scheduler's g0")
                    + " (" + Thread.currentThread().getName() + ")");
        }
        // Every entry into the runtime is a safepoint, as every Go function's prologue checks for a
        // preempt request (chapter 06).
        if (Safepoint.pending()) {
            Preempt.check(gp);
        }
        return gp;
    }
}
