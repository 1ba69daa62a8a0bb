package gmp.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** What the table must say about where it was measured: the CPU, the JVM, and how busy the machine was. */
final class Machine {
    private Machine() {
    }

    /** The 1, 5 and 15 minute load averages from /proc/loadavg, or "?" off Linux. */
    static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException e) {
            return "?";
        }
    }

    static String describe() {
        return cpu() + ", " + Runtime.getRuntime().availableProcessors() + " CPUs, " + memory() + "; "
                + System.getProperty("os.name") + " " + System.getProperty("os.version") + "; "
                + System.getProperty("java.vm.vendor") + " " + System.getProperty("java.vm.name") + " "
                + Runtime.version();
    }

    private static String cpu() {
        return field(Path.of("/proc/cpuinfo"), "model name", "unknown CPU");
    }

    private static String memory() {
        String kb = field(Path.of("/proc/meminfo"), "MemTotal", "");
        if (kb.isEmpty()) {
            return "? GiB";
        }
        return Math.round(Long.parseLong(kb.replaceAll("[^0-9]", "")) / 1024.0 / 1024.0) + " GiB";
    }

    private static String field(Path file, String name, String otherwise) {
        try {
            for (String line : Files.readAllLines(file)) {
                if (line.startsWith(name)) {
                    return line.substring(line.indexOf(':') + 1).strip();
                }
            }
        } catch (IOException e) {
            return otherwise;
        }
        return otherwise;
    }
}
