package gmp.runtime;

import static gmp.runtime.Fixtures.runtime;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import gmp.sync.Mutex;
import gmp.sync.Once;
import gmp.sync.WaitGroup;
import gmp.workbook.Given;
import gmp.workbook.Harness;
import gmp.workbook.Hint;

/**
 * Chapter 09: the happens-before edges of go.dev/ref/mem, on this runtime. Each test publishes
 * plain data (no volatile, no VarHandle) from one goroutine to another through one of the Go
 * memory model's synchronizing operations, {@value #ROUNDS} times on GOMAXPROCS 2, and checks that
 * the reader saw it. The goroutines are the actors, so jcstress cannot run these; each test counts
 * in how many rounds the writer and the reader ran on different Ps, and prints it. Readers poll
 * ({@link #poll}) where a blocking one would be readied onto its writer's P.
 *
 * <p>What a pass proves, honestly: that on this x86 machine the runtime's synchronization (the
 * channel lock's CAS, the park and ready hand-off through the run queues, the semaphore under
 * Mutex, Once and WaitGroup) kept the plain accesses on the right side of the edge, whatever the
 * JIT did. What it cannot prove: x86 never reorders a store with an earlier store or a load with an
 * earlier load, so a missing release or acquire inside the runtime would still pass here; only a
 * weaker CPU (ARM) or C2's reorderings under stress (docs/en/09-memory-model.md#tso) show that.
 * These tests test chapters 01-05's runtime, so they are given: they pass before chapter 09 is written.
 */
@Tag("ch09")
@Order(5)
@DisplayName("Chapter 09: the Go memory model's happens-before edges on this runtime")
@Hint(doc = Ch09HappensBeforeTest.DOC + "#go-rules", go = "go.dev/ref/mem, \"Synchronization\"")
class Ch09HappensBeforeTest {
    static final String DOC = "docs/en/09-memory-model.md";
    static final int ROUNDS = 1000;
    /** Busy tries before a poller yields its P. */
    private static final int SPINS = 1024;
    private static final Duration LIMIT = Duration.ofSeconds(30);
    private static final String HUNG = "a goroutine blocked in a channel, Mutex, Once or WaitGroup was never readied";
    private static final String GIVEN = "chapters 01-05's runtime provides the edge; chapter 09 explains it";

    /** One round's plain data: written before the edge, read after it. */
    private static final class Box {
        int data;
        int seen;
        int writerP = -1;
        int readerP = -1;
    }

    /** The id of the P the calling goroutine runs on. */
    private static int pid() {
        return Go.current("pid").m.p.id;
    }

    /** Counts the rounds whose writer and reader ran on different Ps, and reports them. */
    private static int crossed(String rule, Box[] boxes) {
        int n = 0;
        for (Box b : boxes) {
            if (b.writerP >= 0 && b.readerP >= 0 && b.writerP != b.readerP) {
                n++;
            }
        }
        System.out.printf("%s: writer and reader on different Ps in %d of %d rounds%n", rule, n, boxes.length);
        return n;
    }

    /**
     * Receives by polling (a successful non-blocking receive is a receive like any other). A
     * blocking receive parks, and the sender readies the receiver into its own P's runnext, so the
     * pair would run on one P; a poller keeps running where it is. It spins, and yields through the
     * global queue every {@value #SPINS} tries, so that two pollers on one P still make progress.
     */
    private static <T> T poll(Chan<T> c) {
        for (int tries = 1; ; tries++) {
            Optional<Chan.Recv<T>> r = c.tryRecv();
            if (r.isPresent()) {
                return r.get().value();
            }
            backoff(tries);
        }
    }

    /** Sends by polling, as {@link #poll} receives. */
    private static <T> void push(Chan<T> c, T x) {
        for (int tries = 1; !c.trySend(x); tries++) {
            backoff(tries);
        }
    }

    private static void backoff(int tries) {
        if (tries % SPINS == 0) {
            Go.gosched();
        } else {
            Thread.onSpinWait();
        }
    }

