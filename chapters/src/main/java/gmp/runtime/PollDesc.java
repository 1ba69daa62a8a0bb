package gmp.runtime;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.channels.CancelledKeyException;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.ServerSocketChannel;
import java.util.function.Predicate;

/**
 * One network connection's poll descriptor, Go's {@code pollDesc} (netpoll.go, Go 1.23): how a
 * goroutine that cannot read (or write) yet parks until the poller says it can, without its M.
 *
 * <h2>Two binary semaphores</h2>
 * {@link #rg} is for the one reader, {@link #wg} for the one writer. Each holds one of:
 * <pre>
 *   pdNil    nothing pending
 *   pdReady  an I/O notification is pending: the next netpollblock consumes it (pdReady -> pdNil)
 *            and does not park
 *   pdWait   a goroutine is about to park but has not committed yet
 *   a G      that goroutine is parked; a notifier sets pdReady (I/O) or pdNil (deadline, close)
 *            and readies it
 *
 *                 netpollblock: CAS          gopark's unlock (netpollblockcommit): CAS
 *        pdNil ---------------------> pdWait ---------------------------------------> G
 *          ^  \                         |  netpollunblock (io): pdReady, no G          |
 *          |   \ netpollunblock(io)     v  (the commit CAS then fails: no park)        |
 *          |    `--------------------> pdReady <---------------------------------------'
 *          |       netpollblock consumes it (CAS pdReady -> pdNil)    netpollunblock(io): ready G
 *          `--- netpollunblock(!io) from pdWait or G: pdNil, ready G (the waiter sees the error)
 * </pre>
 * The lost wake-up this prevents: a notification that arrives after the goroutine decided to wait
 * but before it is parked finds pdWait, leaves pdReady, and the commit's CAS (pdWait -> G) fails,
 * so the goroutine runs on at once instead of sleeping forever. Every transition is a CAS or a swap
 * on the VarHandles below (volatile mode: each pairs with the other side's CAS).
 *
 * <h2>Errors, deadlines, close</h2>
 * {@link #closing}, {@link #rd}/{@link #wd} and {@link #eventErr} are written under {@link #lock}
 * and published in {@link #atomicInfo} (Go: pd.publishInfo) before rg/wg are touched, so that a
 * goroutine that has published pdWait and then reads atomicInfo ({@link #netpollcheckerr}) cannot
 * miss an error a notifier set before it CASed rg. Deadlines are runtime timers on a P's heap
 * ({@link #netpolldeadlineimpl}, Go's netpollReadDeadline/WriteDeadline); each re-arming bumps
 * {@link #rseq}/{@link #wseq} so a timer armed for an older deadline does nothing when it fires.
 *
 * <h2>Where Java differs</h2>
 * Go keeps pollDescs in a cache and reuses them for new fds, and {@link #fdseq} in the epoll tag
 * tells an event for the old fd from one for the new. Here every connection gets a new pollDesc and
 * the selection key's attachment is a {@link Tag} with the fdseq it was registered with; closing
 * bumps fdseq, so an event still in the selector's set for a closed connection is dropped the same
 * way. The interest set ({@link #arm}) is what turns NIO's level-triggered selector into Go's
 * edge-triggered use: {@link Netpoll} says how.
 */
final class PollDesc {
    /** The states of rg and wg that are not a G (Go: pdNil, pdReady, pdWait; netpoll.go). */
    static final Object pdNil = new State("pdNil");
    static final Object pdReady = new State("pdReady");
    static final Object pdWait = new State("pdWait");

    /** netpollcheckerr's answers (Go: pollNoError, pollErrClosing, pollErrTimeout, pollErrNotPollable). */
    static final int pollNoError = 0;
    static final int pollErrClosing = 1;
    static final int pollErrTimeout = 2;
    static final int pollErrNotPollable = 3;

    /** atomicInfo's bits (Go: pollClosing, pollEventErr, pollExpiredReadDeadline, pollExpiredWriteDeadline). */
    static final int pollClosing = 1;
    static final int pollEventErr = 2;
    static final int pollExpiredReadDeadline = 4;
    static final int pollExpiredWriteDeadline = 8;

