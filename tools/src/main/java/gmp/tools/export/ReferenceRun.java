package gmp.tools.export;

import gmp.tools.generator.ChapterTable;
import gmp.tools.generator.WorkbookException;
import gmp.tools.generator.WorkbookGenerator;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Grades the reference runtime in an export before it is handed out: the export's own build and tests,
 * with the reference (chapters up to the last assigned one solved) as the workbook, in a scratch
 * directory (as the ladder check builds its rungs). Every test must pass; the points it earns are the
 * assignment's maximum.
 */
final class ReferenceRun {
    private ReferenceRun() {
    }

    static int maxPoints(Path repo, Path export, Export.Assignment a)
            throws IOException, InterruptedException, WorkbookException {
        Path scratch = Files.createTempDirectory("gmp-export-reference");
        try {
            Path src = scratch.resolve("src");
            Path out = scratch.resolve("out");
            WorkbookGenerator.write(WorkbookGenerator.generate(repo.resolve(WorkbookGenerator.SOLUTIONS), a.table(),
                    a.last() + 1).files(), src);
            Path log = scratch.resolve("maven.log");
            int exit = Grade.runTests(export, groups(a), src, out, log);
            Path results = out.resolve("gmp/results.tsv");
            if (!Files.isRegularFile(results)) {
                throw new Export.ExportException("the export does not build with the reference runtime (Maven exit "
                        + exit + "):\n" + String.join("\n", tail(log)));
            }
            List<Grade.Test> tests = Grade.read(results);
            List<String> failed = tests.stream().filter(t -> t.status().equals("failed"))
                    .map(t -> t.id() + ": " + t.message()).toList();
            if (!failed.isEmpty()) {
                throw new Export.ExportException("the reference fails tests of the export, so it cannot be graded:\n  "
                        + String.join("\n  ", failed));
            }
            return tests.stream().filter(t -> a.assigned().contains(Integer.parseInt(t.chapter().substring(2))))
                    .mapToInt(Grade.Test::points).sum();
        } finally {
            Export.deleteTree(scratch);
            deleteBuildOutputs(export);
        }
    }

    /**
     * Removes what the reference run built inside the export itself (the modules other than the
     * workbook, such as the preemption agent, build into their own target/): an export is handed out
     * as sources only, with no class file or jar in it.
     */
    private static void deleteBuildOutputs(Path export) throws IOException {
        try (var dirs = Files.list(export)) {
            for (Path target : dirs.map(d -> d.resolve("target")).filter(Files::isDirectory).toList()) {
                Export.deleteTree(target);
            }
        }
    }

    /** The JUnit tags of the chapters grading runs, e.g. {@code ch01,ch02,ch03}. */
    static String groups(Export.Assignment a) {
        return a.graded().stream().map(ChapterTable::tag).collect(Collectors.joining(","));
    }

    private static List<String> tail(Path log) throws IOException {
        List<String> lines = Files.isRegularFile(log) ? Files.readAllLines(log) : List.of();
        return lines.subList(Math.max(0, lines.size() - 40), lines.size());
    }
}
