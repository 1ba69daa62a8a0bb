package gmp.runtime;

import static gmp.runtime.Fixtures.runtime;
import static gmp.runtime.Fixtures.workbench;
import static gmp.runtime.Fixtures.gs;
import static gmp.runtime.Fixtures.ring;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import gmp.workbook.Harness;
import gmp.workbook.Given;
import gmp.workbook.Hint;

/**
 * Chapter 04: work stealing and spinning Ms. An M whose P has nothing to run steals half of another
 * P's queue; a go statement wakes an idle P through wakep; spinning Ms are limited; an M with nothing
 * to do parks instead of burning a CPU; and no wake-up is lost on the way.
 */
// The chapter's place in a run of every chapter, so that the hint follows the doc's order.
@Order(40)
@Tag("ch04")
@DisplayName("Chapter 04: work stealing and spinning Ms")
@Hint(doc = Ch04StealingTest.DOC, go = "findRunnable, stealWork, runqsteal, wakep, startm, stopm (proc.go)")
class Ch04StealingTest {
    static final String DOC = "docs/en/04-stealing.md";





    // ---------------------------------------------------------------------------------------------
    // The victim order and the steal itself

    @Order(1)
    @Test
    @DisplayName("Go's RunStealOrderTest: every enumeration visits each P exactly once, for 1..64 Ps")
    @Hint(doc = DOC + "#randomorder", go = "randomOrder, RunStealOrderTest (proc.go, export_test.go)")
    @Given("it tests RandomOrder, given code that procresize needs from chapter 01 on")
    void goRunStealOrderTest() {
        RandomOrder ord = new RandomOrder();
        for (int procs = 1; procs <= 64; procs++) {
            ord.reset(procs);
            if (procs >= 3 && ord.coprimes().length < 2) {
                fail("procs=%d: too few coprimes %s. Read %s#randomorder", procs, java.util.Arrays.toString(ord.coprimes()), DOC);
            }
            for (int co = 0; co < ord.coprimes().length; co++) {
                RandomOrder.Enum e = ord.start(co * procs);
                boolean[] checked = new boolean[procs];
                for (int p = 0; p < procs; p++) {
                    int x = e.position();
                    if (checked[x]) {
                        fail("procs=%d inc=%d: P %d visited twice. Read %s#randomorder (Go: RunStealOrderTest)",
                                procs, e.inc(), x, DOC);
                    }
                    checked[x] = true;
                    e.next();
                }
                assertThat(e.done()).as("procs=%d: the enumeration must be done after %d steps. Read %s#randomorder",
                        procs, procs, DOC).isTrue();
            }
        }
        for (int procs = 2; procs <= 64; procs++) {
            ord.reset(procs);
            boolean[] checked = new boolean[procs * procs];
            for (int i = 0; i < procs * ord.coprimes().length; i++) {
                RandomOrder.Enum e = ord.start(i);
                int j = e.pos() * procs + e.inc();
                if (checked[j]) {
                    fail("procs=%d: start(%d) repeats pos=%d inc=%d: different seeds must give different orders."
                            + " Read %s#randomorder", procs, i, e.pos(), e.inc(), DOC);
                }
                checked[j] = true;
            }
        }
    }

    @Order(2)
    @Test
    @DisplayName("runqsteal takes half of the victim's queue, rounded up, and returns the last G it took")
    @Hint(doc = DOC + "#runqsteal", go = "runqsteal, runqgrab (proc.go)")
    void runqstealTakesHalfRoundedUp() {
        Proc proc = workbench(1);
        P victim = new P(0);
        P thief = new P(1);
        List<G> g = gs(proc, 5, 1);
        for (G gp : g) {
            proc.runqput(victim, gp, false);
        }
        G got = proc.runqsteal(thief, victim, false);
        assertThat(got).as("of 5 queued Gs the thief takes 3 (half, rounded up) and runs the last of them, G3."
                + " Read %s#runqsteal (Go: runqsteal)", DOC).isSameAs(g.get(2));
        assertThat(ring(thief)).as("the other two stolen Gs go to the thief's ring, in order. Read %s#runqsteal", DOC)
                .isEqualTo(g.subList(0, 2));
        assertThat(ring(victim)).as("the victim keeps the newer half. Read %s#runqgrab", DOC).isEqualTo(g.subList(3, 5));
    }

