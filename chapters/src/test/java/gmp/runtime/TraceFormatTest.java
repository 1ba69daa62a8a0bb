package gmp.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.StringWriter;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import gmp.runtime.trace.ChromeTrace;
import gmp.runtime.trace.Event;
import gmp.runtime.trace.EventKind;
import gmp.runtime.trace.HtmlTimeline;
import gmp.sync.WaitGroup;
import gmp.workbook.Harness;
import gmp.workbook.Hint;

/**
 * The files the trace writes, from a real program on two Ps (channels, a WaitGroup, sleeps):
 * Chrome's Trace Event Format JSON must parse and keep the format's rules, and the HTML timeline
 * must stand alone. Tagged ch05, the chapter whose code (park, ready, channels) the program needs;
 * the checks themselves are of the given tracer (docs/en/trace.md#perfetto).
 */
@Tag("ch05")
@DisplayName("The execution trace's files: Chrome Trace Event Format rules, a self-contained HTML timeline")
@Hint(doc = TraceFormatTest.DOC + "#perfetto", go = "(ours) the trace writer; Go's is traceWriter (tracebuf.go)")
class TraceFormatTest {
    static final String DOC = "docs/en/trace.md";

    /** A program with every kind of run ending: creations, channel blocks, sleeps, exits, on 2 Ps. */
    private static Proc tracedProgram() {
        GoRuntime rt = GoRuntime.builder().gomaxprocs(2).env(Map.of()).recordTrace().build();
        Harness.run(rt, () -> {
            Chan<Integer> ping = Chan.make();
            Chan<Integer> pong = Chan.make();
            Go.go(() -> {
                for (int i = 0; i < 20; i++) {
                    pong.send(ping.recv() + 1);
                }
            });
            for (int i = 0; i < 20; i++) {
                ping.send(i);
                pong.recv();
            }
            WaitGroup wg = new WaitGroup();
            wg.add(16);
            for (int i = 0; i < 16; i++) {
                Go.go(() -> {
                    Go.sleep(100_000);
                    wg.done();
                });
            }
            wg.await();
        });
        return rt.proc();
    }

    @SuppressWarnings("unchecked")
    @Test
    @DisplayName("the JSON parses; every B has its E on the same track; timestamps never go back on a track; flows start before they finish")
    void chromeTraceRules() throws IOException {
        Proc proc = tracedProgram();
        List<Event> events = proc.trace.events();
        StringWriter json = new StringWriter();
        ChromeTrace.write(events, proc.gomaxprocs, json);
        Map<String, Object> root = (Map<String, Object>) Json.parse(json.toString());
        List<Map<String, Object>> trace = (List<Map<String, Object>>) root.get("traceEvents");
        assertThat(trace).as("the JSON object format keeps its events under \"traceEvents\". Read %s#perfetto", DOC)
                .isNotEmpty();

        Map<String, Deque<String>> open = new HashMap<>();
        Map<String, Double> lastTs = new HashMap<>();
        Set<Object> flowsStarted = new HashSet<>();
        List<String> problems = new ArrayList<>();
        int begins = 0;
        for (Map<String, Object> e : trace) {
            String ph = (String) e.get("ph");
            String track = e.get("pid") + "/" + e.get("tid");
            assertThat(ph).as("every event has a phase").isNotNull();
            if (ph.equals("M")) {
                continue;
            }
            double ts = (Double) e.get("ts");
            Double before = lastTs.put(track, ts);
            if (before != null && ts < before) {
                problems.add("track " + track + " goes back in time: " + before + " then " + ts + " (" + e + ")");
            }
            switch (ph) {
                case "B" -> {
                    begins++;
                    open.computeIfAbsent(track, k -> new ArrayDeque<>()).push((String) e.get("name"));
                }
                case "E" -> {
                    Deque<String> stack = open.get(track);
                    if (stack == null || stack.isEmpty() || !stack.pop().equals(e.get("name"))) {
                        problems.add("an E without its B on track " + track + ": " + e);
                    }
                }
                case "s" -> flowsStarted.add(e.get("id"));
                case "f" -> {
                    if (!flowsStarted.contains(e.get("id"))) {
                        problems.add("a flow finishes before it starts: " + e);
                    }
                }
                case "i" -> { }
                default -> problems.add("an unexpected phase " + ph + ": " + e);
            }
        }
        open.forEach((track, stack) -> {
            if (!stack.isEmpty()) {
                problems.add("a B without its E on track " + track + ": " + stack);
            }
        });
        assertThat(problems).as("the Trace Event Format's rules (Read %s#perfetto)", DOC).isEmpty();
        long starts = events.stream().filter(e -> e.kind() == EventKind.GoStart).count();
        assertThat(begins).as("one slice per run of a G, on its P's track and on its M's: 2 B per GoStart."
                + " Read %s#perfetto", DOC).isEqualTo(2 * starts);
        assertThat(starts).as("the program runs 18 goroutines at least once each").isGreaterThanOrEqualTo(18);
        assertThat(events).as("the program's events include its blocks with Go's trace reasons: the sleeps, the"
                + " WaitGroup (a semaphore: \"sync\"), and whichever side of the ping-pong had to wait. Read %s#golden", DOC)
                .extracting(Event::reason).contains("sleep", "sync").containsAnyOf("chan send", "chan receive");
    }

    @Test
    @DisplayName("the HTML timeline stands alone: the events are inside, and nothing is loaded from the network")
    void htmlIsSelfContained() throws IOException {
        Proc proc = tracedProgram();
        StringWriter html = new StringWriter();
        HtmlTimeline.write(proc.trace.events(), proc.gomaxprocs, html);
        String page = html.toString();
        assertThat(page).as("a page that opens from disk: no script or style from elsewhere. Read %s#html", DOC)
                .doesNotContain("src=", "href=", "http://", "https://", "@import");
        assertThat(page).as("the events are in the page. Read %s#html", DOC)
                .contains("const DATA = {gomaxprocs: 2", "<pre id=\"summary\">");
    }
}
