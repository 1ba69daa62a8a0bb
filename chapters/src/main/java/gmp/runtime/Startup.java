package gmp.runtime;

import java.util.List;

/**
 * What the main goroutine does before the program's main: Go's {@code runtime.main} start-up
 * (Go 1.23 proc.go {@code main}, proc.go's {@code init}, mgc.go {@code gcenable}, mgcsweep.go
 * {@code bgsweep}, mgcscavenge.go {@code bgscavenge}; Go 1.19 does the same).
 *
 * <h2>What Go does</h2>
 * {@code runtime.main} starts sysmon ({@code newm(sysmon, nil, -1)}), locks the main goroutine to
 * m0 ({@code lockOSThread}), runs the runtime's init tasks, calls {@code gcenable}, runs the
 * packages' inits, unlocks and calls {@code main.main}. Three goroutines of the runtime's own come
 * out of it, and they take goids 2, 3 and 4, so a program's first goroutine is goroutine 5:
 * <ul>
 * <li>proc.go's {@code init}: {@code go forcegchelper()}. It parks at once in "force gc (idle)",
 *     until sysmon wakes it for the periodic GC;</li>
 * <li>{@code gcenable}: {@code c := make(chan int, 2); go bgsweep(c); go bgscavenge(c); <-c; <-c}.
 *     Each sends on {@code c} and parks, in "GC sweep wait" and "GC scavenge wait".</li>
 * </ul>
 * At GOMAXPROCS 1 this is the schedule on p0 ({@link #GO_SCHEDULE}). Each go statement puts its G in
 * runnext and kicks the one there to the ring. While main waits on {@code c}, m0 holds no P: main is
 * locked to it, so {@code schedule} calls {@code stoplockedm}, which hands p0 to another M. When main
 * is ready again, that M gives p0 back ({@code startlockedm}) and m0 runs main with
 * {@code execute(lockedg, false)}: a new time slice, although main came from runnext.
 * <pre>
 *  runs            taken from                  slice   what it does
 *  main            runnext (rt0_go put it)     -       go forcegchelper, go bgsweep, go bgscavenge
 *                                                      (runnext bgscavenge; ring forcegchelper, bgsweep); &lt;-c parks
 *  bgscavenge      runnext                     -       c &lt;- 1 readies main into runnext; parks
 *  main            runnext, locked to m0       1       &lt;-c parks again
 *  forcegchelper   the ring                    2       parks
 *  bgsweep         the ring                    3       c &lt;- 1 readies main into runnext; parks
 *  main            runnext, locked to m0       4       unlockOSThread; main.main
 * </pre>
 * So {@code main.main} runs in p0's fourth time slice: {@code schedtick} is 4, and the first
 * findRunnable after main's go statements sees {@code 4 % 61 != 0}. It is not 0, which is what a
 * fresh P (chapter 03's stepper) starts with.
 *
 * <h2>Go's own variance</h2>
 * sysmon's first look at p0 comes about 20 µs after it starts, often while the start-up still runs
 * in slice 0. Its record of the P ({@code p.sysmontick}) starts zeroed, with {@code schedwhen} 0, so
 * the unchanged tick reads as "10 ms in one slice" and sysmon preempts whatever runs on p0: one slice
 * more, and main.main starts at 5. Measured with Go 1.19 here (the 300-goroutine program of
 * Ch05GoOrderTest, 300 runs in five batches): 4 in 198 runs, 5 in 79, and in 23 a later preemption.
 * This runtime has no such race: {@link Sysmon#start} records each P's tick with {@code schedwhen = now}.
 *
 * <h2>How this runtime does it</h2>
 * The three goroutines never run here: there is no GC to force, sweep or scavenge, and what running
 * them would take (go statements, a channel, gopark) is learner code of chapters 02 and 05, which
 * chapter 01's bootstrap must not need (the ladder). So {@link #runtimeMain} leaves behind what Go's
 * start-up does: each G made as a go statement of main makes it (the next goid, main as parent), parked
 * where it parks, with Go's wait reason, and p0's {@code schedtick} advanced by the slices of
 * {@link #GO_SCHEDULE} that start a new one (execute's rule). Nothing is traced for them: a Go
 * execution trace starts later too ({@code trace.Start} in main.main), and shows the runtime's
 * goroutines only as goroutines that already exist and wait.
 *
 * <p>From then on they are Go's system goroutines ({@link G#isSystemGoroutine}): {@code NumGoroutine}
 * (gcount) and checkdead do not count them, goroutine dumps and the deadlock report leave them out
 * (Go prints them only with GOTRACEBACK=system), and scheddetail lists them, as Go's does. Go also
 * starts the finalizer goroutine ({@code runfinq}) when a package's init sets a finalizer, as os does
 * for its standard files (any program that imports fmt): that one belongs to os, not to this start-up,
 * so the Go programs that check the orders print with {@code println}.
 *
 * <p>At GOMAXPROCS above 1, Go's go statements of the start-up call wakep (mainStarted is already
 * true), and an M spinning on another P may steal forcegchelper or bgsweep before p0 gets to them;
 * p0 then counts fewer slices. Here p0 counts the four whatever GOMAXPROCS is: Go's outcome when no
 * thief is in time.
 */
