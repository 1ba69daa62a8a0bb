package gmp.runtime;

import static gmp.runtime.Ch05ChanTest.awaitParked;
import static gmp.runtime.Ch05ChanTest.check;
import static gmp.runtime.Ch05ChanTest.run;
import static gmp.runtime.Ch05ChanTest.runnext;
import static gmp.runtime.Fixtures.runtime;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import gmp.workbook.Harness;
import gmp.workbook.Hint;

/**
 * Chapter 05: select. The select code is given; these tests check that it works on top of the
 * learner's chansend and chanrecv (it uses their send and recv hand-offs), and Go's own select tests:
 * fairness, non-blocking races, a goroutine selecting on both ends of one channel, duplicates, stress.
 */
// The chapter's place in a run of every chapter, so that the hint follows the doc's order.
@Order(53)
@Tag("ch05")
@DisplayName("Chapter 05: select")
@Hint(doc = Ch05SelectTest.DOC, go = "selectgo (select.go)")
class Ch05SelectTest {
    static final String DOC = Ch05ChanTest.DOC + "#select";

    @Order(1)
    @Test
    @DisplayName("select with default: takes a ready case if there is one, else the default; nil channels are never ready")
    @Hint(doc = DOC, go = "selectgo with block = false (select.go)")
    void selectWithDefault() {
        List<Object> seen = new ArrayList<>();
        run(runtime(1), () -> {
            Chan<Integer> empty = Chan.make(1);
            Chan<Integer> full = Chan.make(1);
            full.send(5);
            Chan<Integer> nil = Chan.nil();
            seen.add(Select.select(Select.recv(empty), Select.otherwise()));
            seen.add(Select.select(Select.send(full, 6), Select.otherwise()));
            seen.add(Select.select(Select.recv(nil), Select.send(nil, 1), Select.otherwise()));
            seen.add(Select.select(Select.otherwise(() -> seen.add("default ran"))));
            seen.add(Select.select(Select.recv(nil), Select.recv(full, v -> seen.add("got " + v)), Select.otherwise()));
            seen.add(Select.select(Select.send(empty, 7), Select.otherwise()));
            seen.add(empty.recv());
        });
        assertThat(seen).as("select returns the position of the case it ran: default (1) when the others would block,"
                + " a ready receive or send otherwise, never a case on a nil channel. Read %s (Go: selectgo)", DOC)
                .containsExactly(1, 1, 2, "default ran", 0, "got 5", 1, 0, 7);
        assertThatThrownBy(() -> run(runtime(1), () -> Select.select(Select.otherwise(), Select.otherwise())))
                .as("two defaults are an error (Go rejects them at compile time). Read %s", DOC)
                .isInstanceOf(ProgramCrash.class)
                .hasMessageContaining("multiple defaults");
    }

    @Order(2)
    @Test
    @DisplayName("a blocked select is woken by one case, takes its sudogs off the other queues, and lands in runnext")
    @Hint(doc = DOC, go = "selectgo passes 2 and 3, waitq.dequeueSudoG (select.go, chan.go)")
    void blockedSelectIsWokenByOneCase() {
        AtomicReference<G> selector = new AtomicReference<>();
        List<Object> seen = new ArrayList<>();
        run(runtime(1), () -> {
            Chan<Integer> a = Chan.make();
            Chan<Integer> b = Chan.make();
            Chan<Integer> c = Chan.make();
            Chan<Integer> done = Chan.make(1);
            Go.go(() -> {
                selector.set(Proc.getg());
                AtomicReference<Object> got = new AtomicReference<>();
                int i = Select.select(Select.recv(a, got::set), Select.recv(b, got::set), Select.send(c, 99));
                seen.add(i);
                seen.add(got.get());
                done.send(0);
            });
            G s = awaitParked(selector, Proc.WAIT_SELECT);
            seen.add(a.recvq.size() + b.recvq.size() + c.sendq.size());
            b.send(42);
            seen.add(runnext() == s);
            done.recv();
            seen.add(a.recvq.size() + b.recvq.size() + c.sendq.size());
        });
        assertThat(seen).as("a select with nothing ready queues one sudog on each of its 3 channels and parks with reason"
                + " \"select\"; b <- 42 wakes it into the sender's runnext; it chooses case 1 with 42 and takes its"
                + " other 2 sudogs back. Read %s (Go: selectgo)", DOC).containsExactly(3, true, 1, 42, 0);
    }

