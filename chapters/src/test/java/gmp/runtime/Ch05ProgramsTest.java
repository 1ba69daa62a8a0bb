package gmp.runtime;

import static gmp.runtime.Fixtures.runtime;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicIntegerArray;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import gmp.workbook.Hint;
import gmp.workbook.Seeds;

/**
 * Chapter 05: random goroutine programs. Each program is drawn from a seed: goroutines that spawn
 * goroutines, send and receive on channels of several capacities, sleep, yield, and join their
 * children through channels. It runs on GOMAXPROCS 1 to 4, and every goroutine must run exactly
 * once and every value must be delivered exactly once, in order per sender.
 *
 * <h2>Why the programs cannot deadlock</h2>
 * Every channel has senders or receivers, never a goroutine that does both, and exactly as many
 * receives as sends. All channels are numbered (data channels, then one join channel per parent in
 * goroutine order, then {@code done}), and each goroutine spawns its children first and then uses
 * channels in increasing number only. Suppose all were blocked: take the lowest-numbered channel a
 * goroutine is blocked on. Everyone with operations left on it is blocked on it (a goroutine past it
 * is done with it; one before it would be blocked on a lower channel), so they all wait in the same
 * direction; but then the buffer would have to hold more than it received (all senders blocked) or
 * fewer than nothing (all receivers blocked). So a hang or a deadlock report is a runtime bug.
 */
// The chapter's place in a run of every chapter, so that the hint follows the doc's order.
@Order(55)
@Tag("ch05")
@DisplayName("Chapter 05: random goroutine programs")
@Hint(doc = Ch05ChanTest.DOC + "#channels", go = "gopark, goready, chansend, chanrecv (proc.go, chan.go)")
class Ch05ProgramsTest {
    private static final String DOC = Ch05ChanTest.DOC;
    private static final int PROGRAMS_PER_GOMAXPROCS = 25;
    private static final int[] CAPS = {0, 0, 1, 2, 5};

    /** A value: the n-th (seq) of its sender on its channel. */
    record Msg(int chan, int sender, int seq) {
    }

    /** One step of a goroutine. */
    sealed interface Op permits Spawn, Sleep, Yield, Send, Recv {
    }

    record Spawn(int child) implements Op {
    }

    record Sleep(long nanos) implements Op {
    }

    record Yield() implements Op {
    }

    record Send(int chan, Msg msg) implements Op {
    }

    record Recv(int chan) implements Op {
    }

    /** A program: goroutines 0..n-1 (main spawns those whose parent is -1), channels with capacities, each goroutine's steps. */
    record Program(int[] parent, int[] caps, List<List<Op>> ops, int dataChans, int[] joinChan, int doneChan) {
        int n() {
            return parent.length;
        }

        @Override
        public String toString() {
            long sends = ops.stream().flatMap(List::stream).filter(op -> op instanceof Send).count();
            return n() + " goroutines, " + dataChans + " data channels of capacities "
                    + Arrays.toString(Arrays.copyOf(caps, dataChans)) + ", " + sends + " sends in all";
        }
    }

    @Order(1)
    @Test
    @DisplayName("property: random programs of spawns, sends, receives, sleeps, yields and joins on 1..4 Ps run each goroutine once and deliver each value once")
    @Hint(doc = DOC + "#channels", go = "gopark, goready, chansend, chanrecv (proc.go, chan.go)")
    void randomProgramsDeliverEveryValueOnce() {
        long base = Seeds.base();
        SplittableRandom seeds = new SplittableRandom(base);
        for (int procs = 1; procs <= 4; procs++) {
            for (int i = 0; i < PROGRAMS_PER_GOMAXPROCS; i++) {
                long seed = seeds.nextLong();
                Program prog = generate(new SplittableRandom(seed));
                String where = "program " + i + " on GOMAXPROCS " + procs + " (" + prog + "), program seed " + seed
                        + ", base " + Seeds.replay(base);
                try {
                    runAndCheck(prog, procs);
                } catch (NotImplementedYet todo) {
                    throw todo;
                } catch (AssertionError | RuntimeException e) {
                    throw new AssertionError(where + ": " + e.getMessage(), e);
                }
            }
        }
    }

