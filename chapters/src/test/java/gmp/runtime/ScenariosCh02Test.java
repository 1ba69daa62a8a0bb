package gmp.runtime;

import static gmp.runtime.Fixtures.global;
import static gmp.runtime.Fixtures.ring;
import static gmp.runtime.Scenarios.DOC;
import static gmp.runtime.Scenarios.goids;
import static gmp.runtime.Scenarios.picture;
import static gmp.runtime.Scenarios.range;
import static gmp.runtime.Scenarios.traced;
import static gmp.runtime.TraceGolden.golden;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import gmp.workbook.Hint;

/**
 * Interview scenarios 1 to 5 on the reference runtime (docs/en/scenarios.md): the go statement,
 * g0's schedule after an exit, and the local queue filling up and overflowing into the global one.
 * Tagged ch02, the chapter of newproc, runqput and runqputslow. One P, explicit steps: the order
 * is the lesson, so nothing may depend on threads. The ring has Go's 256 slots (there is no test
 * setting to shrink it), so "the queue fills" takes 257 go statements, not the telling's 3.
 */
@Tag("ch02")
@DisplayName("Interview scenarios 1-5: the go statement and the local run queue")
@Hint(doc = DOC, go = "newproc, runqput, runqputslow, goexit0, schedule (proc.go)")
class ScenariosCh02Test {
    /** In G1: go statements making G2, G3, ... G(n+1). */
    private static Runnable spawner(int n, List<String> ran) {
        return () -> {
            for (int i = 0; i < n; i++) {
                Go.go(() -> ran.add("G" + Proc.getg().goid));
            }
        };
    }

    @Test
    @DisplayName("Scenario 1: G1 creates G2, which goes to P's runnext, not to the tail of the local queue")
    @Hint(doc = DOC + "#s1", go = "newproc: runqput(pp, newg, true)")
    void s1CreateGoesToRunnext() {
        try (Stepper s = traced(1)) {
            List<Object> seen = new ArrayList<>();
            s.go(() -> {
                Go.go(() -> { });
                P pp = Proc.getg().m.p;
                seen.add(pp.lvRunnext() == null ? "no runnext" : "runnext G" + pp.lvRunnext().goid);
                seen.add("ring " + goids(ring(pp)));
            });
            s.runUntilIdle(3);
            assertThat(seen).as("right after go f(), the new G2 sits in runnext and the ring is empty: newproc calls"
                    + " runqput(pp, newg, next = true). Read %s#s1 (Go: newproc)", DOC)
                    .containsExactly("runnext G2", "ring []");
            assertThat(golden(s.proc)).as("the trace: G1 starts, creates G2, exits; G2 starts. Read %s#s1", DOC)
                    .containsExactly("ProcsChange", "ProcStart", "GoCreate G1", "GoStart G1", "GoCreate G2 by G1",
                            "GoDestroy G1", "GoStart G2", "GoDestroy G2");
            picture(s.proc, "01");
        }
    }

    @Test
    @DisplayName("Scenario 2: G1 exits, g0 runs schedule on the same M, and G2 from runnext inherits the time slice")
    @Hint(doc = DOC + "#s2", go = "goexit1 -> mcall(goexit0) -> gfput, schedule -> findRunnable -> runqget -> execute")
    void s2ExitThenG0Schedules() {
        try (Stepper s = traced(1)) {
            List<Object> seen = new ArrayList<>();
            G g1 = s.go(() -> {
                Go.go(() -> {
                    G g2 = Proc.getg();
                    P pp = g2.m.p;
                    seen.add(g2.m == s.proc.m0 ? "on M0" : "on " + g2.m);
                    seen.add("schedtick " + pp.schedtick);
                    seen.add("free " + (pp.gFree == null ? "none" : "G" + pp.gFree.goid + " " + G.statusName(pp.gFree.status())));
                });
                seen.add("schedtick " + Proc.getg().m.p.schedtick);
            });
            s.runUntilIdle(3);
            assertThat(seen).as("G1 ran at schedtick 0 and exited; goexit0 (on g0) put it, dead, on the P's free list;"
                    + " then g0's schedule took G2 from runnext and ran it on the same M, inheriting G1's time slice"
                    + " (schedtick did not move). Read %s#s2 (Go: goexit0, gfput, runqget, execute)", DOC)
                    .containsExactly("schedtick 0", "on M0", "schedtick 0", "free G" + g1.goid + " " + G.statusName(G._Gdead));
            List<String> trace = golden(s.proc);
            assertThat(trace.subList(trace.indexOf("GoDestroy G1"), trace.size()))
                    .as("nothing happens between G1's exit and G2's start but g0's schedule. Read %s#s2", DOC)
                    .containsExactly("GoDestroy G1", "GoStart G2", "GoDestroy G2");
            picture(s.proc, "02");
        }
    }

