package gmp.runtime;

import static gmp.runtime.Fixtures.ring;
import static gmp.runtime.Scenarios.DOC;
import static gmp.runtime.Scenarios.busy;
import static gmp.runtime.Scenarios.goids;
import static gmp.runtime.Scenarios.make;
import static gmp.runtime.Scenarios.picture;
import static gmp.runtime.Scenarios.traceOn;
import static gmp.runtime.Scenarios.traced;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import gmp.runtime.trace.Event;
import gmp.workbook.Harness;
import gmp.workbook.Hint;

/**
 * Interview scenarios 6, 8 and 9 on the reference runtime (docs/en/scenarios.md): a go statement
 * wakes a spinning M, an idle M steals half of another P's queue, and the limit on spinning Ms.
 * Tagged ch04, the chapter of wakep, startm, stealWork, runqsteal and findRunnable's spinning rule.
 * Scenario 6 runs real Ms (waking a thread is the point); 8 and 9 drive p0 in explicit steps while
 * the other Ps are marked running, as if other Ms held them, so that the order is exact.
 */
@Tag("ch04")
@DisplayName("Interview scenarios 6, 8, 9: spinning Ms and work stealing")
@Hint(doc = DOC, go = "wakep, startm, findRunnable, stealWork, runqsteal, runqgrab (proc.go)")
class ScenariosCh04Test {
    @Test
    @DisplayName("Scenario 6: a go statement with an idle P wakes one M, spinning, which steals the new G from runnext")
    @Hint(doc = DOC + "#s6", go = "newproc -> wakep -> startm(pp, spinning=true); resetspinning")
    void s6SpinningMWakes() {
        GoRuntime rt = traceOn(2);
        List<Object> seen = new CopyOnWriteArrayList<>();
        AtomicInteger done = new AtomicInteger();
        AtomicInteger looked = new AtomicInteger();
        Harness.run(rt, Duration.ofSeconds(10), "G2 never ran on the M that wakep started (newproc -> wakep -> startm,"
                + " then that M's stealWork on the last pass takes p0's runnext)", () -> {
            Proc proc = rt.proc();
            M mp = Proc.getg().m;
            mp.preemptoff = "scenario 6: main keeps p0, so only the woken M can run G2";
            try {
                Go.go(() -> {
                    M m2 = Proc.getg().m;
                    seen.add("G2 on M" + m2.id + "/P" + m2.p.id);
                    seen.add("nmspinning " + proc.sched.nmspinning.get() + ", needspinning " + proc.sched.needspinning.get());
                    // Hold P1 until main has looked: once G2 ends, M1 finds nothing and gives P1 back.
                    m2.preemptoff = "scenario 6: G2 waits for main to look, in one slice";
                    Spin.until(() -> looked.get() != 0, "main to look at allm and the idle Ps");
                    m2.preemptoff = "";
                    done.set(1);
                });
                int ms = proc.allm.size();
                seen.add(0, "allm " + ms + ", idle Ps " + proc.sched.npidle.get());
                looked.set(1);
                if (ms < 2) {
                    throw new AssertionError("a go statement with p1 idle started no M: newproc must call wakep, which"
                            + " takes the idle P and startm's a spinning M for it. Read " + DOC + "#s6 (Go: wakep)");
                }
                Spin.until(() -> done.get() != 0, "G2 to run on the woken M");
            } finally {
                mp.preemptoff = "";
            }
        });
        assertThat(seen).as("go G2 found p1 idle and nobody spinning: wakep took p1 and started M1 on it, spinning (no idle"
                + " P left). M1 found G2 in p0's runnext (stealWork's last pass) and, because it was spinning, called"
                + " resetspinning first: nmspinning back to 0, and its wakep found no idle P, so needspinning = 1."
                + " Read %s#s6 (Go: wakep, startm, resetspinning)", DOC)
                .containsExactly("allm 2, idle Ps 0", "G2 on M1/P1", "nmspinning 0, needspinning 1");
        List<String> p1 = new ArrayList<>();
        for (Event e : rt.proc().trace.events()) {
            if (e.p() == 1) {
                String event = e.kind() + (e.g() != 0 ? " G" + e.g() : "") + " M" + e.m();
                // A stop and a start again of G5 on M1 is sysmon preempting it before it set its
                // preemptoff (a machine that stretched its first steps past 10 ms): not the scene.
                if (event.equals("GoStart G5 M1") && !p1.isEmpty() && p1.getLast().equals("GoStop G5 M1")) {
                    p1.removeLast();
                    continue;
                }
                p1.add(event);
            }
        }
        assertThat(p1).as("P1's track: M1 takes P1 (ProcStart), runs G2, which was created on P0. The scenario's G2 is"
                + " goroutine 5 in the trace: a real program's goids 2 to 4 are the runtime's own, made by runtime.main"
                + " before main.main, as in Go. Read %s#s6", DOC)
                .startsWith("ProcStart M1", "GoStart G5 M1", "GoDestroy G5 M1");
        picture(rt.proc(), "06");
    }