    private static Program generate(SplittableRandom rnd) {
        int n = 2 + rnd.nextInt(24);
        int[] parent = new int[n];
        for (int i = 0; i < n; i++) {
            parent[i] = rnd.nextInt(i + 1) - 1; // main (-1) or an earlier goroutine
        }
        int dataChans = 1 + rnd.nextInt(4);
        int[] children = new int[n];
        for (int i = 0; i < n; i++) {
            if (parent[i] >= 0) {
                children[parent[i]]++;
            }
        }
        // Channel numbers: data 0..dataChans-1, then a join channel per parent (in goroutine order), then done.
        int[] joinChan = new int[n];
        int next = dataChans;
        for (int i = 0; i < n; i++) {
            joinChan[i] = children[i] > 0 ? next++ : -1;
        }
        int doneChan = next++;
        int[] caps = new int[next];
        for (int k = 0; k < dataChans; k++) {
            caps[k] = CAPS[rnd.nextInt(CAPS.length)];
        }
        for (int i = 0; i < n; i++) {
            if (joinChan[i] >= 0) {
                caps[joinChan[i]] = new int[] {0, 1, children[i]}[rnd.nextInt(3)];
            }
        }
        caps[doneChan] = rnd.nextBoolean() ? 0 : n;

        List<List<Op>> ops = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            ops.add(new ArrayList<>());
        }
        for (int i = 0; i < n; i++) {
            if (parent[i] >= 0) {
                ops.get(parent[i]).add(new Spawn(i));
                noise(rnd, ops.get(parent[i]));
            }
        }
        for (int k = 0; k < dataChans; k++) {
            // Disjoint senders and receivers, as many receives as sends.
            List<Integer> who = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                who.add(i);
            }
            shuffle(rnd, who);
            int split = 1 + rnd.nextInt(n - 1);
            List<Integer> senders = who.subList(0, Math.min(split, 4));
            List<Integer> receivers = who.subList(split, Math.min(n, split + 4));
            int msgs = 1 + rnd.nextInt(30);
            int[] seq = new int[n];
            int[] sends = new int[n];
            int[] recvs = new int[n];
            for (int m = 0; m < msgs; m++) {
                sends[senders.get(rnd.nextInt(senders.size()))]++;
                recvs[receivers.get(rnd.nextInt(receivers.size()))]++;
            }
            for (int i = 0; i < n; i++) {
                for (int s = 0; s < sends[i]; s++) {
                    ops.get(i).add(new Send(k, new Msg(k, i, seq[i]++)));
                    noise(rnd, ops.get(i));
                }
                for (int r = 0; r < recvs[i]; r++) {
                    ops.get(i).add(new Recv(k));
                    noise(rnd, ops.get(i));
                }
            }
        }
        for (int i = 0; i < n; i++) {
            if (parent[i] >= 0) {
                ops.get(i).add(new Send(joinChan[parent[i]], new Msg(joinChan[parent[i]], i, 0)));
            }
            for (int c = 0; c < children[i]; c++) {
                ops.get(i).add(new Recv(joinChan[i]));
            }
            ops.get(i).add(new Send(doneChan, new Msg(doneChan, i, 0)));
        }
        return new Program(parent, caps, ops, dataChans, joinChan, doneChan);
    }

    /** Sometimes a sleep of up to 200 µs or a yield: steps that never block for good. */
    private static void noise(SplittableRandom rnd, List<Op> ops) {
        int r = rnd.nextInt(10);
        if (r == 0) {
            ops.add(new Sleep(rnd.nextLong(200_000)));
        } else if (r <= 2) {
            ops.add(new Yield());
        }
    }

    private static <T> void shuffle(SplittableRandom rnd, List<T> list) {
        for (int i = list.size() - 1; i > 0; i--) {
            int j = rnd.nextInt(i + 1);
            T t = list.get(i);
            list.set(i, list.get(j));
            list.set(j, t);
        }
    }

    private static void runAndCheck(Program prog, int procs) {
        int n = prog.n();
        AtomicIntegerArray runs = new AtomicIntegerArray(n);
        // Each goroutine writes only its own list; main reads them after every goroutine has sent on done.
        List<List<Msg>> received = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            received.add(new ArrayList<>());
        }
        List<Integer> doneIds = new ArrayList<>();
        Ch05ChanTest.run(runtime(procs), () -> {
            List<Chan<Msg>> chans = new ArrayList<>();
            for (int cap : prog.caps()) {
                chans.add(Chan.make(cap));
            }
            Runnable[] bodies = new Runnable[n];
            for (int i = 0; i < n; i++) {
                int me = i;
                bodies[i] = () -> {
                    runs.incrementAndGet(me);
                    for (Op op : prog.ops().get(me)) {
                        switch (op) {
                            case Spawn s -> Go.go(bodies[s.child()]);
                            case Sleep s -> Go.sleep(s.nanos());
                            case Yield y -> Go.gosched();
                            case Send s -> chans.get(s.chan()).send(s.msg());
                            case Recv r -> received.get(me).add(chans.get(r.chan()).recv());
                        }
                    }
                };
            }
            for (int i = 0; i < n; i++) {
                if (prog.parent()[i] < 0) {
                    Go.go(bodies[i]);
                }
            }
            Chan<Msg> done = chans.get(prog.doneChan());
            for (int i = 0; i < n; i++) {
                doneIds.add(done.recv().sender());
            }
        });

        for (int i = 0; i < n; i++) {
            assertThat(runs.get(i)).as("goroutine %d ran %d times: every go statement must run its function exactly once."
                    + " Read %s#channels", i, runs.get(i), DOC).isEqualTo(1);
        }
        assertThat(doneIds).as("main must receive each goroutine's id on done exactly once. Read %s#chanrecv", DOC)
                .containsExactlyInAnyOrderElementsOf(java.util.stream.IntStream.range(0, n).boxed().toList());

        Map<Msg, Integer> sent = new HashMap<>();
        for (List<Op> ops : prog.ops()) {
            for (Op op : ops) {
                if (op instanceof Send s && s.chan() != prog.doneChan()) {
                    sent.merge(s.msg(), 1, Integer::sum);
                }
            }
        }
        Map<Msg, Integer> got = new HashMap<>();
        for (int i = 0; i < n; i++) {
            Map<Integer, Integer> lastSeq = new HashMap<>();
            for (Msg m : received.get(i)) {
                assertThat(m).as("goroutine %d received null: a value was lost (a receive that returned the zero value"
                        + " on an open channel). Read %s#chanrecv", i, DOC).isNotNull();
                got.merge(m, 1, Integer::sum);
                int key = m.chan() * 1000 + m.sender();
                Integer last = lastSeq.put(key, m.seq());
                assertThat(last == null || last < m.seq()).as("goroutine %d received %s after seq %s of the same sender on"
                        + " the same channel: values must come out in the order they went in (FIFO buffer and queues)."
                        + " Read %s#chanrecv", i, m, last, DOC).isTrue();
            }
        }
        assertThat(got).as("every value sent must be received exactly once (the map counts receptions)."
                + " Read %s#chansend", DOC).isEqualTo(sent);
    }
}
