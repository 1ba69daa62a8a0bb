package gmp.runtime;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

/**
 * A Go channel: Go's {@code hchan} and the functions of {@code runtime/chan.go} (Go 1.23) that send,
 * receive and close, built on the scheduler's {@code gopark} and {@code goready}.
 *
 * <pre>{@code
 * Chan<Integer> c = Chan.make();          // c := make(chan int)
 * Go.go(() -> c.send(42));                // go func() { c <- 42 }()
 * int v = c.recv();                       // v := <-c
 * Chan.Recv<Integer> r = c.recv2();       // v, ok := <-c
 * for (int x : c) { ... }                 // for x := range c
 * }</pre>
 *
 * <h2>The design</h2>
 * A channel is a lock, a ring buffer of {@code cap} slots ({@code buf}, {@code sendx}, {@code recvx},
 * {@code qcount}; none when cap is 0), a closed flag, and two FIFO queues of waiting goroutines:
 * {@code recvq} (blocked receivers) and {@code sendq} (blocked senders), each a queue of
 * {@link Sudog}s. At most one of the two queues is non-empty: a sender that finds a receiver waiting
 * never waits, and the other way round.
 * <ul>
 *   <li><b>Direct hand-off.</b> A sender that finds a waiting receiver gives it the value directly:
 *       the value goes into the receiver's sudog, never through the buffer (which is empty then
 *       anyway), and the receiver is readied with goready, so it lands in the sender's P's runnext
 *       and runs next, in the sender's time slice. A receiver that finds a waiting sender on a full
 *       buffered channel takes the head of the buffer and moves the sender's value to the tail, so
 *       the order stays first in, first out.</li>
 *   <li><b>Blocking without losing a wake-up.</b> A goroutine that must wait queues a sudog and
 *       parks with {@code gopark}, still holding the channel lock. The lock is released by the unlock
 *       function (Go: {@code chanparkcommit}) that gopark runs on g0 after the G's status is already
 *       {@code _Gwaiting}. So whoever takes the sudog off the queue (it needs the lock) finds the G
 *       parked and can goready it; had we unlocked first, a waker could try to ready a G that is
 *       still running, and the wake-up would be lost.</li>
 *   <li><b>FIFO waiters.</b> Waiting senders and receivers are served in the order they came (the
 *       queues are FIFO), and values come out of the buffer in the order they went in.</li>
 *   <li><b>Close wakes everyone.</b> close marks the channel closed and takes every waiter off both
 *       queues: receivers get the zero value with ok = false, senders panic with
 *       "send on closed channel" when they run. The waiters are collected first and readied only
 *       after the lock is released (Go collects them in a gList), because goready may wake a P and
 *       take the scheduler's lock, which must not happen inside a channel's critical section.</li>
 * </ul>
 *
 * <h2>Java and Go</h2>
 * <ul>
 *   <li>The channel lock is a runtime lock, held for a few dozen instructions and never across a
 *       park: a spin lock on one word. It has no owner thread on purpose: a goroutine takes it on one
 *       M and g0 releases it in gopark's unlock function, and a goroutine may move between threads.</li>
 *   <li>Elements are references. {@code null} is the zero value: it may be sent like any value, and a
 *       receive from a closed, drained channel returns it; {@link #recv2} tells the two apart.</li>
 *   <li>A nil channel ({@code var c chan T}) is {@link #nil()}: sending to or receiving from it
 *       blocks forever, closing it panics.</li>
 *   <li>Go's non-blocking send and receive first look at the channel without the lock (chan.go's
 *       {@code full} and {@code empty} fast paths). Our send always takes the lock; our
 *       non-blocking receive has Go's fast path ({@link #chanrecvFast}, chapter 09), whose order
 *       of looks is the lesson.</li>
 *   <li>Every operation but {@link #make}, {@link #len} and {@link #cap} may park or ready a
 *       goroutine, so it must run on a goroutine; from a plain Java thread it throws an
 *       {@link IllegalStateException}.</li>
 * </ul>
 *
 * @param <T> the element type
 */
public final class Chan<T> implements Iterable<T> {
    /** The result of a receive: Go's {@code v, ok := <-c}. ok is false when the channel was closed and empty. */
    public record Recv<T>(T value, boolean ok) {
    }

    private static final AtomicLong IDS = new AtomicLong();
    private static final Chan<?> NIL = new Chan<>(0, true);
    /** Busy-wait rounds before a waiting M starts yielding its thread (Go's lock spins 4 x 30 PAUSEs). */
    private static final int LOCK_SPINS = 128;
    private static final VarHandle LOCK;

