package gmp.tools.export;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * {@code ./gmp grade}: grades an assignment repository, as its GitHub Classroom workflow does.
 *
 * <ol>
 *   <li>The tamper check: every test and build file must be as exported (SHA-256 checksums taken at
 *       export, {@code .github/classroom/checksums.sha256}, the format {@code sha256sum -c} reads), no test
 *       file may be added, and the workbook may hold Java sources only (a resource could register a test
 *       listener). Otherwise grading is refused, naming the files.</li>
 *   <li>The tests of every chapter up to the last assigned one run on the student's workbook.</li>
 *   <li>Points: the scoreboard's, a point per passing test of an assigned chapter, none for a given
 *       test; the maximum was fixed at export (the reference earns it), so a workbook that does not
 *       compile scores 0 of it. The last line is {@code Points X/Y}, as GitHub Classroom writes it.</li>
 * </ol>
 * When {@code GITHUB_OUTPUT} is set, the result also goes there as {@code result=}, base64-encoded JSON in
 * the shape GitHub Classroom's autograding-grading-reporter reads (one entry per test, with its score).
 * The scoreboard's own listener writes the CI step summary.
 *
 * <p>No dependencies and no other class: an assignment repository runs it straight from source.
 */
public final class Grade {
    static final String ASSIGNMENT = ".github/classroom/assignment.properties";
    static final String CHECKSUMS = ".github/classroom/checksums.sha256";
    private static final String RESULTS = "chapters/target/gmp/results.tsv";
    private static final String LOG = "chapters/target/grade-maven.log";

    /** One test of results.tsv; {@code chapter} is its tag, e.g. ch03. */
    record Test(String chapter, String status, String id, String name, String message, boolean given) {
        int points() {
            return status.equals("passed") && !given ? 1 : 0;
        }

        boolean counted() {
            return status.equals("passed") || status.equals("failed");
        }
    }

    private Grade() {
    }

    public static void main(String[] args) throws IOException, InterruptedException {
        Path repo = Path.of(args.length == 2 && args[0].equals("--repo") ? args[1] : ".").toAbsolutePath().normalize();
        System.exit(grade(repo));
    }

    /** Grades; returns 0 full points, 1 fewer (or refused), 2 the workbook does not compile. */
    static int grade(Path repo) throws IOException, InterruptedException {
        Path file = repo.resolve(ASSIGNMENT);
        if (!Files.isRegularFile(file)) {
            System.err.println("grade: this is not an assignment repository (no " + ASSIGNMENT
                    + "); ./gmp export NN DIR writes one");
            return 64;
        }
        Properties assignment = new Properties();
        try (InputStream in = Files.newInputStream(file)) {
            assignment.load(in);
        }
        List<String> assigned = List.of(assignment.getProperty("assigned").split(","));
        int max = Integer.parseInt(assignment.getProperty("max-points"));

        List<String> tampered = tampered(repo);
        if (!tampered.isEmpty()) {
            System.out.println("grade: refused: the assignment's tests and build files are your instructor's,"
                    + " and these differ from the assignment as it was handed out:");
            tampered.forEach(t -> System.out.println("    " + t));
            System.out.println("Put them back (git checkout <commit of the assignment> -- <file>, delete the added"
                    + " ones), then push again. Your own code lives in chapters/src/main/java only.");
            report(max, "error", List.of(entry("the tests and build files are as handed out", "error", 0,
                    "changed: " + String.join("; ", tampered))));
            System.out.println("Points 0/" + max);
            return 1;
        }

        Files.deleteIfExists(repo.resolve(RESULTS));
        int maven = runTests(repo, assignment.getProperty("graded"), null, null, repo.resolve(LOG));
        if (!Files.isRegularFile(repo.resolve(RESULTS))) {
            System.out.println("grade: the tests did not run (Maven exit " + maven + "): the workbook does not"
                    + " compile, or the build failed. Maven's errors:");
            Files.readAllLines(repo.resolve(LOG)).stream().filter(l -> l.startsWith("[ERROR]")).limit(30)
                    .forEach(l -> System.out.println("    " + l.substring("[ERROR]".length()).strip()));
            report(max, "error", List.of(entry("the workbook compiles", "error", 0, "see ./gmp score")));
            System.out.println("Points 0/" + max);
            return 2;
        }
        List<Test> tests = read(repo.resolve(RESULTS));
        Path scoreboard = repo.resolve("chapters/target/gmp/scoreboard.txt");
        if (Files.isRegularFile(scoreboard)) {
            System.out.print(Files.readString(scoreboard));
        }
        System.out.println();
        int points = 0;
        List<String> entries = new ArrayList<>();
        Map<String, int[]> byChapter = new TreeMap<>();
        for (Test t : tests) {
            if (!assigned.contains(t.chapter()) || t.given() || !t.counted()) {
                continue;
            }
            points += t.points();
            int[] c = byChapter.computeIfAbsent(t.chapter(), k -> new int[2]);
            c[0] += t.points();
            c[1]++;
            entries.add(entry(t.chapter() + ": " + t.name(), t.points() > 0 ? "pass" : "fail", t.points(),
                    t.message()));
        }
        byChapter.forEach((chapter, c) -> System.out.println("  " + chapter + "  " + c[0] + "/" + c[1] + " points"));
        report(max, points == max ? "pass" : "fail", entries);
        System.out.println("Points " + points + "/" + max);
        return points == max ? 0 : 1;
    }

