package gmp.bench;

import org.openjdk.jmh.annotations.OperationsPerInvocation;

import gmp.runtime.Chan;
import gmp.runtime.Go;

/**
 * Workload 2: two goroutines call {@code runtime.Gosched} {@value #YIELDS_EACH} times each; the
 * score is nanoseconds per yield ({@value #YIELDS} yields per invocation). Go's twin is
 * {@code BenchmarkGosched} in {@code bench/go/bench_test.go}.
 *
 * <p>A yield on the reference runtime is the whole trip through the scheduler: mcall to g0,
 * goschedImpl puts the G on the global run queue under sched.lock and calls wakep, findRunnable
 * takes the other G, execute and gogo resume its continuation. Virtual and platform threads call
 * {@link Thread#yield}: for a virtual thread that is the same trip through the JDK's scheduler (a
 * ForkJoinPool), for a platform thread a {@code sched_yield} system call.
 */
@OperationsPerInvocation(Gosched.YIELDS)
public class Gosched extends GoVsThreads {
    /** Yields per goroutine and per invocation. */
    public static final int YIELDS_EACH = 100_000;
    public static final int YIELDS = 2 * YIELDS_EACH;

    @Override
    void goroutines(int procs) {
        Programs.run(procs, () -> {
            Chan<Void> done = Chan.make();
            Go.go(() -> {
                for (int i = 0; i < YIELDS_EACH; i++) {
                    Go.gosched();
                }
                done.close();
            });
            for (int i = 0; i < YIELDS_EACH; i++) {
                Go.gosched();
            }
            done.recv();
        });
    }

    @Override
    void threads(Thread.Builder builder) throws InterruptedException {
        Programs.Crew crew = new Programs.Crew(builder);
        for (int t = 0; t < 2; t++) {
            crew.start(() -> {
                for (int i = 0; i < YIELDS_EACH; i++) {
                    Thread.yield();
                }
            });
        }
        crew.join();
    }
}
