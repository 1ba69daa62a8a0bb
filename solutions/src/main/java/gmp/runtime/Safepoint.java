package gmp.runtime;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The preemption poll: the Java form of the stack check in every Go function's prologue
 * (chapter 06, docs/en/06-preemption.md#safepoints).
 *
 * <p>Go preempts a goroutine cooperatively by setting {@code gp.preempt} and poisoning
 * {@code gp.stackguard0} with {@code stackPreempt}: the next function prologue compares the stack
 * pointer with stackguard0, fails, and enters {@code morestack -> newstack}, which sees the poison
 * and calls {@code gopreempt_m}. Go's check is per goroutine because {@code g} sits in a register.
 * Here finding the current G costs a call the JIT must not inline ({@link M#current} says why), so
 * the word a poll reads is global instead: {@link #requests} counts the preempt requests pending
 * anywhere in the JVM, plus one for each runtime that is shutting down. While it is zero, which is
 * nearly always, {@link #poll} is one opaque load and a branch; only a non-zero word sends a poll
 * down the slow path, which finds its G and asks {@link Preempt#check} what to do.
 *
 * <p>Who polls: every entry into the runtime (the go statement, channel operations, select, sleep,
 * Gosched, package sync; they all pass {@link Go#current}), a loop that calls {@code poll()}
 * itself, and, with the instrumenting agent on, every loop back-edge and method entry of user code
 * (Go's {@code GOEXPERIMENT=preemptibleloops}). The load is opaque, not plain: a plain load of a
 * field nobody in the loop writes may be hoisted out of the loop by C2, and the poll would never
 * see the request; opaque forbids that and costs the same as a plain load on x86 and ARM.
 */
public final class Safepoint {
    private static final VarHandle REQUESTS;

    static {
        try {
            REQUESTS = MethodHandles.lookup().findStaticVarHandle(Safepoint.class, "requests", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /**
     * Preempt requests pending in the JVM, plus one per runtime shutting down; read opaque by
     * {@link #poll}, changed only by atomic adds (a request's CAS on its G decides who adds).
     * It may dip below zero for a moment (a clear can win the race with its request's add).
     */
    @SuppressWarnings("unused") // accessed through REQUESTS
    private static int requests;

    private Safepoint() {
    }

    /**
     * A safepoint: if some goroutine anywhere may have to stop, check whether it is this one, and
     * if so let the scheduler take the P (or, once the program is over, abandon the goroutine here).
     * Returns at once on a plain Java thread. Kept tiny so that the JIT inlines it into any loop.
     */
    public static void poll() {
        if ((int) REQUESTS.getOpaque() != 0) {
            slow();
        }
    }

    /** Whether any request is pending: the fast path of the runtime's own entries ({@link Go#current}). */
    static boolean pending() {
        return (int) REQUESTS.getOpaque() != 0;
    }

    /** One more (+1) or one fewer (-1) pending request or shutting-down runtime. */
    static void add(int delta) {
        REQUESTS.getAndAdd(delta);
    }

    private static void slow() {
        G gp = Proc.getg();
        if (gp != null && !gp.isG0()) {
            Preempt.check(gp);
        }
    }
}
