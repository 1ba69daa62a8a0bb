package gmp.runtime;

import static gmp.runtime.Fixtures.runtime;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import gmp.runtime.trace.Event;
import gmp.runtime.trace.EventKind;
import gmp.workbook.Given;
import gmp.workbook.Harness;
import gmp.workbook.Hint;

/**
 * Chapter 07 end to end: real programs whose goroutines block their threads in real Java calls
 * inside the syscall bracket, with sysmon on its own thread and real time. Ports of Go's
 * TestPreemptionAfterSyscall and TestTimerFairness2 (proc_test.go), and what threads a program
 * with blocking syscalls has, and keeps, and leaves behind.
 *
 * <p>The bounds are generous on purpose: sysmon retakes a P within a few of its delays (20 us to
 * 10 ms), and on a loaded 2-core machine a thread can wake many milliseconds late. What these tests
 * tell apart is "the others ran while the call blocked" from "they waited for it", so each one
 * waits for an event, not for a time, and gets a deadline of seconds that says what is missing.
 */
@Tag("ch07")
@DisplayName("Chapter 07: syscalls in real programs")
@Hint(doc = Ch07ProgramsTest.DOC + "#retake-syscall", go = "entersyscall, exitsyscall, retake, handoffp (proc.go)")
class Ch07ProgramsTest {
    static final String DOC = "docs/en/07-syscalls.md";
    private static final Duration LIMIT = Duration.ofSeconds(15);
    private static final String NO_HANDOFF = "probably no hand-off: a goroutine blocked in a syscall kept the only P."
            + " Check entersyscall (the P in _Psyscall), retake's syscall half (two looks) and handoffp (startm)."
            + " Read " + DOC + "#retake-syscall";

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    @Order(1)
    @Test
    @DisplayName("GOMAXPROCS 1: while one goroutine blocks 50 ms in a syscall, another runs on another M")
    @Hint(doc = DOC + "#retake-syscall", go = "retake: a P in the same syscall on two looks is handed off (handoffp -> startm)")
    void othersRunDuringABlockingSyscall() {
        AtomicLong during = new AtomicLong();
        AtomicReference<M> blockedM = new AtomicReference<>();
        AtomicReference<M> otherM = new AtomicReference<>();
        GoRuntime rt = GoRuntime.builder().gomaxprocs(1).env(Map.of()).recordTrace().build();
        AtomicLong blockerGoid = new AtomicLong();
        Harness.run(rt, LIMIT, NO_HANDOFF, () -> {
            AtomicBoolean inCall = new AtomicBoolean();
            AtomicBoolean returned = new AtomicBoolean();
            Chan<Boolean> done = Chan.make(1);
            Go.go(() -> {
                blockerGoid.set(Go.goid());
                blockedM.set(Proc.getg().m);
                Go.syscall(() -> {
                    inCall.set(true);
                    sleep(50);
                });
                returned.set(true);
                done.send(true);
            });
            while (!inCall.get()) {
                Go.gosched();
            }
            while (!returned.get()) {
                otherM.set(Proc.getg().m);
                during.incrementAndGet();
                Go.gosched();
            }
            done.recv();
        });
        assertThat(during.get()).as("main must run while goroutine %d blocks 50 ms in a syscall on the only P: sysmon"
                + " must retake the P (same syscalltick on two looks) and handoffp must start an M for main."
                + " Read %s#retake-syscall", blockerGoid.get(), DOC).isPositive();
        assertThat(otherM.get()).as("and main ran on another M: the blocked M's thread is busy in the call."
                + " Read %s#why", DOC).isNotSameAs(blockedM.get());
        List<Event> events = rt.proc().trace.events();
        assertThat(events).as("the trace must show sysmon taking the P (ProcSteal). Read %s#trace", DOC)
                .anyMatch(e -> e.kind() == EventKind.ProcSteal);
        Event end = events.stream().filter(e -> e.g() == blockerGoid.get()
                && (e.kind() == EventKind.GoSyscallEnd || e.kind() == EventKind.GoSyscallEndBlocked)).findFirst().orElseThrow();
        assertThat(end.kind()).as("its P was taken and the other goroutine held it when the call returned: the goroutine"
                + " cannot go on at once (GoSyscallEndBlocked). Read %s#exitsyscall0", DOC)
                .isEqualTo(EventKind.GoSyscallEndBlocked);
        assertThat(end.p()).as("no P was free, so it left the syscall with no P and went to the global run queue"
                + " (exitsyscall0 on g0), not onto a P. Read %s#exitsyscall0", DOC).isEqualTo(-1);
    }