    @Order(3)
    @Test
    @DisplayName("select on closed channels: a receive case gets null with ok false, a send case panics \"send on closed channel\"")
    @Hint(doc = DOC, go = "selectgo: rclose, sclose (select.go)")
    void selectOnClosedChannels() {
        List<Object> seen = new ArrayList<>();
        run(runtime(2), () -> {
            Chan<Integer> closed = Chan.make(1);
            closed.close();
            Chan<Integer> never = Chan.make();
            seen.add(Select.select(Select.recv(never), Select.recv2(closed, r -> seen.add(r.value() + "/" + r.ok()))));
            try {
                Select.select(Select.send(closed, 1), Select.otherwise());
                seen.add("no panic");
            } catch (GoPanic p) {
                seen.add(p.getMessage());
            }
            // Blocked first, then closed: the close wakes the select.
            Chan<Integer> r = Chan.make();
            Chan<Integer> s = Chan.make();
            Chan<String> results = Chan.make(2);
            AtomicReference<G> g1 = new AtomicReference<>();
            AtomicReference<G> g2 = new AtomicReference<>();
            Go.go(() -> {
                g1.set(Proc.getg());
                Select.select(Select.recv(never), Select.recv2(r, got -> results.send("woken: " + got.value() + "/" + got.ok())));
            });
            Go.go(() -> {
                g2.set(Proc.getg());
                try {
                    Select.select(Select.recv(never), Select.send(s, 1));
                    results.send("sent");
                } catch (GoPanic p) {
                    results.send("woken: " + p.getMessage());
                }
            });
            awaitParked(g1, Proc.WAIT_SELECT);
            awaitParked(g2, Proc.WAIT_SELECT);
            r.close();
            s.close();
            seen.add(results.recv());
            seen.add(results.recv());
        });
        assertThat(seen.subList(0, 3)).as("a receive case on a closed channel is ready at once with null/false; a send"
                + " case on a closed channel panics. Read %s (Go: selectgo)", DOC)
                .containsExactly("null/false", 1, "send on closed channel");
        assertThat(seen.subList(3, 5)).as("close wakes a blocked select: its receive case gets null/false, its send case"
                + " panics. Read %s (Go: closechan, selectgo pass 3)", DOC)
                .containsExactlyInAnyOrder("woken: null/false", "woken: send on closed channel");
    }

    @Order(4)
    @Test
    @DisplayName("Go's TestSelectFairness: with two cases always ready, 10,000 selects split within 10 sigma of half")
    @Hint(doc = DOC, go = "TestSelectFairness (chan_test.go), pollorder (select.go)")
    void goTestSelectFairness() {
        int trials = 10_000;
        int[] counts = new int[2];
        run(runtime(2), () -> {
            Chan<Integer> c1 = Chan.make(trials + 1);
            Chan<Integer> c2 = Chan.make(trials + 1);
            for (int i = 0; i < trials + 1; i++) {
                c1.send(1);
                c2.send(2);
            }
            Chan<Integer> c3 = Chan.make();
            Chan<Integer> c4 = Chan.make();
            Chan<Integer> out = Chan.make();
            Chan<Integer> done = Chan.make();
            Chan<Boolean> finished = Chan.make();
            Go.go(() -> {
                int[] b = new int[1];
                boolean[] stop = new boolean[1];
                while (!stop[0]) {
                    Select.select(Select.recv(c3, v -> b[0] = v), Select.recv(c4, v -> b[0] = v),
                            Select.recv(c1, v -> b[0] = v), Select.recv(c2, v -> b[0] = v));
                    Select.select(Select.send(out, b[0]), Select.recv(done, v -> stop[0] = true));
                }
                finished.send(true);
            });
            for (int i = 0; i < trials; i++) {
                int b = out.recv();
                check(b == 1 || b == 2, DOC, "unexpected value %d on channel", b);
                counts[b - 1]++;
            }
            done.close();
            finished.recv();
        });
        // Go: the counts should be about the same; fail if more than 10 sigma away from the mean.
        double mean = trials / 2.0;
        double stddev = Math.sqrt(trials * 0.5 * (1 - 0.5));
        assertThat(Math.abs(counts[0] - mean)).as("unfair select: in %d trials, results were %d, %d. A select must poll"
                + " its cases in a random order (pollorder, cheaprandn). Read %s (Go: TestSelectFairness)",
                trials, counts[0], counts[1], DOC).isLessThanOrEqualTo(10 * stddev);
    }

    @Order(5)
    @Test
    @DisplayName("Go's TestPseudoRandomSend: a select over two sends picks each often (capacities 0 and 100)")
    @Hint(doc = DOC, go = "TestPseudoRandomSend (chan_test.go)")
    void goTestPseudoRandomSend() {
        int n = 100;
        List<String> verdicts = new ArrayList<>();
        run(runtime(2), () -> {
            for (int cap : new int[] {0, n}) {
                Chan<Integer> c = Chan.make(cap);
                int[] l = new int[n];
                Chan<Boolean> done = Chan.make();
                Go.go(() -> {
                    for (int i = 0; i < n; i++) {
                        Go.gosched();
                        l[i] = c.recv();
                    }
                    done.send(true);
                });
                for (int i = 0; i < n; i++) {
                    Select.select(Select.send(c, 1), Select.send(c, 0));
                }
                done.recv();
                int n1 = 0;
                for (int v : l) {
                    n1 += v;
                }
                int n0 = n - n1;
                if (n0 <= n / 10 || n1 <= n / 10) {
                    verdicts.add("want pseudorandom, got " + n0 + " zeros and " + n1 + " ones (chan cap " + cap + ")");
                }
            }
        });
        assertThat(verdicts).as("Read %s (Go: TestPseudoRandomSend)", DOC).isEmpty();
    }