    /** The modes, as Go spells them. */
    static final int MODE_R = 'r';
    static final int MODE_W = 'w';
    static final int MODE_RW = 'r' + 'w';

    /** A selection key's attachment: the pollDesc and the fdseq it was registered with (Go: taggedPointer). */
    record Tag(PollDesc pd, long fdseq) {
    }

    private static final class State {
        private final String name;

        State(String name) {
            this.name = name;
        }

        @Override
        public String toString() {
            return name;
        }
    }

    final Proc proc;
    /** The channel; null for a pollDesc a unit test makes. */
    final SelectableChannel ch;
    /** The channel's key in the runtime's selector; null for a pollDesc made by a unit test. */
    SelectionKey key;
    /** The interest op a reader waits for: OP_ACCEPT for a listener, else OP_READ. */
    final int readOp;
    /** The interest op a writer waits for: OP_CONNECT while a dial is in progress, else OP_WRITE. */
    volatile int writeOp = SelectionKey.OP_WRITE;

    @SuppressWarnings("unused") // through RG
    private volatile Object rg = pdNil;
    @SuppressWarnings("unused") // through WG
    private volatile Object wg = pdNil;
    /** closing, eventErr and expired deadlines, readable without the lock (Go: atomicInfo). */
    private volatile int atomicInfo;

    /** Guards the fields below (Go: pd.lock). A runtime lock: never held across a park. */
    final RuntimeMutex lock = new RuntimeMutex();
    /** Set once by close (Go: closing); under lock. */
    boolean closing;
    /** An error the poller reported for the channel (Go: EPOLLERR); under lock. */
    boolean eventErr;
    /** Bumped when the channel is closed; the key's Tag carries the value it was registered with (Go: fdseq). */
    volatile long fdseq;
    /** Read and write deadlines: 0 none, -1 expired, else a nanotime (Go: rd, wd); under lock. */
    long rd;
    long wd;
    /** Bumped whenever the deadline changes: a timer of an older one is stale (Go: rseq, wseq); under lock. */
    long rseq;
    long wseq;
    /** The deadline timers, or null (Go: rt, wt); under lock. */
    Timer rt;
    Timer wt;

    /** gopark's unlock functions, one per semaphore, made once (Go passes gpp as the lock argument). */
    final Predicate<G> commitRead = gp -> netpollblockcommit(RG, gp);
    final Predicate<G> commitWrite = gp -> netpollblockcommit(WG, gp);