    @Order(3)
    @Test
    @DisplayName("runnext is stolen only on the last pass (stealRunNextG) and only when the victim's ring is empty")
    @Hint(doc = DOC + "#runqgrab", go = "runqgrab's stealRunNextG (proc.go)")
    void runnextIsStolenLast() {
        Proc proc = workbench(1);
        P victim = new P(0);
        victim.status = P._Pidle; // not running: no pause before taking runnext
        P thief = new P(1);
        List<G> g = gs(proc, 2, 1);
        proc.runqput(victim, g.get(0), true);
        assertThat(proc.runqsteal(thief, victim, false)).as("without stealRunNextG, runnext is not taken."
                + " Read %s#runqgrab", DOC).isNull();
        assertThat(proc.runqsteal(thief, victim, true)).as("with stealRunNextG and an empty ring, runnext is taken."
                + " Read %s#runqgrab", DOC).isSameAs(g.get(0));
        assertThat(victim.lvRunnext()).as("a stolen runnext is cleared with a CAS. Read %s#runqgrab", DOC).isNull();
        proc.runqput(victim, g.get(0), true);
        proc.runqput(victim, g.get(1), false);
        assertThat(proc.runqsteal(thief, victim, true)).as("with Gs in the ring, the ring is stolen, not runnext."
                + " Read %s#runqgrab", DOC).isSameAs(g.get(1));
        assertThat(victim.lvRunnext()).as("runnext stays with the victim. Read %s#runqgrab", DOC).isSameAs(g.get(0));
    }

    @Order(3)
    @Test
    @DisplayName("stealWork leaves a victim's runnext alone until its last pass: Gs in other rings are taken first")
    @Hint(doc = DOC + "#stealwork", go = "stealWork: stealRunNextG := i == stealTries-1 (proc.go)")
    void stealWorkTakesRunnextOnlyOnTheLastPass() {
        // Six running victims with only a runnext, one with a G in its ring. The first pass visits
        // every victim, so a stealWork that keeps runnext for the last pass always takes the ring's G;
        // one that steals runnext at once takes a runnext unless the random order put the ring's P
        // first (1 in 7). Ten fresh tries make that miss a chance of 1 in 7^10.
        for (int attempt = 0; attempt < 10; attempt++) {
            Proc proc = runningPs(8);
            List<G> g = gs(proc, 8, 1);
            for (int i = 1; i <= 6; i++) {
                proc.runqput(proc.allp[i], g.get(i), true);
            }
            proc.runqput(proc.allp[7], g.get(7), false);
            G got = proc.stealWork(proc.allp[0]);
            assertThat(got == null ? "nothing" : "G" + got.goid)
                    .as("stealWork must not take a runnext before its last pass (stealRunNextG = i == STEAL_TRIES - 1):"
                            + " a G in runnext was just readied by its P, which is about to run it, while G8 waits in"
                            + " P7's ring. Read %s#stealwork (Go: stealWork)", DOC)
                    .isEqualTo("G8");
        }
    }

