package gmp.bench;

import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What the preemption agent costs a tight loop: the same loops, in forks with the agent (every
 * JMH fork of {@code bench/run} has it, see {@link JmhSuite}) and in forks with it switched off
 * ({@code -Dgmp.preempt=off}), so the two differ by the polls alone: one opaque load of
 * {@code Safepoint.pending} and a branch per iteration. Scores are nanoseconds per iteration.
 * <ul>
 *   <li>{@code chain}: a loop whose every iteration depends on the last (a multiply, a shift, an
 *       xor), the shape of a goroutine that computes without calling anything;</li>
 *   <li>{@code sum}: summing an int array, a loop C2 unrolls and vectorizes when nothing is in the
 *       way; the poll is.</li>
 * </ul>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 2, jvmArgsPrepend = {Programs.ADD_EXPORTS, Programs.CONTINUATION_PACKAGE})
@State(Scope.Thread)
public class Polls {
    /** Iterations per invocation. */
    public static final int N = 10_000;

    private long seed;
    private int[] data;

    @Setup
    public void setup() {
        seed = System.nanoTime();
        data = new int[N];
        for (int i = 0; i < N; i++) {
            data[i] = (int) (seed >>> (i % 32)) + i;
        }
    }

    @Benchmark
    @OperationsPerInvocation(N)
    public long chainWithPolls() {
        return chain(seed);
    }

    @Benchmark
    @OperationsPerInvocation(N)
    @Fork(jvmArgsAppend = Programs.PREEMPT_OFF)
    public long chainWithoutPolls() {
        return chain(seed);
    }

    @Benchmark
    @OperationsPerInvocation(N)
    public int sumWithPolls() {
        return sum(data);
    }

    @Benchmark
    @OperationsPerInvocation(N)
    @Fork(jvmArgsAppend = Programs.PREEMPT_OFF)
    public int sumWithoutPolls() {
        return sum(data);
    }

    private static long chain(long x) {
        for (int i = 0; i < N; i++) {
            x = x * 0x9E3779B97F4A7C15L;
            x ^= x >>> 29;
        }
        return x;
    }

    private static int sum(int[] a) {
        int s = 0;
        for (int v : a) {
            s += v;
        }
        return s;
    }
}
