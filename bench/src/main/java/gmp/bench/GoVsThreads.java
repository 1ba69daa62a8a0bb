package gmp.bench;

import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The five runs of a two-goroutine JMH workload (as JMH's own sample of benchmark inheritance has
 * it: the benchmark methods here, the program in the subclass). Each invocation is one whole
 * program, made by the subclass: {@link #goroutines} on a new {@link gmp.runtime.GoRuntime} with
 * GOMAXPROCS 1 and 2, {@link #threads} on virtual threads with a scheduler parallelism of 1 and 2
 * (a JVM flag, so a fork each) and on platform threads. The subclass sets
 * {@code @OperationsPerInvocation}, so that a score is per operation.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 2, jvmArgsPrepend = {Programs.ADD_EXPORTS, Programs.CONTINUATION_PACKAGE})
public abstract class GoVsThreads {
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

    /** The program on the reference runtime with GOMAXPROCS {@code procs}. */
    abstract void goroutines(int procs);

    /** The same program on new threads of the builder's kind; the benchmark thread only waits. */
    abstract void threads(Thread.Builder builder) throws InterruptedException;
}
