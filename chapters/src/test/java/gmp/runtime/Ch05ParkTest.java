package gmp.runtime;

import static gmp.runtime.Fixtures.globrunqputLocked;
import static gmp.runtime.Fixtures.runtime;
import static gmp.runtime.Fixtures.ring;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import gmp.workbook.Harness;
import gmp.workbook.Given;
import gmp.workbook.Hint;

/**
 * Chapter 05: parking and yielding. A goroutine that cannot go on parks (gopark): it becomes
 * _Gwaiting with a wait reason and leaves its M, which runs something else; goready makes it
 * runnable again, in the waker's runnext. Gosched yields through the global queue. When every
 * goroutine is parked and nothing can wake one, the runtime says so: "all goroutines are asleep -
 * deadlock!".
 *
 * <p>The park/ready tests run on one P in explicit steps ({@link Stepper}): the exact order is the
 * lesson. The others run real programs; those that would hang on a missing piece (a wake-up that
 * never comes, a deadlock nobody reports) end early with a message that says which piece.
 */
// The chapter's place in a run of every chapter, so that the hint follows the doc's order.
@Order(50)
@Tag("ch05")
@DisplayName("Chapter 05: parking, yield and deadlock detection")
@Hint(doc = Ch05ParkTest.DOC, go = "gopark, park_m, goready, Gosched, checkdead (proc.go)")
class Ch05ParkTest {
    static final String DOC = "docs/en/05-parking.md";
    /** A wait reason of our own for the tests that park a goroutine by hand. */
    private static final String REASON = "waiting for the test";


    private static void park(Proc proc, String reason) {
        proc.gopark(Proc.getg(), null, reason);
    }


    // ---------------------------------------------------------------------------------------------
    // gopark and goready, step by step on one P

    @Order(1)
    @Test
    @DisplayName("a parked goroutine is _Gwaiting with its wait reason, off its M and every queue, until goready")
    @Hint(doc = DOC + "#gopark", go = "gopark, park_m (proc.go)")
    void parkedGoroutineWaits() {
        try (Stepper s = Stepper.boot(1)) {
            List<String> ran = new ArrayList<>();
            G b = s.go(() -> {
                ran.add("B parks");
                park(s.proc, REASON);
                ran.add("B resumed");
            });
            s.step();
            assertThat(ran).as("B must run until it parks. Read %s#gopark", DOC).containsExactly("B parks");
            assertThat(G.statusName(b.status())).as("a parked G must be _Gwaiting. Read %s#gopark (Go: park_m)", DOC)
                    .isEqualTo("waiting");
            assertThat(b.waitreason).as("gopark must record the wait reason in gp.waitreason; tracebacks print it."
                    + " Read %s#gopark (Go: gopark)", DOC).isEqualTo(REASON);
            assertThat(b.m).as("park_m must detach the G from its M (dropg). Read %s#gopark (Go: dropg)", DOC).isNull();
            assertThat(s.proc.m0.curg).as("after park_m the M runs no goroutine (dropg). Read %s#gopark", DOC).isNull();
            assertThat(s.step()).as("a parked G is on no run queue: nothing is left to run. Read %s#gopark", DOC).isFalse();

            s.proc.goready(b);
            assertThat(G.statusName(b.status())).as("goready must make the G _Grunnable. Read %s#goready (Go: ready)", DOC)
                    .isEqualTo("runnable");
            assertThat(b.waitreason).as("a runnable G has no wait reason. Read %s#goready", DOC).isEmpty();
            assertThat(s.p0().lvRunnext()).as("goready must put the G in the current P's runnext. Read %s#goready"
                    + " (Go: ready -> runqput(pp, gp, next=true))", DOC).isSameAs(b);
            s.step();
            assertThat(ran).as("once readied, B must resume right after its gopark. Read %s#goready", DOC)
                    .containsExactly("B parks", "B resumed");
        }
    }

    @Order(2)
    @Test
    @DisplayName("the G is already _Gwaiting, and off the M, when gopark's unlock function runs on g0")
    @Hint(doc = DOC + "#gopark", go = "park_m: casgstatus(gp, _Grunning, _Gwaiting) before unlockf (proc.go)")
    void statusChangesBeforeUnlockf() {
        try (Stepper s = Stepper.boot(1)) {
            List<Object> seen = new ArrayList<>();
            G b = s.go(() -> s.proc.gopark(Proc.getg(), gp -> {
                seen.add(G.statusName(gp.status()));
                seen.add(Proc.getg().isG0() ? "on g0" : "on " + Proc.getg());
                seen.add(s.proc.m0.curg == null ? "M has no curg" : "M still runs " + s.proc.m0.curg);
                return true;
            }, REASON));
            s.step();
            assertThat(seen).as("park_m must first make the G _Gwaiting and drop it from the M, then call the unlock"
                    + " function, on g0: whoever the unlock lets in may goready the G at once, and goready needs it"
                    + " _Gwaiting. Read %s#gopark (Go: park_m)", DOC)
                    .containsExactly("waiting", "on g0", "M has no curg");
            assertThat(G.statusName(b.status())).as("the unlock function said yes: the G stays parked. Read %s#gopark", DOC)
                    .isEqualTo("waiting");
        }
    }

