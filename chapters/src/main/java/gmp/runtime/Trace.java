package gmp.runtime;

import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import gmp.runtime.trace.ChromeTrace;
import gmp.runtime.trace.Event;
import gmp.runtime.trace.EventKind;
import gmp.runtime.trace.HtmlTimeline;

/**
 * The execution tracer: the Java form of Go's {@code runtime/trace} (Go 1.22+, traceruntime.go),
 * recording which G ran on which P and M, when, and why it stopped (docs/en/trace.md).
 *
 * <h2>Where events come from</h2>
 * From given code only, so that a learner's chapter code is traced without writing a line of trace
 * code: {@link Proc#casgstatus} reports every G status change ({@code _Gdead -> _Grunnable} is a
 * GoCreate, {@code _Grunnable -> _Grunning} a GoStart, and so on: {@link #status}), acquirep and
 * releasep report ProcStart and ProcStop, procresize's prologue ProcsChange, and Preempt.request
 * sysmon's preempt requests. Go emits the same events at the same places (newproc1, execute,
 * goschedImpl, park_m, ready, goexit0, acquirep, releasep).
 *
 * <h2>Buffers without a shared lock</h2>
 * As Go's tracer before 1.22 kept a buffer per P, each P here has its own {@link Buf}, written only
 * by the M that holds the P (so plain writes suffice; handing the P over, under sched.lock or a
 * CAS, hands the buffer over with it). An event recorded by an M without a P goes to that M's
 * buffer, and sysmon, which is no M, has one of its own. The buffer is found through the current
 * G's M and that M's P, the way Go's {@code traceAcquire} finds its M through {@code getg()}; on a
 * goroutine {@link Proc#getg} reads the mounted continuation, not a thread-local (DESIGN.md §4).
 * Timestamps are {@code System.nanoTime()} from the trace's start, made strictly increasing per
 * buffer and per M (a tie moves by 1 ns), so that each track of the viewers is in order.
 *
 * <h2>Free when off</h2>
 * A runtime without tracing has {@code Proc.trace == null}, a final field: every emit point is one
 * load and a branch that is never taken. The trace is kept in memory (at most
 * {@link #MAX_EVENTS_PER_BUFFER} events per buffer; beyond that events are counted as dropped)
 * and written when the program ends, after its Ms have left.
 */
final class Trace {
    /** The environment variable that turns tracing on for any program: {@code GMPTRACE=out.json}. */
    static final String ENV = "GMPTRACE";
    /** Events per buffer kept; a program that runs for minutes would otherwise fill the heap. */
    static final int MAX_EVENTS_PER_BUFFER = 1 << 22;
    private static final int CHUNK = 1024;
    private static final EventKind[] KINDS = EventKind.values();

    /** Where finish writes the JSON (and the HTML beside it), or null: kept in memory only. */
    final Path file;
    private final long start = System.nanoTime();
    private volatile Buf[] perP = new Buf[0];
    private final Map<Long, Buf> perM = new ConcurrentHashMap<>();
    private final Buf sysmonBuf = new Buf(-1);

    Trace(Path file) {
        this.file = file;
    }

    /**
     * The trace a runtime records, or null for none: the builder's file wins, else {@code GMPTRACE}
     * from the runtime's environment; {@code inMemory} records without writing a file (tests).
     */
    static Trace open(Path configured, boolean inMemory, Map<String, String> env) {
        if (configured != null) {
            return new Trace(configured);
        }
        String fromEnv = env.get(ENV);
        if (fromEnv != null && !fromEnv.isBlank()) {
            return new Trace(Path.of(fromEnv));
        }
        return inMemory ? new Trace(null) : null;
    }

    /** One buffer: events in chunks of primitive arrays, so that recording allocates once per 1024. */
    static final class Buf {
        final int p;
        private final List<long[]> chunks = new ArrayList<>();
        private final List<String[]> reasons = new ArrayList<>();
        private long[] chunk;
        private String[] chunkReasons;
        private int n = CHUNK;
        private int size;
        long dropped;
        long last = -1;

        Buf(int p) {
            this.p = p;
        }

