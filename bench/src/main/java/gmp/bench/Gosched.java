package gmp.bench;

import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Warmup;

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
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@OperationsPerInvocation(Gosched.YIELDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 2, jvmArgsPrepend = {Programs.ADD_EXPORTS, Programs.CONTINUATION_PACKAGE})
public class Gosched {
    /** Yields per goroutine and per invocation. */
    public static final int YIELDS_EACH = 100_000;
    public static final int YIELDS = 2 * YIELDS_EACH;

    @Benchmark
    public void goroutinesP1() {
        goroutines(1);
    }

    @Benchmark
    public void goroutinesP2() {
        goroutines(2);
    }

    @Benchmark
    @Fork(jvmArgsAppend = "-Djdk.virtualThreadScheduler.parallelism=1")
    public void virtualThreadsP1() throws InterruptedException {
        threads(Thread.ofVirtual());
    }

    @Benchmark
    @Fork(jvmArgsAppend = "-Djdk.virtualThreadScheduler.parallelism=2")
    public void virtualThreadsP2() throws InterruptedException {
        threads(Thread.ofVirtual());
    }

    @Benchmark
    public void platformThreads() throws InterruptedException {
        threads(Thread.ofPlatform());
    }

    static void goroutines(int procs) {
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

    static void threads(Thread.Builder builder) throws InterruptedException {
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
