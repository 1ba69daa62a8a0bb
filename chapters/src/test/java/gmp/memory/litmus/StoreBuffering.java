package gmp.memory.litmus;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE_INTERESTING;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import java.lang.invoke.VarHandle;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.II_Result;

/**
 * SB, store buffering (Dekker's core): each thread writes its own variable, then reads the other's.
 * Can both read 0? In every interleaving one write comes first, so sequential consistency says no;
 * a store buffer says yes: each CPU's store waits in its buffer while its load goes ahead.
 *
 * <pre>
 *   t1: x = 1; r1 = y           t2: y = 1; r2 = x
 * </pre>
 *
 * <p>This is the one reordering x86 (TSO) does in hardware: a load may pass an earlier store to
 * another address. So {@code 0, 0} shows here with plain fields, and with release/acquire too:
 * release orders what comes before a store, acquire what comes after a load, and neither orders a
 * store before a later load. Only volatile (sequentially consistent) forbids it; on x86 that costs
 * the {@code lock addl} after every volatile store (docs/en/09-memory-model.md#tso).
 * How to run and how the tables were measured: see {@link MessagePassing}.
 */
public class StoreBuffering {

    /**
     * Plain fields.
     * <pre>
     *   RESULT    SAMPLES  EXPECT
     *     0, 0          8  Interesting
     *     0, 1         28  Acceptable
     *     1, 0         82  Acceptable
     *     1, 1          0  Acceptable
     * </pre>
     */
    @JCStressTest
    @Outcome(id = {"0, 1", "1, 0", "1, 1"}, expect = ACCEPTABLE, desc = "Some interleaving of the four accesses explains it.")
    @Outcome(id = "0, 0", expect = ACCEPTABLE_INTERESTING, desc = "Both loads passed the stores before them: the store buffer at work.")
    @State
    public static class Plain {
        int x;
        int y;

        @Actor
        public void t1(II_Result r) {
            x = 1;
            r.r1 = y;
        }

        @Actor
        public void t2(II_Result r) {
            y = 1;
            r.r2 = x;
        }
    }

    /**
     * Stores with setRelease, loads with getAcquire: still allowed, and seen.
     * <pre>
     *   RESULT    SAMPLES  EXPECT
     *     0, 0         46  Interesting
     *     0, 1    362,751  Acceptable
     *     1, 0     42,433  Acceptable
     *     1, 1      2,341  Acceptable
     * </pre>
     */
    @JCStressTest
    @Outcome(id = {"0, 1", "1, 0", "1, 1"}, expect = ACCEPTABLE, desc = "Some interleaving of the four accesses explains it.")
    @Outcome(id = "0, 0", expect = ACCEPTABLE_INTERESTING, desc = "Both loads passed the stores before them: release/acquire does not forbid it.")
    @State
    public static class ReleaseAcquire {
        static final VarHandle X = Handles.field(ReleaseAcquire.class, "x");
        static final VarHandle Y = Handles.field(ReleaseAcquire.class, "y");
        int x;
        int y;

        @Actor
        public void t1(II_Result r) {
            X.setRelease(this, 1);
            r.r1 = (int) Y.getAcquire(this);
        }

        @Actor
        public void t2(II_Result r) {
            Y.setRelease(this, 1);
            r.r2 = (int) X.getAcquire(this);
        }
    }

    /**
     * Volatile fields: sequentially consistent, so {@code 0, 0} is forbidden.
     * <pre>
     *   RESULT    SAMPLES  EXPECT
     *     0, 0          0  Forbidden
     *     0, 1    336,928  Acceptable
     *     1, 0     39,910  Acceptable
     *     1, 1         13  Acceptable
     * </pre>
     */
    @JCStressTest
    @Outcome(id = {"0, 1", "1, 0", "1, 1"}, expect = ACCEPTABLE, desc = "Some interleaving of the four accesses explains it.")
    @Outcome(id = "0, 0", expect = FORBIDDEN, desc = "Both loads passed the stores before them: volatile forbids it.")
    @State
    public static class Volatile {
        volatile int x;
        volatile int y;

        @Actor
        public void t1(II_Result r) {
            x = 1;
            r.r1 = y;
        }

        @Actor
        public void t2(II_Result r) {
            y = 1;
            r.r2 = x;
        }
    }
}
