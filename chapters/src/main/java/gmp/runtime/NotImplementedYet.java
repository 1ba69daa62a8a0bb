package gmp.runtime;

/**
 * Thrown by the workbook's stubs: a place the learner has not written yet.
 *
 * <p>The generator writes {@code throw new NotImplementedYet(chapter, method, anchor)} wherever a
 * chapter's solution is cut out. A stub can be reached on any thread: on a goroutine, on an M's g0
 * loop, on sysmon. Wherever it is, it must end {@link GoRuntime#run} at once with this message, so
 * no test waits for a timeout to learn that a chapter is not written yet; the constructor therefore
 * reports itself to the runtime of the current thread (if any) before it is even thrown, and a
 * goroutine that catches it by accident cannot hide it.
 */
public final class NotImplementedYet extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String chapter;
    private final String method;
    private final String doc;

    public NotImplementedYet(String chapter, String method, String doc) {
        super("TODO(" + chapter + "): " + method + " is not written yet. Read " + doc);
        this.chapter = chapter;
        this.method = method;
        this.doc = doc;
        M mp = M.current();
        if (mp != null) {
            mp.proc.crash(this);
        }
    }

    /** The chapter tag, e.g. {@code ch01}. */
    public String chapter() {
        return chapter;
    }

    /** The method that still has to be written. */
    public String method() {
        return method;
    }

    /** The doc section to read, e.g. {@code docs/en/01-bootstrap.md#schedinit}. */
    public String doc() {
        return doc;
    }
}
