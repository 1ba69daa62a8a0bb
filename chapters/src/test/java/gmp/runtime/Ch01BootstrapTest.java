package gmp.runtime;

import static gmp.runtime.Fixtures.runtime;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.Supplier;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import gmp.workbook.Harness;
import gmp.workbook.Hint;
import jdk.internal.vm.Continuation;

/**
 * Chapter 01: the runtime boots the way Go's rt0_go does. The calling thread becomes m0, m0 takes
 * p0, the other Ps wait on the idle list, main is goroutine 1 running on its own stack, and when
 * main returns its G is dead and run() returns.
 *
 * <p>Assertions run on the test thread, after run() returns, on a snapshot taken inside main: an
 * assertion that failed inside a goroutine would surface as a panic of the program instead.
 */
// The chapter's place in a run of every chapter, so that the hint follows the doc's order.
@Order(10)
@Tag("ch01")
@DisplayName("Chapter 01: bootstrap")
@Hint(doc = Ch01BootstrapTest.DOC, go = "rt0_go (asm_amd64.s), schedinit, mstart (proc.go)")
class Ch01BootstrapTest {
    static final String DOC = "docs/en/01-bootstrap.md";

    /** What main saw of the runtime while it ran. */
    record Seen(Thread thread, G g, int gStatus, M m, M curg0, P p, int pStatus, M pM, long schedtick,
                Continuation stack, G g0, Continuation g0Stack) {
    }

    private static Seen look(Proc proc) {
        G gp = Proc.getg();
        M mp = gp.m;
        P pp = mp.p;
        return new Seen(Thread.currentThread(), gp, gp.status(), mp, mp.curg == gp ? mp : null, pp, pp.status, pp.m,
                pp.schedtick, Continuation.getCurrentContinuation(G.SCOPE), mp.g0, null);
    }

    /**
     * Runs {@code attempt} on a fresh runtime until sysmon has not preempted anyone during it, five
     * tries at most. From chapter 06 on, sysmon preempts a goroutine whose slice passes 10 ms, which
     * a loaded machine can stretch even this short a main to; the preempted main then yields like
     * Gosched, whose wakep may start a second M on an idle P. The tests that look at exactly which
     * Ms and Ps exist while main runs need a run without that.
     */
    private static <T> T unpreempted(Supplier<GoRuntime> make, Function<GoRuntime, T> attempt) {
        for (int i = 1; ; i++) {
            GoRuntime rt = make.get();
            T result = attempt.apply(rt);
            Sysmon sm = rt.proc().sysmon;
            if (sm == null || sm.slicesUsedUp == 0 || i == 5) {
                return result;
            }
        }
    }

    /** A runtime and what main saw in it. */
    private record Run(GoRuntime rt, Seen s) {
    }

    private static Run runAndLookUnpreempted(int gomaxprocs) {
        return unpreempted(() -> runtime(gomaxprocs), rt -> new Run(rt, runAndLook(rt)));
    }

    private static Seen runAndLook(GoRuntime rt) {
        List<Seen> seen = new ArrayList<>();
        Harness.run(rt, () -> seen.add(look(rt.proc())));
        assertThat(seen).as("main must run exactly once. Read %s#schedule (Go: schedule, execute)", DOC).hasSize(1);
        return seen.getFirst();
    }


    @Order(1)
    @Test
    @DisplayName("run(main) runs main exactly once and returns when main returns")
    @Hint(doc = DOC + "#schedule", go = "schedule, execute, gogo (proc.go)")
    void runRunsMainOnceAndReturns() {
        AtomicInteger calls = new AtomicInteger();
        Harness.run(runtime(1), calls::incrementAndGet);
        assertThat(calls.get())
                .as("main must run exactly once before run() returns. Read %s#schedule (Go: schedule, execute, gogo)", DOC)
                .isEqualTo(1);
    }