    @Order(6)
    @Test
    @DisplayName("Go's TestNonblockRecvRace: a non-blocking receive on a channel holding a value never takes the default (10,000 times)")
    @Hint(doc = DOC, go = "TestNonblockRecvRace (chan_test.go)")
    void goTestNonblockRecvRace() {
        int n = 10_000;
        AtomicInteger notReady = new AtomicInteger();
        run(runtime(2), () -> {
            AtomicInteger finished = new AtomicInteger();
            for (int i = 0; i < n; i++) {
                Chan<Integer> c = Chan.make(1);
                c.send(1);
                Go.go(() -> {
                    Select.select(Select.recv(c), Select.otherwise(notReady::incrementAndGet));
                    finished.incrementAndGet();
                });
                c.close();
                c.recv();
            }
            while (finished.get() < n) {
                Go.gosched();
            }
        });
        assertThat(notReady.get()).as("chan is not ready: a channel with a value (closed or not) is ready for a receive."
                + " Read %s (Go: TestNonblockRecvRace)", DOC).isZero();
    }

    @Order(7)
    @Test
    @DisplayName("Go's TestNonblockSelectRace and ...Race2: one of two channels is always ready, so default never runs (10,000 times each)")
    @Hint(doc = DOC, go = "TestNonblockSelectRace, TestNonblockSelectRace2 (chan_test.go)")
    void goTestNonblockSelectRace() {
        int n = 10_000;
        List<String> failures = new ArrayList<>();
        run(runtime(2), () -> {
            for (boolean closeC2 : new boolean[] {false, true}) {
                Chan<Boolean> done = Chan.make(1);
                for (int i = 0; i < n; i++) {
                    Chan<Integer> c1 = Chan.make(1);
                    Chan<Integer> c2 = Chan.make(closeC2 ? 0 : 1);
                    c1.send(1);
                    Go.go(() -> done.send(Select.select(Select.recv(c1), Select.recv(c2), Select.otherwise()) != 2));
                    if (closeC2) {
                        c2.close();
                    } else {
                        c2.send(1);
                    }
                    Select.select(Select.recv(c1), Select.otherwise());
                    if (!done.recv()) {
                        failures.add("no chan is ready (iteration " + i + (closeC2 ? ", c2 closed)" : ", c2 sent)"));
                        break;
                    }
                }
            }
        });
        assertThat(failures).as("select must act on the state of its channels at one moment (it holds all their locks),"
                + " not over a smeared time window. Read %s (Go: TestNonblockSelectRace)", DOC).isEmpty();
    }

    @Order(8)
    @Test
    @DisplayName("Go's TestSelfSelect: two goroutines select on sending and receiving on one channel; no self receive, no deadlock")
    @Hint(doc = DOC, go = "TestSelfSelect (chan_test.go)")
    void goTestSelfSelect() {
        List<String> failures = new ArrayList<>();
        run(runtime(2), () -> {
            for (int cap : new int[] {0, 10}) {
                Chan<Integer> c = Chan.make(cap);
                Chan<Boolean> wg = Chan.make(2);
                for (int p = 0; p < 2; p++) {
                    int me = p;
                    Go.go(() -> {
                        for (int i = 0; i < 1000; i++) {
                            Select.Case send = Select.send(c, me);
                            Select.Case recv = Select.recv(c, v -> {
                                if (cap == 0 && v == me) {
                                    synchronized (failures) {
                                        failures.add("self receive by goroutine " + me);
                                    }
                                }
                            });
                            if (me == 0 || i % 2 == 0) {
                                Select.select(send, recv);
                            } else {
                                Select.select(recv, send);
                            }
                        }
                        wg.send(true);
                    });
                }
                wg.recv();
                wg.recv();
            }
        });
        assertThat(failures).as("a goroutine whose select waits on both ends of an unbuffered channel must not meet"
                + " itself. Read %s (Go: TestSelfSelect)", DOC).isEmpty();
    }

