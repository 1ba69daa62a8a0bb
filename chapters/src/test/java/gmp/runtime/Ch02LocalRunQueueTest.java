package gmp.runtime;

import static gmp.runtime.Fixtures.runtime;
import static gmp.runtime.Fixtures.workbench;
import static gmp.runtime.Fixtures.gs;
import static gmp.runtime.Fixtures.ring;
import static gmp.runtime.Fixtures.global;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import gmp.workbook.Harness;
import gmp.workbook.Given;
import gmp.workbook.Hint;
import gmp.workbook.Seeds;

/**
 * Chapter 02: the go statement and the local run queue. Where a new goroutine goes (runnext), in
 * what order a P's Gs come out (runnext, then FIFO), what happens when the 256-slot ring is full
 * (half of it, with the new G, moves to the global queue), and how dead Gs are kept for reuse.
 */
// The chapter's place in a run of every chapter, so that the hint follows the doc's order.
@Order(20)
@Tag("ch02")
@DisplayName("Chapter 02: the go statement and the local run queue")
@Hint(doc = Ch02LocalRunQueueTest.DOC, go = "newproc, runqput, runqget (proc.go)")
class Ch02LocalRunQueueTest {
    static final String DOC = "docs/en/02-local-runq.md";






    // ---------------------------------------------------------------------------------------------
    // The go statement

    @Order(10)
    @Test
    @DisplayName("go f() makes a _Grunnable goroutine 5 (2 to 4 are runtime.main's), child of main, and puts it in the P's runnext")
    @Hint(doc = DOC + "#newproc", go = "newproc, newproc1 (proc.go)")
    void goPutsTheNewGoroutineInRunnext() {
        GoRuntime rt = runtime(1);
        AtomicInteger ran = new AtomicInteger();
        List<Object> seen = new ArrayList<>();
        Harness.run(rt, () -> {
            Go.go(ran::incrementAndGet);
            P pp = Proc.getg().m.p;
            G next = pp.lvRunnext();
            seen.add(next == null ? "no runnext" : next.goid);
            seen.add(next == null ? "" : G.statusName(next.status()));
            seen.add(next == null ? "" : next.parentGoid);
            seen.add(ring(pp).size());
        });
        assertThat(seen).as("after go f() in main, p0.runnext must hold the new G: goid 5 (goids 2 to 4 went to the"
                        + " runtime's own goroutines, made by runtime.main before main.main, as in Go), _Grunnable,"
                        + " parentGoid 1, and the ring must stay empty. Read %s#newproc (Go: newproc ->"
                        + " runqput(pp, newg, true))", DOC)
                .containsExactly(5L, "runnable", 1L, 0);
        assertThat(ran.get()).as("the new goroutine must not run before main gives up p0 (main returned first here)."
                + " Read %s#newproc", DOC).isZero();
    }

    @Order(11)
    @Test
    @DisplayName("a second go statement takes runnext, kicking the first goroutine to the tail of the ring")
    @Hint(doc = DOC + "#runqput", go = "runqput with next=true (proc.go)")
    void secondGoKicksTheFirstToTheRing() {
        List<Object> seen = new ArrayList<>();
        Harness.run(runtime(1), () -> {
            Go.go(() -> { });
            Go.go(() -> { });
            Go.go(() -> { });
            P pp = Proc.getg().m.p;
            seen.add(pp.lvRunnext() == null ? "none" : pp.lvRunnext().goid);
            seen.add(ring(pp).stream().map(g -> g.goid).toList());
        });
        assertThat(seen).as("after go a; go b; go c the newest (c, goid 7) must be in runnext and the older ones"
                + " kicked out to the ring in order (a=5, b=6; 2 to 4 are runtime.main's). Read %s#runqput (Go:"
                + " runqput kicks the old runnext to the tail)", DOC).containsExactly(7L, List.of(5L, 6L));
    }