final class Startup {
    // Go's wait reasons of the runtime's goroutines (runtime2.go, waitReasonStrings).
    static final String WAIT_FORCEGC_IDLE = "force gc (idle)";
    static final String WAIT_GC_SWEEP = "GC sweep wait";
    static final String WAIT_GC_SCAVENGE = "GC scavenge wait";

    private Startup() {
    }

    /** One time slice of Go's start-up on p0: who ran, and whether it inherited the slice before it. */
    record Slice(String g, boolean inheritTime) {
    }

    /** Go's start-up on p0 at GOMAXPROCS 1, in order (the table in the class comment). */
    static final List<Slice> GO_SCHEDULE = List.of(
            new Slice("main", true),          // from runnext, as rt0_go's newproc put it
            new Slice("bgscavenge", true),    // from runnext: the last go statement of gcenable
            new Slice("main", false),         // locked to m0: execute(lockedg, false)
            new Slice("forcegchelper", false),
            new Slice("bgsweep", false),
            new Slice("main", false));        // locked to m0 again; then main.main

    /**
     * runtime.main, on the main goroutine (Go: main, proc.go): the start-up Go does before main.main
     * (its init tasks and gcenable, see the class comment), then sysmon, then the program's main.
     * Go starts sysmon first; here the start-up takes no time, and doing it first keeps sysmon's
     * first look (and its first schedtrace line) deterministic: it sees what main.main starts with.
     */
    static void runtimeMain(Proc proc, Runnable main) {
        G mainG = Proc.getg();
        P pp = mainG.m.p;
        // runtime_inittasks: proc.go's init.
        newparked(proc, mainG, "runtime.forcegchelper", WAIT_FORCEGC_IDLE);
        // gcenable: go bgsweep(c); go bgscavenge(c); <-c; <-c.
        newparked(proc, mainG, "runtime.bgsweep", WAIT_GC_SWEEP);
        newparked(proc, mainG, "runtime.bgscavenge", WAIT_GC_SCAVENGE);
        for (Slice s : GO_SCHEDULE) {
            if (!s.inheritTime()) {
                pp.schedtick++;
            }
        }
        Sysmon.start(proc);
        main.run();
    }

    /**
     * A system goroutine as main's go statement makes it (the next goid, main as its parent, Go:
     * newproc1), left where it parks after its first slice: _Gwaiting, with Go's wait reason, on no
     * queue. If anything readied it, it would park again at once, as Go's loops do when there is no
     * work (here there never is).
     */
    private static G newparked(Proc proc, G parent, String startfn, String reason) {
        G gp = proc.malg();
        gp.goid = proc.sched.goidgen.incrementAndGet();
        gp.parentGoid = parent.goid;
        gp.startfn = startfn;
        gp.fn = () -> {
            for (;;) {
                proc.gopark(Proc.getg(), g -> true, reason);
            }
        };
        gp.waitreason = reason;
        gp.setStatus(G._Gwaiting);
        return gp;
    }
}