    @Order(3)
    @Test
    @DisplayName("findRunnable steals only while fewer than half the busy Ps have a spinning M (2*nmspinning < gomaxprocs-npidle)")
    @Hint(doc = DOC + "#steal", go = "findRunnable: if mp.spinning || 2*sched.nmspinning.Load() < gomaxprocs-sched.npidle.Load() (proc.go)")
    void spinningMsAreLimited() {
        // Four Ps: P0 is ours, P1 and P2 idle, P3 busy with a G in its ring; two busy Ps, so one
        // spinning M is already half of them. The test thread plays P0's M, in explicit-step mode
        // (findRunnable returns instead of parking).
        List<String> seen = new ArrayList<>();
        for (int spinning = 1; spinning >= 0; spinning--) {
            Proc proc = runningPs(4);
            proc.stepping = true;
            proc.lockSched();
            try {
                for (int i = 2; i >= 1; i--) {
                    P idle = proc.allp[i];
                    idle.m.p = null;
                    idle.m = null;
                    idle.status = P._Pidle;
                    proc.pidleput(idle);
                }
            } finally {
                proc.unlockSched();
            }
            G work = gs(proc, 1, 100).get(0);
            proc.runqput(proc.allp[3], work, false);
            proc.sched.nmspinning.set(spinning);
            M mp = proc.allp[0].m;
            Proc.Pick pick = proc.findRunnable(mp);
            seen.add("nmspinning " + spinning + ": " + (pick == null ? "no steal" : "stole G" + pick.gp().goid));
        }
        assertThat(seen).as("an M that is not spinning may start stealing only while 2 * nmspinning < gomaxprocs -"
                + " npidle: with one M already spinning for two busy Ps, a second one only burns a CPU. With none"
                + " spinning it must steal. Read %s#steal and #spinning (Go: findRunnable)", DOC)
                .containsExactly("nmspinning 1: no steal", "nmspinning 0: stole G100");
    }

    /** A Proc that is never started, with n running Ps, each held by an M of its own (not started either). */
    private static Proc runningPs(int n) {
        Proc proc = workbench(n);
        proc.allp = new P[n];
        for (int i = 0; i < n; i++) {
            P pp = new P(i);
            M mp = new M(proc, 100 + i);
            mp.p = pp;
            pp.m = mp;
            pp.status = P._Prunning;
            proc.allp[i] = pp;
        }
        proc.stealOrder.reset(n);
        return proc;
    }

    @Order(4)
    @Test
    @DisplayName("Go's RunSchedLocalQueueStealTest: every G is seen exactly once and the thief takes i/2 or i/2+1")
    @Hint(doc = DOC + "#runqsteal", go = "RunSchedLocalQueueStealTest (export_test.go)")
    void goRunSchedLocalQueueStealTest() {
        Proc proc = workbench(1);
        P p1 = new P(0);
        P p2 = new P(1);
        List<G> gs = gs(proc, P.RUNQ_SIZE, 1);
        int[] sig = new int[P.RUNQ_SIZE];
        for (int i = 0; i < P.RUNQ_SIZE; i++) {
            java.util.Arrays.fill(sig, 0);
            for (int j = 0; j < i; j++) {
                proc.runqput(p1, gs.get(j), false);
            }
            int s = 0;
            G gp = proc.runqsteal(p2, p1, true);
            if (gp != null) {
                s++;
                sig[(int) gp.goid - 1]++;
            }
            for (Proc.Pick p = proc.runqget(p2); p != null; p = proc.runqget(p2)) {
                s++;
                sig[(int) p.gp().goid - 1]++;
            }
            for (Proc.Pick p = proc.runqget(p1); p != null; p = proc.runqget(p1)) {
                sig[(int) p.gp().goid - 1]++;
            }
            for (int j = 0; j < i; j++) {
                if (sig[j] != 1) {
                    fail("bad element %d (seen %d times) at iteration %d: a steal must move Gs, never lose or copy"
                            + " them. Read %s#runqgrab (Go: RunSchedLocalQueueStealTest)", j, sig[j], i, DOC);
                }
            }
            if (s != i / 2 && s != i / 2 + 1) {
                fail("bad steal %d, want %d or %d, at iteration %d. Read %s#runqgrab", s, i / 2, i / 2 + 1, i, DOC);
            }
        }
    }

    // ---------------------------------------------------------------------------------------------
    // wakep and the spinning Ms

