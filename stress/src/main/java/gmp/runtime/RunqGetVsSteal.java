package gmp.runtime;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.III_Result;

/**
 * The owner and a thief take from the same head: every G is taken exactly once (chapter 04).
 *
 * <p>Four Gs are queued. The owner takes them one at a time with runqget until the ring is empty; a
 * thief, at the same time, runs one runqsteal, which grabs half of what it sees, rounded up. Both
 * claim what they read with a CAS on runqhead; whoever loses the CAS reads again. So the thief
 * takes two Gs (it saw three or four), one (it saw one or two) or none (it came too late), the
 * owner takes the rest, and no G is taken twice or left behind.
 *
 * <p>How to run: {@code stress/run -t RunqGetVsSteal}. Results: Gs the owner took, Gs the thief
 * took, Gs not taken exactly once. Measured on this project's 2-core x86 VM, JDK 25,
 * {@code stress/run -v}:
 * <pre>
 *    RESULT  SAMPLES     FREQ      EXPECT  DESCRIPTION
 *   2, 2, 0   87,582   60.26%  Acceptable  The thief saw three or four Gs and took two.
 *   3, 1, 0    1,709    1.18%  Acceptable  The thief saw one or two Gs and took one.
 *   4, 0, 0   56,043   38.56%  Acceptable  The thief came too late: the owner took all four.
 * </pre>
 * With a plain store of head in runqgrab instead of its CAS, this test saw "3, 2, 1", "4, 2, 2",
 * "6, 2, 4" and others in about 0.3% of its samples: the owner and the thief took the same Gs.
 */
@JCStressTest
@Outcome(id = "4, 0, 0", expect = ACCEPTABLE, desc = "The thief came too late: the owner took all four.")
@Outcome(id = "3, 1, 0", expect = ACCEPTABLE, desc = "The thief saw one or two Gs and took one.")
@Outcome(id = "2, 2, 0", expect = ACCEPTABLE, desc = "The thief saw three or four Gs and took two.")
@Outcome(expect = FORBIDDEN, desc = "A G was lost or taken twice (last number), or a wrong half.")
@State
public class RunqGetVsSteal {
    static final int N = 4;

    final Proc proc = Bench.proc();
    final P victim = new P(0);
    final P thief = new P(1);
    final int[] byOwner = new int[N];
    final int[] byThief = new int[N];

    public RunqGetVsSteal() {
        Bench.queue(proc, victim, N);
    }

    @Actor
    public void owner(III_Result r) {
        int n = 0;
        for (Proc.Pick pick = proc.runqget(victim); pick != null; pick = proc.runqget(victim)) {
            byOwner[(int) pick.gp().goid - 1]++;
            n++;
        }
        r.r1 = n;
    }

    @Actor
    public void thief(III_Result r) {
        r.r2 = Bench.countStolen(proc.runqsteal(thief, victim, false), thief, byThief);
    }

    @Arbiter
    public void check(III_Result r) {
        r.r3 = Bench.notTakenOnce(N, byOwner, byThief);
    }
}
