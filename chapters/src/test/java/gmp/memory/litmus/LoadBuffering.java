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
 * LB, load buffering: each thread reads one variable, then writes the other. Can both reads see the
 * other thread's later write ({@code 1, 1})? Only if a store became visible before the load that
 * precedes it in program order.
 *
 * <pre>
 *   t1: r1 = x; y = 1           t2: r2 = y; x = 1
 * </pre>
 *
 * <p>The JMM allows {@code 1, 1} for plain fields (JLS 17.4, Example 17.4-1 is this program), and
 * ARM and POWER can show it. x86 never does: a store never passes an earlier load (TSO), and the
 * JIT has no reason to hoist these stores. Reading with getAcquire forbids it: nothing after an
 * acquire load moves before it (docs/en/09-memory-model.md#litmus).
 * How to run and how the tables were measured: see {@link MessagePassing}.
 */
public class LoadBuffering {

    /**
     * Plain fields.
     * <pre>
     *   RESULT    SAMPLES  EXPECT
     *     0, 0     59,704  Acceptable
     *     0, 1    325,762  Acceptable
     *     1, 0    104,025  Acceptable
     *     1, 1          0  Interesting
     * </pre>
     */
    @JCStressTest
    @Outcome(id = {"0, 0", "0, 1", "1, 0"}, expect = ACCEPTABLE, desc = "Some interleaving of the four accesses explains it.")
    @Outcome(id = "1, 1", expect = ACCEPTABLE_INTERESTING, desc = "Each read saw the other thread's later write: allowed for plain fields.")
    @State
    public static class Plain {
        int x;
        int y;

        @Actor
        public void t1(II_Result r) {
            r.r1 = x;
            y = 1;
        }

        @Actor
        public void t2(II_Result r) {
            r.r2 = y;
            x = 1;
        }
    }

    /**
     * Loads with getAcquire, stores with setRelease: {@code 1, 1} is forbidden.
     * <pre>
     *   RESULT    SAMPLES  EXPECT
     *     0, 0      4,067  Acceptable
     *     0, 1    246,978  Acceptable
     *     1, 0    125,806  Acceptable
     *     1, 1          0  Forbidden
     * </pre>
     */
    @JCStressTest
    @Outcome(id = {"0, 0", "0, 1", "1, 0"}, expect = ACCEPTABLE, desc = "Some interleaving of the four accesses explains it.")
    @Outcome(id = "1, 1", expect = FORBIDDEN, desc = "Each read saw the other thread's later write: acquire forbids it.")
    @State
    public static class ReleaseAcquire {
        static final VarHandle X = Handles.field(ReleaseAcquire.class, "x");
        static final VarHandle Y = Handles.field(ReleaseAcquire.class, "y");
        int x;
        int y;

        @Actor
        public void t1(II_Result r) {
            r.r1 = (int) X.getAcquire(this);
            Y.setRelease(this, 1);
        }

        @Actor
        public void t2(II_Result r) {
            r.r2 = (int) Y.getAcquire(this);
            X.setRelease(this, 1);
        }
    }

    /**
     * Volatile fields: forbidden.
     * <pre>
     *   RESULT    SAMPLES  EXPECT
     *     0, 0         51  Acceptable
     *     0, 1     44,270  Acceptable
     *     1, 0     10,828  Acceptable
     *     1, 1          0  Forbidden
     * </pre>
     */
    @JCStressTest
    @Outcome(id = {"0, 0", "0, 1", "1, 0"}, expect = ACCEPTABLE, desc = "Some interleaving of the four accesses explains it.")
    @Outcome(id = "1, 1", expect = FORBIDDEN, desc = "Each read saw the other thread's later write: volatile forbids it.")
    @State
    public static class Volatile {
        volatile int x;
        volatile int y;

        @Actor
        public void t1(II_Result r) {
            r.r1 = x;
            y = 1;
        }

        @Actor
        public void t2(II_Result r) {
            r.r2 = y;
            x = 1;
        }
    }
}
