package gmp.runtime;

import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * TCP for goroutines, in the shape of Go's package {@code net}: {@link #listen}, {@link #dial},
 * {@link Listener#accept}, and a {@link Conn} with read, write, close, deadlines and addresses.
 *
 * <pre>{@code
 * Net.Listener ln = Net.listen("tcp", "127.0.0.1:0");       // ln, err := net.Listen("tcp", "127.0.0.1:0")
 * Go.go(() -> { Net.Conn c = ln.accept(); ... });            // c, err := ln.Accept()
 * Net.Conn c = Net.dial("tcp", ln.addr().toString());        // c, err := net.Dial("tcp", addr)
 * int n = c.read(buf);                                       // n, err := c.Read(buf); -1 is io.EOF
 * c.write(buf, 0, n);  c.setReadDeadline(Instant.now().plusSeconds(1));  c.close();
 * }</pre>
 *
 * <h2>The design (Go's internal/poll.FD)</h2>
 * Every socket is a non-blocking NIO channel registered with the runtime's poller ({@link Netpoll}).
 * A read first just tries ({@code channel.read}); only when that would block (0 bytes, Go's
 * EAGAIN) does the goroutine wait in {@link PollDesc#pollWait}, which parks the goroutine, never
 * the M: the M goes on running other goroutines, and the poller readies this one when the socket
 * is readable. So a program can have a goroutine per connection, blocking-style code in each, and
 * still run on GOMAXPROCS threads. Writes and accepts work the same way; a dial waits for
 * OP_CONNECT. As Go's fdMutex does, a connection lets one read and one write through at a time
 * (others wait their turn on a goroutine semaphore).
 *
 * <h2>Errors</h2>
 * Go returns an error; here it is a {@link NetException}, with Go's wording: "read tcp
 * 127.0.0.1:40312->127.0.0.1:8080: i/o timeout", "accept tcp 127.0.0.1:8080: use of closed network
 * connection", "dial tcp 127.0.0.1:1: connect: connection refused". End of stream is not an
 * exception: read returns -1, as Java's channels do (Go: io.EOF). A write returns only when every
 * byte is written; if it fails halfway, the exception says how many were
 * ({@link NetException#transferred}): a half-written buffer is never reported as written.
 *
 * <p>Only on goroutines: called from a plain Java thread, every method throws
 * IllegalStateException (a blocking read there would block a thread, which is what this exists to
 * avoid).
 */
public final class Net {
    private Net() {
    }

    /** Go's os.ErrDeadlineExceeded's text. */
    static final String ERR_TIMEOUT = "i/o timeout";
    /** Go's net.ErrClosed (poll.ErrNetClosing) text. */
    static final String ERR_CLOSED = "use of closed network connection";
    /** The listen backlog (Go reads /proc/sys/net/core/somaxconn; the kernel caps it there anyway). */
    static final int BACKLOG = 4096;

    /**
     * {@code net.Listen(network, address)}: a TCP listener on "host:port" ("127.0.0.1:0" picks a
     * free port; an empty host listens on every address). Only "tcp", "tcp4" and "tcp6".
     */
    public static Listener listen(String network, String address) {
        G gp = Go.current("Net.listen");
        checkNetwork(network);
        InetSocketAddress addr = resolve("listen", network, address);
        ServerSocketChannel ch = null;
        try {
            ch = ServerSocketChannel.open();
            ch.setOption(StandardSocketOptions.SO_REUSEADDR, true); // as Go sets it on listeners
            ch.bind(addr, BACKLOG);
            PollDesc pd = gp.proc.netpoll.pollOpen(ch);
            return new Listener(network, ch, pd, (InetSocketAddress) ch.getLocalAddress());
        } catch (IOException e) {
            closeQuietly(ch);
            throw new NetException("listen", network, null, addr, syscallError("bind", e), e);
        }
    }

    /**
     * {@code net.Dial(network, address)}: connects to "host:port". The goroutine parks while the
     * connection is being made.
     */
    public static Conn dial(String network, String address) {
        return dial(network, address, null);
    }

    /** {@code net.DialTimeout}: like {@link #dial}, giving up with "i/o timeout" after timeout. */
    public static Conn dialTimeout(String network, String address, Duration timeout) {
        return dial(network, address, Objects.requireNonNull(timeout, "timeout"));
    }

    private static Conn dial(String network, String address, Duration timeout) {
        G gp = Go.current("Net.dial");
        checkNetwork(network);
        InetSocketAddress raddr = resolve("dial", network, address);
        SocketChannel ch = null;
        try {
            ch = SocketChannel.open();
            ch.setOption(StandardSocketOptions.TCP_NODELAY, true); // Go's default for TCP
            PollDesc pd = gp.proc.netpoll.pollOpen(ch);
            Conn c = new Conn(network, ch, pd);
            if (timeout != null) {
                pd.pollSetDeadline(deadlineNanos(Instant.now().plus(timeout)), PollDesc.MODE_W);
            }
            if (!NetCalls.connect(ch, raddr)) {
                pd.writeOp = java.nio.channels.SelectionKey.OP_CONNECT;
                int err = pd.pollWait(gp, PollDesc.MODE_W);
                if (err != PollDesc.pollNoError) {
                    c.close();
                    throw new NetException("dial", network, null, raddr, pollError(err), null);
                }
                NetCalls.finishConnect(ch);
                pd.writeOp = java.nio.channels.SelectionKey.OP_WRITE;
            }
            if (timeout != null) {
                pd.pollSetDeadline(0, PollDesc.MODE_W);
            }
            c.addresses();
            return c;
        } catch (IOException e) {
            closeQuietly(ch);
            gp.proc.netpoll.flushClosed(); // a registered socket closes when the selector drops its key
            throw new NetException("dial", network, null, raddr, syscallError("connect", e), e);
        }
    }

    /** A TCP listener (Go: net.TCPListener). */
    public static final class Listener implements AutoCloseable {
        private final String network;
        private final ServerSocketChannel ch;
        private final PollDesc pd;
        private final InetSocketAddress addr;
        private volatile boolean closed;

        private Listener(String network, ServerSocketChannel ch, PollDesc pd, InetSocketAddress addr) {
            this.network = network;
            this.ch = ch;
            this.pd = pd;
            this.addr = addr;
        }

        /** Waits for the next connection (Go: Accept); parks the goroutine, not the M. */
        public Conn accept() {
            G gp = Go.current("Listener.accept");
            int err = pd.pollReset(PollDesc.MODE_R);
            for (;;) {
                if (err != PollDesc.pollNoError) {
                    throw new NetException("accept", network, null, addr, pollError(err), null);
                }
                SocketChannel c;
                try {
                    c = NetCalls.accept(ch);
                } catch (ClosedChannelException e) {
                    throw new NetException("accept", network, null, addr, ERR_CLOSED, e);
                } catch (IOException e) {
                    throw new NetException("accept", network, null, addr, syscallError("accept", e), e);
                }
                if (c != null) {
                    try {
                        c.setOption(StandardSocketOptions.TCP_NODELAY, true);
                        Conn conn = new Conn(network, c, gp.proc.netpoll.pollOpen(c));
                        conn.addresses();
                        return conn;
                    } catch (IOException e) {
                        closeQuietly(c);
                        throw new NetException("accept", network, null, addr, syscallError("accept", e), e);
                    }
                }
                err = pd.pollWait(gp, PollDesc.MODE_R);
            }
        }

        /** The address it listens on (Go: Addr), with the port the system picked for port 0. */
        public InetSocketAddress addr() {
            return addr;
        }

        /** Go's Addr().String(): "127.0.0.1:8080", "[::1]:8080". */
        public String address() {
            return format(addr);
        }

        /** Stops listening; an accept parked on it fails with "use of closed network connection". */
        @Override
        public void close() {
            Go.current("Listener.close");
            if (closed) {
                throw new NetException("close", network, null, addr, ERR_CLOSED, null);
            }
            closed = true;
            pd.pollUnblock();
            pd.pollClose();
            closeQuietly(ch);
            pd.proc.netpoll.flushClosed(); // the socket closes when the selector drops its key
        }
    }

    /** A TCP connection (Go: net.TCPConn). One read and one write may be in progress at a time. */
    public static final class Conn implements AutoCloseable {
        private final String network;
        private final SocketChannel ch;
        final PollDesc pd;
        private final Sema readLock = new Sema(1);
        private final Sema writeLock = new Sema(1);
        private volatile InetSocketAddress laddr;
        private volatile InetSocketAddress raddr;
        private volatile boolean closed;

        private Conn(String network, SocketChannel ch, PollDesc pd) {
            this.network = network;
            this.ch = ch;
            this.pd = pd;
        }

        private void addresses() throws IOException {
            laddr = (InetSocketAddress) ch.getLocalAddress();
            raddr = (InetSocketAddress) ch.getRemoteAddress();
        }

        /** Reads into b; see {@link #read(byte[], int, int)}. */
        public int read(byte[] b) {
            return read(b, 0, b.length);
        }

        /**
         * Reads up to len bytes into b[off..] (Go: Read): returns how many, at least one, once some
         * have arrived; -1 at end of stream (Go's io.EOF); 0 only if len is 0. Parks the goroutine
         * until data arrives, the read deadline passes ("i/o timeout") or the connection is closed
         * ("use of closed network connection").
         */
        public int read(byte[] b, int off, int len) {
            G gp = Go.current("Conn.read");
            Objects.checkFromIndexSize(off, len, b.length);
            if (len == 0) {
                return 0;
            }
            ByteBuffer buf = ByteBuffer.wrap(b, off, len);
            readLock.acquire(Sema.SEMACQUIRE);
            try {
                int err = pd.pollReset(PollDesc.MODE_R);
                for (;;) {
                    if (err != PollDesc.pollNoError) {
                        throw opError("read", pollError(err), null);
                    }
                    int n;
                    try {
                        n = NetCalls.read(ch, buf);
                    } catch (ClosedChannelException e) {
                        throw opError("read", ERR_CLOSED, e);
                    } catch (IOException e) {
                        throw opError("read", syscallError("read", e), e);
                    }
                    if (n != 0) {
                        return n;
                    }
                    err = pd.pollWait(gp, PollDesc.MODE_R);
                }
            } finally {
                readLock.release();
            }
        }

        /** Writes all of b; see {@link #write(byte[], int, int)}. */
        public int write(byte[] b) {
            return write(b, 0, b.length);
        }

        /**
         * Writes all len bytes of b[off..] (Go: Write), parking while the socket's buffer is full;
         * returns len. If it fails (deadline, close, the peer gone), the NetException says how many
         * bytes did go out.
         */
        public int write(byte[] b, int off, int len) {
            G gp = Go.current("Conn.write");
            Objects.checkFromIndexSize(off, len, b.length);
            ByteBuffer buf = ByteBuffer.wrap(b, off, len);
            writeLock.acquire(Sema.SEMACQUIRE);
            try {
                int err = pd.pollReset(PollDesc.MODE_W);
                for (;;) {
                    if (err != PollDesc.pollNoError) {
                        throw opError("write", pollError(err), null).transferred(len - buf.remaining());
                    }
                    try {
                        NetCalls.write(ch, buf);
                    } catch (ClosedChannelException e) {
                        throw opError("write", ERR_CLOSED, e).transferred(len - buf.remaining());
                    } catch (IOException e) {
                        throw opError("write", syscallError("write", e), e).transferred(len - buf.remaining());
                    }
                    if (!buf.hasRemaining()) {
                        return len;
                    }
                    err = pd.pollWait(gp, PollDesc.MODE_W);
                }
            } finally {
                writeLock.release();
            }
        }

        /**
         * Closes the connection (Go: Close): a read or write parked on it fails with "use of closed
         * network connection", and so does every later call; closing twice is that error too.
         */
        @Override
        public void close() {
            Go.current("Conn.close");
            if (closed) {
                throw opError("close", ERR_CLOSED, null);
            }
            closed = true;
            pd.pollUnblock();
            pd.pollClose();
            closeQuietly(ch);
            pd.proc.netpoll.flushClosed(); // the socket closes when the selector drops its key
        }

        /** Both deadlines (Go: SetDeadline); null means none. A time already past fails waits at once. */
        public void setDeadline(Instant t) {
            Go.current("Conn.setDeadline");
            pd.pollSetDeadline(deadlineNanos(t), PollDesc.MODE_RW);
        }

        /** The read deadline (Go: SetReadDeadline): a read still waiting then fails with "i/o timeout". */
        public void setReadDeadline(Instant t) {
            Go.current("Conn.setReadDeadline");
            pd.pollSetDeadline(deadlineNanos(t), PollDesc.MODE_R);
        }

        /** The write deadline (Go: SetWriteDeadline). */
        public void setWriteDeadline(Instant t) {
            Go.current("Conn.setWriteDeadline");
            pd.pollSetDeadline(deadlineNanos(t), PollDesc.MODE_W);
        }

        /** This end's address (Go: LocalAddr). */
        public InetSocketAddress localAddr() {
            return laddr;
        }

        /** The peer's address (Go: RemoteAddr). */
        public InetSocketAddress remoteAddr() {
            return raddr;
        }

        private NetException opError(String op, String err, Throwable cause) {
            return new NetException(op, network, laddr, raddr, err, cause);
        }
    }

    /**
     * A failed network operation, Go's {@code *net.OpError}: its message is Go's, "op net
     * [source->]addr: err".
     */
    public static final class NetException extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final String op;
        private final String err;
        private int transferred;

        NetException(String op, String network, InetSocketAddress source, InetSocketAddress addr, String err,
                     Throwable cause) {
            super(op + " " + network + " " + (source == null ? "" : format(source) + "->")
                    + (addr == null ? "" : format(addr)) + ": " + err, cause);
            this.op = op;
            this.err = err;
        }

        NetException transferred(int n) {
            this.transferred = n;
            return this;
        }

        /** The operation: "read", "write", "accept", "dial", "listen", "close". */
        public String op() {
            return op;
        }

        /** The deadline passed (Go: os.IsTimeout, errors.Is(err, os.ErrDeadlineExceeded)). */
        public boolean timeout() {
            return ERR_TIMEOUT.equals(err);
        }

        /** The connection or listener was closed (Go: errors.Is(err, net.ErrClosed)). */
        public boolean closed() {
            return ERR_CLOSED.equals(err);
        }

        /** For a write: how many bytes were written before it failed. */
        public int transferred() {
            return transferred;
        }
    }

    /** What pollWait's error code means, in Go's words (internal/poll: convertErr). */
    static String pollError(int errcode) {
        return switch (errcode) {
            case PollDesc.pollErrClosing -> ERR_CLOSED;
            case PollDesc.pollErrTimeout -> ERR_TIMEOUT;
            case PollDesc.pollErrNotPollable -> "not pollable";
            default -> throw new IllegalStateException("unreachable: pollWait error " + errcode);
        };
    }

    /** Go's os.SyscallError wording: "connect: connection refused" (Java: "Connection refused"). */
    static String syscallError(String syscall, IOException e) {
        String m = e.getMessage();
        if (m == null || m.isEmpty()) {
            m = e.getClass().getSimpleName();
        }
        return syscall + ": " + Character.toLowerCase(m.charAt(0)) + m.substring(1);
    }

    /** Go's deadline argument: 0 none, negative passed, else ns from now (internal/poll.setDeadlineImpl). */
    static long deadlineNanos(Instant t) {
        if (t == null) {
            return 0;
        }
        Duration d = Duration.between(Instant.now(), t);
        long ns;
        try {
            ns = d.toNanos();
        } catch (ArithmeticException overflow) {
            ns = d.isNegative() ? -1 : Long.MAX_VALUE;
        }
        return ns == 0 ? -1 : ns;
    }

    private static void checkNetwork(String network) {
        if (!"tcp".equals(network) && !"tcp4".equals(network) && !"tcp6".equals(network)) {
            throw new IllegalArgumentException("unknown network " + network + ": only tcp, tcp4 and tcp6");
        }
    }

    /** "host:port" to an address; an empty host is the wildcard (Go: net.SplitHostPort, ResolveTCPAddr). */
    private static InetSocketAddress resolve(String op, String network, String address) {
        Objects.requireNonNull(address, "address");
        int colon = address.lastIndexOf(':');
        if (colon < 0) {
            throw new NetException(op, network, null, null, "address " + address + ": missing port in address", null);
        }
        String host = address.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port;
        try {
            port = Integer.parseInt(address.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new NetException(op, network, null, null, "address " + address + ": invalid port", e);
        }
        if (port < 0 || port > 65535) {
            throw new NetException(op, network, null, null, "address " + address + ": invalid port", null);
        }
        if (host.isEmpty()) {
            return new InetSocketAddress(port);
        }
        try {
            return new InetSocketAddress(InetAddress.getByName(host), port);
        } catch (UnknownHostException e) {
            throw new NetException(op, network, null, null, "lookup " + host + ": no such host", e);
        }
    }

    /** Go's TCPAddr.String: "127.0.0.1:8080", "[::1]:8080". */
    static String format(InetSocketAddress a) {
        InetAddress ip = a.getAddress();
        String host = ip == null ? a.getHostString() : ip.getHostAddress();
        if (ip instanceof Inet6Address) {
            int pct = host.indexOf('%');
            host = "[" + (pct < 0 ? host : host.substring(0, pct)) + "]";
        }
        return host + ":" + a.getPort();
    }

    private static void closeQuietly(java.nio.channels.Channel ch) {
        if (ch != null) {
            try {
                NetCalls.close(ch); // not inlinable: see NetCalls
            } catch (IOException ignored) {
                // already failing: the first error is the one to report
            }
        }
    }
}
