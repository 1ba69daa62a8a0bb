package gmp.bench;

import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import gmp.runtime.Go;

/**
 * Workload 6: with one processor, main starts a goroutine and then spins in a loop that never
 * calls into the runtime (a loop the JIT keeps a safepoint poll in, as Go's compiler keeps an async
 * preemption point); the metric is the time until the new goroutine runs, which only preemption
 * can bring about. Main gives up after {@value #BOUND_MS} ms and reports "never". Go's twin is
 * {@code preempt} in {@code bench/go/main.go}; Go's sysmon preempts a G after 10 ms.
 *
 * <p>The runtime's JVM starts with the preemption agent, which puts a poll ({@code Safepoint.poll})
 * at the back-edge of {@link #spin}'s loop: chapter 06's sysmon asks for preemption after 10 ms,
 * and the poll honours the request. Without chapter 06's slow path the answer is "never", and the
 * table says why. A second JVM runs it with the agent switched off, Go 1.13's {@code for {}}: never,
 * whatever sysmon does. Virtual threads are never preempted either (JDK 25).
 * Platform threads are preempted by the kernel: the orchestrator runs their JVM on one CPU
 * ({@code taskset -c 0}), so that "one processor" means the same there.
 */
final class Preemption {
    static final long BOUND_MS = 1_000;

    private Preemption() {
    }

    static Map<String, Double> once(Kind kind, int procs) throws InterruptedException {
        AtomicLong ranAt = new AtomicLong();
        long[] start = new long[1];
        if (kind == Kind.GOROUTINES) {
            Programs.run(procs, () -> {
                start[0] = System.nanoTime();
                Go.go(() -> ranAt.set(System.nanoTime()));
                spin(ranAt, start[0]);
                while (ranAt.get() == 0) {
                    Go.gosched(); // let it run now, so that the program ends with it
                }
            });
        } else {
            Programs.Crew crew = new Programs.Crew(kind.builder());
            crew.start(() -> {
                Thread.Builder builder = kind.builder();
                start[0] = System.nanoTime();
                builder.start(() -> ranAt.set(System.nanoTime()));
                spin(ranAt, start[0]);
            });
            crew.join();
        }
        long ran = ranAt.get() - start[0];
        boolean never = ranAt.get() == 0 || ran > BOUND_MS * 1_000_000;
        return Map.of("latency-ms", never ? Double.POSITIVE_INFINITY : ran / 1e6);
    }

    /** Spins until the other task has run, or BOUND_MS have passed; looks at the clock now and then. */
    private static void spin(AtomicLong ranAt, long start) {
        long deadline = start + BOUND_MS * 1_000_000;
        for (long i = 1; ranAt.get() == 0; i++) {
            if ((i & 0xFFFF) == 0 && System.nanoTime() > deadline) {
                return;
            }
        }
    }
}
