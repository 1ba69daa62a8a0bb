package gmp.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Runs one benchmark program in a process of its own (a JVM of one configuration, a Go binary,
 * {@code go test}) and returns the {@link Result} lines it printed. Everything it printed, both
 * streams, is appended to a log file; a non-zero exit is a {@link Failure}.
 */
final class ChildProcess {
    private ChildProcess() {
    }

    /** A benchmark program that did not finish well; the message says where its output is. */
    static final class Failure extends Exception {
        private static final long serialVersionUID = 1L;

        Failure(String message) {
            super(message);
        }
    }

    /** Runs command in dir with extra environment variables; returns its output lines. */
    static List<String> run(List<String> command, Path dir, Map<String, String> env, Path log)
            throws Failure, IOException, InterruptedException {
        Files.createDirectories(log.getParent());
        Files.writeString(log, "$ " + String.join(" ", command) + "\n", StandardCharsets.UTF_8,
                StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true);
        pb.environment().putAll(env);
        Process p = pb.start();
        List<String> lines = new ArrayList<>();
        try (var out = p.inputReader(StandardCharsets.UTF_8)) {
            for (String line = out.readLine(); line != null; line = out.readLine()) {
                lines.add(line);
            }
        }
        int exit = p.waitFor();
        Files.write(log, lines, StandardCharsets.UTF_8, StandardOpenOption.APPEND);
        if (exit != 0) {
            throw new Failure(String.join(" ", command) + " exited with " + exit + "; its output is in " + log);
        }
        return lines;
    }

    /** The result lines among a program's output; a program that printed none has failed. */
    static List<Result> results(List<String> lines, List<String> command) throws Failure {
        List<Result> out = new ArrayList<>();
        for (String line : lines) {
            Result r = Result.parse(line);
            if (r != null) {
                out.add(r);
            }
        }
        if (out.isEmpty()) {
            throw new Failure(String.join(" ", command) + " printed no result");
        }
        return out;
    }
}
