package gmp.runtime;

import static gmp.runtime.Fixtures.runtime;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantLock;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import gmp.sync.Mutex;
import gmp.sync.Once;
import gmp.sync.WaitGroup;
import gmp.workbook.Harness;
import gmp.workbook.Given;
import gmp.workbook.Hint;

/**
 * Chapter 05: package sync on park and ready. WaitGroup, Mutex and Once are given code, built as
 * Go builds them on the runtime's semaphore ({@link Sema}): a goroutine that must wait parks, with
 * Go's wait reason, and the goroutine that lets it go readies it. These tests pass once gopark and
 * goready work; they show what the chapter's two functions make possible, and why goroutine code
 * must not hold a Java lock across a park.
 */
// The chapter's place in a run of every chapter, so that the hint follows the doc's order.
@Order(54)
@Tag("ch05")
@DisplayName("Chapter 05: WaitGroup, Mutex and Once on park and ready")
@Hint(doc = Ch05SyncTest.DOC + "#sync", go = "semacquire, semrelease (sema.go); package sync")
class Ch05SyncTest {
    static final String DOC = "docs/en/05-parking.md";
    private static final Duration LIMIT = Duration.ofSeconds(5);
    private static final String LOST_WAKEUP = "a goroutine parked in a WaitGroup, Mutex or sleep was never"
            + " readied: gopark must leave the G _Gwaiting before its unlock function runs (" + DOC + "#gopark),"
            + " goready must queue it on the waker's P (" + DOC + "#goready), and an idle M must wake up for the"
            + " earliest timer (" + DOC + "#idle-timers)";


    // ---------------------------------------------------------------------------------------------
    // WaitGroup

    @Order(1)
    @Test
    @DisplayName("WaitGroup: await returns once every goroutine has called done (100 goroutines, GOMAXPROCS 4)")
    @Hint(doc = DOC + "#sync", go = "sync.WaitGroup.Wait -> runtime_Semacquire -> gopark")
    void waitGroupWaitsForAll() {
        AtomicInteger finished = new AtomicInteger();
        int[] seen = {-1};
        Harness.run(runtime(4), LIMIT, LOST_WAKEUP, () -> {
            WaitGroup wg = new WaitGroup();
            wg.add(100);
            for (int i = 0; i < 100; i++) {
                long d = 1 + i % 3;
                Go.go(() -> {
                    Go.sleep(Duration.ofMillis(d));
                    finished.incrementAndGet();
                    wg.done();
                });
            }
            wg.await();
            seen[0] = finished.get();
        });
        assertThat(seen[0]).as("await must return only after all 100 goroutines called done. Read %s#sync", DOC)
                .isEqualTo(100);
    }

    @Order(2)
    @Test
    @DisplayName("WaitGroup: await with a zero counter returns at once, without yielding; with a positive one it parks until done")
    @Hint(doc = DOC + "#sync", go = "sync.WaitGroup.Wait: if v == 0 { return }")
    void waitGroupZeroCounterDoesNotPark() {
        List<String> ran = new CopyOnWriteArrayList<>();
        Harness.run(runtime(1), LIMIT, LOST_WAKEUP, () -> {
            WaitGroup wg = new WaitGroup();
            Go.go(() -> ran.add("B"));
            wg.await();
            ran.add("main: await at 0 returned");
            wg.add(1);
            Go.go(() -> {
                ran.add("C calls done");
                wg.done();
            });
            wg.await();
            ran.add("main: await at 1 returned");
        });
        assertThat(ran).as("on one P: await at 0 must not yield (B, queued, does not run first); await at 1 must park"
                + " main until C's done readies it, into C's runnext, so main runs before B. Read %s#goready", DOC)
                .containsExactly("main: await at 0 returned", "C calls done", "main: await at 1 returned");
    }

