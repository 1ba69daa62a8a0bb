package gmp.tools.generator;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds the method or constructor whose body contains a point of a Java source file, so that a
 * default stub can name it ({@code throw new NotImplementedYet("ch01", "schedinit", ...)}).
 *
 * <p>This is not a parser, only enough of one for code that compiles. Comments and the insides of
 * string, char and text-block literals are first blanked out (same length, line breaks kept), so
 * that only real braces count. Then the file is scanned up to the point with a stack holding one
 * entry per open brace: the name of the method it opens, or nothing for a class, a lambda, an
 * {@code if}, a {@code synchronized} block and so on. What a brace opens is read from the text since
 * the previous {@code ; { }}: a declaration is modifiers and annotations, an optional type, a name
 * that is not a keyword, a parameter list, an optional {@code throws}, and nothing else. A call that
 * ends in a lambda or an anonymous class never ends in {@code )} right before its brace, so it is
 * not mistaken for one. The innermost method entry on the stack is the answer.
 */
final class EnclosingMethod {
    private static final String TYPE = "[\\w$.]+(?:\\s*<[^;{}()]*>)?(?:\\s*\\[\\s*])*";
    private static final Pattern DECLARATION = Pattern.compile(
            "^\\s*(?:@[\\w$.]+(?:\\s*\\([^;{}]*?\\))?\\s*)*"
                    + "(?:(?:public|protected|private|static|final|abstract|synchronized|native|strictfp|default)\\s+)*"
                    + "(?:<[^;{}()]*>\\s*)?"
                    + "(?:(" + TYPE + ")\\s+)?"
                    + "([\\w$]+)\\s*\\([^;{}]*\\)\\s*"
                    + "(?:throws\\s+[\\w$.,\\s<>]+)?$",
            Pattern.DOTALL);
    /** Words that can stand where the pattern expects a type or a name but start no method. */
    private static final Set<String> NOT_A_METHOD = Set.of(
            "if", "for", "while", "switch", "catch", "synchronized", "try", "do", "else", "new", "return",
            "throw", "case", "yield", "assert", "record", "this", "super");

    private final String code;

    EnclosingMethod(String source) {
        this.code = blankCommentsAndLiterals(source);
    }

    /** The name of the innermost method or constructor open at {@code offset}, or null if none is. */
    String nameAt(int offset) {
        Deque<String> open = new ArrayDeque<>();
        int statement = 0;
        for (int i = 0; i < offset; i++) {
            switch (code.charAt(i)) {
                case '{' -> {
                    open.push(declaredMethod(code.substring(statement, i)));
                    statement = i + 1;
                }
                case '}' -> {
                    open.poll();
                    statement = i + 1;
                }
                case ';' -> statement = i + 1;
                default -> { }
            }
        }
        return open.stream().filter(name -> !name.isEmpty()).findFirst().orElse(null);
    }

    /** The method that {@code header} declares, or "" when the brace after it opens something else. */
    private static String declaredMethod(String header) {
        Matcher m = DECLARATION.matcher(header);
        if (!m.matches()) {
            return "";
        }
        String type = m.group(1);
        String name = m.group(2);
        boolean keyword = NOT_A_METHOD.contains(name) || (type != null && NOT_A_METHOD.contains(type));
        return keyword ? "" : name;
    }

    private static String blankCommentsAndLiterals(String s) {
        StringBuilder out = new StringBuilder(s);
        int n = s.length();
        int i = 0;
        while (i < n) {
            int end;
            if (s.startsWith("//", i)) {
                end = i;
                while (end < n && s.charAt(end) != '\n' && s.charAt(end) != '\r') {
                    end++;
                }
            } else if (s.startsWith("/*", i)) {
                int close = s.indexOf("*/", i + 2);
                end = close < 0 ? n : close + 2;
            } else if (s.startsWith("\"\"\"", i)) {
                end = endOfLiteral(s, i + 3, "\"\"\"");
            } else if (s.charAt(i) == '"' || s.charAt(i) == '\'') {
                end = endOfLiteral(s, i + 1, String.valueOf(s.charAt(i)));
            } else {
                i++;
                continue;
            }
            for (int j = i; j < end; j++) {
                if (s.charAt(j) != '\n' && s.charAt(j) != '\r') {
                    out.setCharAt(j, ' ');
                }
            }
            i = end;
        }
        return out.toString();
    }

    /** The index just past the delimiter that closes a literal whose contents start at {@code from}. */
    private static int endOfLiteral(String s, int from, String delimiter) {
        int j = from;
        while (j < s.length() && !s.startsWith(delimiter, j)) {
            j += s.charAt(j) == '\\' ? 2 : 1;
        }
        return Math.min(j + delimiter.length(), s.length());
    }
}
