package gmp.tools.generator;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * Derives the learner's workbook ({@code chapters/src/main/java}) from the reference solution
 * ({@code solutions/src/main/java}).
 *
 * <p>The reference is the single source of truth: the code a learner must write sits in it between
 * {@code // BEGIN SOLUTION chNN #anchor} and {@code // END SOLUTION} markers (see {@link MarkerRewriter}
 * for the full grammar). Given a start chapter N, chapters before N keep their solution and chapters
 * from N on become a TODO and a stub. Everything else is copied byte for byte: files without markers,
 * and files that are not Java.
 *
 * <p>Generation is done in memory first ({@link #generate}), into a map from relative path to bytes;
 * only when every file of the tree is free of marker problems is anything written, so a bad marker
 * never leaves a half-generated workbook behind. Writing ({@link #write}) makes the output directory
 * mirror the map exactly: it writes what is missing or different, leaves identical files untouched
 * (their timestamps too, which keeps incremental builds incremental) and deletes stale files and the
 * directories they leave empty. {@code --check} computes the same difference ({@link Drift}) and writes
 * nothing; the build uses it to fail when the committed workbook drifts from the reference.
 *
 * <p>The tool has no dependencies, so that {@code ./gmp} can run it straight from source
 * ({@code java tools/src/main/java/gmp/tools/generator/WorkbookGenerator.java}); the ladder check
 * ({@code gmp.tools.ladder.LadderCheck}) calls {@link #generate} and {@link #write} directly.
 *
 * <p>Git keeps no empty directories, so a missing source root is read as an empty tree (an early clone
 * has nothing in solutions yet, and then the workbook must be empty too). Writing from a missing root
 * is refused, though: it would wipe the workbook of a repository that simply has no solutions.
 */
public final class WorkbookGenerator {
    public static final String SOLUTIONS = "solutions/src/main/java";
    public static final String WORKBOOK = "chapters/src/main/java";
    public static final String CHAPTER_TABLE = "docs/chapters.tsv";
    private static final String USAGE = """
            usage: WorkbookGenerator [--repo DIR] [--start N] [--out DIR] [--challenge] [--hints FILE] [--check]
              --repo DIR     the repository root (default: .)
              --start N      chapters before N are solved, N onwards are to do (default: 1)
              --out DIR      where the workbook goes (default: <repo>/chapters/src/main/java)
              --challenge    each TODO keeps only its first sentence (what to write, not how)
              --hints FILE   also write every TODO still to do in full there (for ./gmp hint --more)
              --check        write nothing; exit 1 if the workbook differs from what would be written""";

    private WorkbookGenerator() {
    }

    /** A generated tree: bytes by path relative to its root, the chapters that have markers, the TODOs. */
    public record Workbook(SortedMap<Path, byte[]> files, SortedSet<Integer> markedChapters, List<Todo> todos) { }

    /**
     * A block still to do, its TODO in full (in challenge mode the workbook shows only its first
     * sentence): {@code file} relative to the tree's root, {@code link} the doc section, {@code method}
     * the enclosing method, or {@code -}.
     */
    public record Todo(String file, int chapter, String link, String method, List<String> lines) {
        /** The header line of this TODO in the hints file. */
        String header() {
            return HINT_HEADER + ChapterTable.tag(chapter) + " " + method + " " + link + " " + file;
        }
    }

    /** Heads each TODO in the hints file: {@code == chNN method doc#anchor path}, its lines follow. */
    public static final String HINT_HEADER = "== ";

    /**
     * The hints file ({@code --hints}): every TODO still to do, in full, for {@code ./gmp hint --more}
     * ({@code tools/src/main/java/gmp/tools/hints/MoreHint.java} reads it).
     */
    public static String hints(List<Todo> todos) {
        StringBuilder out = new StringBuilder("# The full text of every TODO still to do, read by ./gmp hint --more.\n"
                + "# Written by the workbook generator; a header is: == chapter method doc#anchor file\n");
        for (Todo t : todos) {
            out.append('\n').append(t.header()).append('\n');
            t.lines().forEach(line -> out.append(line).append('\n'));
        }
        return out.toString();
    }

    /** How a directory differs from a generated tree; paths are relative to both roots. */
    public record Drift(List<Path> missing, List<Path> extra, List<Path> different) {
        public static Drift between(Map<Path, byte[]> files, Path dir) throws IOException {
            List<Path> missing = new ArrayList<>();
            List<Path> different = new ArrayList<>();
            for (Map.Entry<Path, byte[]> e : files.entrySet()) {
                Path target = dir.resolve(e.getKey());
                if (!Files.isRegularFile(target)) {
                    missing.add(e.getKey());
                } else if (!Arrays.equals(Files.readAllBytes(target), e.getValue())) {
                    different.add(e.getKey());
                }
            }
            List<Path> extra = regularFiles(dir).stream().filter(p -> !files.containsKey(p)).toList();
            return new Drift(missing, extra, different);
        }

        public boolean inSync() {
            return missing.isEmpty() && extra.isEmpty() && different.isEmpty();
        }

        /** One line per file, e.g. {@code different: gmp/runtime/Proc.java}. */
        public List<String> describe() {
            List<String> lines = new ArrayList<>();
            different.forEach(p -> lines.add("different: " + p));
            missing.forEach(p -> lines.add("missing:   " + p));
            extra.forEach(p -> lines.add("extra:     " + p));
            return lines;
        }
    }

    /**
     * Generates the workbook for start chapter {@code start} from the tree at {@code sourceRoot}.
     *
     * @throws WorkbookException listing every marker problem of every file, as {@code path:line: message}
     *     with the path relative to {@code sourceRoot}
     */
    public static Workbook generate(Path sourceRoot, ChapterTable chapters, int start)
            throws WorkbookException, IOException {
        return generate(sourceRoot, chapters, start, false);
    }

    /** As above; {@code challenge} keeps only the first sentence of each TODO (the code is the same). */
    public static Workbook generate(Path sourceRoot, ChapterTable chapters, int start, boolean challenge)
            throws WorkbookException, IOException {
        List<Todo> todos = new ArrayList<>();
        SortedMap<Path, byte[]> files = new TreeMap<>();
        SortedSet<Integer> marked = new TreeSet<>();
        List<String> problems = new ArrayList<>();
        for (Path rel : regularFiles(sourceRoot)) {
            byte[] bytes = Files.readAllBytes(sourceRoot.resolve(rel));
            files.put(rel, bytes);
            if (rel.toString().endsWith(".java")) {
                String display = rel.toString().replace('\\', '/');
                String text = new String(bytes, StandardCharsets.UTF_8);
                MarkerRewriter.Result result = MarkerRewriter.rewrite(display, text, chapters, start, challenge,
                        problems);
                if (!result.chapters().isEmpty()) {
                    files.put(rel, result.text().getBytes(StandardCharsets.UTF_8));
                    marked.addAll(result.chapters());
                }
                result.todos().forEach(t -> todos.add(new Todo(display, t.chapter(), t.link(), t.method(), t.lines())));
            }
        }
        if (!problems.isEmpty()) {
            throw new WorkbookException(problems);
        }
        return new Workbook(files, marked, List.copyOf(todos));
    }

    /** Makes {@code dir} mirror {@code files} exactly, and returns what it had to change. */
    public static Drift write(Map<Path, byte[]> files, Path dir) throws IOException {
        Drift drift = Drift.between(files, dir);
        for (Path rel : drift.extra()) {
            Files.delete(dir.resolve(rel));
        }
        List<Path> toWrite = new ArrayList<>(drift.missing());
        toWrite.addAll(drift.different());
        for (Path rel : toWrite) {
            Path target = dir.resolve(rel);
            Files.createDirectories(target.getParent());
            Files.write(target, files.get(rel));
        }
        Files.createDirectories(dir);
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path d : walk.filter(Files::isDirectory).sorted(Comparator.reverseOrder()).toList()) {
                if (!d.equals(dir) && isEmptyDirectory(d)) {
                    Files.delete(d);
                }
            }
        }
        return drift;
    }

    public static void main(String[] args) throws IOException {
        System.exit(run(args, System.out, System.err));
    }

    /** The command line; returns the exit status (0 done or in sync, 1 problems or drift, 2 usage). */
    static int run(String[] args, PrintStream out, PrintStream err) throws IOException {
        Path repo = Path.of(".");
        Path outDir = null;
        Path hints = null;
        int start = 1;
        boolean check = false;
        boolean challenge = false;
        try {
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "--repo" -> repo = Path.of(args[++i]);
                    case "--out" -> outDir = Path.of(args[++i]);
                    case "--start" -> start = Integer.parseInt(args[++i]);
                    case "--check" -> check = true;
                    case "--challenge" -> challenge = true;
                    case "--hints" -> hints = Path.of(args[++i]);
                    default -> throw new IllegalArgumentException(args[i]);
                }
            }
            if (start < 1) {
                throw new IllegalArgumentException("--start " + start);
            }
        } catch (IllegalArgumentException | IndexOutOfBoundsException e) {
            err.println(USAGE);
            return 2;
        }
        Path sourceRoot = repo.resolve(SOLUTIONS);
        Path target = outDir != null ? outDir : repo.resolve(WORKBOOK);
        String what = display(repo, target) + " (" + (start == 1 ? "every chapter to do" : "chapters before "
                + ChapterTable.tag(start) + " solved") + (challenge ? ", challenge mode" : "") + ")";
        if (!check && !Files.isDirectory(sourceRoot)) {
            err.println("no " + SOLUTIONS + " under " + repo.toAbsolutePath().normalize()
                    + ": nothing to generate from, and the workbook is left alone");
            return 1;
        }
        try {
            Workbook workbook = generate(sourceRoot, ChapterTable.read(repo.resolve(CHAPTER_TABLE)), start, challenge);
            if (check) {
                Drift drift = Drift.between(workbook.files(), target);
                if (drift.inSync()) {
                    out.println(what + " is in sync with " + SOLUTIONS);
                    return 0;
                }
                err.println(what + " differs from what the generator writes from " + SOLUTIONS + ":");
                drift.describe().forEach(line -> err.println("  " + line));
                err.println("run ./gmp regen");
                return 1;
            }
            Drift drift = write(workbook.files(), target);
            if (hints != null) {
                Files.createDirectories(hints.toAbsolutePath().getParent());
                Files.writeString(hints, hints(workbook.todos()), StandardCharsets.UTF_8);
            }
            int changed = drift.missing().size() + drift.different().size();
            out.printf("generated %s: %d written, %d removed, %d unchanged%n", what, changed,
                    drift.extra().size(), workbook.files().size() - changed);
            return 0;
        } catch (WorkbookException e) {
            e.problems().forEach(err::println);
            err.println("nothing written: fix the problems above and run again");
            return 1;
        }
    }

    /** Regular files under {@code root}, relative to it and sorted; none when root does not exist. */
    private static List<Path> regularFiles(Path root) throws IOException {
        if (!Files.isDirectory(root)) {
            return List.of();
        }
        try (Stream<Path> walk = Files.walk(root)) {
            return walk.filter(Files::isRegularFile).map(root::relativize).sorted().toList();
        }
    }

    private static boolean isEmptyDirectory(Path dir) throws IOException {
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.findAny().isEmpty();
        }
    }

    private static String display(Path repo, Path path) {
        Path root = repo.toAbsolutePath().normalize();
        Path abs = path.toAbsolutePath().normalize();
        return abs.startsWith(root) ? root.relativize(abs).toString() : abs.toString();
    }
}