    @Test
    @DisplayName("Scenario 3: 257 go statements fill the local queue: 256 in the ring, the newest in runnext, none global")
    @Hint(doc = DOC + "#s3", go = "runqput: t - h < len(pp.runq)")
    void s3LocalQueueFills() {
        try (Stepper s = traced(1)) {
            List<String> ran = new ArrayList<>();
            List<Object> seen = new ArrayList<>();
            s.go(() -> {
                spawner(257, ran).run();
                P pp = Proc.getg().m.p;
                seen.add(goids(ring(pp)));
                seen.add(pp.lvRunnext().goid);
                seen.add(s.proc.sched.runqsize);
            });
            s.runUntilIdle(300);
            assertThat(seen).as("G1 made G2..G258: each go statement put its G in runnext and kicked the previous one to"
                    + " the ring's tail, so the ring holds G2..G257 (all 256 slots), runnext G258, and nothing went"
                    + " to the global queue yet. Read %s#s3 (Go: runqput)", DOC)
                    .containsExactly(range(2, 257), 258L, 0);
            List<String> order = new ArrayList<>(List.of("G258"));
            for (long i = 2; i <= 257; i++) {
                order.add("G" + i);
            }
            assertThat(ran).as("after G1 exits, runnext runs first (the newest G), then the ring in FIFO order."
                    + " Read %s#s3 (Go: runqget)", DOC).isEqualTo(order);
            picture(s.proc, "03");
        }
    }

    @Test
    @DisplayName("Scenario 4: the 258th go statement overflows: the ring's older half and the G kicked from runnext go global")
    @Hint(doc = DOC + "#s4", go = "runqputslow: batch = runq[h..h+127] + gp, globrunqputbatch")
    void s4HalfGoesGlobal() {
        try (Stepper s = traced(1)) {
            List<Object> seen = new ArrayList<>();
            s.go(() -> {
                spawner(258, new ArrayList<>()).run();
                P pp = Proc.getg().m.p;
                seen.add(goids(global(s.proc)));
                seen.add(goids(ring(pp)));
                seen.add(pp.lvRunnext().goid);
            });
            s.step();
            List<Long> moved = range(2, 129);
            moved.add(258L);
            assertThat(seen).as("go G259 took runnext and kicked G258 out; the ring was full, so runqputslow moved its"
                    + " oldest 128 (G2..G129) and then G258, in order, to the global queue. The new G259 stays in"
                    + " runnext; the ring keeps G130..G257. Read %s#s4 (Go: runqput, runqputslow)", DOC)
                    .containsExactly(moved, range(130, 257), 259L);
            picture(s.proc, "04");
        }
    }

    @Test
    @DisplayName("Scenario 5: the next go statement goes local again: runnext, and the G it kicks to the ring's tail")
    @Hint(doc = DOC + "#s5", go = "runqput(pp, newg, true) with room in the ring")
    void s5NextGoesLocal() {
        try (Stepper s = traced(1)) {
            List<Object> seen = new ArrayList<>();
            s.go(() -> {
                spawner(258, new ArrayList<>()).run();
                Go.go(() -> { });
                P pp = Proc.getg().m.p;
                seen.add(s.proc.sched.runqsize);
                seen.add(goids(ring(pp)));
                seen.add(pp.lvRunnext().goid);
            });
            s.step();
            List<Long> ring = range(130, 257);
            ring.add(259L);
            assertThat(seen).as("after the overflow the ring has room: go G260 takes runnext, G259 goes to the ring's"
                    + " tail, and the global queue keeps its 129. Read %s#s5 (Go: runqput)", DOC)
                    .containsExactly(129, ring, 260L);
            picture(s.proc, "05");
        }
    }
}
