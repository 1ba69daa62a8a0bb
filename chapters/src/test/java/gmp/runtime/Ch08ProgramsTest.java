package gmp.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import gmp.workbook.Harness;
import gmp.workbook.Hint;

/**
 * Chapter 08 end to end: real TCP on loopback, goroutines that park in reads, writes, accepts and
 * dials while their Ms run others, and the poller that readies them. Ports of Go's
 * TestNetpollDeadlock (crash_test.go, testprognet), TestNetpollWaiters (testprognet/waiters.go) and
 * the netpoll variant of TestGoroutineParallelism2 (proc_test.go), with an echo server of 1,000
 * connections.
 *
 * <p>Real time, with generous bounds (a loaded 2-core CI machine wakes threads late): a test waits
 * for an event, not for a time, and its deadline of seconds says what is missing when it passes.
 * A deadline is checked from below exactly ("not before") and from above loosely.
 */
@Tag("ch08")
@DisplayName("Chapter 08: netpoll in real programs")
@Hint(doc = Ch08ProgramsTest.DOC + "#who-polls", go = "netpoll, netpollblock, netpollready, injectglist, findRunnable")
class Ch08ProgramsTest {
    static final String DOC = "docs/en/08-netpoll.md";
    private static final Duration LIMIT = Duration.ofSeconds(20);
    private static final String HUNG = "probably a lost wake-up on the network: a goroutine parked in netpollblock was"
            + " never readied (netpollblock's pdWait step and netpollblockcommit's CAS, netpollready, netpoll's"
            + " interest ops, injectglist). Read " + DOC + "#netpollblock and " + DOC + "#netpoll";

    private static GoRuntime runtime(int procs) {
        return GoRuntime.builder().gomaxprocs(procs).env(Map.of()).build();
    }

    private static byte[] pattern(int client, int len) {
        byte[] b = new byte[len];
        for (int i = 0; i < len; i++) {
            b[i] = (byte) (client * 31 + i * 7);
        }
        return b;
    }

    /** Reads exactly b.length bytes (Go: io.ReadFull); fails on an early EOF. */
    private static void readFull(Net.Conn c, byte[] b) {
        int off = 0;
        while (off < b.length) {
            int n = c.read(b, off, b.length - off);
            if (n < 0) {
                throw new AssertionError("EOF after " + off + " of " + b.length + " bytes");
            }
            off += n;
        }
    }

    /** An echo server: one goroutine per connection copying what it reads back until EOF. */
    private static void echoServer(Net.Listener ln, AtomicInteger served) {
        Go.go(() -> {
            for (;;) {
                Net.Conn c;
                try {
                    c = ln.accept();
                } catch (Net.NetException e) {
                    if (e.closed()) {
                        return;
                    }
                    throw e;
                }
                Go.go(() -> {
                    byte[] buf = new byte[700];
                    for (int n; (n = c.read(buf)) >= 0;) {
                        c.write(buf, 0, n);
                    }
                    c.close();
                    served.incrementAndGet();
                });
            }
        });
    }

    private void echo(int procs) {
        int clients = 1000;
        int len = 2048;
        AtomicInteger ok = new AtomicInteger();
        AtomicInteger served = new AtomicInteger();
        AtomicReference<String> wrong = new AtomicReference<>();
        GoRuntime rt = runtime(procs);
        int fdsBefore = openFds();
        Harness.run(rt, LIMIT, HUNG, () -> {
            Net.Listener ln = Net.listen("tcp", "127.0.0.1:0");
            echoServer(ln, served);
            Chan<Boolean> done = Chan.make(clients);
            for (int i = 0; i < clients; i++) {
                int id = i;
                Go.go(() -> {
                    Net.Conn c = Net.dial("tcp", ln.address());
                    byte[] out = pattern(id, len);
                    byte[] in = new byte[len];
                    // Four writes of 512, so that the server sees partial reads and the bytes must
                    // come back in the order they went.
                    for (int off = 0; off < len; off += 512) {
                        c.write(out, off, 512);
                    }
                    readFull(c, in);
                    if (java.util.Arrays.equals(in, out)) {
                        ok.incrementAndGet();
                    } else {
                        wrong.compareAndSet(null, "client " + id + " got different bytes back");
                    }
                    c.close();
                    done.send(true);
                });
            }
            for (int i = 0; i < clients; i++) {
                done.recv();
            }
            while (served.get() < clients) {
                Go.sleep(Duration.ofMillis(1));
            }
            ln.close();
        });
        assertThat(wrong.get()).as("every byte must come back in order. Read %s#netpoll", DOC).isNull();
        assertThat(ok.get()).as("all %d clients must get their bytes back", clients).isEqualTo(clients);
        assertThat(rt.proc().allm.size()).as("a thousand connections must not need a thousand threads: a read"
                + " parks the goroutine, not the M (GOMAXPROCS %d). Read %s#why", procs, DOC).isLessThanOrEqualTo(procs + 8);
        assertThat(rt.proc().netpoll.netpollWaiters.get()).as("netpollWaiters must be back to 0 once every"
                + " connection is done. Read %s#waiters", DOC).isZero();
        if (fdsBefore >= 0) {
            // 2,000 sockets and a selector were opened; run() must leave none of them behind (a few
            // of the JVM's own may come and go meanwhile).
            assertThat(openFds()).as("open file descriptors after run(), %d before: no socket or selector may"
                    + " outlive the program (Netpoll.shutdown). Read %s#close", fdsBefore, DOC).isLessThan(fdsBefore + 20);
        }
    }

