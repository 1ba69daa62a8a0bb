package gmp.runtime;

import static gmp.runtime.Fixtures.runtime;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import gmp.sync.WaitGroup;
import gmp.workbook.Harness;
import gmp.workbook.Hint;

/**
 * Chapter 05: Go 1.23's timers on the per-P timer heap: After, NewTimer with Stop and Reset,
 * AfterFunc, Ticker, and timer cases in select, with ports of Go's own tests (time/sleep_test.go
 * TestAfterFunc, TestAfterQueuing, TestAfterFuncStarvation; runtime/proc_test.go TestTimerFairness).
 * The API is given code ({@link Time}); it works once the chapter's heap, checkTimers and the idle
 * wait for the earliest timer do.
 */
@Tag("ch05")
@DisplayName("Chapter 05: timers, tickers and AfterFunc (Go 1.23)")
@Hint(doc = Ch05TimeApiTest.DOC + "#time", go = "time.NewTimer, Stop, Reset, AfterFunc, NewTicker (time.go, sleep.go)")
class Ch05TimeApiTest {
    static final String DOC = "docs/en/05-parking.md";
    private static final Duration LIMIT = Duration.ofSeconds(15);
    private static final String LOST = "a timer that never fired: its entry must be in a P's heap, and an idle M must"
            + " sleep until the earliest timer and run it (" + DOC + "#checktimers, " + DOC + "#idle-timers)";

    @Order(1)
    @Test
    @DisplayName("Go's TestAfterFunc: ten AfterFunc(0) callbacks in a chain, each in a goroutine of its own")
    @Hint(doc = DOC + "#time", go = "TestAfterFunc (time/sleep_test.go); goFunc (sleep.go)")
    void afterFunc() {
        AtomicInteger i = new AtomicInteger(10);
        long[] ms = new long[1];
        Harness.run(runtime(2), LIMIT, LOST, () -> {
            long t0 = System.nanoTime();
            Chan<Boolean> c = Chan.make();
            Runnable[] f = new Runnable[1];
            f[0] = () -> {
                if (i.decrementAndGet() >= 0) {
                    Time.afterFunc(Duration.ZERO, f[0]);
                    Go.sleep(Duration.ofSeconds(1));
                } else {
                    c.send(true);
                }
            };
            Time.afterFunc(Duration.ZERO, f[0]);
            c.recv();
            ms[0] = (System.nanoTime() - t0) / 1_000_000;
        });
        // Each callback starts the next before it sleeps, so the chain takes one sleep, not ten.
        assertThat(ms[0]).as("AfterFunc runs f in a new goroutine, so a callback that sleeps does not hold up"
                + " the next. Read %s#time", DOC).isLessThan(5_000);
    }

    private static final int[] SLOTS = {5, 3, 6, 6, 6, 1, 1, 2, 7, 9, 4, 8, 0};

    private record AfterResult(int slot, Instant t) {
    }

    @Order(2)
    @Test
    @DisplayName("Go's TestAfterQueuing: thirteen After channels fire in the order of their deadlines, near them")
    @Hint(doc = DOC + "#time", go = "TestAfterQueuing (time/sleep_test.go)")
    void afterQueuing() {
        List<String> errors = new ArrayList<>();
        Harness.run(runtime(2), LIMIT, LOST, () -> {
            // As Go: up to 5 attempts with a growing delta, since it depends on the machine's timing.
            String err = "!=nil";
            for (int i = 0; i < 5 && err != null; i++) {
                err = testAfterQueuing(Duration.ofMillis(20 + i * 50L));
                if (err != null) {
                    errors.add("attempt " + i + " failed: " + err);
                }
            }
            if (err != null) {
                errors.add("gave up");
            }
        });
        assertThat(errors).as("After channels must fire in deadline order, each within [target - delta/2,"
                + " target + 10 delta]. Read %s#time", DOC).doesNotContain("gave up");
    }

    private static String testAfterQueuing(Duration delta) {
        Chan<AfterResult> result = Chan.make(SLOTS.length);
        Instant t0 = Instant.now();
        for (int slot : SLOTS) {
            Chan<Instant> ac = Time.after(delta.multipliedBy(slot));
            Go.go(() -> result.send(new AfterResult(slot, ac.recv())));
        }
        List<AfterResult> got = new ArrayList<>();
        for (int k = 0; k < SLOTS.length; k++) {
            got.add(result.recv());
        }
        for (int i = 1; i < got.size(); i++) {
            if (got.get(i).slot() < got.get(i - 1).slot()) {
                return "After calls returned out of order: " + got.stream().map(AfterResult::slot).toList();
            }
        }
        for (AfterResult r : got) {
            Duration dt = Duration.between(t0, r.t());
            Duration target = delta.multipliedBy(r.slot());
            if (dt.compareTo(target.minus(delta.dividedBy(2))) < 0 || dt.compareTo(target.plus(delta.multipliedBy(10))) > 0) {
                return "After(" + target + ") arrived at " + dt;
            }
        }
        return null;
    }

