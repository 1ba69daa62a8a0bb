package gmp.runtime;

import static gmp.runtime.Fixtures.globrunqputLocked;
import static gmp.runtime.Fixtures.workbench;
import static gmp.runtime.Fixtures.ring;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import gmp.workbook.Hint;

/**
 * Chapter 03: the global run queue and fairness. A P takes a fair share of the global queue when
 * its own is empty, and every 61st time slice it looks at the global queue first, so that Gs there
 * are not starved by a P that always has local work.
 *
 * <p>The golden traces run on one P in explicit steps ({@link Stepper}): the exact order is the
 * lesson, and it is the same on every run.
 */
// The chapter's place in a run of every chapter, so that the hint follows the doc's order.
@Order(30)
@Tag("ch03")
@DisplayName("Chapter 03: the global run queue and fairness")
@Hint(doc = Ch03GlobalRunQueueTest.DOC, go = "globrunqget, findRunnable's schedtick%61 check (proc.go)")
class Ch03GlobalRunQueueTest {
    static final String DOC = "docs/en/03-global-runq.md";


    private static List<G> onGlobal(Proc proc, int n) {
        List<G> list = new ArrayList<>();
        proc.lockSched();
        try {
            for (int i = 0; i < n; i++) {
                G gp = proc.malg();
                gp.goid = 1000 + i;
                proc.globrunqput(gp);
                list.add(gp);
            }
        } finally {
            proc.unlockSched();
        }
        return list;
    }


    private static G globrunqget(Proc proc, P pp, int max) {
        proc.lockSched();
        try {
            return proc.globrunqget(pp, max);
        } finally {
            proc.unlockSched();
        }
    }

    // ---------------------------------------------------------------------------------------------
    // globrunqput / globrunqget

    @Order(1)
    @Test
    @DisplayName("globrunqput appends at the tail and counts: the global queue is FIFO")
    @Hint(doc = DOC + "#globrunqput", go = "globrunqput (proc.go)")
    void globrunqputIsFifo() {
        Proc proc = workbench(1);
        G stale = proc.malg();
        G first = proc.malg();
        first.schedlink = stale; // left over from a list the G was on before: globrunqput must cut it
        globrunqputLocked(proc, first);
        assertThat(first.schedlink).as("globrunqput must clear the G's schedlink: it is now the tail, and a stale"
                + " link would splice another list onto the global queue. Read %s#globrunqput", DOC).isNull();
        proc.lockSched();
        try {
            proc.globrunqget(new P(0), 1);
        } finally {
            proc.unlockSched();
        }
        List<G> g = onGlobal(proc, 3);
        List<G> out = new ArrayList<>();
        for (G gp = proc.sched.runqhead; gp != null && out.size() < 10; gp = gp.schedlink) {
            out.add(gp);
        }
        assertThat(out).as("the global queue must hold the Gs in the order they were put. Read %s#globrunqput", DOC)
                .isEqualTo(g);
        assertThat(proc.sched.runqsize).as("sched.runqsize must count them. Read %s#globrunqput", DOC).isEqualTo(3);
        assertThat(proc.sched.runqtail).as("sched.runqtail must be the last one. Read %s#globrunqput", DOC)
                .isSameAs(g.get(2));
    }

    @Order(2)
    @Test
    @DisplayName("globrunqget takes a fair share, size/GOMAXPROCS + 1: with 4 Ps and 20 Gs, it runs 1 and queues 5")
    @Hint(doc = DOC + "#globrunqget", go = "globrunqget (proc.go, Go 1.23)")
    void globrunqgetTakesAFairShare() {
        Proc proc = workbench(4);
        P pp = new P(0);
        List<G> g = onGlobal(proc, 20);
        G got = globrunqget(proc, pp, 0);
        assertThat(got).as("globrunqget returns the head of the global queue. Read %s#globrunqget", DOC)
                .isSameAs(g.get(0));
        assertThat(ring(pp)).as("20/4 + 1 = 6 Gs: the first is returned, the next 5 go to the local queue in order."
                + " Read %s#globrunqget (Go: globrunqget)", DOC).isEqualTo(g.subList(1, 6));
        assertThat(proc.sched.runqsize).as("14 Gs stay on the global queue. Read %s#globrunqget", DOC).isEqualTo(14);
        assertThat(proc.sched.runqhead).as("...starting with the 7th. Read %s#globrunqget", DOC).isSameAs(g.get(6));
    }