    @Order(2)
    @Test
    @DisplayName("main runs on m0: the thread that called run(), M id 0")
    @Hint(doc = DOC + "#schedinit", go = "schedinit, mcommoninit, mstart (proc.go)")
    void mainRunsOnM0() {
        Run run = runAndLookUnpreempted(2);
        GoRuntime rt = run.rt();
        Seen s = run.s();
        Proc proc = rt.proc();
        assertThat(s.thread()).as("main must run on the thread that called run(); that thread is m0."
                + " Read %s#schedinit (Go: rt0_go makes the first thread m0)", DOC).isSameAs(Thread.currentThread());
        assertThat(s.m()).as("the M running main must be m0. Read %s#schedinit (Go: m0)", DOC).isSameAs(proc.m0);
        assertThat(s.m().id).as("m0's id must be 0: ids come from sched.mnext, m0 takes the first."
                + " Read %s#schedinit (Go: mcommoninit, mReserveID)", DOC).isZero();
        assertThat(proc.allm).as("allm must hold exactly m0 in chapter 01: no other thread was needed."
                + " Read %s#schedinit (Go: mcommoninit)", DOC).containsExactly(proc.m0);
    }

    @Order(3)
    @Test
    @DisplayName("m0 holds p0 while main runs, and p0 is _Prunning with m0 as its M")
    @Hint(doc = DOC + "#procresize", go = "procresize, acquirep (proc.go)")
    void m0HoldsP0() {
        Run run = runAndLookUnpreempted(4);
        GoRuntime rt = run.rt();
        Seen s = run.s();
        assertThat(s.p()).as("m0 must hold p0 (allp[0]) while main runs. Read %s#procresize (Go: procresize, acquirep)", DOC)
                .isSameAs(rt.proc().allp[0]);
        assertThat(s.p().id).as("p0's id must be 0. Read %s#procresize (Go: p.init)", DOC).isZero();
        assertThat(P.statusName(s.pStatus())).as("p0 must be _Prunning while m0 runs main."
                + " Read %s#acquirep (Go: acquirep/wirep)", DOC).isEqualTo(P.statusName(P._Prunning));
        assertThat(s.pM()).as("p0.m must point back at m0 (acquirep links both ways). Read %s#acquirep (Go: wirep)", DOC)
                .isSameAs(s.m());
    }

    @Order(4)
    @Test
    @DisplayName("procresize makes exactly GOMAXPROCS Ps, with ids 0..n-1 in allp")
    @Hint(doc = DOC + "#procresize", go = "procresize (proc.go)")
    void procresizeMakesGomaxprocsPs() {
        GoRuntime rt = runtime(3);
        runAndLook(rt);
        Proc proc = rt.proc();
        assertThat(proc.gomaxprocs).as("gomaxprocs must be the number of Ps asked for. Read %s#procresize", DOC)
                .isEqualTo(3);
        assertThat(proc.allp).as("allp must hold GOMAXPROCS Ps. Read %s#procresize (Go: procresize grows allp)", DOC)
                .hasSize(3).doesNotContainNull();
        for (int i = 0; i < proc.allp.length; i++) {
            assertThat(proc.allp[i].id).as("allp[%d] must be the P with id %d. Read %s#procresize", i, i, DOC).isEqualTo(i);
        }
    }

    @Order(5)
    @Test
    @DisplayName("with GOMAXPROCS 4, p1, p2 and p3 are _Pidle, have no M, and the idle list reads p1, p2, p3")
    @Hint(doc = DOC + "#procresize", go = "procresize, pidleput (proc.go)")
    void otherPsAreIdle() {
        List<String> idleWhileMainRuns = new ArrayList<>();
        int[] npidle = new int[1];
        unpreempted(() -> runtime(4), rt -> {
            idleWhileMainRuns.clear();
            Harness.run(rt, () -> {
                Proc proc = rt.proc();
                for (P pp = proc.sched.pidle; pp != null && idleWhileMainRuns.size() < 8; pp = pp.link) {
                    idleWhileMainRuns.add(pp + ":" + P.statusName(pp.status) + ":m=" + pp.m);
                }
                npidle[0] = proc.sched.npidle.get();
            });
            return null;
        });
        assertThat(idleWhileMainRuns)
                .as("while main runs on p0, the idle list (sched.pidle, linked through p.link) must hold p1, p2, p3"
                        + " in that order, each _Pidle with no M: procresize pushes them from the highest id down."
                        + " Read %s#procresize (Go: procresize, pidleput)", DOC)
                .containsExactly("P1:idle:m=null", "P2:idle:m=null", "P3:idle:m=null");
        assertThat(npidle[0]).as("sched.npidle must count the idle Ps. Read %s#pidleput (Go: pidleput)", DOC)
                .isEqualTo(3);
    }

