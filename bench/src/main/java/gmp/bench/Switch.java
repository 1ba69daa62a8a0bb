package gmp.bench;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import gmp.runtime.Go;
import jdk.internal.vm.Continuation;
import jdk.internal.vm.ContinuationScope;

/**
 * Chapter 01's lesson in numbers: switching to a goroutine and back is a function call's worth of
 * work on one thread, while handing work from one platform thread to another goes through the
 * kernel. Every score is nanoseconds for one round trip.
 * <ul>
 *   <li>{@link #continuationRunYield}: the G switch alone, what gogo and mcall are made of: a
 *       {@code Continuation.run()} that resumes a continuation, which at once yields back to the
 *       calling thread's stack (g0).</li>
 *   <li>{@link #goschedAlone}: the same switch with the scheduler around it: one goroutine calls
 *       Gosched, so every round trip is mcall, goschedImpl, findRunnable, execute and gogo.</li>
 *   <li>{@link #virtualThreadYieldAlone}: the JDK's version of the last one, one virtual thread that
 *       yields, on one carrier thread.</li>
 *   <li>{@link #platformParkUnpark}: a hand-off between two platform threads: each unparks the
 *       other and parks until it is unparked back (LockSupport, i.e. futex wake and wait).</li>
 * </ul>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 2, jvmArgsPrepend = {Programs.ADD_EXPORTS, Programs.CONTINUATION_PACKAGE})
public class Switch {
    /** Round trips per invocation of the benchmarks that start a program each time. */
    public static final int ALONE_YIELDS = 100_000;

    /** A continuation that yields every time it is resumed. */
    @State(Scope.Thread)
    public static class Yielder {
        private static final ContinuationScope SCOPE = new ContinuationScope("bench");
        Continuation continuation;

        @Setup(Level.Trial)
        public void setup() {
            continuation = new Continuation(SCOPE, () -> {
                for (;;) {
                    Continuation.yield(SCOPE);
                }
            });
        }
    }

    /**
     * A platform thread that answers every unpark of the benchmark thread with one of its own. The
     * ball is {@code turn}: 1 while it is the partner's, 0 while it is the benchmark thread's.
     */
    @State(Scope.Thread)
    public static class Partner {
        volatile int turn;
        volatile boolean stop;
        Thread bench;
        Thread partner;

        @Setup(Level.Trial)
        public void setup() {
            bench = Thread.currentThread();
            partner = Thread.ofPlatform().daemon().name("park-unpark-partner").start(() -> {
                while (!stop) {
                    while (turn != 1 && !stop) {
                        LockSupport.park(this);
                    }
                    turn = 0;
                    LockSupport.unpark(bench);
                }
            });
        }

        @TearDown(Level.Trial)
        public void tearDown() throws InterruptedException {
            stop = true;
            LockSupport.unpark(partner);
            partner.join();
        }
    }

    @Benchmark
    public void continuationRunYield(Yielder y) {
        y.continuation.run();
    }

    @Benchmark
    public void platformParkUnpark(Partner p) {
        p.turn = 1;
        LockSupport.unpark(p.partner);
        while (p.turn != 0) {
            LockSupport.park(this);
        }
    }

    @Benchmark
    @OperationsPerInvocation(ALONE_YIELDS)
    public void goschedAlone() {
        Programs.run(1, () -> {
            for (int i = 0; i < ALONE_YIELDS; i++) {
                Go.gosched();
            }
        });
    }

    @Benchmark
    @OperationsPerInvocation(ALONE_YIELDS)
    @Fork(jvmArgsAppend = "-Djdk.virtualThreadScheduler.parallelism=1")
    public void virtualThreadYieldAlone() throws InterruptedException {
        Programs.Crew crew = new Programs.Crew(Thread.ofVirtual());
        crew.start(() -> {
            for (int i = 0; i < ALONE_YIELDS; i++) {
                Thread.yield();
            }
        });
        crew.join();
    }
}