    @Order(3)
    @Test
    @DisplayName("globrunqget's share is capped by max (the fairness check takes exactly 1)")
    @Hint(doc = DOC + "#globrunqget", go = "globrunqget(pp, 1) (proc.go)")
    void globrunqgetHonoursMax() {
        Proc proc = workbench(1);
        P pp = new P(0);
        List<G> g = onGlobal(proc, 10);
        assertThat(globrunqget(proc, pp, 1)).as("max 1 returns the head. Read %s#globrunqget", DOC).isSameAs(g.get(0));
        assertThat(ring(pp)).as("max 1 must take one G and queue nothing. Read %s#globrunqget", DOC).isEmpty();
        assertThat(proc.sched.runqsize).as("9 stay global. Read %s#globrunqget", DOC).isEqualTo(9);
    }

    @Order(4)
    @Test
    @DisplayName("globrunqget's share is capped by the queue's size and by half the local ring (128)")
    @Hint(doc = DOC + "#globrunqget", go = "globrunqget: n = min(n, runqsize, len(runq)/2) (proc.go)")
    void globrunqgetIsCapped() {
        Proc small = workbench(1);
        P pp = new P(0);
        List<G> three = onGlobal(small, 3);
        globrunqget(small, pp, 0);
        assertThat(ring(pp)).as("1 P and 3 Gs: 3/1 + 1 = 4 capped by the size to 3: run 1, queue 2."
                + " Read %s#globrunqget", DOC).isEqualTo(three.subList(1, 3));
        assertThat(small.sched.runqhead).as("the global queue must be empty, head and tail. Read %s#globrunqget", DOC)
                .isNull();
        assertThat(small.sched.runqtail).as("the global queue must be empty, head and tail. Read %s#globrunqget", DOC)
                .isNull();

        Proc big = workbench(1);
        P pp2 = new P(0);
        List<G> many = onGlobal(big, 300);
        globrunqget(big, pp2, 0);
        assertThat(ring(pp2)).as("1 P and 300 Gs: the share is capped at half the ring, 128: run 1, queue 127."
                + " Read %s#globrunqget", DOC).isEqualTo(many.subList(1, 128));
        assertThat(big.sched.runqsize).as("172 stay global. Read %s#globrunqget", DOC).isEqualTo(172);
    }

    @Order(5)
    @Test
    @DisplayName("globrunqget on an empty global queue returns null and queues nothing")
    @Hint(doc = DOC + "#globrunqget", go = "globrunqget (proc.go)")
    void globrunqgetOnEmpty() {
        Proc proc = workbench(2);
        P pp = new P(0);
        onGlobal(proc, 1);
        globrunqget(proc, pp, 0);
        assertThat(globrunqget(proc, pp, 0)).as("an empty global queue gives null. Read %s#globrunqget", DOC).isNull();
    }

    // ---------------------------------------------------------------------------------------------
    // Golden traces on one P

    /** Runs the stepper until idle and returns the names in the order they ran. */
    private static List<String> trace(Stepper s, List<String> ran) {
        s.runUntilIdle(10_000);
        return ran;
    }

    /**
     * Checks a golden trace, leading with where it first goes wrong: a trace has hundreds of entries,
     * and the full lists follow in AssertJ's message anyway.
     */
    private static void assertTrace(List<String> actual, List<String> expected, String lesson) {
        int i = 0;
        while (i < actual.size() && i < expected.size() && actual.get(i).equals(expected.get(i))) {
            i++;
        }
        String where = i == actual.size() && i == expected.size() ? ""
                : "the trace first differs at position " + i + ": expected "
                        + (i < expected.size() ? expected.get(i) : "the end") + ", ran "
                        + (i < actual.size() ? actual.get(i) : "nothing more") + " (before it: "
                        + actual.subList(Math.max(0, i - 3), Math.min(i, actual.size())) + "). ";
        assertThat(actual).as(where + lesson).isEqualTo(expected);
    }

    private static List<String> names(String prefix, int from, int to) {
        List<String> out = new ArrayList<>();
        for (int i = from; i <= to; i++) {
            out.add(prefix + i);
        }
        return out;
    }

    private static G make(Stepper s, Consumer<G> where, List<String> ran, String name) {
        G gp = s.proc.newproc1(() -> ran.add(name), s.proc.m0.g0);
        where.accept(gp);
        return gp;
    }