    private static final VarHandle RG;
    private static final VarHandle WG;
    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            RG = l.findVarHandle(PollDesc.class, "rg", Object.class);
            WG = l.findVarHandle(PollDesc.class, "wg", Object.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    PollDesc(Proc proc, SelectableChannel ch) {
        this.proc = proc;
        this.ch = ch;
        this.readOp = ch instanceof ServerSocketChannel ? SelectionKey.OP_ACCEPT : SelectionKey.OP_READ;
    }

    /** The semaphore of a mode: 'r' is rg, 'w' is wg. */
    static VarHandle gpp(int mode) {
        return mode == MODE_R ? RG : WG;
    }

    /** rg's or wg's current state, a volatile load (for tests and the traceback). */
    Object lvState(int mode) {
        return gpp(mode).getVolatile(this);
    }

    /** Sets rg or wg, a volatile store (Go: pd.rg.Store); for pollReset and the tests. */
    void svState(int mode, Object v) {
        gpp(mode).setVolatile(this, v);
    }

    // ---------------------------------------------------------------------------------------------
    // The state machine (the learner's part)

    /**
     * Parks the current goroutine until I/O in {@code mode} is ready, or a deadline or close
     * interrupts the wait (Go: netpollblock, netpoll.go). Returns true if I/O is ready, false if
     * the wait ended for another reason (the caller asks netpollcheckerr which). With
     * {@code waitio}, parks even if an error is already set (Go's waitio, used by Windows).
     * Called on gp, the current goroutine, at most one per mode at a time.
     */
    boolean netpollblock(G gp, int mode, boolean waitio) {
        VarHandle gpp = gpp(mode);
        // TODO(ch08): loop: CAS gpp pdReady -> pdNil: return true (consume the notification, no park).
        //             CAS pdNil -> pdWait: break. Anything else that is not pdReady or pdNil: a second waiter
        //             in this mode: throw proc.throwFatal("runtime: double wait"). Then, only after
        //             pdWait is published, if waitio || netpollcheckerr(mode) == pollNoError: gopark(gp,
        //             commitRead or commitWrite, Proc.WAIT_IO_WAIT). Afterwards old = getAndSet(pdNil);
        //             old a G (not pdNil/pdReady/pdWait): throw proc.throwFatal("runtime: corrupted polldesc"). Return
        //             old == pdReady.
        //             Read docs/en/08-netpoll.md#netpollblock
        throw new gmp.runtime.NotImplementedYet("ch08", "netpollblock", "docs/en/08-netpoll.md#netpollblock");
    }

    /**
     * gopark's unlock function for netpollblock, on g0 after gp is _Gwaiting (Go:
     * netpollblockcommit): commits the park with CAS(pdWait -> gp). If a notifier got there first
     * (pdWait became pdReady or pdNil), the CAS fails and the park is cancelled: gp runs on. A
     * committed park is one more network waiter (netpollAdjustWaiters(1)).
     */
    private boolean netpollblockcommit(VarHandle gpp, G gp) {
        // TODO(ch08): CAS gpp pdWait -> gp; if it succeeds, proc.netpoll.netpollAdjustWaiters(1). Return
        //             whether it did (false cancels the park: a notifier changed pdWait first).
        //             Read docs/en/08-netpoll.md#netpollblock
        throw new gmp.runtime.NotImplementedYet("ch08", "netpollblockcommit", "docs/en/08-netpoll.md#netpollblock");
    }

    /**
     * Moves rg or wg on because I/O is ready ({@code ioready}) or because a deadline passed or the
     * connection closed, and returns the G parked there, if any, for the caller to ready (Go:
     * netpollunblock, netpoll.go). Each G returned is one waiter fewer: the caller subtracts it
     * from netpollWaiters (Go's *delta -= 1). Only I/O leaves pdReady behind; from pdWait it
     * returns no G (the parker's commit fails and it sees the new state itself).
     */
    G netpollunblock(int mode, boolean ioready) {
        VarHandle gpp = gpp(mode);
        // TODO(ch08): loop: old = getVolatile. old == pdReady: return null. old == pdNil && !ioready: return
        //             null (only I/O leaves pdReady). next = ioready ? pdReady : pdNil. CAS old -> next; on
        //             success: old == pdWait (or pdNil): return null, the parker sees it; else old is the
        //             parked G: return (G) old. On failure, retry.
        //             Read docs/en/08-netpoll.md#netpollunblock
        throw new gmp.runtime.NotImplementedYet("ch08", "netpollunblock", "docs/en/08-netpoll.md#netpollunblock");
    }

    /**
     * The poller saw I/O ready in {@code mode} ('r', 'w' or both): unblock each semaphore and add
     * the Gs parked there to {@code toRun} (Go: netpollready). Returns the change to netpollWaiters
     * (Go 1.23's delta): minus one per G added.
     */
    int netpollready(GList toRun, int mode) {
        // TODO(ch08): delta = 0. If mode has 'r' (mode == 'r' or 'r' + 'w'): rg = netpollunblock('r', true).
        //             If it has 'w': wg = netpollunblock('w', true). Push each non-null G on toRun and count
        //             delta -= 1 for it. Return delta.
        //             Read docs/en/08-netpoll.md#netpollready
        throw new gmp.runtime.NotImplementedYet("ch08", "netpollready", "docs/en/08-netpoll.md#netpollready");
    }

    /**
     * Why a wait in {@code mode} cannot go on, read from atomicInfo without the lock (Go:
     * netpollcheckerr): closing, an expired deadline of that mode, or (for reads) a poller error.
     */
    int netpollcheckerr(int mode) {
        int info = atomicInfo;
        if ((info & pollClosing) != 0) {
            return pollErrClosing;
        }
        if ((mode == MODE_R && (info & pollExpiredReadDeadline) != 0)
                || (mode == MODE_W && (info & pollExpiredWriteDeadline) != 0)) {
            return pollErrTimeout;
        }
        // Only reads report the poller's error: a write would find out from the write itself.
        if (mode == MODE_R && (info & pollEventErr) != 0) {
            return pollErrNotPollable;
        }
        return pollNoError;
    }

    /** Publishes closing, eventErr and the deadlines' expiry in atomicInfo; lock held (Go: publishInfo). */
    void publishInfo() {
        int info = 0;
        if (closing) {
            info |= pollClosing;
        }
        if (eventErr) {
            info |= pollEventErr;
        }
        if (rd < 0) {
            info |= pollExpiredReadDeadline;
        }
        if (wd < 0) {
            info |= pollExpiredWriteDeadline;
        }
        atomicInfo = info;
    }

    /** The poller saw an error on the channel (Go: setEventErr); taken under the lock here. */
    void setEventErr() {
        lock.lock();
        try {
            eventErr = true;
            publishInfo();
        } finally {
            lock.unlock();
        }
    }

    // ---------------------------------------------------------------------------------------------
    // What internal/poll calls (Go: the poll_runtime_poll* functions)

    /**
     * Prepares a read or write (Go: poll_runtime_pollReset): fails with the error netpollcheckerr
     * sees, else drops a stale notification (the next wait must be for new readiness).
     */
    int pollReset(int mode) {
        int errcode = netpollcheckerr(mode);
        if (errcode != pollNoError) {
            return errcode;
        }
        svState(mode, pdNil);
        return pollNoError;
    }

    /**
     * Waits until I/O in {@code mode} may succeed (Go: poll_runtime_pollWait): returns pollNoError
     * then, or why it cannot. Before each park, asks the poller to watch the channel for this mode
     * ({@link #arm}); the poller stops watching when it reports it.
     */
    int pollWait(G gp, int mode) {
        int errcode = netpollcheckerr(mode);
        if (errcode != pollNoError) {
            return errcode;
        }
        arm(mode);
        while (!netpollblock(gp, mode, false)) {
            errcode = netpollcheckerr(mode);
            if (errcode != pollNoError) {
                return errcode;
            }
            // A wake-up with no I/O and no error (a stale timer's): wait again.
            arm(mode);
        }
        return pollNoError;
    }

    /**
     * Turns on the key's interest in {@code mode} (ours: Go registers every fd for both directions
     * once, edge-triggered). If a poller is blocked in select, it must see the new interest now, so
     * wake it (Netpoll.armWakeup: a wake-up it absorbs without returning).
     */
    void arm(int mode) {
        SelectionKey k = key;
        if (k == null) {
            return;
        }
        try {
            k.interestOpsOr(mode == MODE_R ? readOp : writeOp);
        } catch (CancelledKeyException closed) {
            return; // closed meanwhile: netpollcheckerr says so
        }
        proc.netpoll.armWakeup();
    }

    /**
     * Sets the read, write or both deadlines (Go: poll_runtime_pollSetDeadline). {@code d} is
     * relative: 0 means none, negative means already passed, positive is a duration in ns. An
     * expired deadline wakes a goroutine waiting in that mode at once, with pollErrTimeout.
     */
    void pollSetDeadline(long d, int mode) {
        G rgp = null;
        G wgp = null;
        lock.lock();
        try {
            if (closing) {
                return;
            }
            long rd0 = rd;
            long wd0 = wd;
            if (d > 0) {
                d += Proc.nanotime();
                if (d <= 0) {
                    d = Long.MAX_VALUE; // overflow: never
                }
            }
            if (mode == MODE_R || mode == MODE_RW) {
                rd = d;
            }
            if (mode == MODE_W || mode == MODE_RW) {
                wd = d;
            }
            publishInfo();
            if (rd != rd0) {
                rseq++;
                rt = rearm(rt, rd, rseq, true);
            }
            if (wd != wd0) {
                wseq++;
                wt = rearm(wt, wd, wseq, false);
            }
            // A deadline set in the past unblocks the pending I/O now (Go: the same).
            if (rd < 0) {
                rgp = netpollunblock(MODE_R, false);
            }
            if (wd < 0) {
                wgp = netpollunblock(MODE_W, false);
            }
        } finally {
            lock.unlock();
        }
        goreadyWaiters(rgp, wgp);
    }

    /** Stops timer t if set, and arms a new one for a future deadline; lock held. Returns the new timer. */
    private Timer rearm(Timer t, long deadline, long seq, boolean read) {
        if (t != null) {
            deltimer(t);
        }
        if (deadline <= 0) {
            return null;
        }
        Timer nt = new Timer(x -> netpolldeadlineimpl(seq, read, !read), null);
        proc.addtimer(proc.getm().p, nt, deadline);
        return nt;
    }

    private static void deltimer(Timer t) {
        Timers ts = t.ts;
        if (ts != null) {
            ts.mu.lock();
            try {
                ts.remove(t);
            } finally {
                ts.mu.unlock();
            }
        }
    }

    /**
     * A deadline timer fired, on the g0 of the M that ran it, with a P (Go: netpolldeadlineimpl).
     * A timer of an older deadline (seq behind) does nothing. Else the deadline is now expired
     * (-1, published), and the waiter of that mode is readied to find pollErrTimeout.
     */
    void netpolldeadlineimpl(long seq, boolean read, boolean write) {
        G rgp = null;
        G wgp = null;
        lock.lock();
        try {
            long current = read ? rseq : wseq;
            if (seq != current) {
                return; // the deadline has changed since this timer was armed
            }
            if (read) {
                rd = -1;
                rt = null;
                publishInfo();
                rgp = netpollunblock(MODE_R, false);
            }
            if (write) {
                wd = -1;
                wt = null;
                publishInfo();
                wgp = netpollunblock(MODE_W, false);
            }
        } finally {
            lock.unlock();
        }
        goreadyWaiters(rgp, wgp);
    }

    /**
     * Close begins: every later wait fails with pollErrClosing, and the waiters parked now are
     * readied to see it (Go: poll_runtime_pollUnblock). Called on a goroutine.
     */
    void pollUnblock() {
        G rgp;
        G wgp;
        lock.lock();
        try {
            if (closing) {
                return;
            }
            closing = true;
            rseq++;
            wseq++;
            publishInfo();
            rgp = netpollunblock(MODE_R, false);
            wgp = netpollunblock(MODE_W, false);
            if (rt != null) {
                deltimer(rt);
                rt = null;
            }
            if (wt != null) {
                deltimer(wt);
                wt = null;
            }
        } finally {
            lock.unlock();
        }
        goreadyWaiters(rgp, wgp);
    }

    /**
     * Close ends: the key leaves the selector and fdseq moves on, so an event still queued for the
     * old key is dropped (Go: poll_runtime_pollClose; the fd itself is closed by the caller).
     * Called after pollUnblock, with no waiter left (Go throws otherwise).
     */
    void pollClose() {
        // A goroutine readied by pollUnblock may not have swapped its semaphore back to pdNil yet
        // (Go waits for it through the fd's reference count); a G still parked is a bug.
        if (lvState(MODE_R) instanceof G || lvState(MODE_W) instanceof G) {
            throw proc.throwFatal("runtime: blocked read or write on closing polldesc");
        }
        fdseq++;
        SelectionKey k = key;
        if (k != null) {
            k.cancel();
        }
    }

    /** Readies the Gs a notifier took off the semaphores, one waiter fewer each (Go: netpollgoready). */
    private void goreadyWaiters(G rgp, G wgp) {
        int delta = 0;
        if (rgp != null) {
            proc.goready(rgp);
            delta--;
        }
        if (wgp != null) {
            proc.goready(wgp);
            delta--;
        }
        if (delta != 0) {
            proc.netpoll.netpollAdjustWaiters(delta);
        }
    }
}
