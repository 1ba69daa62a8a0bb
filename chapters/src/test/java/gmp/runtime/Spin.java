package gmp.runtime;

import java.util.function.BooleanSupplier;

/**
 * Busy-waiting inside a goroutine, for tests whose goroutines must hold their P while they wait
 * (before chapter 05 a goroutine cannot park). A goroutine cannot be stopped from outside, so a
 * spinning one would keep its thread busy long after its test gave up; this one ends itself, as if
 * it called runtime.Goexit, as soon as the program is over (main returned, the harness's watchdog
 * aborted it, or another goroutine crashed).
 */
final class Spin {
    private Spin() {
    }

    /**
     * Spins until {@code cond} holds. Once the program is over, the goroutine exits instead (goexit1,
     * given since chapter 01), quietly: the program's verdict is already decided. {@code what} names
     * the wait, for whoever reads this in a stack trace.
     */
    static void until(BooleanSupplier cond, String what) {
        G gp = Proc.getg();
        Proc proc = gp.proc;
        while (!cond.getAsBoolean()) {
            if (proc.exiting) {
                proc.goexit1(gp); // never returns: the program is over while waiting for `what`
            }
            Thread.onSpinWait();
        }
    }
}