    @Order(2)
    @Test
    @DisplayName("TestPreemptionAfterSyscall: 8 goroutines in a loop of 10 us, 100 us and 1 ms syscalls on 2 Ps all stop in time")
    @Hint(doc = DOC + "#retake-syscall", go = "TestPreemptionAfterSyscall (proc_test.go)")
    void testPreemptionAfterSyscall() {
        for (long us : new long[] {10, 100, 1000}) {
            long nanos = us * 1_000;
            int nroutines = 8;
            Duration maxDuration = Duration.ofSeconds(5);
            AtomicLong took = new AtomicLong();
            // Go runs 10 iterations, 1 with -short; one each keeps this chapter's tests fast.
            Harness.run(runtime(2), LIMIT, NO_HANDOFF + " (syscalls of " + us + " us)", () -> {
                Chan<Boolean> c = Chan.make(nroutines);
                AtomicBoolean stop = new AtomicBoolean();
                long start = System.nanoTime();
                for (int g = 0; g < nroutines; g++) {
                    Go.go(() -> {
                        c.send(true);
                        while (!stop.get()) {
                            Go.syscall(() -> {
                                for (long t0 = System.nanoTime(); System.nanoTime() - t0 < nanos; ) {
                                    Thread.onSpinWait(); // Go's fakeSyscall: spin inside the bracket
                                }
                            });
                        }
                        c.send(true);
                    });
                }
                for (int g = 0; g < nroutines; g++) {
                    c.recv();
                }
                stop.set(true);
                for (int g = 0; g < nroutines; g++) {
                    c.recv();
                }
                took.set(System.nanoTime() - start);
            });
            assertThat(Duration.ofNanos(took.get())).as("with syscalls of %d us, 8 goroutines that never block must still"
                    + " let all the others start and main run (Go: under 5 s): sysmon retakes the P of a syscall that"
                    + " outlasts a slice, and a goroutine back from one honours its preempt request. Read %s#retake-syscall",
                    us, DOC).isLessThan(maxDuration);
        }
    }

    @Order(3)
    @Test
    @DisplayName("TestTimerFairness2: two goroutines that syscall and ping-pong still see their 20 ms timers fire")
    @Hint(doc = DOC + "#retake-syscall", go = "TestTimerFairness2 (proc_test.go), with the syscall bracket for syscall.Read")
    void testTimerFairness2() {
        Harness.run(runtime(2), LIMIT,
                "probably the timers never fired: two goroutines that loop through a syscall and a channel starved them."
                        + " Read " + DOC + "#retake-syscall", () -> {
                    Chan<Boolean> done = Chan.make();
                    Chan<Boolean> c = Chan.make();
                    for (int i = 0; i < 2; i++) {
                        Go.go(() -> {
                            Chan<Instant> timer = Time.after(Duration.ofMillis(20));
                            AtomicBoolean over = new AtomicBoolean();
                            while (!over.get()) {
                                Go.syscall(() -> { }); // syscall.Read(0, buf[0:0]): a call that returns at once
                                Select.select(Select.send(c, true), Select.recv(c),
                                        Select.recv(timer, t -> over.set(true)));
                            }
                            done.send(true);
                        });
                    }
                    done.recv();
                    done.recv();
                });
    }

