package gmp.runtime;

import java.util.function.BooleanSupplier;

/**
 * Busy-waiting inside a goroutine, for tests whose goroutines must hold their P while they wait
 * (before chapter 05 a goroutine cannot park). A goroutine cannot be stopped from outside, so a
 * spinning one would keep its thread busy long after its test gave up; this one stops as soon as
 * the program is over (the harness's watchdog aborted it, or another goroutine crashed).
 */
final class Spin {
    private Spin() {
    }

    /** Spins until {@code cond} holds; throws once the program is over, naming what it waited for. */
    static void until(BooleanSupplier cond, String what) {
        Proc proc = Proc.getg().proc;
        while (!cond.getAsBoolean()) {
            if (proc.exiting) {
                throw new IllegalStateException("the program ended while this goroutine waited for " + what);
            }
            Thread.onSpinWait();
        }
    }
}
