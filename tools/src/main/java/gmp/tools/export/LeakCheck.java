package gmp.tools.export;

import gmp.tools.generator.WorkbookGenerator;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Looks for the answer key in an export: the solution lines of every block of a chapter from
 * {@code first} on (the text between its TODO and {@code END SOLUTION}), in every file of the export
 * and in every object of its git repository. Lines are compared stripped and without blank lines, so a
 * block re-indented or re-wrapped with blank lines is still found.
 */
final class LeakCheck {
    private static final Pattern BEGIN = Pattern.compile("^\\s*//\\s*BEGIN SOLUTION ch(\\d\\d)\\s+(#\\S+)");
    private static final Pattern END = Pattern.compile("^\\s*//\\s*END SOLUTION\\s*$");
    private static final Pattern TODO = Pattern.compile("^\\s*//\\s*TODO:");
    private static final Pattern TODO_MORE = Pattern.compile("^\\s*// {2,}\\S");

    /** One solution block: where it is, and its lines (stripped, no blank ones) joined by newlines. */
    record Block(String where, String text) { }

    private LeakCheck() {
    }

    /** Where each block of a chapter from {@code first} on occurs in {@code export}; empty when none. */
    static List<String> find(Path repo, Path export, int first) throws IOException,
            InterruptedException {
        List<Block> blocks = blocks(repo.resolve(WorkbookGenerator.SOLUTIONS), first);
        List<String> hits = new ArrayList<>();
        try (Stream<Path> walk = Files.walk(export)) {
            for (Path file : walk.filter(Files::isRegularFile).toList()) {
                String rel = export.relativize(file).toString();
                if (!rel.startsWith(".git/")) {
                    search(normalize(new String(Files.readAllBytes(file), StandardCharsets.UTF_8)), rel, blocks, hits);
                }
            }
        }
        Process git = new ProcessBuilder("git", "-C", export.toString(), "cat-file", "--batch-all-objects", "--batch")
                .redirectErrorStream(true).start();
        String objects = new String(git.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (git.waitFor() != 0) {
            hits.add("cannot read the export's git objects: " + objects.strip());
        }
        search(normalize(objects), "the git history (.git)", blocks, hits);
        return hits;
    }

    /** The solution blocks of the chapters from {@code first} on, under {@code root}. */
    static List<Block> blocks(Path root, int first) throws IOException {
        List<Block> blocks = new ArrayList<>();
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path file : walk.filter(p -> p.toString().endsWith(".java")).sorted().toList()) {
                List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
                for (int i = 0; i < lines.size(); i++) {
                    Matcher begin = BEGIN.matcher(lines.get(i));
                    if (!begin.find() || Integer.parseInt(begin.group(1)) < first) {
                        continue;
                    }
                    int at = i + 1;
                    while (at < lines.size() && (TODO.matcher(lines.get(at)).find()
                            || at > i + 1 && TODO_MORE.matcher(lines.get(at)).find())) {
                        at++;
                    }
                    StringBuilder text = new StringBuilder();
                    for (; at < lines.size() && !END.matcher(lines.get(at)).find(); at++) {
                        text.append(lines.get(at)).append('\n');
                    }
                    blocks.add(new Block("ch" + begin.group(1) + " " + begin.group(2) + " ("
                            + root.relativize(file) + ":" + (i + 1) + ")", normalize(text.toString())));
                }
            }
        }
        return blocks;
    }

    /** Lines stripped, blank ones dropped, joined by newlines (with one at each end, to match whole lines). */
    static String normalize(String text) {
        StringBuilder out = new StringBuilder("\n");
        text.lines().map(String::strip).filter(l -> !l.isEmpty()).forEach(l -> out.append(l).append('\n'));
        return out.toString();
    }

    private static void search(String haystack, String where, List<Block> blocks, List<String> hits) {
        for (Block b : blocks) {
            if (b.text().length() > 1 && haystack.contains(b.text())) {
                hits.add(b.where() + " is in " + where);
            }
        }
    }
}
