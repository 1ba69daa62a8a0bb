package gmp.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

import gmp.runtime.Go;
import gmp.runtime.Net;

/**
 * The echo workload's servers (workload 10; the load generator is {@link EchoClient}, the
 * orchestration {@link EchoSuite}): a task per connection that reads into a 4 KiB buffer and writes
 * back what it read, in blocking style.
 * <ul>
 * <li>{@code gmp}: a goroutine per connection on the runtime's {@link Net} (non-blocking channels,
 * the runtime's poller parks the goroutine, never the M), GOMAXPROCS PROCS;</li>
 * <li>{@code vthreads}: a virtual thread per connection on blocking {@code java.net} sockets (the
 * JDK's poller parks the virtual thread), {@code -Djdk.virtualThreadScheduler.parallelism=PROCS}.</li>
 * </ul>
 * Go's twin is {@code gmpbench echoserver PROCS} ({@code bench/go/main.go}), which speaks the same:
 * it prints {@code listening PORT} once it listens on a free loopback port; then each line
 * {@code mem} on standard input prints {@code mem HEAP RSS} (heap in use after a full GC, and VmRSS,
 * in bytes); end of input ends the process (so a parent that dies leaves no server behind).
 * <pre>
 * java ... -cp benchmarks.jar gmp.bench.EchoServer KIND PROCS
 * </pre>
 */
public final class EchoServer {
    /** Every server's read buffer, as in Go's twin. */
    static final int BUFFER = 4096;
    /** The listen backlog, as Net.listen asks for (Go asks for somaxconn, 4096 on this kernel). */
    static final int BACKLOG = 4096;

    private EchoServer() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 2) {
            System.err.println("usage: EchoServer gmp|vthreads PROCS");
            System.exit(64);
        }
        Kind kind = Kind.of(args[0]);
        int procs = Integer.parseInt(args[1]);
        switch (kind) {
            case GOROUTINES -> Programs.run(procs, EchoServer::goroutines);
            case VIRTUAL_THREADS -> virtualThreads();
            case PLATFORM_THREADS -> throw new IllegalArgumentException("echo runs goroutines and virtual threads only");
        }
    }

    /** Goroutine 1: listens, then starts a goroutine per connection; never returns (stdin's end exits). */
    private static void goroutines() {
        Net.Listener ln = Net.listen("tcp", "127.0.0.1:0");
        listening(ln.addr().getPort());
        while (true) {
            Net.Conn c = ln.accept();
            Go.go(() -> {
                byte[] buf = new byte[BUFFER];
                try (c) {
                    for (int n = c.read(buf); n >= 0; n = c.read(buf)) {
                        c.write(buf, 0, n);
                    }
                } catch (Net.NetException e) {
                    // the client reset the connection (it closes with SO_LINGER 0): this one is done
                }
            });
        }
    }

    private static void virtualThreads() throws Exception {
        ServerSocket ln = new ServerSocket();
        ln.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), BACKLOG);
        Thread acceptor = Thread.ofVirtual().start(() -> {
            try {
                while (true) {
                    Socket c = ln.accept();
                    c.setTcpNoDelay(true); // as Go and Net set it
                    Thread.ofVirtual().start(() -> echo(c));
                }
            } catch (IOException e) {
                System.err.println("EchoServer: accept: " + e);
                System.exit(1);
            }
        });
        listening(ln.getLocalPort());
        acceptor.join();
    }

    private static void echo(Socket c) {
        byte[] buf = new byte[BUFFER];
        try (c; InputStream in = c.getInputStream(); OutputStream out = c.getOutputStream()) {
            for (int n = in.read(buf); n >= 0; n = in.read(buf)) {
                out.write(buf, 0, n);
            }
        } catch (IOException e) {
            // reset by the client: done
        }
    }

    /** Says the port, then serves "mem" on standard input from a thread of its own until end of input. */
    private static void listening(int port) {
        System.out.println("listening " + port);
        System.out.flush();
        Thread.ofPlatform().daemon().name("echo-stdin").start(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
                for (String line = in.readLine(); line != null; line = in.readLine()) {
                    if (line.equals("mem")) {
                        Parked.Footprint f = Parked.Footprint.afterGc();
                        System.out.println("mem " + f.heap() + " " + f.rss());
                        System.out.flush();
                    }
                }
            } catch (IOException e) {
                // stdin gone: exit as at its end
            }
            Runtime.getRuntime().halt(0);
        });
    }
}