    private static Box[] boxes() {
        Box[] boxes = new Box[ROUNDS];
        for (int i = 0; i < ROUNDS; i++) {
            boxes[i] = new Box();
        }
        return boxes;
    }

    private static void assertAllSeen(Box[] boxes, String rule) {
        int wrong = 0;
        for (int i = 0; i < boxes.length; i++) {
            if (boxes[i].seen != i + 1) {
                wrong++;
            }
        }
        assertThat(wrong).as("%s: in %d of %d rounds the reader did not see the plain write made before the edge."
                + " Read %s#go-rules", rule, wrong, boxes.length, DOC).isZero();
        crossed(rule, boxes);
    }

    @Test
    @Order(1)
    @Given(value = GIVEN, needs = "ch05")
    @DisplayName("The go statement is synchronized before the new goroutine starts")
    void goStatement() {
        Box[] boxes = boxes();
        Harness.run(runtime(2), LIMIT, HUNG, () -> {
            WaitGroup wg = new WaitGroup();
            wg.add(ROUNDS);
            for (int i = 0; i < ROUNDS; i++) {
                Box b = boxes[i];
                b.data = i + 1;
                b.writerP = pid();
                Go.go(() -> {
                    b.seen = b.data;
                    b.readerP = pid();
                    wg.done();
                });
            }
            wg.await();
        });
        assertAllSeen(boxes, "go statement");
    }

    /** A writer goroutine publishes each box through c; a reader goroutine receives them. */
    private static void sendBeforeReceive(int cap) {
        Box[] boxes = boxes();
        Harness.run(runtime(2), LIMIT, HUNG, () -> {
            Chan<Box> c = Chan.make(cap);
            Chan<Boolean> done = Chan.make();
            Go.go(() -> {
                for (int i = 0; i < ROUNDS; i++) {
                    Box b = poll(c);
                    b.seen = b.data;
                    b.readerP = pid();
                }
                done.send(true);
            });
            Go.go(() -> {
                for (int i = 0; i < ROUNDS; i++) {
                    Box b = boxes[i];
                    b.data = i + 1;
                    b.writerP = pid();
                    c.send(b);
                }
            });
            done.recv();
        });
        assertAllSeen(boxes, "send before receive, cap " + cap);
    }

    @Test
    @Order(2)
    @Given(value = GIVEN, needs = "ch05")
    @DisplayName("A send is synchronized before the receive completes (unbuffered, and capacity 4)")
    void sendBeforeReceiveCompletes() {
        sendBeforeReceive(0);
        sendBeforeReceive(4);
    }

    @Test
    @Order(3)
    @Given(value = GIVEN, needs = "ch05")
    @DisplayName("A close is synchronized before a receive that returns the zero value because the channel is closed")
    void closeBeforeZeroReceive() {
        Box[] boxes = boxes();
        Harness.run(runtime(2), LIMIT, HUNG, () -> {
            WaitGroup wg = new WaitGroup();
            wg.add(ROUNDS);
            for (int i = 0; i < ROUNDS; i++) {
                Box b = boxes[i];
                Chan<Box> c = Chan.make();
                Go.go(() -> {
                    Optional<Chan.Recv<Box>> r = c.tryRecv();
                    for (int tries = 1; r.isEmpty(); tries++) {
                        backoff(tries);
                        r = c.tryRecv();
                    }
                    if (!r.get().ok()) {
                        b.seen = b.data;
                        b.readerP = pid();
                    }
                    wg.done();
                });
                int round = i + 1;
                Go.go(() -> {
                    b.data = round;
                    b.writerP = pid();
                    c.close();
                });
            }
            wg.await();
        });
        assertAllSeen(boxes, "close before zero receive");
    }

