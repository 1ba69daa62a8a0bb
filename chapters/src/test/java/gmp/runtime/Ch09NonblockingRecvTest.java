package gmp.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import gmp.runtime.Chan.Fast;
import gmp.workbook.Hint;

/**
 * Chapter 09, exercise 3: where the runtime depends on order. A non-blocking receive looks at the
 * channel without its lock (Go's chanrecv with {@code !block}): empty, closed, empty again. Other
 * goroutines may send, receive or close between two looks, and a test that waits for that to
 * happen by luck would almost never see it. So these tests play the other goroutines themselves:
 * a model channel ({@link Script}) whose state the test changes between the looks, in every way a
 * send, a receive or a close could, and an answer is right only if the channel was in that state at
 * some instant during the call. Go's own guard of this code is TestNonblockRecvRace (chapter 05's
 * tests run it on the real channel).
 */
@Tag("ch09")
@Order(4)
@DisplayName("Chapter 09: the order of the looks in a non-blocking receive")
@Hint(doc = Ch09NonblockingRecvTest.DOC + "#nonblocking-recv", go = "chanrecv, empty (chan.go), !block fast path")
class Ch09NonblockingRecvTest {
    static final String DOC = "docs/en/09-memory-model.md";

    /** What another goroutine may do to a channel of capacity 1 between two looks. */
    private enum Event {
        SEND, RECEIVE, CLOSE
    }

    /** A model channel of capacity 1: how many values it holds, whether it is closed. */
    private record State(int count, boolean closed) {
        State apply(Event e) {
            return switch (e) {
                case SEND -> closed || count == 1 ? null : new State(1, false);
                case RECEIVE -> count == 0 ? null : new State(0, closed);
                case CLOSE -> closed ? null : new State(count, true);
            };
        }
    }

    /**
     * The channel as the fast path sees it: before look number i (0-based) the events scheduled
     * for gap i happen. It records every state the channel passed through.
     */
    private static final class Script implements Chan.Observed {
        private final List<List<Event>> gaps;
        private final List<State> history = new ArrayList<>();
        private final List<String> looks = new ArrayList<>();
        private State state;

        Script(State start, List<List<Event>> gaps) {
            this.state = start;
            this.gaps = gaps;
            history.add(start);
        }

        private void beforeLook() {
            int i = looks.size();
            if (i < gaps.size()) {
                for (Event e : gaps.get(i)) {
                    state = state.apply(e);
                    history.add(state);
                }
            }
        }

        @Override
        public boolean empty() {
            beforeLook();
            looks.add("empty=" + (state.count() == 0));
            return state.count() == 0;
        }

        @Override
        public boolean closed() {
            beforeLook();
            looks.add("closed=" + state.closed());
            return state.closed();
        }

        /** Whether the answer was true at some instant of the call. */
        boolean wasTrue(Fast answer) {
            return switch (answer) {
                case WOULD_BLOCK -> history.stream().anyMatch(s -> s.count() == 0 && !s.closed());
                case CLOSED_AND_EMPTY -> history.stream().anyMatch(s -> s.count() == 0 && s.closed());
                case TAKE_THE_LOCK -> true;
            };
        }

        String story(Fast answer) {
            return "states " + history + ", looks " + looks + ", answer " + answer;
        }
    }

    @Test
    @Order(1)
    @DisplayName("With no one else touching the channel, the fast path decides without the lock: open and empty would block, closed and empty is the zero value")
    void decidesWhenNothingRaces() {
        assertThat(Chan.chanrecvFast(new Script(new State(0, false), List.of())))
                .as("an open, empty channel: a non-blocking receive would block; the fast path must say so without"
                        + " the lock (Go: chanrecv, 'if !block && empty(c)'). Read %s#nonblocking-recv", DOC)
                .isEqualTo(Fast.WOULD_BLOCK);
        assertThat(Chan.chanrecvFast(new Script(new State(0, true), List.of())))
                .as("a closed, empty channel: the receive returns the zero value, ok false. Read %s#nonblocking-recv", DOC)
                .isEqualTo(Fast.CLOSED_AND_EMPTY);
        assertThat(Chan.chanrecvFast(new Script(new State(1, true), List.of())))
                .as("a closed channel that still holds a value must deliver it: take the lock. Read %s#nonblocking-recv", DOC)
                .isEqualTo(Fast.TAKE_THE_LOCK);
    }

    @Test
    @Order(2)
    @DisplayName("Whatever a send, receive or close does between two looks, the answer was true at some instant (every interleaving of up to two events)")
    void everyAnswerWasTrueAtSomeInstant() {
        List<String> wrong = new ArrayList<>();
        int runs = 0;
        for (State start : List.of(new State(0, false), new State(1, false), new State(0, true), new State(1, true))) {
            for (List<List<Event>> gaps : schedules(start)) {
                Script script = new Script(start, gaps);
                Fast answer = Chan.chanrecvFast(script);
                runs++;
                if (!script.wasTrue(answer)) {
                    wrong.add(script.story(answer));
                }
                boolean quiet = gaps.stream().allMatch(List::isEmpty);
                if (quiet && start.count() == 0 && answer == Fast.TAKE_THE_LOCK) {
                    wrong.add(script.story(answer) + " (nothing raced: the fast path should have decided)");
                }
            }
        }
        assertThat(wrong).as("of %d interleavings, these answers were never true during the call. A closed channel"
                + " never reopens, but a value can arrive and leave: which look must come first, and which must be"
                + " repeated? Read %s#nonblocking-recv (Go: chanrecv's comments)", runs, DOC).isEmpty();
    }

    /** Every way to put up to two valid events into the gaps after the first and the second look. */
    private static List<List<List<Event>>> schedules(State start) {
        List<List<List<Event>>> out = new ArrayList<>();
        for (List<Event> events : sequences(start, 2)) {
            for (int split = 0; split <= events.size(); split++) {
                out.add(List.of(List.of(), events.subList(0, split), events.subList(split, events.size())));
            }
        }
        return out;
    }

    private static List<List<Event>> sequences(State from, int max) {
        List<List<Event>> out = new ArrayList<>();
        out.add(List.of());
        if (max == 0) {
            return out;
        }
        for (Event e : Event.values()) {
            State next = from.apply(e);
            if (next == null) {
                continue;
            }
            for (List<Event> rest : sequences(next, max - 1)) {
                List<Event> seq = new ArrayList<>();
                seq.add(e);
                seq.addAll(rest);
                out.add(seq);
            }
        }
        return out;
    }
}
