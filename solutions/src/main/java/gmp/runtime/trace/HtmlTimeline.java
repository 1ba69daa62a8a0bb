package gmp.runtime.trace;

import java.io.IOException;
import java.io.Writer;
import java.util.List;

/**
 * Writes a self-contained HTML timeline of a trace: one file, no network, no library, that opens
 * from disk in any browser (docs/en/trace.md#html).
 *
 * <p>A lane per P; each run of a G is a bar coloured by its goid and labelled with it; markers show
 * creations and wake-ups (a line from the waker to where the G next starts), preempt requests and
 * preemptions; hovering shows the details (goid, M, reason, who readied it, where it last was
 * queued); the wheel zooms around the pointer and dragging pans. The page also writes a summary
 * of what it drew into {@code <pre id="summary">}, which a headless browser's {@code --dump-dom}
 * shows: the lane count, the slice count of each G, and any script error.
 */
public final class HtmlTimeline {
    private HtmlTimeline() {
    }

    public static void write(List<Event> events, int gomaxprocs, Writer w) throws IOException {
        w.write(HEAD);
        w.write("const DATA = {gomaxprocs: " + gomaxprocs + ", kinds: [");
        EventKind[] kinds = EventKind.values();
        for (int i = 0; i < kinds.length; i++) {
            w.write((i == 0 ? "" : ",") + "\"" + kinds[i] + "\"");
        }
        w.write("], events: [\n");
        boolean first = true;
        for (Event e : events) {
            w.write((first ? "" : ",\n") + "[" + e.ts() + "," + e.kind().ordinal() + "," + e.p() + "," + e.m() + ","
                    + e.g() + "," + e.arg() + "," + ChromeTrace.quote(e.reason()) + "]");
            first = false;
        }
        w.write("]};\n");
        w.write(SCRIPT);
        w.flush();
    }

    private static final String HEAD = """
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <title>gmp execution trace</title>
            <style>
              body { font: 13px system-ui, sans-serif; margin: 0; background: #fafafa; color: #222; }
              header { padding: 10px 16px; background: #263238; color: #eceff1; }
              header b { font-size: 15px; }
              header span { margin-left: 16px; color: #b0bec5; }
              #view { position: relative; margin: 8px 16px; }
              canvas { background: #fff; border: 1px solid #cfd8dc; display: block; cursor: grab; }
              #tip { position: absolute; pointer-events: none; background: #263238; color: #fff; padding: 6px 8px;
                     border-radius: 4px; white-space: pre; font: 12px ui-monospace, monospace; display: none; }
              #legend { margin: 0 16px; color: #546e7a; }
              #legend i { display: inline-block; width: 10px; height: 10px; margin: 0 4px 0 12px; vertical-align: middle; }
              #summary { margin: 8px 16px; color: #546e7a; font: 12px ui-monospace, monospace; white-space: pre-wrap; }
            </style>
            </head>
            <body>
            <header><b>gmp execution trace</b><span id="stats"></span>
            <span>wheel: zoom &middot; drag: pan &middot; double-click: reset</span></header>
            <div id="view"><canvas id="c"></canvas><div id="tip"></div></div>
            <div id="legend"><i style="background:#2e7d32"></i>created / readied (line to its next start)
            <i style="background:#c62828"></i>preempted<i style="background:#ef6c00"></i>preempt request (sysmon)
            <i style="background:#6a1b9a"></i>moved to another P</div>
            <pre id="summary">summary: not drawn (script error?)</pre>
            <script>
            const ERRORS = [];
            window.onerror = (msg, src, line) => { ERRORS.push(msg + " at line " + line); report(); };
            """;

