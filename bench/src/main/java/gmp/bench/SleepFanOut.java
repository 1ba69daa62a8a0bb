package gmp.bench;

import java.time.Duration;
import java.util.Map;

import gmp.runtime.Go;
import gmp.sync.WaitGroup;

/**
 * Workload 5: n goroutines each sleep {@value #SLEEPS} times for 1 ms; the metric is the wall time
 * until the last one is done. Ideal: 10 ms. Go's twin is {@code sleep} in {@code bench/go/main.go}.
 *
 * <p>On the runtime a sleeping G parks with its timer on its P's heap; an M with nothing to run
 * sleeps until the earliest timer of any P (netpoll's seam, chapter 05). Go rounds its netpoll
 * wait up to whole milliseconds (epoll_wait takes ms), the runtime parks for exact nanoseconds.
 * Threads call {@link Thread#sleep} (a virtual thread parks with a timer of the JDK's scheduler, a
 * platform thread sleeps in the kernel), and joining them all stands in for the WaitGroup.
 */
final class SleepFanOut {
    static final int SLEEPS = 10;
    static final Duration SLEEP = Duration.ofMillis(1);

    private SleepFanOut() {
    }

    static Map<String, Double> once(Kind kind, int procs, int n) throws InterruptedException {
        long[] nanos = new long[1];
        if (kind == Kind.GOROUTINES) {
            Programs.run(procs, () -> {
                WaitGroup wg = new WaitGroup();
                wg.add(n);
                long t0 = System.nanoTime();
                for (int i = 0; i < n; i++) {
                    Go.go(() -> {
                        for (int j = 0; j < SLEEPS; j++) {
                            Go.sleep(SLEEP);
                        }
                        wg.done();
                    });
                }
                wg.await();
                nanos[0] = System.nanoTime() - t0;
            });
        } else {
            Programs.Crew main = new Programs.Crew(kind.builder());
            main.start(() -> {
                Programs.Crew sleepers = new Programs.Crew(kind.builder());
                long t0 = System.nanoTime();
                for (int i = 0; i < n; i++) {
                    sleepers.start(() -> {
                        for (int j = 0; j < SLEEPS; j++) {
                            Thread.sleep(SLEEP);
                        }
                    });
                }
                sleepers.join();
                nanos[0] = System.nanoTime() - t0;
            });
            main.join();
        }
        return Map.of("wall-ms", nanos[0] / 1e6);
    }
}
