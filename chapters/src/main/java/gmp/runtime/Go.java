package gmp.runtime;

import java.util.Objects;

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

    /** The current goroutine's id (Go does not expose it; the workbook's tests and demos use it). */
    public static long goid() {
        return current("Go.goid").goid;
    }

    private static G current(String what) {
        G gp = Proc.getg();
        if (gp == null || gp.isG0()) {
            throw new IllegalStateException(what + " must be called on a goroutine, i.e. inside GoRuntime.run(main)"
                    + " or a goroutine it started, not on " + (gp == null ? "a plain Java thread" : "the scheduler's g0")
                    + " (" + Thread.currentThread().getName() + ")");
        }
        return gp;
    }
}