    @Order(6)
    @Test
    @DisplayName("pidleget takes the P at the front of the idle list, and returns null once the list is empty")
    @Hint(doc = DOC + "#pidleput", go = "pidleput, pidleget (proc.go)")
    void pidlegetPopsTheFront() {
        GoRuntime rt = runtime(3);
        List<Object> got = new ArrayList<>();
        Harness.run(rt, () -> {
            Proc proc = rt.proc();
            proc.lockSched();
            try {
                P a = proc.pidleget();
                P b = proc.pidleget();
                got.add(a);
                got.add(b);
                got.add(String.valueOf(proc.pidleget()));
                got.add(proc.sched.npidle.get());
                got.add(a == null ? "none" : String.valueOf(a.link));
                // A null from pidleget is reported below by the list it leaves, not as an NPE here.
                if (b != null) {
                    proc.pidleput(b);
                }
                if (a != null) {
                    proc.pidleput(a);
                }
                got.add(proc.sched.pidle);
                got.add(proc.sched.npidle.get());
            } finally {
                proc.unlockSched();
            }
        });
        P[] allp = rt.proc().allp;
        assertThat(got)
                .as("pidleget must pop p1 then p2 (the front of the list), then give null, leave npidle at 0 and"
                        + " unlink what it returns; pidleput must push on the front again."
                        + " Read %s#pidleput (Go: pidleget, pidleput)", DOC)
                .containsExactly(allp[1], allp[2], "null", 0, "null", allp[1], 2);
    }

    @Order(7)
    @Test
    @DisplayName("main is goroutine 1, and it is the M's curg and _Grunning while it runs")
    @Hint(doc = DOC + "#newmain", go = "newproc (for runtime.main), execute (proc.go)")
    void mainIsGoroutineOneAndRunning() {
        GoRuntime rt = runtime(1);
        Seen s = runAndLook(rt);
        assertThat(rt.proc().mainG).as("newmain must return the G it made for main: rt0go keeps it as mainG."
                + " Read %s#newmain (Go: newproc, runtime.main)", DOC).isSameAs(s.g());
        assertThat(s.g().goid).as("the main goroutine must have goid 1: goidgen starts at 0 and main is the first."
                + " Read %s#newmain (Go: newproc1, sched.goidgen)", DOC).isEqualTo(1);
        assertThat(G.statusName(s.gStatus())).as("a running G must be _Grunning: execute moves it from _Grunnable."
                + " Read %s#execute (Go: execute, casgstatus)", DOC).isEqualTo(G.statusName(G._Grunning));
        assertThat(s.curg0()).as("execute must make main the M's curg (and the M main's m)."
                + " Read %s#execute (Go: execute)", DOC).isSameAs(s.m());
    }

    @Order(8)
    @Test
    @DisplayName("g0 is goroutine 0 on the M's own stack; main runs on a Continuation of its own")
    @Hint(doc = DOC + "#gogo", go = "gogo (asm_amd64.s), mcall")
    void mainRunsOnItsOwnStackNotOnG0() {
        GoRuntime rt = runtime(1);
        Seen s = runAndLook(rt);
        assertThat(s.g0().goid).as("g0, the M's scheduling stack, must have goid 0. Read %s#g0", DOC).isZero();
        assertThat(s.g()).as("main must not run on g0. Read %s#gogo", DOC).isNotSameAs(s.g0());
        assertThat(s.stack()).as("main must run inside its G's Continuation (gogo = gp.stack.run()),"
                + " not on the M's thread stack. Read %s#gogo (Go: gogo)", DOC).isSameAs(s.g().stack);
    }

