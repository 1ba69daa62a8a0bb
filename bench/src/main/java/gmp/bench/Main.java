package gmp.bench;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The whole comparison in one go (what {@code bench/run} starts): the JMH benchmarks, the one-shot
 * workloads in a JVM per configuration, the Go twins of both with every Go toolchain found, then
 * the table of ratios to Go. Results go to {@code bench/target/results/}: {@code results.tsv}
 * (every figure with its samples), {@code table.md}, and the logs of every program run.
 *
 * <pre>
 * bench/run                      everything (about 10 minutes on 2 cores)
 * bench/run --smoke              every Java benchmark for a moment, and the JIT soak ({@link Soak}), no Go
 *                                (CI; about a minute)
 * bench/run --only spawn,sleep   some workloads: switch pingpong gosched polls spawn parked sleep preempt idle handoff bracket echo
 * bench/run --go /usr/lib/go-1.23/bin/go,go   these Go toolchains (default: all found)
 * bench/run --no-go              the Java side only
 * </pre>
 * Exit status: 0 when every program ran, 1 when one failed (the table shows what did run), 64 for
 * a usage error.
 */
public final class Main {
    private static final List<String> WORKLOADS = List.of("switch", "pingpong", "gosched", "polls", "spawn", "parked", "sleep", "preempt", "idle", "handoff", "bracket", "echo");

    private Main() {
    }

