package gmp.runtime;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.Iterator;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The network poller, Go's {@code netpoll.go} and {@code netpoll_epoll.go} (Go 1.23), and
 * {@code injectglist} from proc.go: one NIO {@link Selector} per runtime (on Linux, an epoll
 * instance) that tells the scheduler which parked goroutines can do their I/O now.
 *
 * <h2>Who polls, and when</h2>
 * Nobody has a thread of its own for it. {@link #netpoll} is called
 * <ol>
 *   <li>by findRunnable, non-blocking ({@code netpoll(0)}), when the local and global queues are
 *       empty, before stealing, if there are waiters and no M is blocked in netpoll;</li>
 *   <li>by findRunnable, blocking, by the one M that has dropped its P, has nothing to do and wins
 *       {@code sched.lastpoll.getAndSet(0)}: it sleeps in select until a channel is ready, the
 *       earliest timer is due, or {@link #netpollBreak} (a timer added earlier than it sleeps, a
 *       new waiter to watch, exit);</li>
 *   <li>by sysmon, non-blocking, when nobody has polled for 10 ms (a busy program whose Ms never
 *       run out of work would otherwise never look);</li>
 *   <li>and handoffp starts an M for the last P when nobody is polling, so someone will.</li>
 * </ol>
 * What it finds is a list of Gs ({@link GList}), still _Gwaiting: the caller runs the first and
 * {@link #injectglist}s the rest.
 *
 * <h2>Edge-triggered use of a level-triggered selector</h2>
 * Go registers every fd once for reads and writes, edge-triggered (EPOLLET): the kernel reports a
 * change to ready once, and rg/wg remember it (pdReady) until a goroutine consumes it. NIO's
 * selector is level-triggered: a key stays selected for as long as its channel is ready and its
 * interest set asks, so a readable socket nobody reads would make every select return at once, and
 * an idle M would spin. So the interest set is the goroutine's wish: {@link PollDesc#arm} turns a
 * mode on just before a goroutine waits in it, and {@link #netpoll} turns it off again in the same
 * breath as it reports it. A channel nobody waits on is never selected; a channel that became ready
 * before the wait is reported at the next select (level-triggered is what makes that safe: no edge
 * can be missed while the interest was off).
 *
 * <p>A selector applies interest changes at the start of its next select, not during one (epoll_ctl
 * does apply them at once). So arming wakes a blocked poller ({@link #armWakeup}); such a wake-up
 * is not a netpollBreak, and netpoll absorbs it: it selects again for the time that is left.
 * Breaks are told apart by {@link #netpollWakeSig}, as Go tells its eventfd apart from other fds.
 *
 * <p>A Selector's select methods lock the selector, so two Ms in netpoll at once would queue
 * behind each other, and a non-blocking poll would wait for the blocking one. {@link #polling}
 * lets one M in at a time: a non-blocking poll that finds it taken returns nothing (the M in
 * there will report what is ready), as Go tip's {@code sched.pollingNet} does.
 *
 * <h2>Lazy</h2>
 * A program that never uses the network never creates the selector (Go: netpollGenericInit runs
 * on the first pollOpen): until then {@link #netpoll} is chapter 05's timed wait on a note, and
 * nothing about chapters 01 to 07 changes.
 */
final class Netpoll {
    /** At most this many ready keys per netpoll (Go: the events array of netpoll, 128). */
    static final int EVENT_BATCH = 128;
    /** sysmon polls the network when nobody has for this long (Go: 10 * 1000 * 1000). */
    static final long SYSMON_POLL_NS = 10_000_000L;

    final Proc proc;
    /** The selector, null until the first pollOpen (Go: netpollInited). */
    private volatile Selector selector;
    /** Guards the creation of the selector (Go: netpollInitLock). */
    private final RuntimeMutex initLock = new RuntimeMutex();
    /** 1 while a netpollBreak's wake-up is in flight (Go: netpollWakeSig); CAS 0 -> 1 to send one. */
    final AtomicInteger netpollWakeSig = new AtomicInteger();
    /** Goroutines parked in netpollblock (Go: netpollWaiters); changed only by netpollAdjustWaiters. */
    final AtomicInteger netpollWaiters = new AtomicInteger();
    /** Held by the M inside netpoll (ours, Go tip: sched.pollingNet). */
    private final AtomicBoolean polling = new AtomicBoolean();
    /** How many netpoll calls returned from a blocking select (read by the idle-CPU test). */
    volatile long blockingReturns;

    Netpoll(Proc proc) {
        this.proc = proc;
    }

    /** Whether the selector exists (Go: netpollinited). */
    boolean netpollinited() {
        return selector != null;
    }

    /** Whether any goroutine is parked on the network (Go: netpollAnyWaiters). */
    boolean netpollAnyWaiters() {
        return netpollWaiters.get() > 0;
    }

    /** Applies a change to netpollWaiters (Go: netpollAdjustWaiters). */
    void netpollAdjustWaiters(int delta) {
        if (delta != 0) {
            netpollWaiters.addAndGet(delta);
        }
    }

    /**
     * Registers a channel with the poller, creating the selector on first use (Go: netpollGenericInit
     * and poll_runtime_pollOpen). The channel becomes non-blocking and gets a key with no interest.
     */
    PollDesc pollOpen(SelectableChannel ch) throws IOException {
        Selector sel = selector;
        if (sel == null) {
            initLock.lock();
            try {
                sel = selector;
                if (sel == null) {
                    sel = Selector.open();
                    selector = sel;
                }
            } finally {
                initLock.unlock();
            }
            // An M may be sleeping in chapter 05's timed wait, which knows no selector: wake it so
            // that it polls the network from now on.
            netpollBreak();
        }
        PollDesc pd = new PollDesc(proc, ch);
        NetCalls.configureNonBlocking(ch); // takes the channel's locks: see NetCalls
        pd.key = ch.register(sel, 0, new PollDesc.Tag(pd, pd.fdseq));
        return pd;
    }

    /**
     * Waits for network events for up to {@code delay} ns and returns the goroutines they make
     * ready, still _Gwaiting (Go: netpoll, netpoll_epoll.go). delay < 0: block until an event or a
     * netpollBreak; 0: do not block; > 0: at most that long. Before the first pollOpen there is no
     * selector: it waits on sched.pollNote as chapter 05 does, and returns nothing.
     */
    GList netpoll(long delay) {
        Selector sel = selector;
        if (sel == null) {
            return noNetpoll(delay);
        }
        if (delay == 0) {
            if (!polling.compareAndSet(false, true)) {
                return new GList(); // another M is polling: it reports what is ready
            }
        } else {
            while (!polling.compareAndSet(false, true)) {
                Thread.onSpinWait(); // a non-blocking poll holds it for microseconds
            }
        }
        try {
            return netpollLocked(sel, delay);
        } finally {
            polling.set(false);
        }
    }

    /**
     * netpoll's delay in ns as a select timeout in ms (Go: the waitms conversion of netpoll):
     * negative blocks (-1), 0 does not block, under 1 ms waits 1 ms (Go rounds up there, so that a
     * short timer does not become a busy poll), under 1e15 ns the whole milliseconds, and anything
     * longer 1e9 ms, about 11.5 days (Go: a bound on what epoll_wait takes).
     */
    static long netpollWaitMs(long delay) {
        // TODO(ch08): delay < 0: -1; == 0: 0; < 1_000_000: 1; < 1_000_000_000_000_000L: delay / 1_000_000;
        //             else 1_000_000_000.
        //             Read docs/en/08-netpoll.md#netpoll
        throw new gmp.runtime.NotImplementedYet("ch08", "netpollWaitMs", "docs/en/08-netpoll.md#netpoll");
    }

    /** netpoll with {@link #polling} held. */
    private GList netpollLocked(Selector sel, long delay) {
        GList toRun = new GList();
        // TODO(ch08): waitms = netpollWaitMs(delay). But if delay != 0 and netpollWakeSig is already 1, use
        //             0: a break is pending and a selectNow may have eaten its Selector.wakeup. Loop: n =
        //             select (sel.select() for -1, sel.selectNow() for 0, sel.select(ms) else). If delay != 0 and
        //             netpollWakeSig.getAndSet(0) == 1, it was a netpollBreak: remember it. If no key is
        //             selected, not a break, not proc.exiting and delay != 0 and time is left: an arm
        //             wake-up, select again (for what is left). Then for at most EVENT_BATCH selected keys
        //             (remove each from sel.selectedKeys()): skip invalid keys; tag = (PollDesc.Tag)
        //             key.attachment(), skip if tag.fdseq() != tag.pd().fdseq (a stale key); ready =
        //             key.readyOps(); mode 'r' if it has the pd's readOp, 'w' if OP_WRITE or OP_CONNECT
        //             (both: 'r' + 'w'); turn those ops off (key.interestOpsAnd(~ready)); delta +=
        //             pd.netpollready(toRun, mode). Set toRun.delta = delta and return toRun.
        //             Read docs/en/08-netpoll.md#netpoll
        return noNetpoll(delay); // no netpoll yet: wait as chapter 05 does, return nothing
    }

    /**
     * Makes a close take effect now (ours): a selector closes a registered channel's socket only
     * when a select deregisters its cancelled key, and until then a closed listener still accepts
     * connections. So take a non-blocking poll if nobody is polling (readying what it finds), else
     * wake the poller, whose select will do it.
     */
    void flushClosed() {
        Selector sel = selector;
        if (sel == null) {
            return;
        }
        if (polling.compareAndSet(false, true)) {
            GList list;
            try {
                list = netpollLocked(sel, 0);
            } finally {
                polling.set(false);
            }
            if (!list.empty()) {
                injectPolled(list);
            } else {
                netpollAdjustWaiters(list.delta);
            }
        } else {
            sel.wakeup();
        }
    }

    /** netpoll before there is a selector: chapter 05's sleep on sched.pollNote; netpollBreak ends it. */
    GList noNetpoll(long delay) {
        Note note = proc.sched.pollNote;
        if (delay < 0) {
            note.sleep();
        } else if (delay > 0) {
            note.sleep(delay);
        }
        note.clear();
        return new GList();
    }

    /**
     * Wakes the M blocked in netpoll (Go: netpollBreak). Only one wake-up is in flight at a time:
     * the CAS of netpollWakeSig 0 -> 1 sends it, and the poller that receives it resets it.
     */
    void netpollBreak() {
        proc.sched.pollNote.wakeup(); // an M in chapter 05's wait, before the selector existed
        Selector sel = selector;
        if (sel == null) {
            return;
        }
        if (!netpollWakeSig.compareAndSet(0, 1)) {
            return; // a wake-up is on its way already
        }
        sel.wakeup();
    }

    /**
     * A goroutine turned on a key's interest: if an M is blocked in select (lastpoll 0), it must
     * start a new select to see it (ours: epoll_ctl needs no such thing). Not a netpollBreak:
     * netpoll selects on for the time that is left. Selector.wakeup is itself idempotent until
     * the next select, so a burst of waiters costs one wake-up.
     */
    void armWakeup() {
        if (proc.sched.lastpoll.get() == 0) {
            Selector sel = selector;
            if (sel != null) {
                sel.wakeup();
            }
        }
    }

    /**
     * What findRunnable does with the Gs netpoll found, holding a P: the first runs now, the rest
     * are injected; then the waiters count drops (Go: findRunnable's "list, delta := netpoll(0)"
     * block). Returns the first G, now _Grunnable, or null if there was none.
     */
    G runPolled(GList list) {
        int delta = list.delta;
        G gp = list.pop();
        if (gp == null) {
            netpollAdjustWaiters(delta);
            return null;
        }
        injectglist(list);
        netpollAdjustWaiters(delta);
        Proc.casgstatus(gp, G._Gwaiting, G._Grunnable);
        gp.waitreason = "";
        return gp;
    }

    /** Injects all the Gs netpoll found (no P to run one on), then drops the waiters count. */
    void injectPolled(GList list) {
        int delta = list.delta;
        injectglist(list);
        netpollAdjustWaiters(delta);
    }

    /**
     * Makes every G on glist runnable and puts it where it will run (Go 1.23: injectglist). With
     * no P: all on the global queue, and an M started for each idle P, up to the number of Gs.
     * With a P: as many as there are idle Ps go to the global queue, with an M started on each of
     * those Ps; the rest go onto this P's local queue (overflow spills to the global queue); then
     * wakep, a hedge against Ps that went idle since npidle was read.
     */
    void injectglist(GList glist) {
        if (glist.empty()) {
            return;
        }
        // TODO(ch08): mark each G runnable (clear waitreason, casgstatus _Gwaiting -> _Grunnable). pp = the
        //             current M's P (M.current(): null on sysmon; its p may be null). No P: under sched.lock
        //             put every G on the global queue (proc.globrunqput), then startIdle(n) and return. Else npidle =
        //             sched.npidle; move min(npidle, n) Gs to the global queue (under the lock) and
        //             startIdle that many; proc.runqput(pp, g, false) the rest; finally proc.wakep().
        //             Read docs/en/08-netpoll.md#injectglist
        throw new gmp.runtime.NotImplementedYet("ch08", "injectglist", "docs/en/08-netpoll.md#injectglist");
    }

    /**
     * Starts an M on an idle P, n times or until no P is idle (Go: injectglist's startIdle). The
     * M is not spinning: it has a G waiting for it on the global queue.
     */
    void startIdle(int n) {
        for (int i = 0; i < n; i++) {
            P pp;
            proc.lockSched();
            try {
                pp = proc.pidlegetSpinning();
            } finally {
                proc.unlockSched();
            }
            if (pp == null) {
                return;
            }
            proc.startm(pp, false);
        }
    }

    /**
     * The program is over (after every M has stopped): close every channel still registered, as a
     * process's exit closes its fds, then the selector. No socket or selector outlives run().
     */
    void shutdown() {
        Selector sel = selector;
        if (sel == null) {
            return;
        }
        try {
            for (SelectionKey k : sel.keys()) {
                try {
                    k.channel().close();
                } catch (IOException ignored) {
                    // closing at exit: nothing to report it to
                }
            }
            sel.close();
        } catch (IOException | java.nio.channels.ClosedSelectorException ignored) {
            // the same
        }
    }
}