    @Order(3)
    @Test
    @DisplayName("an unlock function that returns false cancels the park: the G runs again at once, in the same time slice")
    @Hint(doc = DOC + "#gopark", go = "park_m: if !unlockf(gp) { casgstatus(gp, _Gwaiting, _Grunnable); execute(gp, true) }")
    void falseUnlockfCancelsThePark() {
        try (Stepper s = Stepper.boot(1)) {
            List<String> ran = new ArrayList<>();
            long[] ticks = new long[2];
            G b = s.go(() -> {
                ran.add("B parks");
                ticks[0] = s.p0().schedtick;
                s.proc.gopark(Proc.getg(), gp -> false, REASON);
                ticks[1] = s.p0().schedtick;
                ran.add("B goes on");
            });
            s.go(() -> ran.add("D"));
            s.go(() -> ran.add("C"));
            // runnext C; the ring holds B, then D. B starts a new time slice when it runs.
            s.runUntilIdle(10);
            assertThat(ran).as("B's park is cancelled, so B must go on at once, before D, which waits in the queue."
                    + " Read %s#gopark (Go: park_m)", DOC).containsExactly("C", "B parks", "B goes on", "D");
            assertThat(ticks[1]).as("the cancelled G goes on in its own time slice (Go: execute(gp, inheritTime=true)):"
                    + " schedtick must not move. Read %s#gopark", DOC).isEqualTo(ticks[0]);
            assertThat(b.waitreason).as("the cancelled park leaves no wait reason behind. Read %s#gopark", DOC).isEmpty();
        }
    }

    @Order(4)
    @Test
    @DisplayName("golden trace: a goroutine readied by another runs next, in the waker's runnext, ahead of older work")
    @Hint(doc = DOC + "#goready", go = "goready -> ready -> runqput(pp, gp, next=true) (proc.go)")
    void readiedGoesToTheWakersRunnext() {
        try (Stepper s = Stepper.boot(1)) {
            List<String> ran = new ArrayList<>();
            G a = s.go(() -> {
                ran.add("A parks");
                park(s.proc, REASON);
                ran.add("A resumed");
            });
            s.step();
            s.go(() -> ran.add("C"));
            s.go(() -> {
                ran.add("W readies A");
                s.proc.goready(a);
                ran.add("W goes on");
            });
            s.runUntilIdle(10);
            // W was in runnext and C in the ring. W readies A into runnext: A runs before C.
            assertThat(ran).as("goready must put A in the waker's runnext, so A runs right after W, before C which"
                    + " was queued earlier; the waker itself goes on until it stops. Read %s#goready (Go: ready)", DOC)
                    .containsExactly("A parks", "W readies A", "W goes on", "A resumed", "C");
        }
    }

