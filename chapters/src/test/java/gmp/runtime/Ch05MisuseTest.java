package gmp.runtime;

import static gmp.runtime.Fixtures.runtime;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import gmp.workbook.Harness;
import gmp.workbook.Hint;

/**
 * Chapter 05: what ordinary Java code, or a mistake, may do to a goroutine that parks, and what the
 * runtime must survive. A park that fails (the goroutine's stack is pinned by a static initializer)
 * must leave the channel as it found it; a goroutine that waits for a channel lock must stop once
 * the program is over; an interrupt flag set by goroutine code must not make an idle M spin; a sleep
 * longer than Go can count sleeps forever. Each of these once hung, spun or crashed the runtime.
 */
@Tag("ch05")
@DisplayName("Chapter 05: misuse the runtime survives")
@Hint(doc = Ch05MisuseTest.DOC + "#where-java-differs", go = "gopark, chansend, chanrecv, selectgo, timeSleep")
class Ch05MisuseTest {
    static final String DOC = "docs/en/05-parking.md";
    private static final Duration LIMIT = Duration.ofSeconds(10);
    private static final String STUCK = "a goroutine waiting for a channel's lock that nobody will release: a park"
            + " that fails must take its sudog back and unlock the channel (Chan.parkOrUndo, selectgo)";

    // Each class below parks in its static initializer, where a continuation cannot yield (the JVM's
    // class initialization is a native frame): gopark throws. The initializer catches what it threw
    // and keeps it, so that the class still initializes: a class whose initializer failed stays in
    // the JVM in an error state, and Lincheck (chapter 04) then can no longer retransform the loaded
    // classes in one batch but does it one class at a time, which made its tests 5x slower.
    static volatile Chan<Object> pinned;

    /** What {@code park} threw (null if it returned). */
    static Throwable failure(Runnable park) {
        try {
            park.run();
            return null;
        } catch (RuntimeException | Error e) {
            return e;
        }
    }

    static final class RecvInInit {
        static final Throwable FAILED = failure(() -> pinned.recv());
    }

    static final class SendInInit {
        static final Throwable FAILED = failure(() -> pinned.send("x"));
    }

    static final class SelectInInit {
        static final Throwable FAILED = failure(() -> Select.select(Select.recv(pinned), Select.recv(Chan.make())));
    }

    /** Runs {@code park} (which parks in a static initializer and fails), then uses the channel again. */
    private static String parkFailsThenUseChannel(Supplier<Throwable> park) {
        AtomicReference<String> seen = new AtomicReference<>();
        Harness.run(runtime(1), LIMIT, STUCK, () -> {
            Chan<Object> c = Chan.make();
            pinned = c;
            Throwable failed = park.get();
            if (failed instanceof NotImplementedYet stub) {
                throw stub; // a TODO on the way: the scoreboard names it
            }
            boolean handedToGhost = c.trySend("y");
            Go.go(() -> c.send("z"));
            seen.set((failed == null ? "no failure" : failed.getClass().getSimpleName()) + ", trySend=" + handedToGhost + ", then " + c.recv());
        });
        return seen.get();
    }

    @Order(1)
    @Test
    @DisplayName("a receive whose park fails (pinned in a static initializer) leaves the channel unlocked, with nobody queued")
    @Hint(doc = DOC + "#chanrecv", go = "chanrecv: gopark(chanparkcommit, ...) (chan.go)")
    void failedRecvParkLeavesChannelUsable() {
        assertThat(parkFailsThenUseChannel(() -> RecvInInit.FAILED))
                .as("the pinned receive must fail, and leave the channel unlocked with an empty recvq: a later trySend"
                        + " finds no receiver (false) and a send/receive pair works. Read %s#chanrecv", DOC)
                .isEqualTo("IllegalStateException, trySend=false, then z");
    }

    @Order(2)
    @Test
    @DisplayName("a send whose park fails leaves the channel unlocked, with nobody queued")
    @Hint(doc = DOC + "#chansend", go = "chansend: gopark(chanparkcommit, ...) (chan.go)")
    void failedSendParkLeavesChannelUsable() {
        String seen = parkFailsThenUseChannel(() -> SendInInit.FAILED);
        assertThat(seen).as("the pinned send must fail, and leave the channel unlocked with an empty sendq."
                + " Read %s#chansend", DOC).isEqualTo("IllegalStateException, trySend=false, then z");
    }

