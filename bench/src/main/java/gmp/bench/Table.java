package gmp.bench;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The comparison as Markdown: every workload's median for the faster Go, the reference runtime,
 * virtual threads and platform threads, each with its ratio to Go measured in the same run; then
 * the targets, met or missed; then chapter 01's switch costs and the preemption agent's.
 *
 * <p>A ratio compares two programs that ran the same number of operations, or none is printed:
 * a cell then says which counts differ. Lower is better for every metric here (time, bytes), so
 * "the faster Go" is the Go toolchain with the lowest median in that row.
 */
final class Table {
    /** A row: one metric of one workload at one GOMAXPROCS. */
    record Row(String label, String workload, String metric, int procs) {
    }

    /** A target: gmp's median divided by the other's (the faster Go, or vthreads) at most {@code max}; for a metric in {@link #HIGHER_IS_BETTER}, at least. */
    record Target(String label, String workload, String metric, int procs, String against, double max) {
    }

    static final List<Row> ROWS = List.of(
            new Row("1. ping-pong, ns per round trip", "pingpong", "ns/op", 1),
            new Row("1. ping-pong, ns per round trip", "pingpong", "ns/op", 2),
            new Row("2. Gosched, ns per yield", "gosched", "ns/op", 1),
            new Row("2. Gosched, ns per yield", "gosched", "ns/op", 2),
            new Row("3. spawn, ns per goroutine", "spawn", "ns/op", 1),
            new Row("3. spawn, ns per goroutine", "spawn", "ns/op", 2),
            new Row("4. parked: heap after GC, bytes each", "parked", "heap-bytes", 1),
            new Row("4. parked: heap after GC, bytes each", "parked", "heap-bytes", 2),
            new Row("4. parked: RSS, bytes each", "parked", "rss-bytes", 1),
            new Row("4. parked: RSS, bytes each", "parked", "rss-bytes", 2),
            new Row("4. parked: wake all by close, ms", "parked", "wake-ms", 1),
            new Row("4. parked: wake all by close, ms", "parked", "wake-ms", 2),
            new Row("5. sleep fan-out, wall ms", "sleep", "wall-ms", 1),
            new Row("5. sleep fan-out, wall ms", "sleep", "wall-ms", 2),
            new Row("6. spinning G: ms until another runs", "preempt", "latency-ms", 1),
            new Row("6. the same, gmp with the agent off (Go 1.13's for {})", "preempt" + OneShot.AGENT_OFF, "latency-ms", 1),
            new Row("7. idle program, main sleeps 10 s: CPU ms", "idle", "cpu-ms", 1),
            new Row("8. syscall hand-off: us until another goroutine runs", "handoff", "latency-us", 1),
            new Row("9. syscall bracket around a call that returns at once, ns", "bracket", "ns-per-call", 1),
            new Row("10. echo, 64 connections: requests/s (higher is better)", "echo", "req/s", 1),
            new Row("10. echo, 64 connections: requests/s (higher is better)", "echo", "req/s", 2),
            new Row("10. echo: p50 latency, us", "echo", "p50-us", 1),
            new Row("10. echo: p50 latency, us", "echo", "p50-us", 2),
            new Row("10. echo: p99 latency, us", "echo", "p99-us", 1),
            new Row("10. echo: p99 latency, us", "echo", "p99-us", 2),
            new Row("10. echo: 10,000 idle connections, heap after GC, bytes each", "echo", "idle-heap-bytes", 1),
            new Row("10. echo: 10,000 idle connections, heap after GC, bytes each", "echo", "idle-heap-bytes", 2),
            new Row("10. echo: 10,000 idle connections, RSS, bytes each", "echo", "idle-rss-bytes", 1),
            new Row("10. echo: 10,000 idle connections, RSS, bytes each", "echo", "idle-rss-bytes", 2));

    /** The metrics where more is better: their "faster Go" is the one with the highest median, their targets are floors. */
    static final java.util.Set<String> HIGHER_IS_BETTER = java.util.Set.of("req/s");

    static final String GO = "go";
    static final String VTHREADS = Kind.VIRTUAL_THREADS.label;

