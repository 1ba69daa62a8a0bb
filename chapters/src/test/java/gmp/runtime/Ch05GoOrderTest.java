package gmp.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import gmp.runtime.trace.Event;
import gmp.runtime.trace.EventKind;
import gmp.workbook.Harness;
import gmp.workbook.Hint;

/**
 * Small programs at GOMAXPROCS 1 print in exactly the order the Go toolchain prints them: each test
 * is the Java twin of a Go program, and its expected output is what that program printed.
 *
 * <p>Where the orders come from: Go 1.19.8 (linux/amd64, the golang-go package here), each program
 * built with {@code go build} and run as {@code GOMAXPROCS=1 ./prog}; the programs print with the
 * builtin {@code println}, not fmt, whose os package would add the finalizer goroutine (Startup says
 * why). The sources are in the comment of each test; docs/en/03-global-runq.md#go-order explains the
 * orders. Go 1.23 gives the same: the code that decides them is unchanged from 1.19 to 1.23
 * (runtime.main's start-up and gcenable, newproc's runqput(pp, newg, true), runqput and
 * runqputslow, findRunnable's schedtick%61 check before the local queue, globrunqget's share,
 * goschedImpl's globrunqput, a channel's goready into runnext), as read in 1.23's proc.go, mgc.go
 * and chan.go.
 *
 * <p>Every program starts at p0's schedtick 4, the slices runtime.main's start-up counts (Startup).
 * In a fresh P's tick 0 (chapter 03's stepper), the Gosched loop and the overflow would run in other
 * orders, which is what each test's message says. Tagged ch05: the programs need channels and
 * Gosched; what they check is chapters 01 to 05 together.
 *
 * <p>sysmon may preempt a G that holds a time slice for 10 ms, in Go and here; on a loaded machine a
 * run can be stretched that long. Such a run is not the program's order, so a test that sees a
 * preemption in the execution trace runs the program again (at most {@link #ATTEMPTS} times).
 */
@Tag("ch05")
@DisplayName("Go's order: small GOMAXPROCS 1 programs print what the Go toolchain prints")
@Hint(doc = Ch05GoOrderTest.DOC + "#go-order", go = "runtime.main, newproc, runqput, findRunnable (proc.go)")
class Ch05GoOrderTest {
    static final String DOC = "docs/en/03-global-runq.md";
    private static final int ATTEMPTS = 5;

    /** Runs program at GOMAXPROCS 1 until a run without a sysmon preemption; returns what it printed. */
    private static List<String> run(String what, java.util.function.Consumer<List<String>> program) {
        for (int attempt = 1; ; attempt++) {
            GoRuntime rt = GoRuntime.builder().gomaxprocs(1).env(Map.of()).recordTrace().build();
            List<String> out = Collections.synchronizedList(new ArrayList<>());
            Harness.run(rt, Duration.ofSeconds(20), what, () -> program.accept(out));
            boolean preempted = false;
            for (Event e : rt.proc().trace.events()) {
                preempted |= e.kind() == EventKind.GoStop && e.reason().equals("preempted");
            }
            if (!preempted || attempt == ATTEMPTS) {
                return out;
            }
        }
    }

    /**
     * <pre>
     * func main() {
     * 	done := make(chan int)
     * 	for i := 1; i &lt;= 5; i++ {
     * 		go func(i int) { println("g", i); done &lt;- i }(i)
     * 	}
     * 	for i := 0; i &lt; 5; i++ { &lt;-done }
     * 	println("main done")
     * }
     * </pre>
     * Go 1.19: {@code g 5, g 1, g 2, g 3, g 4, main done}, 100 runs out of 100. Go 1.23 agrees: newproc
     * still puts the new G in runnext and kicks the old one to the ring, and chansend still readies a
     * waiting receiver into runnext (goready). The start-up's tick does not matter here.
     */
    @Test
    @DisplayName("go statements: the last one runs first (runnext), then the others in order (the ring)")
    @Hint(doc = DOC + "#go-order", go = "newproc -> runqput(pp, newg, true); chansend -> goready")
    void goStatements() {
        List<String> out = run("main waits on a channel for five goroutines that never all sent", o -> {
            Chan<Integer> done = Chan.make();
            for (int i = 1; i <= 5; i++) {
                int n = i;
                Go.go(() -> {
                    o.add("g " + n);
                    done.send(n);
                });
            }
            for (int i = 0; i < 5; i++) {
                done.recv();
            }
            o.add("main done");
        });
        assertThat(out).as("Go 1.19 prints g 5 first (the last go statement's G waits in runnext), then g 1 .. g 4"
                + " from the ring; each send readies main into runnext, and main parks again at once. Read %s#go-order",
                DOC).containsExactly("g 5", "g 1", "g 2", "g 3", "g 4", "main done");
    }

