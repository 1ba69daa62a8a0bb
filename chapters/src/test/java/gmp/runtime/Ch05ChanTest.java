package gmp.runtime;

import static gmp.runtime.Fixtures.runtime;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.IntStream;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import gmp.workbook.Harness;
import gmp.workbook.Hint;

/**
 * Chapter 05: channels, built on gopark and goready. A send meets a waiting receiver and hands it the
 * value directly; a full or empty channel parks the goroutine in a FIFO queue without losing the
 * wake-up; close wakes every waiter; misuse gets Go's panics; a nil channel blocks forever.
 */
// The chapter's place in a run of every chapter, so that the hint follows the doc's order.
@Order(52)
@Tag("ch05")
@DisplayName("Chapter 05: channels")
@Hint(doc = Ch05ChanTest.DOC + "#channels", go = "chansend, chanrecv, closechan (chan.go)")
class Ch05ChanTest {
    static final String DOC = "docs/en/05-parking.md";
    /** Capacities 0..CAPS-1 for the port of TestChan (Go runs 0..199, and 0..19 with -short). */
    private static final int CAPS = 20;
    private static final long MILLISECOND = 1_000_000L;


    /**
     * Runs main under the harness; a failed check inside the program (an AssertionError thrown by
     * main or any goroutine ends the program as a panic) comes out as that AssertionError.
     */
    static void run(GoRuntime rt, Runnable main) {
        try {
            Harness.run(rt, main);
        } catch (ProgramCrash crash) {
            if (crash.getCause() instanceof AssertionError failed) {
                throw failed;
            }
            throw crash;
        }
    }

    /** A check inside a Go program: fails with the message and where to read. */
    static void check(boolean ok, String read, String format, Object... args) {
        if (!ok) {
            throw new AssertionError(String.format(format, args) + ". Read " + read);
        }
    }

    /**
     * Yields until the goroutine recorded in {@code ref} is parked with the given wait reason (Go
     * tests sleep instead; with GOMAXPROCS 1 yielding is exact). Call on a goroutine.
     */
    static G awaitParked(AtomicReference<G> ref, String reason) {
        for (int i = 0; ; i++) {
            G gp = ref.get();
            if (gp != null && gp.status() == G._Gwaiting && reason.equals(gp.waitreason)) {
                return gp;
            }
            if (i == 100_000) {
                throw new AssertionError("a goroutine never parked with reason \"" + reason + "\" (it is " + gp
                        + "): a blocking send or receive must gopark with Go's wait reason. Read " + DOC + "#chansend");
            }
            Go.gosched();
        }
    }

    /** The runnext of the P running the current goroutine. */
    static G runnext() {
        return Proc.getg().m.p.lvRunnext();
    }

    // ---------------------------------------------------------------------------------------------
    // Go's TestChan

    @Order(1)
    @Test
    @DisplayName("Go's TestChan on 4 Ps, capacities 0..19: blocking, non-blocking, close, FIFO, many senders, len/cap")
    @Hint(doc = DOC + "#chansend", go = "TestChan (chan_test.go)")
    void goTestChan() {
        run(runtime(4), () -> {
            for (int cap = 0; cap < CAPS; cap++) {
                testChan(cap);
            }
        });
    }