    static final List<Target> TARGETS = List.of(
            new Target("ping-pong, P=1: gmp <= 1.0x Go", "pingpong", "ns/op", 1, GO, 1.0),
            new Target("ping-pong, P=2: gmp <= 1.5x Go", "pingpong", "ns/op", 2, GO, 1.5),
            new Target("Gosched, P=1: gmp <= 2.0x Go", "gosched", "ns/op", 1, GO, 2.0),
            new Target("Gosched, P=2: gmp <= 2.0x Go", "gosched", "ns/op", 2, GO, 2.0),
            new Target("spawn, P=1: gmp <= 0.5x Go", "spawn", "ns/op", 1, GO, 0.5),
            new Target("spawn, P=2: gmp <= 0.5x Go", "spawn", "ns/op", 2, GO, 0.5),
            new Target("parked, P=1: gmp RSS <= 0.25x Go", "parked", "rss-bytes", 1, GO, 0.25),
            new Target("parked, P=2: gmp RSS <= 0.25x Go", "parked", "rss-bytes", 2, GO, 0.25),
            new Target("sleep fan-out, P=1: gmp <= 1.2x Go", "sleep", "wall-ms", 1, GO, 1.2),
            new Target("sleep fan-out, P=2: gmp <= 1.2x Go", "sleep", "wall-ms", 2, GO, 1.2),
            new Target("syscall hand-off, P=1: gmp <= 1.0x Go", "handoff", "latency-us", 1, GO, 1.0),
            new Target("syscall bracket, P=1: gmp <= 2.0x Go", "bracket", "ns-per-call", 1, GO, 2.0),
            new Target("ping-pong, P=1: gmp >= 1.5x faster than vthreads", "pingpong", "ns/op", 1, VTHREADS, 1 / 1.5),
            new Target("ping-pong, P=2: gmp >= 1.5x faster than vthreads", "pingpong", "ns/op", 2, VTHREADS, 1 / 1.5),
            new Target("Gosched, P=1: gmp >= 1.5x faster than vthreads", "gosched", "ns/op", 1, VTHREADS, 1 / 1.5),
            new Target("Gosched, P=2: gmp >= 1.5x faster than vthreads", "gosched", "ns/op", 2, VTHREADS, 1 / 1.5),
            new Target("echo, P=1: gmp requests/s >= 0.7x Go", "echo", "req/s", 1, GO, 0.7),
            new Target("echo, P=2: gmp requests/s >= 0.7x Go", "echo", "req/s", 2, GO, 0.7),
            new Target("echo, P=1: gmp requests/s >= 1.0x vthreads", "echo", "req/s", 1, VTHREADS, 1.0),
            new Target("echo, P=2: gmp requests/s >= 1.0x vthreads", "echo", "req/s", 2, VTHREADS, 1.0),
            new Target("echo, P=1: gmp p99 <= 1.5x Go", "echo", "p99-us", 1, GO, 1.5),
            new Target("echo, P=2: gmp p99 <= 1.5x Go", "echo", "p99-us", 2, GO, 1.5),
            new Target("echo, P=1: gmp heap per idle connection <= 1.0x Go", "echo", "idle-heap-bytes", 1, GO, 1.0),
            new Target("echo, P=2: gmp heap per idle connection <= 1.0x Go", "echo", "idle-heap-bytes", 2, GO, 1.0));

    private final List<Result> results;
    private final List<String> goVersions;
    private final boolean withTargets;

    /** The table of these results; withTargets false leaves the targets out (a smoke run's figures mean nothing). */
    Table(List<Result> results, boolean withTargets) {
        this.results = List.copyOf(results);
        this.goVersions = goVersionsIn(results);
        this.withTargets = withTargets;
    }

    String markdown() {
        StringBuilder b = new StringBuilder();
        workloads(b);
        if (withTargets) {
            targets(b);
        }
        switches(b);
        polls(b);
        return b.toString();
    }

    private void workloads(StringBuilder b) {
        b.append("| Workload | P |");
        for (String v : goVersions) {
            b.append(' ').append(v).append(" |");
        }
        b.append(" gmp | vthreads | platform |\n|---|---|");
        b.append("---:|".repeat(goVersions.size() + 3)).append('\n');
        for (Row row : ROWS) {
            Optional<Result> go = fasterGo(row.workload, row.metric, row.procs);
            b.append("| ").append(row.label).append(" | ").append(row.procs).append(" |");
            for (String v : goVersions) {
                b.append(' ').append(find(row.workload, v, row.procs, row.metric).map(r -> value(r.median())).orElse("-"))
                        .append(" |");
            }
            for (Kind kind : Kind.values()) {
                int procs = kind == Kind.PLATFORM_THREADS ? 0 : row.procs;
                Optional<Result> r = find(row.workload, kind.label, procs, row.metric);
                String cell = r.map(x -> cell(x, go)).orElse("-");
                if (kind == Kind.GOROUTINES && row.workload.equals("preempt") && cell.equals("never")) {
                    cell = "n/a: never within 1 s (needs chapter 06's preemption)";
                }
                b.append(' ').append(cell).append(" |");
            }
            b.append('\n');
        }
        b.append("\nEach cell: the median, then in brackets its ratio to the faster Go of the row (lower is better,")
                .append(" but for requests/s). Echo: gmp's row P is GOMAXPROCS, vthreads' the scheduler's parallelism;")
                .append(" each sample a server process of its own; the load generator is one Java program for all.")
                .append(" Platform threads have no GOMAXPROCS: one measurement, shown on both rows.\n");
    }

