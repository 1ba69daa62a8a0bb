package gmp.memory;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import gmp.memory.Predictions.Litmus;
import gmp.memory.Predictions.Mode;
import gmp.workbook.Hint;

/**
 * Chapter 09, exercise 1: predict what the Java memory model allows. Your {@link Predictions} is
 * checked against a model: the outcomes of every interleaving of the test's program (sequential
 * consistency, computed here), plus the one relaxed outcome each mode lets a racy program show
 * (the table {@link #RELAXED}, from the JMM and the VarHandle docs). Once a prediction is right, the
 * test prints what jcstress measured on this machine, so you see which allowed outcomes the
 * hardware and the JIT actually produce.
 */
@Tag("ch09")
@Order(1)
@Timeout(value = 7, unit = TimeUnit.MINUTES) // the first test to pass waits for the jcstress run (Jcstress.LIMIT)
@DisplayName("Chapter 09: predict the outcomes the JMM allows")
@Hint(doc = Ch09PredictTest.DOC + "#predict", go = "go.dev/ref/mem (the litmus tests of its \"Implementation restrictions\")")
class Ch09PredictTest {
    static final String DOC = "docs/en/09-memory-model.md";

    /** An access of a litmus program: a write of 1 to var, or a read of var into register reg (0-based). */
    private record Op(char var, int reg) {
        static Op write(char var) {
            return new Op(var, -1);
        }

        static Op read(char var, int reg) {
            return new Op(var, reg);
        }
    }

    /** The programs, thread by thread, as in Predictions' comment. */
    private static final Map<Litmus, List<List<Op>>> PROGRAMS = Map.of(
            Litmus.MP, List.of(List.of(Op.write('x'), Op.write('y')), List.of(Op.read('y', 0), Op.read('x', 1))),
            Litmus.SB, List.of(List.of(Op.write('x'), Op.read('y', 0)), List.of(Op.write('y'), Op.read('x', 1))),
            Litmus.LB, List.of(List.of(Op.read('x', 0), Op.write('y')), List.of(Op.read('y', 1), Op.write('x'))),
            Litmus.IRIW, List.of(List.of(Op.write('x')), List.of(Op.write('y')),
                    List.of(Op.read('x', 0), Op.read('y', 1)), List.of(Op.read('y', 2), Op.read('x', 3))),
            Litmus.CORR, List.of(List.of(Op.write('x')), List.of(Op.read('x', 0), Op.read('x', 1))));

    /**
     * The outcome beyond sequential consistency that a mode allows, per test; a mode not listed
     * allows none. Plain accesses allow all five (JLS 17.4: only data-race-free programs are SC).
     * Opaque adds per-variable coherence, so CoRR's goes. Release/acquire orders a store after the
     * accesses before it and a load before the accesses after it, so MP's and LB's go; SB's store
     * before a later load is not ordered, and IRIW's stores need not reach all readers at once.
     * Volatile is sequentially consistent: none stays.
     */
    static final Map<Litmus, Map<Mode, String>> RELAXED = Map.of(
            Litmus.MP, Map.of(Mode.PLAIN, "1, 0", Mode.OPAQUE, "1, 0"),
            Litmus.SB, Map.of(Mode.PLAIN, "0, 0", Mode.OPAQUE, "0, 0", Mode.RELEASE_ACQUIRE, "0, 0"),
            Litmus.LB, Map.of(Mode.PLAIN, "1, 1", Mode.OPAQUE, "1, 1"),
            Litmus.IRIW, Map.of(Mode.PLAIN, "1, 0, 1, 0", Mode.OPAQUE, "1, 0, 1, 0", Mode.RELEASE_ACQUIRE, "1, 0, 1, 0"),
            Litmus.CORR, Map.of(Mode.PLAIN, "1, 0"));

    /** jcstress's class for each test, and its variant for each mode (a missing one was not written). */
    private static final Map<Litmus, String> CLASSES = Map.of(Litmus.MP, "MessagePassing", Litmus.SB, "StoreBuffering",
            Litmus.LB, "LoadBuffering", Litmus.IRIW, "IRIW", Litmus.CORR, "Coherence");
    private static final Map<Mode, String> VARIANTS = Map.of(Mode.PLAIN, "Plain", Mode.OPAQUE, "Opaque",
            Mode.RELEASE_ACQUIRE, "ReleaseAcquire", Mode.VOLATILE, "Volatile");

    @ParameterizedTest(name = "{0}")
    @EnumSource(Litmus.class)
    @DisplayName("For each access mode, the outcomes you predict are the ones the JMM allows")
    void predictionsMatchTheModel(Litmus test) {
        for (Mode mode : Mode.values()) {
            Set<String> allowed = new TreeSet<>(sequentiallyConsistent(PROGRAMS.get(test)));
            String relaxed = RELAXED.get(test).get(mode);
            if (relaxed != null) {
                allowed.add(relaxed);
            }
            Set<String> predicted = new TreeSet<>(Predictions.allowed(test, mode));
            assertThat(predicted)
                    .as("%s with every access %s: you predicted %s, the JMM allows %s. An outcome some interleaving"
                            + " gives is always allowed; the question is whether the mode lets the racy one through."
                            + " Read %s#predict", test, mode, predicted, allowed, DOC)
                    .isEqualTo(allowed);
        }
        StringBuilder measured = new StringBuilder("Right. Measured by jcstress on this machine for " + test + ":\n");
        for (Mode mode : Mode.values()) {
            String name = "gmp.memory.litmus." + CLASSES.get(test) + "." + VARIANTS.get(mode);
            Jcstress.Table t = Jcstress.results().tables().get(name);
            if (t != null) {
                measured.append(t.text());
            }
        }
        System.out.println(measured);
    }

    /** Every outcome of every interleaving of the threads' accesses, each thread in program order. */
    static Set<String> sequentiallyConsistent(List<List<Op>> threads) {
        Set<String> outcomes = new TreeSet<>();
        int regs = (int) threads.stream().flatMap(List::stream).filter(op -> op.reg() >= 0).count();
        interleave(threads, new int[threads.size()], new ArrayList<>(List.of(0, 0)), new int[regs], outcomes);
        return outcomes;
    }

    private static void interleave(List<List<Op>> threads, int[] pc, List<Integer> memory, int[] regs, Set<String> out) {
        boolean any = false;
        for (int t = 0; t < threads.size(); t++) {
            if (pc[t] == threads.get(t).size()) {
                continue;
            }
            any = true;
            Op op = threads.get(t).get(pc[t]);
            int slot = op.var() - 'x';
            int savedMem = memory.get(slot);
            int savedReg = op.reg() >= 0 ? regs[op.reg()] : 0;
            if (op.reg() >= 0) {
                regs[op.reg()] = memory.get(slot);
            } else {
                memory.set(slot, 1);
            }
            pc[t]++;
            interleave(threads, pc, memory, regs, out);
            pc[t]--;
            memory.set(slot, savedMem);
            if (op.reg() >= 0) {
                regs[op.reg()] = savedReg;
            }
        }
        if (!any) {
            List<String> values = new ArrayList<>();
            for (int r : regs) {
                values.add(Integer.toString(r));
            }
            out.add(String.join(", ", values));
        }
    }
}
