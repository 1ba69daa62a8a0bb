package gmp.runtime;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.function.Consumer;

import jdk.internal.vm.Continuation;

/**
 * A machine: an OS thread, Go's {@code m} (runtime2.go).
 *
 * <p>An M runs Go code only while it holds a P. Its own thread stack is g0's stack: the scheduler
 * loop ({@code schedule}, {@code findRunnable}, {@code execute}) runs there and never inside a
 * goroutine's continuation. m0 is the thread that called {@link GoRuntime#run}; every other M is a
 * daemon platform thread the runtime starts itself.
 *
 * <p>Code finds its G and M the way Go finds {@code g} (and so {@code m}) through thread-local
 * storage: on a goroutine, the continuation mounted on the thread is the G's stack, which knows its
 * G, and the G knows its M; on g0, a thread-local holds the thread's M. The scheduler looks up as
 * little as it can and passes what it has found down instead ({@link #current} says why).
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
    /** gopark's unlock function, for park_m to run on g0 (Go: m.waitunlockf). */
    java.util.function.Predicate<G> waitunlockf;
    /**
     * A G to run next on this M: findRunnable hands it back first. A cancelled park inherits the time
     * slice; a G that left a syscall through exitsyscall0 and got an idle P starts a new one
     * ({@link #nextgNewSlice}).
     */
    G nextg;
    /** Whether {@link #nextg} starts a new time slice (Go: exitsyscall0's execute(gp, false)). */
    boolean nextgNewSlice;
    /** The P this M had when its goroutine entered a syscall, to get back on the way out (Go: m.oldp; chapter 07). */
    P oldp;
    /** oldp's syscalltick when the syscall began (Go: m.syscalltick; chapter 07). */
    long syscalltick;
    /** The function mcall left for g0 to run after the goroutine switched away. */
    Consumer<G> mcallfn;
    /** Non-empty while this M's goroutine must not be preempted, saying why (Go: m.preemptoff). */
    String preemptoff = "";
    /** The time of this M's last trace event: the next is later, so an M's track stays in order (Trace). */
    long traceLast = -1;

    M(Proc proc, long id) {
        this.proc = proc;
        this.id = id;
        this.g0 = new G(proc, this);
    }

    /**
     * The M of the current thread, or null on a thread that is not one of a runtime's Ms.
     *
     * <h2>Why through a method handle</h2>
     * A goroutine's continuation may yield on one thread and resume on another. C2 compiles a
     * method as if it stayed on one thread, and may keep a {@code Thread.currentThread()} computed
     * before a yield for use after it: inlined into a goroutine's loop, a thread-local lookup then
     * answers for the thread the goroutine has left (measured here: under load, within a few
     * thousand sleeps, mcall left its function on the wrong M). So the lookups below run through a
     * method handle held in a non-final field, which the JIT cannot inline: each call computes the
     * thread afresh in its own frame. It costs a few nanoseconds per lookup.
     */
    static M current() {
        try {
            return (M) currentM.invokeExact();
        } catch (Throwable e) {
            throw new AssertionError(e);
        }
    }

    /**
     * The current goroutine: the M's curg when called on a goroutine's stack, the M's g0 when called
     * on the scheduler's own stack, null on a thread that is no M (Go: getg). Never inlined, for the
     * reason given at {@link #current}.
     */
    static G currentG() {
        try {
            return (G) currentG.invokeExact();
        } catch (Throwable e) {
            throw new AssertionError(e);
        }
    }

    // Not final on purpose: a constant method handle would be inlined (see current()).
    private static MethodHandle currentM;
    private static MethodHandle currentG;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            currentM = l.findStatic(M.class, "lookupM", MethodType.methodType(M.class));
            currentG = l.findStatic(M.class, "lookupG", MethodType.methodType(G.class));
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    // On a goroutine, the mounted continuation of the runtime's scope is the G's stack: no
    // thread-local needed (a ThreadLocal.get costs more than finding the mounted continuation).
    // While a G runs, gp.m is its M: execute sets it before the switch, and only g0 clears it.
    private static M lookupM() {
        if (Continuation.getCurrentContinuation(G.SCOPE) instanceof G.Stack stack) {
            return stack.gp.m;
        }
        return CURRENT.get();
    }

    private static G lookupG() {
        if (Continuation.getCurrentContinuation(G.SCOPE) instanceof G.Stack stack) {
            return stack.gp;
        }
        M mp = CURRENT.get();
        return mp == null ? null : mp.g0;
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