    public static void main(String[] args) throws Exception {
        boolean smoke = false;
        boolean withGo = true;
        List<String> gos = new ArrayList<>();
        Set<String> only = new LinkedHashSet<>(WORKLOADS);
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--smoke" -> smoke = true;
                case "--no-go" -> withGo = false;
                case "--go" -> gos.addAll(Arrays.asList(value(args, ++i).split(",")));
                case "--only" -> {
                    only.clear();
                    for (String w : value(args, ++i).split(",")) {
                        if (!WORKLOADS.contains(w)) {
                            usage("unknown workload " + w);
                        }
                        only.add(w);
                    }
                }
                default -> usage("unknown argument " + args[i]);
            }
        }
        System.exit(new Main().run(smoke, withGo && !smoke, gos, only));
    }

    private static String value(String[] args, int i) {
        if (i >= args.length) {
            usage(args[i - 1] + " needs a value");
        }
        return args[i];
    }

    private static void usage(String problem) {
        System.err.println("bench: " + problem);
        System.err.println("usage: bench/run [--smoke] [--only " + String.join(",", WORKLOADS) + "] [--go GO[,GO...]] [--no-go]");
        System.exit(64);
    }

    private final Progress progress = new Progress();
    private final List<Result> results = new ArrayList<>();
    private final List<String> failures = new ArrayList<>();

    private int run(boolean smoke, boolean withGo, List<String> gos, Set<String> only) throws Exception {
        Path jar = ownJar();
        Path out = jar.getParent().resolve(smoke ? "smoke" : "results");
        Files.createDirectories(out);
        String started = ZonedDateTime.now().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME);
        String loadBefore = Machine.loadAverage();
        progress.step((smoke ? "smoke run" : "benchmarks") + " of " + String.join(", ", only) + "; logs in " + out);

        List<GoSuite.Toolchain> toolchains = withGo ? GoSuite.find(gos) : List.of();
        if (withGo && toolchains.isEmpty()) {
            progress.step("no Go toolchain found (go on PATH, /usr/lib/go*, /usr/local/go*, ~/sdk/go*): Java side only,"
                    + " no ratios to Go. For the comparison install one (Debian, Ubuntu: sudo apt-get install golang-go)");
        }

        List<Class<?>> jmh = JmhSuite.BENCHMARKS.stream().filter(c -> only.contains(JmhSuite.workloadOf(c))).toList();
        if (!jmh.isEmpty()) {
            progress.step("JMH: " + jmh.stream().map(Class::getSimpleName).toList() + (smoke ? "" : ", about 20 s per method")
                    + "; its output goes to " + out.resolve("jmh.log"));
            attempt("JMH", () -> results.addAll(JmhSuite.run(jmh, smoke, out.resolve("jmh.log"), Programs.agentFlag(jar))));
        }
        if (smoke && only.contains("pingpong")) {
            progress.step("JIT soak: " + Soak.FORKS + " JMH forks of PingPong.goroutinesP2 warmed up for C2, about "
                    + 5 * Soak.FORKS + " s; its output goes to " + out.resolve("soak.log"));
            attempt("JIT soak", () -> Soak.run(Path.of(System.getProperty("java.home"), "bin", "java"), jar, out.resolve("soak.log")));
        }
        OneShotSuite oneShots = new OneShotSuite(jar, out, progress);
        for (OneShot.Workload w : OneShot.Workload.values()) {
            if (only.contains(w.id)) {
                for (OneShotSuite.Config c : OneShotSuite.plan(w, smoke)) {
                    attempt(c.describe(), () -> results.addAll(oneShots.run(c)));
                }
            }
        }
        GoSuite goSuite = new GoSuite(jar.getParent().getParent().resolve("go"), out, progress);
        List<Path> goBinaries = new ArrayList<>();
        List<String> goVersions = new ArrayList<>();
        for (GoSuite.Toolchain t : toolchains) {
            if (only.contains("pingpong")) {
                attempt(t.version() + " pingpong", () -> results.addAll(goSuite.runBenchmark(t, "pingpong", "PingPong", PingPong.ROUND_TRIPS)));
            }
            if (only.contains("gosched")) {
                attempt(t.version() + " gosched", () -> results.addAll(goSuite.runBenchmark(t, "gosched", "Gosched", Gosched.YIELDS)));
            }
            Path[] bin = new Path[1];
            attempt(t.version() + " build", () -> bin[0] = goSuite.build(t));
            if (bin[0] != null) {
                goBinaries.add(bin[0]);
                goVersions.add(t.version());
            }
            for (OneShot.Workload w : OneShot.Workload.values()) {
                if (only.contains(w.id) && bin[0] != null) {
                    for (int procs : w.procs()) {
                        attempt(t.version() + " " + w.id, () -> results.addAll(goSuite.runOneShot(t, bin[0], w, procs)));
                    }
                }
            }
        }
        if (only.contains("echo")) {
            // After the Go builds: the echo servers run interleaved, round by round (EchoSuite).
            EchoSuite echo = new EchoSuite(jar, out, progress);
            results.addAll(echo.run(EchoSuite.servers(smoke, goBinaries, goVersions),
                    smoke ? EchoSuite.Plan.SMOKE : EchoSuite.Plan.FULL, failures));
        }

        StringBuilder report = new StringBuilder();
        report.append("Measured ").append(started).append(" on ").append(Machine.describe()).append(".\n")
                .append("Load average (1, 5, 15 min): ").append(loadBefore).append(" at the start, ")
                .append(Machine.loadAverage()).append(" at the end.\n");
        if (smoke) {
            report.append("SMOKE RUN: every benchmark ran for a moment, with tiny counts; the figures mean nothing.\n");
        }
        report.append('\n').append(new Table(results, !smoke).markdown());
        List<String> tsv = new ArrayList<>();
        results.forEach(r -> tsv.add(r.line()));
        Files.write(out.resolve("results.tsv"), tsv);
        Files.writeString(out.resolve("table.md"), report);
        System.out.println();
        System.out.print(report);
        if (!failures.isEmpty()) {
            System.out.println();
            System.out.println("FAILED (" + failures.size() + "):");
            failures.forEach(f -> System.out.println("  " + f));
            return 1;
        }
        System.out.println("\nAll " + results.size() + " measurements ran; results in " + out);
        return 0;
    }

    /** A step of the comparison: one that fails is reported at the end, and the others still run. */
    @FunctionalInterface
    private interface Step {
        void run() throws Exception;
    }

    private void attempt(String what, Step step) {
        try {
            step.run();
        } catch (Exception e) {
            failures.add(what + ": " + e.getMessage());
            progress.step("FAILED: " + what + ": " + e.getMessage());
        }
    }

    private static Path ownJar() throws URISyntaxException {
        return Path.of(Main.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toAbsolutePath();
    }
}
