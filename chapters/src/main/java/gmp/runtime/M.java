package gmp.runtime;

import java.util.function.Consumer;

/**
 * A machine: an OS thread, Go's {@code m} (runtime2.go).
 *
 * <p>An M runs Go code only while it holds a P. Its own thread stack is g0's stack: the scheduler
 * loop ({@code schedule}, {@code findRunnable}, {@code execute}) runs there and never inside a
 * goroutine's continuation. m0 is the thread that called {@link GoRuntime#run}; every other M is a
 * daemon platform thread the runtime starts itself.
 *
 * <p>The thread finds its M through a thread-local, the way Go finds {@code g} (and so {@code m})
 * through thread-local storage: a goroutine's continuation is mounted on its M's thread, so the
 * same lookup works on g0 and on a goroutine.
 */
final class M {
    private static final ThreadLocal<M> CURRENT = new ThreadLocal<>();

    final Proc proc;
    /** m0 is id 0; ids come from sched.mnext (Go's mReserveID). */
    final long id;
    /** The scheduling stack: a G without a continuation. */
    final G g0;
    /** The thread this M is; set when it starts. */
    Thread thread;

    /** The goroutine running on this M, or null while on g0. */
    G curg;
    /** The attached P, or null: an M without a P does not run Go code. */
    P p;
    /** The P to acquire when this M wakes or starts (handed over by startm). */
    P nextp;
    /** Next M on the idle list (Go's schedlink). */
    M schedlink;
    /**
     * Whether this M is spinning: it holds a P but has no G yet and is looking for one to steal
     * (Go: m.spinning). Only the M itself and startm, before the M runs, write it.
     */
    boolean spinning;
    /** Where the M sleeps when idle (Go's m.park). */
    final Note park = new Note();
    /** The function mcall left for g0 to run after the goroutine switched away. */
    Consumer<G> mcallfn;

    M(Proc proc, long id) {
        this.proc = proc;
        this.id = id;
        this.g0 = new G(proc, this);
    }

    /** The M of the current thread, or null on a thread that is not one of a runtime's Ms. */
    static M current() {
        return CURRENT.get();
    }

    /** Binds the current thread to this M (Go's minit: per-thread setup). */
    void minit() {
        thread = Thread.currentThread();
        CURRENT.set(this);
    }

    /** Unbinds the current thread (Go's unminit), so the thread can leave the runtime cleanly. */
    void unminit() {
        CURRENT.remove();
    }

    @Override
    public String toString() {
        return "M" + id;
    }
}
