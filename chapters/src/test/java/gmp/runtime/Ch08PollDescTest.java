package gmp.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.Pipe;
import java.nio.channels.SelectionKey;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import gmp.workbook.Harness;
import gmp.workbook.Hint;

/**
 * Chapter 08 one step at a time: the pollDesc state machine (netpollunblock, netpollready,
 * netpollblock) on pollDescs with no socket, netpoll's delay conversion, netpoll over a real
 * selector with one pipe (interest on, reported once, interest off; a stale key dropped), Go's
 * TestNetpollBreak, and injectglist's split between idle Ps and the current P.
 */
@Tag("ch08")
@DisplayName("Chapter 08: pollDesc, netpoll and injectglist, step by step")
@Hint(doc = Ch08PollDescTest.DOC + "#polldesc", go = "netpollblock, netpollunblock, netpollready (netpoll.go)")
class Ch08PollDescTest {
    static final String DOC = "docs/en/08-netpoll.md";

    private static Proc proc() {
        return GoRuntime.builder().gomaxprocs(1).env(Map.of()).build().proc();
    }

    private static String name(Object state) {
        return String.valueOf(state);
    }

    @Order(1)
    @Test
    @DisplayName("netpollunblock: I/O leaves pdReady, a deadline or close leaves pdNil, and the parked G comes back")
    @Hint(doc = DOC + "#netpollunblock", go = "netpollunblock (netpoll.go)")
    void netpollunblockTransitions() {
        Proc proc = proc();
        G g = proc.malg();
        Object[][] cases = {
            // from, ioready, to, returns the G
            {PollDesc.pdNil, true, PollDesc.pdReady, false},
            {PollDesc.pdNil, false, PollDesc.pdNil, false},
            {PollDesc.pdReady, true, PollDesc.pdReady, false},
            {PollDesc.pdReady, false, PollDesc.pdReady, false},
            {PollDesc.pdWait, true, PollDesc.pdReady, false},
            {PollDesc.pdWait, false, PollDesc.pdNil, false},
            {g, true, PollDesc.pdReady, true},
            {g, false, PollDesc.pdNil, true},
        };
        for (Object[] c : cases) {
            PollDesc pd = new PollDesc(proc, null);
            pd.svState(PollDesc.MODE_R, c[0]);
            G got = pd.netpollunblock(PollDesc.MODE_R, (Boolean) c[1]);
            String from = c[0] == g ? "a parked G" : name(c[0]);
            assertThat(name(pd.lvState(PollDesc.MODE_R))).as("rg %s, netpollunblock(ioready=%s) must leave %s."
                    + " Read %s#netpollunblock", from, c[1], c[2], DOC).isEqualTo(name(c[2]));
            assertThat(got).as("from %s it must return %s. Read %s#netpollunblock", from,
                    (Boolean) c[3] ? "the parked G (the caller readies it)" : "no G", DOC).isSameAs((Boolean) c[3] ? g : null);
            assertThat(name(pd.lvState(PollDesc.MODE_W))).as("and wg is not touched by mode 'r'").isEqualTo("pdNil");
        }
    }

    @Order(2)
    @Test
    @DisplayName("netpollready: 'r'+'w' readies the reader and the writer, one waiter fewer each; 'w' leaves the reader")
    @Hint(doc = DOC + "#netpollready", go = "netpollready (netpoll.go)")
    void netpollreadyBothModes() {
        Proc proc = proc();
        G reader = proc.malg();
        G writer = proc.malg();
        PollDesc pd = new PollDesc(proc, null);
        pd.svState(PollDesc.MODE_R, reader);
        pd.svState(PollDesc.MODE_W, writer);
        GList toRun = new GList();
        int delta = pd.netpollready(toRun, PollDesc.MODE_W);
        assertThat(delta).as("one G readied: delta -1. Read %s#netpollready", DOC).isEqualTo(-1);
        assertThat(toRun.size()).isEqualTo(1);
        assertThat(toRun.head()).as("mode 'w' readies the writer").isSameAs(writer);
        assertThat(pd.lvState(PollDesc.MODE_R)).as("and leaves the parked reader parked").isSameAs(reader);
        pd.svState(PollDesc.MODE_W, writer);
        toRun = new GList();
        delta = pd.netpollready(toRun, PollDesc.MODE_RW);
        assertThat(delta).as("'r'+'w' with both parked: delta -2. Read %s#netpollready", DOC).isEqualTo(-2);
        List<G> gs = new ArrayList<>();
        for (G gp = toRun.pop(); gp != null; gp = toRun.pop()) {
            gs.add(gp);
        }
        assertThat(gs).containsExactlyInAnyOrder(reader, writer);
        assertThat(name(pd.lvState(PollDesc.MODE_R)) + " " + name(pd.lvState(PollDesc.MODE_W)))
                .as("both semaphores hold the notification now").isEqualTo("pdReady pdReady");
    }

