package gmp.runtime;

import static org.jetbrains.lincheck.datastructures.ManagedStrategyGuaranteeKt.forClasses;

import java.io.OutputStream;
import java.io.PrintStream;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.jetbrains.lincheck.datastructures.ModelCheckingOptions;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Options;
import org.jetbrains.lincheck.datastructures.StressOptions;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import gmp.workbook.Hint;

/**
 * Chapter 04: the local run queue, with its owner and its thieves, behaves like a simple queue.
 *
 * <p>Lincheck runs short random programs: the owner puts and gets Gs while thieves steal. Every
 * outcome must match some one-at-a-time order of the same operations on a plain {@link ArrayDeque}
 * plus a runnext field ({@link Model}): the run queue must be linearizable. Model checking runs the
 * program's threads one at a time, switching at shared reads and writes, and prints the interleaving
 * that broke; stress mode runs the same programs on real threads.
 *
 * <p>Only the owner puts and gets ({@code nonParallelGroup = "owner"}: Lincheck keeps those on one
 * thread); a steal may run on any thread, into a fresh thief P of its own, because a P's ring has a
 * single producer, its owner. Two starting points reach the interesting states cheaply:
 * <ul>
 *   <li>{@link FullRing}: 256 Gs, a full ring, so a put overflows into runqputslow (half the ring
 *       and the new G go to the global queue) unless a thief made room first;</li>
 *   <li>{@link ShortRing}: one G and a runnext, so the owner and the thieves fight over the last G
 *       and then over runnext.</li>
 * </ul>
 * In both, the indices start so that they pass Integer.MAX_VALUE and slot 255 during the test, as
 * Go's uint32 indices wrap.
 *
 * <p>One corner of Go's design is not linearizable, and ShortRing leaves it out: a go statement
 * (runqput with next) swaps the new G into runnext and only then moves the old runnext to the tail
 * of the ring. A thief that looks in between sees an empty ring and takes the new runnext, which no
 * one-at-a-time order allows. No G is lost or run twice, only the order differs, and Go accepts it
 * (runqempty works around the same window). So putNext is exercised on the full ring, where a thief
 * never sees the ring empty, and the runnext race is checked by jcstress (stress/, RunqRunnextSteal).
 *
 * <p>Neither mode can see a missing release or acquire: Lincheck's model checking is sequentially
 * consistent, and on x86 real threads do not reorder stores with stores or loads with loads
 * (docs/en/04-stealing.md#memory-order; chapter 09).
 */
@Tag("ch04")
@Order(Integer.MAX_VALUE) // runs last, so the scoreboard names Ch04StealingTest's simpler failures first
// Each test does a fixed amount of work (its invocations), 3-10 s on an idle machine; a starved one
// (a CPU shared by a dozen runnable threads) was seen to need more than the default 60 s.
@Timeout(value = 3, unit = TimeUnit.MINUTES)
@DisplayName("Chapter 04: the run queue under an owner and thieves is linearizable (Lincheck)")
@Hint(doc = Ch04RunqLincheckTest.DOC + "#runqgrab", go = "runqput, runqget, runqsteal, runqgrab (proc.go)")
class Ch04RunqLincheckTest {
    static final String DOC = "docs/en/04-stealing.md";

    // The scenarios: two threads (the owner's and a thief's; either may steal), three operations each,
    // one before and one after. The budgets below are small, yet each of these broken copies of the
    // reference failed at least one model-checking test: runqgrab stealing all instead of half, or
    // moving head with a plain store instead of its CAS; runqputslow, likewise; runqget clearing
    // runnext with a plain store. The four tests take about 20 s on two cores shared with a build.
    private static final int THREADS = 2;
    private static final int ACTORS_PER_THREAD = 3;
    private static final int ACTORS_AROUND = 1;

    static {
        // Lincheck warns about every record and lambda it walks past in the runtime's object graph.
        if (System.getProperty("lincheck.logLevel") == null) {
            System.setProperty("lincheck.logLevel", "error");
        }
    }

    @Test
    @Order(1)
    @DisplayName("model checking: owner and thieves fight over the last G and runnext")
    @Hint(doc = DOC + "#runqgrab", go = "runqget, runqgrab with stealRunNextG (proc.go)")
    void modelCheckingShortRing() {
        check(modelChecking(5, 200), ShortRing.class, ShortRingModel.class);
    }

    @Test
    @Order(2)
    @DisplayName("model checking: owner and thieves on a full ring that overflows to the global queue")
    @Hint(doc = DOC + "#runqgrab", go = "runqput, runqputslow, runqget, runqsteal, runqgrab (proc.go)")
    void modelCheckingFullRing() {
        check(modelChecking(3, 150), FullRing.class, FullRingModel.class);
    }

