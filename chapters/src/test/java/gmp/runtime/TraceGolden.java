package gmp.runtime;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;


import gmp.runtime.trace.Event;
import gmp.runtime.trace.EventKind;

/**
 * What the execution-trace tests share: a traced one-P runtime driven in explicit steps, and the
 * compact form of its events that the golden lists use (docs/en/trace.md#golden). The tests are
 * one class per chapter (TraceGoldenCh02Test, ...), each tagged with the chapter whose code
 * produces its events, so that an assignment export keeps exactly the chapters it hands out.
 */
final class TraceGolden {
    static final String DOC = "docs/en/trace.md";

    private TraceGolden() {
    }

    static Stepper traced() {
        return Stepper.boot(GoRuntime.builder().gomaxprocs(1).env(Map.of()).recordTrace().build());
    }

    /** The events in the compact form the golden lists use: kind, G, who caused it, reason. */
    static List<String> golden(Proc proc) {
        List<String> out = new ArrayList<>();
        for (Event e : proc.trace.events()) {
            StringBuilder b = new StringBuilder(e.kind().name());
            if (e.g() != 0) {
                b.append(" G").append(e.g());
            }
            if ((e.kind() == EventKind.GoCreate || e.kind() == EventKind.GoUnblock) && e.arg() != 0) {
                b.append(" by G").append(e.arg());
            }
            if (!e.reason().isEmpty()) {
                b.append(" \"").append(e.reason()).append('"');
            }
            out.add(b.toString());
        }
        return out;
    }
}
