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
 * CoRR, read-read coherence: one thread writes x once; the other reads x twice. Can the second read
 * see an older value than the first ({@code 1, 0})? Every CPU keeps one variable coherent, so
 * hardware never shows it; the JIT can, for plain fields, by reordering or merging the two loads.
 *
 * <pre>
 *   writer: x = 1               reader: r1 = x; r2 = x
 * </pre>
 *
 * <p>The reader reads through two references to the same object, as jcstress's own sample does, so
 * that C2 cannot prove the two loads are of one location and merge them. The JMM allows {@code 1, 0}
 * for plain fields (plain accesses are not coherent); opaque, the weakest mode above plain, forbids
 * it: every opaque access of one variable is in one order (docs/en/09-memory-model.md#litmus).
 * How to run and how the tables were measured: see {@link MessagePassing}.
 */
public class Coherence {

    /** The variable, in an object of its own, so that the reader can hold two references to it. */
    static final class Holder {
        static final VarHandle X = Handles.field(Holder.class, "x");
        int x;
    }

    /**
     * Plain field.
     * <pre>
     *   RESULT    SAMPLES  EXPECT
     *     0, 0      3,217  Acceptable
     *     0, 1          0  Acceptable
     *     1, 0          0  Interesting
     *     1, 1     42,787  Acceptable
     * </pre>
     */
    @JCStressTest
    @Outcome(id = {"0, 0", "0, 1", "1, 1"}, expect = ACCEPTABLE, desc = "The reads saw the values in the order they were written.")
    @Outcome(id = "1, 0", expect = ACCEPTABLE_INTERESTING, desc = "The second read saw an older value than the first: allowed for plain fields.")
    @State
    public static class Plain {
        final Holder h1 = new Holder();
        final Holder h2 = h1;

        @Actor
        public void writer() {
            h1.x = 1;
        }

        @Actor
        public void reader(II_Result r) {
            Holder a = h1;
            Holder b = h2;
            r.r1 = a.x;
            r.r2 = b.x;
        }
    }

    /**
     * Opaque accesses: forbidden.
     * <pre>
     *   RESULT    SAMPLES  EXPECT
     *     0, 0     37,576  Acceptable
     *     0, 1         31  Acceptable
     *     1, 0          0  Forbidden
     *     1, 1    349,484  Acceptable
     * </pre>
     */
    @JCStressTest
    @Outcome(id = {"0, 0", "0, 1", "1, 1"}, expect = ACCEPTABLE, desc = "The reads saw the values in the order they were written.")
    @Outcome(id = "1, 0", expect = FORBIDDEN, desc = "The second read saw an older value than the first: opaque forbids it.")
    @State
    public static class Opaque {
        final Holder h1 = new Holder();
        final Holder h2 = h1;

        @Actor
        public void writer() {
            Holder.X.setOpaque(h1, 1);
        }

        @Actor
        public void reader(II_Result r) {
            Holder a = h1;
            Holder b = h2;
            r.r1 = (int) Holder.X.getOpaque(a);
            r.r2 = (int) Holder.X.getOpaque(b);
        }
    }
}