    @Test
    @Order(4)
    @Given(value = GIVEN, needs = "ch05")
    @DisplayName("On an unbuffered channel, a receive is synchronized before the send completes")
    void unbufferedReceiveBeforeSendCompletes() {
        Box[] boxes = boxes();
        Harness.run(runtime(2), LIMIT, HUNG, () -> {
            List<Chan<Integer>> chans = new ArrayList<>();
            for (int i = 0; i < ROUNDS; i++) {
                chans.add(Chan.make());
            }
            Chan<Boolean> done = Chan.make();
            Go.go(() -> {
                for (int i = 0; i < ROUNDS; i++) {
                    push(chans.get(i), 0); // completes only once receiver i is waiting
                    Box b = boxes[i];
                    b.seen = b.data;
                    b.readerP = pid();
                }
                done.send(true);
            });
            for (int i = 0; i < ROUNDS; i++) {
                Box b = boxes[i];
                Chan<Integer> c = chans.get(i);
                int round = i + 1;
                Go.go(() -> {
                    b.data = round;
                    b.writerP = pid();
                    c.recv();
                });
            }
            done.recv();
        });
        assertAllSeen(boxes, "unbuffered receive before send completes");
    }

    @Test
    @Order(5)
    @Given(value = GIVEN, needs = "ch05")
    @DisplayName("On a channel of capacity 3, the k-th receive is synchronized before the (k+3)-th send completes (a counting semaphore)")
    void kthReceiveBeforeKPlusCthSend() {
        int cap = 3;
        Box[] boxes = boxes();
        Harness.run(runtime(2), LIMIT, HUNG, () -> {
            Chan<Integer> c = Chan.make(cap);
            Chan<Boolean> done = Chan.make();
            Go.go(() -> {
                for (int k = 1; k <= ROUNDS; k++) {
                    Box b = boxes[k - 1];
                    b.data = k;
                    b.writerP = pid();
                    poll(c); // the k-th receive
                }
            });
            Go.go(() -> {
                for (int s = 1; s <= ROUNDS + cap; s++) {
                    push(c, s); // the s-th send; when s = k + cap has completed, receive k has happened
                    if (s > cap) {
                        Box b = boxes[s - cap - 1];
                        b.seen = b.data;
                        b.readerP = pid();
                    }
                }
                done.send(true);
            });
            done.recv();
        });
        assertAllSeen(boxes, "k-th receive before (k+3)-th send completes");
    }

    @Test
    @Order(6)
    @Given(value = GIVEN, needs = "ch05")
    @DisplayName("With capacity 1 the unbuffered example's edge is gone: the send completes before the receiver has even run (GOMAXPROCS 1, deterministic)")
    void capacityOneGivesNoReceiveBeforeSend() {
        String[] printed = new String[2];
        for (int cap = 0; cap <= 1; cap++) {
            int which = cap;
            Harness.run(runtime(1), LIMIT, HUNG, () -> {
                // go.dev/ref/mem: var c = make(chan int[, 1]); var a string
                // func f() { a = "hello, world"; <-c }; func main() { go f(); c <- 0; print(a) }
                Chan<Integer> c = Chan.make(which);
                String[] a = {""};
                Go.go(() -> {
                    a[0] = "hello, world";
                    c.recv();
                });
                c.send(0);
                printed[which] = a[0];
            });
        }
        assertThat(printed[0]).as("unbuffered: the receive completes before the send does, so main prints f's write."
                + " Read %s#go-rules", DOC).isEqualTo("hello, world");
        assertThat(printed[1]).as("capacity 1: the send completes at once, before f runs (it waits in runnext on the"
                + " only P), so nothing orders f's write before main's read. Read %s#go-rules", DOC).isEmpty();
    }

