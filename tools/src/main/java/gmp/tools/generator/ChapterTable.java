package gmp.tools.generator;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The course's chapter list, read from {@code docs/chapters.tsv}: one {@code NN<TAB>slug<TAB>title}
 * line per chapter, {@code #} comments and blank lines ignored. The slug names the chapter's doc,
 * {@code docs/en/NN-slug.md}, which is where the generator's TODOs send the learner and where the
 * ladder check looks for a chapter's "given" tests.
 */
public record ChapterTable(SortedMap<Integer, Chapter> chapters) {

    /** One chapter. {@code tag()} is the spelling used by markers and JUnit tags: {@code ch01}. */
    public record Chapter(int number, String slug, String title) {
        public String tag() {
            return ChapterTable.tag(number);
        }

        /** The English doc, relative to the repository root. */
        public String doc() {
            return "docs/en/%02d-%s.md".formatted(number, slug);
        }
    }

    public static String tag(int number) {
        return "ch%02d".formatted(number);
    }

    public static ChapterTable read(Path tsv) throws WorkbookException, IOException {
        if (!Files.isRegularFile(tsv)) {
            throw new WorkbookException(List.of(tsv + ": no chapter table here (is --repo the repository root?)"));
        }
        SortedMap<Integer, Chapter> chapters = new TreeMap<>();
        List<String> lines = Files.readAllLines(tsv);
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            String[] fields = line.split("\t");
            if (fields.length != 3 || !fields[0].matches("\\d\\d") || fields[1].isBlank()) {
                throw new WorkbookException(List.of(tsv + ":" + (i + 1) + ": expected NN<TAB>slug<TAB>title"));
            }
            int number = Integer.parseInt(fields[0]);
            chapters.put(number, new Chapter(number, fields[1], fields[2]));
        }
        return new ChapterTable(chapters);
    }

    public Optional<Chapter> get(int number) {
        return Optional.ofNullable(chapters.get(number));
    }
}