    @Order(9)
    @Test
    @DisplayName("main came from runnext, so it inherits the time slice: main.main sees p0's schedtick at 4, the slices of runtime.main's start-up")
    @Hint(doc = DOC + "#execute", go = "execute, runqget's inheritTime (proc.go); runtime.main")
    void mainInheritsItsTimeSlice() {
        Seen s = runAndLook(runtime(1));
        assertThat(s.schedtick()).as("execute must count a schedtick only for a G that starts a new time slice;"
                + " main was taken from runnext, which inherits the slice (inheritTime = true), so main adds"
                + " nothing to the 4 slices runtime.main's start-up counts on p0 before main.main, as Go's does"
                + " (given: Startup). 5 means execute counted main's slice too. Read %s#execute (Go: execute)",
                DOC).isEqualTo(4);
    }

    @Order(9)
    @Test
    @DisplayName("runtime.main's start-up leaves Go's three system goroutines: goids 2, 3, 4, parked with Go's wait reasons, counted nowhere")
    @Hint(doc = DOC + "#runtime-main", go = "runtime.main, proc.go init (forcegchelper), gcenable (bgsweep, bgscavenge)")
    void runtimeMainStartsTheSystemGoroutines() {
        GoRuntime rt = runtime(1);
        List<String> seen = new ArrayList<>();
        Harness.run(rt, () -> {
            seen.add("NumGoroutine=" + Go.numGoroutine());
            seen.add(rt.goroutineDump().lines().filter(l -> l.startsWith("goroutine ")).toList().toString());
        });
        List<String> system = new ArrayList<>();
        for (G gp : rt.proc().allgs()) {
            if (gp.isSystemGoroutine()) {
                system.add("G" + gp.goid + " " + gp.startfn + " [" + gp.waitreason + "] " + G.statusName(gp.status())
                        + " by G" + gp.parentGoid);
            }
        }
        assertThat(system).as("runtime.main makes forcegchelper (proc.go's init), then bgsweep and bgscavenge"
                + " (gcenable), goids 2, 3 and 4, and each parks for good with Go's wait reason, as a Go program's"
                + " GOTRACEBACK=system dump shows them (given code: Startup). Read %s#runtime-main", DOC)
                .containsExactly("G2 runtime.forcegchelper [force gc (idle)] waiting by G1",
                        "G3 runtime.bgsweep [GC sweep wait] waiting by G1",
                        "G4 runtime.bgscavenge [GC scavenge wait] waiting by G1");
        assertThat(seen).as("they are system goroutines: NumGoroutine (gcount) does not count them and the"
                + " goroutine dump leaves them out, as Go's do (a Go program's main alone counts 1 and its"
                + " traceback shows goroutine 1 only). Read %s#runtime-main", DOC)
                .containsExactly("NumGoroutine=1", "[goroutine 1 [running]:]");
    }

    @Order(10)
    @Test
    @DisplayName("when main returns, goexit0 leaves it _Gdead with no M, and m0 back on g0 (no curg)")
    @Hint(doc = DOC + "#goexit0", go = "goexit1, goexit0, gdestroy (proc.go)")
    void goexitEndsMain() {
        GoRuntime rt = runtime(1);
        Seen s = runAndLook(rt);
        G main = s.g();
        assertThat(G.statusName(main.status())).as("a goroutine that returned must be _Gdead."
                + " Read %s#goexit0 (Go: goexit0, gdestroy)", DOC).isEqualTo(G.statusName(G._Gdead));
        assertThat(main.m).as("a dead G must not point at an M. Read %s#goexit0 (Go: gdestroy)", DOC).isNull();
        assertThat(rt.proc().m0.curg).as("after goexit0, m0 must be back on g0 with no current goroutine (dropg)."
                + " Read %s#goexit0 (Go: dropg)", DOC).isNull();
    }

    @Order(10)
    @Test
    @DisplayName("mstart goes round the scheduler loop until nothing is left: a goroutine readied by another runs too")
    @Hint(doc = DOC + "#mstart", go = "mstart1 -> schedule, which never returns (proc.go)")
    void mstartLoopsUntilNothingIsLeft() {
        // Explicit-step mode (Stepper): findRunnable returns null instead of sleeping when nothing is
        // runnable, so mstart returns once the two goroutines have run. They are made by hand, as
        // newmain makes main, since the go statement is chapter 02's.
        try (Stepper s = Stepper.boot(1)) {
            List<String> ran = new ArrayList<>();
            G second = handMade(s.proc, 3, () -> ran.add("second"));
            G first = handMade(s.proc, 2, () -> {
                ran.add("first");
                s.p0().casRunnext(null, second); // ready the second one, as a go statement would
            });
            s.p0().casRunnext(null, first);
            s.proc.mstart();
            assertThat(ran).as("mstart must call schedule(mp) again and again, until it returns false (the program is"
                    + " over, or here: nothing is left to run); one round runs only the first goroutine."
                    + " Read %s#mstart (Go: mstart1, schedule)", DOC).containsExactly("first", "second");
        }
    }

