package gmp.runtime;

import static gmp.runtime.Fixtures.global;
import static gmp.runtime.Fixtures.globrunqputLocked;
import static gmp.runtime.Fixtures.ring;
import static gmp.runtime.Scenarios.DOC;
import static gmp.runtime.Scenarios.make;
import static gmp.runtime.Scenarios.picture;
import static gmp.runtime.Scenarios.traced;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import gmp.workbook.Hint;

/**
 * Interview scenario 7 on the reference runtime (docs/en/scenarios.md#s7): an M whose P has an
 * empty local queue takes a batch from the global queue. Tagged ch03, the chapter of globrunqget.
 * Two Ps in explicit steps: p0 plays the telling's P2, whose local queue is empty; p1 stays idle.
 * The batch size is the point, and the telling's formula gets it wrong both ways: Go's is
 * min(size/GOMAXPROCS + 1, size, len(runq)/2), half the LOCAL ring, not half the global queue.
 */
@Tag("ch03")
@DisplayName("Interview scenario 7: a batch from the global queue")
@Hint(doc = DOC + "#s7", go = "findRunnable -> globrunqget(pp, 0) (proc.go)")
class ScenariosCh03Test {
    @Test
    @DisplayName("Scenario 7: with 10 Gs global and GOMAXPROCS 2, the idle P takes 10/2+1 = 6: runs 1, queues 5 locally")
    @Hint(doc = DOC + "#s7", go = "globrunqget: n = sched.runqsize/gomaxprocs + 1")
    void s7FairShare() {
        try (Stepper s = traced(2)) {
            List<String> ran = new ArrayList<>();
            List<Object> seen = new ArrayList<>();
            s.p0().schedtick = 1; // past tick 0, where the 61-tick check would take exactly one G first
            List<G> gs = new ArrayList<>();
            for (int i = 1; i <= 10; i++) {
                G gp = i == 1 ? s.proc.newproc1(() -> {
                    seen.add(ring(s.p0()).size());
                    seen.add(global(s.proc).size());
                }, s.proc.m0.g0) : make(s, ran, "G" + i);
                gs.add(gp);
                globrunqputLocked(s.proc, gp);
            }
            s.step();
            assertThat(seen).as("p0's local queue was empty, so findRunnable took a batch from the global queue:"
                    + " n = 10/2 + 1 = 6 (the telling's min(10/2 + 1, 10/2) says 5). It runs the first and puts the"
                    + " other 5 on its ring; 4 stay global. Read %s#s7 (Go: globrunqget)", DOC)
                    .containsExactly(5, 4);
            s.runUntilIdle(20);
            assertThat(ran).as("the batch runs in the global queue's order, then p0 takes the rest of it, again a fair"
                    + " share. Read %s#s7", DOC).containsExactly("G2@P0", "G3@P0", "G4@P0", "G5@P0", "G6@P0", "G7@P0",
                    "G8@P0", "G9@P0", "G10@P0");
            picture(s.proc, "07");
        }
    }

    @Test
    @DisplayName("Scenario 7: the batch is capped at half the LOCAL ring (128), not half the global queue: 300 Gs give 128")
    @Hint(doc = DOC + "#s7", go = "globrunqget: if n > len(pp.runq)/2 { n = len(pp.runq)/2 }")
    void s7CappedByTheLocalRing() {
        try (Stepper s = traced(2)) {
            List<Object> seen = new ArrayList<>();
            s.p0().schedtick = 1;
            for (int i = 1; i <= 300; i++) {
                G gp = i == 1 ? s.proc.newproc1(() -> {
                    seen.add(ring(s.p0()).size());
                    seen.add(global(s.proc).size());
                }, s.proc.m0.g0) : s.proc.newproc1(() -> { }, s.proc.m0.g0);
                globrunqputLocked(s.proc, gp);
            }
            s.step();
            assertThat(seen).as("300/2 + 1 = 151, but globrunqget caps the batch at len(pp.runq)/2 = 128 (the telling's"
                    + " min(151, 300/2) says 150): 1 runs, 127 go to the ring, 172 stay global."
                    + " Read %s#s7 (Go: globrunqget)", DOC)
                    .containsExactly(127, 172);
        }
    }
}