    @Order(5)
    @Test
    @DisplayName("a go statement with an idle P and nobody spinning starts one spinning M on that P (wakep)")
    @Hint(doc = DOC + "#wakep", go = "newproc -> wakep -> startm(pp, spinning=true) (proc.go)")
    void goWakesAnIdleP() {
        GoRuntime rt = runtime(2);
        List<Object> seen = new ArrayList<>();
        AtomicInteger done = new AtomicInteger();
        AtomicInteger looked = new AtomicInteger();
        Harness.run(rt, Duration.ofSeconds(10), "wakep never started an M for the new goroutine (newproc -> wakep -> startm)", () -> {
            Proc proc = rt.proc();
            Go.go(() -> {
                Spin.until(() -> looked.get() != 0, "main to look"); // hold p1 until main has looked
                done.incrementAndGet();
            });
            seen.add(proc.allm.size());
            seen.add(proc.sched.npidle.get());
            looked.set(1);
            requireAnotherM(proc);
            Spin.until(() -> done.get() != 0, "the new goroutine to run"); // main keeps p0: another M must run it
        });
        assertThat(seen).as("right after go f() with p1 idle, wakep must have taken p1 and started a second M"
                + " (allm 2, no idle P left). Read %s#wakep (Go: wakep, startm, newm)", DOC).containsExactly(2, 0);
    }

    @Order(6)
    @Test
    @DisplayName("wakep does nothing while an M is already spinning, and starts one once none is")
    @Hint(doc = DOC + "#wakep", go = "wakep: if nmspinning != 0 || !CAS(nmspinning, 0, 1) return")
    void wakepDefersToASpinningM() {
        GoRuntime rt = runtime(2);
        List<Object> seen = new ArrayList<>();
        Harness.run(rt, Duration.ofSeconds(10), "wakep did not start an M once nobody was spinning", () -> {
            Proc proc = rt.proc();
            proc.sched.nmspinning.set(1); // pretend an M is spinning
            Go.go(() -> { });
            seen.add(proc.allm.size());
            seen.add(proc.sched.npidle.get());
            proc.sched.nmspinning.set(0); // nobody spins any more: the next go statement must wake an M
            AtomicInteger release = new AtomicInteger();
            Go.go(() -> Spin.until(() -> release.get() != 0, "main to look")); // keep p1 busy until main has looked
            seen.add(proc.allm.size());
            release.set(1);
        });
        assertThat(seen).as("with nmspinning already 1, wakep must not start another M (the spinning one will find"
                + " the work); once nmspinning is 0, the next go statement must start one."
                + " Read %s#wakep (Go: wakep)", DOC).containsExactly(1, 1, 2);
    }

    @Order(7)
    @Test
    @DisplayName("wakep with no idle P starts nothing and sets needspinning")
    @Hint(doc = DOC + "#wakep", go = "wakep, pidlegetSpinning (proc.go)")
    void wakepWithoutAnIdlePSetsNeedspinning() {
        GoRuntime rt = runtime(1);
        List<Object> seen = new ArrayList<>();
        Harness.run(rt, () -> {
            Proc proc = rt.proc();
            Go.go(() -> { });
            seen.add(proc.allm.size());
            seen.add(proc.sched.nmspinning.get());
            seen.add(proc.sched.needspinning.get());
        });
        assertThat(seen).as("with the only P busy, wakep finds no idle P: it must undo its nmspinning increment"
                + " and set needspinning = 1. Read %s#wakep (Go: wakep, pidlegetSpinning)", DOC).containsExactly(1, 0, 1);
    }

    @Order(8)
    @Test
    @DisplayName("2000 go statements while main spins: another M picks up each one (no lost wake-up)")
    @Hint(doc = DOC + "#spinning", go = "wakep, resetspinning, findRunnable's spinning -> non-spinning recheck")
    void noLostWakeups() {
        GoRuntime rt = runtime(2);
        AtomicInteger done = new AtomicInteger();
        Harness.run(rt, Duration.ofSeconds(15), "a goroutine was never stolen: a lost wake-up in wakep/resetspinning or the spinning -> non-spinning recheck", () -> {
            for (int i = 1; i <= 2000; i++) {
                Go.go(done::incrementAndGet);
                if (i == 1) {
                    requireAnotherM(rt.proc());
                }
                // main never yields, so the G can only run if an M is woken and steals it. If a wake-up
                // is lost, this spins until the harness's deadline reports the hang.
                int n = i;
                Spin.until(() -> done.get() >= n, "goroutine " + n + " to be stolen and run");
            }
        });
        assertThat(done.get()).as("every goroutine must have run. Read %s#spinning", DOC).isEqualTo(2000);
    }

