package gmp.runtime;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What the chapters' tests build their cases from: runtimes with a given number of Ps and an empty
 * environment (so no GOMAXPROCS or GODEBUG of the machine leaks in), a workbench Proc that is never
 * started, Gs to put in queues, and views of the queues that take nothing out of them.
 */
final class Fixtures {
    private Fixtures() {
    }

    /** A runtime with {@code gomaxprocs} Ps, reading no environment. */
    static GoRuntime runtime(int gomaxprocs) {
        return GoRuntime.builder().gomaxprocs(gomaxprocs).env(Map.of()).build();
    }

    /**
     * A Proc that is never started: a workbench for the queue and free-list functions, which need
     * no M. {@code gomaxprocs} sets the fair share of globrunqget.
     */
    static Proc workbench(int gomaxprocs) {
        Proc proc = runtime(gomaxprocs).proc();
        proc.gomaxprocs = gomaxprocs;
        return proc;
    }

    /** globrunqput(gp) under sched.lock, which every caller of it in the runtime holds. */
    static void globrunqputLocked(Proc proc, G gp) {
        proc.lockSched();
        try {
            proc.globrunqput(gp);
        } finally {
            proc.unlockSched();
        }
    }

    /** {@code n} fresh Gs of proc, with goids firstGoid, firstGoid + 1, ... */
    static List<G> gs(Proc proc, int n, long firstGoid) {
        List<G> list = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            G gp = proc.malg();
            gp.goid = firstGoid + i;
            list.add(gp);
        }
        return list;
    }

    /** The Gs in pp's ring, head to tail, without taking them. */
    static List<G> ring(P pp) {
        List<G> out = new ArrayList<>();
        for (int i = pp.laHead(); i != pp.laTail(); i++) {
            out.add(pp.runq[i & P.MASK]);
        }
        return out;
    }

    /** The Gs on the global run queue, head to tail, without taking them. */
    static List<G> global(Proc proc) {
        List<G> out = new ArrayList<>();
        for (G gp = proc.sched.runqhead; gp != null; gp = gp.schedlink) {
            out.add(gp);
        }
        return out;
    }
}
