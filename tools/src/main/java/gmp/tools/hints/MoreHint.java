package gmp.tools.hints;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The second level of {@code ./gmp hint}: the full TODO of the method the first failing test points
 * at (in challenge mode the workbook shows only its first sentence).
 *
 * <p>The failing test is the one {@code hint.txt} names (the scoreboard's choice, whatever its order),
 * looked up in {@code results.json} for its message and its {@code @Hint}. A stub's message names the
 * method and the doc section ("TODO(ch03): globrunqget is not written yet. Read docs/...#globrunqget");
 * a failed assertion points at the doc section of its hint. The TODOs come from the hints file the
 * workbook generator writes ({@code chapters/.hints/todo.txt}): a {@code == chNN method doc#anchor file}
 * header, then the TODO's lines.
 *
 * <p>No dependencies and no other class, so that an assignment repository (which has no tools module)
 * runs it straight from source.
 */
public final class MoreHint {
    private static final Pattern STUB = Pattern.compile("TODO\\((ch\\d\\d)\\): (\\S+) is not written yet\\. Read (\\S+)");
    private static final String USAGE = "usage: MoreHint --results DIR --hints FILE";

    /** One TODO of the hints file. */
    record Todo(String chapter, String method, String link, String file, List<String> lines) { }

    /** What results.json says about one test. */
    record Test(String id, String chapter, String status, String message, String doc) { }

    private MoreHint() {
    }

    public static void main(String[] args) throws IOException {
        Path results = null;
        Path hints = null;
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--results" -> results = Path.of(args[i + 1]);
                case "--hints" -> hints = Path.of(args[i + 1]);
                default -> throw new IllegalArgumentException(USAGE);
            }
        }
        if (results == null || hints == null) {
            throw new IllegalArgumentException(USAGE);
        }
        System.out.print(more(Files.readString(results.resolve("hint.txt")),
                Files.readString(results.resolve("results.json")),
                Files.isRegularFile(hints) ? Files.readString(hints, StandardCharsets.UTF_8) : null, hints));
    }

    /** The text to print after the hint. */
    static String more(String hint, String resultsJson, String hintsFile, Path hintsPath) {
        List<Test> failed = tests(resultsJson).stream().filter(t -> !t.status().equals("pass")).toList();
        if (failed.isEmpty()) {
            return "";
        }
        Test test = failed.stream().filter(t -> hint.contains(t.id())).findFirst().orElse(failed.getFirst());
        if (hintsFile == null) {
            return "more: no " + hintsPath + " here (./gmp start NN writes it), so no TODO to show.\n";
        }
        List<Todo> todos = todos(hintsFile);
        List<Todo> shown = pick(test, todos);
        if (shown.isEmpty()) {
            return "more: " + test.id() + " points at no TODO still to do"
                    + (test.doc().isEmpty() ? "" : " (its hint: " + test.doc() + ")") + "; read its message above.\n";
        }
        StringBuilder out = new StringBuilder();
        for (Todo t : shown) {
            out.append("\nThe full TODO of ").append(t.method()).append(" (").append(t.chapter()).append(", ")
                    .append(t.file()).append("):\n");
            t.lines().forEach(line -> out.append("    ").append(line).append('\n'));
            out.append("    Read ").append(t.link()).append('\n');
        }
        return out.toString();
    }

    /**
     * The TODOs the test points at: a stub's own (method and section), else those of the section its
     * message or hint names, else those in the same doc within the test's chapter.
     */
    static List<Todo> pick(Test test, List<Todo> todos) {
        Matcher stub = STUB.matcher(test.message());
        if (stub.find()) {
            List<Todo> exact = todos.stream()
                    .filter(t -> t.method().equals(stub.group(2)) && t.link().equals(stub.group(3))).toList();
            return exact.isEmpty() ? todos.stream().filter(t -> t.link().equals(stub.group(3))).toList() : exact;
        }
        if (test.doc().isEmpty()) {
            return List.of();
        }
        List<Todo> section = todos.stream().filter(t -> t.link().equals(test.doc())).toList();
        if (!section.isEmpty()) {
            return section;
        }
        String doc = test.doc().replaceFirst("#.*", "");
        return todos.stream().filter(t -> t.chapter().equals(test.chapter()) && t.link().startsWith(doc + "#"))
                .toList();
    }

    /** The hints file's TODOs, in file order. */
    static List<Todo> todos(String text) {
        List<Todo> todos = new ArrayList<>();
        String[] header = null;
        List<String> lines = new ArrayList<>();
        for (String line : (text + "\n== end").lines().toList()) {
            if (line.startsWith("== ")) {
                if (header != null && header.length == 4) {
                    todos.add(new Todo(header[0], header[1], header[2], header[3], List.copyOf(lines)));
                }
                header = line.substring(3).strip().split(" ", 4);
                lines.clear();
            } else if (header != null && !line.isBlank()) {
                lines.add(line);
            }
        }
        return todos;
    }

    /** The tests of a results.json (Exercism's v3 plus the workbook's chapter and hint). */
    @SuppressWarnings("unchecked")
    static List<Test> tests(String json) {
        Object root = new Json(json).value();
        List<Test> tests = new ArrayList<>();
        if (root instanceof Map<?, ?> map && map.get("tests") instanceof List<?> list) {
            for (Object o : list) {
                Map<String, Object> t = (Map<String, Object>) o;
                String doc = t.get("hint") instanceof Map<?, ?> h && h.get("doc") instanceof String d ? d : "";
                tests.add(new Test(string(t.get("test_code")), string(t.get("chapter")), string(t.get("status")),
                        string(t.get("message")), doc));
            }
        }
        return tests;
    }

    private static String string(Object o) {
        return o instanceof String s ? s : "";
    }

    /** Just enough JSON (RFC 8259) for results.json: objects, arrays, strings, numbers, literals. */
    private static final class Json {
        private final String s;
        private int i;

        Json(String s) {
            this.s = s;
        }

        Object value() {
            skip();
            char c = s.charAt(i);
            return switch (c) {
                case '{' -> object();
                case '[' -> array();
                case '"' -> string();
                default -> literal();
            };
        }

        private Map<String, Object> object() {
            Map<String, Object> map = new LinkedHashMap<>();
            i++;
            for (skip(); s.charAt(i) != '}'; skip()) {
                String key = string();
                skip();
                i++; // ':'
                map.put(key, value());
                skip();
                if (s.charAt(i) == ',') {
                    i++;
                }
            }
            i++;
            return map;
        }

        private List<Object> array() {
            List<Object> list = new ArrayList<>();
            i++;
            for (skip(); s.charAt(i) != ']'; skip()) {
                list.add(value());
                skip();
                if (s.charAt(i) == ',') {
                    i++;
                }
            }
            i++;
            return list;
        }

        private String string() {
            StringBuilder out = new StringBuilder();
            for (i++; s.charAt(i) != '"'; i++) {
                char c = s.charAt(i);
                if (c != '\\') {
                    out.append(c);
                    continue;
                }
                char e = s.charAt(++i);
                switch (e) {
                    case 'n' -> out.append('\n');
                    case 'r' -> out.append('\r');
                    case 't' -> out.append('\t');
                    case 'b' -> out.append('\b');
                    case 'f' -> out.append('\f');
                    case 'u' -> {
                        out.append((char) Integer.parseInt(s.substring(i + 1, i + 5), 16));
                        i += 4;
                    }
                    default -> out.append(e);
                }
            }
            i++;
            return out.toString();
        }

        private Object literal() {
            int start = i;
            while (i < s.length() && ",}] \t\r\n".indexOf(s.charAt(i)) < 0) {
                i++;
            }
            String word = s.substring(start, i);
            return switch (word) {
                case "null" -> null;
                case "true" -> Boolean.TRUE;
                case "false" -> Boolean.FALSE;
                default -> word;
            };
        }

        private void skip() {
            while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
                i++;
            }
        }
    }
}
