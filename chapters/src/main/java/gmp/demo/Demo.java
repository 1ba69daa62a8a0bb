package gmp.demo;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import gmp.runtime.Go;
import gmp.runtime.GoRuntime;

/**
 * The demo program: runs the reference runtime and shows what it did, in Go's own
 * {@code GODEBUG=schedtrace=…,scheddetail=1} format, so you can put it beside real Go's output.
 *
 * <p>Run it with {@code ./gmp demo}; set {@code GOMAXPROCS} in the environment to change the number
 * of Ps, and {@code GODEBUG=schedtrace=10} to have sysmon print the trace as it runs. Each chapter
 * adds a scene.
 */
public final class Demo {
    private Demo() {
    }

    public static void main(String[] args) {
        bootstrap();
        System.out.println();
        stealing();
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

    private static void spin(long millis) {
        long until = System.nanoTime() + millis * 1_000_000L;
        while (System.nanoTime() < until) {
            Thread.onSpinWait();
        }
    }
}