    @Order(3)
    @Test
    @DisplayName("WaitGroup: a negative counter panics with \"sync: negative WaitGroup counter\"")
    @Hint(doc = DOC + "#sync", go = "sync.WaitGroup.Add: panic(\"sync: negative WaitGroup counter\")")
    @Given(value = "WaitGroup is given code, and a done on a zero counter panics before any of yours runs",
            needs = "ch02")
    void waitGroupNegativeCounterPanics() {
        AtomicReference<Throwable> caught = new AtomicReference<>();
        Harness.run(runtime(1), LIMIT, LOST_WAKEUP, () -> {
            try {
                new WaitGroup().done();
            } catch (GoPanic p) {
                caught.set(p);
            }
        });
        assertThat(caught.get()).as("done on a zero counter is a panic (a goroutine may recover from it)."
                + " Read %s#sync", DOC).isInstanceOf(GoPanic.class).hasMessage("sync: negative WaitGroup counter");
        Throwable uncaught = catchThrowable(() -> Harness.run(runtime(1), LIMIT, LOST_WAKEUP,
                () -> new WaitGroup().add(-1)));
        assertThat(uncaught).as("uncaught, it ends the program with Go's report. Read %s#sync", DOC)
                .isInstanceOf(ProgramCrash.class).hasMessageStartingWith("panic: sync: negative WaitGroup counter");
    }

    @Order(4)
    @Test
    @DisplayName("WaitGroup: fifty waiters park with reason \"semacquire\" and all wake at the last done")
    @Hint(doc = DOC + "#sync", go = "sync.WaitGroup.Add: runtime_Semrelease once per waiter")
    void waitGroupManyWaiters() {
        int n = 50;
        List<String> reasons = new ArrayList<>();
        AtomicInteger released = new AtomicInteger();
        Harness.run(runtime(2), LIMIT, LOST_WAKEUP, () -> {
            WaitGroup gate = new WaitGroup();
            WaitGroup back = new WaitGroup();
            gate.add(1);
            back.add(n);
            List<G> waiters = new CopyOnWriteArrayList<>();
            for (int i = 0; i < n; i++) {
                Go.go(() -> {
                    waiters.add(Proc.getg());
                    gate.await();
                    released.incrementAndGet();
                    back.done();
                });
            }
            while (waiters.size() < n || !waiters.stream().allMatch(g -> g.status() == G._Gwaiting)) {
                Go.gosched();
            }
            for (G gp : waiters) {
                reasons.add(gp.waitreason);
            }
            gate.done();
            back.await();
        });
        assertThat(reasons).as("a goroutine in WaitGroup.await is parked with Go's wait reason \"semacquire\"."
                + " Read %s#gopark", DOC).hasSize(n).containsOnly(Sema.SEMACQUIRE);
        assertThat(released.get()).as("the last done must wake every waiter. Read %s#sync", DOC).isEqualTo(n);
    }

    // ---------------------------------------------------------------------------------------------
    // Mutex

    @Order(5)
    @Test
    @DisplayName("Mutex: 8 goroutines x 1000 increments of a plain int on GOMAXPROCS 4, some yielding inside, lose nothing")
    @Hint(doc = DOC + "#sync", go = "sync.Mutex.Lock -> runtime_SemacquireMutex -> gopark")
    void mutexExcludes() {
        int goroutines = 8;
        int rounds = 1000;
        int[] counter = new int[1];
        Harness.run(runtime(4), LIMIT, LOST_WAKEUP, () -> {
            Mutex mu = new Mutex();
            WaitGroup wg = new WaitGroup();
            wg.add(goroutines);
            for (int i = 0; i < goroutines; i++) {
                Go.go(() -> {
                    for (int k = 0; k < rounds; k++) {
                        mu.lock();
                        int v = counter[0];
                        if (k % 50 == 0) {
                            Go.gosched(); // hold the mutex across a yield: the others must park, not enter
                        }
                        counter[0] = v + 1;
                        mu.unlock();
                    }
                    wg.done();
                });
            }
            wg.await();
        });
        assertThat(counter[0]).as("a Mutex must let one goroutine at a time in: every increment must count."
                + " Read %s#sync", DOC).isEqualTo(goroutines * rounds);
    }

