package gmp.tools.export;

import gmp.tools.generator.ChapterTable;
import gmp.tools.generator.WorkbookException;
import gmp.tools.generator.WorkbookGenerator;
import gmp.tools.ladder.LadderCheck;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Writes an assignment repository: {@code ./gmp export NN[-MM] DIR [--challenge] [--later=omit|stub]}.
 *
 * <p>The export is the workbook for start chapter NN (chapters before NN solved, NN onwards stubbed,
 * in challenge mode if asked), the tests of the chapters up to MM (and of the later ones with
 * {@code --later=stub}), their docs in both languages, the command line, the Maven wrapper, and the
 * modules the workbook's build needs: {@code chapters} and whatever it refers to, found from the POMs
 * (never {@code solutions}, which is the answer key). It adds a student README, the GitHub Classroom
 * workflow, the assignment's description and the checksums {@link Grade} verifies, and commits it all
 * as the first and only commit of a new git repository.
 *
 * <p>Before committing, the reference runtime is graded against the export's own build and tests (the
 * export's build with the reference as its workbook, as the ladder does): every test must pass, and
 * the count of points it earns is the assignment's maximum. After committing, {@link LeakCheck} makes
 * sure no solution block of an assigned or later chapter is in any file of the export, its git
 * objects included; the export is deleted if one is.
 */
public final class Export {
    /** The files of tools/ an assignment carries: what its ./gmp runs (grade, hint --more, watch). */
    static final List<String> CARRIED_TOOLS = List.of(
            "tools/src/main/java/gmp/tools/export/Grade.java",
            "tools/src/main/java/gmp/tools/hints/MoreHint.java",
            "tools/watch");
    static final String HINTS = "chapters/.hints/todo.txt";
    private static final String WORKBOOK_MODULE = "chapters";
    private static final String ANSWER_KEY_MODULE = "solutions";
    private static final Pattern MODULE = Pattern.compile("^\\s*<module>([^<]+)</module>\\s*$", Pattern.MULTILINE);
    private static final Pattern COMMENT = Pattern.compile("(?s)<!--.*?-->");
    private static final Pattern CHAPTER_DOC = Pattern.compile("docs/(en|zh)/(\\d\\d)-[^/]+\\.md");
    private static final String USAGE = """
            usage: ./gmp export NN[-MM] DIR [--challenge] [--later=omit|stub]
              NN[-MM]        the chapters to assign: those before NN come solved, NN to MM are to do
              DIR            where the assignment repository goes (new, or an empty directory)
              --challenge    terse TODOs (their first sentence); ./gmp hint --more shows the rest
              --later=omit   chapters after MM: their tests and docs are left out (the default)
              --later=stub   chapters after MM: kept as chapters to do, but not graded""";

    /** What to export. */
    record Options(int first, int last, Path dir, boolean challenge, boolean omitLater) { }

    private Export() {
    }