    private static final String SCRIPT = """
            const K = Object.fromEntries(DATA.kinds.map((k, i) => [k, i]));
            const ev = DATA.events.map(a => ({ts: a[0], kind: DATA.kinds[a[1]], p: a[2], m: a[3], g: a[4], arg: a[5], reason: a[6]}));
            let nP = DATA.gomaxprocs;
            for (const e of ev) nP = Math.max(nP, e.p + 1);
            const slices = [], marks = [], links = [];
            const open = new Map(), lastQueued = new Map(), pendingLink = new Map();
            const t0 = ev.length ? ev[0].ts : 0, tEnd = ev.length ? ev[ev.length - 1].ts + 1 : 1;
            for (const e of ev) {
              if (e.kind === "GoStart" || e.kind === "GoSyscallEnd") {
                const q = lastQueued.get(e.g);
                const s = {g: e.g, p: e.p, m: e.m, start: e.ts, end: tEnd, why: "still running at the end",
                           queued: q ? q.kind + " on P" + q.p + (q.arg ? " by G" + q.arg : "") : "?"};
                if (q && q.p >= 0 && q.p !== e.p && q.kind !== "GoStop") {
                  s.moved = "P" + q.p + " -> P" + e.p;
                  marks.push({ts: e.ts, p: e.p, color: "#6a1b9a", text: "G" + e.g + " moved " + s.moved + " (stolen or via the global queue)"});
                }
                slices.push(s); open.set(e.p, s);
                const l = pendingLink.get(e.g);
                if (l) { links.push({from: l, to: {ts: e.ts, p: e.p}}); pendingLink.delete(e.g); }
              } else if (e.kind === "GoStop" || e.kind === "GoBlock" || e.kind === "GoDestroy" || e.kind === "GoSyscallBegin") {
                const s = open.get(e.p);
                if (s && s.g === e.g) { s.end = e.ts; s.why = e.kind + (e.reason ? " \\"" + e.reason + "\\"" : ""); open.delete(e.p); }
                if (e.kind === "GoStop") lastQueued.set(e.g, e);
                if (e.reason === "preempted") marks.push({ts: e.ts, p: e.p, color: "#c62828", text: "G" + e.g + " preempted at a safepoint"});
              } else if (e.kind === "GoCreate" || e.kind === "GoUnblock" || e.kind === "NetpollWake") {
                lastQueued.set(e.g, e);
                pendingLink.set(e.g, {ts: e.ts, p: e.p});
                marks.push({ts: e.ts, p: e.p, color: "#2e7d32", text: e.kind + " G" + e.g + (e.arg ? " by G" + e.arg : " on g0") + " (M" + e.m + ")"});
              } else if (e.kind === "PreemptRequest") {
                marks.push({ts: e.ts, p: e.arg, color: "#ef6c00", text: "sysmon asks G" + e.g + " on P" + e.arg + " to stop"});
              } else if (e.kind === "ProcStart" || e.kind === "ProcStop") {
                marks.push({ts: e.ts, p: e.p, color: "#90a4ae", small: true, text: e.kind + " P" + e.p + " M" + e.m});
              }
            }
            const canvas = document.getElementById("c"), ctx = canvas.getContext("2d"), tip = document.getElementById("tip");
            const LANE = 44, TOP = 28, LEFT = 56;
            let width = 0, view0 = t0, view1 = tEnd;
            function color(g) { return "hsl(" + ((g * 137.508) % 360) + ",62%," + (g % 2 ? 58 : 48) + "%)"; }
            function x(ts) { return LEFT + (ts - view0) / (view1 - view0) * (width - LEFT - 8); }
            function laneY(p) { return TOP + p * LANE; }
            function fmt(ns) { return ns >= 1e6 ? (ns / 1e6).toFixed(3) + " ms" : ns >= 1e3 ? (ns / 1e3).toFixed(2) + " us" : ns + " ns"; }
            function draw() {
              width = Math.max(600, document.getElementById("view").clientWidth);
              const height = TOP + nP * LANE + 10, dpr = window.devicePixelRatio || 1;
              canvas.width = width * dpr; canvas.height = height * dpr;
              canvas.style.width = width + "px"; canvas.style.height = height + "px";
              ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
              ctx.clearRect(0, 0, width, height);
              ctx.font = "11px system-ui, sans-serif"; ctx.textBaseline = "middle";
              ctx.fillStyle = "#78909c";
              for (let i = 0; i <= 8; i++) {
                const ts = view0 + (view1 - view0) * i / 8, xx = x(ts);
                ctx.fillRect(xx, TOP - 6, 1, nP * LANE + 6);
                ctx.fillText(fmt(ts - t0), Math.min(xx + 2, width - 60), 12);
              }
              for (let p = 0; p < nP; p++) {
                ctx.fillStyle = p % 2 ? "#f5f7f8" : "#ffffff"; ctx.fillRect(LEFT, laneY(p), width - LEFT, LANE);
                ctx.fillStyle = "#263238"; ctx.font = "bold 12px system-ui, sans-serif"; ctx.fillText("P" + p, 12, laneY(p) + LANE / 2);
              }
              ctx.font = "11px system-ui, sans-serif";
              for (const s of slices) {
                const a = Math.max(x(s.start), LEFT), b = Math.min(x(s.end), width);
                if (b < LEFT || a > width) continue;
                const y = laneY(s.p) + 8, w = Math.max(b - a, 1.5);
                ctx.fillStyle = color(s.g); ctx.fillRect(a, y, w, LANE - 16);
                if (w > 22) { ctx.fillStyle = "#fff"; ctx.fillText("G" + s.g, a + 4, y + (LANE - 16) / 2); }
              }
              ctx.lineWidth = 1.2;
              for (const l of links) {
                if (l.from.p < 0) continue;
                ctx.strokeStyle = "rgba(46,125,50,0.55)"; ctx.beginPath();
                ctx.moveTo(x(l.from.ts), laneY(l.from.p) + 4); ctx.lineTo(x(l.to.ts), laneY(l.to.p) + 8); ctx.stroke();
              }
              for (const mk of marks) {
                if (mk.p < 0 || mk.p >= nP) continue;
                const xx = x(mk.ts); if (xx < LEFT || xx > width) continue;
                const y = laneY(mk.p) + 4, r = mk.small ? 2.5 : 4;
                ctx.fillStyle = mk.color; ctx.beginPath(); ctx.moveTo(xx - r, y - r); ctx.lineTo(xx + r, y - r); ctx.lineTo(xx, y + r); ctx.fill();
              }
            }
            function hit(mx, my) {
              for (const mk of marks) {
                if (mk.p >= 0 && Math.abs(x(mk.ts) - mx) < 5 && Math.abs(laneY(mk.p) + 4 - my) < 6) return fmt(mk.ts - t0) + "  " + mk.text;
              }
              for (const s of slices) {
                const y = laneY(s.p) + 8;
                if (my >= y && my <= y + LANE - 16 && mx >= x(s.start) - 1 && mx <= Math.max(x(s.end), x(s.start) + 1.5) + 1) {
                  return "G" + s.g + " on P" + s.p + ", M" + s.m + "\\nran " + fmt(s.end - s.start) + " from " + fmt(s.start - t0) +
                         "\\nqueued by: " + s.queued + (s.moved ? "\\nmoved " + s.moved : "") + "\\nended: " + s.why;
                }
              }
              return null;
            }
            let drag = null;
            canvas.addEventListener("mousemove", ev2 => {
              const r = canvas.getBoundingClientRect(), mx = ev2.clientX - r.left, my = ev2.clientY - r.top;
              if (drag) {
                const dt = (drag.x - mx) / (width - LEFT - 8) * (view1 - view0);
                view0 = drag.v0 + dt; view1 = drag.v1 + dt; draw(); return;
              }
              const t = hit(mx, my);
              if (t) { tip.textContent = t; tip.style.display = "block"; tip.style.left = (mx + 14) + "px"; tip.style.top = (my + 10) + "px"; }
              else tip.style.display = "none";
            });
            canvas.addEventListener("mousedown", e2 => { drag = {x: e2.clientX - canvas.getBoundingClientRect().left, v0: view0, v1: view1}; });
            window.addEventListener("mouseup", () => { drag = null; });
            canvas.addEventListener("dblclick", () => { view0 = t0; view1 = tEnd; draw(); });
            canvas.addEventListener("wheel", e3 => {
              e3.preventDefault();
              const r = canvas.getBoundingClientRect(), mx = e3.clientX - r.left;
              const at = view0 + (mx - LEFT) / (width - LEFT - 8) * (view1 - view0), f = e3.deltaY < 0 ? 0.8 : 1.25;
              view0 = at - (at - view0) * f; view1 = at + (view1 - at) * f;
              if (view1 - view0 < 10) view1 = view0 + 10;
              draw();
            }, {passive: false});
            window.addEventListener("resize", draw);
            function report() {
              const per = new Map();
              for (const s of slices) per.set(s.g, (per.get(s.g) || 0) + 1);
              const list = [...per.entries()].sort((a, b) => a[0] - b[0]).map(([g, n]) => "G" + g + "=" + n).join(" ");
              document.getElementById("summary").textContent = "lanes: " + nP + "\\nslices: " + slices.length +
                "\\nslices per goroutine: " + list + "\\nevents: " + ev.length + "\\nerrors: " + (ERRORS.length ? ERRORS.join("; ") : "none");
            }
            document.getElementById("stats").textContent = nP + " Ps, " + slices.length + " runs of " +
              new Set(slices.map(s => s.g)).size + " goroutines, " + fmt(tEnd - t0);
            draw();
            report();
            </script>
            </body>
            </html>
            """;
}
