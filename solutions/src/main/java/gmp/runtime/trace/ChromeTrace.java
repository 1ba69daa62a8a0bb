package gmp.runtime.trace;

import java.io.IOException;
import java.io.Writer;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Writes a trace in Chrome's Trace Event Format (the JSON that Perfetto's UI, ui.perfetto.dev, and
 * chrome://tracing open; docs/en/trace.md#perfetto).
 *
 * <p>Layout: process 1 "Ps" has a track (thread) per P, process 2 "Ms" a track per M, process 3
 * "sysmon" one track. Each time a G runs is a slice ({@code B} at GoStart, {@code E} when it stops,
 * blocks or exits) named {@code G<goid>}, on its P's track and on its M's; instant events
 * ({@code i}) mark creations, wake-ups, preempt requests and preemptions; a flow arrow
 * ({@code s} -> {@code f}) goes from where a G was created or readied to where it next starts.
 * Timestamps are microseconds with nanosecond decimals. A slice still open when the trace ends is
 * closed at the last timestamp, so every {@code B} has its {@code E} on the same track.
 */
public final class ChromeTrace {
    private static final int PID_P = 1;
    private static final int PID_M = 2;
    private static final int PID_SYSMON = 3;

    private ChromeTrace() {
    }

    public static void write(List<Event> events, int gomaxprocs, Writer w) throws IOException {
        Out out = new Out(w);
        w.write("{\"displayTimeUnit\":\"ns\",\"otherData\":{\"producer\":\"gmp-workbook\",\"gomaxprocs\":"
                + gomaxprocs + "},\"traceEvents\":[\n");
        out.meta(PID_P, 0, "process_name", "Ps");
        out.meta(PID_M, 0, "process_name", "Ms");
        out.meta(PID_SYSMON, 0, "process_name", "sysmon");
        TreeSet<Long> ms = new TreeSet<>();
        int procs = gomaxprocs;
        for (Event e : events) {
            if (e.m() >= 0) {
                ms.add(e.m());
            }
            procs = Math.max(procs, e.p() + 1);
        }
        for (int p = 0; p < procs; p++) {
            out.meta(PID_P, p, "thread_name", "P" + p);
        }
        for (long m : ms) {
            out.meta(PID_M, m, "thread_name", "M" + m);
        }
        out.meta(PID_SYSMON, 0, "thread_name", "sysmon");

        Map<Integer, Long> runningOnP = new HashMap<>();
        Map<Long, Long> runningOnM = new HashMap<>();
        Map<Long, Long> pendingFlow = new HashMap<>();
        long flowIds = 0;
        long last = 0;
        for (Event e : events) {
            last = e.ts();
            int pid = e.p() >= 0 ? PID_P : e.m() >= 0 ? PID_M : PID_SYSMON;
            long tid = e.p() >= 0 ? e.p() : Math.max(e.m(), 0);
            String g = "G" + e.g();
            switch (e.kind()) {
                case GoStart, GoSyscallEnd -> {
                    Long flow = pendingFlow.remove(e.g());
                    out.slice("B", PID_P, e.p(), e.ts(), g, e);
                    if (e.m() >= 0) {
                        out.slice("B", PID_M, e.m(), e.ts(), g, e);
                    }
                    if (flow != null) {
                        out.flow("f", PID_P, e.p(), e.ts(), flow);
                    }
                    runningOnP.put(e.p(), e.g());
                    if (e.m() >= 0) {
                        runningOnM.put(e.m(), e.g());
                    }
                }
                case GoStop, GoBlock, GoDestroy, GoSyscallBegin -> {
                    if (e.p() >= 0 && runningOnP.remove(e.p(), e.g())) {
                        out.slice("E", PID_P, e.p(), e.ts(), g, e);
                    }
                    if (e.m() >= 0 && runningOnM.remove(e.m(), e.g())) {
                        out.slice("E", PID_M, e.m(), e.ts(), g, e);
                    }
                    if (e.kind() == EventKind.GoStop && e.reason().equals("preempted")) {
                        out.instant(pid, tid, e.ts(), "preempted " + g, e);
                    }
                }
                case GoCreate, GoUnblock, NetpollWake -> {
                    long id = ++flowIds;
                    pendingFlow.put(e.g(), id);
                    out.instant(pid, tid, e.ts(), e.kind() + " " + g, e);
                    out.flow("s", pid, tid, e.ts(), id);
                }
                default -> out.instant(pid, tid, e.ts(), e.kind() + (e.g() != 0 ? " " + g : ""), e);
            }
        }
        long end = last + 1;
        for (Map.Entry<Integer, Long> open : runningOnP.entrySet()) {
            out.close(PID_P, open.getKey(), end, "G" + open.getValue());
        }
        for (Map.Entry<Long, Long> open : runningOnM.entrySet()) {
            out.close(PID_M, open.getKey(), end, "G" + open.getValue());
        }
        w.write("\n]}\n");
        w.flush();
    }