        void add(long ts, EventKind kind, long m, long g, long arg, String reason) {
            if (size == MAX_EVENTS_PER_BUFFER) {
                dropped++;
                return;
            }
            if (n == CHUNK) {
                chunk = new long[CHUNK * 5];
                chunkReasons = new String[CHUNK];
                chunks.add(chunk);
                reasons.add(chunkReasons);
                n = 0;
            }
            int i = n * 5;
            chunk[i] = ts;
            chunk[i + 1] = kind.ordinal();
            chunk[i + 2] = m;
            chunk[i + 3] = g;
            chunk[i + 4] = arg;
            chunkReasons[n] = reason;
            n++;
            size++;
        }

        void drainTo(List<Event> out) {
            for (int c = 0; c < chunks.size(); c++) {
                long[] a = chunks.get(c);
                String[] r = reasons.get(c);
                int count = c == chunks.size() - 1 ? n : CHUNK;
                for (int k = 0; k < count; k++) {
                    int i = k * 5;
                    out.add(new Event(a[i], KINDS[(int) a[i + 1]], p, a[i + 2], a[i + 3], a[i + 4], r[k]));
                }
            }
        }
    }

    /** Records one event in the buffer of pp, else of mp, else sysmon's. */
    private void emit(M mp, P pp, EventKind kind, long g, long arg, String reason) {
        Buf b = null;
        if (pp != null) {
            Buf[] bs = perP;
            if (pp.id < bs.length) {
                b = bs[pp.id];
            }
        }
        if (b == null) {
            b = mp == null ? sysmonBuf : perM.computeIfAbsent(mp.id, id -> new Buf(-1));
        }
        long ts = Math.max(System.nanoTime() - start, b.last + 1);
        if (mp != null) {
            ts = Math.max(ts, mp.traceLast + 1);
            mp.traceLast = ts;
        }
        b.last = ts;
        b.add(ts, kind, mp == null ? -1 : mp.id, g, arg, reason);
    }

    /** procresize is making nprocs Ps: one buffer each (Go: traceProcsChange via traceGomaxprocs). */
    void procs(int nprocs) {
        Buf[] bs = new Buf[nprocs];
        for (int i = 0; i < nprocs; i++) {
            bs[i] = new Buf(i);
        }
        perP = bs;
        G cur = Proc.getg();
        M mp = cur == null ? null : cur.m;
        emit(mp, mp == null ? null : mp.p, EventKind.ProcsChange, 0, nprocs, "");
    }

    /** mp acquired pp (acquirep) or is about to release it (releasep). */
    void proc(M mp, P pp, EventKind kind) {
        emit(mp, pp, kind, 0, 0, "");
    }

    /**
     * A G changed status (casgstatus): the event Go emits for that transition, recorded by the
     * current M in its P's buffer. Transitions with no event (_Gidle -> _Gdead) record nothing.
     */
    void status(G gp, int oldval, int newval) {
        EventKind kind;
        String reason = "";
        if (oldval == G._Gdead && newval == G._Grunnable) {
            kind = EventKind.GoCreate;
        } else if (oldval == G._Grunnable && newval == G._Grunning) {
            kind = EventKind.GoStart;
        } else if (oldval == G._Grunning && newval == G._Grunnable) {
            kind = EventKind.GoStop;
            reason = Preempt.WAIT_PREEMPTED.equals(gp.waitreason) ? "preempted" : "runtime.Gosched";
        } else if (oldval == G._Grunning && newval == G._Gwaiting) {
            kind = EventKind.GoBlock;
            reason = blockReason(gp.waitreason);
        } else if (oldval == G._Gwaiting && newval == G._Grunnable) {
            kind = EventKind.GoUnblock;
        } else if (oldval == G._Grunning && newval == G._Gdead) {
            kind = EventKind.GoDestroy;
        } else if (oldval == G._Grunning && newval == G._Gsyscall) {
            kind = EventKind.GoSyscallBegin;
        } else if (oldval == G._Gsyscall && newval == G._Grunnable) {
            kind = EventKind.GoSyscallEndBlocked; // exitsyscall0: no P, the G waits for one
        } else {
            return; // _Gsyscall -> _Grunning: syscallExit, which knows whether the P was lost
        }
        G cur = Proc.getg();
        M mp = cur == null ? null : cur.m;
        long by = kind == EventKind.GoCreate || kind == EventKind.GoUnblock
                ? (cur == null || cur.isG0() ? 0 : cur.goid) : 0;
        emit(mp, mp == null ? null : mp.p, kind, gp.goid, by, reason);
    }

