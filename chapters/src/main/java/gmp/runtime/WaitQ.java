package gmp.runtime;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A channel's queue of waiting goroutines, first come first served: Go's {@code waitq} (chan.go), a
 * doubly linked list of {@link Sudog}s through their next/prev links. Guarded by the channel's lock.
 *
 * <p>A select puts a sudog on the queue of every case it waits on. The first goroutine to complete
 * one of them wins the select; the others stay queued until the woken select takes them off again
 * ({@link #remove}). {@link #dequeue} therefore skips a select's sudog whose select someone else has
 * already won, and the compare-and-set on the shared flag is what decides the winner (Go: the CAS on
 * {@code g.selectDone} in {@code waitq.dequeue}).
 */
final class WaitQ {
    private static final VarHandle FIRST;

    static {
        try {
            FIRST = MethodHandles.lookup().findVarHandle(WaitQ.class, "first", Sudog.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private Sudog first;
    private Sudog last;

    /**
     * The first waiter, read without the channel's lock (Go: {@code atomic.Loadp(&c.sendq.first)} in
     * chan.go's {@code empty}): only chanrecv's fast path asks, and only whether it is null.
     */
    Sudog firstAcquire() {
        return (Sudog) FIRST.getAcquire(this);
    }

    /** Appends sg at the tail (Go: waitq.enqueue). */
    void enqueue(Sudog sg) {
        sg.next = null;
        Sudog x = last;
        if (x == null) {
            sg.prev = null;
            first = sg;
            last = sg;
            return;
        }
        sg.prev = x;
        x.next = sg;
        last = sg;
    }

    /**
     * Takes the first waiter whose operation may still happen, or null (Go: waitq.dequeue). A select's
     * sudog is returned only if this call wins its select; one that lost is unlinked and skipped.
     */
    Sudog dequeue() {
        for (;;) {
            Sudog sg = first;
            if (sg == null) {
                return null;
            }
            Sudog y = sg.next;
            if (y == null) {
                first = null;
                last = null;
            } else {
                y.prev = null;
                first = y;
                sg.next = null;
            }
            // A select woken through another case is still queued here until it takes its sudogs back
            // under this channel's lock; the flag tells us someone has already won it.
            if (sg.isSelect() && !sg.selectDone.compareAndSet(false, true)) {
                continue;
            }
            return sg;
        }
    }

    /**
     * Unlinks sg if it is still queued (Go: waitq.dequeueSudoG). A sudog dequeue has already taken
     * off has no links; it is still queued then only if it is the one element left.
     */
    void remove(Sudog sg) {
        Sudog x = sg.prev;
        Sudog y = sg.next;
        if (x != null) {
            if (y != null) {
                x.next = y;
                y.prev = x;
                sg.next = null;
                sg.prev = null;
                return;
            }
            x.next = null;
            last = x;
            sg.prev = null;
            return;
        }
        if (y != null) {
            y.prev = null;
            first = y;
            sg.next = null;
            return;
        }
        if (first == sg) {
            first = null;
            last = null;
        }
    }

    /** The number of queued sudogs, lost selects included (for tests and dumps). */
    int size() {
        int n = 0;
        for (Sudog sg = first; sg != null; sg = sg.next) {
            n++;
        }
        return n;
    }
}