    @Order(6)
    @Test
    @DisplayName("golden trace: a global G runs at the first tick that is a multiple of 61, not after the local queue drains")
    @Hint(doc = DOC + "#fairness", go = "findRunnable: if pp.schedtick%61 == 0 && sched.runqsize > 0 (proc.go)")
    void fairnessEvery61Ticks() {
        try (Stepper s = Stepper.boot(1)) {
            List<String> ran = new ArrayList<>();
            Proc proc = s.proc;
            P p0 = s.p0();
            for (String name : List.of("X", "Y")) {
                make(s, gp -> globrunqputLocked(proc, gp), ran, name);
            }
            for (int i = 1; i <= 200; i++) {
                make(s, gp -> proc.runqput(p0, gp, false), ran, "L" + i);
            }
            List<String> expected = new ArrayList<>();
            expected.add("X");                       // tick 0 (the stepper's fresh P): 0 % 61 == 0, global first
            expected.addAll(names("L", 1, 60));      // ticks 1..60: the local queue
            expected.add("Y");                       // tick 61: the global queue again
            expected.addAll(names("L", 61, 200));    // the rest of the local queue
            assertTrace(trace(s, ran), expected, String.format("with X, Y on the global queue and L1..L200 on the local one, every G starting a new time"
                            + " slice: findRunnable must take ONE global G whenever schedtick %% 61 == 0 (X at tick 0,"
                            + " Y at tick 61), else the local queue. The stepper's P is fresh, at tick 0; a Go program's"
                            + " main.main starts at 4 (#go-order). Read %s#fairness (Go: findRunnable)", DOC));
            assertThat(p0.schedtick).as("each of the 202 Gs started a new time slice. Read %s#fairness (Go: execute)", DOC)
                    .isEqualTo(202);
        }
    }

    @Order(7)
    @Test
    @DisplayName("golden trace: a chain of goroutines that respawn each other inherits one time slice, so the 61-tick check never fires")
    @Hint(doc = DOC + "#chain", go = "runnext inherits the time slice; execute counts schedtick only for new slices")
    void aRespawningChainStarvesTheGlobalQueue() {
        try (Stepper s = Stepper.boot(1)) {
            List<String> ran = new ArrayList<>();
            Proc proc = s.proc;
            for (String name : List.of("X", "Y")) {
                make(s, gp -> globrunqputLocked(proc, gp), ran, name);
            }
            int links = 200;
            Runnable[] chain = new Runnable[links + 1];
            for (int i = links; i >= 1; i--) {
                int n = i;
                chain[i] = () -> {
                    ran.add("A" + n);
                    if (n < links) {
                        Go.go(chain[n + 1]); // into runnext: the next link inherits this time slice
                    }
                };
            }
            s.go(chain[1]);
            List<String> expected = new ArrayList<>();
            expected.add("X");                       // tick 0: the fairness check fires once
            expected.addAll(names("A", 1, links));   // all from runnext: schedtick stays 1
            expected.add("Y");                       // only when the chain ends
            assertTrace(trace(s, ran), expected, String.format("each link of the chain is the runnext of the one before, so it inherits the time slice and"
                            + " schedtick does not move: Y waits for the whole chain (in Go, sysmon's preemption,"
                            + " chapter 06, breaks such chains). Read %s#chain", DOC));
            assertThat(s.p0().schedtick).as("only X and Y started new time slices. Read %s#chain (Go: execute)", DOC)
                    .isEqualTo(2);
        }
    }

    @Order(8)
    @Test
    @DisplayName("golden trace: 300 go statements on one P: last-created first, one global G every 61 ticks, then the global batch")
    @Hint(doc = DOC + "#overflow", go = "runqput -> runqputslow; findRunnable; globrunqget (proc.go)")
    void overflowTrace() {
        try (Stepper s = Stepper.boot(1)) {
            List<String> ran = new ArrayList<>();
            for (int i = 1; i <= 300; i++) {
                int n = i;
                G gp = s.go(() -> ran.add("G" + n));
                assertThat(gp.goid).as("setup: goroutine G%d has goid %d", n, n).isEqualTo(n);
            }
            // After the 300 go statements: runnext = G300; the ring overflowed once, when G257 was
            // kicked out of runnext, moving G1..G128 and G257 to the global queue; the ring holds
            // G129..G256 and G258..G299 (170 Gs).
            List<String> ring = new ArrayList<>(names("G", 129, 256));
            ring.addAll(names("G", 258, 299));
            List<String> expected = new ArrayList<>();
            expected.add("G1");                                  // tick 0 (a fresh P): one global G
            expected.add("G300");                                // runnext, inherits the slice (tick stays 1)
            expected.addAll(ring.subList(0, 60));                // ticks 1..60
            expected.add("G2");                                  // tick 61
            expected.addAll(ring.subList(60, 120));              // ticks 62..121
            expected.add("G3");                                  // tick 122
            expected.addAll(ring.subList(120, 170));             // the ring drains at tick 173
            expected.add("G4");                                  // the global batch: min(126/1+1, 126, 128) = 126
            expected.addAll(names("G", 5, 128));                 // ...its other 125 Gs, in order,
            expected.add("G257");                                // ending with the G that overflowed
            assertTrace(trace(s, ran), expected, String.format("300 go statements on one P, then run everything: the exact order follows from runnext,"
                            + " runqputslow, the 61-tick check and globrunqget's batch, from the stepper's fresh P at tick 0"
                            + " (G1 first). A Go program's main.main starts at tick 4, and the same 300 run in another"
                            + " order (%s#go-order). Read %s#overflow", DOC, DOC));
        }
    }
}