    @Test
    @Order(3)
    @DisplayName("stress: owner and thieves on real threads, short ring")
    @Hint(doc = DOC + "#runqgrab", go = "runqget, runqgrab with stealRunNextG (proc.go)")
    void stressShortRing() {
        check(new Stress(3, 300), ShortRing.class, ShortRingModel.class);
    }

    @Test
    @Order(4)
    @DisplayName("stress: owner and thieves on real threads, full ring")
    @Hint(doc = DOC + "#runqgrab", go = "runqput, runqputslow, runqget, runqsteal, runqgrab (proc.go)")
    void stressFullRing() {
        check(new Stress(3, 200), FullRing.class, FullRingModel.class);
    }

    private static ModelCheckingOptions modelChecking(int iterations, int invocations) {
        // A steal copies up to 128 slots in one loop, more iterations than Lincheck's default bound
        // (50) before it calls a loop hung. The preemption agent (chapter 06) puts a Safepoint.poll
        // at every back-edge and entry of this class's operations; its one load is not part of the
        // run queue's protocol, and as a switch point it only multiplies the interleavings to explore.
        return shape(new ModelCheckingOptions(), iterations, invocations).loopBound(2 * P.RUNQ_SIZE)
                .addGuarantee(forClasses(Safepoint.class.getName()).allMethods().ignore());
    }

    /**
     * Stress mode with a short hang timeout and no shrinking of a failed scenario: a run queue that
     * spins forever (a steal that never gives up) is reported in seconds, not after one 30 s
     * timeout per shrinking step. Model checking prints the smallest failing scenario anyway.
     */
    private static final class Stress extends StressOptions {
        Stress(int iterations, int invocations) {
            shape(this, iterations, invocations).minimizeFailedScenario(false);
            setTimeoutMs(5_000);
        }
    }

    private static <O extends Options<O, ?>> O shape(O options, int iterations, int invocations) {
        return options.iterations(iterations).invocationsPerIteration(invocations).threads(THREADS)
                .actorsPerThread(ACTORS_PER_THREAD).actorsBefore(ACTORS_AROUND).actorsAfter(ACTORS_AROUND);
    }

    /**
     * Has Lincheck check {@code runq} against {@code model}. First each operation runs once on a
     * short ring, on this thread, so that an unwritten stub (TODO(ch04)) or a plain exception fails
     * with its own message and stack trace rather than inside Lincheck's report. (A short ring:
     * a steal that never gives up on a full one would hang this thread, where Lincheck cannot
     * see it.)
     */
    private static void check(Options<?, ?> options, Class<? extends Runq> runq, Class<? extends Model> model) {
        ShortRing once = new ShortRing();
        once.steal(true);
        once.put();
        once.get();
        try {
            options.sequentialSpecification(model).check(runq);
        } catch (AssertionError e) {
            throw new AssertionError("""
                    The run queue gave results that no one-at-a-time order of the same operations gives: \
                    a G was lost, taken twice or taken out of order, or an operation hung. Lincheck's report \
                    below shows the operations and their results (and, for model checking, the interleaving \
                    that broke). steal returns the goids it took, get a goid or "none", put and putNext how \
                    many Gs they moved to the global queue. Read %s#runqgrab (Go: runqgrab) and, for put, \
                    docs/en/02-local-runq.md#runqputslow (Go: runqputslow).
                    """.formatted(DOC) + e.getMessage(), e);
        }
    }

    // ---------------------------------------------------------------------------------------------
    // The run queue under test

    /** Enough fresh Gs for every put a scenario can make (all its owner operations). */
    static final int FRESH = ACTORS_AROUND + ACTORS_PER_THREAD + ACTORS_AROUND;

    /** One P's run queue, driven through the runtime's own functions on a Proc that never starts. */
    public abstract static class Runq {
        // Lincheck walks everything the test object reaches: keep System.err (and the test runner's
        // streams behind it) out of that graph.
        final Proc proc = GoRuntime.builder().gomaxprocs(1).env(Map.of())
                .traceTo(new PrintStream(OutputStream.nullOutputStream())).build().proc();
        final P pp = new P(0);
        final G[] fresh = new G[FRESH];
        int puts; // owner only

        /** Queues Gs 1..queued, then, with runnext, G queued+1 in runnext. */
        Runq(int queued, boolean runnext) {
            proc.gomaxprocs = 1;
            // As if many Gs had come and gone: an empty ring whose indices pass Integer.MAX_VALUE
            // and slot 255 in the middle of the queued Gs.
            int start = Integer.MAX_VALUE - queued / 2;
            pp.srTail(start);
            pp.casRelHead(0, start);
            long goid = 1;
            for (int i = 0; i < queued; i++) {
                proc.runqput(pp, g(goid++), false);
            }
            if (runnext) {
                proc.runqput(pp, g(goid++), true);
            }
            for (int i = 0; i < FRESH; i++) {
                fresh[i] = g(goid++);
            }
        }