    private static void testChan(int cap) {
        String read = DOC + "#chanrecv (Go: TestChan)";
        {
            // A receive from an empty channel blocks; a non-blocking one does not.
            Chan<Integer> c = Chan.make(cap);
            AtomicBoolean recv1 = new AtomicBoolean();
            AtomicBoolean recv2 = new AtomicBoolean();
            Go.go(() -> {
                c.recv();
                recv1.set(true);
            });
            Go.go(() -> {
                c.recv2();
                recv2.set(true);
            });
            Go.sleep(MILLISECOND);
            check(!recv1.get() && !recv2.get(), read, "chan[%d]: receive from empty chan", cap);
            check(c.tryRecv().isEmpty(), read, "chan[%d]: non-blocking receive from empty chan returned a value", cap);
            c.send(0);
            c.send(0);
        }
        {
            // A send to a full channel blocks; a non-blocking one does not.
            Chan<Integer> c = Chan.make(cap);
            for (int i = 0; i < cap; i++) {
                c.send(i);
            }
            AtomicBoolean sent = new AtomicBoolean();
            Go.go(() -> {
                c.send(0);
                sent.set(true);
            });
            Go.sleep(MILLISECOND);
            check(!sent.get(), DOC + "#chansend", "chan[%d]: send to full chan", cap);
            check(!c.trySend(0), DOC + "#chansend", "chan[%d]: non-blocking send to full chan succeeded", cap);
            c.recv();
        }
        {
            // A closed channel still delivers its buffered values, then the zero value with ok false.
            Chan<Integer> c = Chan.make(cap);
            for (int i = 0; i < cap; i++) {
                c.send(i);
            }
            c.close();
            for (int i = 0; i < cap; i++) {
                Integer v = c.recv();
                check(Integer.valueOf(i).equals(v), DOC + "#closechan", "chan[%d]: received %s, expected %d", cap, v, i);
            }
            Integer v = c.recv();
            check(v == null, DOC + "#closechan", "chan[%d]: received %s from a closed, drained chan, expected null", cap, v);
            Chan.Recv<Integer> r = c.recv2();
            check(r.value() == null && !r.ok(), DOC + "#closechan", "chan[%d]: received %s/%s, expected null/false",
                    cap, r.value(), r.ok());
        }
        {
            // close unblocks a receive.
            Chan<Integer> c = Chan.make(cap);
            Chan<Boolean> done = Chan.make();
            Go.go(() -> {
                Chan.Recv<Integer> r = c.recv2();
                done.send(r.value() == null && !r.ok());
            });
            Go.sleep(MILLISECOND);
            c.close();
            check(done.recv(), DOC + "#closechan", "chan[%d]: received non zero from closed chan", cap);
        }
        {
            // 100 values arrive uncorrupted and in FIFO order, with recv and with recv2.
            Chan<Integer> c = Chan.make(cap);
            Go.go(() -> {
                for (int i = 0; i < 100; i++) {
                    c.send(i);
                }
            });
            for (int i = 0; i < 100; i++) {
                Integer v = c.recv();
                check(Integer.valueOf(i).equals(v), read, "chan[%d]: received %s, expected %d", cap, v, i);
            }
            Go.go(() -> {
                for (int i = 0; i < 100; i++) {
                    c.send(i);
                }
            });
            for (int i = 0; i < 100; i++) {
                Chan.Recv<Integer> r = c.recv2();
                check(r.ok(), read, "chan[%d]: receive failed, expected %d", cap, i);
                check(Integer.valueOf(i).equals(r.value()), read, "chan[%d]: received %s, expected %d", cap, r.value(), i);
            }

            // 4 senders and 4 receivers of 1000 values each: every value arrives exactly once per sender.
            int procs = 4;
            int l = 1000;
            for (int p = 0; p < procs; p++) {
                Go.go(() -> {
                    for (int i = 0; i < l; i++) {
                        c.send(i);
                    }
                });
            }
            Chan<int[]> done = Chan.make();
            for (int p = 0; p < procs; p++) {
                Go.go(() -> {
                    int[] recv = new int[l];
                    for (int i = 0; i < l; i++) {
                        recv[c.recv()]++;
                    }
                    done.send(recv);
                });
            }
            int[] recv = new int[l];
            for (int p = 0; p < procs; p++) {
                int[] part = done.recv();
                for (int k = 0; k < l; k++) {
                    recv[k] += part[k];
                }
            }
            for (int k = 0; k < l; k++) {
                check(recv[k] == procs, read, "chan[%d]: value %d received %d times, expected %d", cap, k, recv[k], procs);
            }
        }
        {
            // len and cap.
            Chan<Integer> c = Chan.make(cap);
            check(c.len() == 0 && c.cap() == cap, read, "chan[%d]: bad len/cap, expect %d/%d, got %d/%d",
                    cap, 0, cap, c.len(), c.cap());
            for (int i = 0; i < cap; i++) {
                c.send(i);
            }
            check(c.len() == cap && c.cap() == cap, read, "chan[%d]: bad len/cap, expect %d/%d, got %d/%d",
                    cap, cap, cap, c.len(), c.cap());
        }
    }