    /** This JVM's open file descriptors (Linux), or -1 where /proc/self/fd is not there. */
    private static int openFds() {
        String[] fds = new java.io.File("/proc/self/fd").list();
        return fds == null ? -1 : fds.length;
    }

    @Order(1)
    @Test
    @DisplayName("Echo server, GOMAXPROCS 1: 1,000 concurrent loopback clients each get their 2 KB back, in order")
    @Hint(doc = DOC + "#netpoll", go = "netpoll, netpollready, netpollblock (netpoll.go, netpoll_epoll.go)")
    void echoGomaxprocs1() {
        echo(1);
    }

    @Order(2)
    @Test
    @DisplayName("Echo server, GOMAXPROCS 2: 1,000 concurrent loopback clients each get their 2 KB back, in order")
    @Hint(doc = DOC + "#injectglist", go = "netpoll, injectglist (proc.go)")
    void echoGomaxprocs2() {
        echo(2);
    }

    @Order(3)
    @Test
    @DisplayName("Ping-pong over one connection, GOMAXPROCS 2: 3,000 round trips, no wake-up lost")
    @Hint(doc = DOC + "#netpollblock", go = "netpollblock, netpollblockcommit (netpoll.go)")
    void pingPong() {
        int rounds = 3000;
        AtomicInteger done = new AtomicInteger();
        GoRuntime rt = runtime(2);
        Harness.run(rt, Duration.ofSeconds(15), "a ping-pong round never finished: a readiness that arrived while the"
                + " reader was parking was lost. netpollblock must publish pdWait before it parks, and"
                + " netpollblockcommit must CAS pdWait -> G (a notifier that came first leaves pdReady and the CAS"
                + " fails, so the park is cancelled). Read " + DOC + "#netpollblock", () -> {
            Net.Listener ln = Net.listen("tcp", "127.0.0.1:0");
            Go.go(() -> {
                Net.Conn c = ln.accept();
                byte[] b = new byte[1];
                while (c.read(b) > 0) {
                    c.write(b);
                }
                c.close();
            });
            Net.Conn c = Net.dial("tcp", ln.address());
            byte[] b = new byte[1];
            for (int i = 0; i < rounds; i++) {
                b[0] = (byte) i;
                c.write(b);
                readFull(c, b);
                if (b[0] != (byte) i) {
                    throw new AssertionError("round " + i + " came back as " + b[0]);
                }
                done.incrementAndGet();
            }
            c.close();
            ln.close();
        });
        assertThat(done.get()).isEqualTo(rounds);
    }

