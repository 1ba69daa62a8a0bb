package gmp.bench;

import java.util.Map;
import java.util.concurrent.CountDownLatch;

import gmp.runtime.Go;
import gmp.sync.WaitGroup;

/**
 * Workload 3: the main goroutine starts n goroutines that do nothing but {@code wg.Done()}, then
 * waits for them all; the metric is wall time per goroutine, {@code go} statement to the end of
 * the Wait. Go's twin is {@code spawn} in {@code bench/go/main.go}.
 *
 * <p>On the runtime a new G is a small object with an unstarted Continuation (its stack is made on
 * the first yield), and a dead G goes to its P's free list with its stack kept for the next go
 * statement. With GOMAXPROCS 1 and no preemption yet (chapter 06), main starts all n before any of
 * them runs, so they all wait on the run queues at once; Go preempts main every 10 ms instead.
 * Threads: a {@link CountDownLatch} stands in for the WaitGroup.
 */
final class Spawn {
    private Spawn() {
    }

    static Map<String, Double> once(Kind kind, int procs, int n) throws InterruptedException {
        long[] nanos = new long[1];
        if (kind == Kind.GOROUTINES) {
            Programs.run(procs, () -> {
                WaitGroup wg = new WaitGroup();
                wg.add(n);
                long t0 = System.nanoTime();
                for (int i = 0; i < n; i++) {
                    Go.go(() -> wg.done());
                }
                wg.await();
                nanos[0] = System.nanoTime() - t0;
            });
        } else {
            Programs.Crew main = new Programs.Crew(kind.builder());
            main.start(() -> {
                Thread.Builder builder = kind.builder();
                CountDownLatch latch = new CountDownLatch(n);
                long t0 = System.nanoTime();
                for (int i = 0; i < n; i++) {
                    builder.start(latch::countDown);
                }
                latch.await();
                nanos[0] = System.nanoTime() - t0;
            });
            main.join();
        }
        return Map.of("ns/op", (double) nanos[0] / n);
    }
}