    @Order(3)
    @Test
    @DisplayName("Go's TestAfterFuncStarvation: at GOMAXPROCS 1 an AfterFunc runs although two goroutines are always runnable")
    @Hint(doc = DOC + "#checktimers", go = "TestAfterFuncStarvation (time/sleep_test.go); checkTimers in findRunnable")
    void afterFuncStarvation() {
        Harness.run(runtime(1), LIMIT, "the AfterFunc never ran: timers must be checked on every round of findRunnable,"
                + " even while goroutines are runnable (" + DOC + "#checktimers)", () -> {
            WaitGroup wg = new WaitGroup();
            AtomicBoolean stop = new AtomicBoolean();
            Chan<Boolean> c = Chan.make(1);
            wg.add(2);
            Go.go(() -> {
                while (!stop.get()) {
                    c.send(true);
                }
                c.close();
                wg.done();
            });
            Go.go(() -> {
                for (Boolean ignored : c) {
                    // drain
                }
                wg.done();
            });
            Time.afterFunc(Duration.ofNanos(1_000), () -> stop.set(true));
            wg.await();
        });
    }

    @Order(4)
    @Test
    @DisplayName("Go's TestTimerFairness: a timer case in select wins against a channel that is always ready")
    @Hint(doc = DOC + "#time", go = "TestTimerFairness (runtime/proc_test.go); selectgo's random poll order")
    void timerFairness() {
        Harness.run(runtime(2), LIMIT, "the select never chose the timer case", () -> {
            Chan<Boolean> done = Chan.make();
            Chan<Boolean> c = Chan.make();
            for (int i = 0; i < 2; i++) {
                Go.go(() -> {
                    for (boolean[] out = {false}; !out[0]; ) {
                        Select.select(Select.send(c, true), Select.recv(done, v -> out[0] = true));
                    }
                });
            }
            Chan<Instant> timer = Time.after(Duration.ofMillis(20));
            for (boolean[] out = {false}; !out[0]; ) {
                Select.select(Select.recv(c), Select.recv(timer, v -> out[0] = true));
            }
            done.close();
        });
    }

    @Order(5)
    @Test
    @DisplayName("Stop before the timer fires returns true, and no value ever comes; Stop after a received value returns false")
    @Hint(doc = DOC + "#time", go = "Timer.Stop (sleep.go); timer.stop (time.go)")
    void stopBeforeFiring() {
        List<String> seen = new ArrayList<>();
        Harness.run(runtime(2), LIMIT, LOST, () -> {
            Time.Timer t = Time.newTimer(Duration.ofMillis(30));
            seen.add("stop=" + t.stop());
            Go.sleep(Duration.ofMillis(60));
            seen.add("value=" + t.c().tryRecv().isPresent());
            Time.Timer u = Time.newTimer(Duration.ofMillis(1));
            u.c().recv();
            seen.add("stop after receive=" + u.stop());
        });
        assertThat(seen).as("Read %s#time (Go: Timer.Stop)", DOC)
                .containsExactly("stop=true", "value=false", "stop after receive=false");
    }

    @Order(6)
    @Test
    @DisplayName("Go 1.23: after Stop or Reset, no stale value: a fired but unreceived value is drained, and counts as pending")
    @Hint(doc = DOC + "#time", go = "Go 1.23 timer channels (time.go: stop, modify, timerchandrain)")
    void noStaleValueAfterStopOrReset() {
        List<String> seen = new ArrayList<>();
        Harness.run(runtime(2), LIMIT, LOST, () -> {
            Time.Timer t = Time.newTimer(Duration.ofMillis(1));
            Go.sleep(Duration.ofMillis(30)); // fired; its value waits in the channel
            seen.add("stop=" + t.stop());
            seen.add("stale after stop=" + t.c().tryRecv().isPresent());

            Time.Timer r = Time.newTimer(Duration.ofMillis(1));
            Go.sleep(Duration.ofMillis(30));
            long t0 = System.nanoTime();
            seen.add("reset=" + r.reset(Duration.ofMillis(50)));
            seen.add("stale after reset=" + r.c().tryRecv().isPresent());
            r.c().recv();
            seen.add("new value late enough=" + (System.nanoTime() - t0 >= 50_000_000L));
        });
        assertThat(seen).as("Go 1.23 guarantees no value from before a Stop or Reset is received after it; Stop and"
                + " Reset return true when the value had not been received. Read %s#time", DOC)
                .containsExactly("stop=true", "stale after stop=false", "reset=true", "stale after reset=false",
                        "new value late enough=true");
    }

    @Order(7)
    @Test
    @DisplayName("a Ticker ticks every period until Stop, and a slow receiver misses ticks instead of queueing them")
    @Hint(doc = DOC + "#time", go = "time.NewTicker, Ticker.Stop (tick.go)")
    void ticker() {
        List<String> seen = new ArrayList<>();
        Harness.run(runtime(2), LIMIT, LOST, () -> {
            Time.Ticker tk = Time.newTicker(Duration.ofMillis(10));
            for (int i = 0; i < 3; i++) {
                tk.c().recv();
            }
            Go.sleep(Duration.ofMillis(60)); // about six ticks pass; the channel holds one
            seen.add("buffered=" + tk.c().len());
            tk.stop();
            Go.sleep(Duration.ofMillis(40));
            seen.add("after stop=" + tk.c().tryRecv().isPresent());
        });
        assertThat(seen).as("Read %s#time (Go: NewTicker, Ticker.Stop)", DOC)
                .containsExactly("buffered=1", "after stop=false");
    }
}
