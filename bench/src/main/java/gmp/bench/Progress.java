package gmp.bench;

import java.time.Duration;
import java.time.LocalTime;
import java.time.temporal.ChronoUnit;

/** One line on standard error per step of the comparison, with the time and the load average then. */
final class Progress {
    private final long start = System.nanoTime();

    void step(String what) {
        System.err.printf("[%s +%s, load %s] %s%n", LocalTime.now().truncatedTo(ChronoUnit.SECONDS),
                elapsed(), Machine.loadAverage(), what);
    }

    private String elapsed() {
        Duration d = Duration.ofNanos(System.nanoTime() - start);
        return d.toMinutes() + "m" + String.format("%02d", d.toSecondsPart()) + "s";
    }
}
