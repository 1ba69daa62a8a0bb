package gmp.bench;

import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import gmp.runtime.Chan;
import gmp.runtime.Go;
import gmp.runtime.GoRuntime;

/**
 * What the execution tracer costs (docs/en/performance.md#trace-cost): {@link PingPong}'s program
 * at GOMAXPROCS 1 with the trace off, and with it on, recording in memory (the file writing at the
 * end is left out: it is done once, after the program). Not part of {@code bench/run}: it is run by
 * hand, beside {@code PingPong.goroutinesP1} of a build from before the tracer, as the doc says.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 2, jvmArgsPrepend = {Programs.ADD_EXPORTS, Programs.CONTINUATION_PACKAGE})
@OperationsPerInvocation(PingPong.ROUND_TRIPS)
public class TraceCost {
    private static final Object TOKEN = new Object();

    /** "off": Proc.trace is null; "on": every event is recorded in the per-P buffers. */
    @Param({"off", "on"})
    public String trace;

    @Benchmark
    public void pingPongP1() {
        GoRuntime.Builder b = GoRuntime.builder().gomaxprocs(1).env(Map.of());
        if (trace.equals("on")) {
            b.recordTrace();
        }
        b.build().run(() -> {
            Chan<Object> ping = Chan.make();
            Chan<Object> pong = Chan.make();
            Go.go(() -> {
                for (int i = 0; i < PingPong.ROUND_TRIPS; i++) {
                    pong.send(ping.recv());
                }
            });
            for (int i = 0; i < PingPong.ROUND_TRIPS; i++) {
                ping.send(TOKEN);
                pong.recv();
            }
        });
    }
}
