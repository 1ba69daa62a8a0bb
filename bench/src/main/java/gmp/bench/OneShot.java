package gmp.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The workloads JMH does not fit, each measured as a timed program: a few warm-up runs, then the
 * measured runs, a full GC before each; one {@link Result} line per metric on standard output.
 * The warm-ups matter more than usual: code that C2 compiled before any goroutine ever resumed
 * from a park has no compiled path for the resumption, and every frame frozen in it is
 * deoptimized when its goroutine wakes (see {@link Parked}).
 * One JVM runs one configuration (the orchestrator, {@link Main}, starts it with the right flags):
 * <pre>
 * java --add-exports java.base/jdk.internal.vm=ALL-UNNAMED [-Djdk.virtualThreadScheduler.parallelism=P] \
 *      [-javaagent:agent/target/gmp-agent.jar [-Dgmp.preempt=off]] \
 *      -cp benchmarks.jar gmp.bench.OneShot WORKLOAD KIND PROCS N RUNS WARMUPS
 * </pre>
 * KIND is gmp, vthreads or platform. For virtual threads PROCS must equal the scheduler's
 * parallelism, which only a JVM flag sets.
 */
public final class OneShot {
    /** The one-shot workloads: their names, sizes, and how many runs each JVM makes. */
    enum Workload {
        /** Workload 3. Platform threads start at ~100-250 us each here: 10,000 of them, not 1,000,000. */
        SPAWN("spawn", 1_000_000, 10_000, 2, 5, false),
        /**
         * Workload 4: a fresh JVM per run (see {@link Parked}), whose warm-ups park and wake only
         * 1% as many, so that they leave the heap as it was. 10,000 platform threads, not 1,000,000:
         * this machine allows 32,768 processes and threads (pid_max) in all.
         */
        PARKED("parked", 1_000_000, 10_000, 3, 3, true),
        /**
         * Workload 5. Ten warm-ups: a run is only 100,000 sleeps, and with three, C2 was still
         * compiling during the first measured runs (at GOMAXPROCS 2 they took 55-70 ms, the
         * later ones 30-40 ms, while the JIT's threads shared the two vCPUs with the Ms).
         */
        SLEEP("sleep", 10_000, 10_000, 10, 7, false),
        /** Workload 6: one processor only. */
        PREEMPT("preempt", 1, 1, 0, 3, false),
        /**
         * Workload 7: n is the milliseconds main sleeps; one processor, one run, after a warm-up
         * of a second that lets the JIT finish compiling what start-up ran.
         */
        IDLE("idle", 10_000, 10_000, 1, 1, false),
        /** Workload 8 (chapter 07): a syscall hand-off on one processor; goroutines only. */
        HANDOFF("handoff", 1, 1, 1, 5, false),
        /** Workload 9 (chapter 07): a million syscall brackets around a call that returns at once; goroutines only. */
        BRACKET("bracket", 1_000_000, 1_000_000, 3, 5, false);

        final String id;
        /** How many goroutines (or virtual threads) a run starts... */
        final int n;
        /** ...and how many platform threads. */
        final int platformN;
        final int warmups;
        final int runs;
        /** Whether every measured run needs a JVM of its own (the orchestrator then asks for one run each). */
        final boolean freshJvmPerRun;

        Workload(String id, int n, int platformN, int warmups, int runs, boolean freshJvmPerRun) {
            this.id = id;
            this.n = n;
            this.platformN = platformN;
            this.warmups = warmups;
            this.runs = runs;
            this.freshJvmPerRun = freshJvmPerRun;
        }

        static Workload of(String id) {
            for (Workload w : values()) {
                if (w.id.equals(id)) {
                    return w;
                }
            }
            throw new IllegalArgumentException("unknown workload " + id);
        }

        /** The GOMAXPROCS values it runs with. */
        int[] procs() {
            return this == PREEMPT || this == IDLE || goroutinesOnly() ? new int[] {1} : new int[] {1, 2};
        }

        /** Whether only goroutines (and Go) run it: chapter 07's, where a thread has no P to hand off. */
        boolean goroutinesOnly() {
            return this == HANDOFF || this == BRACKET;
        }

        /** How many tasks a warm-up run starts, for a measured run of n. */
        int warmupSize(int n) {
            return switch (this) {
                case PARKED -> n / 100 + 1;
                case IDLE -> Math.min(n, 1_000);
                default -> n;
            };
        }

        Map<String, Double> once(Kind kind, int procs, int n) throws InterruptedException {
            return switch (this) {
                case SPAWN -> Spawn.once(kind, procs, n);
                case PARKED -> Parked.once(kind, procs, n);
                case SLEEP -> SleepFanOut.once(kind, procs, n);
                case PREEMPT -> Preemption.once(kind, procs);
                case IDLE -> Idle.once(kind, procs, n);
                case HANDOFF -> Syscalls.handoff(procs);
                case BRACKET -> Syscalls.bracket(procs, n);
            };
        }
    }

    /** The suffix of a workload's id when it ran with the agent switched off. */
    static final String AGENT_OFF = "-agent-off";

    private OneShot() {
    }

    public static void main(String[] args) throws InterruptedException {
        if (args.length != 6) {
            System.err.println("usage: OneShot WORKLOAD KIND PROCS N RUNS WARMUPS");
            System.exit(64);
        }
        Workload w = Workload.of(args[0]);
        Kind kind = Kind.of(args[1]);
        int procs = Integer.parseInt(args[2]);
        int n = Integer.parseInt(args[3]);
        int runs = Integer.parseInt(args[4]);
        int warmups = Integer.parseInt(args[5]);
        if (kind == Kind.VIRTUAL_THREADS) {
            String parallelism = System.getProperty("jdk.virtualThreadScheduler.parallelism");
            if (!String.valueOf(procs).equals(parallelism)) {
                System.err.println("OneShot: virtual threads with PROCS " + procs + " need"
                        + " -Djdk.virtualThreadScheduler.parallelism=" + procs + " (got " + parallelism + ")");
                System.exit(64);
            }
        }
        for (int i = 0; i < warmups; i++) {
            System.gc();
            w.once(kind, procs, w.warmupSize(n));
        }
        Map<String, List<Double>> samples = new LinkedHashMap<>();
        for (int i = 0; i < runs; i++) {
            System.gc();
            w.once(kind, procs, n).forEach((metric, v) -> samples.computeIfAbsent(metric, k -> new ArrayList<>()).add(v));
        }
        int reportedProcs = kind == Kind.PLATFORM_THREADS ? 0 : procs;
        // A run without the preemption agent is a workload of its own in the table.
        String workload = Programs.preemptOff() ? w.id + AGENT_OFF : w.id;
        samples.forEach((metric, values) ->
                System.out.println(new Result(workload, kind.label, reportedProcs, n, metric, values).line()));
    }
}