    @Order(4)
    @Test
    @DisplayName("A read deadline fires near the deadline and not before, with Go's \"i/o timeout\"; moving it later re-arms it")
    @Hint(doc = DOC + "#deadlines", go = "poll_runtime_pollSetDeadline, netpolldeadlineimpl (netpoll.go)")
    void readDeadline() {
        AtomicLong firstMs = new AtomicLong();
        AtomicLong movedMs = new AtomicLong();
        AtomicReference<Net.NetException> err = new AtomicReference<>();
        AtomicReference<String> names = new AtomicReference<>();
        AtomicReference<Net.NetException> past = new AtomicReference<>();
        Harness.run(runtime(1), LIMIT, HUNG, () -> {
            Loopback pair = Loopback.open();
            Net.Listener ln = pair.ln();
            Net.Conn c = pair.client();
            Net.Conn server = pair.server();
            byte[] b = new byte[8];
            long t0 = System.nanoTime();
            c.setReadDeadline(Instant.now().plusMillis(150));
            try {
                c.read(b);
            } catch (Net.NetException e) {
                err.set(e);
            }
            firstMs.set((System.nanoTime() - t0) / 1_000_000);
            names.set(Net.format(c.localAddr()) + "->" + Net.format(c.remoteAddr()));
            // Moved later before it fires: the first timer is stale (rseq) and must do nothing.
            t0 = System.nanoTime();
            c.setReadDeadline(Instant.now().plusMillis(60));
            Go.go(() -> {
                Go.sleep(Duration.ofMillis(20));
                c.setReadDeadline(Instant.now().plusMillis(200));
            });
            try {
                c.read(b);
            } catch (Net.NetException e) {
                movedMs.set((System.nanoTime() - t0) / 1_000_000);
            }
            // Already past: fails at once, even with data waiting (Go checks before it reads).
            server.write(new byte[] {1});
            c.setReadDeadline(Instant.now().minusSeconds(1));
            try {
                c.read(b);
            } catch (Net.NetException e) {
                past.set(e);
            }
            c.close();
            server.close();
            ln.close();
        });
        assertThat(err.get()).as("a read with no data must fail once its deadline passes. Read %s#deadlines", DOC).isNotNull();
        assertThat(err.get().getMessage()).as("with Go's wording").isEqualTo("read tcp " + names.get() + ": i/o timeout");
        assertThat(err.get().timeout()).isTrue();
        assertThat(firstMs.get()).as("not before the deadline (150 ms). Read %s#deadlines", DOC).isGreaterThanOrEqualTo(149);
        assertThat(firstMs.get()).as("and near it: the deadline's timer must ready the reader (netpolldeadlineimpl ->"
                + " netpollunblock(ioready=false)). Read %s#deadlines", DOC).isLessThan(1500);
        assertThat(movedMs.get()).as("a deadline moved later must not fire at the old time: the old timer is stale"
                + " (rseq). Read %s#deadlines", DOC).isGreaterThanOrEqualTo(215);
        assertThat(past.get()).as("a deadline in the past fails the read at once. Read %s#deadlines", DOC).isNotNull();
        assertThat(past.get().timeout()).isTrue();
    }

    @Order(5)
    @Test
    @DisplayName("A write deadline ends a write the peer never drains, saying how many bytes did go out")
    @Hint(doc = DOC + "#deadlines", go = "poll_runtime_pollSetDeadline, netpolldeadlineimpl (netpoll.go)")
    void writeDeadline() {
        AtomicReference<Net.NetException> err = new AtomicReference<>();
        int len = 32 << 20;
        Harness.run(runtime(1), LIMIT, HUNG, () -> {
            Loopback pair = Loopback.open();
            Net.Listener ln = pair.ln();
            Net.Conn c = pair.client();
            Net.Conn server = pair.server();
            byte[] big = new byte[len]; // made before the deadline is set: a GC here must not eat it
            c.setWriteDeadline(Instant.now().plusMillis(300));
            try {
                c.write(big);
            } catch (Net.NetException e) {
                err.set(e);
            }
            c.close();
            server.close();
            ln.close();
        });
        assertThat(err.get()).as("a 32 MB write to a peer that never reads must time out. Read %s#deadlines", DOC).isNotNull();
        assertThat(err.get().getMessage()).endsWith(": i/o timeout").startsWith("write tcp ");
        assertThat(err.get().transferred()).as("the bytes that did go out, not all of them").isPositive().isLessThan(len);
    }

