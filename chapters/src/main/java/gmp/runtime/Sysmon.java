package gmp.runtime;

/**
 * The system monitor, Go's {@code sysmon} (proc.go, Go 1.23): a thread of its own, started by the
 * main goroutine for every program, that runs for the whole life of the program WITHOUT a P. It
 * needs none: it runs no Go code, it only looks at the Ps and pokes them. So it keeps watching
 * when every P is busy, which is exactly when it is needed.
 *
 * <h2>One cycle</h2>
 * sleep {@link #sysmonDelay} (20 us, doubling after 50 cycles in which it took no P, at most
 * 10 ms), then {@link #sysmonCycle}: {@link #retake} every P whose goroutine has run for a whole
 * slice ({@link #FORCE_PREEMPT_NS}, through {@link Preempt#preemptone}), and print the
 * GODEBUG=schedtrace line when one is due ({@code lasttrace}). Chapter 07 adds retaking Ps from Ms
 * blocked in syscalls; chapter 08, polling the network when nobody has for 10 ms.
 *
 * <h2>Deep sleep</h2>
 * When every P is idle nothing can run too long, so sysmon stops cycling: it sleeps on
 * {@code sched.sysmonnote}, with {@code sched.sysmonwait} set, until the next timer is due or 60 s
 * have passed ({@link #sysmonSleep}). An idle runtime thus costs no CPU. Go wakes it early from
 * {@code entersyscall}/{@code exitsyscall} (chapter 07) and {@code startTheWorld}: those make a P
 * busy without a timer. This runtime has neither yet; only exit wakes it.
 *
 * <p>sysmon is not an M here and is not on allm, so checkdead's count of running Ms leaves it out
 * without the {@code sched.nmsys} that Go subtracts for it.
 *
 * <p>The methods a test drives take the time as a parameter ({@code now}), so that each rule can be
 * checked one cycle at a time, with no real 10 ms waits; only {@link #loop} reads the clock.
 */
final class Sysmon {
    /**
     * The time slice given to a G (Go: forcePreemptNS = 10ms): long enough that a goroutine doing
     * real work is rarely interrupted (a switch costs microseconds), short enough that a hog
     * delays the others by no more than a frame of an interactive program.
     */
    static final long FORCE_PREEMPT_NS = 10_000_000L;
    /** The shortest sleep between cycles, in microseconds (Go: delay = 20). */
    static final long MIN_DELAY_US = 20;
    /** The longest, in microseconds (Go: 10 * 1000): a hog is seen within 10 + 10 ms. */
    static final long MAX_DELAY_US = 10_000;
    /** Idle cycles at the shortest delay before it starts doubling: 50 x 20 us = 1 ms (Go: idle > 50). */
    static final int IDLE_CYCLES_BEFORE_BACKOFF = 50;
    /** The longest deep sleep (Go: forcegcperiod / 2, i.e. 60 s, so forcegc is never late by much). */
    static final long MAX_DEEP_SLEEP_NS = 60_000_000_000L;

    final Proc proc;
    /** sysmon's note (Go: sched.sysmonnote): a deep sleep, and exit, wake it. */
    private final Note note = new Note();
    private final Thread thread;
    /** When the last schedtrace line was printed (Go: lasttrace). */
    private long lasttrace;
    /** Cycles run so far: what an idle runtime must stop adding to (read by the tests). */
    volatile long cycles;

    /** A sysmon for proc, not started: tests drive its cycles themselves. */
    Sysmon(Proc proc) {
        this.proc = proc;
        this.thread = Thread.ofPlatform().daemon().name(proc.threadPrefix + "-sysmon").unstarted(this::loop);
    }

    /**
     * Starts sysmon for proc (Go: runtime.main calls newm(sysmon, nil, -1)). proc.sysmon is set
     * before the thread runs, so its first trace counts it. Every P's slice is timed from now: Go
     * times a P it has not looked at yet from time 0, which preempts main in its first slice.
     */
    static void start(Proc proc) {
        Sysmon sm = new Sysmon(proc);
        long now = Proc.nanotime();
        for (P pp : proc.allp) {
            pp.sysmontick.schedtick = pp.schedtick;
            pp.sysmontick.schedwhen = now;
        }
        sm.lasttrace = now - proc.debug.schedtrace() * 1_000_000L;
        proc.sysmon = sm;
        sm.thread.start();
    }

    /** What sysmon last saw of a P (Go: p.sysmontick); only sysmon reads or writes it. */
    static final class Tick {
        /** The P's schedtick when sysmon saw it change, and when that was. */
        long schedtick;
        long schedwhen;
    }

    /** sysmon's loop (Go: sysmon), until the program is over. */
    private void loop() {
        long idle = 0;
        long delay = 0;
        while (!proc.exiting) {
            delay = sysmonDelay(idle, delay);
            note.sleep(delay * 1_000);
            long now = Proc.nanotime();
            if (sysmonSleep(now, proc.timeSleepUntil()) > 0 && deepSleep()) {
                idle = 0;
                delay = MIN_DELAY_US;
            }
            if (proc.exiting) {
                return;
            }
            idle = sysmonCycle(Proc.nanotime()) != 0 ? 0 : idle + 1;
        }
    }