    @Order(5)
    @Test
    @DisplayName("goready of a goroutine that is not parked is an IllegalStateException, and changes nothing")
    @Hint(doc = DOC + "#goready", go = "ready: throw(\"bad g->status in ready\") (proc.go)")
    void goreadyOfARunnableGIsAnError() {
        try (Stepper s = Stepper.boot(1)) {
            G b = s.go(() -> { });
            assertThatThrownBy(() -> s.proc.goready(b))
                    .as("readying a G that is not _Gwaiting would run it twice: goready must refuse (Go throws"
                            + " \"bad g->status in ready\"). Read %s#goready", DOC)
                    .isInstanceOf(IllegalStateException.class);
            assertThat(G.statusName(b.status())).as("the refused G keeps its status. Read %s#goready", DOC)
                    .isEqualTo("runnable");
            assertThat(s.p0().lvRunnext()).as("the refused G stays where it was. Read %s#goready", DOC).isSameAs(b);
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Gosched

    @Order(6)
    @Test
    @DisplayName("Gosched puts the goroutine, _Grunnable, at the tail of the GLOBAL run queue, not the local one")
    @Hint(doc = DOC + "#gosched", go = "Gosched -> gosched_m -> goschedImpl: globrunqput (proc.go)")
    void goschedGoesToTheGlobalQueue() {
        try (Stepper s = Stepper.boot(1)) {
            Proc proc = s.proc;
            G other = proc.malg();
            other.goid = 99;
            globrunqputLocked(proc, other);
            s.p0().schedtick = 1; // keep the 61-tick check from taking the global queue first
            G local = s.go(() -> { });
            G y = s.go(() -> Go.gosched());
            s.step();
            List<G> global = new ArrayList<>();
            for (G gp = proc.sched.runqhead; gp != null; gp = gp.schedlink) {
                global.add(gp);
            }
            assertThat(global).as("after Gosched the yielding G must be at the TAIL of the global queue, behind the"
                    + " G that was there. Read %s#gosched (Go: goschedImpl -> globrunqput)", DOC).containsExactly(other, y);
            assertThat(G.statusName(y.status())).as("a yielded G is _Grunnable. Read %s#gosched", DOC).isEqualTo("runnable");
            assertThat(y.m).as("goschedImpl must drop the G from the M (dropg). Read %s#gosched", DOC).isNull();
            assertThat(ring(s.p0())).as("the yielded G must not go to the local queue: only the other local G is"
                    + " there. Read %s#gosched", DOC).containsExactly(local);
            assertThat(s.p0().lvRunnext()).as("nor to runnext. Read %s#gosched", DOC).isNull();
        }
    }

    @Order(7)
    @Test
    @DisplayName("golden trace: a yielding goroutine runs again only after the local queue, new goroutines included")
    @Hint(doc = DOC + "#gosched", go = "goschedImpl: globrunqput, not runqput (proc.go)")
    void goschedGoldenTrace() {
        try (Stepper s = Stepper.boot(1)) {
            List<String> ran = new ArrayList<>();
            s.p0().schedtick = 1; // keep the 61-tick check out of this short trace
            s.go(() -> {
                ran.add("L1");
                Go.go(() -> ran.add("N1"));
                Go.go(() -> ran.add("N2"));
                ran.add("L2");
            });
            s.go(() -> {
                ran.add("X1");
                Go.gosched();
                ran.add("X2");
            });
            s.runUntilIdle(20);
            // X (runnext) yields to the global queue. L runs and spawns N1, N2 (N2 in runnext, N1 kicked to the
            // ring). Only when the local queue is empty does X come back from the global queue.
            assertThat(ran).as("Gosched sends X to the GLOBAL queue, so X runs again only after L and the two"
                    + " goroutines L created; on the local tail X would run before N1, in runnext at once."
                    + " Read %s#gosched (Go: goschedImpl)", DOC)
                    .containsExactly("X1", "L1", "L2", "N2", "N1", "X2");
        }
    }

    @Order(8)
    @Test
    @DisplayName("Go's TestYieldProgress: a goroutine looping on Gosched lets a sleeping main make progress (GOMAXPROCS 1 and 2)")
    @Hint(doc = DOC + "#gosched", go = "TestYieldProgress (proc_test.go)")
    void goTestYieldProgress() {
        // Go's version signals with channels; here two flags, since the test is about the scheduler.
        for (int procs : new int[] {1, 2}) {
            AtomicBoolean stop = new AtomicBoolean();
            AtomicBoolean ack = new AtomicBoolean();
            Harness.run(runtime(procs), Duration.ofSeconds(5), "with GOMAXPROCS " + procs + ", main's 10 ms sleep never"
                    + " ended or the yielder never saw the flag: a G that calls Gosched must go to the global queue and"
                    + " the M must still run due timers (checkTimers at the top of findRunnable). Read " + DOC
                    + "#gosched", () -> {
                        Go.go(() -> {
                            while (!stop.get()) {
                                Go.gosched();
                            }
                            ack.set(true);
                        });
                        Go.sleep(Duration.ofMillis(10));
                        stop.set(true);
                        while (!ack.get()) {
                            Go.gosched();
                        }
                    });
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Deadlock detection

    @Order(9)
    @Test
    @DisplayName("every goroutine parked forever: run() fails with \"fatal error: all goroutines are asleep - deadlock!\" and their wait reasons")
    @Hint(doc = DOC + "#checkdead", go = "checkdead (proc.go)")
    void allAsleepIsADeadlock() {
        GoRuntime rt = runtime(2);
        Throwable thrown = catchThrowable(() -> Harness.run(rt, Duration.ofSeconds(5), "every goroutine is parked for good"
                + " and every M idle, but nobody said so: the last M to go idle (mput) must call checkdead, which must"
                + " fail the program. Read " + DOC + "#checkdead", () -> {
                    Proc proc = rt.proc();
                    Go.go(() -> park(proc, Proc.WAIT_CHAN_RECEIVE));
                    proc.gopark(Proc.getg(), null, Proc.WAIT_SELECT_NO_CASES); // Go's select {}
                }));
        assertThat(thrown).as("a program whose goroutines all wait forever must end with Go's fatal error."
                + " Read %s#checkdead (Go: checkdead)", DOC).isInstanceOf(ProgramCrash.class);
        assertThat(thrown.getMessage())
                .as("the report must read like Go's: the fatal error, then each goroutine with its wait reason."
                        + " Read %s#checkdead", DOC)
                .startsWith("fatal error: all goroutines are asleep - deadlock!")
                .contains("goroutine 1 [select (no cases)]:")
                .contains("goroutine 5 [chan receive]:")
                .as("the runtime's own goroutines (2 to 4, runtime.main's) are not in the report, as Go leaves them out"
                        + " below GOTRACEBACK=system. Read %s#checkdead", DOC)
                .doesNotContain("goroutine 2 ", "goroutine 3 ", "goroutine 4 ");
        Harness.assertNoThreadsLeft(rt);
    }

    @Order(9)
    @Test
    @DisplayName("every M idle and every goroutine parked, but a timer pending: checkdead says nothing, the timer will wake someone")
    @Hint(doc = DOC + "#checkdead", go = "checkdead: \"There are no goroutines running, so we can look at the P's\" (proc.go)")
    void aPendingTimerIsNoDeadlock() {
        // checkdead called by hand, as the last M to go idle calls it: a Proc that is never started,
        // one M on the idle list, one goroutine asleep in time.Sleep and its timer in p0's heap.
        Proc proc = Fixtures.workbench(1);
        P pp = new P(0);
        proc.allp = new P[] {pp};
        proc.allm.add(new M(proc, 1));
        G sleeper = proc.malg();
        sleeper.goid = 1;
        sleeper.setStatus(G._Gwaiting);
        sleeper.waitreason = Proc.WAIT_SLEEP;
        Timer t = new Timer(x -> { }, sleeper);
        t.when = System.nanoTime() + Duration.ofHours(1).toNanos();
        pp.timers.mu.lock();
        try {
            pp.timers.add(t);
        } finally {
            pp.timers.mu.unlock();
        }
        proc.lockSched();
        try {
            proc.sched.nmidle = 1;
            proc.checkdead();
        } finally {
            proc.unlockSched();
        }
        assertThat(proc.crashed()).as("with a timer pending, a parked goroutine will be woken (by the timer's"
                + " function or a goroutine it readies): checkdead must return before it says deadlock."
                + " Read %s#checkdead (Go: checkdead)", DOC).isNull();
        proc.lockSched();
        try {
            pp.timers.mu.lock();
            try {
                pp.timers.remove(t);
            } finally {
                pp.timers.mu.unlock();
            }
            proc.checkdead();
        } finally {
            proc.unlockSched();
        }
        assertThat(proc.crashed()).as("the same state without the timer is a deadlock: checkdead must say so."
                + " Read %s#checkdead", DOC).isNotNull();
        Preempt.exited(proc); // the fatal error ended the program: take it out of the JVM-wide poll word, as rt0go would
        assertThat(proc.crashed().getMessage()).as("Go's words. Read %s#checkdead", DOC)
                .startsWith("fatal error: all goroutines are asleep - deadlock!");
    }

    @Order(10)
    @Test
    @DisplayName("main returning while other goroutines are parked is not a deadlock: run() returns, no thread is left")
    @Hint(doc = DOC + "#checkdead", go = "main returns -> exit(0); checkdead only counts idle Ms")
    void mainReturningIsNotADeadlock() {
        GoRuntime rt = runtime(2);
        Harness.run(rt, Duration.ofSeconds(5), "main waits (with Gosched) for its goroutine (goroutine 5) to park, which never happened."
                + " Read " + DOC + "#gopark", () -> {
                    Proc proc = rt.proc();
                    AtomicReference<G> parked = new AtomicReference<>();
                    Go.go(() -> {
                        parked.set(Proc.getg());
                        park(proc, Proc.WAIT_CHAN_RECEIVE);
                    });
                    while (parked.get() == null || parked.get().status() != G._Gwaiting) {
                        Go.gosched();
                    }
                });
        // Harness.run checked that every M left; reaching here means run() returned normally.
    }

    @Order(11)
    @Test
    @DisplayName("Go.sleep and Go.gosched from a plain Java thread are an IllegalStateException that says why")
    @Hint(doc = DOC + "#sleep", go = "getg(): only a goroutine can sleep or yield")
    @Given("the guard it checks is in the given facade class Go")
    void sleepAndGoschedNeedAGoroutine() {
        assertThatThrownBy(() -> Go.sleep(Duration.ofMillis(1)))
                .as("Go.sleep outside any runtime must fail clearly. Read %s#sleep", DOC)
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("must be called on a goroutine");
        assertThatThrownBy(Go::gosched)
                .as("Go.gosched outside any runtime must fail clearly. Read %s#gosched", DOC)
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("must be called on a goroutine");
    }
}
