package gmp.runtime;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.function.Consumer;

/**
 * Cooperative preemption (chapter 06): the Java form of Go's {@code preemptone} (proc.go), of the
 * preemption branch of {@code newstack} (stack.go), of {@code canPreemptM} (preempt.go) and of
 * {@code gopreempt_m} (proc.go).
 *
 * <h2>A request and its safepoint</h2>
 * sysmon's {@code retake} (in {@link Sysmon}) finds a P whose goroutine has run for a whole time
 * slice and calls {@link #preemptone}, which asks that goroutine to stop: it sets
 * {@code gp.preempt} and raises the global poll word ({@link Safepoint}), the analogue of Go's
 * {@code gp.stackguard0 = stackPreempt}. Nothing stops the goroutine from outside: a continuation
 * cannot be suspended by another thread. The goroutine stops itself at its next safepoint, where
 * {@link #check} sees the request and, if its M may be preempted now ({@link #canPreemptM}),
 * switches to g0, which runs {@link #gopreempt_m}: the G goes to the global run queue, as with
 * Gosched, marked "preempted". A request that finds the M unpreemptible stays set and is honoured
 * at a later safepoint, as in Go. {@code execute} drops any request left over when a G starts a
 * new slice, as Go's execute clears {@code gp.preempt}.
 *
 * <h2>Exit</h2>
 * Once the program is over, every safepoint of the runtime's goroutines abandons the goroutine
 * where it stands: its M goes back to g0, finds the program over and exits. Go's exit ends the
 * process under its goroutines; this is the nearest a JVM gets. For that, {@code exit} counts the
 * runtime in the poll word until {@code rt0go} has waited for its Ms.
 *
 * <p>Every request changes {@code gp.preempt} with a CAS, and only the winner of a CAS changes the
 * poll word, so the word counts exactly the Gs whose flag is set (plus the runtimes shutting down).
 */
final class Preempt {
    /** A preempted G's mark, so that traces tell it from a Gosched (Go: waitReasonPreempted). */
    static final String WAIT_PREEMPTED = "preempted";

    private static final VarHandle PREEMPT;