    /**
     * gp left a syscall holding a P again (Go: exitsyscall's traceGoSysExit(lostP)): GoSyscallEnd
     * if it is the P it had all along; else GoSyscallEndBlocked and a GoStart on the P it got, as
     * Go writes them (the P was lost at some point, even if it got that same P back).
     */
    void syscallExit(G gp, boolean lostP) {
        M mp = gp.m;
        emit(mp, mp.p, lostP ? EventKind.GoSyscallEndBlocked : EventKind.GoSyscallEnd, gp.goid, 0, "");
        if (lostP) {
            emit(mp, mp.p, EventKind.GoStart, gp.goid, 0, "");
        }
    }

    /** sysmon took pp from an M in a syscall (Go: retake's traceProcSteal); in sysmon's buffer, arg is the P. */
    void procSteal(P pp) {
        emit(null, null, EventKind.ProcSteal, 0, pp.id, "");
    }

    /** sysmon (or a test) asked gp to stop at its next safepoint; arg is the P it runs on. */
    void preemptRequest(G gp) {
        G cur = Proc.getg();
        M mp = cur == null ? null : cur.m;
        M gm = gp.m;
        P victim = gm == null ? null : gm.p;
        emit(mp, mp == null ? null : mp.p, EventKind.PreemptRequest, gp.goid, victim == null ? -1 : victim.id, "");
    }

    /**
     * Go's trace block reason for a wait reason (Go 1.23: the traceBlockReason each gopark passes,
     * traceBlockReasonStrings in traceruntime.go): a nil channel or an empty select blocks
     * "forever", a semaphore (sync.Mutex, WaitGroup) is "sync".
     */
    static String blockReason(String waitreason) {
        return switch (waitreason) {
            case Proc.WAIT_CHAN_RECEIVE -> "chan receive";
            case Proc.WAIT_CHAN_SEND -> "chan send";
            case Proc.WAIT_CHAN_RECEIVE_NIL, Proc.WAIT_CHAN_SEND_NIL, Proc.WAIT_SELECT_NO_CASES -> "forever";
            case Proc.WAIT_SELECT -> "select";
            case Proc.WAIT_SEMACQUIRE, Proc.WAIT_SYNC_MUTEX_LOCK -> "sync";
            case Proc.WAIT_SLEEP -> "sleep";
            default -> "unspecified";
        };
    }

    /** Every event so far, in time order (buffer order among equal times). Call when the program is over. */
    List<Event> events() {
        List<Event> all = new ArrayList<>();
        for (Buf b : perP) {
            b.drainTo(all);
        }
        perM.values().forEach(b -> b.drainTo(all));
        sysmonBuf.drainTo(all);
        all.sort(Comparator.comparingLong(Event::ts));
        return all;
    }

    /** Events that did not fit in their buffer. */
    long dropped() {
        long d = sysmonBuf.dropped;
        for (Buf b : perP) {
            d += b.dropped;
        }
        for (Buf b : perM.values()) {
            d += b.dropped;
        }
        return d;
    }

    /** The program is over: write the JSON to {@link #file} and the HTML timeline beside it. */
    void finish(int gomaxprocs) {
        if (file == null) {
            return;
        }
        List<Event> events = events();
        Path html = htmlPath(file);
        try {
            Path dir = file.toAbsolutePath().getParent();
            if (dir != null) {
                Files.createDirectories(dir);
            }
            try (Writer w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
                ChromeTrace.write(events, gomaxprocs, w);
            }
            try (Writer w = Files.newBufferedWriter(html, StandardCharsets.UTF_8)) {
                HtmlTimeline.write(events, gomaxprocs, w);
            }
        } catch (IOException e) {
            System.err.println("gmptrace: cannot write the trace to " + file + ": " + e);
            return;
        }
        long dropped = dropped();
        if (dropped > 0) {
            System.err.println("gmptrace: " + dropped + " events did not fit in the buffers and are missing");
        }
    }

    /** out.json -> out.html; any other name gets .html appended. */
    static Path htmlPath(Path json) {
        String name = json.getFileName().toString();
        String base = name.endsWith(".json") ? name.substring(0, name.length() - 5) : name;
        return json.resolveSibling(base + ".html");
    }
}
