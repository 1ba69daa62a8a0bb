package gmp.tools.ladder;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The tests a chapter's doc declares "given": they may pass before the learner writes any code (a test
 * of a helper the chapter hands out, say). The tests themselves carry {@code @Given}, which the
 * scoreboard reads; the ladder checks that the two agree ({@link Rung}). The doc lists
 * them in a section headed {@code Given tests} (any level), as {@code `ClassName#method`} or
 * {@code `ClassName.method`} with the simple class name; the section runs to the next heading of the
 * same or a higher level. Headings inside fenced code blocks are not headings.
 *
 * @param names {@code SimpleClassName#method} for each given test
 */
record GivenTests(Set<String> names) {
    private static final Pattern HEADING = Pattern.compile("^(#{1,6})\\s+(.*?)\\s*#*\\s*$");
    private static final Pattern NAME = Pattern.compile("`([A-Za-z_$][\\w$]*)[#.]([A-Za-z_$][\\w$]*)(?:\\(\\))?`");

    /** The given tests of the doc at {@code doc}; none when there is no such doc yet. */
    static GivenTests read(Path doc) throws IOException {
        return fromDoc(Files.isRegularFile(doc) ? Files.readString(doc) : "");
    }

    static GivenTests fromDoc(String markdown) {
        Set<String> names = new TreeSet<>();
        int sectionLevel = 0;
        boolean fenced = false;
        for (String line : markdown.lines().toList()) {
            if (line.strip().startsWith("```")) {
                fenced = !fenced;
                continue;
            }
            Matcher heading = HEADING.matcher(line);
            if (!fenced && heading.matches()) {
                int level = heading.group(1).length();
                if (heading.group(2).equalsIgnoreCase("Given tests")) {
                    sectionLevel = level;
                } else if (level <= sectionLevel) {
                    sectionLevel = 0;
                }
            } else if (sectionLevel > 0) {
                Matcher name = NAME.matcher(line);
                while (name.find()) {
                    names.add(name.group(1) + "#" + name.group(2));
                }
            }
        }
        return new GivenTests(names);
    }

    /** Whether the doc lists {@code testId} ({@code pkg.Class#method}, {@code pkg.Outer$Inner#method[2]}). */
    boolean contains(String testId) {
        int hash = testId.indexOf('#');
        if (hash < 0) {
            return false;
        }
        String className = testId.substring(0, hash);
        String method = testId.substring(hash + 1).replaceFirst("[\\[(].*$", "");
        String simple = className.substring(className.lastIndexOf('.') + 1);
        String innermost = simple.substring(simple.lastIndexOf('$') + 1);
        return names.contains(simple + "#" + method) || names.contains(innermost + "#" + method);
    }
}
