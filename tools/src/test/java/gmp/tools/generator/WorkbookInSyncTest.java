package gmp.tools.generator;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The committed workbook is what the generator writes from the reference, never something edited by
 * hand. The repository root is the system property {@code gmp.repo.root} (the build sets it), or the
 * parent of the tools module when a test runner starts there without it.
 */
@DisplayName("The committed workbook is in sync with the reference solution")
class WorkbookInSyncTest {

    @Test
    @DisplayName("chapters/src/main/java is exactly what the generator writes from solutions/src/main/java")
    void workbookIsInSync() throws IOException, WorkbookException {
        Path repo = Path.of(System.getProperty("gmp.repo.root", "..")).toAbsolutePath().normalize();
        ChapterTable chapters = ChapterTable.read(repo.resolve(WorkbookGenerator.CHAPTER_TABLE));

        WorkbookGenerator.Workbook expected = WorkbookGenerator.generate(
                repo.resolve(WorkbookGenerator.SOLUTIONS), chapters, 1);
        WorkbookGenerator.Drift drift = WorkbookGenerator.Drift.between(
                expected.files(), repo.resolve(WorkbookGenerator.WORKBOOK));

        assertThat(drift.describe())
                .withFailMessage("%s differs from what the generator writes from %s:%n  %s%nrun ./gmp regen",
                        WorkbookGenerator.WORKBOOK, WorkbookGenerator.SOLUTIONS,
                        String.join(System.lineSeparator() + "  ", drift.describe()))
                .isEmpty();
    }
}