    @Order(3)
    @Test
    @DisplayName("a select whose park fails leaves every channel unlocked, with nobody queued")
    @Hint(doc = DOC + "#select", go = "selectgo: gopark(selparkcommit, ...) (select.go)")
    void failedSelectParkLeavesChannelsUsable() {
        String seen = parkFailsThenUseChannel(() -> SelectInInit.FAILED);
        assertThat(seen).as("the pinned select must fail, and take its sudogs back from every channel and unlock"
                + " them all. Read %s#select", DOC).isEqualTo("IllegalStateException, trySend=false, then z");
    }

    @Order(4)
    @Test
    @DisplayName("a goroutine waiting for a channel lock stops once the program has died: run() returns, no M is left spinning")
    @Hint(doc = DOC + "#channels", go = "lock(&c.lock); the program's exit")
    void channelLockWaiterStopsWhenProgramDies() {
        GoRuntime rt = runtime(2);
        Throwable t = catchThrowable(() -> Harness.run(rt, LIMIT, "main panicked, and run() did not return", () -> {
            Chan<Object> c = Chan.make();
            c.lock(Proc.getg().proc); // as if a lock had leaked
            AtomicReference<G> waiter = new AtomicReference<>();
            Go.go(() -> {
                waiter.set(Proc.getg());
                c.trySend("x");
            });
            // main keeps m0 busy, so another M steals the goroutine and spins in c.lock.
            long deadline = System.nanoTime() + LIMIT.toNanos() / 2;
            while (waiter.get() == null && System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
            try {
                Thread.sleep(100); // the goroutine is in c.lock by now (m0 is only blocked, it holds no lock)
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            G gp = waiter.get();
            throw new IllegalStateException("main gives up; the waiter is " + (gp == null ? "nowhere" : G.statusName(gp.status())));
        }));
        assertThat(t).as("main's panic must end the program while the goroutine still waits for the lock")
                .isInstanceOf(ProgramCrash.class).hasMessageContaining("main gives up; the waiter is running");
        Harness.assertNoThreadsLeft(rt);
    }

    @Order(5)
    @Test
    @DisplayName("an M whose goroutine set its thread's interrupt flag sleeps when idle, it does not spin")
    @Hint(doc = DOC + "#idle-timers", go = "findRunnable; notetsleep (lock_futex.go)")
    void interruptFlagDoesNotMakeIdleMSpin() {
        ThreadMXBean bean = ManagementFactory.getThreadMXBean();
        long m0 = Thread.currentThread().threadId();
        long[] cpu = new long[1];
        Harness.run(runtime(1), () -> {
            Go.go(() -> Thread.currentThread().interrupt()); // as Java code does after an InterruptedException
            long before = bean.getThreadCpuTime(m0);
            Go.sleep(Duration.ofMillis(500)); // m0 runs that goroutine, then waits idle for main's timer
            cpu[0] = bean.getThreadCpuTime(m0) - before;
        });
        // Idle, m0 sleeps in netpoll and uses next to no CPU; spinning, it used 230-430 ms per 500 ms
        // here, and a spinning thread gets 100 ms and more of CPU even on a heavily loaded machine.
        assertThat(cpu[0] / 1_000_000).as("m0's CPU time, in ms, during 500 ms of idle waiting: the goroutine's"
                + " interrupt flag must not stay on the M, or its netpoll sleep returns at once, in a loop."
                + " Read %s#idle-timers and docs/en/01-bootstrap.md#interrupts", DOC).isLessThan(50);
    }

    @Order(6)
    @Test
    @DisplayName("a sleep longer than Go's largest Duration (about 292 years) sleeps forever instead of overflowing")
    @Hint(doc = DOC + "#sleep", go = "time.Sleep(math.MaxInt64); timeSleep (time.go)")
    void hugeSleepSleepsForever() {
        AtomicReference<G> sleeper = new AtomicReference<>();
        String[] seen = new String[1];
        Harness.run(runtime(1), () -> {
            Go.go(() -> {
                sleeper.set(Proc.getg());
                Go.sleep(Duration.ofSeconds(Long.MAX_VALUE));
            });
            Go.go(() -> Go.sleep(Long.MAX_VALUE));
            Go.sleep(Duration.ofMillis(20));
            seen[0] = sleeper.get().status() == G._Gwaiting ? sleeper.get().waitreason : G.statusName(sleeper.get().status());
        });
        assertThat(seen[0]).as("the sleeper must be parked in \"sleep\" (Duration.toNanos() overflows: saturate to"
                + " Long.MAX_VALUE ns, Go's largest Duration). Read %s#sleep", DOC).isEqualTo(Proc.WAIT_SLEEP);
    }
}