    @Order(12)
    @Test
    @DisplayName("goids come from a per-P batch of 16 taken from sched.goidgen: main is 1, the runtime's 2 to 4, then 5, 6, ...")
    @Hint(doc = DOC + "#newproc1", go = "newproc1: pp.goidcache, _GoidCacheBatch (proc.go)")
    void goidsComeInBatchesOf16() {
        GoRuntime rt = runtime(1);
        List<Long> goids = new ArrayList<>();
        List<Long> goidgen = new ArrayList<>();
        Harness.run(rt, () -> {
            P pp = Proc.getg().m.p;
            for (int i = 0; i < 20; i++) {
                Go.go(() -> { });
                G newg = pp.lvRunnext();
                assertThat(newg).as("a go statement must put the new G in its P's runnext (runqput(pp, newg, true))."
                        + " Read %s#newproc (Go: newproc)", DOC).isNotNull();
                goids.add(newg.goid);
                goidgen.add(rt.proc().sched.goidgen.get());
            }
        });
        List<Long> expected = new ArrayList<>();
        for (long id = 5; id <= 24; id++) {
            expected.add(id);
        }
        assertThat(goids).as("goids must be unique and increasing on one P: 5..24 after main's 1 and the runtime's"
                + " 2 to 4 (runtime.main's start-up). Read %s#newproc1 (Go: newproc1)", DOC).isEqualTo(expected);
        assertThat(goidgen.get(0)).as("the first go statement must take a batch of 16 from sched.goidgen in one"
                + " step: 4 (main and the runtime's three) + 16 = 20, handing out 5..20. Read %s#newproc1"
                + " (Go: _GoidCacheBatch)", DOC).isEqualTo(20L);
        assertThat(goidgen.get(15)).as("the 16th goroutine (goid 20) must still come from the first batch."
                + " Read %s#newproc1", DOC).isEqualTo(20L);
        assertThat(goidgen.get(16)).as("the 17th goroutine (goid 21) must take the next batch: goidgen 36."
                + " Read %s#newproc1", DOC).isEqualTo(36L);
    }

    @Order(13)
    @Test
    @DisplayName("the go statement from a plain Java thread is an IllegalStateException that says why")
    @Hint(doc = DOC + "#newproc", go = "getg(): a go statement needs a current goroutine")
    @Given("the guard it checks is in the given facade class Go")
    void goFromAPlainThreadIsRefused() {
        assertThatThrownBy(() -> Go.go(() -> { }))
                .as("calling Go.go outside any runtime must fail clearly. Read %s#newproc", DOC)
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("must be called on a goroutine");
    }

    // ---------------------------------------------------------------------------------------------
    // The ring

    @Order(1)
    @Test
    @DisplayName("runqget returns runnext first (inheriting the time slice), then the ring in FIFO order")
    @Hint(doc = DOC + "#runqget", go = "runqget (proc.go)")
    void runqgetTakesRunnextThenFifo() {
        Proc proc = workbench(1);
        P pp = new P(0);
        List<G> g = gs(proc, 4, 100);
        proc.runqput(pp, g.get(0), false);
        proc.runqput(pp, g.get(1), false);
        proc.runqput(pp, g.get(2), true);
        proc.runqput(pp, g.get(3), false);
        List<String> got = new ArrayList<>();
        for (Proc.Pick p = proc.runqget(pp); p != null; p = proc.runqget(pp)) {
            got.add(p.gp().goid + (p.inheritTime() ? " inherits" : " new slice"));
        }
        assertThat(got).as("runnext (G102) must come out first and inherit the time slice; then the ring,"
                + " oldest first, each starting a new slice; then null. Read %s#runqget (Go: runqget)", DOC)
                .containsExactly("102 inherits", "100 new slice", "101 new slice", "103 new slice");
    }

    @Order(2)
    @Test
    @DisplayName("Go's RunSchedLocalQueueTest: for every i < 256, i puts then i gets return the same G, then empty")
    @Hint(doc = DOC + "#runqget", go = "RunSchedLocalQueueTest (export_test.go)")
    void goRunSchedLocalQueueTest() {
        Proc proc = workbench(1);
        P pp = new P(0);
        List<G> g = gs(proc, P.RUNQ_SIZE, 100);
        for (int i = 0; i < P.RUNQ_SIZE; i++) {
            assertThat(proc.runqget(pp)).as("iteration %d: runq must be empty initially. Read %s#runqget", i, DOC).isNull();
            for (int j = 0; j < i; j++) {
                proc.runqput(pp, g.get(i), false);
            }
            for (int j = 0; j < i; j++) {
                Proc.Pick p = proc.runqget(pp);
                if (p == null || p.gp() != g.get(i)) {
                    fail("bad element at iteration %d/%d: got %s. Read %s#runqget (Go: RunSchedLocalQueueTest)",
                            i, j, p == null ? "null" : p.gp(), DOC);
                }
            }
            assertThat(proc.runqget(pp)).as("iteration %d: runq must be empty afterwards. Read %s#runqget", i, DOC).isNull();
        }
    }

