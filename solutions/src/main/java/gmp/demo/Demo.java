package gmp.demo;

import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import gmp.runtime.Chan;
import gmp.runtime.Go;
import gmp.runtime.GoRuntime;
import gmp.runtime.Net;

/**
 * The demo program: runs the reference runtime and shows what it did, in Go's own
 * {@code GODEBUG=schedtrace=…,scheddetail=1} format, so you can put it beside real Go's output.
 *
 * <p>Run it with {@code ./gmp demo}; set {@code GOMAXPROCS} in the environment to change the number
 * of Ps, and {@code GODEBUG=schedtrace=10} to have sysmon print the trace as it runs. Each chapter
 * adds a scene; {@code ./gmp demo net} runs chapter 08's alone.
 */
public final class Demo {
    private Demo() {
    }

    public static void main(String[] args) {
        if (args.length > 0 && "net".equals(args[0])) {
            net();
            return;
        }
        bootstrap();
        System.out.println();
        stealing();
        System.out.println();
        net();
    }

    /** Chapter 01: m0 runs main on p0; the other Ps wait on the idle list. */
    private static void bootstrap() {
        GoRuntime rt = GoRuntime.builder().build();
        System.out.println("== chapter 01: bootstrap ==");
        System.out.println("main (goroutine 1) runs on m0, the thread that called run(), holding p0;");
        System.out.println("every other P waits on the idle list. The scheduler's view from inside main:");
        System.out.println();
        rt.run(() -> System.out.print(rt.schedtrace(true)));
        System.out.println();
        System.out.println("After main returned (goroutine 1 is dead, status=6):");
        System.out.print(rt.schedtrace(true));
    }

    /**
     * Chapters 02-04: main starts goroutines that each keep a CPU busy for a while. They all land on
     * p0 (runnext, then the ring); each go statement wakes an idle P (wakep), whose new M steals half
     * of p0's queue. main keeps p0 busy meanwhile, so every goroutine runs on another M.
     */
    private static void stealing() {
        GoRuntime rt = GoRuntime.builder().build();
        int goroutines = 12;
        Map<Long, String> ranOn = new ConcurrentHashMap<>();
        System.out.println("== chapters 02-04: the go statement, run queues and stealing ==");
        rt.run(() -> {
            AtomicInteger done = new AtomicInteger();
            for (int i = 0; i < goroutines; i++) {
                Go.go(() -> {
                    ranOn.put(Go.goid(), Thread.currentThread().getName());
                    spin(30);
                    done.incrementAndGet();
                });
            }
            System.out.println("right after " + goroutines + " go statements (main still holds p0):");
            System.out.print(rt.schedtrace(false));
            long next = System.nanoTime() + 25_000_000L;
            while (done.get() < goroutines) {
                if (System.nanoTime() >= next) {
                    System.out.print(rt.schedtrace(false));
                    next += 25_000_000L;
                }
                Thread.onSpinWait(); // main never parks (parking is chapter 05), so it keeps p0
            }
            System.out.println("all done; the Ms now park, and their Ps go back to the idle list:");
            spin(50);
            System.out.print(rt.schedtrace(false));
        });
        System.out.println("which M ran each goroutine:");
        new TreeMap<>(ranOn).forEach((goid, thread) -> System.out.println("  goroutine " + goid + " on " + thread));
    }

    /**
     * Chapter 08: an echo server and a few clients on loopback, a goroutine per connection. While
     * the goroutines wait on sockets and timers the Ps are idle and one M sleeps in netpoll (the
     * schedtrace shows few threads); a client's write readies the server's reader through the
     * poller, and its echo readies the client.
     */
    private static void net() {
        GoRuntime rt = GoRuntime.builder().build();
        int clients = 4;
        System.out.println("== chapter 08: netpoll, an echo server and " + clients + " clients ==");
        rt.run(() -> {
            Net.Listener ln = Net.listen("tcp", "127.0.0.1:0");
            System.out.println("listening on " + ln.address());
            Go.go(() -> {
                for (;;) {
                    Net.Conn c;
                    try {
                        c = ln.accept();
                    } catch (Net.NetException e) {
                        return; // the listener was closed: "use of closed network connection"
                    }
                    Go.go(() -> {
                        byte[] buf = new byte[256];
                        for (int n; (n = c.read(buf)) >= 0;) {
                            c.write(buf, 0, n);
                        }
                        c.close();
                    });
                }
            });
            Chan<String> lines = Chan.make(clients * 3);
            for (int i = 0; i < clients; i++) {
                int id = i;
                Go.go(() -> {
                    Net.Conn c = Net.dial("tcp", ln.address());
                    byte[] buf = new byte[64];
                    for (int round = 0; round < 3; round++) {
                        Go.sleep(Duration.ofMillis(40L * (id + 1)));
                        byte[] msg = ("client " + id + " round " + round).getBytes();
                        long t0 = System.nanoTime();
                        c.write(msg);
                        int got = 0;
                        while (got < msg.length) {
                            got += c.read(buf, got, msg.length - got);
                        }
                        lines.send(new String(buf, 0, got) + " came back in "
                                + (System.nanoTime() - t0) / 1_000 + " us, on " + Thread.currentThread().getName());
                    }
                    c.close();
                });
            }
            Go.sleep(Duration.ofMillis(20));
            System.out.println("every other goroutine waits in read, accept or sleep: only main's P is busy (printing"
                    + " this), and the threads stay few:");
            System.out.print(rt.schedtrace(false));
            for (int i = 0; i < clients * 3; i++) {
                System.out.println("  " + lines.recv());
            }
            ln.close();
            System.out.println("done: " + (clients * 2 + 2) + " goroutines were served by the threads= above:");
            System.out.print(rt.schedtrace(false));
        });
    }

    private static void spin(long millis) {
        long until = System.nanoTime() + millis * 1_000_000L;
        while (System.nanoTime() < until) {
            Thread.onSpinWait();
        }
    }
}
