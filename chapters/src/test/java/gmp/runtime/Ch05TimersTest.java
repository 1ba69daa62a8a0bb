package gmp.runtime;

import static gmp.runtime.Fixtures.runtime;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.lang.reflect.Field;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import gmp.workbook.Harness;
import gmp.workbook.Hint;
import gmp.workbook.Seeds;

/**
 * Chapter 05: timers and sleep. Each P keeps its timers in a 4-ary min-heap; time.Sleep parks the
 * goroutine and arms a timer that readies it; every M checks its P's due timers when it schedules,
 * a thief checks its victims' too, and an M with nothing to do sleeps until the earliest timer of
 * any P instead of spinning or sleeping forever.
 */
// The chapter's place in a run of every chapter, so that the hint follows the doc's order.
@Order(51)
@Tag("ch05")
@DisplayName("Chapter 05: timers and sleep")
@Hint(doc = Ch05TimersTest.DOC, go = "timeSleep, resetForSleep, timers.check, timeSleepUntil (time.go, proc.go)")
class Ch05TimersTest {
    static final String DOC = "docs/en/05-parking.md";


    private static Duration ms(long n) {
        return Duration.ofMillis(n);
    }

    // ---------------------------------------------------------------------------------------------
    // The 4-ary heap

    /**
     * The heap's slots. Timers keeps its array private (only its own code may move timers); the test
     * reads it to check the invariants slot by slot, which tells the learner exactly what broke.
     */
    private static Timer[] slots(Timers ts) {
        try {
            Field f = Timers.class.getDeclaredField("heap");
            f.setAccessible(true);
            return (Timer[]) f.get(ts);
        } catch (ReflectiveOperationException e) {
            throw new AssertionError("test setup: cannot read Timers.heap", e);
        }
    }

    @Order(1)
    @Test
    @DisplayName("property: random adds and pops on the 4-ary timer heap agree with a priority queue; every index matches its slot")
    @Hint(doc = DOC + "#timers", go = "timers.siftUp, timers.siftDown, timerHeapN = 4 (time.go)")
    void heapAgreesWithAModel() {
        long base = Seeds.base();
        SplittableRandom seeds = new SplittableRandom(base);
        for (int run = 0; run < 100; run++) {
            checkHeapAgainstModel(seeds.nextLong(), base);
        }
    }

    private static void checkHeapAgainstModel(long seed, long base) {
        SplittableRandom rnd = new SplittableRandom(seed);
        Timers ts = new Timers();
        PriorityQueue<Long> model = new PriorityQueue<>();
        // Small deadlines, so that equal ones are common; a bias towards adds, so the heap grows deep.
        int range = 1 + rnd.nextInt(200);
        int addPercent = 50 + rnd.nextInt(30);
        int ops = 50 + rnd.nextInt(600);
        for (int op = 0; op < ops; op++) {
            String where = "op " + op + " of " + ops + " in sequence " + seed + " from base " + Seeds.replay(base);
            ts.mu.lock();
            try {
                if (model.isEmpty() || rnd.nextInt(100) < addPercent) {
                    Timer t = new Timer(x -> { }, null);
                    t.when = 1 + rnd.nextInt(range);
                    ts.add(t);
                    model.add(t.when);
                } else {
                    Timer t = ts.pop();
                    long want = model.poll();
                    assertThat(t.when).as("pop must return the earliest timer (when %d), at %s. Read %s#timers",
                            want, where, DOC).isEqualTo(want);
                    assertThat(t.index).as("a popped timer is in no heap: its index must be -1, at %s."
                            + " Read %s#timers", where, DOC).isEqualTo(-1);
                }
                checkHeap(ts, model, where);
            } finally {
                ts.mu.unlock();
            }
        }
    }