    @Order(3)
    @Test
    @DisplayName("a full ring moves its oldest 128 Gs, then the new one, in order, to the global queue")
    @Hint(doc = DOC + "#runqputslow", go = "runqputslow, globrunqputbatch (proc.go)")
    void overflowMovesHalfToTheGlobalQueue() {
        Proc proc = workbench(1);
        P pp = new P(0);
        List<G> g = gs(proc, P.RUNQ_SIZE + 1, 100);
        for (int i = 0; i < P.RUNQ_SIZE; i++) {
            proc.runqput(pp, g.get(i), false);
        }
        assertThat(global(proc)).as("a ring of 256 holds 256 Gs without overflowing. Read %s#runqput", DOC).isEmpty();
        proc.runqput(pp, g.get(P.RUNQ_SIZE), false);
        List<G> expectedGlobal = new ArrayList<>(g.subList(0, 128));
        expectedGlobal.add(g.get(P.RUNQ_SIZE));
        assertThat(global(proc)).as("the 257th put must move the oldest half (128 Gs) and then the new G to the"
                + " global queue, in FIFO order. Read %s#runqputslow (Go: runqputslow)", DOC).isEqualTo(expectedGlobal);
        assertThat(proc.sched.runqsize).as("sched.runqsize must count the 129 Gs moved. Read %s#runqputslow", DOC)
                .isEqualTo(129);
        assertThat(ring(pp)).as("the ring must keep the newer half, in order. Read %s#runqputslow", DOC)
                .isEqualTo(g.subList(128, P.RUNQ_SIZE));
    }

    @Order(4)
    @Test
    @DisplayName("property: random puts (next or not) and gets agree with a simple model, overflow included")
    @Hint(doc = DOC + "#runqput", go = "runqput, runqputslow, runqget (proc.go)")
    void ringAgreesWithAModel() {
        long base = Seeds.base();
        SplittableRandom seeds = new SplittableRandom(base);
        for (int run = 0; run < 60; run++) {
            long seed = seeds.nextLong();
            checkAgainstModel(seed, base);
        }
    }

    private static void checkAgainstModel(long seed, long base) {
        SplittableRandom rnd = new SplittableRandom(seed);
        Proc proc = workbench(1);
        P pp = new P(0);
        ArrayDeque<G> modelRing = new ArrayDeque<>();
        List<G> modelGlobal = new ArrayList<>();
        G modelNext = null;
        // Bias towards puts so that sequences overflow the 256-slot ring.
        int putPercent = 55 + rnd.nextInt(20);
        int ops = 400 + rnd.nextInt(1200);
        long goid = 1;
        for (int op = 0; op < ops; op++) {
            String where = "op " + op + " of " + ops + " in sequence " + seed + " from base " + Seeds.replay(base);
            if (rnd.nextInt(100) < putPercent) {
                boolean next = rnd.nextInt(4) == 0;
                G gp = proc.malg();
                gp.goid = goid++;
                proc.runqput(pp, gp, next);
                G toRing = gp;
                if (next) {
                    toRing = modelNext;
                    modelNext = gp;
                }
                if (toRing != null) {
                    if (modelRing.size() == P.RUNQ_SIZE) {
                        for (int i = 0; i < P.RUNQ_SIZE / 2; i++) {
                            modelGlobal.add(modelRing.pollFirst());
                        }
                        modelGlobal.add(toRing);
                    } else {
                        modelRing.addLast(toRing);
                    }
                }
            } else {
                Proc.Pick got = proc.runqget(pp);
                G want = modelNext != null ? modelNext : modelRing.pollFirst();
                boolean wantInherit = modelNext != null;
                modelNext = null;
                assertThat(got == null ? null : got.gp())
                        .as("runqget returned the wrong G at %s. Read %s#runqget", where, DOC).isSameAs(want);
                if (got != null) {
                    assertThat(got.inheritTime()).as("inheritTime wrong at %s. Read %s#runqget", where, DOC)
                            .isEqualTo(wantInherit);
                }
            }
            assertThat(ring(pp)).as("ring contents differ from the model at %s. Read %s#runqput", where, DOC)
                    .containsExactlyElementsOf(modelRing);
            assertThat(pp.lvRunnext()).as("runnext differs from the model at %s. Read %s#runqput", where, DOC)
                    .isSameAs(modelNext);
        }
        assertThat(global(proc)).as("the global queue differs from the model after sequence %s from base %s."
                + " Read %s#runqputslow", seed, Seeds.replay(base), DOC).containsExactlyElementsOf(modelGlobal);
        assertThat(proc.sched.runqsize).as("sched.runqsize differs from the model, %s. Read %s#runqputslow",
                Seeds.replay(base), DOC).isEqualTo(modelGlobal.size());
    }