    @Order(3)
    @Test
    @DisplayName("netpollblock: a pending pdReady is consumed without parking; with an error set it does not park either")
    @Hint(doc = DOC + "#netpollblock", go = "netpollblock (netpoll.go)")
    void netpollblockWithoutParking() {
        AtomicReference<String> ready = new AtomicReference<>();
        AtomicReference<String> closing = new AtomicReference<>();
        GoRuntime rt = GoRuntime.builder().gomaxprocs(1).env(Map.of()).build();
        Harness.run(rt, Duration.ofSeconds(10), "netpollblock parked although it had nothing to wait for", () -> {
            G gp = Proc.getg();
            PollDesc pd = new PollDesc(rt.proc(), null);
            pd.svState(PollDesc.MODE_R, PollDesc.pdReady);
            boolean r = pd.netpollblock(gp, PollDesc.MODE_R, false);
            ready.set(r + " " + pd.lvState(PollDesc.MODE_R) + " " + rt.proc().netpoll.netpollWaiters.get());
            PollDesc closed = new PollDesc(rt.proc(), null);
            closed.lock.lock();
            closed.closing = true;
            closed.publishInfo();
            closed.lock.unlock();
            boolean c = closed.netpollblock(gp, PollDesc.MODE_R, false);
            closing.set(c + " " + closed.lvState(PollDesc.MODE_R) + " " + rt.proc().netpoll.netpollWaiters.get());
        });
        assertThat(ready.get()).as("rg pdReady: netpollblock must consume it (CAS pdReady -> pdNil) and return true"
                + " at once, parking nobody, counting no waiter. Read %s#netpollblock", DOC).isEqualTo("true pdNil 0");
        assertThat(closing.get()).as("a closing pollDesc: netpollblock publishes pdWait, sees the error"
                + " (netpollcheckerr) and does not park: false, rg back to pdNil. Read %s#netpollblock", DOC)
                .isEqualTo("false pdNil 0");
    }

    @Order(4)
    @Test
    @DisplayName("netpollblock parks in pdWait -> G, counts a waiter, and netpollunblock + goready wake it with true")
    @Hint(doc = DOC + "#netpollblock", go = "netpollblock, netpollblockcommit (netpoll.go)")
    void netpollblockParksAndWakes() {
        AtomicReference<String> seen = new AtomicReference<>();
        AtomicReference<String> result = new AtomicReference<>();
        GoRuntime rt = GoRuntime.builder().gomaxprocs(1).env(Map.of()).build();
        Harness.run(rt, Duration.ofSeconds(10), "the G parked in netpollblock was never woken: netpollunblock must"
                + " return it (CAS G -> pdReady) for goready. Read " + DOC + "#netpollblock", () -> {
            Proc proc = rt.proc();
            PollDesc pd = new PollDesc(proc, null);
            Chan<Boolean> done = Chan.make(1);
            Go.go(() -> {
                boolean r = pd.netpollblock(Proc.getg(), PollDesc.MODE_R, false);
                result.set(r + " " + pd.lvState(PollDesc.MODE_R));
                done.send(true);
            });
            for (int i = 0; i < 1000 && !(pd.lvState(PollDesc.MODE_R) instanceof G); i++) {
                Go.gosched(); // GOMAXPROCS 1: the reader runs and parks
            }
            Object state = pd.lvState(PollDesc.MODE_R);
            seen.set((state instanceof G ? "G" : name(state)) + " " + proc.netpoll.netpollWaiters.get());
            GList toRun = new GList();
            int delta = pd.netpollready(toRun, PollDesc.MODE_R);
            G reader = toRun.pop();
            if (reader == null) {
                throw new AssertionError("netpollready readied nobody, but rg held a parked G. Read " + DOC + "#netpollready");
            }
            proc.goready(reader); // what findRunnable does with netpoll's list, in short
            proc.netpoll.netpollAdjustWaiters(delta);
            done.recv();
        });
        assertThat(seen.get()).as("a parked reader: rg holds its G (netpollblockcommit's CAS pdWait -> G) and"
                + " netpollWaiters counts it. Read %s#netpollblock", DOC).isEqualTo("G 1");
        assertThat(result.get()).as("woken by I/O: netpollblock swaps rg back to pdNil and returns true."
                + " Read %s#netpollblock", DOC).isEqualTo("true pdNil");
    }