    @Order(6)
    @Test
    @DisplayName("Mutex: tryLock never waits: false while another goroutine holds the mutex, true once it is free")
    @Hint(doc = DOC + "#sync", go = "sync.Mutex.TryLock")
    void mutexTryLock() {
        List<Boolean> got = new ArrayList<>();
        Harness.run(runtime(1), LIMIT, LOST_WAKEUP, () -> {
            Mutex mu = new Mutex();
            AtomicBoolean holds = new AtomicBoolean();
            AtomicBoolean release = new AtomicBoolean();
            AtomicBoolean released = new AtomicBoolean();
            Go.go(() -> {
                mu.lock();
                holds.set(true);
                while (!release.get()) {
                    Go.gosched();
                }
                mu.unlock();
                released.set(true);
            });
            while (!holds.get()) {
                Go.gosched();
            }
            got.add(mu.tryLock());
            release.set(true);
            while (!released.get()) {
                Go.gosched();
            }
            got.add(mu.tryLock());
            mu.unlock();
        });
        assertThat(got).as("tryLock must fail, without waiting, while the other goroutine holds the mutex, and succeed once"
                + " it unlocked. Read %s#sync", DOC).containsExactly(false, true);
    }

    @Order(7)
    @Test
    @DisplayName("Mutex: waiters park with reason \"sync.Mutex.Lock\" and get the mutex in arrival order (hand-off)")
    @Hint(doc = DOC + "#sync", go = "sync.Mutex starvation mode: semrelease(handoff=true)")
    void mutexHandsOffInFifoOrder() {
        List<String> arrived = new CopyOnWriteArrayList<>();
        List<String> got = new CopyOnWriteArrayList<>();
        List<String> reasons = new ArrayList<>();
        Harness.run(runtime(1), LIMIT, LOST_WAKEUP, () -> {
            Mutex mu = new Mutex();
            WaitGroup wg = new WaitGroup();
            mu.lock();
            List<G> waiters = new CopyOnWriteArrayList<>();
            for (String name : List.of("W1", "W2", "W3")) {
                wg.add(1);
                Go.go(() -> {
                    waiters.add(Proc.getg());
                    arrived.add(name);
                    mu.lock();
                    got.add(name);
                    mu.unlock();
                    wg.done();
                });
            }
            while (waiters.size() < 3 || !waiters.stream().allMatch(g -> g.status() == G._Gwaiting)) {
                Go.gosched();
            }
            for (G gp : waiters) {
                reasons.add(gp.waitreason);
            }
            mu.unlock();
            wg.await();
        });
        assertThat(reasons).as("a goroutine blocked in Mutex.lock is parked with Go's wait reason \"sync.Mutex.Lock\"."
                + " Read %s#gopark", DOC).containsOnly(Sema.SYNC_MUTEX_LOCK).hasSize(3);
        assertThat(got).as("unlock hands the mutex to the longest waiter: first come, first served. Read %s#sync", DOC)
                .containsExactlyElementsOf(arrived);
    }

    @Order(8)
    @Test
    @DisplayName("Mutex: unlock of an unlocked mutex is a fatal error: run() fails even though the goroutine catches Throwable")
    @Hint(doc = DOC + "#sync", go = "sync.Mutex.Unlock: fatal(\"sync: unlock of unlocked mutex\")")
    void unlockOfUnlockedIsFatal() {
        AtomicReference<Throwable> caught = new AtomicReference<>();
        AtomicBoolean mainResumed = new AtomicBoolean();
        GoRuntime rt = runtime(1);
        Throwable thrown = catchThrowable(() -> Harness.run(rt, LIMIT, LOST_WAKEUP, () -> {
            Mutex mu = new Mutex();
            WaitGroup wg = new WaitGroup();
            wg.add(1);
            Go.go(() -> {
                try {
                    mu.unlock();
                } catch (Throwable t) { // a goroutine can catch the Error, but not save the program
                    caught.set(t);
                }
                wg.done();
            });
            wg.await();
            mainResumed.set(true);
        }));
        assertThat(thrown).as("a fatal error ends the program whatever the goroutines catch. Read %s#sync", DOC)
                .isInstanceOf(ProgramCrash.class);
        assertThat(thrown.getMessage()).as("Go's report: the fatal error, then the goroutines. Read %s#sync", DOC)
                .startsWith("fatal error: sync: unlock of unlocked mutex")
                .contains("goroutine 1 [semacquire]:")
                .contains("goroutine 5 [running]:"); // 2 to 4: the runtime's own, left out of the report as in Go
        assertThat(caught.get()).as("the goroutine that unlocked must be stopped by an Error. Read %s#sync", DOC)
                .isInstanceOf(Error.class);
        assertThat(mainResumed.get()).as("after a fatal error no goroutine runs on, not even one that was readied."
                + " Read %s#sync", DOC).isFalse();
        Harness.assertNoThreadsLeft(rt);
    }

