package gmp.memory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs chapter 09's jcstress tests (every {@code @JCStressTest} under {@code gmp.memory}) once per
 * test JVM, and hands each JUnit test the outcome counts of the ones it is about.
 *
 * <p>jcstress runs in a JVM of its own, on this JVM's test classpath, in its quick preset with one
 * iteration per test and one JVM configuration (the default flags, tiered up to C2): the chapter's
 * budget. jcstress spends a fixed 20-30 s probing the JVM before the first test, then 1-2 s per
 * test on 2 cores. The tables it prints are parsed from its verbose console, written to
 * {@code litmus.txt} next to the scoreboard's files ({@code gmp.results.dir}), and printed.
 * Four-actor tests (IRIW) need four CPUs: on fewer, jcstress does not plan them, and their tables
 * say "not run".
 *
 * <p>The quick preset runs every test in two forks: a normal one and a "stress" one, whose C2 runs
 * with randomized instruction scheduling and so shows more reorderings. The learner's loop
 * ({@code ./gmp test 09}, the chapters module) runs the normal fork only ({@code -fsm 0}): measured
 * here at load 6, 78 s instead of 130 s for the jcstress run. The reference run in {@code ./gmp
 * verify} (the solutions module sets {@code gmp.jcstress.stress=true}) runs both, as the doc's
 * tables were measured.
 */
final class Jcstress {
    /** How long the whole run may take before the test calls it hung: generous, for a loaded machine. */
    static final Duration LIMIT = Duration.ofMinutes(6);
    private static final String FLAGS = "--add-exports java.base/jdk.internal.vm=ALL-UNNAMED --enable-native-access=ALL-UNNAMED";
    private static final Pattern TEST = Pattern.compile("^\\s*\\.*\\s*\\[(OK|FAILED|ERROR)\\]\\s+(gmp\\.memory\\.\\S+)");
    private static final Pattern ROW = Pattern.compile("^\\s+(.+?)\\s+([\\d,]+)\\s+(<?[\\d.]+%)\\s+(Acceptable|Interesting|Forbidden)\\s+.*$");

    /** One row of a result table. */
    record Row(String outcome, long samples, String expect) {
    }

    /** One test's verdict and table. */
    record Table(String test, String verdict, List<Row> rows) {
        long samples(String outcome) {
            return rows.stream().filter(r -> r.outcome().equals(outcome)).mapToLong(Row::samples).sum();
        }

        String text() {
            StringBuilder out = new StringBuilder(test + " [" + verdict + "]\n");
            rows.forEach(r -> out.append(String.format("  %12s %,14d  %s%n", r.outcome(), r.samples(), r.expect())));
            return out.toString();
        }
    }

    /** Every table of the run, by test name (gmp.memory.litmus.MessagePassing.Plain). */
    record Run(Map<String, Table> tables, String console) {
        Table table(String test) {
            return tables.getOrDefault(test, new Table(test, "not run", List.of()));
        }
    }

    private static Run run;

    private Jcstress() {
    }

    /** The results of this JVM's one jcstress run, running it first if no test has yet. */
    static synchronized Run results() {
        if (run == null) {
            run = runNow();
        }
        return run;
    }

    private static Run runNow() {
        Path results = Path.of(System.getProperty("gmp.results.dir", "target/gmp"));
        Path dir = results.resolveSibling("jcstress");
        String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        command.addAll(List.of(FLAGS.split(" ")));
        command.addAll(List.of("-cp", classpath, "org.openjdk.jcstress.Main", "-t", "^gmp\\.memory\\.",
                "-m", "quick", "-iters", "1", "-sc", "false", "-jvmArgs", FLAGS, "-v", "-r", "results"));
        if (!Boolean.getBoolean("gmp.jcstress.stress")) {
            command.addAll(List.of("-fsm", "0")); // no stress forks: see the class comment
        }
        try {
            Files.createDirectories(dir);
            Path log = dir.resolve("output.txt");
            Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                    .redirectOutput(log.toFile()).start();
            if (!p.waitFor(LIMIT.toSeconds(), TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("jcstress did not finish within " + LIMIT.toMinutes() + " minutes (the"
                        + " machine is overloaded, or a litmus test's actor hung); its output: " + log.toAbsolutePath());
            }
            String console = Files.readString(log, StandardCharsets.UTF_8);
            Run done = new Run(parse(console), console);
            StringBuilder text = new StringBuilder();
            done.tables().values().forEach(t -> text.append(t.text()).append('\n'));
            Files.createDirectories(results);
            Files.writeString(results.resolve("litmus.txt"), text, StandardCharsets.UTF_8);
            System.out.println("jcstress (quick, one iteration per test" + (Boolean.getBoolean("gmp.jcstress.stress")
                    ? "" : ", no stress forks") + "; full output in " + log + "):\n" + text);
            return done;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while jcstress ran", e);
        }
    }

    /** The first table printed for each test (the console repeats them in its summary). */
    static Map<String, Table> parse(String console) {
        Map<String, Table> tables = new LinkedHashMap<>();
        List<Row> rows = null;
        for (String line : console.split("\n")) {
            Matcher t = TEST.matcher(line);
            if (t.find()) {
                rows = null;
                if (!tables.containsKey(t.group(2))) {
                    rows = new ArrayList<>();
                    tables.put(t.group(2), new Table(t.group(2), t.group(1), rows));
                }
                continue;
            }
            Matcher r = ROW.matcher(line);
            if (rows != null && r.matches()) {
                rows.add(new Row(r.group(1).strip(), Long.parseLong(r.group(2).replace(",", "")), r.group(4)));
            }
        }
        return tables;
    }
}
