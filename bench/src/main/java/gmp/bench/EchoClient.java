package gmp.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CyclicBarrier;

/**
 * The echo workload's load generator, the same plain Java program for every server (so the client
 * is never the difference), in a JVM of its own, on loopback. Blocking {@code java.net} sockets
 * with TCP_NODELAY, closed with SO_LINGER 0 (a reset, so that the client leaves no TIME_WAIT
 * behind: the idle phase alone opens 10,000 connections per server, and the ephemeral ports are
 * 28,232 here).
 * <pre>
 * EchoClient load IMPL PROCS PORT CONNS WARMUP_MS MEASURE_MS   CONNS platform threads, a connection
 *     each, each a loop of round trips (write SIZE bytes, read them back) for WARMUP_MS, then
 *     MEASURE_MS measured: prints result lines req/s, p50-us, p99-us (IMPL, PROCS label them)
 * EchoClient idle PORT COUNT    opens COUNT connections, makes one round trip on each (so that the
 *     server's task has accepted it, echoed and is blocked in a read again), prints "open", then
 *     holds them until end of standard input
 * </pre>
 * Every read gives up after {@link #READ_TIMEOUT_MS} (a SocketTimeoutException, exit status 1).
 */
public final class EchoClient {
    /** Bytes per request (and per response). */
    static final int SIZE = 64;
    /**
     * How long a read may wait for the echo before the client gives up and fails (a server that
     * hangs must fail its round, not the whole comparison, nor CI's smoke run).
     */
    static final int READ_TIMEOUT_MS = 20_000;

    private EchoClient() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length == 7 && args[0].equals("load")) {
            load(args[1], Integer.parseInt(args[2]), Integer.parseInt(args[3]), Integer.parseInt(args[4]),
                    Long.parseLong(args[5]), Long.parseLong(args[6]));
        } else if (args.length == 3 && args[0].equals("idle")) {
            idle(Integer.parseInt(args[1]), Integer.parseInt(args[2]));
        } else {
            System.err.println("usage: EchoClient load IMPL PROCS PORT CONNS WARMUP_MS MEASURE_MS | idle PORT COUNT");
            System.exit(64);
        }
    }

    private static Socket connect(int port) throws IOException {
        Socket s = new Socket();
        s.setTcpNoDelay(true);
        s.setSoLinger(true, 0);
        s.setSoTimeout(READ_TIMEOUT_MS);
        s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
        return s;
    }

    /** One round trip: SIZE bytes out, SIZE bytes back (in as many reads as it takes). */
    private static void roundTrip(InputStream in, OutputStream out, byte[] req, byte[] resp) throws IOException {
        out.write(req);
        for (int got = 0; got < req.length; ) {
            int n = in.read(resp, got, req.length - got);
            if (n < 0) {
                throw new IOException("the server closed the connection");
            }
            got += n;
        }
    }

    private static void load(String impl, int procs, int port, int conns, long warmupMs, long measureMs) throws Exception {
        CyclicBarrier ready = new CyclicBarrier(conns + 1);
        long[][] latencies = new long[conns][];
        int[] counts = new int[conns];
        long[] window = new long[2];
        Programs.Crew crew = new Programs.Crew(Thread.ofPlatform());
        for (int i = 0; i < conns; i++) {
            int me = i;
            crew.start(() -> {
                try (Socket s = connect(port); InputStream in = s.getInputStream(); OutputStream out = s.getOutputStream()) {
                    byte[] req = new byte[SIZE];
                    Arrays.fill(req, (byte) me);
                    byte[] resp = new byte[SIZE];
                    long[] lat = new long[1 << 12];
                    int n = 0;
                    ready.await();
                    long from = window[0];
                    long until = window[1];
                    for (long t0 = System.nanoTime(); t0 < until; ) {
                        roundTrip(in, out, req, resp);
                        long t1 = System.nanoTime();
                        if (t0 >= from) { // started inside the measured window
                            if (n == lat.length) {
                                lat = Arrays.copyOf(lat, 2 * n);
                            }
                            lat[n++] = t1 - t0;
                        }
                        t0 = t1;
                    }
                    if (resp[0] != (byte) me) {
                        throw new IOException("the server echoed something else");
                    }
                    latencies[me] = lat;
                    counts[me] = n;
                }
            });
        }
        long start = System.nanoTime() + 50_000_000; // every thread connected by then, or it still counts
        window[0] = start + warmupMs * 1_000_000;
        window[1] = window[0] + measureMs * 1_000_000;
        ready.await(); // publishes window to every thread
        crew.join();
        int total = 0;
        for (int c : counts) {
            total += c;
        }
        long[] all = new long[total];
        int k = 0;
        for (int i = 0; i < conns; i++) {
            System.arraycopy(latencies[i], 0, all, k, counts[i]);
            k += counts[i];
        }
        Arrays.sort(all);
        // Round trips that started in the window, per second of it (the last ones end just after it).
        print(impl, procs, conns, "req/s", total / (measureMs / 1e3));
        print(impl, procs, conns, "p50-us", percentile(all, 0.50) / 1e3);
        print(impl, procs, conns, "p99-us", percentile(all, 0.99) / 1e3);
    }

    private static double percentile(long[] sorted, double q) {
        return sorted.length == 0 ? Double.POSITIVE_INFINITY : sorted[(int) Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
    }

    private static void print(String impl, int procs, int conns, String metric, double v) {
        System.out.println(new Result("echo", impl, procs, conns, metric, List.of(v)).line());
    }

    private static void idle(int port, int count) throws IOException {
        List<Socket> open = new ArrayList<>(count);
        try {
            byte[] req = {42};
            byte[] resp = new byte[1];
            for (int i = 0; i < count; i++) {
                Socket s = connect(port);
                open.add(s);
                roundTrip(s.getInputStream(), s.getOutputStream(), req, resp);
            }
            System.out.println("open " + open.size());
            System.out.flush();
            while (System.in.read() >= 0) {
                // hold them until the orchestrator has measured the server and closes our input
            }
        } finally {
            for (Socket s : open) {
                s.close();
            }
        }
    }
}