    @Order(5)
    @Test
    @DisplayName("runqempty is false while runnext holds a G, and true only when both runnext and ring are empty")
    @Hint(doc = DOC + "#runqempty", go = "runqempty (proc.go)")
    void runqemptyCountsRunnext() {
        Proc proc = workbench(1);
        P pp = new P(0);
        List<G> g = gs(proc, 2, 100);
        assertThat(proc.runqempty(pp)).as("a new P's queue is empty. Read %s#runqempty", DOC).isTrue();
        proc.runqput(pp, g.get(0), true);
        assertThat(proc.runqempty(pp)).as("a G in runnext means the P is not empty. Read %s#runqempty", DOC).isFalse();
        proc.runqget(pp);
        proc.runqput(pp, g.get(1), false);
        assertThat(proc.runqempty(pp)).as("a G in the ring means the P is not empty. Read %s#runqempty", DOC).isFalse();
        proc.runqget(pp);
        assertThat(proc.runqempty(pp)).as("empty again after taking both. Read %s#runqempty", DOC).isTrue();
    }

    @Order(6)
    @Test
    @DisplayName("Go's RunSchedLocalQueueEmptyTest: another thread never sees the queue spuriously empty")
    @Hint(doc = DOC + "#runqempty", go = "RunSchedLocalQueueEmptyTest (export_test.go), runqempty")
    void goRunSchedLocalQueueEmptyTest() throws InterruptedException {
        // Two real threads: the owner puts a second G and takes one while the checker asks runqempty.
        // Exactly one G is queued at every moment, so "empty" is always wrong. Go starts a goroutine
        // per iteration; here one checker thread meets the owner at a spin barrier per iteration.
        // 20,000 iterations (Go runs 100,000); a wrong runqempty fails far sooner.
        Proc proc = workbench(1);
        P pp = new P(0);
        List<G> g = gs(proc, 2, 100);
        int iters = 20_000;
        AtomicInteger phase = new AtomicInteger(); // 2i+1: checker ready for iteration i; 2i+2: owner ready
        AtomicInteger checked = new AtomicInteger(-1);
        String[] failure = new String[1];
        Thread checker = Thread.ofPlatform().daemon().start(() -> {
            for (int i = 0; i < iters; i++) {
                phase.incrementAndGet();
                while (phase.get() < 2 * i + 2) {
                    Thread.onSpinWait();
                }
                if (proc.runqempty(pp) && failure[0] == null) {
                    failure[0] = "runqempty said empty at iteration " + i
                            + " (next0=" + ((i & 1) == 0) + ", next1=" + ((i & 2) == 0) + ")";
                }
                checked.set(i);
            }
        });
        for (int i = 0; i < iters; i++) {
            proc.runqput(pp, g.get(0), (i & 1) == 0);
            while (phase.get() < 2 * i + 1) {
                Thread.onSpinWait();
            }
            phase.incrementAndGet();
            proc.runqput(pp, g.get(1), (i & 2) == 0);
            proc.runqget(pp);
            while (checked.get() < i) {
                Thread.onSpinWait();
            }
            proc.runqget(pp);
        }
        checker.join();
        assertThat(failure[0]).as("runqempty must never report empty spuriously: read head, tail and runnext,"
                + " then re-read tail. Read %s#runqempty (Go: runqempty)", DOC).isNull();
    }