        private G g(long goid) {
            G gp = proc.malg();
            gp.goid = goid;
            return gp;
        }

        /** The owner queues a new G at the tail; returns how many Gs went to the global queue. */
        @Operation(nonParallelGroup = "owner")
        public int put() {
            int before = proc.sched.runqsize; // only the owner touches the global queue here
            proc.runqput(pp, fresh[puts++], false);
            return proc.sched.runqsize - before;
        }

        /** The owner takes its next G: runnext first, then the head of the ring. */
        @Operation(nonParallelGroup = "owner")
        public String get() {
            Proc.Pick pick = proc.runqget(pp);
            return pick == null ? "none" : "G" + pick.gp().goid;
        }

        /** A thief steals half the ring (or, with runnextToo and an empty ring, runnext) into a fresh P. */
        @Operation
        public String steal(boolean runnextToo) {
            P thief = new P(1);
            G gp = proc.runqsteal(thief, pp, runnextToo);
            List<Long> took = new ArrayList<>();
            for (int i = thief.laHead(); i != thief.laTail(); i++) {
                took.add(thief.runq[i & P.MASK].goid);
            }
            if (gp != null) {
                took.add(gp.goid);
            }
            return goids(took);
        }
    }

    /** A full ring of 256 Gs: a put overflows unless a steal came first; a steal takes 128. */
    public static class FullRing extends Runq {
        public FullRing() {
            super(P.RUNQ_SIZE, false);
        }

        /** The owner puts a new G in runnext (a go statement); the old runnext goes to the tail. */
        @Operation(nonParallelGroup = "owner")
        public int putNext() {
            int before = proc.sched.runqsize;
            proc.runqput(pp, fresh[puts++], true);
            return proc.sched.runqsize - before;
        }
    }

    /** G1 in the ring, G2 in runnext: a steal takes G1, the next one (with runnextToo) G2. */
    public static class ShortRing extends Runq {
        public ShortRing() {
            super(1, true);
        }
    }

    // ---------------------------------------------------------------------------------------------
    // The sequential specification

    /** The same operations, one at a time, on an ArrayDeque and a runnext field. */
    public abstract static class Model {
        final ArrayDeque<Long> ring = new ArrayDeque<>();
        Long runnext;
        long nextGoid;

        Model(int queued, boolean runnext) {
            long goid = 1;
            for (int i = 0; i < queued; i++) {
                ring.add(goid++);
            }
            if (runnext) {
                this.runnext = goid++;
            }
            nextGoid = goid;
        }

        public int put() {
            return enqueue(nextGoid++);
        }

        /** A full ring sends its older half and the new G to the global queue (runqputslow). */
        int enqueue(long goid) {
            if (ring.size() < P.RUNQ_SIZE) {
                ring.add(goid);
                return 0;
            }
            for (int i = 0; i < P.RUNQ_SIZE / 2; i++) {
                ring.poll();
            }
            return P.RUNQ_SIZE / 2 + 1;
        }

        public String get() {
            if (runnext != null) {
                long g = runnext;
                runnext = null;
                return "G" + g;
            }
            Long g = ring.poll();
            return g == null ? "none" : "G" + g;
        }

        /** Half the ring rounded up, oldest first; runnext only when the ring is empty. */
        public String steal(boolean runnextToo) {
            int n = ring.size() - ring.size() / 2;
            List<Long> took = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                took.add(ring.poll());
            }
            if (n == 0 && runnextToo && runnext != null) {
                took.add(runnext);
                runnext = null;
            }
            return goids(took);
        }
    }

    public static class FullRingModel extends Model {
        public FullRingModel() {
            super(P.RUNQ_SIZE, false);
        }

        public int putNext() {
            Long old = runnext;
            runnext = nextGoid++;
            return old == null ? 0 : enqueue(old);
        }
    }

    public static class ShortRingModel extends Model {
        public ShortRingModel() {
            super(1, true);
        }
    }

    /** Goids as runs, "G1..G128", "G3, G5" or "none": short enough to read in Lincheck's tables. */
    static String goids(List<Long> goids) {
        if (goids.isEmpty()) {
            return "none";
        }
        StringBuilder b = new StringBuilder();
        int i = 0;
        while (i < goids.size()) {
            int j = i;
            while (j + 1 < goids.size() && goids.get(j + 1) == goids.get(j) + 1) {
                j++;
            }
            b.append(b.isEmpty() ? "" : ", ").append('G').append(goids.get(i));
            if (j > i) {
                b.append("..G").append(goids.get(j));
            }
            i = j + 1;
        }
        return b.toString();
    }
}