    @Order(9)
    @Test
    @DisplayName("Mutex: locking it twice in one goroutine is Go's classic \"all goroutines are asleep - deadlock!\"")
    @Hint(doc = DOC + "#checkdead", go = "checkdead (proc.go)")
    void doubleLockDeadlocks() {
        GoRuntime rt = runtime(1);
        Throwable thrown = catchThrowable(() -> Harness.run(rt, LIMIT, "main waits for a mutex it holds"
                + " itself and nothing else runs, but no deadlock was reported: the last M to go idle must call"
                + " checkdead. Read " + DOC + "#checkdead", () -> {
                    Mutex mu = new Mutex();
                    mu.lock();
                    mu.lock();
                }));
        assertThat(thrown).as("a deadlock is a fatal error of the program. Read %s#checkdead", DOC)
                .isInstanceOf(ProgramCrash.class);
        assertThat(thrown.getMessage()).as("Go's report names main's wait reason. Read %s#checkdead", DOC)
                .startsWith("fatal error: all goroutines are asleep - deadlock!")
                .contains("goroutine 1 [sync.Mutex.Lock]:");
    }

    // ---------------------------------------------------------------------------------------------
    // Once

    @Order(10)
    @Test
    @DisplayName("Once: twenty concurrent callers, one call of the action, and every caller returns after it finished")
    @Hint(doc = DOC + "#sync", go = "sync.Once.Do, doSlow")
    void onceRunsOnce() {
        AtomicInteger calls = new AtomicInteger();
        AtomicInteger value = new AtomicInteger();
        List<Integer> seen = new CopyOnWriteArrayList<>();
        Harness.run(runtime(4), LIMIT, LOST_WAKEUP, () -> {
            Once once = new Once();
            WaitGroup wg = new WaitGroup();
            wg.add(20);
            for (int i = 0; i < 20; i++) {
                Go.go(() -> {
                    once.run(() -> {
                        calls.incrementAndGet();
                        Go.sleep(Duration.ofMillis(20)); // the others arrive meanwhile and must wait
                        value.set(42);
                    });
                    seen.add(value.get());
                    wg.done();
                });
            }
            wg.await();
        });
        assertThat(calls.get()).as("the action must run exactly once. Read %s#sync", DOC).isEqualTo(1);
        assertThat(seen).as("every caller must return only after the action finished, so all see its result."
                + " Read %s#sync", DOC).hasSize(20).containsOnly(42);
    }

    // ---------------------------------------------------------------------------------------------
    // Java locks in goroutines