    static {
        try {
            PREEMPT = MethodHandles.lookup().findVarHandle(G.class, "preempt", boolean.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    // The g0 halves of a preemption and of an abandon, made once (see Proc's mcall functions).
    private static final Consumer<G> GOPREEMPT_M = Preempt::gopreempt_m;
    private static final Consumer<G> ABANDON = Preempt::abandon;

    private Preempt() {
    }

    /** Asks gp to stop at its next safepoint (Go: gp.preempt = true; gp.stackguard0 = stackPreempt). */
    static void request(G gp) {
        if (PREEMPT.compareAndSet(gp, false, true)) {
            Safepoint.add(1);
            Trace t = gp.proc.trace;
            if (t != null) {
                t.preemptRequest(gp);
            }
        }
    }

    /** Drops gp's request, if it has one (Go: gp.preempt = false; stackguard0 back to normal). */
    static void clear(G gp) {
        if (gp.preempt && PREEMPT.compareAndSet(gp, true, false)) {
            Safepoint.add(-1);
        }
    }

    /**
     * What execute does before gp runs: a slice starts with no request left over from gp's last
     * one, and without the "preempted" mark (Go: execute sets gp.preempt = false).
     */
    static void startSlice(G gp) {
        clear(gp);
        if (WAIT_PREEMPTED.equals(gp.waitreason)) {
            gp.waitreason = "";
        }
    }

    /**
     * Asks the goroutine running on pp to stop at its next safepoint (Go: preemptone, proc.go).
     * Returns whether it asked someone. Best effort, as in Go: by the time the G sees the request
     * it may be another G of the same P (the request then falls on whoever runs), and a G that
     * never reaches a safepoint never sees it. Called by sysmon, which has no M and no P.
     */
    static boolean preemptone(P pp) {
        // TODO(ch06): mp = pp.m; no M, or the caller's own M (Proc.getg() is null on sysmon; else compare
        //             its .m): return false. gp = mp.curg; none, or a g0: return false. Else request(gp)
        //             and return true.
        //             Read docs/en/06-preemption.md#preemptone
        return false; // until chapter 06, sysmon preempts nobody
    }

    /**
     * Whether the goroutine on mp may be preempted right now (Go: canPreemptM, preempt.go): its M
     * holds a P that is running Go code and has not switched preemption off ({@code m.preemptoff},
     * which Go sets around stop-the-world and GOMAXPROCS, among others). Go also requires
     * {@code m.locks == 0} and {@code m.mallocing == 0}; this runtime never polls while it holds a
     * runtime lock or allocates, so those two always hold here.
     */
    static boolean canPreemptM(M mp) {
        // TODO(ch06): true when mp.preemptoff is empty, mp has a P, and that P is _Prunning.
        //             Read docs/en/06-preemption.md#canpreemptm
        return true;
    }

    /**
     * The safepoint's slow path, on goroutine gp (Go: the preemption branch of newstack). Once the
     * program is over, abandons gp here (never returns). If gp has a request and its M may be
     * preempted, drops the request and switches to g0, which runs gopreempt_m; gp returns from here
     * when it is scheduled again, maybe on another M. If the M may not be preempted now, the request
     * stays, so a later safepoint honours it.
     *
     * <p>Go leaves gp.preempt set until execute clears it. Here the safepoint clears it when it
     * honours it, because every request still set sends every poll in the JVM down this path.
     */
    static void check(G gp) {
        if (gp.proc.exiting) {
            Proc.mcall(gp, ABANDON);
        }
        if (gp.preempt && canPreemptM(gp.m)) {
            clear(gp);
            Proc.mcall(gp, GOPREEMPT_M);
        }
    }

    /**
     * The g0 half of a preemption (Go: gopreempt_m -> goschedImpl(gp, preempted=true)): act like
     * Gosched, to the tail of the GLOBAL run queue, and mark gp "preempted" so that traces tell
     * the two apart. Not the local queue: on it, a G preempted for hogging its P would come
     * straight back.
     */
    static void gopreempt_m(G gp) {
        // TODO(ch06): mark gp: waitreason = WAIT_PREEMPTED (before it is queued: another M may run it at once).
        //             Then do what Gosched's g0 half does (gp.proc.goschedImpl(gp)): _Grunning -> _Grunnable,
        //             dropg, globrunqput under sched.lock, wakep.
        //             Read docs/en/06-preemption.md#gopreempt
        throw new gmp.runtime.NotImplementedYet("ch06", "gopreempt_m", "docs/en/06-preemption.md#gopreempt");
    }

    /**
     * The g0 half of abandoning gp at exit: the M lets go of it and goes back to its loop, which
     * finds the program over and ends. gp never runs again; like every goroutine of a Go process
     * that has exited, it is left as it stood.
     */
    private static void abandon(G gp) {
        M mp = gp.m;
        clear(gp);
        mp.curg = null;
        gp.m = null;
    }

    /**
     * The program is over (Proc.exit): count the runtime in the poll word, so that every safepoint
     * of its goroutines looks, until {@link #exited}. Once per runtime; never for a runtime driven
     * in explicit steps, which has no M that could be running a goroutine.
     */
    static void exiting(Proc proc) {
        if (!proc.stepping && proc.shutdownPolls.compareAndSet(0, 1)) {
            Safepoint.add(1);
        }
    }

    /**
     * rt0go has waited for the Ms: take the runtime out of the poll word, with every request its
     * goroutines still hold (a G abandoned or left spinning where no safepoint is).
     */
    static void exited(Proc proc) {
        if (proc.shutdownPolls.compareAndSet(1, 2)) {
            Safepoint.add(-1);
        }
        for (G gp : proc.allgs()) {
            clear(gp);
        }
    }
}