    static {
        try {
            LOCK = MethodHandles.lookup().findVarHandle(Chan.class, "lockWord", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** A unique number: select locks its channels in this order (Go sorts them by address). */
    final long id;
    /** Whether this is the nil channel. */
    final boolean isNil;
    /** The capacity (Go: dataqsiz); never changes. */
    final int dataqsiz;
    /** The ring buffer of dataqsiz slots. */
    final Object[] buf;
    /** Where the next buffered send goes, and the next buffered receive comes from; under lock. */
    int sendx;
    int recvx;
    /** Values in the buffer; written under lock, volatile so that len() may read it without. */
    volatile int qcount;
    /** Set once by close, under lock; volatile for chanrecv's lock-free fast path. */
    volatile boolean closed;
    /** Blocked receivers and blocked senders; under lock. */
    final WaitQ recvq = new WaitQ();
    final WaitQ sendq = new WaitQ();
    /** The channel lock (Go: hchan.lock): 1 while held; see lock(). */
    @SuppressWarnings("unused") // accessed through LOCK
    private volatile int lockWord;

    // unlock and chanparkcommit as function values, made once: a method reference made at each
    // send or receive would be a new object each time.
    private final Runnable unlockFn = this::unlock;
    private final Predicate<G> chanparkcommitFn = this::chanparkcommit;
    /** The channel as chanrecvFast looks at it, without the lock. */
    private final Observed observed = new Observed() {
        @Override
        public boolean empty() {
            return dataqsiz == 0 ? sendq.firstAcquire() == null : qcount == 0;
        }

        @Override
        public boolean closed() {
            return closed;
        }
    };

    private Chan(int cap, boolean isNil) {
        this.id = IDS.incrementAndGet();
        this.isNil = isNil;
        this.dataqsiz = cap;
        this.buf = new Object[cap];
    }

    /** {@code make(chan T)}: an unbuffered channel. */
    public static <T> Chan<T> make() {
        return make(0);
    }

    /** {@code make(chan T, cap)}: a channel with a buffer of cap values (Go: makechan). */
    public static <T> Chan<T> make(int cap) {
        if (cap < 0) {
            throw new IllegalArgumentException("makechan: size out of range: " + cap);
        }
        return new Chan<>(cap, false);
    }

    /**
     * The nil channel, Go's zero value for a channel ({@code var c chan T}): send and receive block
     * forever, close panics, and a select never chooses a case on it.
     */
    @SuppressWarnings("unchecked")
    public static <T> Chan<T> nil() {
        return (Chan<T>) NIL;
    }

    /** {@code c <- x}: blocks until a receiver takes x or the buffer has room. Panics if c is closed. */
    public void send(T x) {
        chansend(x, true);
    }

    /** {@code v := <-c}: blocks until a value comes; on a closed, drained channel returns null at once. */
    public T recv() {
        return chanrecv(true).value();
    }

    /** {@code v, ok := <-c}: like {@link #recv}, and ok is false when the channel is closed and drained. */
    public Recv<T> recv2() {
        return chanrecv(true);
    }

    /**
     * {@code select { case c <- x: return true; default: return false }}: sends only if that needs no
     * waiting. Panics if c is closed.
     */
    public boolean trySend(T x) {
        return chansend(x, false);
    }

    /**
     * {@code select { case v, ok := <-c: ...; default: ... }}: empty if a receive would have to wait,
     * else what the receive returns (ok false: closed and drained).
     */
    public Optional<Recv<T>> tryRecv() {
        return Optional.ofNullable(chanrecv(false));
    }

    /** {@code close(c)}: no more values will be sent. Panics if c is already closed or nil. */
    public void close() {
        closechan();
    }

    /** {@code len(c)}: the values in the buffer now (a snapshot, as in Go). */
    public int len() {
        return qcount;
    }

    /** {@code cap(c)}: the buffer's size. */
    public int cap() {
        return dataqsiz;
    }

    /**
     * {@code for v := range c}: receives until the channel is closed and drained. The iterator runs
     * on the goroutine that iterates; hasNext blocks until it knows the answer.
     */
    @Override
    public Iterator<T> iterator() {
        return new Iterator<>() {
            private Recv<T> next;

            @Override
            public boolean hasNext() {
                if (next == null) {
                    next = recv2();
                }
                return next.ok();
            }

            @Override
            public T next() {
                if (!hasNext()) {
                    throw new NoSuchElementException("channel closed");
                }
                T v = next.value();
                next = null;
                return v;
            }
        };
    }

    @Override
    public String toString() {
        return isNil ? "chan(nil)" : "chan(len=" + qcount + ", cap=" + dataqsiz + (closed ? ", closed" : "") + ")";
    }

    // ---------------------------------------------------------------------------------------------
    // Send (Go: chansend, send)

    /**
     * Sends x (Go: chansend). With block false, returns false instead of waiting. In this order: on
     * a closed channel, panic; a waiting receiver gets x directly (send); else x goes into the buffer
     * if there is room; else (blocking) the G queues a sudog on sendq and parks with reason
     * "chan send" until a receiver takes x, or close wakes it, and then it panics.
     */
    boolean chansend(T x, boolean block) {
        G gp = Go.current("send on a channel");
        // BEGIN SOLUTION ch05 #chansend
        // TODO: nil channel: return false if !block, else park forever: gp.proc.gopark(gp, null, Proc.WAIT_CHAN_SEND_NIL).
        //       Then lock(gp.proc). Closed: unlock, throw new GoPanic("send on closed channel"). A receiver in
        //       recvq.dequeue(): send(sg, x, this::unlock), return true. Room in the buffer: bufput(x),
        //       unlock, true. Not blocking: unlock, false. Else queue new Sudog(gp, x, null) on
        //       sendq and parkOrUndo(gp, sendq, it, Proc.WAIT_CHAN_SEND); once woken, a sudog
        //       without success means close woke us: panic as above.
        if (isNil) {
            if (!block) {
                return false;
            }
            gp.proc.gopark(gp, null, Proc.WAIT_CHAN_SEND_NIL);
            throw new IllegalStateException("unreachable: a send on the nil channel woke up");
        }
        lock(gp.proc);
        if (closed) {
            unlock();
            throw new GoPanic("send on closed channel");
        }
        Sudog sg = recvq.dequeue();
        if (sg != null) {
            send(sg, x, unlockFn);
            return true;
        }
        if (qcount < dataqsiz) {
            bufput(x);
            unlock();
            return true;
        }
        if (!block) {
            unlock();
            return false;
        }
        Sudog mysg = new Sudog(gp, x, null);
        gp.param = null;
        sendq.enqueue(mysg);
        parkOrUndo(gp, sendq, mysg, Proc.WAIT_CHAN_SEND);
        gp.param = null;
        if (!mysg.success) {
            throw new GoPanic("send on closed channel");
        }
        return true;
        // END SOLUTION
    }

    /**
     * Hands x to the receiver waiting in sg, which is already off recvq (Go: send). The channel is
     * locked; unlockf unlocks it (one channel, or all of a select's), and must run before goready.
     * The receiver becomes runnable in the current P's runnext.
     */
    void send(Sudog sg, T x, Runnable unlockf) {
        // BEGIN SOLUTION ch05 #chansend
        // TODO: put x in sg.elem; unlockf.run(); then tell the receiver what happened (its G's param =
        //       sg, sg.success = true) and goready it (sg.g.proc.goready(sg.g)).
        sg.elem = x;
        G gp = sg.g;
        unlockf.run();
        gp.param = sg;
        sg.success = true;
        gp.proc.goready(gp);
        // END SOLUTION
    }

    // ---------------------------------------------------------------------------------------------
    // Receive (Go: chanrecv, recv)

    /**
     * Receives a value (Go: chanrecv). With block false, returns null instead of waiting. In this
     * order: closed and empty, the zero value with ok false; a waiting sender, its value (recv);
     * a value in the buffer; else (blocking) the G queues a sudog on recvq and parks with reason
     * "chan receive" until a sender fills the sudog, or close wakes it (zero value, ok false).
     */
    Recv<T> chanrecv(boolean block) {
        G gp = Go.current("receive from a channel");
        if (!block && !isNil) {
            switch (chanrecvFast(observed)) {
                case WOULD_BLOCK:
                    return null;
                case CLOSED_AND_EMPTY:
                    return new Recv<>(null, false);
                case TAKE_THE_LOCK:
                    break;
            }
        }
        // BEGIN SOLUTION ch05 #chanrecv
        // TODO: nil channel: null if !block, else park forever (Proc.WAIT_CHAN_RECEIVE_NIL). Then lock(gp.proc).
        //       Closed and qcount 0: unlock, new Recv<>(null, false). A sender in sendq.dequeue():
        //       new Recv<>(recv(sg, this::unlock), true). A value in the buffer: bufget(), unlock, ok.
        //       Not blocking: unlock, null. Else queue new Sudog(gp, null, null) on recvq and
        //       parkOrUndo(gp, recvq, it, Proc.WAIT_CHAN_RECEIVE); once woken, the sudog holds the value
        //       (elemOf(sg)) and whether it came from a sender (success) or from close.
        if (isNil) {
            if (!block) {
                return null;
            }
            gp.proc.gopark(gp, null, Proc.WAIT_CHAN_RECEIVE_NIL);
            throw new IllegalStateException("unreachable: a receive on the nil channel woke up");
        }
        lock(gp.proc);
        if (closed && qcount == 0) {
            unlock();
            return new Recv<>(null, false);
        }
        Sudog sg = sendq.dequeue();
        if (sg != null) {
            return new Recv<>(recv(sg, unlockFn), true);
        }
        if (qcount > 0) {
            T v = bufget();
            unlock();
            return new Recv<>(v, true);
        }
        if (!block) {
            unlock();
            return null;
        }
        Sudog mysg = new Sudog(gp, null, null);
        gp.param = null;
        recvq.enqueue(mysg);
        parkOrUndo(gp, recvq, mysg, Proc.WAIT_CHAN_RECEIVE);
        gp.param = null;
        return new Recv<>(elemOf(mysg), mysg.success);
        // END SOLUTION
    }

    /** What a non-blocking receive can tell without the lock (Go: the {@code !block && empty(c)} block of chanrecv). */
    enum Fast {
        /** The channel was open and empty at one instant: the receive would block. */
        WOULD_BLOCK,
        /** The channel was closed and empty at one instant: the zero value, ok false. */
        CLOSED_AND_EMPTY,
        /** Nothing decided: take the lock and look properly. */
        TAKE_THE_LOCK
    }

    /**
     * The two things the fast path may look at without the lock: Go's {@code empty(c)} (an
     * unbuffered channel has no waiting sender, a buffered one no value) and
     * {@code atomic.Load(&c.closed)}. An interface so that a test can change the channel between
     * two looks.
     */
    interface Observed {
        boolean empty();

        boolean closed();
    }

    /**
     * The lock-free fast path of a non-blocking receive (Go: chanrecv with {@code !block}). Each look
     * is atomic, but the channel may change between two looks, so the answer must be true at some
     * instant between the first look and the last. A closed channel never reopens: that is what
     * makes the order of the looks decide whether the answer is true.
     */
    static Fast chanrecvFast(Observed c) {
        // BEGIN SOLUTION ch09 #nonblocking-recv
        // TODO: Go's order: empty? (no: TAKE_THE_LOCK); then closed? (no: WOULD_BLOCK); then empty
        //       again? (yes: CLOSED_AND_EMPTY; no: TAKE_THE_LOCK, a value came in between). The
        //       doc's section says why neither look may move.
        if (!c.empty()) {
            return Fast.TAKE_THE_LOCK;
        }
        if (!c.closed()) {
            return Fast.WOULD_BLOCK;
        }
        if (c.empty()) {
            return Fast.CLOSED_AND_EMPTY;
        }
        return Fast.TAKE_THE_LOCK;
        // END SOLUTION
        // STUB: return Fast.TAKE_THE_LOCK;
    }

    /**
     * Takes a value from the sender waiting in sg, which is already off sendq, and returns it
     * (Go: recv). Unbuffered: the sender's own value. Buffered (then the buffer is full): the head
     * of the buffer, and the sender's value goes to the tail. The channel is locked; unlockf unlocks
     * it before the sender is readied into the current P's runnext.
     */
    T recv(Sudog sg, Runnable unlockf) {
        // BEGIN SOLUTION ch05 #chanrecv
        // TODO: unbuffered: v = elemOf(sg). Else v = bufget() and bufput(elemOf(sg)). Clear sg.elem;
        //       unlockf.run(); the sender's G's param = sg, sg.success = true; goready it; return v.
        T v;
        if (dataqsiz == 0) {
            v = elemOf(sg);
        } else {
            v = bufget();
            bufput(elemOf(sg));
        }
        sg.elem = null;
        G gp = sg.g;
        unlockf.run();
        gp.param = sg;
        sg.success = true;
        gp.proc.goready(gp);
        return v;
        // END SOLUTION
    }

    // ---------------------------------------------------------------------------------------------
    // Close (Go: closechan)

    /**
     * Closes the channel (Go: closechan): panics if it is nil or already closed; else marks it
     * closed and wakes every waiter, receivers with the zero value and ok false, senders to panic.
     * The Gs are readied after the lock is released.
     */
    void closechan() {
        G gp = Go.current("close of a channel");
        // BEGIN SOLUTION ch05 #closechan
        // TODO: nil: throw new GoPanic("close of nil channel"). lock(gp.proc); already closed: unlock and
        //       panic "close of closed channel". Set closed. Take every sudog off recvq, then sendq:
        //       elem = null, success = false, its G's param = the sudog; collect the Gs (a stack, as
        //       Go's gList). unlock(); then goready each G.
        if (isNil) {
            throw new GoPanic("close of nil channel");
        }
        lock(gp.proc);
        if (closed) {
            unlock();
            throw new GoPanic("close of closed channel");
        }
        closed = true;
        ArrayDeque<G> glist = new ArrayDeque<>();
        for (Sudog sg = recvq.dequeue(); sg != null; sg = recvq.dequeue()) {
            sg.elem = null;
            sg.success = false;
            sg.g.param = sg;
            glist.push(sg.g);
        }
        for (Sudog sg = sendq.dequeue(); sg != null; sg = sendq.dequeue()) {
            sg.elem = null;
            sg.success = false;
            sg.g.param = sg;
            glist.push(sg.g);
        }
        unlock();
        while (!glist.isEmpty()) {
            G g = glist.pop();
            g.proc.goready(g);
        }
        // END SOLUTION
    }

    // ---------------------------------------------------------------------------------------------
    // Helpers

    /**
     * A timer's non-blocking send, on the g0 of the M that runs the timer (Go: sendTime's
     * selectnbsend, on the system stack): to a waiting receiver, else into the buffer if it has
     * room, else nothing. Returns whether the value went. The channel must not be closed (a timer's
     * never is).
     */
    boolean sendFromTimer(Proc proc, T x) {
        lock(proc);
        Sudog sg = recvq.dequeue();
        if (sg != null) {
            send(sg, x, unlockFn);
            return true;
        }
        if (qcount < dataqsiz) {
            bufput(x);
            unlock();
            return true;
        }
        unlock();
        return false;
    }

    /**
     * Parks gp, whose sudog {@code mysg} is queued on q, with the channel locked; chanparkcommit
     * unlocks it on g0 (Go: the gopark call of chansend and chanrecv). If gopark fails instead, the
     * G never left its stack (a stub of the workbook, a stack pinned by a static initializer or a
     * native frame) and the unlock function never ran: take the sudog back and unlock before
     * rethrowing, or the channel would stay locked, and the next goroutine to touch it would wait
     * for it forever, and a sender could hand its value to a sudog whose G has gone.
     */
    private void parkOrUndo(G gp, WaitQ q, Sudog mysg, String reason) {
        try {
            gp.proc.gopark(gp, chanparkcommitFn, reason);
        } catch (RuntimeException | Error notParked) {
            q.remove(mysg);
            unlock();
            throw notParked;
        }
    }

    /** gopark's unlock function for a blocked send or receive (Go: chanparkcommit): releases the lock. */
    boolean chanparkcommit(G gp) {
        unlock();
        return true;
    }

    /** Appends x at the buffer's tail (Go: typedmemmove into chanbuf(c, c.sendx)). Lock held, room left. */
    void bufput(T x) {
        buf[sendx] = x;
        if (++sendx == dataqsiz) {
            sendx = 0;
        }
        qcount++;
    }

    /** Takes the buffer's head and clears its slot (Go: chanbuf(c, c.recvx)). Lock held, buffer not empty. */
    T bufget() {
        @SuppressWarnings("unchecked")
        T v = (T) buf[recvx];
        buf[recvx] = null;
        if (++recvx == dataqsiz) {
            recvx = 0;
        }
        qcount--;
        return v;
    }

    /** The value in a sudog of this channel. */
    @SuppressWarnings("unchecked")
    T elemOf(Sudog sg) {
        return (T) sg.elem;
    }

    /**
     * Takes the channel lock (Go: lock(&c.lock)): test-and-test-and-set, busy-waiting a little, then
     * yielding the thread. The CAS has volatile semantics: it acquires what the last unlock released.
     * Once the program is over ({@code exiting}), a goroutine still waiting here stops with an Error
     * instead: its M must leave, and a lock held then may never be released.
     */
    void lock(Proc proc) {
        for (int spins = 0; !LOCK.compareAndSet(this, 0, 1); spins++) {
            while ((int) LOCK.getOpaque(this) != 0) {
                if (spins++ < LOCK_SPINS) {
                    Thread.onSpinWait();
                } else if (proc.exiting) {
                    throw new Sema.Fatal("the program is over; a goroutine waiting for a channel's lock stops here");
                } else {
                    Thread.yield();
                }
            }
        }
    }

    /** Releases the channel lock: a store-release, pairing with the next lock's CAS. */
    void unlock() {
        LOCK.setRelease(this, 0);
    }
}