    private static void checkHeap(Timers ts, PriorityQueue<Long> model, String where) {
        assertThat(ts.len()).as("heap size differs from the model at %s. Read %s#timers", where, DOC).isEqualTo(model.size());
        assertThat(ts.wakeTime()).as("wakeTime must be the earliest when (0 when empty), at %s. Read %s#timers", where, DOC)
                .isEqualTo(model.isEmpty() ? 0 : model.peek());
        Timer[] heap = slots(ts);
        for (int i = 0; i < ts.len(); i++) {
            Timer t = heap[i];
            if (t == null || t.index != i) {
                fail("slot %d holds %s whose index field is %s: every timer a sift moves must get its new slot in"
                        + " t.index, at %s. Read %s#timers", i, t, t == null ? "-" : t.index, where, DOC);
            }
            int parent = (i - 1) / Timers.HEAP_N;
            if (i > 0 && heap[parent].when > t.when) {
                fail("slot %d (when %d) is earlier than its parent, slot %d (when %d): in a 4-ary heap the parent"
                        + " of i is (i - 1) / 4 and is never later than its children, at %s. Read %s#timers",
                        i, t.when, parent, heap[parent].when, where, DOC);
            }
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Sleep, step by step on one P

    /** Steps until {@code done}, letting the test thread sleep while nothing is runnable (a timer is pending). */
    private static void stepUntil(Stepper s, BooleanSupplier done, String what) {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (!done.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("after 5 s, still waiting until %s: a due timer must be run by checkTimers at the top of"
                        + " findRunnable and ready its goroutine. Read %s#checktimers (Go: timers.check)", what, DOC);
            }
            if (!s.step()) {
                try {
                    Thread.sleep(1);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    @Order(2)
    @Test
    @DisplayName("sleep(d <= 0) returns at once without yielding or making a timer; a positive sleep parks")
    @Hint(doc = DOC + "#sleep", go = "timeSleep: if ns <= 0 { return } (time.go)")
    void sleepZeroDoesNotYield() {
        try (Stepper s = Stepper.boot(1)) {
            List<Object> ran = new ArrayList<>();
            s.go(() -> ran.add("B"));
            s.go(() -> {
                ran.add("A1");
                Go.sleep(0);
                Go.sleep(-5);
                Go.sleep(Duration.ZERO);
                ran.add(Proc.getg().timer == null ? "A2, no timer" : "A2, a timer was made");
                Go.sleep(ms(1));
                ran.add("A3");
            });
            stepUntil(s, () -> ran.contains("A3"), "A's 1 ms sleep ends");
            assertThat(ran).as("A's sleeps of 0 and less must return at once (A2 right after A1, before B, no timer);"
                    + " its 1 ms sleep must park A, so B runs first. Read %s#sleep (Go: timeSleep)", DOC)
                    .containsExactly("A1", "A2, no timer", "B", "A3");
        }
    }

    @Order(3)
    @Test
    @DisplayName("a sleeping goroutine is _Gwaiting with reason \"sleep\", its timer in its P's heap, and runs again when it is due")
    @Hint(doc = DOC + "#sleep", go = "timeSleep, resetForSleep, goroutineReady (time.go)")
    void sleepingGoroutineWaits() {
        try (Stepper s = Stepper.boot(1)) {
            AtomicLong slept = new AtomicLong(-1);
            long d = 30_000_000L;
            G b = s.go(() -> {
                long t0 = System.nanoTime();
                Go.sleep(d);
                slept.set(System.nanoTime() - t0);
            });
            long before = System.nanoTime();
            s.step();
            assertThat(G.statusName(b.status())).as("a sleeping G must be parked (_Gwaiting). Read %s#sleep", DOC)
                    .isEqualTo("waiting");
            assertThat(b.waitreason).as("Go's wait reason for time.Sleep is \"sleep\". Read %s#sleep", DOC).isEqualTo("sleep");
            Timers ts = s.p0().timers;
            assertThat(ts.len()).as("the sleeper's timer must be in its P's heap (resetForSleep -> addtimer)."
                    + " Read %s#sleep", DOC).isEqualTo(1);
            assertThat(ts.wakeTime()).as("the timer must fire at now + d (gp.sleepWhen). Read %s#sleep", DOC)
                    .isEqualTo(b.sleepWhen).isBetween(before + d, System.nanoTime() + d);
            stepUntil(s, () -> slept.get() >= 0, "the sleeper wakes");
            assertThat(slept.get()).as("sleep must last at least d. Read %s#checktimers", DOC).isGreaterThanOrEqualTo(d);
            assertThat(ts.len()).as("a fired timer leaves the heap. Read %s#checktimers", DOC).isZero();
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Sleep in real programs

    @Order(4)
    @Test
    @DisplayName("Go.sleep(d) sleeps at least d (1, 5 and 20 ms)")
    @Hint(doc = DOC + "#sleep", go = "timeSleep (time.go)")
    void sleepLastsAtLeastD() {
        List<String> tooShort = new ArrayList<>();
        Harness.run(runtime(2), ms(5000), "a sleeping main was never woken: with nothing else to run, an"
                + " idle M must wait in netpoll until the earliest timer, then run it. Read " + DOC + "#idle-timers", () -> {
                    for (long d : new long[] {1, 5, 20}) {
                        long t0 = System.nanoTime();
                        Go.sleep(ms(d));
                        long took = System.nanoTime() - t0;
                        if (took < d * 1_000_000L) {
                            tooShort.add("sleep(" + d + " ms) took " + took + " ns");
                        }
                    }
                });
        assertThat(tooShort).as("a timer must not fire before its deadline (when <= now). Read %s#checktimers", DOC).isEmpty();
    }

    @Order(5)
    @Test
    @DisplayName("sleeps that are due at once (1 ns), two sleepers on 4 Ps: the timer is armed only after its goroutine parked")
    @Hint(doc = DOC + "#sleep", go = "timeSleep: gopark(resetForSleep, ...); resetForSleep arms the timer (time.go)")
    void armedOnlyAfterParking() {
        // A timer armed before its G parked could be run by another M while the G still runs: goready
        // would find it _Grunning and the program would die. A 1 ns sleep is due at once. Two sleepers on
        // four Ps leave two Ps idle, so every addtimer wakes a spinning M (wakeNetPoller -> wakep) whose
        // stealWork checks the sleepers' heaps right then. Measured with the timer armed before gopark:
        // the race was caught in 10 of 10 programs; three are run here.
        int goroutines = 2;
        int sleeps = 2000;
        for (int round = 0; round < 3; round++) {
            AtomicInteger done = new AtomicInteger();
            Harness.run(runtime(4), ms(5000), "the 1 ns sleepers did not all finish. Read " + DOC + "#sleep", () -> {
                for (int i = 0; i < goroutines; i++) {
                    Go.go(() -> {
                        for (int k = 0; k < sleeps; k++) {
                            Go.sleep(1);
                        }
                        done.incrementAndGet();
                    });
                }
                while (done.get() < goroutines) {
                    Go.sleep(ms(1));
                }
            });
            assertThat(done.get()).as("every sleeper must finish. Read %s#sleep", DOC).isEqualTo(goroutines);
        }
    }

    @Order(6)
    @Test
    @DisplayName("timers of Ps whose Ms went idle still fire: four sleepers on four Ps all wake while main sleeps")
    @Hint(doc = DOC + "#idle-timers", go = "findRunnable: netpoll until timeSleepUntil(); stealWork checks victims' timers")
    void timersOfIdlePsFire() {
        int procs = 4;
        AtomicInteger started = new AtomicInteger();
        Set<Integer> sleptOn = ConcurrentHashMap.newKeySet();
        AtomicInteger woke = new AtomicInteger();
        AtomicInteger wokeBeforeMain = new AtomicInteger(-1);
        Harness.run(runtime(procs), ms(5000), "main's sleep never ended: an M with nothing to do must sleep"
                + " until the earliest timer of ANY P (timeSleepUntil), then take a P and run the due timers, its"
                + " victims' included. Read " + DOC + "#idle-timers", () -> {
                    for (int i = 1; i < procs; i++) {
                        long d = 20L * i;
                        Go.go(() -> {
                            sleptOn.add(holdOwnP(started, procs));
                            Go.sleep(ms(d));
                            woke.incrementAndGet();
                        });
                    }
                    sleptOn.add(holdOwnP(started, procs));
                    Go.sleep(ms(300)); // the other sleepers end after 20, 40, 60 ms
                    wokeBeforeMain.set(woke.get());
                });
        assertThat(sleptOn).as("setup: the four goroutines must have slept on four different Ps").hasSize(procs);
        assertThat(wokeBeforeMain.get()).as("the three sleepers' timers sat in the heaps of Ps whose Ms had gone idle;"
                + " all must have fired within main's 300 ms sleep. An idle M sleeps until the earliest timer of any P,"
                + " takes a P, and stealWork's last pass runs the victims' due timers. Read %s#idle-timers", DOC)
                .isEqualTo(procs - 1);
    }

    /**
     * The setup of timersOfIdlePsFire, run by each of its goroutines: wait until all of them run at
     * once, so that each holds its own P, and return that P's id. The spin can outlast a 10 ms time
     * slice on two cores, and chapter 06's sysmon would then preempt a spinner onto another P; so the
     * M is marked unpreemptible (Go's m.preemptoff, as acquirem makes it) until the id is read.
     */
    private static int holdOwnP(AtomicInteger started, int procs) {
        M mp = Proc.getg().m;
        mp.preemptoff = "the test's setup: each goroutine keeps its own P";
        try {
            started.incrementAndGet();
            Spin.until(() -> started.get() == procs, "all four goroutines to run");
            return mp.p.id;
        } finally {
            mp.preemptoff = "";
        }
    }

    @Order(7)
    @Test
    @DisplayName("an idle runtime with a pending timer sleeps until it: the Ms use almost no CPU while main sleeps 300 ms")
    @Hint(doc = DOC + "#idle-timers", go = "findRunnable: netpoll(pollUntil - now), not a busy loop")
    void idleRuntimeSleepsUntilTheTimer() {
        // A busy-waiting M would burn up to 300 ms of CPU here (less on a loaded machine: measured 126 ms
        // on two cores shared with other builds). Sleeping Ms (in netpoll until the timer, or in stopm)
        // use next to none: the reference measured under 1 ms. The 50 ms bound leaves room for the JIT,
        // the test's own code and two noisy CI cores.
        int procs = 4;
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        GoRuntime rt = runtime(procs);
        long[] cpu = new long[2];
        long[] wall = new long[1];
        Harness.run(rt, ms(5000), "main's 300 ms sleep never ended: no M woke up for its timer."
                + " Read " + DOC + "#idle-timers", () -> {
                    AtomicInteger started = new AtomicInteger();
                    for (int i = 1; i < procs; i++) {
                        Go.go(() -> {
                            started.incrementAndGet();
                            // start every M once, so that all of them have to go idle
                            Spin.until(() -> started.get() == procs, "all four goroutines to run");
                        });
                    }
                    started.incrementAndGet();
                    Spin.until(() -> started.get() == procs, "all four goroutines to run");
                    Go.sleep(ms(20)); // let the other Ms finish and park
                    cpu[0] = cpuOfMs(rt.proc(), mx);
                    long t0 = System.nanoTime();
                    Go.sleep(ms(300));
                    wall[0] = System.nanoTime() - t0;
                    cpu[1] = cpuOfMs(rt.proc(), mx);
                });
        long used = cpu[1] - cpu[0];
        assertThat(wall[0]).as("main must have slept 300 ms. Read %s#sleep", DOC).isGreaterThanOrEqualTo(300_000_000L);
        assertThat(used).as("the runtime's %d Ms used %d ms of CPU while main slept 300 ms and nothing else ran: an"
                + " idle M must block until the earliest timer (netpoll with a timeout), not poll in a loop."
                + " Read %s#idle-timers", rt.proc().allm.size(), used / 1_000_000, DOC).isLessThan(50_000_000L);
    }

    private static long cpuOfMs(Proc proc, ThreadMXBean mx) {
        long sum = 0;
        for (M mp : proc.allm) {
            if (mp.thread != null) {
                sum += Math.max(0, mx.getThreadCpuTime(mp.thread.threadId()));
            }
        }
        return sum;
    }

    @Order(8)
    @Test
    @DisplayName("ten thousand goroutines each sleeping 1 ms ten times all finish (GOMAXPROCS 4)")
    @Hint(doc = DOC + "#checktimers", go = "timers.check, stealWork's timer pass (time.go, proc.go)")
    void tenThousandSleepers() {
        int goroutines = 10_000;
        AtomicInteger done = new AtomicInteger();
        long t0 = System.nanoTime();
        Harness.run(runtime(4), ms(15_000), "the 10 000 sleepers did not all finish: timers are lost"
                + " or run far too late. Read " + DOC + "#checktimers", () -> {
                    for (int i = 0; i < goroutines; i++) {
                        Go.go(() -> {
                            for (int k = 0; k < 10; k++) {
                                Go.sleep(ms(1));
                            }
                            done.incrementAndGet();
                        });
                    }
                    while (done.get() < goroutines) {
                        Go.sleep(ms(5));
                    }
                });
        long took = (System.nanoTime() - t0) / 1_000_000;
        assertThat(done.get()).as("every sleeper must finish (took %d ms). Read %s#checktimers", took, DOC)
                .isEqualTo(goroutines);
    }

    @Order(9)
    @Test
    @DisplayName("checkTimers runs the due timers in order and leaves the rest; given now = 0, it reads the clock itself")
    @Hint(doc = DOC + "#checktimers", go = "timers.check(now): if now == 0 { now = nanotime() } (time.go)")
    void checkTimersRunsWhatIsDue() {
        Proc proc = Fixtures.workbench(1);
        P pp = new P(0);
        List<String> ran = new ArrayList<>();
        long base = System.nanoTime();
        String[] names = {"later", "first", "second"};
        long[] whens = {base + Duration.ofHours(1).toNanos(), base - 3, base - 1};
        for (int i = 0; i < names.length; i++) {
            String name = names[i];
            Timer t = new Timer(x -> ran.add(name), null);
            t.when = whens[i];
            pp.timers.mu.lock();
            try {
                pp.timers.add(t);
            } finally {
                pp.timers.mu.unlock();
            }
        }
        assertThat(proc.checkTimers(new P(1), 0)).as("a P without timers: nothing to run, false. Read %s#checktimers",
                DOC).isFalse();
        assertThat(proc.checkTimers(pp, base - 2)).as("at now = base - 2 one timer is due (when = base - 3): run it and"
                + " return true. Read %s#checktimers", DOC).isTrue();
        assertThat(ran).as("only the timer whose when <= now runs. Read %s#checktimers", DOC).containsExactly("first");
        assertThat(proc.checkTimers(pp, base - 2)).as("nothing more is due at the same now: false. Read %s#checktimers",
                DOC).isFalse();
        assertThat(proc.checkTimers(pp, 0)).as("now = 0 means read the clock (findRunnable passes 0, as Go's does): the"
                + " timer at base - 1 is due by now and must run. Read %s#checktimers (Go: timers.check)", DOC).isTrue();
        assertThat(ran).as("the timer an hour away must stay in the heap. Read %s#checktimers", DOC)
                .containsExactly("first", "second");
        assertThat(pp.timers.wakeTime()).as("the heap's earliest timer is now the one an hour away. Read %s#checktimers",
                DOC).isEqualTo(whens[0]);
    }
}
