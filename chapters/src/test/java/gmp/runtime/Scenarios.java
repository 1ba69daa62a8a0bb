package gmp.runtime;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import gmp.runtime.trace.ChromeTrace;
import gmp.runtime.trace.HtmlTimeline;

/**
 * What the tests of the eleven interview scenarios share (docs/en/scenarios.md): traced runtimes,
 * views of the queues by goid, and the pictures. The tests are one class per chapter
 * (ScenariosCh02Test, ...), each tagged with the chapter whose code the scenario exercises, so that
 * the scoreboard counts them there and an assignment export keeps exactly the chapters it hands out.
 *
 * <p>With {@code -Dgmp.scenarios.out=DIR} each test also writes its trace, {@code DIR/scenario-NN.json}
 * and {@code .html}, from which {@code tools/scenario-pictures} makes the doc's PNGs; without it,
 * nothing is written.
 */
final class Scenarios {
    static final String DOC = "docs/en/scenarios.md";
    private static final String OUT = "gmp.scenarios.out";

    private Scenarios() {
    }

    /** A traced runtime with {@code gomaxprocs} Ps, driven in explicit steps on the test thread. */
    static Stepper traced(int gomaxprocs) {
        return Stepper.boot(traceOn(gomaxprocs));
    }

    /** A traced runtime with {@code gomaxprocs} Ps and real Ms. */
    static GoRuntime traceOn(int gomaxprocs) {
        return GoRuntime.builder().gomaxprocs(gomaxprocs).env(Map.of()).recordTrace().build();
    }

    /** Takes an idle P off the list and marks it running, as if another M held it (Stepper tests). */
    static P busy(Proc proc) {
        proc.lockSched();
        try {
            P pp = proc.pidleget();
            pp.status = P._Prunning;
            return pp;
        } finally {
            proc.unlockSched();
        }
    }

    /** A runnable G made on g0 that records its name and the P it runs on. */
    static G make(Stepper s, List<String> ran, String name) {
        return s.proc.newproc1(() -> ran.add(name + "@P" + Proc.getg().m.p.id), s.proc.m0.g0);
    }

    static List<Long> goids(List<G> gs) {
        List<Long> out = new ArrayList<>();
        for (G gp : gs) {
            out.add(gp.goid);
        }
        return out;
    }

    static List<Long> range(long from, long to) {
        List<Long> out = new ArrayList<>();
        for (long i = from; i <= to; i++) {
            out.add(i);
        }
        return out;
    }

    /** Writes the trace as scenario-NAME.json and .html when {@code gmp.scenarios.out} is set. */
    static void picture(Proc proc, String name) {
        String dir = System.getProperty(OUT);
        if (dir == null || dir.isBlank()) {
            return;
        }
        Path json = Path.of(dir, "scenario-" + name + ".json");
        try {
            Files.createDirectories(json.getParent());
            try (Writer w = Files.newBufferedWriter(json, StandardCharsets.UTF_8)) {
                ChromeTrace.write(proc.trace.events(), proc.gomaxprocs, w);
            }
            try (Writer w = Files.newBufferedWriter(Trace.htmlPath(json), StandardCharsets.UTF_8)) {
                HtmlTimeline.write(proc.trace.events(), proc.gomaxprocs, w);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