    /** The preemption agent's jar, as the parent POM's gmp.agent names it. */
    private static final String AGENT_JAR = "agent/target/gmp-agent.jar";

    /**
     * Runs the tests of {@code groups} (e.g. {@code ch01,ch02,ch03}) with Maven; {@code src} and
     * {@code out}, when given, replace the workbook's sources and build directory (as the ladder does).
     * Returns Maven's exit status; the verdict is the results table the tests write.
     */
    static int runTests(Path repo, String groups, Path src, Path out, Path log) throws IOException, InterruptedException {
        Files.createDirectories(log.getParent());
        int agent = buildAgent(repo, log);
        if (agent != 0) {
            return agent;
        }
        List<String> command = new ArrayList<>(List.of(repo.resolve("mvnw").toString(), "-B", "-pl", "chapters",
                "-am", "test", "-Dgroups=" + groups, "-Dmaven.test.failure.ignore=true",
                "-Dsurefire.failIfNoSpecifiedTests=false", "-Dsurefire.printSummary=false"));
        if (src != null) {
            command.add("-Dgmp.workbook.src=" + src);
            command.add("-Dgmp.workbook.out=" + out);
        }
        ProcessBuilder maven = new ProcessBuilder(command).directory(repo.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile());
        if (src != null) {
            maven.environment().remove("GITHUB_STEP_SUMMARY");
        }
        return maven.start().waitFor();
    }

    /**
     * Builds the preemption agent's jar when the repository has the agent module and the jar is not
     * there yet: every test JVM starts with it (the parent POM's gmp.agent), and Maven's test phase,
     * which {@link #runTests} asks for, never packages it. The gmp script's ensure_agent does the same.
     */
    private static int buildAgent(Path repo, Path log) throws IOException, InterruptedException {
        if (!Files.isRegularFile(repo.resolve("agent/pom.xml")) || Files.isRegularFile(repo.resolve(AGENT_JAR))) {
            return 0;
        }
        return new ProcessBuilder(repo.resolve("mvnw").toString(), "-B", "-q", "-pl", "agent", "package", "-DskipTests")
                .directory(repo.toFile()).redirectErrorStream(true).redirectOutput(log.toFile()).start().waitFor();
    }

    /** The rows of a results.tsv ({@code chapter status testId displayName message given}). */
    static List<Test> read(Path tsv) throws IOException {
        List<Test> tests = new ArrayList<>();
        for (String line : Files.readAllLines(tsv, StandardCharsets.UTF_8)) {
            if (line.startsWith("#") || line.isBlank()) {
                continue;
            }
            String[] f = line.split("\t", -1);
            tests.add(new Test(f[0], f[1], f[2], f.length > 3 ? f[3] : f[2], f.length > 4 ? f[4] : "",
                    f.length > 5 && f[5].equals("given")));
        }
        return tests;
    }