    @Order(6)
    @Test
    @DisplayName("Closing a connection wakes its parked reader, and closing a listener its parked accept, with \"use of closed network connection\"")
    @Hint(doc = DOC + "#close", go = "poll_runtime_pollUnblock (netpoll.go)")
    void closeWakesParked() {
        AtomicReference<String> readErr = new AtomicReference<>();
        AtomicReference<String> acceptErr = new AtomicReference<>();
        AtomicReference<String> names = new AtomicReference<>();
        Harness.run(runtime(2), LIMIT, HUNG, () -> {
            Loopback pair = Loopback.open();
            Net.Listener ln = pair.ln();
            Net.Conn c = pair.client();
            Net.Conn server = pair.server();
            names.set(Net.format(c.localAddr()) + "->" + Net.format(c.remoteAddr()));
            Chan<Boolean> done = Chan.make(2);
            Go.go(() -> {
                try {
                    c.read(new byte[1]);
                } catch (Net.NetException e) {
                    readErr.set(e.getMessage());
                }
                done.send(true);
            });
            Go.go(() -> {
                try {
                    ln.accept();
                } catch (Net.NetException e) {
                    acceptErr.set(e.getMessage());
                }
                done.send(true);
            });
            while (rt(c).netpoll.netpollWaiters.get() < 2) {
                Go.sleep(Duration.ofMillis(1));
            }
            c.close();
            ln.close();
            done.recv();
            done.recv();
            server.close();
        });
        assertThat(readErr.get()).as("the parked reader must wake with Go's error when its connection is closed"
                + " (pollUnblock: netpollunblock(ioready=false) and goready). Read %s#close", DOC)
                .isEqualTo("read tcp " + names.get() + ": use of closed network connection");
        assertThat(acceptErr.get()).as("and the parked accept when its listener is closed. Read %s#close", DOC)
                .endsWith(": use of closed network connection").startsWith("accept tcp 127.0.0.1:");
    }

    private static Proc rt(Net.Conn c) {
        return c.pd.proc;
    }