    // ---------------------------------------------------------------------------------------------
    // Go's parallelism tests

    @Order(9)
    @Test
    @DisplayName("Go's TestGoroutineParallelism: with GOMAXPROCS 4, four goroutines run at the same time (10 tries)")
    @Hint(doc = DOC + "#parallelism", go = "TestGoroutineParallelism (proc_test.go)")
    void goTestGoroutineParallelism() {
        // Go's version spawns P goroutines while main blocks on a channel. Channels are chapter 05,
        // so here main is participant 0 and spins like the others; all P must run at once to finish.
        int procs = 4;
        GoRuntime rt = runtime(procs);
        Harness.run(rt, Duration.ofSeconds(15), "the participants never all ran at once: an idle P was not woken (wakep/startm) or its M did not steal (stealWork)", () -> {
            for (int attempt = 0; attempt < 10; attempt++) {
                AtomicInteger x = new AtomicInteger();
                AtomicInteger done = new AtomicInteger();
                for (int p = 1; p < procs; p++) {
                    int me = p;
                    Go.go(() -> {
                        takeTurns(x, procs, me);
                        done.incrementAndGet();
                    });
                }
                requireAnotherM(rt.proc());
                takeTurns(x, procs, 0);
                Spin.until(() -> done.get() == procs - 1, "the other participants to finish");
            }
        });
    }

    /**
     * Fails at once, instead of spinning until the deadline, when the go statement just made started
     * no M although a P was idle: then nothing but main's own M could ever run the new goroutine.
     */
    private static void requireAnotherM(Proc proc) {
        if (proc.allm.size() < 2) {
            throw new AssertionError("a go statement with an idle P started no other M, so only main's M could run the"
                    + " new goroutine, and main never yields: newproc must call wakep, which takes an idle P and"
                    + " startm's an M for it. Read " + DOC + "#wakep (Go: wakep, startm)");
        }
    }

    /** Go's inner loop: participant p moves x from P*i+p to P*i+p+1 for three rounds. */
    private static void takeTurns(AtomicInteger x, int procs, int p) {
        for (int i = 0; i < 3; i++) {
            int expected = procs * i + p;
            Spin.until(() -> x.get() == expected, "x == " + expected + ": all " + procs + " participants must run at once");
            x.set(expected + 1);
        }
    }

    @Order(10)
    @Test
    @DisplayName("Go's TestGoroutineParallelism2 (load): parking Ms wake up again for nested goroutines (10 tries)")
    @Hint(doc = DOC + "#parallelism", go = "TestGoroutineParallelism2, load variant (proc_test.go)")
    void goTestGoroutineParallelism2Load() {
        int procs = 4;
        GoRuntime rt = runtime(procs);
        Harness.run(rt, Duration.ofSeconds(15), "the participants never all ran at once: Ms that went idle (stopm) were not woken again", () -> {
            for (int attempt = 0; attempt < 10; attempt++) {
                // Load: start P-1 goroutines and wait until all P (main included) run; when they end,
                // their Ms start parking while the real test below runs.
                AtomicInteger loaded = new AtomicInteger();
                for (int p = 1; p < procs; p++) {
                    Go.go(() -> {
                        loaded.incrementAndGet();
                        Spin.until(() -> loaded.get() >= procs, "all " + procs + " loaders to run at once");
                    });
                }
                requireAnotherM(rt.proc());
                loaded.incrementAndGet();
                Spin.until(() -> loaded.get() >= procs, "all " + procs + " loaders to run at once");
                // The test: participants spawned in a nested way, main being participant 0.
                AtomicInteger x = new AtomicInteger();
                AtomicInteger done = new AtomicInteger();
                Go.go(() -> {
                    for (int p2 = 1; p2 <= 2; p2++) {
                        int me = p2;
                        Go.go(() -> {
                            takeTurns(x, procs, me);
                            done.incrementAndGet();
                        });
                    }
                    takeTurns(x, procs, 3);
                    done.incrementAndGet();
                });
                takeTurns(x, procs, 0);
                Spin.until(() -> done.get() == procs - 1, "the other participants to finish");
            }
        });
    }