    /** The JSON events, comma-separated. */
    private static final class Out {
        private final Writer w;
        private boolean first = true;

        Out(Writer w) {
            this.w = w;
        }

        private void next() throws IOException {
            if (!first) {
                w.write(",\n");
            }
            first = false;
        }

        void meta(int pid, long tid, String name, String value) throws IOException {
            next();
            w.write("{\"ph\":\"M\",\"pid\":" + pid + ",\"tid\":" + tid + ",\"name\":\"" + name
                    + "\",\"args\":{\"name\":" + quote(value) + "}}");
            if (name.equals("thread_name")) {
                next();
                w.write("{\"ph\":\"M\",\"pid\":" + pid + ",\"tid\":" + tid
                        + ",\"name\":\"thread_sort_index\",\"args\":{\"sort_index\":" + tid + "}}");
            }
        }

        void slice(String ph, int pid, long tid, long ts, String name, Event e) throws IOException {
            next();
            w.write("{\"ph\":\"" + ph + "\",\"pid\":" + pid + ",\"tid\":" + tid + ",\"ts\":" + micros(ts)
                    + ",\"name\":" + quote(name) + ",\"cat\":\"G\",\"args\":" + args(e) + "}");
        }

        void close(int pid, long tid, long ts, String name) throws IOException {
            next();
            w.write("{\"ph\":\"E\",\"pid\":" + pid + ",\"tid\":" + tid + ",\"ts\":" + micros(ts)
                    + ",\"name\":" + quote(name) + ",\"cat\":\"G\",\"args\":{\"end\":\"trace ended\"}}");
        }

        void instant(int pid, long tid, long ts, String name, Event e) throws IOException {
            next();
            w.write("{\"ph\":\"i\",\"s\":\"t\",\"pid\":" + pid + ",\"tid\":" + tid + ",\"ts\":" + micros(ts)
                    + ",\"name\":" + quote(name) + ",\"cat\":\"" + e.kind() + "\",\"args\":" + args(e) + "}");
        }

        void flow(String ph, int pid, long tid, long ts, long id) throws IOException {
            next();
            w.write("{\"ph\":\"" + ph + "\",\"pid\":" + pid + ",\"tid\":" + tid + ",\"ts\":" + micros(ts)
                    + ",\"name\":\"readied\",\"cat\":\"flow\",\"id\":" + id
                    + (ph.equals("f") ? ",\"bp\":\"e\"" : "") + "}");
        }
    }

    private static String args(Event e) {
        StringBuilder b = new StringBuilder("{\"event\":\"").append(e.kind()).append('"');
        if (e.g() != 0) {
            b.append(",\"goid\":").append(e.g());
        }
        b.append(",\"p\":").append(e.p()).append(",\"m\":").append(e.m());
        if (e.arg() != 0 || e.kind() == EventKind.PreemptRequest) {
            b.append(",\"").append(switch (e.kind()) {
                case GoCreate -> "createdBy";
                case GoUnblock -> "readiedBy";
                case ProcsChange -> "gomaxprocs";
                case PreemptRequest -> "onP";
                default -> "arg";
            }).append("\":").append(e.arg());
        }
        if (!e.reason().isEmpty()) {
            b.append(",\"reason\":").append(quote(e.reason()));
        }
        return b.append('}').toString();
    }

    static String micros(long ns) {
        return ns / 1000 + "." + String.format("%03d", ns % 1000);
    }

    static String quote(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '<' -> b.append("\\u003c");
                default -> {
                    if (c < 0x20) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.append('"').toString();
    }
}