    /**
     * Sleeps on sysmon's note while every P stays idle, as {@link #sysmonSleep} says, rechecked
     * under sched.lock (Go: the deep-sleep block of sysmon). Returns true when woken by a notewakeup,
     * which means somebody made a P busy: then sysmon starts over from the shortest delay.
     */
    private boolean deepSleep() {
        boolean woken = false;
        proc.lockSched();
        try {
            long sleep = sysmonSleep(Proc.nanotime(), proc.timeSleepUntil());
            if (sleep > 0) {
                proc.sched.sysmonwait = true;
                proc.sched.lock.unlock();
                try {
                    woken = note.sleep(sleep);
                } finally {
                    proc.lockSched();
                }
                proc.sched.sysmonwait = false;
                note.clear();
            }
        } finally {
            proc.sched.lock.unlock();
        }
        return woken;
    }

    /** Wakes sysmon early, so that it sees the program is over. */
    void wakeup() {
        note.wakeup();
    }

    void join() {
        try {
            thread.join(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * How long to sleep before the next cycle, in microseconds (Go: the top of sysmon's loop).
     * {@code idle} is the number of cycles in a row in which retake took no P; {@code delay} is the
     * last delay. Start at 20 us; after 50 idle cycles (1 ms at 20 us) double it every cycle; never
     * more than 10 ms. So a busy runtime is watched closely and an idle one costs little.
     */
    static long sysmonDelay(long idle, long delay) {
        // TODO(ch06): idle == 0: delay = MIN_DELAY_US; else if idle > IDLE_CYCLES_BEFORE_BACKOFF: delay *= 2.
        //             Then cap it at MAX_DELAY_US and return it.
        //             Read docs/en/06-preemption.md#delay
        return MAX_DELAY_US; // until chapter 06, sysmon looks every 10 ms
    }

    /**
     * How long sysmon may sleep on its note instead of cycling, or 0 if it must keep watching
     * (Go: sysmon's deep-sleep condition). {@code next} is the earliest timer (0: none). Only when
     * schedtrace is off (a trace must keep coming) and every P is idle (no goroutine can hog one);
     * then until that timer is due, which is when a P may be busy again, but at most
     * MAX_DEEP_SLEEP_NS. A timer that is already due means no sleep at all.
     */
    long sysmonSleep(long now, long next) {
        // TODO(ch06): return 0 if proc.debug.schedtrace() > 0, or if sched.npidle < proc.gomaxprocs.
        //             No timer (next == 0): MAX_DEEP_SLEEP_NS. A timer due (next <= now): 0. Else
        //             min(next - now, MAX_DEEP_SLEEP_NS).
        //             Read docs/en/06-preemption.md#deep-sleep
        return 0; // until chapter 06, sysmon never sleeps deeply
    }

    /**
     * One cycle of sysmon at time {@code now}, after its sleep: retake, then the schedtrace line if
     * one is due (Go: lasttrace + schedtrace * 1ms <= now). Returns what retake returned: the number
     * of Ps taken from syscalls, which is what resets sysmon's idle count.
     */
    int sysmonCycle(long now) {
        cycles++;
        int n = retake(now);
        long period = proc.debug.schedtrace() * 1_000_000L;
        if (period > 0 && lasttrace + period <= now) {
            lasttrace = now;
            proc.config.trace().print(proc.schedtrace(proc.debug.scheddetail()));
            proc.config.trace().flush();
        }
        return n;
    }

    /**
     * Looks at every P (Go: retake, proc.go). A P that is running (or in a syscall) and whose
     * schedtick has not moved for FORCE_PREEMPT_NS has run one G, or one chain of Gs that inherit
     * each other's slice through runnext, for a whole slice: preemptone it. A schedtick that moved
     * since the last look means a new slice began: record the tick and when it was seen. Returns
     * the number of Ps retaken from syscalls (chapter 07; preemptions do not count).
     *
     * <p>The P fields are read without a lock, as Go reads them: a racy snapshot is fine for a
     * heuristic that runs again in at most 10 ms.
     */
    int retake(long now) {
        // TODO(ch06): for each P in proc.allp that is _Prunning or _Psyscall: pd = pp.sysmontick. If
        //             pd.schedtick != pp.schedtick, a new slice began: record pp.schedtick in pd and
        //             pd.schedwhen = now. Else, if pd.schedwhen + FORCE_PREEMPT_NS <= now, the slice is
        //             used up: Preempt.preemptone(pp). Return 0 (the syscall half of retake is chapter 07's).
        //             Read docs/en/06-preemption.md#retake
        return 0; // until chapter 06, sysmon preempts nobody
    }
}
