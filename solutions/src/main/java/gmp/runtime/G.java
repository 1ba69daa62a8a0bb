package gmp.runtime;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

import jdk.internal.vm.Continuation;
import jdk.internal.vm.ContinuationScope;

/**
 * A goroutine: Go's {@code g} (runtime2.go).
 *
 * <p>A G's stack is a {@link Continuation}: a real, suspendable Java stack. {@code gogo} mounts it on
 * the current M's thread ({@code Continuation.run}); the goroutine leaves it only through
 * {@link Proc#mcall}, which yields back to the M's g0 loop, as Go's {@code mcall} switches to the g0
 * stack. The continuation's body is a loop that runs {@link #fn} and then exits through
 * {@code goexit1}: a dead G keeps its suspended stack, and when the G is reused ({@code gfget}) the
 * stack resumes at the top of the loop with the new function. That is the Java form of Go keeping
 * a dead G's stack on its P's free list. A dead G that spills to the global free list gives its
 * stack up and {@code gfget} makes it a new one, as Go frees the stacks of globally free Gs at the
 * next GC and {@code gfget} allocates one for a G that has none.
 *
 * <p>g0, the M's scheduling stack, is a G without a continuation: in Java the M's own thread stack
 * plays that part. (In Go on Linux without cgo, only m0's g0 runs on the OS thread's stack; the
 * runtime allocates the other Ms' g0 stacks, 16 KiB. With cgo, and on macOS or Windows, every g0
 * uses its thread's OS stack.)
 *
 * <p>{@code atomicstatus} is read and written through a VarHandle with volatile (sequentially
 * consistent) access, as Go uses atomic loads/CAS for it; every other field is owned by whoever
 * holds the G: the M running it, or the queue or lock it sits behind.
 */
final class G implements Runnable {
    // G status values, as in runtime2.go (4 and 6 are not a typo: 5 is the unused _Gmoribund_unused).
    static final int _Gidle = 0;      // just allocated, not yet initialised
    static final int _Grunnable = 1;  // on a run queue, not running
    static final int _Grunning = 2;   // running on an M that has a P
    static final int _Gsyscall = 3;   // in a system call, on an M (chapter 07)
    static final int _Gwaiting = 4;   // blocked in the runtime (gopark), on no run queue
    static final int _Gdead = 6;      // unused: exited, or on a free list

    /** The one continuation scope of every goroutine stack. */
    static final ContinuationScope SCOPE = new ContinuationScope("goroutine");

    private static final VarHandle ATOMICSTATUS;

    static {
        try {
            ATOMICSTATUS = MethodHandles.lookup().findVarHandle(G.class, "atomicstatus", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    final Proc proc;
    /**
     * The stack: null for g0, whose stack is its M's thread, and for a dead G on the global free
     * list, which gave its stack up (gfput) and gets a new one when reused (gfget).
     */
    Stack stack;
    /** Whether this is an M's g0 (a dead G may have no stack either, so the stack cannot tell). */
    private final boolean g0;

    /** The goroutine id: 0 for g0, 1 for main, unique within a runtime. */
    long goid;
    @SuppressWarnings("unused") // accessed through ATOMICSTATUS
    private int atomicstatus = _Gidle;
    /** The function to run; set by newproc, cleared when the stack starts it. */
    Runnable fn;
    /** The M running this G, or null. */
    M m;
    /** Next G on whatever list holds this one (a run queue, a free list): Go's schedlink. */
    G schedlink;
    /** Why the G is waiting (Go's waitReason string), or "" when it is not. */
    String waitreason = "";
    /** The sleep timer, made on first use and kept (Go: gp.timer). */
    Timer timer;
    /** When the current sleep ends (Go: gp.sleepWhen). */
    long sleepWhen;
    /** What the waker left for the woken G, e.g. a channel's sudog (Go: gp.param). */
    Object param;
    /** The goid of the goroutine whose go statement created this one (Go's parentGoid). */
    long parentGoid;
    /**
     * The runtime function a system goroutine runs, e.g. "runtime.forcegchelper" (Go reads it from
     * gp.startpc); null for a goroutine of the program's, whose function has no name here.
     */
    String startfn;
    /**
     * A preempt request: stop at the next safepoint (Go: gp.preempt). Set by sysmon, cleared by
     * the G or by execute, always with a CAS (Preempt), because the poll word counts the set ones.
     */
    volatile boolean preempt;

    /** A goroutine G, with a stack. */
    G(Proc proc) {
        this.proc = proc;
        this.stack = new Stack(this);
        this.g0 = false;
    }

    /** g0: no stack of its own; it runs on its M's thread. */
    G(Proc proc, M m) {
        this.proc = proc;
        this.stack = null;
        this.g0 = true;
        this.m = m;
        ATOMICSTATUS.setVolatile(this, _Grunning);
    }

    /** Reads the status (Go's readgstatus: an atomic load). */
    int status() {
        return (int) ATOMICSTATUS.getVolatile(this);
    }

    /** Compare-and-set of the status; the caller decides what a failure means. */
    boolean casStatus(int oldval, int newval) {
        return ATOMICSTATUS.compareAndSet(this, oldval, newval);
    }

    /** Sets the status unconditionally, for a G nobody else can see yet (Go: casgstatus on a fresh G). */
    void setStatus(int newval) {
        ATOMICSTATUS.setVolatile(this, newval);
    }

    /**
     * What this G's stack runs (the continuation's body): goroutineBody. The G is its own stack's
     * Runnable, so that a stack needs no lambda of its own (16 bytes per goroutine).
     */
    @Override
    public void run() {
        proc.goroutineBody(this);
    }

    boolean isG0() {
        return g0;
    }

    /**
     * Whether this is one of the runtime's own goroutines (Go: isSystemGoroutine(gp, false),
     * traceback.go): its function is in package runtime and is not runtime.main. NumGoroutine and
     * checkdead do not count such goroutines, and tracebacks leave them out below GOTRACEBACK=system.
     * Here they are the ones runtime.main's start-up makes (Startup).
     */
    boolean isSystemGoroutine() {
        return startfn != null && startfn.startsWith("runtime.") && !startfn.equals("runtime.main");
    }

    static String statusName(int s) {
        return switch (s) {
            case _Gidle -> "idle";
            case _Grunnable -> "runnable";
            case _Grunning -> "running";
            case _Gsyscall -> "syscall";
            case _Gwaiting -> "waiting";
            case _Gdead -> "dead";
            default -> "status " + s;
        };
    }

    @Override
    public String toString() {
        return "G" + goid + "[" + statusName(status()) + (waitreason.isEmpty() ? "" : ", " + waitreason) + "]";
    }

    /**
     * A goroutine's stack: a continuation whose body runs one function after another, one per life
     * of its G, leaving through goexit1 after each.
     */
    static final class Stack extends Continuation {
        /** The G this is the stack of: how a lookup on a goroutine finds its G (M.currentG). */
        final G gp;

        Stack(G gp) {
            super(SCOPE, gp);
            this.gp = gp;
        }

        /**
         * Called on the goroutine when it tries to switch away (mcall) while its stack cannot be
         * unmounted, e.g. with a native frame on it. A JDK 25 continuation carries Java monitors
         * along (JEP 491), so {@code synchronized} alone no longer pins it.
         */
        @Override
        protected void onPinned(Continuation.Pinned reason) {
            throw new IllegalStateException("goroutine cannot switch to the scheduler: its stack is pinned ("
                    + reason + "), e.g. by a native frame. Do not park a goroutine inside native code or a JNI"
                    + " callback; block with the runtime's own primitives (channels, gmp.sync.Mutex) instead.");
        }
    }
}