    @Order(7)
    @Test
    @DisplayName("Go's TestNetpollWaiters: 100 readers parked count 100 waiters, and 0 once they are woken")
    @Hint(doc = DOC + "#waiters", go = "netpollAdjustWaiters, netpollAnyWaiters (netpoll.go); testprognet/waiters.go")
    void netpollWaiters() {
        int n = 100;
        AtomicInteger peak = new AtomicInteger();
        AtomicInteger after = new AtomicInteger(-1);
        GoRuntime rt = runtime(2);
        Harness.run(rt, LIMIT, HUNG, () -> {
            Netpoll np = rt.proc().netpoll;
            Net.Listener ln = Net.listen("tcp", "127.0.0.1:0");
            Chan<Boolean> done = Chan.make(n);
            Go.go(() -> {
                for (int i = 0; i < n; i++) {
                    Net.Conn c = ln.accept();
                    Go.go(() -> {
                        c.read(new byte[1]);
                        c.close();
                        done.send(true);
                    });
                }
            });
            List<Net.Conn> clients = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                clients.add(Net.dial("tcp", ln.address()));
            }
            long until = System.nanoTime() + 5_000_000_000L;
            while (np.netpollWaiters.get() < n && System.nanoTime() < until) {
                Go.sleep(Duration.ofMillis(1));
            }
            peak.set(np.netpollWaiters.get());
            for (Net.Conn c : clients) {
                c.write(new byte[] {1});
            }
            for (int i = 0; i < n; i++) {
                done.recv();
            }
            for (Net.Conn c : clients) {
                c.close();
            }
            ln.close();
            after.set(np.netpollWaiters.get());
        });
        assertThat(peak.get()).as("each committed park counts one waiter (netpollblockcommit ->"
                + " netpollAdjustWaiters(1)). Read %s#waiters", DOC).isEqualTo(n);
        assertThat(after.get()).as("and each G netpoll or a close readies takes one off again (netpollready's delta)."
                + " Read %s#waiters", DOC).isZero();
    }

    @Order(8)
    @Test
    @DisplayName("Go's TestNetpollDeadlock: a program whose only goroutine waits on the network is not deadlocked")
    @Hint(doc = DOC + "#checkdead", go = "checkdead (proc.go); TestNetpollDeadlock (crash_test.go)")
    void netpollDeadlock() throws Exception {
        AtomicReference<String> refused = new AtomicReference<>();
        AtomicReference<String> got = new AtomicReference<>();
        AtomicInteger port = new AtomicInteger();
        CountDownLatch listening = new CountDownLatch(1);
        // A plain Java thread, outside the runtime, connects after a while: inside it, every goroutine
        // waits on the network, no timer is pending, and no M has work.
        Thread outside = Thread.ofPlatform().name("ch08-outside-client").start(() -> {
            try {
                if (!listening.await(10, TimeUnit.SECONDS)) {
                    return;
                }
                Thread.sleep(300);
                try (Socket s = new Socket()) {
                    s.connect(new InetSocketAddress("127.0.0.1", port.get()));
                    OutputStream out = s.getOutputStream();
                    out.write("hi".getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                    InputStream in = s.getInputStream();
                    in.read();
                }
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        try {
            Harness.run(runtime(2), LIMIT, HUNG, () -> {
                // Go's testprognet NetpollDeadlock: a dial that fails ends normally.
                Net.Listener probe = Net.listen("tcp", "127.0.0.1:0");
                String closedPort = probe.address();
                probe.close();
                try {
                    Net.dial("tcp", closedPort).close();
                } catch (Net.NetException e) {
                    refused.set(e.getMessage());
                }
                Net.Listener ln = Net.listen("tcp", "127.0.0.1:0");
                port.set(ln.addr().getPort());
                listening.countDown();
                Net.Conn c = ln.accept();
                byte[] b = new byte[2];
                readFull(c, b);
                got.set(new String(b, StandardCharsets.US_ASCII));
                c.close();
                ln.close();
            });
        } finally {
            listening.countDown();
            outside.join(10_000);
        }
        assertThat(refused.get()).as("a dial to a closed port fails with Go's wording").isEqualTo("dial tcp "
                + "127.0.0.1:" + refused.get().replaceAll(".*127\\.0\\.0\\.1:(\\d+):.*", "$1") + ": connect: connection refused");
        assertThat(got.get()).as("main waited in accept and read with every M idle and no timer: that is not a"
                + " deadlock, since the M blocked in netpoll counts as running for checkdead. Read %s#checkdead", DOC)
                .isEqualTo("hi");
    }

    @Order(9)
    @Test
    @DisplayName("An idle program waiting on a socket costs no CPU: the poller blocks in select, it does not spin")
    @Hint(doc = DOC + "#netpoll", go = "netpoll(delay) with delay < 0 blocks (netpoll_epoll.go)")
    void idleWaitCostsNoCpu() {
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        AtomicLong cpuNanos = new AtomicLong();
        AtomicLong wallNanos = new AtomicLong();
        GoRuntime rt = runtime(2);
        Harness.run(rt, LIMIT, HUNG, () -> {
            Loopback pair = Loopback.open();
            Net.Listener ln = pair.ln();
            Net.Conn c = pair.client();
            Net.Conn server = pair.server();
            Chan<Boolean> read = Chan.make(1);
            Go.go(() -> {
                server.read(new byte[1]);
                read.send(true);
            });
            Go.sleep(Duration.ofMillis(50)); // let everyone settle into their waits
            long cpu0 = cpu(mx, rt);
            long t0 = System.nanoTime();
            Go.sleep(Duration.ofMillis(400));
            cpuNanos.set(cpu(mx, rt) - cpu0);
            wallNanos.set(System.nanoTime() - t0);
            c.write(new byte[] {1});
            read.recv();
            c.close();
            server.close();
            ln.close();
        });
        assertThat(cpuNanos.get() / 1_000_000).as("CPU time of the runtime's threads in %d ms in which one goroutine"
                + " sleeps and one waits in a read: an idle M must block in netpoll (select with a timeout, or forever),"
                + " not return at once and look again. Read %s#netpoll", wallNanos.get() / 1_000_000, DOC)
                .isLessThan(100);
    }

    private static long cpu(ThreadMXBean mx, GoRuntime rt) {
        long sum = 0;
        for (M mp : rt.proc().allm) {
            Thread t = mp.thread;
            if (t != null) {
                long ns = mx.getThreadCpuTime(t.threadId());
                if (ns > 0) {
                    sum += ns;
                }
            }
        }
        return sum;
    }

    @Order(10)
    @Test
    @DisplayName("A timer added while the poller sleeps for the network alone wakes it (wakeNetPoller -> netpollBreak)")
    @Hint(doc = DOC + "#wakenetpoller", go = "wakeNetPoller, netpollBreak (proc.go, netpoll_epoll.go)")
    void earlierTimerBreaksThePoller() {
        AtomicLong firedAfterMs = new AtomicLong(-1);
        GoRuntime rt = runtime(2);
        Harness.run(rt, LIMIT, HUNG, () -> {
            Proc proc = rt.proc();
            Loopback pair = Loopback.open();
            Net.Listener ln = pair.ln();
            Net.Conn c = pair.client();
            Net.Conn server = pair.server();
            Chan<Boolean> read = Chan.make(1);
            Go.go(() -> {
                server.read(new byte[1]);
                read.send(true);
            });
            // Wait until an M sleeps in netpoll for the reader alone: no timer, so forever (-1).
            long until = System.nanoTime() + 5_000_000_000L;
            while ((proc.sched.lastpoll.get() != 0 || proc.netpoll.netpollWaiters.get() == 0)
                    && System.nanoTime() < until) {
                Go.gosched();
            }
            CountDownLatch fired = new CountDownLatch(1);
            long t0 = System.nanoTime();
            Time.afterFunc(Duration.ofMillis(100), fired::countDown);
            // Main leaves its P at once: no P runs timers now, so only the poller can fire this one.
            Go.syscallBlock(() -> {
                try {
                    if (fired.await(3, TimeUnit.SECONDS)) {
                        firedAfterMs.set((System.nanoTime() - t0) / 1_000_000);
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            c.write(new byte[] {1});
            read.recv();
            c.close();
            server.close();
            ln.close();
        });
        assertThat(firedAfterMs.get()).as("a 100 ms timer, added while the only idle M slept in netpoll with no timeout,"
                + " must fire in time: addtimer -> wakeNetPoller must netpollBreak that M so it sleeps until the timer"
                + " instead. Read %s#wakenetpoller", DOC).isBetween(99L, 1500L);
    }

    @Order(11)
    @Test
    @DisplayName("Go's TestGoroutineParallelism2, netpoll variant: with an M blocked in netpoll, four goroutines still run at once")
    @Hint(doc = DOC + "#who-polls", go = "TestGoroutineParallelism2 (proc_test.go)")
    void goroutineParallelism2Netpoll() {
        int procs = 4;
        GoRuntime rt = runtime(procs);
        Harness.run(rt, LIMIT, "the participants never all ran at once with the network in use: an M in netpoll must"
                + " not hold a P, and the idle Ms must still be woken (wakep, startm)", () -> {
            Net.Listener ln = Net.listen("tcp", "127.0.0.1:0");
            Chan<Boolean> acceptDone = Chan.make(1);
            Go.go(() -> {
                try {
                    ln.accept();
                } catch (Net.NetException e) {
                    acceptDone.send(e.closed());
                }
            });
            for (int attempt = 0; attempt < 10; attempt++) {
                AtomicInteger x = new AtomicInteger();
                Chan<Boolean> done = Chan.make(procs);
                for (int p = 0; p < procs; p++) {
                    int me = p;
                    Go.go(() -> {
                        for (int i = 0; i < 3; i++) {
                            int expected = procs * i + me;
                            Spin.until(() -> x.get() == expected, "all " + procs + " participants at once");
                            x.set(expected + 1);
                        }
                        done.send(true);
                    });
                }
                for (int p = 0; p < procs; p++) {
                    done.recv();
                }
            }
            ln.close();
            if (!acceptDone.recv()) {
                throw new AssertionError("accept did not end with use of closed network connection");
            }
        });
    }

    @Order(12)
    @Test
    @DisplayName("Misuse: Net on a plain Java thread says it needs a goroutine; closing twice is Go's error")
    @Hint(doc = DOC + "#api", go = "net.Conn (package net)")
    void misuse() {
        assertThatThrownBy(() -> Net.listen("tcp", "127.0.0.1:0")).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("must be called on a goroutine");
        AtomicReference<String> twice = new AtomicReference<>();
        Harness.run(runtime(1), LIMIT, HUNG, () -> {
            Loopback pair = Loopback.open();
            Net.Listener ln = pair.ln();
            Net.Conn c = pair.client();
            Net.Conn server = pair.server();
            server.close();
            assertThat(c.read(new byte[4])).as("the peer closed: end of stream is -1 (Go: io.EOF)").isEqualTo(-1);
            c.close();
            try {
                c.close();
            } catch (Net.NetException e) {
                twice.set(e.getMessage());
            }
            ln.close();
        });
        assertThat(twice.get()).endsWith(": use of closed network connection").startsWith("close tcp ");
    }

    /** A listener on a free loopback port, a client dialled to it and the server's end (call on a goroutine). */
    private record Loopback(Net.Listener ln, Net.Conn client, Net.Conn server) {
        static Loopback open() {
            Net.Listener ln = Net.listen("tcp", "127.0.0.1:0");
            Chan<Net.Conn> accepted = Chan.make(1);
            Go.go(() -> accepted.send(ln.accept()));
            Net.Conn client = Net.dial("tcp", ln.address());
            return new Loopback(ln, client, accepted.recv());
        }
    }
}
