package gmp.runtime;

import java.util.Arrays;

/**
 * A P's timers: a 4-ary min-heap ordered by {@code when} (Go: type timers, time.go; timerHeapN = 4).
 *
 * <p>A 4-ary heap is shallower than a binary one (log4 n levels), so adding a timer, the common
 * operation, moves it up fewer levels; each step down compares four children, which sit next to
 * each other in the array. Other Ps read and run this heap too (stealWork's last pass), so every
 * change happens under {@link #mu}; {@link #wakeTime} is readable without it, as a volatile, for the
 * quick "anything due?" check on every schedule.
 */
final class Timers {
    /** Children of i are 4i+1 .. 4i+4; the parent of i is (i-1)/4. */
    static final int HEAP_N = 4;

    /** Go's timers.mu: a runtime lock, taken on g0 and on goroutines alike, so without an owner. */
    final RuntimeMutex mu = new RuntimeMutex();
    private Timer[] heap = new Timer[8];
    private int len;
    /** The earliest when in the heap, or 0 when empty (Go: minWhenHeap). Written under mu. */
    private volatile long minWhen;

    /** The earliest deadline, or 0 if there are no timers; no lock needed (Go: wakeTime). */
    long wakeTime() {
        return minWhen;
    }

    /** Number of timers. mu must be held (or a racy snapshot for schedtrace). */
    int len() {
        return len;
    }

    /** The earliest timer, or null. mu must be held. */
    Timer peek() {
        return len == 0 ? null : heap[0];
    }

    /** Adds t; mu must be held (Go: timers.addHeap). */
    void add(Timer t) {
        if (t.index >= 0) {
            throw new IllegalStateException("timers.add: " + t + " is already in a heap");
        }
        if (len == heap.length) {
            heap = Arrays.copyOf(heap, len * 2);
        }
        heap[len] = t;
        t.index = len;
        len++;
        siftUp(len - 1);
        minWhen = heap[0].when;
    }

    /** Removes and returns the earliest timer; mu must be held, heap not empty (Go: deleteMin). */
    Timer pop() {
        Timer t = heap[0];
        len--;
        Timer last = heap[len];
        heap[len] = null;
        if (len > 0) {
            heap[0] = last;
            last.index = 0;
            siftDown(0);
        }
        t.index = -1;
        minWhen = len == 0 ? 0 : heap[0].when;
        return t;
    }

    /**
     * Takes t out of the heap if it is still in it; mu must be held. Returns whether it was. Go
     * leaves a stopped timer in the heap as a zombie and cleans it up later; removing it at once
     * keeps the heap exact, for checkdead's "a timer will wake someone" among others.
     */
    boolean remove(Timer t) {
        int i = t.index;
        if (i < 0 || i >= len || heap[i] != t) {
            return false;
        }
        len--;
        Timer last = heap[len];
        heap[len] = null;
        if (i != len) {
            heap[i] = last;
            last.index = i;
            siftUp(i);
            siftDown(last.index);
        }
        t.index = -1;
        minWhen = len == 0 ? 0 : heap[0].when;
        return true;
    }

    /** Moves the timer at i up while it is earlier than its parent (Go: timers.siftUp). */
    private void siftUp(int i) {
        // TODO(ch05): while i > 0 and heap[i] is earlier than its parent heap[(i - 1) / HEAP_N], move the
        //             parent down into i and go up. Keep every moved timer's index field equal to its slot.
        //             Read docs/en/05-parking.md#timers
        throw new gmp.runtime.NotImplementedYet("ch05", "siftUp", "docs/en/05-parking.md#timers");
    }

    /** Moves the timer at i down while one of its children is earlier (Go: timers.siftDown). */
    private void siftDown(int i) {
        // TODO(ch05): the children of i are i * HEAP_N + 1 .. i * HEAP_N + HEAP_N (those below len). While the
        //             earliest of them is earlier than the timer at i, move that child up into i and go down
        //             to its slot. Keep every moved timer's index field equal to its slot.
        //             Read docs/en/05-parking.md#timers
        throw new gmp.runtime.NotImplementedYet("ch05", "siftDown", "docs/en/05-parking.md#timers");
    }
}