    @Order(5)
    @Test
    @DisplayName("A second waiter in the same mode is Go's fatal \"double wait\"")
    @Hint(doc = DOC + "#netpollblock", go = "netpollblock: throw(\"runtime: double wait\") (netpoll.go)")
    void doubleWait() {
        GoRuntime rt = GoRuntime.builder().gomaxprocs(1).env(Map.of()).build();
        assertThatThrownBy(() -> Harness.run(rt, Duration.ofSeconds(10), "double wait was not detected", () -> {
            PollDesc pd = new PollDesc(rt.proc(), null);
            pd.svState(PollDesc.MODE_R, rt.proc().malg()); // a G parked there already
            pd.netpollblock(Proc.getg(), PollDesc.MODE_R, false);
        })).as("rg already holds a parked G: a second reader is a bug the runtime must die of. Read %s#netpollblock", DOC)
                .isInstanceOf(ProgramCrash.class).hasMessageContaining("double wait");
    }

    @Order(6)
    @Test
    @DisplayName("netpoll's delay: < 0 blocks, 0 polls, under 1 ms is 1 ms, else whole ms, capped at 1e9 ms (Go)")
    @Hint(doc = DOC + "#netpoll", go = "netpoll: the waitms conversion (netpoll_epoll.go)")
    void delayConversion() {
        long[][] cases = {
            {-1, -1}, {0, 0}, {1, 1}, {999_999, 1}, {1_000_000, 1}, {1_999_999, 1}, {25_000_000, 25},
            {999_999_999_999_999L, 999_999_999}, {1_000_000_000_000_000L, 1_000_000_000}, {Long.MAX_VALUE, 1_000_000_000},
        };
        for (long[] c : cases) {
            assertThat(Netpoll.netpollWaitMs(c[0])).as("netpoll(%d ns) must wait %d ms. Read %s#netpoll", c[0], c[1], DOC)
                    .isEqualTo(c[1]);
        }
    }

