package gmp.runtime;

import static gmp.runtime.Fixtures.runtime;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import gmp.workbook.Given;
import gmp.workbook.Harness;
import gmp.workbook.Hint;

/**
 * Chapter 06 end to end: real programs, with sysmon on its own thread and real time. Ports of Go's
 * TestPreemption and TestPingPongHog (proc_test.go), and the two things an idle runtime and an
 * exiting one must do.
 *
 * <p>The bounds are generous on purpose: a preemption takes a 10 ms slice plus up to one 10 ms
 * sysmon delay, and on a loaded 2-core machine a sleeping thread can wake many milliseconds late.
 * What these tests tell apart is "preempted within tens of milliseconds" from "never", so each
 * program that would hang without preemption gets a deadline of seconds and says what is missing.
 */
@Tag("ch06")
@DisplayName("Chapter 06: preemption in real programs")
@Hint(doc = Ch06ProgramsTest.DOC + "#retake", go = "sysmon, retake, preemptone, gopreempt_m (proc.go)")
class Ch06ProgramsTest {
    static final String DOC = "docs/en/06-preemption.md";
    private static final Duration LIMIT = Duration.ofSeconds(15);
    private static final String NO_PREEMPTION = "probably no preemption: a goroutine spinning at a safepoint kept"
            + " its P. Check retake (a slice is 10 ms), preemptone (gp.preempt and the poll word) and gopreempt_m."
            + " Read " + DOC + "#retake";

    @Order(1)
    @Test
    @DisplayName("TestPreemption: on one P, two goroutines that hand over only through preemption both finish")
    @Hint(doc = DOC + "#safepoints", go = "TestPreemption (proc_test.go)")
    void testPreemption() {
        int n = 5;
        AtomicInteger x = new AtomicInteger();
        Harness.run(runtime(1), LIMIT, NO_PREEMPTION, () -> {
            Chan<Boolean> c = Chan.make();
            for (int g = 0; g < 2; g++) {
                int me = g;
                Go.go(() -> {
                    for (int i = 0; i < n; i++) {
                        while (x.get() != me) {
                            Safepoint.poll(); // Go's preempt(): a call, whose prologue checks for a request
                        }
                        x.set(1 - me);
                    }
                    c.send(true);
                });
            }
            c.recv();
            c.recv();
        });
    }

    @Order(2)
    @Test
    @DisplayName("TestPingPongHog: a hog pair and a light pair on one P get counts within a factor of 20")
    @Hint(doc = DOC + "#inherited", go = "TestPingPongHog (proc_test.go); retake preempts a runnext chain as one unit")
    void testPingPongHog() {
        AtomicLong hogCount = new AtomicLong();
        AtomicLong lightCount = new AtomicLong();
        Harness.run(runtime(1), LIMIT, NO_PREEMPTION, () -> {
            Chan<Boolean> done = Chan.make();
            Chan<Boolean> hogChan = Chan.make();
            Chan<Boolean> lightChan = Chan.make();
            for (int i = 0; i < 2; i++) {
                Go.go(() -> pingPong(1_000_000, hogCount, hogChan, done));
            }
            for (int i = 0; i < 2; i++) {
                Go.go(() -> pingPong(1_000, lightCount, lightChan, done));
            }
            hogChan.send(true);
            lightChan.send(true);
            // Go waits 100 ms; three times that leaves room for a loaded machine's late wake-ups.
            Go.sleep(Duration.ofMillis(300));
            done.close();
            hogChan.recv();
            lightChan.recv();
        });
        long hog = hogCount.get();
        long light = lightCount.get();
        int factor = 20;
        assertThat(hog / factor <= light && light / factor <= hog)
                .as("want hogCount/lightCount within a factor of %d, got %d/%d. Each pair hands its P to its"
                        + " buddy through runnext, so a pair shares one slice: only a retake that preempts the"
                        + " whole chain after 10 ms lets the other pair run (the gap is ~1000x without)."
                        + " Read %s#inherited (Go: TestPingPongHog)", factor, hog, light, DOC)
                .isTrue();
    }

    /** One goroutine of a TestPingPongHog pair: on each wake-up, count to limit and wake the buddy. */
    private static void pingPong(int limit, AtomicLong counter, Chan<Boolean> wake, Chan<Boolean> done) {
        boolean[] over = {false};
        while (!over[0]) {
            Select.select(
                    Select.recv(done, v -> over[0] = true),
                    Select.recv(wake, v -> {
                        for (int i = 0; i < limit; i++) {
                            counter.incrementAndGet(); // Go's *counter++, kept a real memory write per step
                        }
                        wake.send(true);
                    }));
        }
    }

    @Order(3)
    @Test
    @DisplayName("an idle runtime's sysmon stops cycling: it sleeps until the next timer")
    @Hint(doc = DOC + "#deep-sleep", go = "sysmon: notetsleep(&sched.sysmonnote, sleep) while every P is idle")
    void anIdleRuntimeLetsSysmonSleep() {
        long[] cycles = new long[2];
        GoRuntime rt = runtime(2);
        Harness.run(rt, () -> {
            // Keep P0 busy for 40 ms first, so that sysmon's delay has grown to 10 ms (about 15 ms of
            // cycles): its few cycles around each wake-up are then 10 ms apart, not 20 us.
            long busyUntil = System.nanoTime() + 40_000_000L;
            while (System.nanoTime() < busyUntil) {
                Thread.onSpinWait();
            }
            cycles[0] = rt.proc().sysmon.cycles;
            Go.sleep(Duration.ofMillis(500));
            cycles[1] = rt.proc().sysmon.cycles;
        });
        assertThat(cycles[1] - cycles[0]).as("while main sleeps 500 ms every P is idle, so sysmon must sleep on its"
                + " note until main's timer instead of cycling every 10 ms (about 50 cycles): an idle runtime costs"
                + " no CPU. Read %s#deep-sleep (Go: sysmon, sysmonwait)", DOC).isLessThanOrEqualTo(10);
    }

    @Order(4)
    @Test
    @Given(value = "abandoning a goroutine at a safepoint once the program is over is given code (Preempt.check)",
            needs = "ch05")
    @DisplayName("after main returns, a goroutine spinning at a safepoint is abandoned there and its M exits")
    @Hint(doc = DOC + "#exit", go = "exit(0) in runtime.main ends the process under every goroutine")
    void aSpinnerIsAbandonedAtExit() {
        AtomicBoolean spinning = new AtomicBoolean();
        GoRuntime rt = runtime(2);
        Harness.run(rt, () -> {
            Go.go(() -> {
                spinning.set(true);
                for (;;) {
                    Safepoint.poll();
                }
            });
            while (!spinning.get()) {
                Go.sleep(Duration.ofMillis(1));
            }
        });
        // Harness.run has checked that every thread of the runtime, the spinner's M too, has exited.
        assertThat(Safepoint.pending()).as("once run() has returned, the runtime takes itself out of the poll word."
                + " Read %s#exit", DOC).isFalse();
    }
}
