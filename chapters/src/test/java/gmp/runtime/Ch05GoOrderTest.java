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

    /**
     * <pre>
     * func main() {
     * 	ping, pong := make(chan int), make(chan int)
     * 	done := make(chan bool)
     * 	go func() {
     * 		for i := 0; i &lt; 3; i++ {
     * 			v := &lt;-ping; println("ping got", v); pong &lt;- v + 1; println("ping sent", v+1)
     * 		}
     * 		done &lt;- true
     * 	}()
     * 	go func() {
     * 		for i := 0; i &lt; 3; i++ {
     * 			v := &lt;-pong; println("pong got", v)
     * 			if i &lt; 2 { ping &lt;- v + 1; println("pong sent", v+1) }
     * 		}
     * 		done &lt;- true
     * 	}()
     * 	ping &lt;- 0
     * 	println("main sent 0")
     * 	&lt;-done; &lt;-done
     * 	println("main done")
     * }
     * </pre>
     * Go 1.19: the order asserted below, 100 runs out of 100. Go 1.23 agrees: a send to a waiting
     * receiver hands the value over and readies it into runnext (chansend's send, goready), and the
     * sender runs on; a receive with a waiting sender takes its value and readies it likewise.
     */
    @Test
    @DisplayName("ping-pong on unbuffered channels: a send to a waiting receiver readies it into runnext, and the sender runs on until it blocks")
    @Hint(doc = DOC + "#go-order", go = "chansend, chanrecv, goready -> runqput(pp, gp, true) (chan.go, proc.go)")
    void pingPong() {
        List<String> out = run("ping-pong on unbuffered channels never finished", o -> {
            Chan<Integer> ping = Chan.make();
            Chan<Integer> pong = Chan.make();
            Chan<Boolean> done = Chan.make();
            Go.go(() -> {
                for (int i = 0; i < 3; i++) {
                    int v = ping.recv();
                    o.add("ping got " + v);
                    pong.send(v + 1);
                    o.add("ping sent " + (v + 1));
                }
                done.send(true);
            });
            Go.go(() -> {
                for (int i = 0; i < 3; i++) {
                    int v = pong.recv();
                    o.add("pong got " + v);
                    if (i < 2) {
                        ping.send(v + 1);
                        o.add("pong sent " + (v + 1));
                    }
                }
                done.send(true);
            });
            ping.send(0);
            o.add("main sent 0");
            done.recv();
            done.recv();
            o.add("main done");
        });
        assertThat(out).as("Go 1.19's order: main's first send finds nobody waiting and parks; pong (runnext) parks"
                + " on its receive; ping (the ring) takes main's 0, readying main into runnext, and its send readies"
                + " pong there instead, kicking main to the ring; from then on each send readies the receiver into"
                + " runnext while the sender prints on, and main runs only when the pair is done. Read %s#go-order",
                DOC).containsExactly("ping got 0", "ping sent 1", "pong got 1", "pong sent 2", "ping got 2",
                "ping sent 3", "pong got 3", "pong sent 4", "ping got 4", "ping sent 5", "pong got 5", "main sent 0",
                "main done");
    }

    /**
     * <pre>
     * func main() {
     * 	done := make(chan string)
     * 	for _, n := range []string{"a", "b"} {
     * 		go func(n string) {
     * 			println(n)
     * 			for _, m := range []string{"1", "2"} {
     * 				go func(m string) { println(n + m); done &lt;- n + m }(m)
     * 			}
     * 			done &lt;- n
     * 		}(n)
     * 	}
     * 	for i := 0; i &lt; 6; i++ { &lt;-done }
     * 	println("main done")
     * }
     * </pre>
     * Go 1.19: {@code b, a, b1, b2, a1, a2, main done}, 100 runs out of 100. Go 1.23 agrees (newproc,
     * runqput and chansend as above).
     */
    @Test
    @DisplayName("nested spawns: each go statement takes runnext and kicks the one there to the tail of the ring")
    @Hint(doc = DOC + "#go-order", go = "newproc -> runqput(pp, newg, true) (proc.go)")
    void nestedSpawns() {
        List<String> out = run("nested goroutines never all sent", o -> {
            Chan<String> done = Chan.make();
            for (String n : List.of("a", "b")) {
                Go.go(() -> {
                    o.add(n);
                    for (String m : List.of("1", "2")) {
                        Go.go(() -> {
                            o.add(n + m);
                            done.send(n + m);
                        });
                    }
                    done.send(n);
                });
            }
            for (int i = 0; i < 6; i++) {
                done.recv();
            }
            o.add("main done");
        });
        assertThat(out).as("Go 1.19's order: b (runnext) runs first and makes b1 and b2 (b2 kicks b1 to the ring, and"
                + " b's send readies main, which kicks b2 there too); then a, from the ring, whose a1 and a2 queue behind"
                + " b1 and b2 the same way. Read %s#go-order", DOC)
                .containsExactly("b", "a", "b1", "b2", "a1", "a2", "main done");
    }

    /**
     * <pre>
     * func main() {
     * 	c := make(chan int, 2)
     * 	done := make(chan bool)
     * 	go func() {
     * 		for i := 0; i &lt; 5; i++ { c &lt;- i; println("sent", i) }
     * 		close(c)
     * 	}()
     * 	go func() {
     * 		for v := range c { println("got", v) }
     * 		done &lt;- true
     * 	}()
     * 	&lt;-done
     * 	println("main done")
     * }
     * </pre>
     * Go 1.19: {@code sent 0, sent 1, sent 2, got 0, got 1, got 2, got 3, sent 3, sent 4, got 4, main
     * done}, 100 runs out of 100. Go 1.23 agrees: a receive from a full buffer with a sender waiting
     * takes the head and moves the sender's value into the freed slot (chanrecv's recv), readying it.
     */
    @Test
    @DisplayName("a buffered channel of 2: the consumer drains the buffer and takes a blocked sender's value in its slot")
    @Hint(doc = DOC + "#go-order", go = "chansend, chanrecv's recv on a full buffer (chan.go)")
    void bufferedChannel() {
        List<String> out = run("a producer and a consumer on a buffered channel never finished", o -> {
            Chan<Integer> c = Chan.make(2);
            Chan<Boolean> done = Chan.make();
            Go.go(() -> {
                for (int i = 0; i < 5; i++) {
                    c.send(i);
                    o.add("sent " + i);
                }
                c.close();
            });
            Go.go(() -> {
                for (Chan.Recv<Integer> r = c.recv2(); r.ok(); r = c.recv2()) {
                    o.add("got " + r.value());
                }
                done.send(true);
            });
            done.recv();
            o.add("main done");
        });
        assertThat(out).as("Go 1.19's order: the consumer (runnext) finds the buffer empty and parks; the producer"
                + " fills it (sent 0: the value goes straight to the waiting consumer; sent 1, sent 2 into the"
                + " buffer) and blocks on 3; the consumer drains it, its receive from the full buffer taking 3 from"
                + " the blocked producer into the freed slot, and so on. Read %s#go-order", DOC)
                .containsExactly("sent 0", "sent 1", "sent 2", "got 0", "got 1", "got 2", "got 3", "sent 3", "sent 4",
                        "got 4", "main done");
    }

    private static List<String> gs(int from, int to) {
        List<String> out = new ArrayList<>();
        for (int i = from; i <= to; i++) {
            out.add("g " + i);
        }
        return out;
    }
}
