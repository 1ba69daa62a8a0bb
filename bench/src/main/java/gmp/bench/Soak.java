package gmp.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The JIT soak of the smoke run: a few JMH forks of {@code PingPong.goroutinesP2}, each warmed up
 * long enough for C2 to compile the ping-pong loop with the runtime inlined into it, failing on
 * the first error of any fork ({@code -foe true}) and, since JMH cannot stop a benchmark thread
 * stuck in a lock, on a wall-clock deadline of our own.
 *
 * <p>Why: C2 compiles a goroutine's loop as if it stayed on one thread, and this is the shape in
 * which it once broke the runtime (an IllegalMonitorStateException in wakep's sched.lock, and a
 * hang on that lock; see RuntimeMutex). Short unit tests run interpreted or in C1 and never saw it;
 * a plain loop of such programs in one JVM did not either. Before the fix it failed about one fork in
 * 40 on a loaded 2-core machine, so these few forks catch a regression of that kind only sometimes:
 * a smoke alarm, not a proof. It costs about 5 s per fork.
 */
final class Soak {
    /** Forks per soak run: the cost (about 5 s each) against the chance of catching a rare JIT failure. */
    static final int FORKS = 5;
    /** Whole-run deadline: five 5-second forks, with room for a loaded machine; past it, a fork hung. */
    static final long DEADLINE_SECONDS = 150;

    private Soak() {
    }

    /** Runs the soak with the JVM at {@code java} on {@code jar}; its output goes to {@code log}. */
    static void run(Path java, Path jar, Path log) throws ChildProcess.Failure, IOException, InterruptedException {
        List<String> command = List.of(java.toString(), "--sun-misc-unsafe-memory-access=allow", "-Djmh.ignoreLock=true",
                "-jar", jar.toString(), "PingPong.goroutinesP2", "-f", String.valueOf(FORKS),
                "-wi", "3", "-w", "1", "-i", "1", "-r", "1", "-foe", "true", "-o", log.toString());
        Files.createDirectories(log.getParent());
        Process p = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        if (!p.waitFor(DEADLINE_SECONDS, TimeUnit.SECONDS)) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            throw new ChildProcess.Failure("a fork of PingPong.goroutinesP2 did not finish within " + DEADLINE_SECONDS
                    + " s: probably hung (a lost wake-up or a lock nobody releases); its output is in " + log);
        }
        if (p.exitValue() != 0) {
            String tail = String.join("\n", lastLines(log, 30));
            throw new ChildProcess.Failure("a fork of PingPong.goroutinesP2 failed (exit " + p.exitValue() + "); the end of "
                    + log + ":\n" + tail);
        }
    }

    private static List<String> lastLines(Path log, int n) throws IOException {
        List<String> lines = Files.exists(log) ? Files.readAllLines(log, StandardCharsets.UTF_8) : List.of();
        return lines.subList(Math.max(0, lines.size() - n), lines.size());
    }
}
