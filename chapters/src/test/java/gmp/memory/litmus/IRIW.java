package gmp.memory.litmus;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE_INTERESTING;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import java.lang.invoke.VarHandle;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.IIII_Result;

/**
 * IRIW, independent reads of independent writes: two writers, each writing its own variable, and
 * two readers reading both in opposite orders. Can the readers disagree on which write came first
 * ({@code 1, 0, 1, 0}: the first saw x but not y, the second y but not x)?
 *
 * <pre>
 *   w1: x = 1     w2: y = 1     r1: r1 = x; r2 = y     r2: r3 = y; r4 = x
 * </pre>
 *
 * <p>Only a machine whose stores reach different CPUs at different times (POWER; not
 * "multi-copy-atomic") shows it. x86 is multi-copy-atomic: a store reaches every other CPU at once,
 * from the cache. The JMM allows it for plain and for release/acquire accesses (that is the one
 * thing acquire/release gives up against volatile) and forbids it for volatile: all volatile
 * accesses form one total order that every thread sees (docs/en/09-memory-model.md#litmus). Four
 * actors on two CPUs take turns, so this machine samples few real overlaps.
 * How to run and how the tables were measured: see {@link MessagePassing}.
 */
public class IRIW {

    /**
     * Plain fields.
     * <p>Not run here: jcstress schedules four actors only on four or more CPUs, and this
     * machine has two.
     */
    @JCStressTest
    @Outcome(id = "1, 0, 1, 0", expect = ACCEPTABLE_INTERESTING, desc = "The readers saw the two writes in opposite orders: allowed for plain fields.")
    @Outcome(expect = ACCEPTABLE, desc = "The readers agree on some order of the two writes.")
    @State
    public static class Plain {
        int x;
        int y;

        @Actor
        public void w1() {
            x = 1;
        }

        @Actor
        public void w2() {
            y = 1;
        }

        @Actor
        public void r1(IIII_Result r) {
            r.r1 = x;
            r.r2 = y;
        }

        @Actor
        public void r2(IIII_Result r) {
            r.r3 = y;
            r.r4 = x;
        }
    }

    /**
     * Stores with setRelease, loads with getAcquire: still allowed.
     * <p>Not run here: jcstress schedules four actors only on four or more CPUs, and this
     * machine has two.
     */
    @JCStressTest
    @Outcome(id = "1, 0, 1, 0", expect = ACCEPTABLE_INTERESTING, desc = "The readers saw the two writes in opposite orders: release/acquire allows it.")
    @Outcome(expect = ACCEPTABLE, desc = "The readers agree on some order of the two writes.")
    @State
    public static class ReleaseAcquire {
        static final VarHandle X = Handles.field(ReleaseAcquire.class, "x");
        static final VarHandle Y = Handles.field(ReleaseAcquire.class, "y");
        int x;
        int y;

        @Actor
        public void w1() {
            X.setRelease(this, 1);
        }

        @Actor
        public void w2() {
            Y.setRelease(this, 1);
        }

        @Actor
        public void r1(IIII_Result r) {
            r.r1 = (int) X.getAcquire(this);
            r.r2 = (int) Y.getAcquire(this);
        }

        @Actor
        public void r2(IIII_Result r) {
            r.r3 = (int) Y.getAcquire(this);
            r.r4 = (int) X.getAcquire(this);
        }
    }

    /**
     * Volatile fields: forbidden.
     * <p>Not run here: jcstress schedules four actors only on four or more CPUs, and this
     * machine has two.
     */
    @JCStressTest
    @Outcome(id = "1, 0, 1, 0", expect = FORBIDDEN, desc = "The readers saw the two writes in opposite orders: volatile forbids it.")
    @Outcome(expect = ACCEPTABLE, desc = "The readers agree on some order of the two writes.")
    @State
    public static class Volatile {
        volatile int x;
        volatile int y;

        @Actor
        public void w1() {
            x = 1;
        }

        @Actor
        public void w2() {
            y = 1;
        }

        @Actor
        public void r1(IIII_Result r) {
            r.r1 = x;
            r.r2 = y;
        }

        @Actor
        public void r2(IIII_Result r) {
            r.r3 = y;
            r.r4 = x;
        }
    }
}
