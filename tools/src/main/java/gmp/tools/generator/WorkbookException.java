package gmp.tools.generator;

import java.util.List;

/**
 * The generator's inputs are wrong: misplaced markers, an unknown chapter, a malformed chapter table.
 * Carries every problem found, one line each, written as {@code path:line: message}, so that one run
 * reports them all and the author fixes them in one go.
 */
public final class WorkbookException extends Exception {
    private static final long serialVersionUID = 1L;

    public WorkbookException(List<String> problems) {
        super(String.join("\n", problems));
    }

    public List<String> problems() {
        return getMessage().lines().toList();
    }
}