    // ---------------------------------------------------------------------------------------------
    // The hand-offs

    @Order(2)
    @Test
    @DisplayName("a send to a waiting receiver hands the value over directly: the buffer stays empty, the receiver is in runnext")
    @Hint(doc = DOC + "#chansend", go = "chansend -> send -> goready (chan.go)")
    void directHandOffToAWaitingReceiver() {
        AtomicReference<G> receiver = new AtomicReference<>();
        AtomicReference<Object> got = new AtomicReference<>();
        List<Object> seen = new ArrayList<>();
        run(runtime(1), () -> {
            Chan<Integer> c = Chan.make(1);
            Chan<Boolean> done = Chan.make(1);
            Go.go(() -> {
                receiver.set(Proc.getg());
                got.set(c.recv());
                done.send(true);
            });
            G r = awaitParked(receiver, Proc.WAIT_CHAN_RECEIVE);
            c.send(42);
            seen.add(c.len());
            seen.add(G.statusName(r.status()));
            seen.add(runnext() == r);
            done.recv();
        });
        assertThat(seen).as("after c <- 42 with a receiver parked on the buffered channel c: len(c) must be 0 (the value"
                + " goes straight into the receiver's sudog, never through the buffer), the receiver must be runnable"
                + " and sit in the sender's P's runnext (goready). Read %s#chansend (Go: send)", DOC)
                .containsExactly(0, "runnable", true);
        assertThat(got.get()).as("the receiver must get the value sent. Read %s#chansend", DOC).isEqualTo(42);
    }

    @Order(3)
    @Test
    @DisplayName("a receive from a full channel with a waiting sender takes the head and moves the sender's value to the tail")
    @Hint(doc = DOC + "#chanrecv", go = "chanrecv -> recv (chan.go)")
    void receiveFromAFullChannelWithAWaitingSender() {
        AtomicReference<G> sender = new AtomicReference<>();
        List<Object> seen = new ArrayList<>();
        run(runtime(1), () -> {
            Chan<Integer> c = Chan.make(2);
            c.send(1);
            c.send(2);
            Go.go(() -> {
                sender.set(Proc.getg());
                c.send(3);
            });
            G s = awaitParked(sender, Proc.WAIT_CHAN_SEND);
            seen.add(c.recv());
            seen.add(c.len());
            seen.add(runnext() == s);
            seen.add(c.recv());
            seen.add(c.recv());
        });
        assertThat(seen).as("with 1, 2 buffered and a sender of 3 parked: the first receive gets 1, leaves len 2 (3 moved"
                + " into the freed slot at the tail) and readies the sender into runnext; then 2, then 3."
                + " Read %s#chanrecv (Go: recv)", DOC).containsExactly(1, 2, true, 2, 3);
    }

    @Order(4)
    @Test
    @DisplayName("blocked receivers and blocked senders are served first come, first served")
    @Hint(doc = DOC + "#chanrecv", go = "waitq.enqueue, waitq.dequeue (chan.go)")
    void waitersAreServedInFifoOrder() {
        List<String> got = Collections.synchronizedList(new ArrayList<>());
        List<Integer> received = new ArrayList<>();
        run(runtime(1), () -> {
            Chan<Integer> c = Chan.make();
            Chan<Boolean> done = Chan.make(3);
            for (String name : List.of("r1", "r2", "r3")) {
                AtomicReference<G> ref = new AtomicReference<>();
                Go.go(() -> {
                    ref.set(Proc.getg());
                    got.add(name + "=" + c.recv());
                    done.send(true);
                });
                awaitParked(ref, Proc.WAIT_CHAN_RECEIVE);
            }
            for (int v = 1; v <= 3; v++) {
                c.send(v);
            }
            for (int i = 0; i < 3; i++) {
                done.recv();
            }
            for (int v = 10; v <= 30; v += 10) {
                AtomicReference<G> ref = new AtomicReference<>();
                int x = v;
                Go.go(() -> {
                    ref.set(Proc.getg());
                    c.send(x);
                });
                awaitParked(ref, Proc.WAIT_CHAN_SEND);
            }
            for (int i = 0; i < 3; i++) {
                received.add(c.recv());
            }
        });
        assertThat(got).as("receivers parked in the order r1, r2, r3 must get 1, 2, 3: recvq is FIFO."
                + " Read %s#chanrecv (Go: waitq)", DOC).containsExactlyInAnyOrder("r1=1", "r2=2", "r3=3");
        assertThat(received).as("senders of 10, 20, 30 parked in that order must be received in that order: sendq is"
                + " FIFO. Read %s#chansend (Go: waitq)", DOC).containsExactly(10, 20, 30);
    }

