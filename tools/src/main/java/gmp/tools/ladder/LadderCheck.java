package gmp.tools.ladder;

import gmp.tools.generator.ChapterTable;
import gmp.tools.generator.WorkbookException;
import gmp.tools.generator.WorkbookGenerator;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;

/**
 * Checks the ladder invariant, the workbook's main correctness property (DESIGN.md §3): for every
 * chapter N, with chapters before N solved and N onwards stubbed, every earlier test passes and every
 * chapter-N test fails on its stub unless it is given: marked {@code @Given}, and listed as given by
 * the chapter's doc (see {@link Rung}).
 *
 * <p>Each chapter that has tests ({@code @Tag("chNN")} in {@code chapters/src/test/java}) or markers is a
 * rung, climbed in order. A rung lives in {@code target/ladder/chNN/}: the generator writes the workbook
 * for start N into {@code src/}, Maven compiles it and runs the tests of chapters 1..N against it with
 * {@code out/} as build directory ({@code chapters/pom.xml} takes both as properties), and its output goes
 * to {@code maven.log}, shown only when the rung cannot be judged. The verdict comes from the results
 * table the workbook's JUnit listener writes ({@code out/gmp/results.tsv}), never from Maven's console.
 * Test failures must not stop Maven ({@code -Dmaven.test.failure.ignore}): on a rung, failing is what
 * chapter N's tests are for. A compile error, or a run that leaves no table, breaks the rung.
 *
 * <p>Rungs run one after another, each in a fresh build directory, so a class left over from another
 * start chapter can never make a rung pass.
 */
public final class LadderCheck {
    private static final Pattern TAG = Pattern.compile("@Tag\\(\\s*(?:value\\s*=\\s*)?\"ch(\\d\\d)\"\\s*\\)");
    /** Lines of maven.log shown when a rung cannot be judged. */
    private static final int LOG_TAIL = 40;
    private static final String USAGE = """
            usage: LadderCheck [--repo DIR] [--only NN]
              --repo DIR   the repository root (default: .)
              --only NN    check one chapter's rung only""";

    private LadderCheck() {
    }

