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
 * MP, message passing: one thread writes data, then a flag; the other reads the flag, then the data.
 * Can the reader see the flag but not the data ({@code 1, 0})? That is a broken publication, the
 * bug behind double-checked locking with a plain flag (docs/en/09-memory-model.md#litmus).
 *
 * <pre>
 *   writer: x = 1; y = 1        reader: r1 = y; r2 = x
 * </pre>
 *
 * <p>How to run: {@code ./gmp test 09} runs every litmus test briefly; by hand, from the
 * {@code chapters} module's test classpath, {@code org.openjdk.jcstress.Main -t MessagePassing -v}.
 * The tables were measured on this project's 2-core x86-64 VM, JDK 25, with the chapter's budget
 * (one JVM configuration, tiered up to C2), while other builds loaded the machine.
 *
 * <p>x86 keeps stores in order and loads in order (TSO), so the CPU never shows {@code 1, 0}; the
 * JIT can, by moving the plain accesses, and did here (16 times in the table below, 6 in another run). The JMM allows it for plain and opaque accesses and
 * forbids it once the flag is written with release and read with acquire.
 */
public class MessagePassing {

    /**
     * Plain fields: the JMM allows {@code 1, 0}, and C2 produced it (it may compile the reader's two
     * loads in either order).
     * <pre>
     *   RESULT    SAMPLES  EXPECT
     *     0, 0    148,249  Acceptable
     *     0, 1          1  Acceptable
     *     1, 0         16  Interesting
     *     1, 1    361,705  Acceptable
     * </pre>
     */
    @JCStressTest
    @Outcome(id = {"0, 0", "0, 1", "1, 1"}, expect = ACCEPTABLE, desc = "The reader ran before, during or after the writer, in program order.")
    @Outcome(id = "1, 0", expect = ACCEPTABLE_INTERESTING, desc = "The reader saw the flag but not the data: allowed for plain fields.")
    @State
    public static class Plain {
        int x;
        int y;

        @Actor
        public void writer() {
            x = 1;
            y = 1;
        }

        @Actor
        public void reader(II_Result r) {
            r.r1 = y;
            r.r2 = x;
        }
    }

    /**
     * Opaque accesses are atomic and coherent per variable but order nothing across two variables:
     * the JMM still allows {@code 1, 0}.
     * <pre>
     *   RESULT    SAMPLES  EXPECT
     *     0, 0     63,271  Acceptable
     *     0, 1          1  Acceptable
     *     1, 0          0  Interesting
     *     1, 1    313,579  Acceptable
     * </pre>
     */
    @JCStressTest
    @Outcome(id = {"0, 0", "0, 1", "1, 1"}, expect = ACCEPTABLE, desc = "The reader ran before, during or after the writer, in program order.")
    @Outcome(id = "1, 0", expect = ACCEPTABLE_INTERESTING, desc = "The reader saw the flag but not the data: opaque orders nothing across variables.")
    @State
    public static class Opaque {
        static final VarHandle X = Handles.field(Opaque.class, "x");
        static final VarHandle Y = Handles.field(Opaque.class, "y");
        int x;
        int y;

        @Actor
        public void writer() {
            X.setOpaque(this, 1);
            Y.setOpaque(this, 1);
        }

        @Actor
        public void reader(II_Result r) {
            r.r1 = (int) Y.getOpaque(this);
            r.r2 = (int) X.getOpaque(this);
        }
    }

    /**
     * The flag written with setRelease and read with getAcquire, the data plain: the release orders
     * the data store before the flag store, the acquire the flag load before the data load, so
     * {@code 1, 0} is forbidden. This is the weakest correct publication.
     * <pre>
     *   RESULT    SAMPLES  EXPECT
     *     0, 0     42,327  Acceptable
     *     0, 1         41  Acceptable
     *     1, 0          0  Forbidden
     *     1, 1    344,723  Acceptable
     * </pre>
     */
    @JCStressTest
    @Outcome(id = {"0, 0", "0, 1", "1, 1"}, expect = ACCEPTABLE, desc = "The reader ran before, during or after the writer, in program order.")
    @Outcome(id = "1, 0", expect = FORBIDDEN, desc = "The reader saw the flag but not the data: release/acquire forbids it.")
    @State
    public static class ReleaseAcquire {
        static final VarHandle Y = Handles.field(ReleaseAcquire.class, "y");
        int x;
        int y;

        @Actor
        public void writer() {
            x = 1;
            Y.setRelease(this, 1);
        }

        @Actor
        public void reader(II_Result r) {
            r.r1 = (int) Y.getAcquire(this);
            r.r2 = x;
        }
    }

    /**
     * A volatile flag: forbidden too, and stronger than MP needs (a volatile store is followed by a
     * full fence on x86, a {@code lock addl}).
     * <pre>
     *   RESULT    SAMPLES  EXPECT
     *     0, 0     10,759  Acceptable
     *     0, 1          4  Acceptable
     *     1, 0          0  Forbidden
     *     1, 1     36,521  Acceptable
     * </pre>
     */
    @JCStressTest
    @Outcome(id = {"0, 0", "0, 1", "1, 1"}, expect = ACCEPTABLE, desc = "The reader ran before, during or after the writer, in program order.")
    @Outcome(id = "1, 0", expect = FORBIDDEN, desc = "The reader saw the flag but not the data: volatile forbids it.")
    @State
    public static class Volatile {
        int x;
        volatile int y;

        @Actor
        public void writer() {
            x = 1;
            y = 1;
        }

        @Actor
        public void reader(II_Result r) {
            r.r1 = y;
            r.r2 = x;
        }
    }
}
