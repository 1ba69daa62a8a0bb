package gmp.runtime;

import java.io.OutputStream;
import java.io.PrintStream;
import java.util.Map;

/**
 * A workbench for the run-queue races: a reference runtime that never starts, and Ps and Gs made
 * by hand, as the chapter tests make them. Each jcstress state builds its own, so that no two
 * states share a G.
 */
final class Bench {
    private Bench() {
    }

    /** A Proc that never starts (one P's worth of config; its Ps are made with new P(id)). */
    static Proc proc() {
        Proc proc = GoRuntime.builder().gomaxprocs(1).env(Map.of())
                .traceTo(new PrintStream(OutputStream.nullOutputStream())).build().proc();
        proc.gomaxprocs = 1;
        return proc;
    }

    /**
     * Queues n fresh Gs, goids 1..n, on pp's ring. The indices start two slots before the end of the
     * array, so the Gs wrap from slot 255 to slot 0 and index arithmetic is exercised, not just slots
     * 0..n.
     */
    static void queue(Proc proc, P pp, int n) {
        int start = P.RUNQ_SIZE - 2;
        pp.srTail(start);
        pp.casRelHead(0, start);
        for (int i = 0; i < n; i++) {
            proc.runqput(pp, g(proc, i + 1), false);
        }
    }

    /** A fresh runnable-to-be G with the given goid. */
    static G g(Proc proc, long goid) {
        G gp = proc.malg();
        gp.goid = goid;
        return gp;
    }

    /** Counts gp (if not null) and every G left in thief's ring into seen[goid - 1]; returns how many. */
    static int countStolen(G gp, P thief, int[] seen) {
        if (gp == null) {
            return 0;
        }
        int n = 1;
        seen[(int) gp.goid - 1]++;
        for (int i = thief.laHead(); i != thief.laTail(); i++) {
            seen[(int) thief.runq[i & P.MASK].goid - 1]++;
            n++;
        }
        return n;
    }

    /** How many of the n Gs were not taken exactly once, across the actors' tallies. */
    static int notTakenOnce(int n, int[]... tallies) {
        int bad = 0;
        for (int i = 0; i < n; i++) {
            int times = 0;
            for (int[] t : tallies) {
                times += t[i];
            }
            if (times != 1) {
                bad++;
            }
        }
        return bad;
    }
}