    public static void main(String[] args) throws IOException, InterruptedException {
        Path repo = Path.of(".");
        Integer only = null;
        try {
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "--repo" -> repo = Path.of(args[++i]);
                    case "--only" -> only = Integer.parseInt(args[++i].replaceFirst("^ch", ""));
                    default -> throw new IllegalArgumentException(args[i]);
                }
            }
        } catch (IllegalArgumentException | IndexOutOfBoundsException e) {
            System.err.println(USAGE);
            System.exit(2);
        }
        try {
            System.exit(run(repo.toAbsolutePath().normalize(), only));
        } catch (WorkbookException e) {
            e.problems().forEach(System.err::println);
            System.exit(1);
        }
    }

    private static int run(Path repo, Integer only) throws IOException, InterruptedException, WorkbookException {
        ChapterTable chapters = ChapterTable.read(repo.resolve(WorkbookGenerator.CHAPTER_TABLE));
        SortedSet<Integer> rungs = taggedChapters(repo.resolve("chapters/src/test/java"));
        rungs.addAll(WorkbookGenerator.generate(repo.resolve(WorkbookGenerator.SOLUTIONS), chapters, 1)
                .markedChapters());
        List<String> unlisted = rungs.stream().filter(n -> chapters.get(n).isEmpty()).map(ChapterTable::tag).toList();
        if (!unlisted.isEmpty()) {
            System.err.println("ladder: the tests are tagged with chapters that " + WorkbookGenerator.CHAPTER_TABLE
                    + " does not list: " + String.join(" ", unlisted));
            return 1;
        }
        if (only != null) {
            if (!rungs.contains(only)) {
                System.err.println("ladder: " + ChapterTable.tag(only) + " has no tests and no markers");
                return 1;
            }
            rungs = new TreeSet<>(List.of(only));
        }
        List<String> broken = new ArrayList<>();
        for (int n : rungs) {
            Rung rung = climb(repo, chapters, n);
            System.out.println(rung.line());
            rung.details().forEach(d -> System.out.println("    " + d));
            if (!rung.holds()) {
                broken.add(ChapterTable.tag(n));
            }
        }
        String all = rungs.stream().map(ChapterTable::tag).collect(Collectors.joining(" "));
        System.out.println(rungs.isEmpty() ? "ladder: no chapter has tests or markers yet"
                : broken.isEmpty() ? "ladder: every rung holds: " + all
                : "ladder: " + broken.size() + " of " + rungs.size() + " rungs broke: " + String.join(" ", broken));
        return broken.isEmpty() ? 0 : 1;
    }

    /** Builds and tests the workbook for start chapter {@code n}, and judges the result. */
    private static Rung climb(Path repo, ChapterTable chapters, int n)
            throws IOException, InterruptedException, WorkbookException {
        Path dir = repo.resolve("target/ladder").resolve(ChapterTable.tag(n));
        Path src = dir.resolve("src");
        Path out = dir.resolve("out");
        Path log = dir.resolve("maven.log");
        WorkbookGenerator.write(
                WorkbookGenerator.generate(repo.resolve(WorkbookGenerator.SOLUTIONS), chapters, n).files(), src);
        deleteTree(out);
        String groups = IntStream.rangeClosed(1, n).mapToObj(ChapterTable::tag).collect(Collectors.joining(","));
        Process maven = new ProcessBuilder(repo.resolve("mvnw").toString(), "-B", "-q", "-pl", "chapters", "test",
                "-Dgmp.workbook.src=" + src, "-Dgmp.workbook.out=" + out, "-Dgroups=" + groups,
                "-Dmaven.test.failure.ignore=true", "-Dsurefire.failIfNoSpecifiedTests=false")
                .directory(repo.toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        int exit = maven.waitFor();
        Path results = out.resolve("gmp/results.tsv");
        String where = "see " + repo.relativize(log);
        if (exit != 0 || !Files.isRegularFile(results)) {
            String why = exit != 0 ? "the workbook did not build or its tests did not run (Maven exit " + exit + ")"
                    : "the tests ran but wrote no " + repo.relativize(results);
            return Rung.unjudged(n, why + "; " + where, tail(log));
        }
        String doc = chapters.get(n).orElseThrow().doc();
        try {
            GivenTests given = GivenTests.read(repo.resolve(doc));
            return Rung.judge(n, TestResult.parse(Files.readAllLines(results)), given, doc);
        } catch (IllegalArgumentException e) {
            return Rung.unjudged(n, "unreadable results: " + e.getMessage() + "; " + where, List.of());
        }
    }

    /** The chapters named by a {@code @Tag("chNN")} anywhere in the test sources. */
    public static SortedSet<Integer> taggedChapters(Path testRoot) throws IOException {
        SortedSet<Integer> tagged = new TreeSet<>();
        if (!Files.isDirectory(testRoot)) {
            return tagged;
        }
        try (Stream<Path> walk = Files.walk(testRoot)) {
            for (Path file : walk.filter(p -> p.toString().endsWith(".java")).toList()) {
                tagged.addAll(chapterTags(Files.readString(file)));
            }
        }
        return tagged;
    }

    /** The chapters a test source names with {@code @Tag("chNN")}. */
    public static SortedSet<Integer> chapterTags(String source) {
        SortedSet<Integer> tagged = new TreeSet<>();
        Matcher m = TAG.matcher(source);
        while (m.find()) {
            tagged.add(Integer.parseInt(m.group(1)));
        }
        return tagged;
    }

    private static List<String> tail(Path log) throws IOException {
        List<String> lines = Files.isRegularFile(log) ? Files.readAllLines(log) : List.of();
        return lines.subList(Math.max(0, lines.size() - LOG_TAIL), lines.size());
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