    @Order(4)
    @Test
    @DisplayName("blocked syscalls make new Ms; once they return the Ms are idle, and the next syscalls reuse them")
    @Hint(doc = DOC + "#threads", go = "startm: mget() before newm; schedtrace: threads=mcount(), idlethreads=sched.nmidle")
    void msAreReused() {
        GoRuntime rt = runtime(1);
        AtomicReference<String> after1 = new AtomicReference<>();
        AtomicInteger ms1 = new AtomicInteger();
        AtomicInteger ms2 = new AtomicInteger();
        Harness.run(rt, LIMIT, NO_HANDOFF, () -> {
            for (int round = 0; round < 2; round++) {
                Chan<Boolean> done = Chan.make(3);
                // Each call returns once all three are inside one (or after 10 s): they overlap
                // however slowly a loaded machine runs them, which a fixed sleep did not promise.
                CountDownLatch inCalls = new CountDownLatch(3);
                for (int i = 0; i < 3; i++) {
                    Go.go(() -> {
                        Go.syscallBlock(() -> {
                            inCalls.countDown();
                            try {
                                inCalls.await(10, TimeUnit.SECONDS);
                            } catch (InterruptedException e) {
                                Thread.currentThread().interrupt();
                            }
                        });
                        done.send(true);
                    });
                }
                for (int i = 0; i < 3; i++) {
                    done.recv();
                }
                Go.sleep(Duration.ofMillis(5)); // let the Ms that found nothing to do park
                if (round == 0) {
                    ms1.set(rt.proc().allm.size());
                    after1.set(rt.proc().schedtrace(false));
                } else {
                    ms2.set(rt.proc().allm.size());
                }
            }
        });
        assertThat(ms1.get()).as("three goroutines blocked in syscalls at once on GOMAXPROCS 1: each hand-off needs an M"
                + " that is not blocked, so the runtime must have started Ms (at least 4: three in calls, one running)."
                + " Read %s#threads", DOC).isGreaterThanOrEqualTo(4);
        Matcher threads = Pattern.compile("threads=(\\d+) .*idlethreads=(\\d+)").matcher(after1.get());
        assertThat(threads.find()).as("schedtrace prints threads= and idlethreads=: %s", after1.get()).isTrue();
        assertThat(Integer.parseInt(threads.group(1))).as("schedtrace's threads= counts every M and sysmon: %s. Read %s#threads",
                after1.get(), DOC).isEqualTo(ms1.get() + 1);
        assertThat(Integer.parseInt(threads.group(2))).as("after the calls returned, all but the running M are idle (on the"
                + " idle M list), and schedtrace's idlethreads= says so: %s. Read %s#threads", after1.get(), DOC)
                .isGreaterThanOrEqualTo(2);
        assertThat(ms2.get()).as("the second round of three blocking syscalls must reuse the idle Ms (startm takes an idle"
                + " M before it makes a thread): without reuse it makes three more; one more can be honest (a spinning M"
                + " the first round happened not to need). Read %s#threads (Go: mget)", DOC).isLessThan(ms1.get() + 3);
    }

