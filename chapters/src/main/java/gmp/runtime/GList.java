package gmp.runtime;

/**
 * A list of Gs linked through {@link G#schedlink}, Go's {@code gList} (runtime2.go): what netpoll
 * returns and {@link Netpoll#injectglist} takes. A G is on at most one such list (or run queue) at a
 * time, since schedlink is its one link. Owned by one thread at a time; no synchronisation.
 */
final class GList {
    private G head;
    private G tail;
    private int size;
    /**
     * What netpoll's caller must add to netpollWaiters once these Gs are runnable (Go 1.23: the
     * delta netpoll returns next to the list): minus one per G taken off a pollDesc.
     */
    int delta;

    boolean empty() {
        return head == null;
    }

    int size() {
        return size;
    }

    /** Adds gp at the front (Go: gList.push). */
    void push(G gp) {
        gp.schedlink = head;
        head = gp;
        if (tail == null) {
            tail = gp;
        }
        size++;
    }

    /** Removes and returns the first G, or null (Go: gList.pop). */
    G pop() {
        G gp = head;
        if (gp != null) {
            head = gp.schedlink;
            if (head == null) {
                tail = null;
            }
            gp.schedlink = null;
            size--;
        }
        return gp;
    }

    /** The first G, or null. */
    G head() {
        return head;
    }

    /** The last G, or null. */
    G tail() {
        return tail;
    }
}
