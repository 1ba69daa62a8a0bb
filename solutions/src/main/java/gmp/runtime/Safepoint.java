package gmp.runtime;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The safepoint poll that the preemption agent (agent/, gmp.agent.PreemptAgent) inserts at every
 * loop back-edge and method entry of goroutine code: the Java form of the stack check in a Go
 * function's prologue, and of the reschedule check Go's {@code preemptibleloops} experiment puts
 * on loop back-edges.
 *
 * <p>The fast path is one opaque load of {@link #pending} and a branch not taken. Opaque, not
 * plain: the JIT may hoist a plain load of a field nobody in the loop writes out of the loop, and
 * the loop would never see a request; an opaque load is made on every iteration and needs no fence.
 *
 * <p>This is the placeholder the agent was built against: chapter 06 fills in the slow path
 * (preempt the current G when sysmon has asked, Go's {@code gopreempt_m}); until then a request
 * changes nothing.
 */
public final class Safepoint {
    /** Non-zero when some G has a preemption request pending; written by chapter 06's preemptone. */
    static int pending;

    private static final VarHandle PENDING;

    static {
        try {
            PENDING = MethodHandles.lookup().findStaticVarHandle(Safepoint.class, "pending", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private Safepoint() {
    }

    /** The poll: returns at once unless a preemption request is pending. */
    public static void poll() {
        if ((int) PENDING.getOpaque() != 0) {
            slowPath();
        }
    }

    /** Chapter 06 fills this in: preempt the current G if it is the one asked. */
    private static void slowPath() {
    }
}