    @Order(7)
    @Test
    @DisplayName("netpoll over a real selector: a ready pipe with no waiter is not reported; armed, it is, once, and its interest goes off")
    @Hint(doc = DOC + "#edge-level", go = "netpoll (netpoll_epoll.go): EPOLLET; ours: interest ops")
    void netpollReportsArmedOnce() throws IOException {
        Proc proc = proc();
        Pipe pipe = Pipe.open();
        try {
            PollDesc pd = proc.netpoll.pollOpen(pipe.source());
            pipe.sink().write(ByteBuffer.wrap(new byte[] {42}));
            G reader = proc.malg();
            GList none = proc.netpoll.netpoll(0);
            assertThat(none.empty()).as("readable, but nobody asked: no interest, no event (a level-triggered selector"
                    + " would report it on every poll otherwise). Read %s#edge-level", DOC).isTrue();
            pd.svState(PollDesc.MODE_R, reader); // as if a reader had parked...
            pd.arm(PollDesc.MODE_R);              // ...after pollWait turned the interest on
            GList got = proc.netpoll.netpoll(0);
            assertThat(got.head()).as("armed and readable: netpoll(0) must return the parked reader"
                    + " (netpollready). Read %s#netpoll", DOC).isSameAs(reader);
            assertThat(got.delta).as("with delta -1 for the caller's netpollAdjustWaiters. Read %s#waiters", DOC).isEqualTo(-1);
            assertThat(pd.key.interestOps() & SelectionKey.OP_READ).as("and turn OP_READ off again as it reports it:"
                    + " that is what makes the selector edge-triggered. Read %s#edge-level", DOC).isZero();
            assertThat(proc.netpoll.netpoll(0).empty()).as("so the next poll reports nothing, although the byte is"
                    + " still unread. Read %s#edge-level", DOC).isTrue();
            // A stale key: the pollDesc was closed (fdseq moved on) while its key is still ready.
            pd.svState(PollDesc.MODE_R, reader);
            pd.arm(PollDesc.MODE_R);
            pd.fdseq++;
            assertThat(proc.netpoll.netpoll(0).empty()).as("an event whose tag's fdseq is not the pollDesc's (closed and"
                    + " reused) must be dropped. Read %s#polldesc", DOC).isTrue();
            assertThat(pd.lvState(PollDesc.MODE_R)).as("leaving rg alone").isSameAs(reader);
        } finally {
            proc.netpoll.shutdown();
            pipe.sink().close();
            pipe.source().close();
        }
    }

    @Order(8)
    @Test
    @DisplayName("Go's TestNetpollBreak: netpollBreak ends a 10 s netpoll early, two breaks send one wake-up, and netpoll resets the signal")
    @Hint(doc = DOC + "#netpollbreak", go = "netpollBreak, netpollWakeSig (netpoll_epoll.go); TestNetpollBreak")
    void netpollBreak() throws Exception {
        Proc proc = proc();
        Pipe pipe = Pipe.open();
        try {
            proc.netpoll.pollOpen(pipe.source()); // the selector exists now (Go: netpollGenericInit)
            proc.netpoll.netpollWakeSig.set(0);
            proc.netpoll.netpollBreak();
            proc.netpoll.netpollBreak();
            assertThat(proc.netpoll.netpollWakeSig.get()).as("two breaks, one wake-up in flight (CAS 0 -> 1)").isEqualTo(1);
            long t0 = System.nanoTime();
            proc.netpoll.netpoll(10_000_000_000L);
            assertThat((System.nanoTime() - t0) / 1_000_000).as("a break sent before the poll must end it at once."
                    + " Read %s#netpollbreak", DOC).isLessThan(5_000);
            assertThat(proc.netpoll.netpollWakeSig.get()).as("a blocking netpoll woken by a break must reset"
                    + " netpollWakeSig to 0, or every later netpollBreak is swallowed. Read %s#netpollbreak", DOC).isZero();
            // And a break while it sleeps: Go's loop, since a break may be eaten.
            AtomicLong slept = new AtomicLong(-1);
            AtomicBoolean in = new AtomicBoolean();
            Thread poller = Thread.ofPlatform().name("ch08-netpollbreak").start(() -> {
                in.set(true);
                long s = System.nanoTime();
                proc.netpoll.netpoll(10_000_000_000L);
                slept.set((System.nanoTime() - s) / 1_000_000);
            });
            while (!in.get()) {
                Thread.onSpinWait();
            }
            long until = System.nanoTime() + 6_000_000_000L;
            while (slept.get() < 0 && System.nanoTime() < until) {
                Thread.sleep(0, 100_000);
                proc.netpoll.netpollBreak();
                poller.join(1);
            }
            poller.join(10_000);
            assertThat(slept.get()).as("netpollBreak did not interrupt netpoll (Go: TestNetpollBreak)."
                    + " Read %s#netpollbreak", DOC).isBetween(0L, 5_000L);
        } finally {
            proc.netpoll.shutdown();
            pipe.sink().close();
            pipe.source().close();
        }
    }

