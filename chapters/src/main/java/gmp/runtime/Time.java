package gmp.runtime;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * Go's timers, as package time has them since Go 1.23: {@link #after}, {@link #newTimer} with
 * {@link Timer#stop} and {@link Timer#reset}, {@link #afterFunc} and {@link #newTicker}.
 * ({@code time.Sleep} is {@link Go#sleep}.)
 *
 * <pre>{@code
 * Chan<Instant> c = Time.after(Duration.ofMillis(20));  // <-time.After(20 * time.Millisecond)
 * Time.Timer t = Time.newTimer(d);  t.c().recv();       // t := time.NewTimer(d); <-t.C
 * Time.afterFunc(d, () -> ...);                          // time.AfterFunc(d, f): f in a new goroutine
 * Time.Ticker tk = Time.newTicker(d);                    // tk.C ticks every d; tk.Stop()
 * }</pre>
 *
 * <h2>The design</h2>
 * Every arming of a timer is one entry ({@link gmp.runtime.Timer}) in the heap of the P that armed
 * it, the heap sleeps use, so no goroutine or thread waits for a timer. Whichever M checks that heap
 * after the deadline runs the entry's function on its g0 ({@link Core#fire}), as Go runs a timer's
 * function on the system stack: for a channel timer a non-blocking send of the time (Go: sendTime),
 * for AfterFunc a new goroutine (Go: goFunc), for a ticker the send and the next entry.
 *
 * <p>Go 1.23's promise: after Stop or Reset returns, no value from before the call is received. Here
 * a timer's lock ({@link Core#mu}) is held while the entry fires and sends, and while Stop and Reset
 * take the entry out of the heap, forget it (an entry that fires later finds it is not the timer's
 * current one and does nothing) and drain the channel, so the two never overlap; Go does the same
 * with its timer lock, its sendLock and the timer's seq. As in Go 1.23, Stop and Reset report
 * whether the timer was still pending, a value sent but not yet received included.
 *
 * <h2>Java and Go</h2>
 * The channel carries an {@link Instant} (Go: a time.Time), the wall clock when the timer fired. Go
 * 1.23's timer channel reports len and cap 0; this one has a buffer of one and says so. A stopped
 * timer's entry leaves the heap at once (Go leaves a zombie to clean up later).
 */
public final class Time {
    private Time() {
    }

    /** {@code time.After(d)}: a channel that receives the time once d has passed. */
    public static Chan<Instant> after(Duration d) {
        return newTimer(d).c();
    }

    /** {@code time.NewTimer(d)}: a timer that sends the time on its channel once d has passed. */
    public static Timer newTimer(Duration d) {
        Timer t = new Timer(new Core(Go.current("Time.newTimer").proc, Chan.make(1), null, 0));
        t.core.start(d);
        return t;
    }

    /** {@code time.AfterFunc(d, f)}: once d has passed, runs f in a goroutine of its own. */
    public static Timer afterFunc(Duration d, Runnable f) {
        Objects.requireNonNull(f, "f");
        Timer t = new Timer(new Core(Go.current("Time.afterFunc").proc, null, f, 0));
        t.core.start(d);
        return t;
    }

    /**
     * {@code time.NewTicker(d)}: sends the time every d. A slow receiver misses ticks rather than
     * queueing them (the channel holds one). Panics on a d that is not positive, as Go does.
     */
    public static Ticker newTicker(Duration d) {
        long period = positive(d, "non-positive interval for NewTicker");
        Ticker t = new Ticker(new Core(Go.current("Time.newTicker").proc, Chan.make(1), null, period));
        t.core.start(d);
        return t;
    }

    /** A one-shot timer (Go: *time.Timer). */
    public static final class Timer {
        private final Core core;

        private Timer(Core core) {
            this.core = core;
        }

        /** The channel the time is sent on (Go: t.C); null for a timer made by afterFunc, as in Go. */
        public Chan<Instant> c() {
            return core.c;
        }

        /**
         * {@code t.Stop()}: stops the timer. True if that stopped it, false if it had already fired
         * (and its value was received) or been stopped. No value is received after it returns.
         */
        public boolean stop() {
            return core.stop();
        }

        /**
         * {@code t.Reset(d)}: stops the timer and arms it again to fire after d. Returns whether it
         * was still pending; no value from before the call is received after it.
         */
        public boolean reset(Duration d) {
            return core.reset(d);
        }
    }

    /** A ticker (Go: *time.Ticker). */
    public static final class Ticker {
        private final Core core;

        private Ticker(Core core) {
            this.core = core;
        }

        /** The channel the ticks come on (Go: t.C). */
        public Chan<Instant> c() {
            return core.c;
        }

        /** {@code t.Stop()}: no more ticks; none from before the call is received after it. */
        public void stop() {
            core.stop();
        }

        /** {@code t.Reset(d)}: ticks every d from now on. Panics on a d that is not positive. */
        public void reset(Duration d) {
            core.period = positive(d, "non-positive interval for Ticker.Reset");
            core.reset(d);
        }
    }

    private static long positive(Duration d, String message) {
        if (d.isNegative() || d.isZero()) {
            throw new GoPanic(message);
        }
        return nanos(d);
    }

    /** d in nanoseconds, saturated at Go's largest Duration. */
    private static long nanos(Duration d) {
        return d.isNegative() ? 0 : d.compareTo(Duration.ofNanos(Long.MAX_VALUE)) > 0 ? Long.MAX_VALUE : d.toNanos();
    }

    /** The state of one Timer or Ticker (Go: the runtime's timer behind a time.Timer). */
    private static final class Core {
        final Proc proc;
        /** The channel of a channel timer or ticker, or null for AfterFunc. */
        final Chan<Instant> c;
        /** AfterFunc's function, or null. */
        final Runnable fn;
        /** A ticker's period in ns, or 0 for a one-shot timer; under mu. */
        long period;
        /**
         * Guards {@link #armed} and is held across a firing's send and across Stop and Reset (Go:
         * t.mu and t.sendLock). A runtime lock: taken on goroutines and on g0, never across a park.
         */
        final RuntimeMutex mu = new RuntimeMutex();
        /** The heap entry of the current arming, or null when the timer is not pending; under mu. */
        gmp.runtime.Timer armed;

        Core(Proc proc, Chan<Instant> c, Runnable fn, long period) {
            this.proc = proc;
            this.c = c;
            this.fn = fn;
            this.period = period;
        }

        /** Arms the timer to fire after d, on the current goroutine's P. */
        void start(Duration d) {
            G gp = Go.current("a timer");
            mu.lock();
            try {
                arm(gp.m.p, Proc.nanotime(), nanos(d));
            } finally {
                mu.unlock();
            }
        }

        /** A new heap entry on pp for now + ns (saturating); mu held (Go: timer.modify, maybeAdd). */
        private void arm(P pp, long now, long ns) {
            long when = now + ns;
            gmp.runtime.Timer t = new gmp.runtime.Timer(this::fire, null);
            armed = t;
            proc.addtimer(pp, t, when < now ? Long.MAX_VALUE : when);
        }

        /** Forgets the current arming and drains the channel; mu held. Whether it was pending (Go: stop). */
        private boolean disarm() {
            boolean pending = false;
            gmp.runtime.Timer t = armed;
            if (t != null) {
                armed = null;
                pending = true;
                Timers ts = t.ts;
                ts.mu.lock();
                try {
                    ts.remove(t);
                } finally {
                    ts.mu.unlock();
                }
            }
            if (c != null && c.tryRecv().isPresent()) {
                pending = true; // Go 1.23: a value sent but not yet received counts as still pending
            }
            return pending;
        }

        boolean stop() {
            Go.current("Timer.stop");
            mu.lock();
            try {
                return disarm();
            } finally {
                mu.unlock();
            }
        }

        boolean reset(Duration d) {
            G gp = Go.current("Timer.reset");
            mu.lock();
            try {
                boolean pending = disarm();
                arm(gp.m.p, Proc.nanotime(), nanos(d));
                return pending;
            } finally {
                mu.unlock();
            }
        }

        /**
         * A heap entry is due: on the g0 of the M that checked the heap, with its P (Go:
         * unlockAndRun, then sendTime or goFunc). An entry that is no longer the current arming was
         * stopped or reset after it left the heap: it does nothing.
         */
        private void fire(gmp.runtime.Timer t) {
            mu.lock();
            try {
                if (armed != t) {
                    return;
                }
                armed = null;
                if (period > 0) {
                    // The next tick, skipping the ones already missed (Go: t.when += t.period * (1 + -delta/t.period)).
                    long now = Proc.nanotime();
                    long next = t.when + period;
                    if (next <= now) {
                        next += period * ((now - next) / period + 1);
                    }
                    arm(proc.getm().p, now, next - now);
                }
                if (fn != null) {
                    proc.newproc(fn);
                } else {
                    c.sendFromTimer(proc, Instant.now());
                }
            } finally {
                mu.unlock();
            }
        }
    }
}
