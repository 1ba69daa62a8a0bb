package gmp.memory;

import java.util.Set;
import java.util.TreeSet;

/**
 * Your predictions: for each litmus test and access mode, the outcomes the Java memory model allows
 * (docs/en/09-memory-model.md#predict). Ch09PredictTest checks them against a model of the JMM (the
 * outcomes of every interleaving, plus what each mode lets a racy program show beyond them) and then
 * prints what jcstress measured on your machine, which may be fewer outcomes than are allowed.
 *
 * <p>Outcomes are spelled as jcstress spells them: the registers in order, {@code "1, 0"} for
 * r1 = 1, r2 = 0. The tests, with x and y 0 at first:
 * <pre>
 *   MP    x = 1; y = 1            ||  r1 = y; r2 = x
 *   SB    x = 1; r1 = y           ||  y = 1; r2 = x
 *   LB    r1 = x; y = 1           ||  r2 = y; x = 1
 *   IRIW  x = 1  ||  y = 1  ||  r1 = x; r2 = y  ||  r3 = y; r4 = x
 *   CORR  x = 1                   ||  r1 = x; r2 = x
 * </pre>
 * A mode applies to every access of the test: RELEASE_ACQUIRE means every store is setRelease and
 * every load getAcquire.
 */
public final class Predictions {
    /** The litmus tests of gmp.memory.litmus (CORR is Coherence). */
    public enum Litmus {
        MP, SB, LB, IRIW, CORR
    }

    /** The access modes, weakest first. */
    public enum Mode {
        PLAIN, OPAQUE, RELEASE_ACQUIRE, VOLATILE
    }

    private Predictions() {
    }

    /** The outcomes the JMM allows for {@code test} when every access uses {@code mode}. */
    public static Set<String> allowed(Litmus test, Mode mode) {
        // TODO(ch09): for each test, the outcomes some interleaving gives (sequential consistency), and
        //             the one relaxed outcome where the mode allows it: MP "1, 0", SB "0, 0", LB "1, 1",
        //             IRIW "1, 0, 1, 0", CORR "1, 0". Which modes allow which is the exercise.
        //             Read docs/en/09-memory-model.md#predict
        throw new gmp.runtime.NotImplementedYet("ch09", "allowed", "docs/en/09-memory-model.md#predict");
    }
}
