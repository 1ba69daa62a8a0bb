package gmp.bench;

import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import gmp.runtime.Chan;
import gmp.runtime.Go;

/**
 * Workloads 8 and 9, chapter 07's syscalls; goroutines and Go only (a thread has no P to hand off).
 * Go's twins are {@code handoff} and {@code bracket} in {@code bench/go/main.go}, whose syscalls go
 * through {@code syscall.Syscall}, i.e. through entersyscall and exitsyscall.
 * <ul>
 *   <li>8, hand-off: one processor; a goroutine blocks {@value #BLOCK_MS} ms in a syscall
 *       ({@code Thread.sleep} inside {@code Go.syscall}; Go: a raw nanosleep) while main waits on the
 *       global run queue; the metric is the microseconds from the call's start until main runs
 *       again, on another M: sysmon's two looks plus a thread wake-up;</li>
 *   <li>9, bracket: n calls of {@code Go.syscall} around a call that returns at once; the metric is
 *       the nanoseconds per call. Go cannot make a syscall without a kernel call, so its twin times
 *       {@code syscall.Syscall(SYS_GETPID)} and subtracts {@code syscall.RawSyscall(SYS_GETPID)} (the
 *       same call without the bracket): what is left is the bracket.</li>
 * </ul>
 */
final class Syscalls {
    static final long BLOCK_MS = 50;
    private static final Runnable NOTHING = () -> { };

    private Syscalls() {
    }

    /**
     * Two hand-offs in one program, the second measured: the first makes the Ms, which the second
     * finds idle and reuses, as a long-running program would (Go's twin does the same).
     */
    static Map<String, Double> handoff(int procs) {
        AtomicLong blockedAt = new AtomicLong();
        long[] ranAt = new long[1];
        Programs.run(procs, () -> {
            for (int round = 0; round < 2; round++) {
                blockedAt.set(0);
                Chan<Boolean> done = Chan.make(1);
                Go.go(() -> {
                    Go.syscall(() -> {
                        blockedAt.set(System.nanoTime());
                        sleep(BLOCK_MS);
                    });
                    done.send(true);
                });
                while (blockedAt.get() == 0) {
                    Go.gosched();
                }
                ranAt[0] = System.nanoTime();
                done.recv();
            }
        });
        return Map.of("latency-us", (ranAt[0] - blockedAt.get()) / 1e3);
    }

    static Map<String, Double> bracket(int procs, int n) {
        long[] took = new long[1];
        Programs.run(procs, () -> {
            long t0 = System.nanoTime();
            for (int i = 0; i < n; i++) {
                Go.syscall(NOTHING);
            }
            took[0] = System.nanoTime() - t0;
        });
        return Map.of("ns-per-call", (double) took[0] / n);
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