    @Order(5)
    @Test
    @DisplayName("more Ms than sched.maxmcount: the program dies with Go's \"thread exhaustion\"")
    @Hint(doc = DOC + "#threads", go = "checkmcount: throw(\"thread exhaustion\")")
    void threadExhaustion() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        GoRuntime rt = GoRuntime.builder().gomaxprocs(1).env(Map.of())
                .traceTo(new PrintStream(err, true, StandardCharsets.UTF_8)).build();
        rt.proc().sched.maxmcount = 4;
        assertThatThrownBy(() -> Harness.run(rt, LIMIT, "probably no limit on Ms: the program should have died", () -> {
            for (int i = 0; i < 6; i++) {
                Go.go(() -> Go.syscallBlock(() -> sleep(200)));
            }
            Go.sleep(Duration.ofSeconds(5));
        })).as("m0, sysmon and two more Ms fill a limit of 4; the next blocked syscall needs a fifth M: Go's checkmcount"
                + " kills the program. Read %s#threads", DOC)
                .isInstanceOf(ProgramCrash.class).hasMessageContaining("fatal error: thread exhaustion");
        assertThat(err.toString(StandardCharsets.UTF_8)).as("Go prints the limit first. Read %s#threads", DOC)
                .contains("runtime: program exceeds 4-thread limit");
    }

    @Order(6)
    @Test
    @DisplayName("after run() returns every M has exited, except one still blocked in a syscall, which exits when the call returns")
    @Hint(doc = DOC + "#exit", go = "exit(0) ends a Go process with its syscalls; here the M leaves at exitsyscall")
    void anMInASyscallExitsWhenTheCallReturns() {
        CountDownLatch release = new CountDownLatch(1);
        AtomicReference<Thread> blocked = new AtomicReference<>();
        GoRuntime rt = runtime(1);
        String prefix = rt.threadNamePrefix();
        assertTimeoutPreemptively(Duration.ofSeconds(20), () -> {
            try {
                Thread caller = Thread.currentThread();
                rt.run(() -> {
                    AtomicBoolean in = new AtomicBoolean();
                    Go.go(() -> Go.syscall(() -> {
                        blocked.set(Thread.currentThread());
                        in.set(true);
                        try {
                            release.await();
                        } catch (InterruptedException e) {
                            throw new AssertionError("the runtime interrupted a syscall at exit", e);
                        }
                    }));
                    // Hand P0 to another M, which runs the goroutine above, so that it blocks on that M and
                    // not on m0 (run()'s own thread, which cannot return while it is blocked).
                    Go.syscallBlock(() -> sleep(20));
                    while (!in.get()) {
                        Go.gosched();
                    }
                });
                Thread t = blocked.get();
                assertThat(t).as("setup: the goroutine must block on an M other than m0").isNotSameAs(caller);
                assertThat(t.isAlive()).as("run() returned while the M was still blocked in the call: the runtime does not"
                        + " interrupt a syscall (an interrupt would close a FileChannel under the program). Read %s#exit", DOC)
                        .isTrue();
                for (Thread other : Thread.getAllStackTraces().keySet()) {
                    if (other != t && other.getName().startsWith(prefix)) {
                        other.join(5_000);
                        assertThat(other.isAlive()).as("every other thread of the runtime has exited once run() returned:"
                                + " %s did not. Read %s#exit", other.getName(), DOC).isFalse();
                    }
                }
                release.countDown();
                t.join(5_000);
                assertThat(t.isAlive()).as("once its call returns, the M must exit (exitsyscall abandons the goroutine: the"
                        + " program is over). Read %s#exit", DOC).isFalse();
            } finally {
                release.countDown();
            }
        }, "the program or its blocked M did not end: probably exitsyscall does not notice that the program is over");
    }

    @Order(7)
    @Test
    @Given(value = "sysmon's report of a blocking Java call outside the bracket is given code (Sysmon.checkBlockedHolder)",
            needs = "ch06")
    @DisplayName("a goroutine that blocks in Thread.sleep without the bracket is reported once, with its id and where")
    @Hint(doc = DOC + "#blocking-jdk-calls", go = "none: Go has no such trap (sysmon here notices an M blocked while it holds a P)")
    void aBlockingCallOutsideTheBracketIsReported() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        GoRuntime rt = GoRuntime.builder().gomaxprocs(1).env(Map.of())
                .traceTo(new PrintStream(err, true, StandardCharsets.UTF_8)).build();
        AtomicLong goid = new AtomicLong();
        Harness.run(rt, LIMIT, "probably a hang in sysmon's report", () -> {
            Chan<Boolean> done = Chan.make();
            Go.go(() -> {
                goid.set(Go.goid());
                sleep(120); // the trap: no Go.syscall around it
                sleep(60);
                done.send(true);
            });
            done.recv();
        });
        String out = err.toString(StandardCharsets.UTF_8);
        assertThat(out).as("sysmon must report the goroutine that held its P while blocked in Thread.sleep."
                + " Read %s#blocking-jdk-calls", DOC)
                .contains("goroutine " + goid.get() + " has held P0").contains("java.lang.Thread.sleep")
                .contains(Ch07ProgramsTest.class.getName());
        assertThat(out.split("has held", -1)).as("once per program, not once per sysmon cycle: %s", out).hasSize(2);
    }

    @Order(8)
    @Test
    @DisplayName("the same sleep inside Go.syscall is not reported: the bracket gave the P up")
    @Hint(doc = DOC + "#blocking-jdk-calls", go = "entersyscall: the P is _Psyscall, not _Prunning")
    void aBracketedCallIsNotReported() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        GoRuntime rt = GoRuntime.builder().gomaxprocs(1).env(Map.of())
                .traceTo(new PrintStream(err, true, StandardCharsets.UTF_8)).build();
        Harness.run(rt, LIMIT, NO_HANDOFF, () -> Go.syscall(() -> sleep(60)));
        assertThat(err.toString(StandardCharsets.UTF_8)).as("a call inside Go.syscall is a syscall, not a trap."
                + " Read %s#blocking-jdk-calls", DOC).doesNotContain("has held");
    }
}
