package gmp.runtime;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.II_Result;

/**
 * The owner's runqget and a thief's last-pass steal race for runnext: exactly one gets it (chapter 04).
 *
 * <p>The ring is empty and runnext holds one G. The owner's runqget takes runnext with a CAS to
 * null; the thief's runqgrab, with stealRunNextG and an empty ring, takes it with the same CAS.
 * Only one CAS can move runnext from the G to null. When the victim P is running, the thief first
 * waits a few microseconds (Go: usleep(3)), betting that the owner is about to run that G itself:
 * compare the two tables.
 *
 * <p>How to run: {@code stress/run -t RunqRunnextSteal}. Results: the owner got it, the thief got
 * it (1 = yes). The tables below were measured on this project's 2-core x86 VM, JDK 25, with
 * {@code stress/run -v}. With a plain read-then-clear of runnext in runqget instead of the CAS,
 * VictimIdle saw "1, 1" in 4% of its samples.
 */
public class RunqRunnextSteal {

    /**
     * The victim is idle: the thief takes runnext at once.
     *
     * <pre>
     *   RESULT  SAMPLES     FREQ      EXPECT  DESCRIPTION
     *     0, 0        0    0.00%   Forbidden  Neither took runnext: the G is lost.
     *     0, 1   27,030   23.16%  Acceptable  The thief took runnext.
     *     1, 0   89,693   76.84%  Acceptable  The owner took runnext.
     *     1, 1        0    0.00%   Forbidden  Both took runnext: the G would run twice.
     * </pre>
     */
    @JCStressTest
    @Outcome(id = "1, 0", expect = ACCEPTABLE, desc = "The owner took runnext.")
    @Outcome(id = "0, 1", expect = ACCEPTABLE, desc = "The thief took runnext.")
    @Outcome(id = "1, 1", expect = FORBIDDEN, desc = "Both took runnext: the G would run twice.")
    @Outcome(id = "0, 0", expect = FORBIDDEN, desc = "Neither took runnext: the G is lost.")
    @State
    public static class VictimIdle {
        final Proc proc = Bench.proc();
        final P victim = new P(0);
        final P thief = new P(1);
        final G next = Bench.g(proc, 1);

        public VictimIdle() {
            victim.status = P._Pidle;
            proc.runqput(victim, next, true);
        }

        @Actor
        public void owner(II_Result r) {
            Proc.Pick pick = proc.runqget(victim);
            r.r1 = pick != null && pick.gp() == next ? 1 : 0;
        }

        @Actor
        public void thief(II_Result r) {
            r.r2 = proc.runqsteal(thief, victim, true) == next ? 1 : 0;
        }
    }

    /**
     * The victim is running: the thief waits RUNNEXT_STEAL_WAIT_NANOS before its CAS, so the owner
     * usually wins.
     *
     * <pre>
     *   RESULT  SAMPLES     FREQ      EXPECT  DESCRIPTION
     *     0, 0        0    0.00%   Forbidden  Neither took runnext: the G is lost.
     *     0, 1   12,606    7.97%  Acceptable  The thief took runnext after its 3 us wait.
     *     1, 0  145,528   92.03%  Acceptable  The owner took runnext while the thief waited.
     *     1, 1        0    0.00%   Forbidden  Both took runnext: the G would run twice.
     * </pre>
     */
    @JCStressTest
    @Outcome(id = "1, 0", expect = ACCEPTABLE, desc = "The owner took runnext while the thief waited.")
    @Outcome(id = "0, 1", expect = ACCEPTABLE, desc = "The thief took runnext after its 3 us wait.")
    @Outcome(id = "1, 1", expect = FORBIDDEN, desc = "Both took runnext: the G would run twice.")
    @Outcome(id = "0, 0", expect = FORBIDDEN, desc = "Neither took runnext: the G is lost.")
    @State
    public static class VictimRunning {
        final Proc proc = Bench.proc();
        final P victim = new P(0);
        final P thief = new P(1);
        final G next = Bench.g(proc, 1);

        public VictimRunning() {
            victim.status = P._Prunning;
            proc.runqput(victim, next, true);
        }

        @Actor
        public void owner(II_Result r) {
            Proc.Pick pick = proc.runqget(victim);
            r.r1 = pick != null && pick.gp() == next ? 1 : 0;
        }

        @Actor
        public void thief(II_Result r) {
            r.r2 = proc.runqsteal(thief, victim, true) == next ? 1 : 0;
        }
    }
}