    /** A runnable G that runs fn, made the way newmain makes main (Go: newproc1's steps, by hand). */
    private static G handMade(Proc proc, long goid, Runnable fn) {
        G gp = proc.malg();
        gp.goid = goid;
        gp.fn = fn;
        Proc.casgstatus(gp, G._Gidle, G._Gdead);
        Proc.casgstatus(gp, G._Gdead, G._Grunnable);
        return gp;
    }

    @Order(11)
    @ParameterizedTest(name = "config={0}, GOMAXPROCS=''{1}'', ncpu={2} -> {3} Ps")
    @CsvSource(nullValues = "none", value = {
            "2,    8,    4, 2",
            "none, 8,    4, 8",
            "none, 1,    4, 1",
            "none, none, 3, 3",
            "none, 0,    4, 4",
            "none, -2,   4, 4",
            "none, abc,  4, 4",
            "none, 2.5,  4, 4",
            "none, '',   4, 4",
    })
    @DisplayName("GOMAXPROCS: an explicit setting wins, then a positive $GOMAXPROCS, else the CPU count")
    @Hint(doc = DOC + "#gomaxprocs", go = "schedinit: procs = ncpu; GOMAXPROCS if a positive int (proc.go)")
    void gomaxprocsRule(Integer configured, String envValue, int ncpu, int expected) {
        Map<String, String> env = envValue == null ? Map.of() : Map.of("GOMAXPROCS", envValue);
        int got;
        try {
            got = Proc.gomaxprocs(configured, env, ncpu);
        } catch (NumberFormatException e) {
            throw new AssertionError("GOMAXPROCS='" + envValue + "' is not a number, and Go's rule is to ignore it"
                    + " (then the CPU count, " + ncpu + ", applies), not to throw " + e + ". Read " + DOC
                    + "#gomaxprocs (Go: schedinit, atoi32)", e);
        }
        assertThat(got)
                .as("Go's rule: an explicit setting wins; else $GOMAXPROCS when it is a positive integer (Go ignores"
                        + " anything else); else the number of CPUs. Read %s#gomaxprocs (Go: schedinit)", DOC)
                .isEqualTo(expected);
    }

    @Order(12)
    @Test
    @DisplayName("schedinit reads GOMAXPROCS from the environment when no setting is given")
    @Hint(doc = DOC + "#schedinit", go = "schedinit (proc.go)")
    void schedinitUsesTheEnvironment() {
        GoRuntime rt = GoRuntime.builder().env(Map.of("GOMAXPROCS", "3")).ncpu(1).build();
        runAndLook(rt);
        assertThat(rt.proc().allp).as("with GOMAXPROCS=3 in the environment and no setting, schedinit must make"
                + " 3 Ps. Read %s#schedinit (Go: schedinit calls procresize(procs))", DOC).hasSize(3);
    }

    @Order(13)
    @Test
    @DisplayName("a panic in main ends run() with Go's report: 'panic: ...' and 'goroutine 1 [running]'")
    @Hint(doc = DOC + "#panics", go = "fatalpanic, printpanics (panic.go)")
    void panicInMainEndsRun() {
        IllegalStateException boom = new IllegalStateException("boom");
        GoRuntime rt = runtime(1);
        assertThatThrownBy(() -> Harness.run(rt, () -> {
            throw boom;
        }))
                .as("an exception nobody catches in main must end run() with a ProgramCrash whose cause is that"
                        + " exception. Read %s#panics", DOC)
                .isInstanceOf(ProgramCrash.class)
                .hasCause(boom)
                .hasMessageStartingWith("panic: java.lang.IllegalStateException: boom")
                .hasMessageContaining("goroutine 1 [running]");
        Harness.assertNoThreadsLeft(rt);
    }