    /**
     * Goroutine B takes {@code lock} on one M and parks; goroutine C then occupies the other P, so
     * that the waker's P, and so m0, runs B when it resumes. B then calls {@code unlock} on m0.
     * Returns what B saw: [the M it locked on, the M it unlocked on, what unlock threw or null].
     */
    private static List<Object> lockParkUnlockElsewhere(Runnable lock, Runnable unlock) {
        List<Object> seen = new ArrayList<>();
        Harness.run(runtime(2), LIMIT, LOST_WAKEUP, () -> {
            Sema bWaits = new Sema(0);
            Sema mainWaits = new Sema(0);
            AtomicReference<G> b = new AtomicReference<>();
            AtomicBoolean cRuns = new AtomicBoolean();
            AtomicBoolean cStop = new AtomicBoolean();
            Go.go(() -> {
                b.set(Proc.getg());
                lock.run();
                seen.add(Proc.getg().m);
                bWaits.acquire(Sema.SEMACQUIRE); // park while holding the lock
                seen.add(Proc.getg().m);
                Throwable failed = null;
                try {
                    unlock.run();
                } catch (Throwable t) {
                    failed = t;
                }
                seen.add(failed);
                cStop.set(true);
                mainWaits.release();
            });
            // main keeps p0 busy, so another M steals B and runs it: B locks on that M. From chapter 06
            // on, sysmon would preempt main, which spins here for more than a slice, at its next go
            // statement, and main might come back on B's M: so main is not preemptible (Go's
            // m.preemptoff) until it has readied B into p0's runnext.
            M m0 = Proc.getg().m;
            m0.preemptoff = "the test's setup";
            Spin.until(() -> b.get() != null && b.get().status() == G._Gwaiting, "B to park");
            Go.go(() -> {
                cRuns.set(true);
                Spin.until(cStop::get, "B to finish"); // hold the other P: nobody can steal B from p0
            });
            Spin.until(cRuns::get, "C to run on the other P");
            bWaits.release();              // B goes into p0's runnext...
            m0.preemptoff = "";
            mainWaits.acquire(Sema.SEMACQUIRE); // ...and runs on m0 as soon as main parks
        });
        return seen;
    }

    @Order(11)
    @Test
    @DisplayName("a ReentrantLock held across a park breaks: the goroutine resumes on another M and unlock() throws IllegalMonitorStateException")
    @Hint(doc = DOC + "#java-locks", go = "(Java) a goroutine migrates between Ms; use gmp.sync.Mutex")
    void reentrantLockAcrossAParkFails() {
        ReentrantLock rl = new ReentrantLock();
        List<Object> seen = lockParkUnlockElsewhere(rl::lock, rl::unlock);
        assertThat(seen.get(0)).as("setup: B must have resumed on another M than the one it locked on").isNotSameAs(seen.get(1));
        assertThat(seen.get(2)).as("a ReentrantLock belongs to the THREAD that locked it. B locked it on %s, parked and"
                + " resumed on %s, where unlock() must fail. (Blocking on a Java lock also blocks the whole M and its P.)"
                + " Hold a gmp.sync.Mutex across a park instead. Read %s#java-locks", seen.get(0), seen.get(1), DOC)
                .isInstanceOf(IllegalMonitorStateException.class);
    }

    @Order(12)
    @Test
    @DisplayName("a gmp.sync.Mutex held across a park is fine: it belongs to no thread, and unlocks on another M")
    @Hint(doc = DOC + "#java-locks", go = "sync.Mutex is not associated with a goroutine or thread")
    void mutexAcrossAParkWorks() {
        Mutex mu = new Mutex();
        List<Object> seen = lockParkUnlockElsewhere(mu::lock, mu::unlock);
        assertThat(seen.get(0)).as("setup: B must have resumed on another M than the one it locked on").isNotSameAs(seen.get(1));
        assertThat(seen.get(2)).as("a gmp.sync.Mutex may be unlocked on any M (in Go, even by another goroutine)."
                + " Read %s#java-locks", DOC).isNull();
    }

    @Order(13)
    @Test
    @DisplayName("WaitGroup, Mutex and Once from a plain Java thread are an IllegalStateException that says why")
    @Hint(doc = DOC + "#sync", go = "(Java) package sync works on goroutines only")
    @Given("the guard it checks is in the given classes WaitGroup, Mutex and Once")
    void syncNeedsAGoroutine() {
        WaitGroup wg = new WaitGroup();
        Mutex mu = new Mutex();
        Once once = new Once();
        for (Runnable call : List.<Runnable>of(() -> wg.add(1), wg::await, mu::lock, mu::tryLock, mu::unlock,
                () -> once.run(() -> { }))) {
            assertThatThrownBy(call::run).as("package sync outside any runtime must fail clearly. Read %s#sync", DOC)
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("must be called on a goroutine");
        }
    }
}
