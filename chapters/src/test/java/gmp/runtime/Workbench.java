package gmp.runtime;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The bench of the tests that call sysmon's and the syscall functions themselves (Ch06SysmonTest,
 * Ch07SyscallTest): Procs that are never started, whose Ps, Ms and Gs the test sets up by hand, and
 * whose clock is the {@code now} the test passes to retake or sysmonSleep (chapter 06's injected
 * clock). No thread runs and nothing waits, so each rule is checked at its exact boundary.
 *
 * <p>A test class registers one per test ({@code @RegisterExtension final Workbench bench = new
 * Workbench();}). After each test it drops the preemption requests the test's Procs left: a request
 * raises a JVM-wide poll word (Preempt), which no later test should pay for.
 */
final class Workbench implements AfterEachCallback {
    private final List<Proc> procs = new ArrayList<>();

    /**
     * A Proc that is never started, with {@code n} Ps, all {@code _Pidle}. The last {@code idle} of
     * them, P{n-idle}..P{n-1}, are on the idle list (P{n-idle} at its head) and counted in npidle; the
     * others are for the test to make busy ({@link #run}).
     */
    Proc proc(int n, int idle) {
        return proc(n, idle, Map.of());
    }

    /** Like {@link #proc(int, int)}, with {@code env} as the environment (GODEBUG, say). */
    Proc proc(int n, int idle, Map<String, String> env) {
        Proc proc = GoRuntime.builder().gomaxprocs(n).env(env).build().proc();
        proc.gomaxprocs = n;
        proc.allp = new P[n];
        for (int i = 0; i < n; i++) {
            proc.allp[i] = new P(i);
            proc.allp[i].status = P._Pidle;
        }
        proc.lockSched();
        try {
            for (int i = n - 1; i >= n - idle; i--) {
                proc.pidleput(proc.allp[i]);
            }
        } finally {
            proc.unlockSched();
        }
        procs.add(proc);
        return proc;
    }

    /** A sysmon, not started, of a Proc that is never started, with {@code n} Ps, all idle. */
    Sysmon sysmon(int n) {
        return sysmon(n, Map.of());
    }

    /** Like {@link #sysmon(int)}, with {@code env} as the environment. */
    Sysmon sysmon(int n, Map<String, String> env) {
        return new Sysmon(proc(n, n, env));
    }

    /**
     * Makes pp busy: an M of its own (id 100 + pp.id) runs a new G (goid) on it, and pp leaves the
     * idle list if it was on it. Returns the G.
     */
    static G run(Proc proc, P pp, long goid) {
        unidle(proc, pp);
        M mp = new M(proc, 100 + pp.id);
        G gp = proc.malg();
        gp.goid = goid;
        gp.setStatus(G._Grunning);
        mp.p = pp;
        mp.curg = gp;
        gp.m = mp;
        pp.m = mp;
        pp.status = P._Prunning;
        return gp;
    }

    /** Like {@link #run(Proc, P, long)}, in time slice {@code schedtick} of pp. */
    static G run(Proc proc, P pp, long goid, long schedtick) {
        G gp = run(proc, pp, goid);
        pp.schedtick = schedtick;
        return gp;
    }

    /**
     * Runs {@code body} on this thread as M mp (minit ... unminit), for the runtime functions that
     * find their M through the current thread, as on g0 (releasep, acquirep, stopm).
     */
    static void asM(M mp, Runnable body) {
        mp.minit();
        try {
            body.run();
        } finally {
            mp.unminit();
        }
    }

    /** Takes pp off the idle list, wherever it is in it, if it is there. */
    private static void unidle(Proc proc, P pp) {
        proc.lockSched();
        try {
            P prev = null;
            for (P p = proc.sched.pidle; p != null; prev = p, p = p.link) {
                if (p == pp) {
                    if (prev == null) {
                        proc.sched.pidle = pp.link;
                    } else {
                        prev.link = pp.link;
                    }
                    pp.link = null;
                    proc.sched.npidle.decrementAndGet();
                    return;
                }
            }
        } finally {
            proc.unlockSched();
        }
    }

    @Override
    public void afterEach(ExtensionContext context) {
        procs.forEach(Preempt::exited);
        procs.clear();
    }
}