    @Order(14)
    @Test
    @DisplayName("each runtime is a world of its own: a second one starts again at m0 and goroutine 1")
    @Hint(doc = DOC + "#schedinit", go = "schedinit, newproc (proc.go)")
    void runtimesAreIndependent() {
        Seen first = runAndLook(runtime(2));
        Seen second = runAndLook(runtime(2));
        assertThat(second.g().goid).as("every runtime numbers its goroutines from 1. Read %s#newmain", DOC).isEqualTo(1);
        assertThat(second.m().id).as("every runtime's first M is m0, id 0. Read %s#schedinit", DOC).isZero();
        assertThat(second.m()).as("a new runtime must make a new m0. Read %s#schedinit", DOC).isNotSameAs(first.m());
    }

    @Order(15)
    @Test
    @DisplayName("GODEBUG=schedtrace=N,scheddetail=1 prints Go's SCHED line and a line per P, M and G")
    @Hint(doc = DOC + "#schedtrace", go = "schedtrace (proc.go), printed by sysmon")
    void schedtraceLines() {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        // Spinning main may be preempted on a loaded machine before sysmon prints (then the line
        // shows main in the global queue and a spinning M): take a run in which it was not.
        unpreempted(() -> {
            out.reset();
            return GoRuntime.builder().gomaxprocs(2).env(Map.of("GODEBUG", "schedtrace=1000,scheddetail=1"))
                    .traceTo(new java.io.PrintStream(out, true, java.nio.charset.StandardCharsets.UTF_8)).build();
        }, rt -> {
            Harness.run(rt, () -> {
                long deadline = System.nanoTime() + 5_000_000_000L;
                // sysmon prints the first trace at once ("0ms"); wait until its last line (G1) is out.
                while (!out.toString(java.nio.charset.StandardCharsets.UTF_8).contains("  G1: ")
                        && System.nanoTime() < deadline) {
                    Thread.onSpinWait();
                }
            });
            return null;
        });
        List<String> lines = out.toString(java.nio.charset.StandardCharsets.UTF_8).lines().toList();
        assertThat(lines).as("sysmon must print the trace while main runs. Read %s#schedtrace", DOC).isNotEmpty();
        assertThat(lines.getFirst()).as("the first line is Go's SCHED line, at 0ms, printed by sysmon (which"
                + " main starts, as Go's runtime.main does) while main runs on m0 and p0"
                + " (sysmon counts as a thread). Read %s#schedtrace (Go: schedtrace)", DOC)
                .matches("SCHED 0ms: gomaxprocs=2 idleprocs=1 threads=2 spinningthreads=0 needspinning=0"
                        + " idlethreads=0 runqueue=0 gcwaiting=false nmidlelocked=0 stopwait=0 sysmonwait=false");
        assertThat(lines).as("scheddetail=1 adds a line per P, M and G in Go's format, the runtime's own goroutines"
                + " included (p0's schedtick is 4: runtime.main's start-up, #runtime-main). Read %s#schedtrace", DOC)
                .contains("  P0: status=1 schedtick=4 syscalltick=0 m=0 runqsize=0 gfreecnt=0 timerslen=0",
                        "  P1: status=0 schedtick=0 syscalltick=0 m=nil runqsize=0 gfreecnt=0 timerslen=0",
                        "  G1: status=2() m=0 lockedm=nil",
                        "  G2: status=4(force gc (idle)) m=nil lockedm=nil",
                        "  G3: status=4(GC sweep wait) m=nil lockedm=nil",
                        "  G4: status=4(GC scavenge wait) m=nil lockedm=nil")
                .anyMatch(l -> l.startsWith("  M0: p=0 curg=1 "));
    }

    @Order(16)
    @Test
    @DisplayName("a runtime runs one program: a second run() on it is an IllegalStateException")
    @Hint(doc = DOC + "#run", go = "rt0_go runs once per process")
    void aRuntimeRunsOnce() {
        GoRuntime rt = runtime(1);
        runAndLook(rt);
        assertThatThrownBy(() -> rt.run(() -> { }))
                .as("run() on a runtime that already ran must refuse clearly. Read %s#run", DOC)
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("already run");
    }
}
