package gmp.bench;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.Map;

import com.sun.management.OperatingSystemMXBean;

import gmp.runtime.Go;

/**
 * Workload 7: an idle program. Main sleeps for n milliseconds and nothing else runs; the metric
 * is the CPU time the whole process used meanwhile (user plus system, all threads: the Ms, sysmon,
 * and the JVM's own JIT and GC threads; {@code getProcessCpuTime} counts in the kernel's 10 ms
 * ticks here, fine enough for 10 s of idling). An idle runtime should use none: its Ms sleep until the
 * timer, and sysmon sleeps deeply when every P is idle (Go's {@code sysmonwait}, chapter 06). Go's
 * twin is {@code idle} in {@code bench/go/main.go} ({@code getrusage} around a {@code time.Sleep}).
 *
 * <p>Until chapter 06 the runtime starts sysmon only for GODEBUG=schedtrace, so this measures a
 * runtime without one; with chapter 06's sysmon it measures sysmon's idle cost.
 */
final class Idle {
    private Idle() {
    }

    static Map<String, Double> once(Kind kind, int procs, int millis) throws InterruptedException {
        OperatingSystemMXBean os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        long[] cpu = new long[2];
        if (kind == Kind.GOROUTINES) {
            Programs.run(procs, () -> {
                cpu[0] = os.getProcessCpuTime();
                Go.sleep(Duration.ofMillis(millis));
                cpu[1] = os.getProcessCpuTime();
            });
        } else {
            Programs.Crew crew = new Programs.Crew(kind.builder());
            crew.start(() -> {
                cpu[0] = os.getProcessCpuTime();
                Thread.sleep(millis);
                cpu[1] = os.getProcessCpuTime();
            });
            crew.join();
        }
        return Map.of("cpu-ms", (cpu[1] - cpu[0]) / 1e6);
    }
}
