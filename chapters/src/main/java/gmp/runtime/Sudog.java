package gmp.runtime;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A goroutine waiting in a channel's queue: Go's {@code sudog} (runtime2.go).
 *
 * <p>A G can wait on many channels at once (a select waits on every case), and many Gs on one
 * channel, so the queue entry is an object of its own, not a field of G. A blocked sender's sudog
 * carries the value it sends; a blocked receiver's sudog is where a sender drops the value (Go's
 * {@code elem}, a pointer into the receiver's stack; here the slot itself). The goroutine that
 * completes the operation sets {@link #success} and the G's {@code param} to this sudog, then readies
 * the G.
 *
 * <p>Every field is written under the channel's lock, or by the one waker after it has taken the
 * sudog off the queue; the woken G reads them after goready, which happens-before it runs again
 * (the run queue's release/acquire, or the channel locks a select takes again).
 */
final class Sudog {
    /** The waiting goroutine. */
    final G g;
    /** A sender's value, or the slot a sender fills for a receiver (Go: elem). */
    Object elem;
    /** True if a value passed; false if the G was woken because the channel was closed (Go: success). */
    boolean success;
    /**
     * For the sudogs of one select, the flag they share: the first waker to set it wins the select;
     * the others find it set and skip the sudog (Go keeps it in the G, {@code g.selectDone}; a
     * per-select object needs no reset). Null for a plain send or receive (Go: {@code !isSelect}).
     */
    final AtomicBoolean selectDone;
    /** Links in the channel's wait queue (Go: next, prev). */
    Sudog next;
    Sudog prev;

    Sudog(G g, Object elem, AtomicBoolean selectDone) {
        this.g = g;
        this.elem = elem;
        this.selectDone = selectDone;
    }

    /** Whether this sudog is one case of a select (Go: isSelect). */
    boolean isSelect() {
        return selectDone != null;
    }

    @Override
    public String toString() {
        return "sudog(" + g + (isSelect() ? ", select" : "") + ")";
    }
}
