package gmp.workbook;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Writes what {@link ScoreboardListener} collected, into {@code gmp.results.dir} (default
 * {@code target/gmp}):
 * <ul>
 *   <li>{@code results.tsv}: {@code chapter status testId displayName message given}, tab-separated, after
 *       a {@code #} header; the contract with the ladder check and {@code ./gmp}, keep its columns;</li>
 *   <li>{@code results.json}: Exercism's results.json v3 ({@code pass|fail|error}) plus the chapter, the
 *       hint and the {@link Given} mark of each test; skipped and aborted tests are left out, v3 has no word for them;</li>
 *   <li>{@code scoreboard.txt}: a line per chapter and the next failing test with its hint, for an
 *       80-column terminal; {@code hint.txt}: that last block alone;</li>
 *   <li>a Markdown version appended to {@code $GITHUB_STEP_SUMMARY} when CI sets it.</li>
 * </ul>
 * A message is the failure's text on one line: AssertJ puts its first line break before the text
 * ("\nexpected: 3\n but was: 2"), so the whole message is folded into one line rather than cut at
 * its first line, and capped.
 */
final class Scoreboard {
    static final String NO_CHAPTER = "-";
    private static final int WIDTH = 80;
    private static final int MESSAGE_CAP = 240;
    private static final String LABEL = "  %-7s ";

    enum Status {
        PASSED, FAILED, ABORTED, SKIPPED;

        String word() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * One test's result.
     *
     * @param chapter {@code ch01}…, or {@link #NO_CHAPTER}
     * @param error   failed by something other than an assertion (a stub, a crash, a timeout)
     * @param stub    reached a workbook stub: the message is the stub's, which names the TODO and its section
     * @param message the reason on one line, empty when passed
     * @param hint    the test's {@link Hint}, or null
     * @param given   the test is {@link Given}: it counts in passed/total but earns no points
     * @param needs   the {@link Given#needs} of a given test: the earlier chapter it runs on, or ""
     */
    record Result(String chapter, Status status, boolean error, boolean stub, String testId, String displayName,
                  String message, Hint hint, boolean given, String needs) {
        /** Ran and did not pass: what the learner still has to fix. */
        boolean failed() {
            return status == Status.FAILED && !waits();
        }

        /**
         * A given test that failed because the earlier chapters it runs on are not written yet (a
         * fresh clone): neither won nor lost, like a skipped test, and named as waiting for them.
         */
        boolean waits() {
            return status == Status.FAILED && given && !needs.isEmpty();
        }

        /** Counted in a chapter's total: skipped, aborted and waiting tests are neither won nor lost. */
        boolean counted() {
            return status == Status.PASSED || status == Status.FAILED && !waits();
        }

        String jsonStatus() {
            return status == Status.PASSED ? "pass" : error ? "error" : "fail";
        }
    }

    /** A chapter's tests, in test-plan order. */
    private record Chapter(String tag, String title, List<Result> tests) {
        int passed() {
            return (int) tests.stream().filter(r -> r.status() == Status.PASSED).count();
        }

        int total() {
            return (int) tests.stream().filter(Result::counted).count();
        }

        /** The given tests of this run: they count in passed/total, but earn no points. */
        int givenCount() {
            return (int) tests.stream().filter(r -> r.counted() && r.given()).count();
        }

        int points() {
            return tests.stream().mapToInt(Scoreboard::points).sum();
        }

        boolean done() {
            return tests.stream().noneMatch(Result::failed);
        }

        /** What the learner types to run this chapter again. */
        String rerun() {
            return tag.equals(NO_CHAPTER) ? "./gmp score" : "./gmp test " + tag.substring(2);
        }
    }

    private Scoreboard() {
    }

    /**
     * The points a test earns: one per passing test (the single place to weight them later). A
     * {@link Given} test earns none: the points are the learner's own work.
     */
    static int points(Result r) {
        return r.status() == Status.PASSED && !r.given() ? 1 : 0;
    }

    /** Writes every file; a failure to write is reported on stderr, never fails the test run. */
    static void write(List<Result> results) {
        Path dir = resultsDir();
        List<Chapter> chapters = chapters(results, titles(repoRoot()));
        try {
            Files.createDirectories(dir);
            Files.writeString(dir.resolve("results.tsv"), tsv(results), StandardCharsets.UTF_8);
            Files.writeString(dir.resolve("results.json"), json(results), StandardCharsets.UTF_8);
            Files.writeString(dir.resolve("scoreboard.txt"), scoreboard(chapters), StandardCharsets.UTF_8);
            Files.writeString(dir.resolve("hint.txt"), next(chapters), StandardCharsets.UTF_8);
            String summary = System.getenv("GITHUB_STEP_SUMMARY");
            if (summary != null && !summary.isBlank()) {
                Files.writeString(Path.of(summary), markdown(chapters, dir), StandardCharsets.UTF_8,
                        StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            }
        } catch (IOException e) {
            System.err.println("scoreboard: cannot write " + dir.toAbsolutePath() + ": " + e);
        }
    }

    // ---- progress.txt ------------------------------------------------------------------------------

    private static Path resultsDir() {
        return Path.of(System.getProperty("gmp.results.dir", "target/gmp"));
    }

    /**
     * Appends one line for a test that has just finished (a parameterized test's call keeps its
     * arguments visible) to progress.txt, which ./gmp test shows
     * while the tests run (Maven's console stays hidden). One write per whole line, so a reader
     * never sees half of one. The file grows for as long as the results directory lives
     * (./gmp removes it before each run).
     */
    static void progress(String chapter, Status status, String test, String invocation) {
        Path dir = resultsDir();
        String mark = switch (status) {
            case PASSED -> "ok  ";
            case FAILED -> "FAIL";
            default -> "skip";
        };
        String call = oneLine(invocation);
        int room = WIDTH - 14 - (call.isEmpty() ? 0 : Math.min(call.length(), 30) + 1);
        String line = "  " + mark + " " + chapter + "  " + fit(oneLine(test), room)
                + (call.isEmpty() ? "" : " " + fit(call, 30)) + "\n";
        try {
            Files.createDirectories(dir);
            Files.writeString(dir.resolve("progress.txt"), line, StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            System.err.println("scoreboard: cannot write progress: " + e);
        }
    }

    // ---- reading a failure ------------------------------------------------------------------------

    /**
     * The reason a learner reads. The workbook's own exceptions (a stub's "TODO(ch01): ... Read ...",
     * a program's "panic: ...") and assertions speak for themselves; anything else is named by its
     * class. A stub reached somewhere below wins over whatever wrapped it.
     */
    static String reason(Throwable thrown) {
        if (thrown == null) {
            return "";
        }
        Throwable stub = stub(thrown);
        Throwable shown = stub != null ? stub : thrown;
        String message = shown.getMessage();
        boolean speaksForItself = shown instanceof AssertionError || shown.getClass().getName().startsWith("gmp.");
        if (speaksForItself && message != null && !message.isBlank()) {
            // A crash report ("fatal error: ...", "panic: ...") that wraps an exception of the workbook's
            // code: say first where in that code it was thrown, the report's first line is cut.
            Throwable inner = causes(shown).reversed().stream().filter(t -> !(t instanceof AssertionError)
                    && !t.getClass().getName().startsWith("gmp.")).findFirst().orElse(null);
            String where = inner == null ? "" : whereInLearnerCode(inner);
            return oneLine(where.isEmpty() ? message : inner.getClass().getSimpleName() + where + ". " + message);
        }
        String where = whereInLearnerCode(shown);
        return oneLine(shown.getClass().getSimpleName() + where
                + (message == null || message.isBlank() ? "" : ": " + message));
    }

    /**
     * Where an exception that is nobody's message (an NPE, an index out of bounds) came from in the
     * workbook's own code (chapters/src/main, not the tests): " in Proc.pidleput (Proc.java:212;
     * read docs/en/01-bootstrap.md#pidleput)", the doc section being that of the first method on the
     * stack that has one. "" when no frame is the workbook's: the test's own code tripped over a
     * value the workbook returned, and the test should say so itself.
     */
    static String whereInLearnerCode(Throwable thrown) {
        StackTraceElement first = null;
        String doc = null;
        for (StackTraceElement frame : thrown.getStackTrace()) {
            if (!isWorkbookCode(frame.getClassName())) {
                continue;
            }
            first = first != null ? first : frame;
            doc = docSections().get(frame.getMethodName());
            if (doc != null) {
                break;
            }
        }
        if (first == null) {
            return "";
        }
        String cls = first.getClassName().substring(first.getClassName().lastIndexOf('.') + 1);
        return " in " + cls + "." + first.getMethodName() + " (" + first.getFileName() + ":" + first.getLineNumber()
                + (doc != null ? "; read " + doc : "") + ")";
    }

    /** A class of the workbook (or the reference) itself: gmp.*, compiled from main, not from the tests. */
    private static boolean isWorkbookCode(String className) {
        if (!className.startsWith("gmp.") || className.startsWith("gmp.workbook.")) {
            return false;
        }
        try {
            Class<?> c = Class.forName(className, false, Scoreboard.class.getClassLoader());
            var source = c.getProtectionDomain().getCodeSource();
            return source != null && !source.getLocation().toString().contains("test-classes");
        } catch (ClassNotFoundException | SecurityException e) {
            return false;
        }
    }

    private static Map<String, String> docSections;

    /**
     * Method name -> "docs/en/NN-slug.md#anchor", from the docs' exercise headings: a heading that names
     * {@code `pidleput(pp)`} belongs to the {@code <a id>} just above it. The earliest chapter wins.
     */
    private static synchronized Map<String, String> docSections() {
        if (docSections != null) {
            return docSections;
        }
        Map<String, String> sections = new LinkedHashMap<>();
        Path root = repoRoot();
        try (var docs = root == null ? java.util.stream.Stream.<Path>empty() : Files.list(root.resolve("docs/en"))) {
            for (Path doc : docs.filter(d -> d.getFileName().toString().matches("\\d\\d-.*\\.md")).sorted().toList()) {
                String anchor = null;
                for (String line : Files.readAllLines(doc, StandardCharsets.UTF_8)) {
                    var a = java.util.regex.Pattern.compile("<a id=\"([^\"]+)\"").matcher(line);
                    if (a.find()) {
                        anchor = a.group(1);
                    } else if (line.startsWith("#") && anchor != null) {
                        var m = java.util.regex.Pattern.compile("`(\\w+)\\(").matcher(line);
                        while (m.find()) {
                            sections.putIfAbsent(m.group(1), "docs/en/" + doc.getFileName() + "#" + anchor);
                        }
                        anchor = null;
                    }
                }
            }
        } catch (IOException e) {
            System.err.println("scoreboard: cannot read the docs' sections: " + e);
        }
        docSections = sections;
        return sections;
    }

    /** Whether a workbook stub was reached on the way: its message is then the reason. */
    static boolean isStub(Throwable thrown) {
        return stub(thrown) != null;
    }

    /** An error rather than a failure: no assertion failed (or a stub was reached on the way). */
    static boolean isError(Throwable thrown) {
        return isStub(thrown) || causes(thrown).stream().noneMatch(AssertionError.class::isInstance);
    }

    private static Throwable stub(Throwable thrown) {
        return causes(thrown).stream()
                .filter(t -> t.getClass().getSimpleName().equals("NotImplementedYet")).findFirst().orElse(null);
    }

    private static List<Throwable> causes(Throwable thrown) {
        List<Throwable> chain = new ArrayList<>();
        for (Throwable t = thrown; t != null && chain.size() < 20 && !chain.contains(t); t = t.getCause()) {
            chain.add(t);
        }
        return chain;
    }

    /** Whitespace folded to single spaces, so the text fits a TSV cell and a terminal line; capped. */
    static String oneLine(String text) {
        String line = text == null ? "" : text.strip().replaceAll("\\s+", " ");
        return line.length() <= MESSAGE_CAP ? line : line.substring(0, MESSAGE_CAP - 3) + "...";
    }

    // ---- chapters ---------------------------------------------------------------------------------

    private static List<Chapter> chapters(List<Result> results, Map<String, String> titles) {
        Map<String, List<Result>> byTag = new TreeMap<>(
                Comparator.comparing((String tag) -> tag.equals(NO_CHAPTER)).thenComparing(Comparator.naturalOrder()));
        results.forEach(r -> byTag.computeIfAbsent(r.chapter(), t -> new ArrayList<>()).add(r));
        return byTag.entrySet().stream()
                .map(e -> new Chapter(e.getKey(), e.getKey().equals(NO_CHAPTER) ? "tests without a chapter tag"
                        : titles.getOrDefault(e.getKey(), ""), e.getValue()))
                .toList();
    }

    /** The repository root: {@code gmp.repo.root}, else the nearest directory up with docs/chapters.tsv. */
    private static Path repoRoot() {
        String given = System.getProperty("gmp.repo.root");
        if (given != null && Files.isRegularFile(Path.of(given, "docs/chapters.tsv"))) {
            return Path.of(given);
        }
        for (Path p = Path.of(System.getProperty("user.dir")).toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isRegularFile(p.resolve("docs/chapters.tsv"))) {
                return p;
            }
        }
        return null;
    }

    /**
     * The chapter after the last one of this run, from docs/chapters.tsv: "chapter 02, The go
     * statement and the local run queue: read docs/en/02-local-runq.md, then ./gmp test 02", or that
     * it is coming (listed, no doc yet), or "" after the course's last chapter.
     */
    private static String afterLast(List<Chapter> chapters) {
        Path root = repoRoot();
        int last = chapters.stream().map(Chapter::tag).filter(t -> t.matches("ch\\d\\d"))
                .mapToInt(t -> Integer.parseInt(t.substring(2))).max().orElse(0);
        if (root == null || last == 0) {
            return "";
        }
        try {
            for (String line : Files.readAllLines(root.resolve("docs/chapters.tsv"), StandardCharsets.UTF_8)) {
                String[] f = line.split("\t");
                if (line.startsWith("#") || f.length < 3 || Integer.parseInt(f[0].strip()) <= last) {
                    continue;
                }
                String nn = f[0].strip();
                String doc = "docs/en/" + nn + "-" + f[1].strip() + ".md";
                return "chapter " + nn + ", " + f[2].strip() + (Files.exists(root.resolve(doc))
                        ? ": read " + doc + ", then ./gmp test " + nn + "." : " (coming: not written yet).");
            }
        } catch (IOException | NumberFormatException e) {
            return "";
        }
        return "";
    }

    /** {@code ch01 -> title}, from docs/chapters.tsv ({@code number slug title}); empty when not found. */
    private static Map<String, String> titles(Path root) {
        Map<String, String> titles = new LinkedHashMap<>();
        if (root == null) {
            return titles;
        }
        try {
            for (String line : Files.readAllLines(root.resolve("docs/chapters.tsv"), StandardCharsets.UTF_8)) {
                String[] f = line.split("\t");
                if (!line.startsWith("#") && f.length >= 3) {
                    titles.put("ch" + f[0].strip(), f[2].strip());
                }
            }
        } catch (IOException e) {
            System.err.println("scoreboard: cannot read chapter titles: " + e);
        }
        return titles;
    }

    // ---- results.tsv and results.json -------------------------------------------------------------

    private static String tsv(List<Result> results) {
        StringBuilder out = new StringBuilder("# chapter\tstatus\ttestId\tdisplayName\tmessage\tgiven\n");
        for (Result r : results) {
            out.append(String.join("\t", r.chapter(), r.status().word(), r.testId(), r.displayName(), r.message(),
                    r.given() ? "given" : "")).append('\n');
        }
        return out.toString();
    }

    private static String json(List<Result> results) {
        List<Result> ran = results.stream().filter(Result::counted).toList();
        String status = ran.isEmpty() ? "error" : ran.stream().anyMatch(Result::failed) ? "fail" : "pass";
        String tests = ran.stream().map(r -> "    {\"name\": " + str(r.displayName())
                + ", \"test_code\": " + str(r.testId())
                + ", \"chapter\": " + str(r.chapter())
                + ", \"given\": " + r.given()
                + ", \"status\": " + str(r.jsonStatus())
                + ", \"message\": " + (r.failed() ? str(r.message()) : "null")
                + ", \"hint\": " + (r.hint() == null ? "null"
                        : "{\"doc\": " + str(r.hint().doc()) + ", \"go\": " + str(r.hint().go()) + "}")
                + "}").collect(Collectors.joining(",\n"));
        return "{\n  \"version\": 3,\n  \"status\": " + str(status)
                + ",\n  \"message\": " + (ran.isEmpty() ? str("no tests ran") : "null")
                + ",\n  \"tests\": [\n" + tests + (tests.isEmpty() ? "" : "\n") + "  ]\n}\n";
    }

    /** A JSON string literal (RFC 8259: quote, backslash and control characters escaped). */
    private static String str(String s) {
        StringBuilder out = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> out.append(c < 0x20 ? String.format("\\u%04x", (int) c) : String.valueOf(c));
            }
        }
        return out.append('"').toString();
    }

    // ---- scoreboard.txt and hint.txt --------------------------------------------------------------

    private static String scoreboard(List<Chapter> chapters) {
        int titleWidth = Math.min(46, chapters.stream().mapToInt(c -> c.title().length()).max().orElse(0));
        StringBuilder out = new StringBuilder("GMP Workbook — scoreboard\n");
        for (Chapter c : chapters) {
            List<String> notes = new ArrayList<>();
            if (c.givenCount() > 0) {
                notes.add(c.givenCount() + " given");
            }
            long waiting = c.tests().stream().filter(Result::waits).count();
            if (waiting > 0) {
                notes.add(waiting + " given waiting for " + c.tests().stream().filter(Result::waits)
                        .map(Result::needs).max(Comparator.naturalOrder()).orElseThrow() + " and before");
            }
            if (c.tests().size() - waiting > c.total()) {
                notes.add((c.tests().size() - waiting - c.total()) + " skipped");
            }
            out.append(String.format("  %-4s  %-" + titleWidth + "s  %7s  %3d pts  %s%s%n", c.tag(),
                    fit(c.title(), titleWidth), c.passed() + "/" + c.total(), c.points(), c.done() ? "done" : "to do",
                    notes.isEmpty() ? "" : " (" + String.join(", ", notes) + ")"));
        }
        if (chapters.size() > 1) {
            out.append(String.format("  %-" + (titleWidth + 6) + "s  %7s  %3d pts%n", "total",
                    chapters.stream().mapToInt(Chapter::passed).sum() + "/"
                            + chapters.stream().mapToInt(Chapter::total).sum(),
                    chapters.stream().mapToInt(Chapter::points).sum()));
        }
        if (chapters.stream().anyMatch(c -> c.givenCount() > 0)) {
            out.append("  (given: a test of code the chapter hands out; it passes without yours and earns no points)\n");
        }
        return out.append('\n').append(next(chapters)).toString();
    }

    /** hint.txt and scoreboard.txt of these results, as {@link #write} writes them (for the tooling's tests). */
    static String[] render(List<Result> results) {
        List<Chapter> chapters = chapters(results, titles(repoRoot()));
        return new String[] {next(chapters), scoreboard(chapters)};
    }

    /** The first failing test of the lowest unfinished chapter, with why and where to read; or well done. */
    private static String next(List<Chapter> chapters) {
        int total = chapters.stream().mapToInt(Chapter::total).sum();
        if (total == 0) {
            return "No tests ran.\n";
        }
        Chapter chapter = chapters.stream().filter(c -> !c.done()).findFirst().orElse(null);
        if (chapter == null) {
            String only = System.getProperty("gmp.only", "").strip();
            if (!only.isEmpty()) {
                return "Every test whose name contains '" + only + "' passes (" + total + "/" + total + ").\n"
                        + wrap("next", chapters.getFirst().rerun() + " runs the whole chapter");
            }
            String done = chapters.stream().map(c -> c.tag().equals(NO_CHAPTER) ? "tests without a chapter"
                    : "chapter " + c.tag().substring(2)).collect(Collectors.joining(", "));
            String after = afterLast(chapters);
            return done + " done: " + total + "/" + total + ".\n"
                    + wrap("next", after.isEmpty()
                    ? "that was the course's last chapter; ./gmp score checks every chapter at once"
                    : after + " (./gmp score shows every chapter.)");
        }
        Result test = chapter.tests().stream().filter(Result::failed).findFirst().orElseThrow();
        StringBuilder out = new StringBuilder("Next: " + chapter.tag() + "  " + chapter.title() + "\n");
        out.append(wrap("test", test.displayName()));
        out.append(wrap("", test.testId()));
        out.append(wrap("why", test.message()));
        if (test.hint() != null) {
            // A stub's message names the section to read for that TODO; the test's own hint then says
            // what the test is about, which is not where to start.
            String read = test.stub() ? "Write that TODO first. This test is about " : "Read ";
            out.append(wrap("hint", read + test.hint().doc() + "  ·  Go: " + test.hint().go()));
        }
        return out.append(wrap("run", chapter.rerun())).toString();
    }

    /** A labelled line, word-wrapped to the terminal width under its label. */
    private static String wrap(String label, String text) {
        String indent = " ".repeat(String.format(LABEL, "").length());
        StringBuilder out = new StringBuilder(String.format(LABEL, label));
        int column = out.length();
        boolean first = true;
        for (String word : text.split(" ")) {
            if (!first && column + 1 + word.length() > WIDTH) {
                out.append('\n').append(indent);
                column = indent.length();
                first = true;
            }
            if (!first) {
                out.append(' ');
                column++;
            }
            out.append(word);
            column += word.length();
            first = false;
        }
        return out.append('\n').toString();
    }

    private static String fit(String text, int width) {
        return text.length() <= width ? text : text.substring(0, width - 3) + "...";
    }

    // ---- the CI step summary ----------------------------------------------------------------------

    private static String markdown(List<Chapter> chapters, Path dir) {
        Path build = dir.toAbsolutePath().getParent();
        String module = build != null && build.getParent() != null ? build.getParent().getFileName().toString() : "";
        StringBuilder out = new StringBuilder("## GMP Workbook — scoreboard (" + module + ")\n\n");
        for (Chapter c : chapters) {
            // A finished chapter folds away; the ones still to do stay open.
            out.append(c.done() ? "<details>" : "<details open>").append("<summary><b>").append(c.tag())
                    .append("</b> ").append(md(c.title())).append(": ").append(c.passed()).append('/')
                    .append(c.total()).append(", ").append(c.points()).append(" pts, ")
                    .append(c.done() ? "done" : "to do").append("</summary>\n\n")
                    .append("| test | result | message |\n|---|---|---|\n");
            for (Result r : c.tests()) {
                out.append("| ").append(md(r.displayName())).append("<br>`").append(r.testId().replace("|", "\\|")).append("` | ")
                        .append(r.status() == Status.PASSED ? "✅ " : r.failed() ? "❌ " : "➖ ")
                        .append(r.failed() ? r.jsonStatus() : r.status().word())
                        .append(r.given() ? " (given)" : "").append(" | ")
                        .append(md(r.message())).append(" |\n");
            }
            out.append("\n</details>\n\n");
        }
        return out.append("```\n").append(next(chapters)).append("```\n\n").toString();
    }

    private static String md(String text) {
        return text.replace("|", "\\|").replace("<", "&lt;");
    }
}