    private void targets(StringBuilder b) {
        b.append("\n| Target | Measured | |\n|---|---:|---|\n");
        for (Target t : TARGETS) {
            Optional<Result> gmp = find(t.workload, Kind.GOROUTINES.label, t.procs, t.metric);
            Optional<Result> other = t.against.equals(GO) ? fasterGo(t.workload, t.metric, t.procs)
                    : find(t.workload, t.against, t.procs, t.metric);
            String measured;
            String verdict;
            if (gmp.isEmpty() || other.isEmpty()) {
                measured = "-";
                verdict = "not measured";
            } else if (gmp.get().ops() != other.get().ops()) {
                measured = "-";
                verdict = "no ratio: " + opsDiffer(gmp.get(), other.get());
            } else {
                double ratio = gmp.get().median() / other.get().median();
                // Three decimals: a verdict decided in the third must not read as its opposite.
                boolean floor = HIGHER_IS_BETTER.contains(t.metric);
                measured = t.against.equals(GO) || floor ? String.format(Locale.ROOT, "%.3fx", ratio)
                        : String.format(Locale.ROOT, "%.3fx faster", 1 / ratio);
                // For a floor (requests/s), max is the least ratio allowed.
                verdict = (floor ? ratio >= t.max : ratio <= t.max) ? "met" : "**missed**";
            }
            b.append("| ").append(t.label).append(" | ").append(measured).append(" | ").append(verdict).append(" |\n");
        }
    }

    private void switches(StringBuilder b) {
        List<Result> switches = results.stream().filter(r -> r.workload().equals("switch")).toList();
        if (switches.isEmpty()) {
            return;
        }
        b.append("\n| Chapter 01: one round trip | ns |\n|---|---:|\n");
        for (Result r : switches) {
            b.append("| ").append(r.impl()).append(" | ").append(value(r.median())).append(" |\n");
        }
    }

    /** The preemption agent's cost: each Polls loop with and without polls, and the ratio of the two. */
    private void polls(StringBuilder b) {
        List<Result> polls = results.stream().filter(r -> r.workload().equals("polls")).toList();
        if (polls.isEmpty()) {
            return;
        }
        b.append("\n| Preemption agent: a tight loop, ns per iteration | with polls | without | ratio (target <= 1.10x) |\n|---|---:|---:|---:|\n");
        for (Result with : polls) {
            if (!with.impl().endsWith("WithPolls")) {
                continue;
            }
            String loop = with.impl().substring(0, with.impl().length() - "WithPolls".length());
            Optional<Result> without = polls.stream().filter(r -> r.impl().equals(loop + "WithoutPolls")).findFirst();
            b.append("| ").append(loop).append(" | ").append(value(with.median())).append(" | ")
                    .append(without.map(r -> value(r.median())).orElse("-")).append(" | ")
                    .append(without.map(r -> ratio(with.median() / r.median())
                            + (withTargets ? (with.median() / r.median() <= 1.10 ? " met" : " **missed**") : ""))
                            .orElse("-")).append(" |\n");
        }
    }

    /** "412 (0.38x)", or the value and why there is no ratio. */
    private static String cell(Result r, Optional<Result> go) {
        String v = Double.isInfinite(r.median()) ? "never" : value(r.median());
        if (go.isEmpty() || Double.isInfinite(r.median()) || Double.isInfinite(go.get().median())) {
            return v;
        }
        if (r.ops() != go.get().ops()) {
            return v + " (no ratio: " + opsDiffer(r, go.get()) + ")";
        }
        return v + " (" + ratio(r.median() / go.get().median()) + ")";
    }

    private static String opsDiffer(Result a, Result b) {
        return String.format(Locale.ROOT, "%,d vs %,d ops", a.ops(), b.ops());
    }

    private Optional<Result> fasterGo(String workload, String metric, int procs) {
        Comparator<Result> faster = Comparator.comparingDouble(Result::median);
        return goVersions.stream()
                .flatMap(v -> find(workload, v, procs, metric).stream())
                .min(HIGHER_IS_BETTER.contains(metric) ? faster.reversed() : faster);
    }

    private Optional<Result> find(String workload, String impl, int procs, String metric) {
        return results.stream()
                .filter(r -> r.workload().equals(workload) && r.impl().equals(impl) && r.procs() == procs
                        && r.metric().equals(metric))
                .findFirst();
    }

    static String value(double v) {
        if (Double.isInfinite(v)) {
            return "never";
        }
        if (Math.abs(v) >= 100) {
            return String.format(Locale.ROOT, "%,.0f", v);
        }
        return String.format(Locale.ROOT, Math.abs(v) >= 10 ? "%.1f" : "%.2f", v);
    }

    static String ratio(double r) {
        return String.format(Locale.ROOT, "%.2fx", r);
    }

    /** The Go versions among the results (go1.19.8, ...), in the order they were run. */
    private static List<String> goVersionsIn(List<Result> results) {
        List<String> out = new ArrayList<>();
        for (Result r : results) {
            if (r.impl().matches("go\\d.*") && !out.contains(r.impl())) {
                out.add(r.impl());
            }
        }
        return out;
    }
}
