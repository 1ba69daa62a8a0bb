package gmp.runtime;

import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * Go's {@code select} statement: {@code runtime/select.go} (Go 1.23, selectgo and block).
 *
 * <pre>{@code
 * int chosen = Select.select(                        // select {
 *         Select.recv(in, v -> handle(v)),           // case v := <-in:
 *         Select.send(out, x, () -> sent++),         // case out <- x:
 *         Select.otherwise(() -> idle++));           // default:
 *                                                    // }
 * Select.block();                                    // select {}
 * }</pre>
 *
 * {@link #select} returns the position of the case it chose, after running that case's body.
 *
 * <h2>selectgo in three passes</h2>
 * <ol>
 *   <li><b>Look.</b> Lock every channel of the select, in one global order (by channel id; Go sorts
 *       by address), so two selects on the same channels cannot deadlock. Then visit the cases in a
 *       random order (Go's pollorder, a shuffle with cheaprandn): the first one that can go ahead
 *       without waiting wins. The random order is what makes select fair: with several cases ready,
 *       each is as likely to be chosen. Nothing ready and a default: unlock, run the default.</li>
 *   <li><b>Wait.</b> Queue one sudog on every case's channel (sendq or recvq), all sharing one
 *       "done" flag, and park with reason "select". The unlock function (Go: selparkcommit) releases
 *       every channel on g0, after the G is parked, as a plain send or receive does.</li>
 *   <li><b>Wake.</b> A sender, receiver or close takes one of the sudogs off its queue; the flag's
 *       compare-and-set in {@link WaitQ#dequeue} lets exactly one of them win, and the winner leaves
 *       its sudog in the G's param. Woken, the select locks all channels again, takes its other
 *       sudogs off their queues and reports the winning case.</li>
 * </ol>
 * Nil channels take part in nothing: their cases are left out of both orders. A select whose cases
 * are all on nil channels, and no default, waits forever; {@code select {}} ({@link #block}) too, with
 * Go's reason "select (no cases)".
 *
 * <p>This is given code: it moves values with the buffer helpers of {@link Chan} and with the
 * {@code send} and {@code recv} hand-offs the learner writes for chansend and chanrecv. Go's
 * cheaprand is per M; the random source here is one atomic counter for the JVM (a goroutine must not
 * use a thread-local: it may resume on another thread).
 */
public final class Select {
    private Select() {
    }

    /** What a case's body receives: the value (null for sends and default) and ok. */
    @FunctionalInterface
    private interface Body {
        void run(Object value, boolean ok);
    }

    /** One case of a select; make it with {@link #recv}, {@link #recv2}, {@link #send} or {@link #otherwise}. */
    public static final class Case {
        /** The channel, or null for the default case. */
        final Chan<?> c;
        final boolean isSend;
        /** What a send case sends. */
        final Object elem;
        final Body body;

        private Case(Chan<?> c, boolean isSend, Object elem, Body body) {
            this.c = c;
            this.isSend = isSend;
            this.elem = elem;
            this.body = body;
        }

        @Override
        public String toString() {
            return c == null ? "default" : isSend ? "case " + c + " <- " + elem : "case <-" + c;
        }
    }

    /** {@code case v := <-c:} with body(v). On a closed, drained channel v is null. */
    public static <T> Case recv(Chan<T> c, Consumer<? super T> body) {
        Objects.requireNonNull(c, "channel (use Chan.nil() for a nil channel)");
        Objects.requireNonNull(body, "body");
        return new Case(c, false, null, (v, ok) -> body.accept(cast(v)));
    }

    /** {@code case <-c:} with no body. */
    public static <T> Case recv(Chan<T> c) {
        return recv(c, v -> { });
    }

    /** {@code case v, ok := <-c:} with body(Recv(v, ok)); ok is false when the channel is closed and drained. */
    public static <T> Case recv2(Chan<T> c, Consumer<? super Chan.Recv<T>> body) {
        Objects.requireNonNull(c, "channel (use Chan.nil() for a nil channel)");
        Objects.requireNonNull(body, "body");
        return new Case(c, false, null, (v, ok) -> body.accept(new Chan.Recv<T>(cast(v), ok)));
    }

    /** {@code case c <- x:} with body(). Chosen on a closed channel, it panics "send on closed channel". */
    public static <T> Case send(Chan<T> c, T x, Runnable body) {
        Objects.requireNonNull(c, "channel (use Chan.nil() for a nil channel)");
        Objects.requireNonNull(body, "body");
        return new Case(c, true, x, (v, ok) -> body.run());
    }

    /** {@code case c <- x:} with no body. */
    public static <T> Case send(Chan<T> c, T x) {
        return send(c, x, () -> { });
    }

    /** {@code default:} with body(): chosen when no other case can go ahead at once. */
    public static Case otherwise(Runnable body) {
        Objects.requireNonNull(body, "body");
        return new Case(null, false, null, (v, ok) -> body.run());
    }

    /** {@code default:} with no body. */
    public static Case otherwise() {
        return otherwise(() -> { });
    }

    /**
     * Runs a select: waits until one case can go ahead (or takes the default at once if none can),
     * performs it, runs its body and returns its position in {@code cases}. No cases at all is
     * {@code select {}}: it blocks forever. At most one default.
     */
    public static int select(Case... cases) {
        G gp = Go.current("select");
        int dflt = -1;
        for (int i = 0; i < cases.length; i++) {
            Objects.requireNonNull(cases[i], "select case");
            if (cases[i].c == null) {
                if (dflt >= 0) {
                    throw new IllegalArgumentException("select: multiple defaults (cases " + dflt + " and " + i + ")");
                }
                dflt = i;
            }
        }
        if (cases.length == 0) {
            block();
        }
        Chosen r = selectgo(gp, cases, dflt < 0);
        int chosen = r.index() < 0 ? dflt : r.index();
        cases[chosen].body.run(r.value(), r.ok());
        return chosen;
    }

    /** {@code select {}}: parks the goroutine forever, reason "select (no cases)" (Go: block). */
    public static void block() {
        G gp = Go.current("select {}");
        gp.proc.gopark(gp, null, Proc.WAIT_SELECT_NO_CASES);
        throw new IllegalStateException("unreachable: select {} returned");
    }

    /** The case selectgo chose (-1: none could go ahead, take the default) and what it received. */
    private record Chosen(int index, Object value, boolean ok) {
    }

    /**
     * Go's selectgo: chooses and performs one case; with block false, returns index -1 instead of
     * waiting. Panics with "send on closed channel" if it chose a send on a closed channel.
     */
    private static Chosen selectgo(G gp, Case[] cases, boolean block) {
        // The poll order: the channel cases in random order (an inside-out Fisher-Yates shuffle).
        int[] pollorder = new int[cases.length];
        int norder = 0;
        for (int i = 0; i < cases.length; i++) {
            Chan<?> c = cases[i].c;
            if (c == null || c.isNil) {
                continue;
            }
            int j = cheaprandn(norder + 1);
            pollorder[norder] = pollorder[j];
            pollorder[j] = i;
            norder++;
        }
        // The lock order: the same cases sorted by channel id (few cases: an insertion sort).
        int[] lockorder = new int[norder];
        for (int k = 0; k < norder; k++) {
            int i = pollorder[k];
            int j = k;
            while (j > 0 && cases[lockorder[j - 1]].c.id > cases[i].c.id) {
                lockorder[j] = lockorder[j - 1];
                j--;
            }
            lockorder[j] = i;
        }
        Runnable unlockAll = () -> selunlock(cases, lockorder);
        sellock(gp.proc, cases, lockorder);

        // Pass 1: the first case, in poll order, that can go ahead at once.
        for (int k = 0; k < norder; k++) {
            int i = pollorder[k];
            @SuppressWarnings("unchecked")
            Chan<Object> c = (Chan<Object>) cases[i].c;
            if (cases[i].isSend) {
                if (c.closed) {
                    selunlock(cases, lockorder);
                    throw new GoPanic("send on closed channel");
                }
                Sudog sg = c.recvq.dequeue();
                if (sg != null) {
                    c.send(sg, cases[i].elem, unlockAll);
                    return new Chosen(i, null, true);
                }
                if (c.qcount < c.dataqsiz) {
                    c.bufput(cases[i].elem);
                    selunlock(cases, lockorder);
                    return new Chosen(i, null, true);
                }
            } else {
                Sudog sg = c.sendq.dequeue();
                if (sg != null) {
                    return new Chosen(i, c.recv(sg, unlockAll), true);
                }
                if (c.qcount > 0) {
                    Object v = c.bufget();
                    selunlock(cases, lockorder);
                    return new Chosen(i, v, true);
                }
                if (c.closed) {
                    selunlock(cases, lockorder);
                    return new Chosen(i, null, false);
                }
            }
        }
        if (!block) {
            selunlock(cases, lockorder);
            return new Chosen(-1, null, false);
        }

        // Pass 2: wait on every channel at once.
        AtomicBoolean done = new AtomicBoolean();
        Sudog[] sgs = new Sudog[cases.length];
        for (int i : lockorder) {
            Case cas = cases[i];
            Sudog sg = new Sudog(gp, cas.isSend ? cas.elem : null, done);
            sgs[i] = sg;
            (cas.isSend ? cas.c.sendq : cas.c.recvq).enqueue(sg);
        }
        gp.param = null;
        try {
            gp.proc.gopark(gp, g -> {
                selunlock(cases, lockorder);
                return true;
            }, Proc.WAIT_SELECT);
        } catch (RuntimeException | Error notParked) {
            // gopark failed before the switch (a pinned stack, a stub of the workbook): the unlock
            // function never ran. Take every sudog back and unlock, as Chan.parkOrUndo does.
            for (int i : lockorder) {
                (cases[i].isSend ? cases[i].c.sendq : cases[i].c.recvq).remove(sgs[i]);
            }
            selunlock(cases, lockorder);
            throw notParked;
        }

        // Pass 3: woken by one case; take the sudogs of the others back.
        sellock(gp.proc, cases, lockorder);
        Sudog won = (Sudog) gp.param;
        gp.param = null;
        int casi = -1;
        for (int i : lockorder) {
            if (sgs[i] == won) {
                casi = i;
            } else {
                (cases[i].isSend ? cases[i].c.sendq : cases[i].c.recvq).remove(sgs[i]);
            }
        }
        selunlock(cases, lockorder);
        if (casi < 0) {
            throw new IllegalStateException("selectgo: bad wakeup: " + gp + " woke with param " + won);
        }
        if (cases[casi].isSend) {
            if (!won.success) {
                throw new GoPanic("send on closed channel");
            }
            return new Chosen(casi, null, true);
        }
        return new Chosen(casi, won.elem, won.success);
    }

    /** Locks the channels in lock order, each once even if several cases use it (Go: sellock). */
    private static void sellock(Proc proc, Case[] cases, int[] lockorder) {
        Chan<?> prev = null;
        for (int i : lockorder) {
            Chan<?> c = cases[i].c;
            if (c != prev) {
                prev = c;
                c.lock(proc);
            }
        }
    }

    /** Unlocks what sellock locked (Go: selunlock). */
    private static void selunlock(Case[] cases, int[] lockorder) {
        Chan<?> prev = null;
        for (int i : lockorder) {
            Chan<?> c = cases[i].c;
            if (c != prev) {
                prev = c;
                c.unlock();
            }
        }
    }

    private static final AtomicLong RAND = new AtomicLong(System.nanoTime());

    /**
     * A random number in [0, n) (Go: cheaprandn): splitmix64 on a shared counter, scaled by
     * multiply-and-shift as Go does instead of a modulo.
     */
    static int cheaprandn(int n) {
        long z = RAND.addAndGet(0x9E3779B97F4A7C15L);
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        z ^= z >>> 31;
        return (int) (((z >>> 32) * n) >>> 32);
    }

    @SuppressWarnings("unchecked")
    private static <T> T cast(Object v) {
        return (T) v;
    }
}