    @Order(7)
    @Test
    @DisplayName("runqput writes the slot before it publishes the tail: a thief taking Gs meanwhile never gets a stale one")
    @Hint(doc = DOC + "#runqput", go = "runqput: pp.runq[t%uint32(len(pp.runq))].set(gp); atomic.StoreRel(&pp.runqtail, t+1)")
    void aThiefNeverTakesASlotBeforeItIsWritten() throws InterruptedException {
        // The owner puts N Gs (cycling through a pool bigger than the ring) while a thief on another
        // thread takes them one by one the way chapter 04's runqgrab does: tail with acquire, the slot,
        // then a CAS of head. One owner, one thief, no runqget: the thief must see exactly the order
        // of the puts. A runqput that publishes the tail before it writes the slot lets the thief read
        // the slot in between: null on the first lap, a G from 256 puts ago after. (A thief can only
        // catch that while both threads run at once: on a machine with one free CPU this test may
        // miss the mistake, never invent it.)
        Proc proc = workbench(1);
        P pp = new P(0);
        List<G> pool = gs(proc, 1024, 1);
        int n = 200_000;
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        AtomicInteger taken = new AtomicInteger();
        AtomicReference<String> stale = new AtomicReference<>();
        AtomicLong thiefDeadline = new AtomicLong(deadline); // 2 s after the last put, once it is made
        Thread thief = Thread.ofPlatform().name("ch02-thief").start(() -> {
            for (int k = 0; k < n && System.nanoTime() < thiefDeadline.get(); ) {
                int h = pp.laHead();
                int t = pp.laTail();
                if (t == h) {
                    Thread.onSpinWait();
                    continue;
                }
                G gp = pp.runq[h & P.MASK];
                if (pp.casRelHead(h, h + 1)) {
                    G want = pool.get(k % pool.size());
                    if (gp != want && stale.get() == null) {
                        stale.set("put #" + k + " was " + want + ", but the thief found " + gp + " in its slot");
                    }
                    taken.set(++k);
                }
            }
        });
        boolean putAll = false;
        int puts = 0; // made before the deadline: on a starved machine, fewer than n
        try {
            for (int k = 0; k < n && System.nanoTime() < deadline; k++) {
                while (pp.laTail() - pp.laHead() >= P.RUNQ_SIZE && System.nanoTime() < deadline) {
                    Thread.yield(); // full: wait for the thief rather than spill to the global queue
                }
                if (pp.laTail() - pp.laHead() >= P.RUNQ_SIZE) {
                    break; // still full at the deadline
                }
                proc.runqput(pp, pool.get(k % pool.size()), false);
                puts++;
            }
            putAll = true;
        } finally {
            // After the last put the thief has 2 s to take the rest; if runqput threw, it stops now.
            thiefDeadline.set(putAll ? Math.min(deadline, System.nanoTime() + Duration.ofSeconds(2).toNanos()) : 0);
            thief.join();
        }
        assertThat(stale.get()).as("a thief read a slot that runqput had published but not yet written. Write the G"
                + " into runq[t & MASK] first, then srTail(t + 1): that store-release is what makes the slot visible"
                + " to a thief that reads the tail with acquire. Read %s#runqput (Go: runqput)", DOC).isNull();
        assertThat(taken.get()).as("the thief must have taken every one of the %d Gs put on the ring, in order"
                + " (runqput must advance the tail by one per G). Read %s#runqput", puts, DOC).isEqualTo(puts);
        assertThat(puts).as("only %d of %d puts were made in 20 s: the machine is too loaded for this race to mean"
                + " anything (idle, all of them take well under a second)", puts, n).isGreaterThanOrEqualTo(n / 20);
    }

    // ---------------------------------------------------------------------------------------------
    // Dead Gs