    @Order(11)
    @Test
    @DisplayName("an M with nothing to do parks: once the work is done, the extra Ms sit idle and use no CPU")
    @Hint(doc = DOC + "#stopm", go = "findRunnable's tail, stopm, notesleep (proc.go)")
    void idleMsParkInsteadOfSpinning() {
        GoRuntime rt = runtime(4);
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        AtomicReference<String> verdict = new AtomicReference<>();
        Harness.run(rt, Duration.ofSeconds(15), "three goroutines never ran on three Ms at once (wakep, startm, stealWork)", () -> {
            Proc proc = rt.proc();
            AtomicInteger started = new AtomicInteger();
            AtomicInteger done = new AtomicInteger();
            for (int p = 1; p < 4; p++) {
                Go.go(() -> {
                    started.incrementAndGet();
                    Spin.until(() -> started.get() >= 3, "three goroutines on three Ms at once");
                    done.incrementAndGet();
                });
            }
            requireAnotherM(proc);
            Spin.until(() -> done.get() >= 3, "the three goroutines to finish");
            // main blocks its thread (a Java sleep is like a blocking syscall here): the other Ms must
            // find nothing, give back their Ps and park. Generous bounds: CI machines are 2 noisy cores.
            // main stays on its M meanwhile: sysmon would preempt it at a safepoint between two sleeps,
            // and another M would take it from the global queue (seen: "only 2 of 3 Ms idle", with main
            // running on M2 and m0 idle). Every M but main's own must go idle.
            M mine = Proc.getg().m;
            mine.preemptoff = "idleMsParkInsteadOfSpinning: main watches the other Ms";
            try {
                int others = proc.allm.size() - 1;
                long deadline = System.nanoTime() + 5_000_000_000L;
                while (idleMs(proc) < others && System.nanoTime() < deadline) {
                    sleep(5);
                }
                if (idleMs(proc) < others) {
                    verdict.set("only " + idleMs(proc) + " of " + others + " Ms went idle within 5 s; the Ms: "
                            + whereMsAre(proc, mine));
                    return;
                }
                long before = cpuOfOtherMs(proc, mx, mine);
                sleep(300);
                long used = cpuOfOtherMs(proc, mx, mine) - before;
                if (used > 60_000_000L) {
                    verdict.set("the idle Ms used " + used / 1_000_000 + " ms of CPU in 300 ms");
                }
            } finally {
                mine.preemptoff = "";
            }
        });
        assertThat(verdict.get()).as("an M that finds no work must release its P, put itself on the idle list and"
                + " sleep on its note (no busy waiting). Read %s#stopm (Go: stopm)", DOC).isNull();
    }

    private static int idleMs(Proc proc) {
        proc.lockSched();
        try {
            return proc.sched.nmidle;
        } finally {
            proc.unlockSched();
        }
    }

    /** Each M but m0: its P, whether it spins, and where its thread is (for a failure's message). */
    private static String whereMsAre(Proc proc, M mine) {
        StringBuilder out = new StringBuilder();
        for (M mp : proc.allm) {
            if (mp == mine || mp.thread == null) {
                continue;
            }
            out.append("\n  M").append(mp.id).append(": p=").append(mp.p).append(", spinning=").append(mp.spinning)
                    .append(", thread ").append(mp.thread.getState());
            StackTraceElement[] stack = mp.thread.getStackTrace();
            for (int i = 0; i < Math.min(8, stack.length); i++) {
                out.append("\n      at ").append(stack[i]);
            }
        }
        return out.toString();
    }

    private static long cpuOfOtherMs(Proc proc, ThreadMXBean mx, M mine) {
        long sum = 0;
        for (M mp : proc.allm) {
            if (mp != mine && mp.thread != null) {
                sum += Math.max(0, mx.getThreadCpuTime(mp.thread.threadId()));
            }
        }
        return sum;
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