    /**
     * <pre>
     * func main() {
     * 	done := make(chan bool)
     * 	for _, name := range []string{"A", "B", "C"} {
     * 		go func(name string) {
     * 			for i := 0; i &lt; 3; i++ { println(name, i); runtime.Gosched() }
     * 			done &lt;- true
     * 		}(name)
     * 	}
     * 	for i := 0; i &lt; 3; i++ { &lt;-done }
     * 	println("main done")
     * }
     * </pre>
     * Go 1.19: {@code C 0, A 0, B 0, C 1, A 1, B 1, C 2, A 2, B 2, main done}, 100 runs out of 100. Go 1.23
     * agrees: Gosched's goschedImpl still puts the G at the tail of the global queue, findRunnable still
     * checks schedtick%61 before the local queue and takes a fair-share batch after it, and runtime.main
     * still leaves p0 at tick 4 (the same lockOSThread, init tasks and gcenable as 1.19).
     */
    @Test
    @DisplayName("three goroutines calling Gosched take turns: C 0 A 0 B 0 C 1 ..., because main.main does not start at schedtick 0")
    @Hint(doc = DOC + "#go-order", go = "goschedImpl -> globrunqput; findRunnable's schedtick%61 check; runtime.main")
    void goschedLoops() {
        List<String> out = run("three goroutines calling Gosched never all finished", o -> {
            Chan<Boolean> done = Chan.make();
            for (String name : List.of("A", "B", "C")) {
                Go.go(() -> {
                    for (int i = 0; i < 3; i++) {
                        o.add(name + " " + i);
                        Go.gosched();
                    }
                    done.send(true);
                });
            }
            for (int i = 0; i < 3; i++) {
                done.recv();
            }
            o.add("main done");
        });
        assertThat(out).as("Go 1.19 prints C 0 A 0 B 0 C 1 A 1 B 1 C 2 A 2 B 2: C (runnext) yields to the global"
                + " queue, A and B run from the ring and yield after it, and the batch brings them back in that order."
                + " C 0 C 1 at the start means the fairness check fired at once on the G that had just yielded: p0's"
                + " schedtick was 0 when main.main ran, but runtime.main's start-up leaves it at 4 (Startup). Read"
                + " %s#go-order", DOC).containsExactly("C 0", "A 0", "B 0", "C 1", "A 1", "B 1", "C 2", "A 2", "B 2",
                "main done");
    }

    /**
     * <pre>
     * func main() {
     * 	done := make(chan int)
     * 	for i := 1; i &lt;= 300; i++ {
     * 		go func(i int) { println("g", i); done &lt;- i }(i)
     * 	}
     * 	for i := 0; i &lt; 300; i++ { &lt;-done }
     * 	println("main done")
     * }
     * </pre>
     * Go 1.19, in 198 of 300 runs: {@code g 300}, g 129 .. g 185, {@code g 1}, g 186 .. g 245,
     * {@code g 2}, g 246 .. g 256, g 258 .. g 299, g 3 .. g 128, {@code g 257}, main done. In 79 of the
     * others g 1 comes one earlier (after g 184, and g 2 after g 244): sysmon's first look preempted
     * the start-up, which then took five slices (Startup, "Go's own variance"); in 23, a later
     * preemption moved a global G (more of those the more loaded the machine). Go 1.23 agrees on the
     * four-slice order: runqputslow still moves half the ring (128) and the kicked G, globrunqget's
     * share is still min(size/GOMAXPROCS + 1, size, 128), and sysmon's retake still starts from a
     * zeroed sysmontick, so 1.23 has the same variance.
     */
    @Test
    @DisplayName("300 go statements overflow the ring: runnext, 57 ring Gs, a global G at tick 61, 60 more, one at tick 122, the rest, then the global batch")
    @Hint(doc = DOC + "#go-order", go = "runqputslow; findRunnable's schedtick%61 check; globrunqget; runtime.main")
    void overflowingRing() {
        List<String> out = run("main waits on a channel for 300 goroutines that never all sent", o -> {
            Chan<Integer> done = Chan.make();
            for (int i = 1; i <= 300; i++) {
                int n = i;
                Go.go(() -> {
                    o.add("g " + n);
                    done.send(n);
                });
            }
            for (int i = 0; i < 300; i++) {
                done.recv();
            }
            o.add("main done");
        });
        // After the go statements (chapter 03's #overflow table): runnext g 300; the ring g 129 .. g 256,
        // g 258 .. g 299; the global queue g 1 .. g 128, g 257. main parks at schedtick 4.
        List<String> expected = new ArrayList<>();
        expected.add("g 300");                 // runnext: inherits main's slice, tick stays 4
        expected.addAll(gs(129, 185));         // the ring, ticks 5 .. 61: 57 Gs
        expected.add("g 1");                   // findRunnable sees 61: one global G (tick 62)
        expected.addAll(gs(186, 245));         // ticks 63 .. 122
        expected.add("g 2");                   // sees 122: one global G (tick 123)
        expected.addAll(gs(246, 256));         // the rest of the ring, ticks 124 .. 176
        expected.addAll(gs(258, 299));
        expected.addAll(gs(3, 128));           // sees 176: ring empty, the batch: min(127/1 + 1, 127, 128) = 127
        expected.add("g 257");
        expected.add("main done");
        assertThat(out).as("Go 1.19's order for 300 goroutines at GOMAXPROCS 1. g 1 first would mean main.main started"
                + " at schedtick 0 (a fresh P; runtime.main's start-up leaves 4, Startup); g 1 after another count of ring"
                + " Gs means the ticks are counted wrong (execute counts a tick only for a new slice). Read %s#go-order",
                DOC).isEqualTo(expected);
    }

    private static List<String> gs(int from, int to) {
        List<String> out = new ArrayList<>();
        for (int i = from; i <= to; i++) {
            out.add("g " + i);
        }
        return out;
    }
}