    // ---------------------------------------------------------------------------------------------
    // close, panics, range

    @Order(5)
    @Test
    @DisplayName("close wakes every waiter: receivers get null with ok false, senders panic \"send on closed channel\"")
    @Hint(doc = DOC + "#closechan", go = "closechan (chan.go)")
    void closeWakesEveryWaiter() {
        List<String> results = Collections.synchronizedList(new ArrayList<>());
        Throwable died = catchThrowable(() -> run(runtime(2), () -> {
            Chan<Integer> rc = Chan.make();
            Chan<Integer> sc = Chan.make(1);
            sc.send(0);
            Chan<Boolean> done = Chan.make(4);
            List<AtomicReference<G>> refs = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                AtomicReference<G> r = new AtomicReference<>();
                AtomicReference<G> s = new AtomicReference<>();
                refs.add(r);
                refs.add(s);
                Go.go(() -> {
                    r.set(Proc.getg());
                    Chan.Recv<Integer> got = rc.recv2();
                    results.add("receiver: " + got.value() + "/" + got.ok());
                    done.send(true);
                });
                Go.go(() -> {
                    s.set(Proc.getg());
                    try {
                        sc.send(1);
                        results.add("sender: sent");
                    } catch (GoPanic p) {
                        results.add("sender: panic: " + p.getMessage());
                    }
                    done.send(true);
                });
            }
            for (int i = 0; i < 4; i++) {
                awaitParked(refs.get(i), i % 2 == 0 ? Proc.WAIT_CHAN_RECEIVE : Proc.WAIT_CHAN_SEND);
            }
            rc.close();
            sc.close();
            for (int i = 0; i < 4; i++) {
                done.recv();
            }
        }));
        if (died != null && String.valueOf(died.getMessage()).contains("all goroutines are asleep")) {
            throw new AssertionError("close left waiters parked: after it, main waited for the four goroutines and the"
                    + " program deadlocked. close must take EVERY sudog off recvq and sendq (not only the first) and"
                    + " goready each G once the channel's lock is released. Woken so far: " + results
                    + ". Read " + DOC + "#closechan (Go: closechan). The deadlock report:\n" + died.getMessage(), died);
        }
        if (died instanceof RuntimeException e) {
            throw e;
        } else if (died instanceof Error e) {
            throw e;
        }
        assertThat(results).as("close must take every sudog off both queues and ready its G: a receiver returns the zero"
                + " value with ok = false (success false), a sender panics when it runs again."
                + " Read %s#closechan (Go: closechan)", DOC)
                .containsExactlyInAnyOrder("receiver: null/false", "receiver: null/false",
                        "sender: panic: send on closed channel", "sender: panic: send on closed channel");
    }

    @Order(6)
    @Test
    @DisplayName("misuse panics with Go's words and a goroutine may catch the panic: send on closed, close of closed, close of nil")
    @Hint(doc = DOC + "#closechan", go = "chansend, closechan panics (chan.go)")
    void misusePanicsWithGosWords() {
        List<String> caught = new ArrayList<>();
        run(runtime(1), () -> {
            Chan<Integer> c = Chan.make(1);
            c.close();
            for (Runnable misuse : List.<Runnable>of(() -> c.send(1), () -> c.trySend(1), c::close, Chan.nil()::close)) {
                try {
                    misuse.run();
                    caught.add("no panic");
                } catch (GoPanic p) {
                    caught.add(p.getMessage());
                }
            }
        });
        assertThat(caught).as("send (blocking or not) on a closed channel, close of a closed channel and close of a nil"
                + " channel must throw GoPanic with Go's exact message. Read %s#closechan", DOC)
                .containsExactly("send on closed channel", "send on closed channel", "close of closed channel",
                        "close of nil channel");
    }

    @Order(7)
    @Test
    @DisplayName("an uncaught \"send on closed channel\" ends run() with Go's report: panic: send on closed channel")
    @Hint(doc = DOC + "#closechan", go = "chansend, fatalpanic (chan.go, panic.go)")
    void uncaughtPanicEndsTheProgram() {
        GoRuntime rt = runtime(1);
        assertThatThrownBy(() -> Harness.run(rt, () -> {
            Chan<String> c = Chan.make();
            c.close();
            c.send("x");
        })).as("a GoPanic nobody catches must end the program like Go's: \"panic: send on closed channel\" and the"
                + " goroutine. Read %s#closechan", DOC)
                .isInstanceOf(ProgramCrash.class)
                .hasMessageStartingWith("panic: send on closed channel")
                .hasMessageContaining("goroutine 1 [running]");
    }

    @Order(8)
    @Test
    @DisplayName("for (v : c) receives until the channel is closed and drained (Go's for v := range c)")
    @Hint(doc = DOC + "#closechan", go = "for range over a channel: chanrecv2 until !ok")
    void rangeReceivesUntilClosed() {
        List<List<Integer>> got = new ArrayList<>();
        run(runtime(2), () -> {
            for (int cap : new int[] {0, 1, 7}) {
                Chan<Integer> c = Chan.make(cap);
                Go.go(() -> {
                    for (int i = 0; i < 50; i++) {
                        c.send(i);
                    }
                    c.close();
                });
                List<Integer> values = new ArrayList<>();
                for (int v : c) {
                    values.add(v);
                }
                got.add(values);
            }
        });
        List<Integer> want = IntStream.range(0, 50).boxed().toList();
        assertThat(got).as("ranging over a channel must yield every value sent, in order, and stop once it is closed"
                + " (capacities 0, 1, 7). Read %s#closechan", DOC).containsExactly(want, want, want);
    }

    @Order(9)
    @Test
    @DisplayName("Go's TestMultiConsumer (smaller): 23 workers range over a queue, results all arrive, then close ends it")
    @Hint(doc = DOC + "#closechan", go = "TestMultiConsumer (chan_test.go)")
    void goTestMultiConsumer() {
        int nwork = 23;
        int niter = 27_183; // Go: 271828
        int[] pn = {2, 3, 7, 11, 13, 17, 19, 23, 27, 31};
        long[] result = new long[3];
        run(runtime(4), () -> {
            Chan<Integer> q = Chan.make(nwork * 3);
            Chan<Integer> r = Chan.make(nwork * 3);
            Chan<Boolean> workersDone = Chan.make(nwork);
            for (int i = 0; i < nwork; i++) {
                int w = i;
                Go.go(() -> {
                    for (int v : q) {
                        if (pn[w % pn.length] == v) {
                            Go.gosched(); // mess with the FIFO-ish nature of range
                        }
                        r.send(v);
                    }
                    workersDone.send(true);
                });
            }
            AtomicInteger expect = new AtomicInteger();
            Go.go(() -> {
                for (int i = 0; i < niter; i++) {
                    int v = pn[i % pn.length];
                    expect.addAndGet(v);
                    q.send(v);
                }
                q.close();
                for (int i = 0; i < nwork; i++) {
                    workersDone.recv();
                }
                r.close();
            });
            long n = 0;
            long s = 0;
            for (int v : r) {
                n++;
                s += v;
            }
            result[0] = n;
            result[1] = s;
            result[2] = expect.get();
        });
        assertThat(result[0]).as("every work item must come back exactly once. Read %s#closechan (Go: TestMultiConsumer)",
                DOC).isEqualTo(niter);
        assertThat(result[1]).as("the sum of the results. Read %s#closechan (Go: TestMultiConsumer)", DOC)
                .isEqualTo(result[2]);
    }

    // ---------------------------------------------------------------------------------------------
    // Goroutines only; nil channels; deadlock

    @Order(10)
    @Test
    @DisplayName("a channel may be made anywhere, but send, receive, close and select from a plain thread are IllegalStateExceptions")
    @Hint(doc = DOC + "#channels", go = "chansend, chanrecv need getg() (chan.go)")
    void plainThreadsMayNotUseChannels() {
        Chan<Integer> c = Chan.make(3);
        assertThat(c.cap()).isEqualTo(3);
        assertThatThrownBy(() -> Chan.make(-1)).as("make with a negative capacity. Read %s#channels", DOC)
                .isInstanceOf(IllegalArgumentException.class);
        List<Runnable> misuses = List.of(() -> c.send(1), c::recv, c::recv2, () -> c.trySend(1), c::tryRecv, c::close,
                () -> Chan.nil().recv(), () -> Select.select(Select.recv(c), Select.otherwise()), Select::block);
        for (Runnable misuse : misuses) {
            assertThatThrownBy(misuse::run).as("a channel operation on a plain Java thread may park or ready a goroutine,"
                    + " so it must throw IllegalStateException saying it needs a goroutine. Read %s#channels", DOC)
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("goroutine");
        }
        List<Integer> got = new ArrayList<>();
        run(runtime(1), () -> {
            c.send(7);
            got.add(c.len());
            got.add(c.recv());
        });
        assertThat(got).as("the same channel works inside a Go program. Read %s#channels", DOC).containsExactly(1, 7);
    }

    @Order(11)
    @Test
    @DisplayName("a nil channel blocks forever: send and receive park with Go's \"(nil chan)\" reasons, try* never succeed")
    @Hint(doc = DOC + "#nil-channels", go = "chansend, chanrecv: c == nil (chan.go)")
    void nilChannelBlocksForever() {
        List<Object> seen = new ArrayList<>();
        run(runtime(2), () -> {
            Chan<Integer> nil = Chan.nil();
            AtomicReference<G> sender = new AtomicReference<>();
            AtomicReference<G> receiver = new AtomicReference<>();
            Go.go(() -> {
                sender.set(Proc.getg());
                nil.send(1);
            });
            Go.go(() -> {
                receiver.set(Proc.getg());
                nil.recv();
            });
            awaitParked(sender, Proc.WAIT_CHAN_SEND_NIL);
            awaitParked(receiver, Proc.WAIT_CHAN_RECEIVE_NIL);
            seen.add(nil.trySend(1));
            seen.add(nil.tryRecv().isPresent());
            seen.add(nil.len());
            seen.add(nil.cap());
            // main returns: the two parked goroutines are abandoned, as Go abandons them at exit.
        });
        assertThat(seen).as("a non-blocking send to / receive from a nil channel never succeeds, and its len and cap"
                + " are 0. Read %s#nil-channels", DOC).containsExactly(false, false, 0, 0);
    }

    @Order(12)
    @Test
    @DisplayName("with every goroutine blocked on channels, checkdead reports \"all goroutines are asleep - deadlock!\"")
    @Hint(doc = DOC + "#nil-channels", go = "checkdead (proc.go)")
    void blockedForeverIsADeadlock() {
        assertThatThrownBy(() -> Harness.run(runtime(2), () -> Chan.<Integer>nil().recv()))
                .as("main receiving from a nil channel with nothing else running is Go's deadlock, and the dump shows"
                        + " main's wait reason. Read %s#nil-channels (Go: checkdead)", DOC)
                .isInstanceOf(ProgramCrash.class)
                .hasMessageStartingWith("fatal error: all goroutines are asleep - deadlock!")
                .hasMessageContaining("goroutine 1 [chan receive (nil chan)]");
        assertThatThrownBy(() -> Harness.run(runtime(2), () -> {
            Chan<Integer> c = Chan.make();
            Go.go(() -> c.send(1));
            c.recv();
            c.send(2); // nobody will ever receive
        })).as("main sending on an unbuffered channel nobody receives from is a deadlock: reason \"chan send\"."
                        + " Read %s#chansend (Go: checkdead)", DOC)
                .isInstanceOf(ProgramCrash.class)
                .hasMessageStartingWith("fatal error: all goroutines are asleep - deadlock!")
                .hasMessageContaining("goroutine 1 [chan send]");
    }
}
