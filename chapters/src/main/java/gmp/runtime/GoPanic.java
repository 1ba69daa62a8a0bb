package gmp.runtime;

/**
 * A Go panic raised by the runtime: "send on closed channel", "close of closed channel", "close of
 * nil channel", "sync: negative WaitGroup counter". Like a Go panic, the goroutine may catch it (Go's
 * recover); uncaught, it ends the program with Go's report, {@code panic: send on closed channel}.
 * A fatal error (Go's throw: "all goroutines are asleep - deadlock!", "sync: unlock of unlocked
 * mutex") is not a panic: no goroutine can recover from it (see {@link ProgramCrash}).
 */
public final class GoPanic extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public GoPanic(String message) {
        super(message);
    }
}
