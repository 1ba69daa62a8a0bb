package gmp.runtime;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.III_Result;
import org.openjdk.jcstress.infra.results.II_Result;

/**
 * The pollDesc's one race (chapter 08): a goroutine committing its park against the poller readying
 * it. No wake-up may be lost and none may happen twice.
 *
 * <p>{@link Commit}: the reader has published pdWait in netpollblock and is on g0, in gopark's unlock
 * function (netpollblockcommit: CAS pdWait -> G); the poller reports the socket readable at the same
 * time (netpollunblock with ioready: pdWait or G -> pdReady). Either the commit wins and the poller
 * takes the G to ready it, or the poller wins, finds pdWait, readies nobody, and the commit's CAS
 * fails so the park is cancelled. "Parked and nobody readies it" is the lost wake-up; "not parked,
 * yet readied" would goready a running G.
 *
 * <p>{@link TwoNotifiers}: a parked reader, and I/O readiness (netpoll) racing its deadline's timer
 * (netpolldeadlineimpl: netpollunblock without ioready). Exactly one of them gets the G.
 *
 * <p>How to run: {@code stress/run -t PollDescParkVsReady}. Results: Commit: the park committed (1),
 * the poller got the G (1), rg afterwards (1 pdReady, 2 pdWait, 3 a G). TwoNotifiers: I/O got the G,
 * the deadline got it. The tables below were measured on this project's 2-core x86 VM, JDK 25, with
 * {@code stress/run -t PollDescParkVsReady -v}. With netpollblockcommit storing the G instead of
 * CASing it from pdWait (the lost wake-up of docs/en/08-netpoll.md#netpollblock), Commit saw
 * "1, 0, 3" (parked, nobody to wake it) in 35.75% of its samples (36,873 of 103,140).
 */
public class PollDescParkVsReady {

    static int state(PollDesc pd) {
        Object v = pd.lvState(PollDesc.MODE_R);
        return v == PollDesc.pdNil ? 0 : v == PollDesc.pdReady ? 1 : v == PollDesc.pdWait ? 2 : 3;
    }

    /**
     * The commit against readiness.
     *
     * <pre>
     *     RESULT  SAMPLES     FREQ      EXPECT  DESCRIPTION
     *    0, 0, 1    9,146   38.42%  Acceptable  The poller came first: pdReady, nobody readied; the commit failed.
     *   0, 1, .*        0    0.00%   Forbidden  Readied although the park never committed.
     *    1, 0, 3        0    0.00%   Forbidden  Parked and nobody readies it: a lost wake-up.
     *    1, 1, 1   14,661   61.58%  Acceptable  Committed, then the poller took the G to ready it; rg pdReady.
     * </pre>
     */
    @JCStressTest
    @Outcome(id = "1, 1, 1", expect = ACCEPTABLE, desc = "Committed, then the poller took the G to ready it; rg pdReady.")
    @Outcome(id = "0, 0, 1", expect = ACCEPTABLE, desc = "The poller came first: pdReady, nobody readied; the commit failed, the park is cancelled.")
    @Outcome(id = "1, 0, 3", expect = FORBIDDEN, desc = "Parked and nobody readies it: a lost wake-up.")
    @Outcome(id = "0, 1, .*", expect = FORBIDDEN, desc = "Readied although the park never committed: goready of a running G.")
    @Outcome(expect = FORBIDDEN, desc = "Any other state is a broken semaphore.")
    @State
    public static class Commit {
        final Proc proc = Bench.proc();
        final PollDesc pd = new PollDesc(proc, null);
        final G gp = Bench.g(proc, 1);

        public Commit() {
            pd.svState(PollDesc.MODE_R, PollDesc.pdWait);
        }

        @Actor
        public void parker(III_Result r) {
            r.r1 = pd.commitRead.test(gp) ? 1 : 0;
        }

        @Actor
        public void poller(III_Result r) {
            r.r2 = pd.netpollunblock(PollDesc.MODE_R, true) == gp ? 1 : 0;
        }

        @Arbiter
        public void after(III_Result r) {
            r.r3 = state(pd);
        }
    }

    /**
     * Readiness against the deadline, for one parked reader.
     *
     * <pre>
     *   RESULT  SAMPLES     FREQ      EXPECT  DESCRIPTION
     *     0, 0        0    0.00%   Forbidden  Neither readied it: a lost wake-up.
     *     0, 1   39,593   33.79%  Acceptable  The deadline readied the reader.
     *     1, 0   77,581   66.21%  Acceptable  I/O readied the reader.
     *     1, 1        0    0.00%   Forbidden  Both readied it: the G would be made runnable twice.
     * </pre>
     */
    @JCStressTest
    @Outcome(id = "1, 0", expect = ACCEPTABLE, desc = "I/O readied the reader.")
    @Outcome(id = "0, 1", expect = ACCEPTABLE, desc = "The deadline readied the reader.")
    @Outcome(id = "1, 1", expect = FORBIDDEN, desc = "Both readied it: the G would be made runnable twice.")
    @Outcome(id = "0, 0", expect = FORBIDDEN, desc = "Neither readied it: a lost wake-up.")
    @State
    public static class TwoNotifiers {
        final Proc proc = Bench.proc();
        final PollDesc pd = new PollDesc(proc, null);
        final G gp = Bench.g(proc, 1);

        public TwoNotifiers() {
            pd.svState(PollDesc.MODE_R, gp);
        }

        @Actor
        public void io(II_Result r) {
            r.r1 = pd.netpollunblock(PollDesc.MODE_R, true) == gp ? 1 : 0;
        }

        @Actor
        public void deadline(II_Result r) {
            r.r2 = pd.netpollunblock(PollDesc.MODE_R, false) == gp ? 1 : 0;
        }
    }
}
