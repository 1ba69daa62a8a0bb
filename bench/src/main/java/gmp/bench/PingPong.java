package gmp.bench;

import java.util.concurrent.SynchronousQueue;

import org.openjdk.jmh.annotations.OperationsPerInvocation;

import gmp.runtime.Chan;
import gmp.runtime.Go;

/**
 * Workload 1: two goroutines pass one value back and forth over a pair of unbuffered channels,
 * {@value #ROUND_TRIPS} times; the score is nanoseconds per round trip (two hand-offs, four channel
 * operations). Go's twin is {@code BenchmarkPingPong} in {@code bench/go/bench_test.go}.
 *
 * <p>On the reference runtime every send finds the receiver parked: it hands the value over and
 * readies the receiver into its own P's runnext (chan.go's direct hand-off), then parks on the other
 * channel, and the scheduler switches to the receiver in the same time slice. With GOMAXPROCS 2 the
 * second P's spinning M may steal that runnext, so the two goroutines may also run on two threads.
 *
 * <p>Virtual and platform threads run the same exchange over {@link SynchronousQueue}, the JDK's
 * unbuffered hand-off. Each invocation is one whole program: a new {@link gmp.runtime.GoRuntime}
 * (or two new threads) and {@value #ROUND_TRIPS} round trips, so start-up (~0.1 ms) is under 1% of it.
 */
@OperationsPerInvocation(PingPong.ROUND_TRIPS)
public class PingPong extends GoVsThreads {
    /** Round trips per invocation: ~30 ms on the runtime, so every invocation dwarfs its start-up. */
    public static final int ROUND_TRIPS = 100_000;

    private static final Object TOKEN = new Object();

    @Override
    void goroutines(int procs) {
        Programs.run(procs, () -> {
            Chan<Object> ping = Chan.make();
            Chan<Object> pong = Chan.make();
            Go.go(() -> {
                for (int i = 0; i < ROUND_TRIPS; i++) {
                    pong.send(ping.recv());
                }
            });
            for (int i = 0; i < ROUND_TRIPS; i++) {
                ping.send(TOKEN);
                pong.recv();
            }
        });
    }

    /** Both ends on new threads of the builder's kind; the benchmark thread only waits. */
    @Override
    void threads(Thread.Builder builder) throws InterruptedException {
        SynchronousQueue<Object> ping = new SynchronousQueue<>();
        SynchronousQueue<Object> pong = new SynchronousQueue<>();
        Programs.Crew crew = new Programs.Crew(builder);
        crew.start(() -> {
            for (int i = 0; i < ROUND_TRIPS; i++) {
                pong.put(ping.take());
            }
        });
        crew.start(() -> {
            for (int i = 0; i < ROUND_TRIPS; i++) {
                ping.put(TOKEN);
                pong.take();
            }
        });
        crew.join();
    }
}