    @Test
    @Order(7)
    @Given(value = GIVEN, needs = "ch05")
    @DisplayName("Mutex: unlock n is synchronized before lock n+1 returns (two goroutines taking turns on plain fields)")
    void mutexUnlockBeforeNextLock() {
        // The two goroutines take strict turns, and the turn is a plain field read and written only
        // under the Mutex: each critical section hands the lock, the turn and the counter to the other
        // goroutine, so every one of them is an edge from an unlock to the next lock, and the rounds
        // cross Ps whenever the two goroutines run on different Ps (they poll with tryLock, so both
        // stay runnable and each M keeps one). A missing edge shows as a lost increment, or as a
        // goroutine that never sees its turn (the watchdog, LIMIT).
        int[] counter = {0};
        int[] turn = {0};
        int[] lastP = {-1};
        AtomicInteger crossings = new AtomicInteger();
        Harness.run(runtime(2), LIMIT, HUNG + " (or a goroutine never saw its turn: a plain write made under the Mutex"
                + " was not visible to the next holder)", () -> {
            Mutex mu = new Mutex();
            WaitGroup wg = new WaitGroup();
            wg.add(2);
            for (int g = 0; g < 2; g++) {
                int me = g;
                Go.go(() -> {
                    int waits = 0;
                    for (int i = 0; i < ROUNDS; ) {
                        for (int tries = 1; !mu.tryLock(); tries++) {
                            backoff(tries); // a successful TryLock is a Lock (go.dev/ref/mem)
                        }
                        boolean mine = turn[0] == me;
                        if (mine) {
                            counter[0]++;
                            int p = pid();
                            if (lastP[0] >= 0 && lastP[0] != p) {
                                crossings.incrementAndGet();
                            }
                            lastP[0] = p;
                            turn[0] = 1 - me;
                            i++;
                        }
                        mu.unlock();
                        if (!mine) {
                            backoff(++waits); // the other's turn: yield now and then, in case it shares our P
                        }
                    }
                    wg.done();
                });
            }
            wg.await();
        });
        System.out.printf("mutex: the lock moved between Ps %d times in %d critical sections%n", crossings.get(), 2 * ROUNDS);
        assertThat(counter[0]).as("a plain counter incremented under the Mutex lost updates: an unlock did not happen"
                + " before the next lock. Read %s#go-rules", DOC).isEqualTo(2 * ROUNDS);
    }

    @Test
    @Order(8)
    @Given(value = GIVEN, needs = "ch05")
    @DisplayName("Once: the completion of f is synchronized before any once.Do(f) returns")
    void onceCompletionBeforeDoReturns() {
        Box[] boxes = boxes();
        AtomicInteger missed = new AtomicInteger();
        Harness.run(runtime(2), LIMIT, HUNG, () -> {
            List<Once> onces = new ArrayList<>();
            for (int i = 0; i < ROUNDS; i++) {
                onces.add(new Once());
            }
            WaitGroup wg = new WaitGroup();
            wg.add(2);
            for (int g = 0; g < 2; g++) {
                Go.go(() -> {
                    for (int i = 0; i < ROUNDS; i++) {
                        Box b = boxes[i];
                        int round = i + 1;
                        onces.get(i).run(() -> {
                            b.data = round;
                            b.writerP = pid();
                        });
                        if (b.data == round) {
                            b.seen = round;
                        } else {
                            missed.incrementAndGet();
                        }
                        if (b.writerP != pid()) {
                            b.readerP = pid();
                        }
                    }
                    wg.done();
                });
            }
            wg.await();
        });
        assertThat(missed.get()).as("once.run returned before f's writes were visible to the caller. Read %s#go-rules",
                DOC).isZero();
        assertAllSeen(boxes, "once");
    }

    @Test
    @Order(9)
    @Given(value = GIVEN, needs = "ch05")
    @DisplayName("WaitGroup: each Done is synchronized before the Wait it unblocks returns")
    void waitGroupDoneBeforeWait() {
        Box[] boxes = boxes();
        Harness.run(runtime(2), LIMIT, HUNG, () -> {
            WaitGroup wg = new WaitGroup();
            wg.add(ROUNDS);
            for (int i = 0; i < ROUNDS; i++) {
                Box b = boxes[i];
                int round = i + 1;
                Go.go(() -> {
                    Go.gosched();
                    b.data = round;
                    b.writerP = pid();
                    wg.done();
                });
            }
            wg.await();
            for (Box b : boxes) {
                b.seen = b.data;
                b.readerP = pid();
            }
        });
        assertAllSeen(boxes, "WaitGroup.Done before Wait");
    }
}