    @Test
    @DisplayName("Scenario 8: an idle P steals half of P1's queue, rounded up, from the head; runnext last, on the 4th pass")
    @Hint(doc = DOC + "#s8", go = "stealWork, runqsteal, runqgrab: n := t - h; n = n - n/2")
    void s8StealHalf() {
        try (Stepper s = traced(2)) {
            P p1 = busy(s.proc);
            List<String> ran = new ArrayList<>();
            List<Object> seen = new ArrayList<>();
            for (int i = 1; i <= 5; i++) {
                G gp = i == 3 ? s.proc.newproc1(() -> {
                    ran.add("A3@P" + Proc.getg().m.p.id);
                    seen.add(goids(ring(s.p0())));
                    seen.add(goids(ring(p1)));
                    seen.add(p1.lvRunnext().goid);
                }, s.proc.m0.g0) : make(s, ran, "A" + i);
                s.proc.runqput(p1, gp, false);
            }
            G r = make(s, ran, "R");
            s.proc.runqput(p1, r, true);
            List<Long> a = goids(ring(p1));
            s.runUntilIdle(10);
            assertThat(seen).as("p0 had nothing, so its M stole from P1: half of A1..A5 rounded up (3), from the HEAD"
                    + " (the oldest, A1..A3), ran the last of them (A3) and queued A1, A2 on its own ring; P1 kept"
                    + " A4, A5 and its runnext R. Read %s#s8 (Go: runqsteal, runqgrab)", DOC)
                    .containsExactly(a.subList(0, 2), a.subList(3, 5), r.goid);
            assertThat(ran).as("then A1, A2 locally; then half of 2 (A4), then half of 1 (A5); R, P1's runnext, only"
                    + " when its ring was empty, on stealWork's last pass. Read %s#s8 (Go: stealWork)", DOC)
                    .containsExactly("A3@P0", "A1@P0", "A2@P0", "A4@P0", "A5@P0", "R@P0");
            picture(s.proc, "08");
        }
    }

    @Test
    @DisplayName("Scenario 9: an M starts spinning only while spinning Ms are fewer than half the busy Ps (2 of 4, not 4)")
    @Hint(doc = DOC + "#s9", go = "findRunnable: if mp.spinning || 2*sched.nmspinning.Load() < gomaxprocs-sched.npidle.Load()")
    void s9SpinningLimit() {
        try (Stepper s = traced(4)) {
            P p1 = busy(s.proc);
            busy(s.proc);
            busy(s.proc);
            List<String> ran = new ArrayList<>();
            s.proc.runqput(p1, make(s, ran, "W"), false);
            s.proc.sched.nmspinning.set(2); // two other Ms are spinning already
            boolean stole = s.step();
            List<Object> seen = new ArrayList<>(List.of(stole, s.proc.m0.spinning, goids(ring(p1)).size()));
            s.proc.sched.nmspinning.set(1); // one of them found work
            seen.add(s.step());
            assertThat(seen).as("all 4 Ps busy, 2 Ms spinning: 2*2 < 4 - 0 is false, so m0 neither becomes spinning nor"
                    + " steals, and W stays on P1 (in the telling, up to GOMAXPROCS = 4 Ms could spin). With 1 spinning,"
                    + " 2*1 < 4: m0 spins and steals W. Read %s#s9 (Go: findRunnable)", DOC)
                    .containsExactly(false, false, 1, true);
            assertThat(ran).as("W ran on p0, stolen. Read %s#s9", DOC).containsExactly("W@P0");
            picture(s.proc, "09");
        }
    }
}
