package gmp.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs the Go twins of every workload ({@code bench/go}) with each Go toolchain found: the
 * {@code testing.B} benchmarks with an exact operation count ({@code -benchtime Nx}) for ping-pong
 * and Gosched, the {@code gmpbench} command for the one-shots, with the same sizes, runs and
 * warm-ups as the Java side. Go needs no network here: the module has no dependencies, and
 * GOTOOLCHAIN=local keeps a newer go command from fetching another toolchain.
 */
final class GoSuite {
    /** Samples per testing.B benchmark (its -count). */
    static final int COUNT = 10;
    /** Where Go toolchains are looked for, besides the go on PATH. */
    private static final List<String> USUAL_PLACES = List.of("/usr/lib", "/usr/local", System.getProperty("user.home") + "/sdk");
    /** No toolchain downloads, no module proxy, and none of the caller's GOFLAGS (-race would measure something else). */
    private static final Map<String, String> ENV = Map.of("GOTOOLCHAIN", "local", "GOPROXY", "off", "GOWORK", "off",
            "GOFLAGS", "");
    private static final Pattern BENCH_LINE = Pattern.compile("^Benchmark(\\w+?)(?:-(\\d+))?\\s+(\\d+)\\s+([0-9.]+) ns/op");

    /** A go command and the version it reports ({@code go1.19.8}). */
    record Toolchain(String go, String version) {
    }

    private final Path moduleDir;
    private final Path outDir;
    private final Progress progress;

    GoSuite(Path moduleDir, Path outDir, Progress progress) {
        this.moduleDir = moduleDir;
        this.outDir = outDir;
        this.progress = progress;
    }

    /**
     * The toolchains among {@code candidates}, or, with none given, the go on PATH and every
     * {@code go*}{@code /bin/go} under /usr/lib, /usr/local and ~/sdk; one per version.
     */
    static List<Toolchain> find(List<String> candidates) throws InterruptedException {
        List<String> gos = new ArrayList<>(candidates);
        if (gos.isEmpty()) {
            gos.add("go");
            for (String place : USUAL_PLACES) {
                try (var dirs = Files.newDirectoryStream(Path.of(place), "go*")) {
                    for (Path d : dirs) {
                        if (Files.isExecutable(d.resolve("bin/go"))) {
                            gos.add(d.resolve("bin/go").toString());
                        }
                    }
                } catch (IOException notThere) {
                    // no toolchains in this place
                }
            }
        }
        Map<String, Toolchain> byVersion = new LinkedHashMap<>();
        for (String go : gos) {
            try {
                Process p = new ProcessBuilder(go, "env", "GOVERSION").redirectErrorStream(true).start();
                String version = new String(p.getInputStream().readAllBytes()).strip();
                if (p.waitFor() == 0 && version.startsWith("go")) {
                    byVersion.putIfAbsent(version, new Toolchain(go, version));
                }
            } catch (IOException notAGo) {
                // not installed under that name
            }
        }
        return List.copyOf(byVersion.values());
    }

    /** The testing.B benchmark for a JMH workload, with its exact operation count. */
    List<Result> runBenchmark(Toolchain t, String workload, String function, long ops)
            throws ChildProcess.Failure, IOException, InterruptedException {
        progress.step(t.version + " " + workload + " (go test, " + ops + " ops x " + COUNT + ", GOMAXPROCS 1 and 2)");
        List<String> cmd = List.of(t.go, "test", "-run", "^$", "-bench", "^Benchmark" + function + "$",
                "-benchtime", ops + "x", "-count", Integer.toString(COUNT), "-cpu", "1,2");
        List<String> lines = ChildProcess.run(cmd, moduleDir, ENV, log(t));
        Map<Integer, List<Double>> byProcs = new LinkedHashMap<>();
        for (String line : lines) {
            Matcher m = BENCH_LINE.matcher(line);
            if (m.find()) {
                if (Long.parseLong(m.group(3)) != ops) {
                    throw new ChildProcess.Failure("go test ran " + m.group(3) + " ops instead of " + ops + ": " + line);
                }
                int procs = m.group(2) == null ? 1 : Integer.parseInt(m.group(2));
                byProcs.computeIfAbsent(procs, k -> new ArrayList<>()).add(Double.parseDouble(m.group(4)));
            }
        }
        if (byProcs.isEmpty()) {
            throw new ChildProcess.Failure("go test printed no benchmark line; see " + log(t));
        }
        List<Result> out = new ArrayList<>();
        byProcs.forEach((procs, samples) -> out.add(new Result(workload, t.version, procs, ops, "ns/op", samples)));
        return out;
    }

    /** Builds the gmpbench command with toolchain t, once per run of the comparison. */
    Path build(Toolchain t) throws ChildProcess.Failure, IOException, InterruptedException {
        Path bin = outDir.resolve("gmpbench-" + t.version).toAbsolutePath();
        ChildProcess.run(List.of(t.go, "build", "-o", bin.toString(), "."), moduleDir, ENV, log(t));
        return bin;
    }

    /** A one-shot workload with GOMAXPROCS procs; like the JVMs, a process per run when the workload asks for it. */
    List<Result> runOneShot(Toolchain t, Path bin, OneShot.Workload w, int procs)
            throws ChildProcess.Failure, IOException, InterruptedException {
        progress.step(t.version + " " + w.id + " P=" + procs + " n=" + w.n);
        int processes = w.freshJvmPerRun ? w.runs : 1;
        int runs = w.freshJvmPerRun ? 1 : w.runs;
        int warmups = w.warmups;
        List<String> cmd = List.of(bin.toString(), w.id, Integer.toString(procs), Integer.toString(w.n),
                Integer.toString(runs), Integer.toString(warmups));
        List<List<Result>> each = new ArrayList<>();
        for (int i = 0; i < processes; i++) {
            each.add(ChildProcess.results(ChildProcess.run(cmd, moduleDir, ENV, log(t)), cmd));
        }
        return Result.merge(each);
    }

    private Path log(Toolchain t) {
        return outDir.resolve(t.version + ".log");
    }
}