    @Order(9)
    @Test
    @DisplayName("Go's TestSelectDuplicateChannel: a select may wait twice on one channel; waking it leaves the queue intact")
    @Hint(doc = DOC, go = "TestSelectDuplicateChannel (chan_test.go), sellock (select.go)")
    void goTestSelectDuplicateChannel() {
        List<Object> seen = new ArrayList<>();
        run(runtime(1), () -> {
            Chan<Integer> c = Chan.make();
            Chan<Integer> d = Chan.make();
            Chan<Integer> e = Chan.make();
            AtomicReference<G> a = new AtomicReference<>();
            Go.go(() -> {
                a.set(Proc.getg());
                Select.select(Select.recv(c), Select.recv(c), Select.recv(d));
                e.send(9);
            });
            awaitParked(a, Proc.WAIT_SELECT); // goroutine A is queued on c first (twice)
            AtomicReference<G> b = new AtomicReference<>();
            Chan<Integer> bGot = Chan.make(1);
            Go.go(() -> {
                b.set(Proc.getg());
                bGot.send(c.recv());
            });
            awaitParked(b, Proc.WAIT_CHAN_RECEIVE); // then goroutine B
            d.send(7); // wakes A, which takes itself off c's queue
            seen.add(e.recv());
            seen.add(c.recvq.size());
            c.send(8); // must wake B, not A again
            seen.add(bGot.recv());
        });
        assertThat(seen).as("after A (queued twice on c) is woken through d, only B may be left on c's queue, and c <- 8"
                + " must reach B. Read %s (Go: TestSelectDuplicateChannel)", DOC).containsExactly(9, 1, 8);
    }

    @Order(10)
    @Test
    @DisplayName("Go's TestSelectStress (-short size): plain and select senders and receivers on 4 channels, nil-ing finished ones")
    @Hint(doc = DOC, go = "TestSelectStress (chan_test.go)")
    void goTestSelectStress() {
        int n = 10_000; // Go: 1e5, and 1e4 with -short
        run(runtime(4), () -> {
            List<Chan<Integer>> c = List.of(Chan.make(), Chan.make(), Chan.make(2), Chan.make(3));
            Chan<Boolean> wg = Chan.make(10);
            for (int k = 0; k < 4; k++) {
                Chan<Integer> ck = c.get(k);
                Go.go(() -> {
                    for (int i = 0; i < n; i++) {
                        ck.send(0);
                    }
                    wg.send(true);
                });
                Go.go(() -> {
                    for (int i = 0; i < n; i++) {
                        ck.recv();
                    }
                    wg.send(true);
                });
            }
            Go.go(() -> {
                int[] cnt = new int[4];
                List<Chan<Integer>> c1 = new ArrayList<>(c);
                for (int i = 0; i < 4 * n; i++) {
                    int k = Select.select(Select.send(c1.get(3), 0), Select.send(c1.get(2), 0),
                            Select.send(c1.get(0), 0), Select.send(c1.get(1), 0));
                    int ch = new int[] {3, 2, 0, 1}[k];
                    if (++cnt[ch] == n) {
                        c1.set(ch, Chan.nil());
                    }
                }
                wg.send(true);
            });
            Go.go(() -> {
                int[] cnt = new int[4];
                List<Chan<Integer>> c1 = new ArrayList<>(c);
                for (int i = 0; i < 4 * n; i++) {
                    int k = Select.select(Select.recv(c1.get(0)), Select.recv(c1.get(1)),
                            Select.recv(c1.get(2)), Select.recv(c1.get(3)));
                    if (++cnt[k] == n) {
                        c1.set(k, Chan.nil());
                    }
                }
                wg.send(true);
            });
            for (int i = 0; i < 10; i++) {
                wg.recv();
            }
        });
    }

    @Order(11)
    @Test
    @DisplayName("select {} blocks forever: once the other goroutines are done, checkdead reports the deadlock")
    @Hint(doc = DOC, go = "block, checkdead (select.go, proc.go)")
    void emptySelectBlocksForever() {
        assertThatThrownBy(() -> Harness.run(runtime(2), () -> {
            Chan<Integer> work = Chan.make();
            Go.go(() -> Select.select(Select.recv(Chan.nil()))); // only nil channels: waits forever in "select"
            Go.go(() -> {
                for (int i = 0; i < 10; i++) {
                    work.send(i);
                }
            });
            for (int i = 0; i < 10; i++) {
                work.recv();
            }
            Select.block();
        })).as("main in select {} and another goroutine in a select on nil channels, nothing else running: Go's"
                        + " deadlock, with the wait reasons \"select (no cases)\" and \"select\" in the dump."
                        + " Read %s (Go: block)", DOC)
                .isInstanceOf(ProgramCrash.class)
                .hasMessageStartingWith("fatal error: all goroutines are asleep - deadlock!")
                .hasMessageContaining("goroutine 1 [select (no cases)]")
                .hasMessageContaining("[select]");
    }
}