    @Order(8)
    @Test
    @DisplayName("gfput keeps dead Gs on the P; at 64 it moves them to the global list until 31 remain")
    @Hint(doc = DOC + "#gfput", go = "gfput (proc.go)")
    void gfputSpillsAt64() {
        Proc proc = workbench(1);
        P pp = new P(0);
        List<G> dead = gs(proc, 64, 100);
        for (G gp : dead) {
            gp.setStatus(G._Gdead);
        }
        for (int i = 0; i < 63; i++) {
            proc.gfput(pp, dead.get(i));
        }
        assertThat(pp.gFreeN).as("63 dead Gs stay on the P. Read %s#gfput (Go: gfput)", DOC).isEqualTo(63);
        assertThat(proc.sched.gFreeN).as("nothing spills before 64. Read %s#gfput", DOC).isZero();
        proc.gfput(pp, dead.get(63));
        assertThat(pp.gFreeN).as("at 64 the P must keep fewer than 32: 31. Read %s#gfput (Go: gfput)", DOC).isEqualTo(31);
        assertThat(proc.sched.gFreeN).as("...and the other 33 go to sched.gFree. Read %s#gfput", DOC).isEqualTo(33);
        int local = 0;
        for (G gp = pp.gFree; gp != null; gp = gp.schedlink) {
            local++;
        }
        int global = 0;
        for (G gp = proc.sched.gFree; gp != null; gp = gp.schedlink) {
            global++;
        }
        assertThat(List.of(local, global)).as("the lists must hold what their counts say. Read %s#gfput", DOC)
                .containsExactly(31, 33);
        for (G gp = pp.gFree; gp != null; gp = gp.schedlink) {
            assertThat(gp.stack).as("a dead G that stays on its P keeps its stack, for a cheap reuse. Read %s#gfput", DOC)
                    .isNotNull();
        }
        for (G gp = proc.sched.gFree; gp != null; gp = gp.schedlink) {
            assertThat(gp.stack).as("a dead G that moves to the global list gives its stack up (stack = null), as Go"
                    + " frees those stacks: a million dead Gs must not keep a million stacks. Read %s#gfput", DOC).isNull();
        }
    }

    @Order(9)
    @Test
    @DisplayName("gfget on an empty P refills up to 32 from the global list, then takes one")
    @Hint(doc = DOC + "#gfget", go = "gfget (proc.go)")
    void gfgetRefillsUpTo32() {
        Proc proc = workbench(1);
        P donor = new P(1);
        P pp = new P(0);
        for (G gp : gs(proc, 64, 100)) {
            gp.setStatus(G._Gdead);
            proc.gfput(donor, gp);
        }
        assertThat(proc.sched.gFreeN).as("setup: 33 Gs on the global list. Read %s#gfput", DOC).isEqualTo(33);
        G got = proc.gfget(pp);
        assertThat(got).as("gfget must return a dead G when the global list has some. Read %s#gfget", DOC).isNotNull();
        assertThat(got.schedlink).as("a G handed out must be unlinked. Read %s#gfget", DOC).isNull();
        assertThat(got.stack).as("a G from the global list has no stack: gfget must give it a new one (new G.Stack(gp))."
                + " Read %s#gfget (Go: gfget calls stackalloc)", DOC).isNotNull();
        assertThat(pp.gFreeN).as("the P must have refilled to 32 and then taken one: 31 left. Read %s#gfget", DOC)
                .isEqualTo(31);
        assertThat(proc.sched.gFreeN).as("33 - 32 = 1 left on the global list. Read %s#gfget", DOC).isEqualTo(1);
        assertThat(proc.gfget(new P(2))).as("a second empty P takes the last global G. Read %s#gfget", DOC).isNotNull();
        assertThat(proc.gfget(new P(3))).as("nothing anywhere: null. Read %s#gfget", DOC).isNull();
    }

