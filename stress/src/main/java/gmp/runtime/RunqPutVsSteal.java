package gmp.runtime;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.II_Result;
import org.openjdk.jcstress.infra.results.III_Result;

/**
 * The owner puts a G and takes one while a thief steals: no G is lost or taken twice (chapter 04).
 *
 * <p>The owner is the only one who writes runqtail: it writes the slot, then publishes it with a
 * store-release of tail. Consumers (the owner's runqget and the thieves' runqgrab) move runqhead
 * with a CAS. A thief reads head, then tail, both with load-acquire: if it sees the head the owner's
 * get wrote, it also sees the tail the owner's put wrote before it.
 *
 * <p>How to run: {@code stress/run -t RunqPutVsSteal}. The tables below were measured on this
 * project's 2-core x86 VM, JDK 25, with {@code stress/run -v}.
 *
 * <p>Why a missing release or acquire is not caught here on x86: x86 (TSO) never reorders a store
 * with an earlier store, nor a load with an earlier load. So even with plain accesses the hardware
 * shows the thief a tail at least as new as the head it read, and the forbidden "1, 0" of
 * {@link RoomInRing} cannot come from the CPU; only the JIT can reorder the accesses. Measured on
 * this project's 2-core x86 VM with every head and tail access made plain (the CAS kept):
 * {@code stress/run} (one JVM configuration) passed; {@code stress/run --full -t RoomInRing} saw
 * "1, 0" 457 times in 14.5 million samples, in 20 of its 34 configurations, each with an actor
 * compiled by C2, most with C2's code-motion randomizers (-XX:+StressLCM, -XX:+StressGCM). On ARM
 * the CPU itself reorders. Chapter 09 is about that.
 */
public class RunqPutVsSteal {

    /**
     * Three Gs queued; the owner puts a fourth, then takes one; the thief steals once. Whatever the
     * thief sees (3 or 4 Gs, or 3 after the owner's get), half of it rounded up is two.
     *
     * <pre>
     *   RESULT  SAMPLES     FREQ      EXPECT  DESCRIPTION
     *     1, 0        0    0.00%   Forbidden  The thief read head after the get but tail before the put.
     *     2, 0  150,454  100.00%  Acceptable  The thief took two: half, rounded up, of the 3 or 4 it saw.
     * </pre>
     */
    @JCStressTest
    @Outcome(id = "2, 0", expect = ACCEPTABLE, desc = "The thief took two: half, rounded up, of the 3 or 4 it saw.")
    @Outcome(id = "1, 0", expect = FORBIDDEN, desc = "The thief read head after the get but tail before the put.")
    @Outcome(expect = FORBIDDEN, desc = "A G was lost or taken twice (second number).")
    @State
    public static class RoomInRing {
        static final int N = 3;

        final Proc proc = Bench.proc();
        final P victim = new P(0);
        final P thief = new P(1);
        final G extra = Bench.g(proc, N + 1);
        final int[] byOwner = new int[N + 1];
        final int[] byThief = new int[N + 1];

        public RoomInRing() {
            Bench.queue(proc, victim, N);
        }

        @Actor
        public void owner() {
            proc.runqput(victim, extra, false);
            Proc.Pick pick = proc.runqget(victim);
            if (pick != null) {
                byOwner[(int) pick.gp().goid - 1]++;
            }
        }

        @Actor
        public void thief(II_Result r) {
            r.r1 = Bench.countStolen(proc.runqsteal(thief, victim, false), thief, byThief);
        }

        @Arbiter
        public void check(II_Result r) {
            int[] left = new int[N + 1];
            for (Proc.Pick pick = proc.runqget(victim); pick != null; pick = proc.runqget(victim)) {
                left[(int) pick.gp().goid - 1]++;
            }
            r.r2 = Bench.notTakenOnce(N + 1, byOwner, byThief, left);
        }
    }

    /**
     * A full ring (256 Gs); the owner puts a 257th, which overflows (runqputslow moves the oldest 128
     * and the new G to the global queue with a CAS on head), then takes one; the thief steals once.
     * runqputslow's CAS and the thief's CAS race for the same head: if the thief wins, runqputslow
     * fails, runqput reads again and finds room in the ring. Results: Gs on the global queue, Gs the
     * thief took, Gs not taken exactly once (by the owner, the thief, or left in the queues).
     *
     * <pre>
     *       RESULT  SAMPLES     FREQ      EXPECT  DESCRIPTION
     *    0, 128, 0   11,529   26.36%  Acceptable  The thief stole 128 first; the put found room in the ring.
     *   129, 64, 0   32,200   73.64%  Acceptable  The put overflowed first (129 Gs to global); thief took 64.
     * </pre>
     * With a plain store of head in runqputslow instead of its CAS, this test saw "129, 128, 128" in
     * 9% of its samples: runqputslow and the thief both took the same 128 Gs.
     */
    @JCStressTest
    @Outcome(id = "0, 128, 0", expect = ACCEPTABLE, desc = "The thief stole 128 first; the put found room in the ring.")
    @Outcome(id = "129, 64, 0", expect = ACCEPTABLE, desc = "The put overflowed first (129 Gs to global); thief took 64.")
    @Outcome(expect = FORBIDDEN, desc = "A G was lost or taken twice (last number), or a wrong half.")
    @State
    public static class FullRing {
        static final int N = P.RUNQ_SIZE;

        final Proc proc = Bench.proc();
        final P victim = new P(0);
        final P thief = new P(1);
        final G extra = Bench.g(proc, N + 1);
        final int[] byOwner = new int[N + 1];
        final int[] byThief = new int[N + 1];

        public FullRing() {
            Bench.queue(proc, victim, N);
        }

        @Actor
        public void owner() {
            proc.runqput(victim, extra, false);
            Proc.Pick pick = proc.runqget(victim);
            if (pick != null) {
                byOwner[(int) pick.gp().goid - 1]++;
            }
        }

        @Actor
        public void thief(III_Result r) {
            r.r2 = Bench.countStolen(proc.runqsteal(thief, victim, false), thief, byThief);
        }

        @Arbiter
        public void check(III_Result r) {
            int[] left = new int[N + 1];
            for (Proc.Pick pick = proc.runqget(victim); pick != null; pick = proc.runqget(victim)) {
                left[(int) pick.gp().goid - 1]++;
            }
            int global = 0;
            for (G gp = proc.sched.runqhead; gp != null; gp = gp.schedlink) {
                left[(int) gp.goid - 1]++;
                global++;
            }
            r.r1 = global;
            r.r3 = Bench.notTakenOnce(N + 1, byOwner, byThief, left);
        }
    }
}
