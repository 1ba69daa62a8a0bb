package gmp.memory.litmus;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE_INTERESTING;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.II_Result;
import org.openjdk.jcstress.infra.results.J_Result;

/**
 * Access atomicity, the seed note's "a write of a variable is not necessarily atomic because of its
 * size": can a reader see half of one write and half of another?
 *
 * <p>Java's answer (JLS 17.7): a reference, an int, anything of 32 bits or less is always read
 * whole; a plain {@code long} or {@code double} may be written as two 32-bit halves, a volatile one
 * may not. On x86-64 every JVM writes a long in one instruction, so the plain long never tears
 * here; on a 32-bit JVM it can. A value of two fields is two writes whatever their mode: a reader
 * that runs between them sees a torn value, and volatile fields do not help. That is the Java
 * counterpart of Go's torn interface or slice header (two or three words): in Go the torn value can
 * pair a type with the wrong data and corrupt memory; in Java it is two correct ints that do not
 * belong together. The cure is one reference to an immutable value (final fields): the reader gets
 * the old value or the new one, never a mix (docs/en/09-memory-model.md#atomicity).
 * How to run and how the tables were measured: see {@link MessagePassing}.
 */
public class AccessAtomicity {

    /**
     * A plain long written all ones: the JMM allows a torn read, x86-64 never does one.
     * <pre>
     *   RESULT    SAMPLES  EXPECT
     *     -1    298,554  Acceptable
     *      0     78,297  Acceptable
     * </pre>
     */
    @JCStressTest
    @Outcome(id = {"0", "-1"}, expect = ACCEPTABLE, desc = "The reader saw the whole old value or the whole new one.")
    @Outcome(expect = ACCEPTABLE_INTERESTING, desc = "The reader saw half of the write: allowed for a plain long (JLS 17.7).")
    @State
    public static class PlainLong {
        long v;

        @Actor
        public void writer() {
            v = -1L;
        }

        @Actor
        public void reader(J_Result r) {
            r.r1 = v;
        }
    }

    /**
     * A volatile long: every read is whole.
     * <pre>
     *   RESULT    SAMPLES  EXPECT
     *     -1     42,078  Acceptable
     *      0     14,989  Acceptable
     * </pre>
     */
    @JCStressTest
    @Outcome(id = {"0", "-1"}, expect = ACCEPTABLE, desc = "The reader saw the whole old value or the whole new one.")
    @Outcome(expect = FORBIDDEN, desc = "The reader saw half of the write: forbidden for a volatile long.")
    @State
    public static class VolatileLong {
        volatile long v;

        @Actor
        public void writer() {
            v = -1L;
        }

        @Actor
        public void reader(J_Result r) {
            r.r1 = v;
        }
    }

    /** A value of two words, like a Go interface (type, data) or a slice header. */
    static final class Pair {
        int a;
        int b;
    }

    /**
     * Two plain fields written one after the other: the reader sees a torn pair whenever its reads
     * straddle a write, no reordering needed.
     * <pre>
     *   RESULT    SAMPLES  EXPECT
     *     0, 0     88,552  Acceptable
     *     0, 1          0  Interesting
     *     1, 0          1  Interesting
     *     1, 1    329,258  Acceptable
     * </pre>
     */
    @JCStressTest
    @Outcome(id = {"0, 0", "1, 1"}, expect = ACCEPTABLE, desc = "The reader saw the whole old pair or the whole new one.")
    @Outcome(id = {"1, 0", "0, 1"}, expect = ACCEPTABLE_INTERESTING, desc = "The reader saw a torn pair: half old, half new.")
    @State
    public static class TwoFieldsPlain {
        final Pair p = new Pair();

        @Actor
        public void writer() {
            p.a = 1;
            p.b = 1;
        }

        @Actor
        public void reader(II_Result r) {
            r.r1 = p.a;
            r.r2 = p.b;
        }
    }

    /** The same pair with volatile fields: each field is atomic, the pair is not. */
    static final class VolatilePair {
        volatile int a;
        volatile int b;
    }

    /**
     * Volatile fields: each field is read whole and in order, and the pair still tears, because a
     * reader that runs between the two writes sees one new field and one old one. Both torn
     * outcomes come from plain interleavings ({@code 0, 1}: a read before the writer started,
     * b read after it ended), so no access mode can forbid them; only one write can.
     * <pre>
     *   RESULT    SAMPLES  EXPECT
     *     0, 0     10,545  Acceptable
     *     0, 1          0  Interesting
     *     1, 0          2  Interesting
     *     1, 1     46,138  Acceptable
     * </pre>
     */
    @JCStressTest
    @Outcome(id = {"0, 0", "1, 1"}, expect = ACCEPTABLE, desc = "The reader saw the whole old pair or the whole new one.")
    @Outcome(id = {"1, 0", "0, 1"}, expect = ACCEPTABLE_INTERESTING, desc = "The reader saw a torn pair: volatile fields do not make a pair atomic.")
    @State
    public static class TwoFieldsVolatile {
        final VolatilePair p = new VolatilePair();

        @Actor
        public void writer() {
            p.a = 1;
            p.b = 1;
        }

        @Actor
        public void reader(II_Result r) {
            r.r1 = p.a;
            r.r2 = p.b;
        }
    }

    /** An immutable pair: its final fields are seen whole by anyone who sees the reference. */
    record Frozen(int a, int b) {
    }

    /**
     * One plain reference to an immutable pair, replaced by a new one: a reference is never torn,
     * and final fields are safe to publish even through a race (JLS 17.5).
     * <pre>
     *   RESULT    SAMPLES  EXPECT
     *     0, 0    145,531  Acceptable
     *     1, 1    405,400  Acceptable
     * </pre>
     */
    @JCStressTest
    @Outcome(id = {"0, 0", "1, 1"}, expect = ACCEPTABLE, desc = "The reader saw the whole old pair or the whole new one.")
    @Outcome(expect = FORBIDDEN, desc = "The reader saw a torn pair: forbidden for final fields behind one reference.")
    @State
    public static class ImmutableReference {
        Frozen p = new Frozen(0, 0);

        @Actor
        public void writer() {
            p = new Frozen(1, 1);
        }

        @Actor
        public void reader(II_Result r) {
            Frozen q = p;
            r.r1 = q.a();
            r.r2 = q.b();
        }
    }
}
