package gmp.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

import gmp.runtime.Chan;
import gmp.runtime.Go;
import gmp.sync.WaitGroup;

/**
 * Workload 4: n goroutines blocked in a receive on one channel at the same time. Metrics: what
 * one of them costs in memory, as heap after GC and as resident set size (RSS), each the growth
 * over the same program before it started them, divided by n; and the wall time from
 * {@code close(c)} until all n have woken and called {@code wg.Done()}. Go's twin is
 * {@code parked} in {@code bench/go/main.go}.
 *
 * <p>A parked goroutine of the runtime is its G, its Continuation with the frozen stack (a
 * StackChunk on the Java heap: goroutineBody, the closure, chanrecv, gopark and mcall's frames),
 * its sudog and its closure. Close takes all n sudogs off the receive queue, then readies each G
 * onto the closer's P (chan.go's closechan). A Go goroutine is its g and a stack of at least 2 KiB
 * that the runtime allocates outside the heap, which is why Go's "heap" column here is
 * HeapAlloc + StackInuse.
 *
 * <p>The wake time needs warm-ups (OneShot runs three, with 1% as many goroutines): in a cold JVM
 * C2 compiles chanrecv while goroutines park in it, before any has ever come back from gopark, so
 * the compiled code has no path past the park, only an uncommon trap. Each of the million frozen
 * frames then deoptimizes when its goroutine wakes: two deoptimizations per goroutine (chanrecv,
 * then recv), and waking 1,000,000 took 16-19 s instead of about half a second.
 *
 * <p>Threads park on a {@link Gate}: what close does, done with a flag and unpark, one per waiter.
 * (Not a CountDownLatch: its waiters wake one another in a chain, which took ~16 s for 1,000,000
 * virtual threads here.) Every run needs a fresh JVM: a heap that grew once stays committed, and
 * the next run's RSS would not see it grow again.
 */
final class Parked {
    /** How long main waits after the last goroutine said it is about to park, so that it has parked. */
    private static final long SETTLE_NANOS = 50_000_000;

    private Parked() {
    }

    static Map<String, Double> once(Kind kind, int procs, int n) throws InterruptedException {
        Map<String, Double> out = new LinkedHashMap<>();
        if (kind == Kind.GOROUTINES) {
            Programs.run(procs, () -> {
                Footprint before = Footprint.afterGc();
                Chan<Void> c = Chan.make();
                WaitGroup woken = new WaitGroup();
                AtomicInteger arrived = new AtomicInteger();
                woken.add(n);
                for (int i = 0; i < n; i++) {
                    Go.go(() -> {
                        arrived.incrementAndGet();
                        c.recv();
                        woken.done();
                    });
                }
                while (arrived.get() < n) {
                    Go.sleep(1_000_000);
                }
                Go.sleep(SETTLE_NANOS);
                Footprint.afterGc().minus(before).perTask(n, out);
                long t0 = System.nanoTime();
                c.close();
                woken.await();
                out.put("wake-ms", (System.nanoTime() - t0) / 1e6);
            });
        } else {
            Programs.Crew main = new Programs.Crew(kind.builder());
            main.start(() -> {
                Footprint before = Footprint.afterGc();
                Thread.Builder builder = kind.builder();
                Gate gate = new Gate(n);
                CountDownLatch woken = new CountDownLatch(n);
                AtomicInteger arrived = new AtomicInteger();
                for (int i = 0; i < n; i++) {
                    gate.add(builder.start(() -> {
                        arrived.incrementAndGet();
                        gate.await();
                        woken.countDown();
                    }));
                }
                while (arrived.get() < n) {
                    Thread.sleep(1);
                }
                Thread.sleep(SETTLE_NANOS / 1_000_000);
                Footprint.afterGc().minus(before).perTask(n, out);
                long t0 = System.nanoTime();
                gate.close();
                woken.await();
                out.put("wake-ms", (System.nanoTime() - t0) / 1e6);
            });
            main.join();
        }
        return out;
    }

    /**
     * What a closed channel is to its receivers, for threads: a closed flag and the list of waiting
     * threads, and close unparks each one, as closechan readies each G.
     */
    static final class Gate {
        private volatile boolean closed;
        private final Thread[] waiters;
        private int size;

        Gate(int capacity) {
            waiters = new Thread[capacity];
        }

        /** Registers a waiter; only the thread that will close the gate calls it, before it closes. */
        void add(Thread t) {
            waiters[size++] = t;
        }

        void await() {
            while (!closed) {
                LockSupport.park(this);
            }
        }

        void close() {
            closed = true;
            for (int i = 0; i < size; i++) {
                LockSupport.unpark(waiters[i]);
            }
        }
    }

    /** Heap in use after a full GC, and the resident set size, in bytes. */
    record Footprint(long heap, long rss) {
        static Footprint afterGc() {
            System.gc();
            System.gc();
            return new Footprint(ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed(), residentSetSize());
        }

        Footprint minus(Footprint base) {
            return new Footprint(heap - base.heap, rss - base.rss);
        }

        void perTask(int n, Map<String, Double> out) {
            out.put("heap-bytes", (double) heap / n);
            out.put("rss-bytes", (double) rss / n);
        }

        /** VmRSS from /proc/self/status (Linux only; elsewhere 0, and the RSS figures say nothing). */
        private static long residentSetSize() {
            try {
                for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                    if (line.startsWith("VmRSS:")) {
                        return 1024 * Long.parseLong(line.replaceAll("[^0-9]", ""));
                    }
                }
            } catch (IOException | NumberFormatException e) {
                return 0;
            }
            return 0;
        }
    }
}
