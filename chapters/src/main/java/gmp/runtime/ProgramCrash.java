package gmp.runtime;

/**
 * How a Go program's death reaches the Java caller of {@link GoRuntime#run}.
 *
 * <p>A Go process dies in two ways, and the message reads like Go's own output for each:
 * <ul>
 *   <li>a panic nobody recovered: {@code panic: <message>} then {@code goroutine N [running]:};
 *       the cause is the exception the goroutine threw;</li>
 *   <li>a fatal error the runtime raises itself ({@code throw} in Go, e.g. "all goroutines are
 *       asleep - deadlock!"): {@code fatal error: <message>}, which no goroutine can recover.</li>
 * </ul>
 */
public final class ProgramCrash extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final long goid;

    private ProgramCrash(String message, Throwable cause, long goid) {
        super(message, cause);
        this.goid = goid;
    }

    /** An uncaught exception in goroutine {@code goid}: Go's {@code panic:} report. */
    static ProgramCrash panic(long goid, Throwable cause) {
        // A runtime panic prints as Go prints it; any other exception with its Java class name.
        String value = cause instanceof GoPanic ? cause.getMessage()
                : cause.getMessage() == null ? cause.getClass().getName()
                : cause.getClass().getName() + ": " + cause.getMessage();
        return new ProgramCrash("panic: " + value + "\n\ngoroutine " + goid + " [running]:", cause, goid);
    }

    /** A fatal error raised by the runtime (Go's {@code throw}/{@code fatal}); {@code dump} lists the goroutines. */
    static ProgramCrash fatal(String message, String dump) {
        return fatal(message, dump, null);
    }

    /** A fatal error with a Java cause (e.g. a scheduler bug found on g0). */
    static ProgramCrash fatal(String message, String dump, Throwable cause) {
        return new ProgramCrash("fatal error: " + message + (dump.isEmpty() ? "" : "\n\n" + dump), cause, -1);
    }

    /** The goroutine that panicked, or -1 for a fatal error of the runtime. */
    public long goid() {
        return goid;
    }
}