    @Order(14)
    @Test
    @DisplayName("a goroutine that exits is reused by the next go statement: same G, new goid")
    @Hint(doc = DOC + "#gfget", go = "goexit0 -> gfput; newproc1 -> gfget (proc.go)")
    void deadGoroutinesAreReused() {
        try (Stepper s = Stepper.boot(1)) {
            List<String> ran = new ArrayList<>();
            G first = s.go(() -> ran.add("a"));
            assertThat(s.step()).as("the scheduler must run the G in runnext. Read %s#runqget", DOC).isTrue();
            assertThat(s.p0().gFree).as("after it exits, goexit0 must gfput the dead G on the P. Read %s#gfput", DOC)
                    .isSameAs(first);
            assertThat(s.p0().gFreeN + " on the list, next " + first.schedlink)
                    .as("the dead G must be on the free list exactly once: goexit0 calls gfput once (chapter 01's"
                            + " TODO, docs/en/01-bootstrap.md#goexit0) and gfput pushes it once. A G freed twice links"
                            + " to itself, and two go statements would get it. Read %s#gfput (Go: gfput)", DOC)
                    .isEqualTo("1 on the list, next null");
            G second = s.go(() -> ran.add("b"));
            assertThat(second).as("the next go statement must reuse the dead G (gfget). Read %s#gfget (Go: newproc1)", DOC)
                    .isSameAs(first);
            assertThat(second.goid).as("a reused G gets a new goid. Read %s#newproc1", DOC).isEqualTo(2);
            s.step();
            assertThat(ran).as("the reused G must run the new function on its old stack. Read %s#gfget", DOC)
                    .containsExactly("a", "b");
        }
    }

    // ---------------------------------------------------------------------------------------------
    // What no single-threaded test reaches: the rules of the lock-free ring, read from the bytecode

    @Order(15)
    @Test
    @DisplayName("runqget claims its slot with casRelHead, never with a plain store to runqhead")
    @Hint(doc = DOC + "#runqget", go = "runqget: atomic.CasRel(&pp.runqhead, h, h+1) (proc.go)")
    void runqgetClaimsWithACas() {
        List<String> touched = Bytecode.touches(Proc.class, "runqget");
        assertThat(touched).as("runqget must claim the slot it read with casRelHead(h, h + 1), and retry when the CAS"
                + " fails. A plain store (pp.runqhead = h + 1) lets a thief's runqgrab take the same slot at the"
                + " same time, and two Ms then run one G; no single-threaded test sees it, and on real threads it is"
                + " rare (chapter 04's Lincheck model check finds it). runqget touches: %s. Read %s#runqget"
                + " (Go: runqget)", touched, DOC).contains("P.casRelHead()")
                .filteredOn(t -> t.startsWith("P.") && t.toLowerCase(java.util.Locale.ROOT).contains("head"))
                .allMatch(t -> t.equals("P.laHead()") || t.equals("P.casRelHead()"));
    }

    @Order(16)
    @Test
    @DisplayName("runqempty reads head, tail and runnext, then tail again, and answers only if tail did not move")
    @Hint(doc = DOC + "#runqempty", go = "runqempty: the re-read of runqtail (proc.go)")
    void runqemptyReadsTailTwice() {
        workbench(1).runqempty(new P(0)); // an unwritten TODO fails here, with its own message
        List<String> touched = Bytecode.touches(Proc.class, "runqempty");
        int firstTail = indexOfTail(touched, 0);
        int runnext = firstTail < 0 ? -1 : indexOf(touched, "P.lvRunnext()", firstTail + 1);
        int secondTail = runnext < 0 ? -1 : indexOfTail(touched, runnext + 1);
        assertThat(secondTail).as("runqempty must read tail, then runnext, then tail again, and trust what it read only"
                + " if tail did not move. Between a single read of each, the owner can kick runnext into the ring"
                + " (runqput with next) and then take the new runnext (runqget): head == tail and runnext == null"
                + " were both true once, never at the same time, and a thief calls the P empty while a G waits in"
                + " its ring (Go's TestSchedLocalQueueEmpty). runqempty touches: %s. Read %s#runqempty (Go: runqempty)",
                touched, DOC).isPositive();
    }

    private static int indexOfTail(List<String> touched, int from) {
        for (int i = from; i < touched.size(); i++) {
            String t = touched.get(i);
            if (t.equals("P.laTail()") || t.equals("P.lpTail()") || t.equals("P.runqtail")) {
                return i;
            }
        }
        return -1;
    }

    private static int indexOf(List<String> touched, String what, int from) {
        for (int i = from; i < touched.size(); i++) {
            if (touched.get(i).equals(what)) {
                return i;
            }
        }
        return -1;
    }
}
