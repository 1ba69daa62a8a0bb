package gmp.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import gmp.runtime.GoRuntime;

/**
 * How every benchmark starts its programs: a Go program on a fresh {@link GoRuntime}, and a Java
 * program on a {@link Crew} of threads whose failures are not lost.
 */
final class Programs {
    /** The flag every JVM that runs the runtime needs (the runtime's goroutines are Continuations). */
    static final String ADD_EXPORTS = "--add-exports";
    static final String CONTINUATION_PACKAGE = "java.base/jdk.internal.vm=ALL-UNNAMED";
    /** The system property that switches the preemption agent off (gmp.agent.PreemptAgent). */
    static final String PREEMPT_OFF = "-Dgmp.preempt=off";

    /**
     * The flag that starts a JVM with the preemption agent, which inserts safepoint polls into
     * goroutine code (agent/target/gmp-agent.jar, beside bench/ in the repository; bench/run
     * builds it). The benchmarks' jar is bench/target/benchmarks.jar.
     */
    static String agentFlag(Path benchmarksJar) {
        Path agent = benchmarksJar.toAbsolutePath().getParent().getParent().getParent()
                .resolve("agent").resolve("target").resolve("gmp-agent.jar");
        return "-javaagent:" + agent;
    }

    /** Whether this JVM runs with the agent switched off ({@link #PREEMPT_OFF}). */
    static boolean preemptOff() {
        return "off".equalsIgnoreCase(System.getProperty("gmp.preempt"));
    }

    private Programs() {
    }

    /**
     * Runs {@code main} as goroutine 1 of a new runtime with {@code procs} Ps, on the calling thread.
     * The runtime reads an empty environment: a GOMAXPROCS or GODEBUG in the shell must not change
     * what a benchmark measures.
     */
    static void run(int procs, Runnable main) {
        GoRuntime.builder().gomaxprocs(procs).env(Map.of()).build().run(main);
    }

    /** A body that may throw, for threads. */
    @FunctionalInterface
    interface Body {
        void run() throws Exception;
    }

    /** Threads of one kind, started one by one and joined together; join rethrows the first failure. */
    static final class Crew {
        private final Thread.Builder builder;
        private final List<Thread> threads = new ArrayList<>();
        private final AtomicReference<Throwable> failure = new AtomicReference<>();

        Crew(Thread.Builder builder) {
            this.builder = builder;
        }

        void start(Body body) {
            threads.add(builder.start(() -> {
                try {
                    body.run();
                } catch (Throwable t) {
                    failure.compareAndSet(null, t);
                }
            }));
        }

        void join() throws InterruptedException {
            for (Thread t : threads) {
                t.join();
            }
            Throwable t = failure.get();
            if (t != null) {
                throw new IllegalStateException("a benchmark thread failed: " + t, t);
            }
        }
    }
}