    public static void main(String[] args) throws IOException, InterruptedException {
        Path repo = Path.of(".");
        List<String> rest = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--repo") && i + 1 < args.length) {
                repo = Path.of(args[++i]);
            } else {
                rest.add(args[i]);
            }
        }
        Options options;
        try {
            options = options(rest);
        } catch (IllegalArgumentException e) {
            System.err.println("export: " + e.getMessage());
            System.err.println(USAGE);
            System.exit(64);
            return;
        }
        try {
            export(repo.toAbsolutePath().normalize(), options);
        } catch (ExportException e) {
            System.err.println("export: " + e.getMessage());
            System.exit(1);
        } catch (WorkbookException e) {
            e.problems().forEach(System.err::println);
            System.exit(1);
        }
    }

    static Options options(List<String> args) {
        String range = null;
        Path dir = null;
        boolean challenge = false;
        boolean omit = true;
        for (String a : args) {
            switch (a) {
                case "--challenge" -> challenge = true;
                case "--later=omit" -> omit = true;
                case "--later=stub" -> omit = false;
                default -> {
                    if (a.startsWith("-")) {
                        throw new IllegalArgumentException("unknown option " + a);
                    } else if (range == null) {
                        range = a;
                    } else if (dir == null) {
                        dir = Path.of(a);
                    } else {
                        throw new IllegalArgumentException("unexpected argument " + a);
                    }
                }
            }
        }
        if (range == null || dir == null) {
            throw new IllegalArgumentException("export needs the chapters and a directory, e.g. ./gmp export 03 ../x");
        }
        Matcher m = Pattern.compile("(?:ch)?(\\d{1,2})(?:-(?:ch)?(\\d{1,2}))?").matcher(range);
        if (!m.matches()) {
            throw new IllegalArgumentException("the chapters are NN or NN-MM, e.g. 03 or 03-04; got " + range);
        }
        int first = Integer.parseInt(m.group(1));
        int last = m.group(2) == null ? first : Integer.parseInt(m.group(2));
        if (first < 1 || last < first) {
            throw new IllegalArgumentException("no chapters in " + range);
        }
        return new Options(first, last, dir.toAbsolutePath().normalize(), challenge, omit);
    }

    /** Exports; returns the assignment written. */
    static Assignment export(Path repo, Options o) throws IOException, InterruptedException, WorkbookException {
        ChapterTable table = ChapterTable.read(repo.resolve(WorkbookGenerator.CHAPTER_TABLE));
        SortedSet<Integer> tested = LadderCheck.taggedChapters(repo.resolve("chapters/src/test/java"));
        for (int n : new int[] {o.first(), o.last()}) {
            if (table.get(n).isEmpty()) {
                throw new ExportException("there is no chapter " + ChapterTable.tag(n) + " in "
                        + WorkbookGenerator.CHAPTER_TABLE);
            }
        }
        SortedSet<Integer> assigned = new TreeSet<>(tested.subSet(o.first(), o.last() + 1));
        if (!tested.contains(o.first()) || !tested.contains(o.last())) {
            throw new ExportException("an assignment starts and ends with a chapter that has tests; these have: "
                    + tested.stream().map(ChapterTable::tag).collect(Collectors.joining(" ")));
        }
        SortedSet<Integer> kept = o.omitLater() ? new TreeSet<>(tested.headSet(o.last() + 1)) : tested;
        Assignment assignment = new Assignment(o.first(), o.last(), assigned, kept, o.challenge(),
                o.omitLater() ? "omit" : "stub", 0, table);
        if (Files.exists(o.dir())) {
            try (Stream<Path> entries = Files.list(o.dir())) {
                if (entries.findAny().isPresent()) {
                    throw new ExportException(o.dir() + " is not empty: export writes a new repository");
                }
            }
        }
        Path dir = o.dir();
        copyRepositoryFiles(repo, dir, assignment);
        WorkbookGenerator.Workbook workbook = WorkbookGenerator.generate(repo.resolve(WorkbookGenerator.SOLUTIONS),
                table, o.first(), o.challenge());
        WorkbookGenerator.write(workbook.files(), dir.resolve(WorkbookGenerator.WORKBOOK));
        write(dir.resolve(HINTS), WorkbookGenerator.hints(workbook.todos()));

        assignment = assignment.withMaxPoints(ReferenceRun.maxPoints(repo, dir, assignment));
        AssignmentFiles.write(dir, assignment);
        Grade.writeChecksums(dir);
        commit(dir, assignment);
        List<String> leaks = LeakCheck.find(repo, dir, o.first());
        if (!leaks.isEmpty()) {
            deleteTree(dir);
            throw new ExportException("solution code of an assigned or later chapter got into the export, which was"
                    + " deleted:\n  " + String.join("\n  ", leaks));
        }
        System.out.println("exported " + assignment.describe() + " to " + dir + ": " + assignment.maxPoints()
                + " points to earn; the reference earns them all");
        System.out.println("Next: push it to a new GitHub repository and make it the template of a GitHub Classroom"
                + " assignment (README.md, \"How it is graded\").");
        return assignment;
    }

    /**
     * Copies what the assignment keeps of the repository's files (git's tracked and unignored ones),
     * as they are in the working tree; the parent POM's module list is cut down to the modules kept.
     */
    private static void copyRepositoryFiles(Path repo, Path dir, Assignment a) throws IOException, InterruptedException {
        Map<String, String> modules = modules(repo);
        Set<String> needed = neededModules(repo, modules);
        for (String file : gitFiles(repo)) {
            Path source = repo.resolve(file);
            if (!Files.isRegularFile(source) || !keeps(file, modules.keySet(), needed, a, source)) {
                continue;
            }
            Path target = dir.resolve(file);
            Files.createDirectories(target.getParent());
            if (file.equals("pom.xml")) {
                Files.writeString(target, parentPom(Files.readString(source), needed), StandardCharsets.UTF_8);
            } else {
                Files.copy(source, target, StandardCopyOption.COPY_ATTRIBUTES);
            }
        }
    }

    private static boolean keeps(String file, Set<String> modules, Set<String> needed, Assignment a, Path source)
            throws IOException {
        if (CARRIED_TOOLS.contains(file)) {
            return true;
        }
        if (file.startsWith(WorkbookGenerator.WORKBOOK + "/") || file.startsWith("chapters/.hints/")) {
            return false; // generated for the assignment
        }
        int slash = file.indexOf('/');
        if (slash < 0) {
            return !file.startsWith("README");
        }
        String top = file.substring(0, slash);
        if (modules.contains(top)) {
            if (!needed.contains(top)) {
                return false;
            }
            if (file.startsWith("chapters/src/test/") && file.endsWith(".java")) {
                SortedSet<Integer> tags = LadderCheck.chapterTags(Files.readString(source));
                return tags.isEmpty() || tags.stream().anyMatch(a.keptChapters()::contains);
            }
            return true;
        }
        if (top.equals("docs")) {
            Matcher doc = CHAPTER_DOC.matcher(file);
            if (doc.matches()) {
                return a.keptChapters().contains(Integer.parseInt(doc.group(2)));
            }
            return file.equals(WorkbookGenerator.CHAPTER_TABLE) || !file.matches("docs/(en|zh)/[^/]+\\.md");
        }
        return top.equals(".mvn");
    }

    /** The parent POM's modules: directory -> artifactId. */
    static Map<String, String> modules(Path repo) throws IOException {
        Map<String, String> modules = new LinkedHashMap<>();
        Matcher m = MODULE.matcher(Files.readString(repo.resolve("pom.xml")));
        while (m.find()) {
            String dir = m.group(1).strip();
            String pom = Files.readString(repo.resolve(dir).resolve("pom.xml"));
            String own = pom.replaceFirst("(?s)<parent>.*?</parent>", "");
            Matcher id = Pattern.compile("<artifactId>([^<]+)</artifactId>").matcher(own);
            modules.put(dir, id.find() ? id.group(1).strip() : dir);
        }
        return modules;
    }

    /**
     * The modules the workbook's build needs: chapters, and every module that a needed module's POM
     * (or the parent POM outside its module list) refers to, by artifactId or by a path into its
     * directory. The answer key is never one of them.
     */
    static Set<String> neededModules(Path repo, Map<String, String> modules) throws IOException {
        Set<String> needed = new TreeSet<>(List.of(WORKBOOK_MODULE));
        String parent = MODULE.matcher(Files.readString(repo.resolve("pom.xml"))).replaceAll("");
        List<String> todo = new ArrayList<>(List.of(WORKBOOK_MODULE));
        List<String> texts = new ArrayList<>(List.of(parent));
        while (!todo.isEmpty() || !texts.isEmpty()) {
            if (!todo.isEmpty()) {
                texts.add(Files.readString(repo.resolve(todo.removeFirst()).resolve("pom.xml")));
            }
            String text = COMMENT.matcher(texts.removeFirst()).replaceAll("");
            for (Map.Entry<String, String> e : modules.entrySet()) {
                String dir = e.getKey();
                boolean refers = text.contains("<artifactId>" + e.getValue() + "</artifactId>")
                        || Pattern.compile("[/}.]" + Pattern.quote(dir) + "/").matcher(text).find();
                if (refers && needed.add(dir)) {
                    todo.add(dir);
                }
            }
        }
        needed.retainAll(modules.keySet());
        if (needed.contains(ANSWER_KEY_MODULE)) {
            throw new ExportException("the workbook's build refers to the " + ANSWER_KEY_MODULE + " module:"
                    + " an assignment cannot carry the answer key");
        }
        return needed;
    }

    /** The parent POM with only the kept modules in its module list. */
    static String parentPom(String pom, Set<String> kept) {
        return MODULE.matcher(pom).results().reduce(pom, (text, m) -> kept.contains(m.group(1).strip()) ? text
                : text.replace(m.group() + "\n", ""), (x, y) -> y);
    }

    /** git's tracked files and the untracked ones it does not ignore, relative to the root. */
    private static List<String> gitFiles(Path repo) throws IOException, InterruptedException {
        Process git = new ProcessBuilder("git", "-C", repo.toString(), "ls-files", "-z", "--cached", "--others",
                "--exclude-standard").redirectErrorStream(false).start();
        String out = new String(git.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(git.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        if (git.waitFor() != 0) {
            throw new ExportException("export reads the repository's files from git, which said: " + err.strip());
        }
        return Stream.of(out.split("\0")).filter(s -> !s.isEmpty()).distinct().sorted().toList();
    }

    private static void commit(Path dir, Assignment a) throws IOException, InterruptedException {
        run(dir, "git", "init", "-q", "-b", "main");
        run(dir, "git", "add", "-A", "--force");
        run(dir, "git", "-c", "user.name=GMP Workbook", "-c", "user.email=gmp-workbook@users.noreply.github.com",
                "-c", "commit.gpgsign=false", "commit", "-q", "-m", "Assignment: " + a.describe() + " of GMP Workbook");
    }

    static void run(Path dir, String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new ExportException(String.join(" ", command) + " failed:\n" + out);
        }
    }

    static void write(Path file, String text) throws IOException {
        Files.createDirectories(file.getParent());
        Files.writeString(file, text, StandardCharsets.UTF_8);
    }

    static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    /** What was assigned; {@code keptChapters} are the chapters whose tests and docs the export has. */
    record Assignment(int first, int last, SortedSet<Integer> assigned, SortedSet<Integer> keptChapters,
                      boolean challenge, String later, int maxPoints, ChapterTable table) {
        Assignment withMaxPoints(int points) {
            return new Assignment(first, last, assigned, keptChapters, challenge, later, points, table);
        }

        /** The chapters whose tests grading runs: the kept ones up to the last assigned. */
        SortedSet<Integer> graded() {
            return new TreeSet<>(keptChapters.headSet(last + 1));
        }

        String describe() {
            return (first == last ? "chapter " + ChapterTable.tag(first)
                    : "chapters " + ChapterTable.tag(first) + "-" + ChapterTable.tag(last))
                    + (challenge ? " (challenge mode)" : "");
        }

        Map<Integer, String> titles() {
            Map<Integer, String> titles = new TreeMap<>();
            assigned.forEach(n -> titles.put(n, table.get(n).orElseThrow().title()));
            return titles;
        }
    }

    /** A reason not to export, said to the instructor as it is. */
    static final class ExportException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        ExportException(String message) {
            super(message);
        }
    }
}