    // ---- the tamper check -------------------------------------------------------------------------

    /** Whether a file is the instructor's (checksummed) rather than the student's or generated. */
    static boolean isProtected(String path) {
        return !(path.startsWith("chapters/src/main/") || path.startsWith("chapters/.hints/")
                || path.startsWith("docs/en/") || path.startsWith("docs/zh/") || path.matches("README(\\.zh)?\\.md")
                || path.equals(CHECKSUMS));
    }

    /** Writes the checksums of every protected file of {@code repo}. */
    static void writeChecksums(Path repo) throws IOException {
        StringBuilder out = new StringBuilder();
        for (String path : files(repo)) {
            if (isProtected(path)) {
                out.append(sha256(repo.resolve(path))).append("  ").append(path).append('\n');
            }
        }
        Files.writeString(repo.resolve(CHECKSUMS), out.toString(), StandardCharsets.UTF_8);
    }

    /** What differs from the checksums; empty when nothing does. */
    static List<String> tampered(Path repo) throws IOException {
        Path sums = repo.resolve(CHECKSUMS);
        if (!Files.isRegularFile(sums)) {
            return List.of("missing: " + CHECKSUMS);
        }
        Map<String, String> expected = new TreeMap<>();
        for (String line : Files.readAllLines(sums, StandardCharsets.UTF_8)) {
            if (line.length() > 66) {
                expected.put(line.substring(66), line.substring(0, 64));
            }
        }
        List<String> problems = new ArrayList<>();
        expected.forEach((path, sum) -> {
            Path file = repo.resolve(path);
            try {
                if (!Files.isRegularFile(file)) {
                    problems.add("missing: " + path);
                } else if (!sha256(file).equals(sum)) {
                    problems.add("changed: " + path);
                }
            } catch (IOException e) {
                problems.add("unreadable: " + path);
            }
        });
        for (String path : files(repo)) {
            if (path.startsWith("chapters/src/test/") && !expected.containsKey(path)) {
                problems.add("added:   " + path);
            } else if (path.startsWith("chapters/src/main/")
                    && !(path.startsWith("chapters/src/main/java/") && path.endsWith(".java"))) {
                problems.add("added:   " + path + " (the workbook holds Java sources only)");
            }
        }
        return problems;
    }

    /** The files of the repository, relative and sorted, without .git and build directories. */
    private static List<String> files(Path repo) throws IOException {
        try (Stream<Path> walk = Files.walk(repo)) {
            return walk.filter(Files::isRegularFile).map(p -> repo.relativize(p).toString().replace('\\', '/'))
                    .filter(p -> !p.startsWith(".git/") && !p.matches("(.*/)?target/.*")).sorted().toList();
        }
    }

    private static String sha256(Path file) throws IOException {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    // ---- GitHub Classroom's reporter --------------------------------------------------------------

    private static String entry(String name, String status, int score, String message) {
        return "{\"name\": " + json(name) + ", \"status\": " + json(status) + ", \"score\": " + score
                + ", \"message\": " + json(message) + "}";
    }

    /** Appends {@code result=<base64 JSON>} to $GITHUB_OUTPUT, for autograding-grading-reporter. */
    private static void report(int max, String status, List<String> tests) throws IOException {
        String output = System.getenv("GITHUB_OUTPUT");
        if (output == null || output.isBlank()) {
            return;
        }
        String result = "{\"version\": 1, \"status\": " + json(status) + ", \"max_score\": " + max
                + ", \"tests\": [" + String.join(", ", tests) + "]}";
        Files.writeString(Path.of(output), "result=" + Base64.getEncoder()
                .encodeToString(result.getBytes(StandardCharsets.UTF_8)) + "\n", StandardCharsets.UTF_8,
                StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    private static String json(String s) {
        return s.chars().mapToObj(c -> switch (c) {
            case '"' -> "\\\"";
            case '\\' -> "\\\\";
            case '\n' -> "\\n";
            case '\t' -> "\\t";
            default -> c < 0x20 ? String.format("\\u%04x", c) : String.valueOf((char) c);
        }).collect(Collectors.joining("", "\"", "\""));
    }
}
