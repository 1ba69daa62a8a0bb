package gmp.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Workload 10, echo over loopback: every server ({@link EchoServer}'s goroutines and virtual
 * threads, Go's {@code gmpbench echoserver}) with GOMAXPROCS 1 and 2, in a process of its own, and
 * the same load generator ({@link EchoClient}, a JVM of its own) for all. Per server process, one
 * round: the load phase (CONNS connections, round trips for the warm-up, then the measured window:
 * requests/s, p50 and p99 latency), then the idle phase (the server's footprint after a GC, the
 * client opens IDLE connections and makes one round trip on each, the footprint again; the growth
 * divided by IDLE is the memory per idle connection, as heap and as RSS). Rounds interleave the
 * servers (round 1 of every server, then round 2, ...), so that a change in the machine's load
 * falls on all of them; each round is a new server process, and its figures are one sample.
 *
 * <p>Nothing outlives a round: the server exits at the end of its standard input, which is closed
 * in a finally block (and by the OS if this JVM dies); the client's sockets close with a reset.
 */
final class EchoSuite {
    /** One server: impl is gmp, vthreads or a Go version; go is the gmpbench binary for a Go one. */
    record Server(String impl, int procs, Path go) {
        String describe() {
            return "echo " + impl + " P=" + procs;
        }
    }

    /** Sizes of a comparison; the smoke run's are tiny. */
    record Plan(int conns, long warmupMs, long measureMs, int idle, int rounds) {
        static final Plan FULL = new Plan(64, 3_000, 5_000, 10_000, 3);
        /**
         * Small, but with a full load phase's 64 connections at GOMAXPROCS 2 for gmp: that shape hung
         * this runtime's server (a JDK channel lock taken in the name of a thread the goroutine had
         * left, see NetCalls) in most rounds, so the smoke run doubles as its JIT soak.
         */
        static final Plan SMOKE = new Plan(64, 1_000, 2_000, 100, 1);
    }

    /** How long a server may take to say it listens, or to answer "mem"; and a client to open its connections. */
    private static final long TIMEOUT_S = 120;

    private final Path jar;
    private final Path logDir;
    private final Progress progress;

    EchoSuite(Path jar, Path logDir, Progress progress) {
        this.jar = jar;
        this.logDir = logDir;
        this.progress = progress;
    }

    /** The Java servers with GOMAXPROCS (parallelism) 1 and 2, and each Go binary's; the smoke run has no Go. */
    static List<Server> servers(boolean smoke, List<Path> goBinaries, List<String> goVersions) {
        List<Server> out = new ArrayList<>();
        for (int p : new int[] {1, 2}) {
            out.add(new Server(Kind.GOROUTINES.label, p, null));
            out.add(new Server(Kind.VIRTUAL_THREADS.label, p, null));
            for (int i = 0; i < goBinaries.size(); i++) {
                out.add(new Server(goVersions.get(i), p, goBinaries.get(i)));
            }
        }
        return out;
    }

    /** Every round of every server; a server that failed a round is reported and the others go on. */
    List<Result> run(List<Server> servers, Plan plan, List<String> failures) throws InterruptedException {
        List<List<Result>> byServer = new ArrayList<>();
        servers.forEach(s -> byServer.add(new ArrayList<>()));
        for (int round = 1; round <= plan.rounds; round++) {
            for (int i = 0; i < servers.size(); i++) {
                Server s = servers.get(i);
                progress.step(s.describe() + ", round " + round + "/" + plan.rounds + ": " + plan.conns + " connections for "
                        + (plan.warmupMs + plan.measureMs) + " ms, then " + plan.idle + " idle ones");
                try {
                    List<Result> got = round(s, plan);
                    List<Result> acc = byServer.get(i);
                    if (acc.isEmpty()) {
                        acc.addAll(got);
                    } else {
                        List<Result> merged = Result.merge(List.of(acc, got));
                        acc.clear();
                        acc.addAll(merged);
                    }
                } catch (IOException | ChildProcess.Failure | RuntimeException e) {
                    failures.add(s.describe() + " round " + round + ": " + e.getMessage());
                    progress.step("FAILED: " + s.describe() + " round " + round + ": " + e.getMessage());
                }
            }
        }
        List<Result> out = new ArrayList<>();
        byServer.forEach(out::addAll);
        return out;
    }

    private List<Result> round(Server s, Plan plan) throws IOException, ChildProcess.Failure, InterruptedException {
        Path log = logDir.resolve("echo.log");
        List<String> cmd = new ArrayList<>();
        if (s.go != null) {
            cmd.addAll(List.of(s.go.toString(), "echoserver", Integer.toString(s.procs)));
        } else {
            cmd.add(java());
            cmd.addAll(List.of("-Xms1g", "-Xmx1g"));
            if (s.impl.equals(Kind.GOROUTINES.label)) {
                cmd.addAll(List.of(Programs.ADD_EXPORTS, Programs.CONTINUATION_PACKAGE, Programs.agentFlag(jar)));
            } else {
                cmd.add("-Djdk.virtualThreadScheduler.parallelism=" + s.procs);
            }
            cmd.addAll(List.of("-cp", jar.toString(), EchoServer.class.getName(), s.impl, Integer.toString(s.procs)));
        }
        try (Interactive server = new Interactive(cmd, log, Map.of("GOMAXPROCS", Integer.toString(s.procs)))) {
            String port = server.expect("listening ").strip();
            List<Result> out = new ArrayList<>(ChildProcess.results(ChildProcess.run(client("load", s.impl,
                    Integer.toString(s.procs), port, Integer.toString(plan.conns), Long.toString(plan.warmupMs),
                    Long.toString(plan.measureMs)), Path.of("."), Map.of(), log), List.of("EchoClient load")));
            long[] before = server.mem();
            try (Interactive idle = new Interactive(client("idle", port, Integer.toString(plan.idle)), log, Map.of())) {
                idle.expect("open ");
                long[] after = server.mem();
                out.add(new Result("echo", s.impl, s.procs, plan.idle, "idle-heap-bytes",
                        List.of((double) (after[0] - before[0]) / plan.idle)));
                out.add(new Result("echo", s.impl, s.procs, plan.idle, "idle-rss-bytes",
                        List.of((double) (after[1] - before[1]) / plan.idle)));
            }
            return out;
        }
    }

    private List<String> client(String... args) {
        List<String> cmd = new ArrayList<>(List.of(java(), "-cp", jar.toString(), EchoClient.class.getName()));
        cmd.addAll(List.of(args));
        return cmd;
    }

    private static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /**
     * A process this one talks to on its standard streams: its output lines are read by a thread of
     * their own (and copied to the log), so that a wait for one has a timeout. Closing it closes its
     * standard input (the servers and the idle client end there), waits, and kills it if it has not ended.
     */
    private static final class Interactive implements AutoCloseable {
        private static final String EOF = "\0eof";
        private final Process p;
        private final OutputStream in;
        private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        private final List<String> command;
        private final Path log;

        Interactive(List<String> command, Path log, Map<String, String> env) throws IOException {
            this.command = command;
            this.log = log;
            Files.writeString(log, "$ " + String.join(" ", command) + "\n", StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
            pb.environment().putAll(env);
            p = pb.start();
            in = p.getOutputStream();
            Thread.ofPlatform().daemon().name("echo-reader").start(() -> {
                try (BufferedReader r = p.inputReader(StandardCharsets.UTF_8)) {
                    for (String line = r.readLine(); line != null; line = r.readLine()) {
                        synchronized (log) {
                            Files.writeString(log, line + "\n", StandardCharsets.UTF_8, StandardOpenOption.APPEND);
                        }
                        lines.add(line);
                    }
                } catch (IOException e) {
                    // the process is gone
                }
                lines.add(EOF);
            });
        }

        /** The rest of the first line that starts with prefix; a Failure if the process ends or times out first. */
        String expect(String prefix) throws ChildProcess.Failure, InterruptedException {
            while (true) {
                String line = lines.poll(TIMEOUT_S, TimeUnit.SECONDS);
                if (line == null || line.equals(EOF)) {
                    throw new ChildProcess.Failure(command.getFirst() + " " + command.getLast() + (line == null
                            ? " said no \"" + prefix.strip() + "\" in " + TIMEOUT_S + " s" : " ended") + "; see " + log);
                }
                if (line.startsWith(prefix)) {
                    return line.substring(prefix.length());
                }
            }
        }

        /** Asks a server for its footprint after a GC: heap and RSS, in bytes. */
        long[] mem() throws IOException, ChildProcess.Failure, InterruptedException {
            in.write("mem\n".getBytes(StandardCharsets.UTF_8));
            in.flush();
            String[] f = expect("mem ").strip().split(" ");
            return new long[] {Long.parseLong(f[0]), Long.parseLong(f[1])};
        }

        @Override
        public void close() throws InterruptedException {
            try {
                in.close();
            } catch (IOException e) {
                // already gone
            }
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                p.waitFor();
            }
        }
    }
}
