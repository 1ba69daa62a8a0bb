package gmp.runtime;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A Go runtime: one scheduler with its own Ms, Ps and goroutines. An object, not a JVM singleton:
 * tests start many, one after another, and each shuts down completely.
 *
 * <pre>{@code
 * GoRuntime.builder().gomaxprocs(4).build().run(() -> {
 *     // this is goroutine 1, Go's main, running on m0 (the calling thread) with p0
 * });
 * }</pre>
 *
 * {@link #run} returns when main returns, as a Go process exits when main returns; goroutines still
 * running then are abandoned, as Go's are. If the program dies instead, run throws: a
 * {@link ProgramCrash} for a panic or a fatal error (its message reads like Go's), or the learner's
 * {@link NotImplementedYet} when the program reached an unwritten part of the workbook.
 */
public final class GoRuntime {
    private static final AtomicInteger IDS = new AtomicInteger();

    /**
     * The settings of a runtime.
     *
     * @param gomaxprocs the number of Ps, or null for Go's default (GOMAXPROCS, else the CPU count)
     * @param env        the environment the runtime reads (GOMAXPROCS, later GODEBUG)
     * @param ncpu       the number of CPUs the runtime believes it has (Go's ncpu)
     * @param trace      where schedtrace lines go (Go writes them to standard error)
     */
    public record Config(Integer gomaxprocs, Map<String, String> env, int ncpu, PrintStream trace) {
        public Config {
            Objects.requireNonNull(trace, "trace");
            Objects.requireNonNull(env, "env");
            if (gomaxprocs != null && (gomaxprocs < 1 || gomaxprocs > Proc.MAX_GOMAXPROCS)) {
                throw new IllegalArgumentException("gomaxprocs must be 1.." + Proc.MAX_GOMAXPROCS + ", got " + gomaxprocs);
            }
            // The same limit for the environment: Go would use any positive GOMAXPROCS (it has had no
            // upper limit since 1.10); this runtime refuses one past its limit here, at build(), not
            // somewhere inside run(). What Go ignores (0, "+3", "x") is ignored, in Proc.gomaxprocs.
            int fromEnv = gomaxprocs == null ? Proc.atoi32(env.get("GOMAXPROCS")) : -1;
            if (fromEnv > Proc.MAX_GOMAXPROCS) {
                throw new IllegalArgumentException("GOMAXPROCS=" + env.get("GOMAXPROCS") + " in the environment is more"
                        + " than this runtime's limit of " + Proc.MAX_GOMAXPROCS + " Ps (Go has none since 1.10);"
                        + " set a smaller one, or gomaxprocs(n) on the builder");
            }
            if (ncpu < 1) {
                throw new IllegalArgumentException("ncpu must be positive, got " + ncpu);
            }
            env = Map.copyOf(env);
        }
    }

    /** Builds a {@link GoRuntime}; every setting has Go's default. */
    public static final class Builder {
        private Integer gomaxprocs;
        private Map<String, String> env = System.getenv();
        private int ncpu = Runtime.getRuntime().availableProcessors();
        private PrintStream trace = System.err;
        private Path executionTrace;
        private boolean recordTrace;

        private Builder() {
        }

        /**
         * Records an execution trace and writes it when the program ends: Chrome's Trace Event Format
         * to {@code file} (Perfetto, chrome://tracing) and an HTML timeline beside it ({@code x.json}
         * -> {@code x.html}). Overrides {@code GMPTRACE} in the environment (docs/en/trace.md).
         */
        public Builder executionTrace(Path file) {
            this.executionTrace = Objects.requireNonNull(file, "file");
            return this;
        }

        /**
         * Records an execution trace in memory only and writes no file: for the workbook's tests
         * (Proc.trace.events()) and the benchmark of the tracer's own cost (bench TraceCost).
         */
        public Builder recordTrace() {
            this.recordTrace = true;
            return this;
        }

        /** The number of Ps (Go's GOMAXPROCS); overrides the environment. GODEBUG is read from the environment too. */
        public Builder gomaxprocs(int n) {
            this.gomaxprocs = n;
            return this;
        }

        /** The environment to read instead of the process's (for tests). */
        public Builder env(Map<String, String> env) {
            this.env = env;
            return this;
        }

        /** The CPU count to assume instead of the machine's (for tests). */
        public Builder ncpu(int ncpu) {
            this.ncpu = ncpu;
            return this;
        }

        /** Where GODEBUG=schedtrace lines go instead of standard error (for tests and demos). */
        public Builder traceTo(PrintStream out) {
            this.trace = out;
            return this;
        }

        public GoRuntime build() {
            Config config = new Config(gomaxprocs, env, ncpu, trace);
            return new GoRuntime(config, Trace.open(executionTrace, recordTrace, config.env()));
        }
    }

    private final Proc proc;
    private final AtomicBoolean started = new AtomicBoolean();

    private GoRuntime(Config config, Trace trace) {
        this.proc = new Proc(config, "gmp-" + IDS.incrementAndGet(), trace);
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * Runs {@code main} as goroutine 1 on this thread (which becomes m0) and returns when it returns.
     *
     * @throws ProgramCrash       if a goroutine panicked or the runtime hit a fatal error
     * @throws NotImplementedYet  if the program reached a part of the workbook not written yet
     * @throws IllegalStateException if called twice, or from inside a runtime's thread
     */
    public void run(Runnable main) {
        Objects.requireNonNull(main, "main");
        if (M.current() != null) {
            throw new IllegalStateException("GoRuntime.run called on a runtime thread (from a goroutine?):"
                    + " start goroutines with the go statement instead");
        }
        if (!started.compareAndSet(false, true)) {
            throw new IllegalStateException("this GoRuntime has already run; build a new one for each program");
        }
        proc.rt0go(main);
    }

    /**
     * Ends the program from outside, as if it had crashed with {@code reason} (used by test
     * harnesses on a timeout). Every M stops at its next scheduling point; run throws.
     */
    public void abort(Throwable reason) {
        proc.crash(Objects.requireNonNull(reason, "reason"));
    }

    /** Every live goroutine with its status or wait reason, in Go's traceback header form. */
    public String goroutineDump() {
        return proc.goroutineDump();
    }

    /**
     * Go's {@code GODEBUG=schedtrace} line for this runtime, and with {@code detailed} the
     * {@code scheddetail=1} lines for every P, M and G. Safe to call from anywhere, also while the
     * program runs; like Go's, it is a snapshot taken without stopping anything.
     */
    public String schedtrace(boolean detailed) {
        return proc.schedtrace(detailed);
    }

    /**
     * A read-only snapshot of what could still move the program on (running goroutines, spinning
     * Ms, timers, Ms' threads), for test harnesses that diagnose a stuck program in a second instead
     * of waiting out a watchdog. Safe to call from anywhere, like {@link #schedtrace}.
     */
    public Progress progress() {
        return Progress.of(proc);
    }

    /** The thread-name prefix of this runtime's threads (Ms, sysmon): {@code gmp-<n>-}. */
    public String threadNamePrefix() {
        return proc.threadPrefix + "-";
    }

    /** The scheduler, for the workbook's tests (same package). */
    Proc proc() {
        return proc;
    }
}