    /** An idle M on the idle list, with no thread: what startm hands a P to, and nothing runs. */
    private static M idleM(Proc proc, long id) {
        M mp = new M(proc, id);
        proc.lockSched();
        try {
            mp.schedlink = proc.sched.midle;
            proc.sched.midle = mp;
            proc.sched.nmidle++;
        } finally {
            proc.unlockSched();
        }
        return mp;
    }

    private static GList waitingGs(Proc proc, int n) {
        GList list = new GList();
        for (int i = 0; i < n; i++) {
            G gp = proc.malg();
            gp.goid = 100 + i;
            gp.setStatus(G._Gwaiting);
            list.push(gp);
        }
        return list;
    }

    @Order(9)
    @Test
    @DisplayName("injectglist with a P and 2 idle Ps: 2 of 6 Gs go to the global queue with an M started on each idle P, 4 to this P's queue")
    @Hint(doc = DOC + "#injectglist", go = "injectglist (proc.go, Go 1.23)")
    void injectglistWithAP() {
        // The test thread is m0 holding p0 (explicit-step mode); p1 and p2 are idle; the Ms startm
        // hands them to are on the idle list with no thread, so nothing runs and nothing steals.
        try (Stepper s = Stepper.boot(3)) {
            Proc proc = s.proc;
            M a = idleM(proc, 50);
            M b = idleM(proc, 51);
            proc.netpoll.injectglist(waitingGs(proc, 6));
            assertThat(Fixtures.ring(s.p0()).size() + " local, " + proc.sched.runqsize + " global, " + proc.sched.npidle.get()
                    + " idle Ps").as("with 2 idle Ps, injectglist must put 2 Gs on the global queue and startIdle an M"
                    + " on each idle P, and the other 4 on the current P's local queue: all on one queue would leave"
                    + " the idle Ps idle. Read %s#injectglist", DOC).isEqualTo("4 local, 2 global, 0 idle Ps");
            assertThat(List.of(a.nextp != null, b.nextp != null)).as("an M was started (startm) for each idle P."
                    + " Read %s#injectglist", DOC).containsExactly(true, true);
            assertThat(Fixtures.global(proc)).as("every injected G is _Grunnable").allMatch(g -> g.status() == G._Grunnable);
            assertThat(Fixtures.ring(s.p0())).allMatch(g -> g.status() == G._Grunnable);
        }
    }

    @Order(10)
    @Test
    @DisplayName("injectglist with no P (sysmon's thread): all 6 Gs to the global queue, and an M started on each of the 2 idle Ps")
    @Hint(doc = DOC + "#injectglist", go = "injectglist: the pp == nil case (proc.go, Go 1.23)")
    void injectglistWithoutAP() throws Exception {
        try (Stepper s = Stepper.boot(3)) {
            Proc proc = s.proc;
            M a = idleM(proc, 50);
            M b = idleM(proc, 51);
            GList list = waitingGs(proc, 6);
            AtomicReference<Throwable> failed = new AtomicReference<>();
            Thread t = Thread.ofPlatform().name("ch08-not-an-M").start(() -> {
                try {
                    proc.netpoll.injectglist(list); // a plain thread: M.current() is null, as on sysmon
                } catch (Throwable e) {
                    failed.set(e);
                }
            });
            t.join(10_000);
            if (failed.get() != null) {
                throw new AssertionError(failed.get());
            }
            assertThat(Fixtures.ring(s.p0()).size() + " local, " + proc.sched.runqsize + " global, " + proc.sched.npidle.get()
                    + " idle Ps").as("with no P, injectglist must put every G on the global queue and startIdle: an M"
                    + " on each idle P, until none is left. Read %s#injectglist", DOC).isEqualTo("0 local, 6 global, 0 idle Ps");
            assertThat(List.of(a.nextp != null, b.nextp != null)).as("an M was started for each idle P."
                    + " Read %s#injectglist", DOC).containsExactly(true, true);
        }
    }
}
