package gmp.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Runs the one-shot workloads ({@link OneShot}), each configuration in a JVM of its own: the
 * reference runtime with GOMAXPROCS 1 and 2, virtual threads with a scheduler parallelism of 1 and
 * 2 (a JVM flag, hence a JVM each), platform threads once. Workloads 6 and 7 run with one processor
 * only, and workload 6's platform-thread JVM is confined to one CPU with {@code taskset}. The
 * runtime's JVMs start with the preemption agent; workload 6 runs once more with it switched off.
 */
final class OneShotSuite {
    /**
     * The heap of every one-shot JVM: fixed, so that the full GC before each run does not shrink
     * it and the next run does not spend its time growing it back (see docs/en/performance.md).
     */
    static final List<String> HEAP = List.of("-Xms4g", "-Xmx4g");

    /** One JVM's worth of work: a workload on one kind of task with one GOMAXPROCS. */
    record Config(OneShot.Workload workload, Kind kind, int procs, int n, int runs, int warmups, boolean agentOff) {
        String describe() {
            return workload.id + " " + kind.label + (kind == Kind.PLATFORM_THREADS ? "" : " P=" + procs)
                    + " n=" + n + (agentOff ? ", agent off" : "");
        }
    }

    private final Path jar;
    private final Path logDir;
    private final Progress progress;

    OneShotSuite(Path jar, Path logDir, Progress progress) {
        this.jar = jar;
        this.logDir = logDir;
        this.progress = progress;
    }

    /** Every configuration of w; the smoke run makes them tiny: one run of a thousand tasks or so. */
    static List<Config> plan(OneShot.Workload w, boolean smoke) {
        List<Config> plan = new ArrayList<>();
        int[] procs = w.procs();
        int n = smoke ? Math.min(w.n, 1_000) : w.n;
        int platformN = smoke ? Math.min(w.platformN, 100) : w.platformN;
        int runs = smoke ? 1 : w.runs;
        int warmups = smoke ? 0 : w.warmups;
        Kind[] kinds = w.goroutinesOnly() ? new Kind[] {Kind.GOROUTINES} : new Kind[] {Kind.GOROUTINES, Kind.VIRTUAL_THREADS};
        for (Kind kind : kinds) {
            for (int p : procs) {
                plan.add(new Config(w, kind, p, n, runs, warmups, false));
            }
        }
        if (!w.goroutinesOnly()) {
            plan.add(new Config(w, Kind.PLATFORM_THREADS, 1, platformN, runs, warmups, false));
        }
        if (w == OneShot.Workload.PREEMPT) {
            // The pre-1.14 behaviour: no polls, so the spinning goroutine keeps its P for good.
            plan.add(new Config(w, Kind.GOROUTINES, 1, n, runs, warmups, true));
        }
        return plan;
    }

    /** Runs one configuration and returns its results; runs that need a JVM each get one each. */
    List<Result> run(Config c) throws ChildProcess.Failure, IOException, InterruptedException {
        progress.step(c.describe());
        if (!c.workload.freshJvmPerRun) {
            return jvm(c, c.runs, c.warmups);
        }
        List<List<Result>> each = new ArrayList<>();
        for (int i = 0; i < c.runs; i++) {
            each.add(jvm(c, 1, c.warmups));
        }
        return Result.merge(each);
    }

    private List<Result> jvm(Config c, int runs, int warmups) throws ChildProcess.Failure, IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        if (c.workload == OneShot.Workload.PREEMPT && c.kind == Kind.PLATFORM_THREADS) {
            cmd.addAll(List.of("taskset", "-c", "0"));
        }
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(List.of(Programs.ADD_EXPORTS, Programs.CONTINUATION_PACKAGE));
        cmd.addAll(HEAP);
        if (c.kind == Kind.GOROUTINES) {
            cmd.add(Programs.agentFlag(jar));
            if (c.agentOff) {
                cmd.add(Programs.PREEMPT_OFF);
            }
        }
        if (c.kind == Kind.VIRTUAL_THREADS) {
            cmd.add("-Djdk.virtualThreadScheduler.parallelism=" + c.procs);
        }
        cmd.addAll(List.of("-cp", jar.toString(), OneShot.class.getName(), c.workload.id, c.kind.label,
                Integer.toString(c.procs), Integer.toString(c.n), Integer.toString(runs), Integer.toString(warmups)));
        Path log = logDir.resolve("oneshot-" + c.workload.id + ".log");
        return ChildProcess.results(ChildProcess.run(cmd, Path.of("."), Map.of(), log), cmd);
    }
}
