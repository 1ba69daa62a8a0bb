package gmp.workbook;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import gmp.runtime.GoRuntime;
import gmp.runtime.ProgramCrash;
import gmp.runtime.Progress;

/**
 * Runs a test's Go program with a watchdog, and checks that the runtime left no thread behind.
 *
 * <p>A scheduler bug usually shows up as a hang (a lost wake-up, an M that never parks or never
 * wakes), and a hang teaches nothing. So every program a test runs gets a deadline: when it passes,
 * the watchdog prints every goroutine with its status and wait reason, then aborts the runtime, and
 * the test fails saying what probably hung. The deadline is generous (a correct program here
 * finishes in milliseconds; CI machines have 2 noisy cores). {@code -Dgmp.timeouts=off}
 * ({@code ./gmp test NN --no-timeout}) turns it off for debugging.
 *
 * <p>Most hangs need no deadline: a program in which nothing can happen any more (no goroutine
 * running, no M spinning or awake, no timer pending, yet goroutines left or main dead without an
 * exit) is caught by the same watchdog, which samples {@link GoRuntime#progress()} every
 * {@link #SAMPLE} and fails the test once it has seen that same stuck state for {@link #STUCK_FOR}.
 * So a lost wake-up or a forgotten exit() costs a second, not the whole deadline.
 */
public final class Harness {
    /** How long a test program may run before the watchdog calls it hung. */
    public static final Duration TIMEOUT = Duration.ofSeconds(20);
    /**
     * How long the watchdog must see the same stuck state before it calls the program stuck. A
     * correct program is never stuck at all (something always runs, spins, or waits for a timer);
     * the second is there so that a thread the OS has not scheduled yet, on a loaded machine, is
     * seen starting: its state is RUNNABLE, not blocked, and that ends the streak.
     */
    static final Duration STUCK_FOR = Duration.ofMillis(1000);
    /** How often the watchdog samples the runtime's progress. */
    static final Duration SAMPLE = Duration.ofMillis(50);
    /** How long the runtime's threads may take to leave after run() returns. */
    private static final Duration THREAD_EXIT = Duration.ofSeconds(5);

    private Harness() {
    }

    /** Whether the watchdog is on (the default) or turned off with -Dgmp.timeouts=off. */
    public static boolean timeoutsOn() {
        return !"off".equalsIgnoreCase(System.getProperty("gmp.timeouts", "on"));
    }

    /**
     * Runs {@code main} on {@code rt} on this thread, under the watchdog, then checks that no thread
     * of the runtime is left. Whatever run() throws is rethrown: the watchdog's own verdict as an
     * AssertionError.
     */
    public static void run(GoRuntime rt, Runnable main) {
        run(rt, TIMEOUT, "probably a lost wake-up (a runnable G nobody runs, an M that never wakes) or a deadlock", main);
    }

    /**
     * Like {@link #run(GoRuntime, Runnable)}, with a deadline of the test's own and the test's guess
     * at what hung, for programs that finish in milliseconds when right: a learner whose code is not
     * written yet should hear so in seconds, not wait for the default deadline.
     */
    public static void run(GoRuntime rt, Duration limit, String whatProbablyHung, Runnable main) {
        CountDownLatch done = new CountDownLatch(1);
        AssertionError[] timedOut = new AssertionError[1];
        Thread watchdog = null;
        if (timeoutsOn()) {
            watchdog = Thread.ofPlatform().daemon().name("harness-watchdog").start(() -> {
                try {
                    timedOut[0] = watch(rt, done, limit, whatProbablyHung);
                    if (timedOut[0] != null) {
                        rt.abort(timedOut[0]);
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
        }
        try {
            rt.run(main);
        } catch (ProgramCrash crash) {
            if (timedOut[0] != null && crash.getCause() == timedOut[0]) {
                throw timedOut[0];
            }
            throw crash;
        } finally {
            done.countDown();
            if (watchdog != null) {
                try {
                    watchdog.join();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
        assertNoThreadsLeft(rt);
    }

    /**
     * Waits for the program to finish; returns null when it did, else the verdict: stuck (the same
     * stuck {@link Progress} for {@link #STUCK_FOR}) or out of time.
     */
    private static AssertionError watch(GoRuntime rt, CountDownLatch done, Duration limit, String whatProbablyHung)
            throws InterruptedException {
        long start = System.nanoTime();
        long deadline = start + limit.toNanos();
        Progress streak = null;
        long streakSince = 0;
        while (!done.await(Math.min(SAMPLE.toNanos(), Math.max(0, deadline - System.nanoTime())), TimeUnit.NANOSECONDS)) {
            long now = System.nanoTime();
            if (now - deadline >= 0) {
                String dump = head(rt.goroutineDump());
                return new AssertionError("the Go program did not finish within " + limit.toMillis()
                        + " ms: " + whatProbablyHung + ". Goroutines at that moment:\n" + dump);
            }
            Progress seen = rt.progress();
            if (!seen.stuck()) {
                streak = null;
            } else if (!seen.equals(streak)) {
                streak = seen;
                streakSince = now;
            } else if (now - streakSince >= STUCK_FOR.toNanos()) {
                return new AssertionError("the Go program is stuck: " + seen.diagnosis() + ". Seen for "
                        + STUCK_FOR.toMillis() + " ms, " + Duration.ofNanos(now - start).toMillis() + " ms into the"
                        + " run: no goroutine running, no M awake or spinning, no timer pending; goroutines: "
                        + (seen.goroutines().isEmpty() ? "none" : String.join(", ", seen.goroutines()))
                        + ". The test's own guess: " + whatProbablyHung);
            }
        }
        return null;
    }

    /** The start of a goroutine dump: a program of ten thousand goroutines should not flood the report. */
    private static String head(String dump) {
        int max = 4000;
        return dump.length() <= max ? dump : dump.substring(0, max) + "\n... (" + (dump.length() - max) + " more characters)";
    }

    /** Fails unless every thread of {@code rt} (its Ms, sysmon) has exited, waiting a little for them. */
    public static void assertNoThreadsLeft(GoRuntime rt) {
        long deadline = System.nanoTime() + THREAD_EXIT.toNanos();
        List<String> left = runtimeThreads(rt);
        while (!left.isEmpty() && System.nanoTime() < deadline) {
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            left = runtimeThreads(rt);
        }
        assertThat(left)
                .as("threads of the runtime still alive %d s after run() returned: every M must leave its"
                        + " scheduler loop once the program is over (Proc.exit wakes the idle ones)."
                        + " Read docs/en/01-bootstrap.md#exit", THREAD_EXIT.toSeconds())
                .isEmpty();
    }

    private static List<String> runtimeThreads(GoRuntime rt) {
        String prefix = rt.threadNamePrefix();
        return Thread.getAllStackTraces().keySet().stream()
                .filter(Thread::isAlive)
                .map(Thread::getName)
                .filter(n -> n.startsWith(prefix))
                .sorted()
                .toList();
    }
}
