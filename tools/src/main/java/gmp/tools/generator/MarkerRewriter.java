package gmp.tools.generator;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Rewrites the markers of one Java source file for a start chapter. A block
 *
 * <pre>
 *     // BEGIN SOLUTION ch01 #schedinit
 *     // TODO: choose the number of Ps and call procresize.
 *     ...solution lines...
 *     // END SOLUTION
 *     // STUB: return null;
 * </pre>
 *
 * keeps only its solution lines when its chapter is solved (before the start chapter), and becomes
 * the learner's TODO, a pointer to the doc section and the stub when it is still to do. Without STUB
 * lines the stub is a throw of {@code gmp.runtime.NotImplementedYet} naming the chapter, the enclosing
 * method and the doc anchor. Every line keeps its own line ending; generated lines take the BEGIN
 * line's, so a file's line-ending style survives.
 *
 * <p>The TODO tells the learner what to write, so every block opens with one. It may go on over
 * several {@code // TODO:} lines, or over comment lines indented under its text
 * ({@code //       and then...}); a plain {@code // comment} after it belongs to the solution.
 *
 * <p>The file is read line by line with a small state machine: outside a block, in a block before
 * its first solution line (where TODO lines belong), in a block's body, and just after a block (where
 * STUB lines belong). A closed block is emitted only when the first line that is not a STUB arrives,
 * because its STUB lines come after it. Problems are collected, not thrown, so that one run of the
 * generator reports every misplaced marker of every file.
 */
final class MarkerRewriter {
    private static final Pattern BEGIN = Pattern.compile("^(\\s*)//\\s*BEGIN SOLUTION\\b(.*)$");
    private static final Pattern END = Pattern.compile("^\\s*//\\s*END SOLUTION\\s*$");
    private static final Pattern TODO = Pattern.compile("^\\s*//\\s*TODO: ?(.*)$");
    private static final Pattern TODO_MORE = Pattern.compile("^\\s*// {2,}(\\S.*)$");
    private static final Pattern STUB = Pattern.compile("^(\\s*)//\\s*STUB: ?(.*)$");
    private static final Pattern CHAPTER = Pattern.compile("ch(\\d\\d)");
    private static final Pattern SENTENCE_END = Pattern.compile("(?<!\\.|\\b(?:e\\.g|i\\.e|etc|vs))\\.(?=\\s|$)");

    /** What one file became: its text, the chapters its markers belong to (empty: no markers), its TODOs. */
    record Result(String text, Set<Integer> chapters, List<Todo> todos) { }

    /**
     * A block still to do, with its TODO in full: what {@code ./gmp hint --more} shows. {@code method}
     * is the enclosing method or constructor, or {@code -} when the block sits outside one.
     */
    record Todo(int chapter, String link, String method, List<String> lines) { }

    private enum State { OUTSIDE, TODO_LINES, BODY, AFTER_BLOCK }

    /** An open or just closed block: where it started, what it says, and its lines so far. */
    private static final class Block {
        final int beginLine;
        final int beginOffset;
        final String indent;
        final String eol;
        int chapter;
        String anchor = "";
        final List<String> todo = new ArrayList<>();
        final StringBuilder solution = new StringBuilder();
        final StringBuilder stub = new StringBuilder();

        Block(int beginLine, int beginOffset, String indent, String eol) {
            this.beginLine = beginLine;
            this.beginOffset = beginOffset;
            this.indent = indent;
            this.eol = eol;
        }
    }

    private final String path;
    private final String source;
    private final ChapterTable chapters;
    private final int start;
    private final List<String> problems;
    private final boolean challenge;
    private final List<Todo> todos = new ArrayList<>();
    private final StringBuilder out = new StringBuilder();
    private final Set<Integer> seen = new TreeSet<>();
    private EnclosingMethod methods;
    private State state = State.OUTSIDE;
    private Block block;

    private MarkerRewriter(String path, String source, ChapterTable chapters, int start, boolean challenge,
                           List<String> problems) {
        this.path = path;
        this.source = source;
        this.chapters = chapters;
        this.start = start;
        this.challenge = challenge;
        this.problems = problems;
    }

    /**
     * Rewrites {@code source} (displayed in problems as {@code path}) for start chapter {@code start}.
     * Problems are appended to {@code problems} as {@code path:line: message}; the text returned is
     * meaningless when any were added.
     */
    static Result rewrite(String path, String source, ChapterTable chapters, int start, List<String> problems) {
        return rewrite(path, source, chapters, start, false, problems);
    }

    /**
     * As above; in {@code challenge} mode a TODO keeps only its first sentence (what to write, not how),
     * and the code it produces is the same.
     */
    static Result rewrite(String path, String source, ChapterTable chapters, int start, boolean challenge,
                          List<String> problems) {
        MarkerRewriter rewriter = new MarkerRewriter(path, source, chapters, start, challenge, problems);
        rewriter.run();
        return new Result(rewriter.out.toString(), rewriter.seen, List.copyOf(rewriter.todos));
    }

    /**
     * The TODO's lines up to the end of its first sentence: a period followed by a space or the end
     * of the text, except in a range ("h .. h+n") or after an abbreviation such as "e.g.". The whole
     * TODO when it has no such period.
     */
    static List<String> firstSentence(List<String> todo) {
        List<String> kept = new ArrayList<>();
        for (String line : todo) {
            Matcher end = SENTENCE_END.matcher(line);
            if (end.find()) {
                kept.add(line.substring(0, end.start() + 1));
                return kept;
            }
            kept.add(line);
        }
        return kept;
    }

    private void run() {
        int lineNo = 0;
        int offset = 0;
        while (offset < source.length()) {
            int end = offset;
            while (end < source.length() && source.charAt(end) != '\n' && source.charAt(end) != '\r') {
                end++;
            }
            int next = source.startsWith("\r\n", end) ? end + 2 : Math.min(end + 1, source.length());
            line(++lineNo, offset, source.substring(offset, end), source.substring(end, next));
            offset = next;
        }
        if (state == State.AFTER_BLOCK) {
            emit(block);
        } else if (state != State.OUTSIDE) {
            problem(block.beginLine, "BEGIN SOLUTION without END SOLUTION (reached the end of the file)");
        }
    }

    private void line(int lineNo, int offset, String text, String eol) {
        Matcher m;
        if ((m = STUB.matcher(text)).matches()) {
            if (state == State.AFTER_BLOCK) {
                block.stub.append(m.group(2).isEmpty() ? "" : m.group(1) + m.group(2)).append(eol);
            } else {
                problem(lineNo, "STUB must come right after END SOLUTION (or after another STUB line)");
            }
            return;
        }
        if (state == State.AFTER_BLOCK) {
            emit(block);
            state = State.OUTSIDE;
        }
        if ((m = BEGIN.matcher(text)).matches()) {
            if (state != State.OUTSIDE) {
                problem(lineNo, "BEGIN SOLUTION inside the block opened at line " + block.beginLine
                        + " (markers never nest)");
                return;
            }
            block = new Block(lineNo, offset, m.group(1), eol);
            parseTag(block, m.group(2).strip());
            state = State.TODO_LINES;
        } else if (END.matcher(text).matches()) {
            if (state == State.OUTSIDE) {
                problem(lineNo, "END SOLUTION without BEGIN SOLUTION");
                out.append(text).append(eol);
                return;
            }
            if (block.todo.stream().allMatch(String::isBlank)) {
                problem(block.beginLine, "missing TODO: start the block with '// TODO: <what the learner must write>'");
            }
            state = State.AFTER_BLOCK;
        } else if (state == State.TODO_LINES && (m = TODO.matcher(text)).matches()) {
            block.todo.add(m.group(1).stripTrailing());
        } else if (state == State.TODO_LINES && !block.todo.isEmpty() && (m = TODO_MORE.matcher(text)).matches()) {
            block.todo.add(m.group(1).stripTrailing());
        } else if (state != State.OUTSIDE) {
            block.solution.append(text).append(eol);
            state = State.BODY;
        } else {
            out.append(text).append(eol);
        }
    }

    /** Reads {@code chNN #anchor} from the BEGIN line. */
    private void parseTag(Block b, String tag) {
        String[] words = tag.isEmpty() ? new String[0] : tag.split("\\s+");
        String first = words.length > 0 ? words[0] : "";
        Matcher chapter = CHAPTER.matcher(first);
        if (chapter.matches() && chapters.get(Integer.parseInt(chapter.group(1))).isPresent()) {
            b.chapter = Integer.parseInt(chapter.group(1));
            seen.add(b.chapter);
        } else {
            problem(b.beginLine, "unknown chapter '" + first
                    + "': write '// BEGIN SOLUTION chNN #anchor' with a chapter listed in docs/chapters.tsv");
        }
        if (words.length < 2 || !words[1].startsWith("#") || words[1].length() == 1) {
            problem(b.beginLine, "missing anchor: write '// BEGIN SOLUTION chNN #anchor' with a heading anchor"
                    + " of the chapter's doc");
        } else if (words.length > 2) {
            problem(b.beginLine, "unexpected text after the anchor: '" + words[2] + "'");
        } else {
            b.anchor = words[1].substring(1);
        }
    }

    private void emit(Block b) {
        if (b.chapter < start) {
            out.append(b.solution);
            return;
        }
        ChapterTable.Chapter chapter = chapters.get(b.chapter).orElseThrow();
        String link = chapter.doc() + "#" + b.anchor;
        String first = "// TODO(" + chapter.tag() + "): ";
        String more = "//" + " ".repeat(first.length() - 2);
        List<String> todo = challenge ? firstSentence(b.todo) : b.todo;
        for (int i = 0; i < todo.size(); i++) {
            out.append(b.indent).append(i == 0 ? first : more).append(todo.get(i)).append(b.eol);
        }
        out.append(b.indent).append(more).append("Read ").append(link).append(b.eol);
        if (methods == null) {
            methods = new EnclosingMethod(source);
        }
        String method = methods.nameAt(b.beginOffset);
        todos.add(new Todo(b.chapter, link, method == null ? "-" : method, List.copyOf(b.todo)));
        if (!b.stub.isEmpty()) {
            out.append(b.stub);
            return;
        }
        if (method == null) {
            problem(b.beginLine, "no enclosing method or constructor found for the default stub: add '// STUB:' lines");
            return;
        }
        out.append(b.indent).append("throw new gmp.runtime.NotImplementedYet(\"").append(chapter.tag())
                .append("\", \"").append(method).append("\", \"").append(link).append("\");").append(b.eol);
    }

    private void problem(int line, String message) {
        problems.add(path + ":" + line + ": " + message);
    }
}
