package gmp.runtime;

import java.io.IOException;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channel;
import java.nio.channels.SelectableChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;

/**
 * The NIO calls that goroutines make (for {@link Net} and {@link Netpoll#pollOpen}), each in a frame
 * of its own that the JIT cannot inline into the goroutine's code.
 *
 * <h2>Why</h2>
 * A socket channel guards read, write, connect, close and configureBlocking with
 * {@code ReentrantLock}s, which record their owner as {@code Thread.currentThread()}. A goroutine
 * calls them in a loop that parks between tries (read, then pollWait, then read again), and may
 * resume on another M. C2 compiles such a loop as if it stayed on one thread and may keep the
 * {@code Thread.currentThread()} it read before a park for use after it, inside one compiled frame
 * ({@link M#current} explains the hazard, DESIGN.md section 4). Inlined there, a channel's lock is
 * taken in the name of a thread the goroutine has left. Seen in the echo benchmark at GOMAXPROCS 2:
 * two Ms each waiting in {@code Conn.close} for a channel lock "owned" by the other, with neither
 * holding it on its stack, and the program hung for good. Going through a method handle held in a
 * non-final field is a call the JIT cannot inline, so each of these runs in its own frame and reads
 * the current thread afresh, after any park. It costs a few nanoseconds per call, next to a system
 * call of a microsecond or more.
 */
final class NetCalls {
    private NetCalls() {
    }

    // Non-final on purpose: a constant method handle would be inlined like a direct call.
    private static MethodHandle read;
    private static MethodHandle write;
    private static MethodHandle accept;
    private static MethodHandle connect;
    private static MethodHandle finishConnect;
    private static MethodHandle close;
    private static MethodHandle nonBlocking;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            read = l.findStatic(NetCalls.class, "read0", MethodType.methodType(int.class, SocketChannel.class, ByteBuffer.class));
            write = l.findStatic(NetCalls.class, "write0", MethodType.methodType(int.class, SocketChannel.class, ByteBuffer.class));
            accept = l.findStatic(NetCalls.class, "accept0", MethodType.methodType(SocketChannel.class, ServerSocketChannel.class));
            connect = l.findStatic(NetCalls.class, "connect0", MethodType.methodType(boolean.class, SocketChannel.class, SocketAddress.class));
            finishConnect = l.findStatic(NetCalls.class, "finishConnect0", MethodType.methodType(boolean.class, SocketChannel.class));
            close = l.findStatic(NetCalls.class, "close0", MethodType.methodType(void.class, Channel.class));
            nonBlocking = l.findStatic(NetCalls.class, "nonBlocking0", MethodType.methodType(void.class, SelectableChannel.class));
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    static int read(SocketChannel ch, ByteBuffer buf) throws IOException {
        try {
            return (int) read.invokeExact(ch, buf);
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    static int write(SocketChannel ch, ByteBuffer buf) throws IOException {
        try {
            return (int) write.invokeExact(ch, buf);
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    static SocketChannel accept(ServerSocketChannel ch) throws IOException {
        try {
            return (SocketChannel) accept.invokeExact(ch);
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    static boolean connect(SocketChannel ch, SocketAddress to) throws IOException {
        try {
            return (boolean) connect.invokeExact(ch, to);
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    static boolean finishConnect(SocketChannel ch) throws IOException {
        try {
            return (boolean) finishConnect.invokeExact(ch);
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    static void close(Channel ch) throws IOException {
        try {
            close.invokeExact(ch);
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    static void configureNonBlocking(SelectableChannel ch) throws IOException {
        try {
            nonBlocking.invokeExact(ch);
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    private static int read0(SocketChannel ch, ByteBuffer buf) throws IOException {
        return ch.read(buf);
    }

    private static int write0(SocketChannel ch, ByteBuffer buf) throws IOException {
        return ch.write(buf);
    }

    private static SocketChannel accept0(ServerSocketChannel ch) throws IOException {
        return ch.accept();
    }

    private static boolean connect0(SocketChannel ch, SocketAddress to) throws IOException {
        return ch.connect(to);
    }

    private static boolean finishConnect0(SocketChannel ch) throws IOException {
        return ch.finishConnect();
    }

    private static void close0(Channel ch) throws IOException {
        ch.close();
    }

    private static void nonBlocking0(SelectableChannel ch) throws IOException {
        ch.configureBlocking(false);
    }
}
