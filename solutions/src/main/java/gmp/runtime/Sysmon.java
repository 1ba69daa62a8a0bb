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
 * blocked in syscalls ({@link #retakeSyscall}, which counts: a cycle that took a P resets the
 * back-off) and the report of a goroutine that blocks its thread without the syscall bracket
 * ({@link #checkBlockedHolder}); chapter 08, polling the network when nobody has for 10 ms
 * ({@link #pollNetwork}).
 *
 * <h2>Deep sleep</h2>
 * When every P is idle nothing can run too long, so sysmon stops cycling: it sleeps on
 * {@code sched.sysmonnote}, with {@code sched.sysmonwait} set, until the next timer is due or 60 s
 * have passed ({@link #sysmonSleep}). An idle runtime thus costs no CPU. Go wakes it early from
 * {@code entersyscall}/{@code exitsyscall} (chapter 07, {@link #wakeLocked}) and
 * {@code startTheWorld}: those make a P busy without a timer. This runtime has no stop-the-world;
 * syscalls and exit wake it.
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
    /**
     * A syscall younger than this keeps its P when there is nothing else to run and some M or P is
     * free to pick up new work (Go: retake's 10*1000*1000): handing the P off would buy nothing.
     * Older ones are retaken anyway, so that an idle program's sysmon can reach its deep sleep.
     */
    static final long SYSCALL_YOUNG_NS = 10_000_000L;
    /**
     * How long a goroutine's thread may stay blocked in a Java call, with the P held and its slice
     * used up, before sysmon reports it (ours; Go has no such trap): one more slice.
     */
    static final long BLOCKED_HOLDER_NS = FORCE_PREEMPT_NS;

    final Proc proc;
    /** sysmon's note (Go: sched.sysmonnote): a deep sleep, and exit, wake it. */
    private final Note note = new Note();
    private final Thread thread;
    /** When the last schedtrace line was printed (Go: lasttrace). */
    private long lasttrace;
    /** Cycles run so far: what an idle runtime must stop adding to (read by the tests). */
    volatile long cycles;
    /**
     * How often retake found a running P's slice used up (and asked its G to stop). Tests whose
     * lesson is the scheduler's state in a program too short to be preempted read it, to tell a
     * run that a loaded machine stretched past 10 ms from one that went wrong.
     */
    volatile long slicesUsedUp;
    /** The report of a goroutine that blocked its thread holding a P, once per program, or null. */
    volatile String blockedHolderReport;

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
        /** The P's syscalltick when sysmon saw it change, and when that was (chapter 07). */
        long syscalltick;
        long syscallwhen;
        /** When sysmon first saw the P's M blocked in a Java call in this slice, or 0 (ours, chapter 07). */
        long blockedSince;
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

    /**
     * Wakes sysmon if it is in its deep sleep (Go: the sysmonwait/notewakeup(&sched.sysmonnote) of
     * entersyscall_sysmon, exitsyscallfast_pidle and exitsyscall0): a P is about to be busy with no
     * timer to wake sysmon for it. sched.lock must be held.
     */
    static void wakeLocked(Proc proc) {
        if (proc.sched.sysmonwait) {
            proc.sched.sysmonwait = false;
            Sysmon sm = proc.sysmon;
            if (sm != null) {
                sm.note.wakeup();
            }
        }
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
        // BEGIN SOLUTION ch06 #delay
        // TODO: idle == 0: delay = MIN_DELAY_US; else if idle > IDLE_CYCLES_BEFORE_BACKOFF: delay *= 2.
        //       Then cap it at MAX_DELAY_US and return it.
        if (idle == 0) {
            delay = MIN_DELAY_US;
        } else if (idle > IDLE_CYCLES_BEFORE_BACKOFF) {
            delay *= 2;
        }
        return Math.min(delay, MAX_DELAY_US);
        // END SOLUTION
        // STUB: return MAX_DELAY_US; // until chapter 06, sysmon looks every 10 ms
    }

    /**
     * How long sysmon may sleep on its note instead of cycling, or 0 if it must keep watching
     * (Go: sysmon's deep-sleep condition). {@code next} is the earliest timer (0: none). Only when
     * schedtrace is off (a trace must keep coming) and every P is idle (no goroutine can hog one);
     * then until that timer is due, which is when a P may be busy again, but at most
     * MAX_DEEP_SLEEP_NS. A timer that is already due means no sleep at all.
     */
    long sysmonSleep(long now, long next) {
        // BEGIN SOLUTION ch06 #deep-sleep
        // TODO: return 0 if proc.debug.schedtrace() > 0, or if sched.npidle < proc.gomaxprocs.
        //       No timer (next == 0): MAX_DEEP_SLEEP_NS. A timer due (next <= now): 0. Else
        //       min(next - now, MAX_DEEP_SLEEP_NS).
        if (proc.debug.schedtrace() > 0 || proc.sched.npidle.get() < proc.gomaxprocs) {
            return 0;
        }
        if (next == 0) {
            return MAX_DEEP_SLEEP_NS;
        }
        return next <= now ? 0 : Math.min(next - now, MAX_DEEP_SLEEP_NS);
        // END SOLUTION
        // STUB: return 0; // until chapter 06, sysmon never sleeps deeply
    }

    /**
     * One cycle of sysmon at time {@code now}, after its sleep: retake, then the schedtrace line if
     * one is due (Go: lasttrace + schedtrace * 1ms <= now). Returns what retake returned: the number
     * of Ps taken from syscalls, which is what resets sysmon's idle count.
     */
    int sysmonCycle(long now) {
        cycles++;
        pollNetwork(now);
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
     * Polls the network if nobody has for 10 ms (Go: the first block of sysmon's cycle, chapter 08):
     * in a program whose Ms always find work, findRunnable never polls, and a ready connection
     * would wait for one to run dry. The CAS on lastpoll claims this poll; one more M counts as
     * running while the Gs are injected (incidlelocked), so checkdead cannot see every M idle with
     * runnable Gs in sysmon's hands.
     */
    void pollNetwork(long now) {
        Netpoll np = proc.netpoll;
        long lastpoll = proc.sched.lastpoll.get();
        if (!np.netpollinited() || lastpoll == 0 || lastpoll + Netpoll.SYSMON_POLL_NS >= now) {
            return;
        }
        if (!proc.sched.lastpoll.compareAndSet(lastpoll, now)) {
            return;
        }
        GList list = np.netpoll(0);
        if (!list.empty()) {
            Syscall.incidlelocked(proc, -1);
            np.injectPolled(list);
            Syscall.incidlelocked(proc, 1);
        } else {
            np.netpollAdjustWaiters(list.delta);
        }
    }

    /**
     * Looks at every P (Go: retake, proc.go): a running P (or one in a syscall) whose goroutine has
     * used up its slice is preempted ({@link #retakeSlice}); a P in a syscall may be retaken from its
     * M ({@link #retakeSyscall}, chapter 07); and a running P whose goroutine blocks its thread in a
     * Java call is reported ({@link #checkBlockedHolder}). Returns the number of Ps retaken from
     * syscalls (preemptions do not count), which is what resets sysmon's idle count.
     *
     * <p>The P fields are read without a lock, as Go reads them: a racy snapshot is fine for a
     * heuristic that runs again in at most 10 ms.
     */
    int retake(long now) {
        int n = 0;
        for (P pp : proc.allp) {
            int s = pp.status;
            if (s != P._Prunning && s != P._Psyscall) {
                continue;
            }
            boolean sysretake = retakeSlice(pp, now);
            if (s == P._Psyscall) {
                if (retakeSyscall(pp, sysretake, now)) {
                    n++;
                }
            } else if (sysretake) {
                slicesUsedUp++; // sysmon is the only writer
                checkBlockedHolder(pp, now);
            }
        }
        return n;
    }

    /**
     * The preemption half of retake for one P (Go: retake). If the P's schedtick has not moved for
     * FORCE_PREEMPT_NS, it has run one G, or one chain of Gs that inherit each other's slice through
     * runnext, for a whole slice: preemptone it and return true (Go's sysretake: a P in a syscall
     * that long is retaken without waiting for a second look). A schedtick that moved since the last
     * look means a new slice began: record the tick and when it was seen.
     */
    boolean retakeSlice(P pp, long now) {
        // BEGIN SOLUTION ch06 #retake
        // TODO: pd = pp.sysmontick. If pd.schedtick != pp.schedtick, a new slice began: record
        //       pp.schedtick in pd and pd.schedwhen = now; return false. Else, if pd.schedwhen +
        //       FORCE_PREEMPT_NS <= now, the slice is used up: Preempt.preemptone(pp) and return true.
        //       Otherwise false.
        Tick pd = pp.sysmontick;
        long t = pp.schedtick;
        if (pd.schedtick != t) {
            pd.schedtick = t;
            pd.schedwhen = now;
            return false;
        }
        if (pd.schedwhen + FORCE_PREEMPT_NS <= now) {
            Preempt.preemptone(pp);
            return true;
        }
        return false;
        // END SOLUTION
        // STUB: return false; // until chapter 06, sysmon preempts nobody
    }

    /**
     * The syscall half of retake for P pp, seen in {@code _Psyscall} (Go: retake). Returns whether
     * it took the P. In Go's order:
     * <ol>
     *   <li>the two-tick rule: unless sysretake (the syscall has outlasted a whole slice), a
     *       syscalltick that moved since the last look means a new syscall: record it and when,
     *       and leave the P. Only a P seen in the same syscall twice, at least one sysmon delay
     *       (20 us) apart, is retaken, so the many short syscalls of a busy program never are;</li>
     *   <li>the exemption: the P has no local work, some M is spinning or some P is idle (someone can
     *       pick up new work), and the syscall is younger than SYSCALL_YOUNG_NS: leave it;</li>
     *   <li>else claim it: CAS its status {@code _Psyscall -> _Pidle} (the M may be leaving the
     *       syscall and CASing it back at this very moment: one of them wins). Won: count a
     *       syscalltick and {@link Syscall#handoffp} it. Around the CAS, one more M counts as running
     *       ({@link Syscall#incidlelocked}), so checkdead cannot see every M idle while this P is on
     *       its way to a new one.</li>
     * </ol>
     */
    boolean retakeSyscall(P pp, boolean sysretake, long now) {
        // BEGIN SOLUTION ch07 #retake-syscall
        // TODO: pd = pp.sysmontick, t = pp.syscalltick. !sysretake && pd.syscalltick != t: record t
        //       and pd.syscallwhen = now, return false. proc.runqempty(pp) && nmspinning + npidle > 0
        //       && pd.syscallwhen + SYSCALL_YOUNG_NS > now: return false. Else
        //       Syscall.incidlelocked(proc, -1); if pp.casStatus(_Psyscall, _Pidle): trace.procSteal(pp)
        //       when tracing, pp.syscalltick++, Syscall.handoffp(proc, pp). Then
        //       Syscall.incidlelocked(proc, +1) and return whether the CAS won.
        Tick pd = pp.sysmontick;
        long t = pp.syscalltick;
        if (!sysretake && pd.syscalltick != t) {
            pd.syscalltick = t;
            pd.syscallwhen = now;
            return false;
        }
        Sched sched = proc.sched;
        if (proc.runqempty(pp) && sched.nmspinning.get() + sched.npidle.get() > 0
                && pd.syscallwhen + SYSCALL_YOUNG_NS > now) {
            return false;
        }
        Syscall.incidlelocked(proc, -1);
        boolean took = pp.casStatus(P._Psyscall, P._Pidle);
        if (took) {
            Trace tr = proc.trace;
            if (tr != null) {
                tr.procSteal(pp);
            }
            pp.syscalltick++;
            Syscall.handoffp(proc, pp);
        }
        Syscall.incidlelocked(proc, 1);
        return took;
        // END SOLUTION
        // STUB: return false; // until chapter 07, a P in a syscall stays with its M
    }

    /**
     * The Java trap Go does not have (ours, chapter 07): a goroutine that calls a blocking JDK method
     * (Thread.sleep, a socket read, a java.util.concurrent lock) without {@link Go#syscall} blocks its
     * M's thread while the M holds the P, so nothing else runs on that P, and no safepoint can
     * preempt it. Called for a running P whose slice is used up: if its M runs a goroutine and the
     * thread has been blocked (WAITING, TIMED_WAITING or BLOCKED) on every look for BLOCKED_HOLDER_NS,
     * report it once per program, with the goroutine's id and where it blocked, to the schedtrace
     * stream (standard error by default).
     */
    void checkBlockedHolder(P pp, long now) {
        Tick pd = pp.sysmontick;
        M mp = pp.m;
        G gp = mp == null ? null : mp.curg;
        Thread t = mp == null ? null : mp.thread;
        if (gp == null || t == null || blockedHolderReport != null) {
            return;
        }
        Thread.State state = t.getState();
        if (state != Thread.State.WAITING && state != Thread.State.TIMED_WAITING && state != Thread.State.BLOCKED) {
            pd.blockedSince = 0;
            return;
        }
        if (pd.blockedSince == 0 || pd.blockedSince < pd.schedwhen) {
            pd.blockedSince = now;
            return;
        }
        if (now - pd.blockedSince < BLOCKED_HOLDER_NS) {
            return;
        }
        String report = "gmp: goroutine " + gp.goid + " has held " + pp + " for " + (now - pd.schedwhen) / 1_000_000
                + " ms while its thread is blocked in " + blockedAt(t.getStackTrace())
                + ": a Java call that blocks outside Go.syscall keeps its P, so no other goroutine can run on it"
                + " meanwhile. Wrap the call in Go.syscall(...) (docs/en/07-syscalls.md#blocking-jdk-calls)";
        blockedHolderReport = report;
        proc.config.trace().println(report);
        proc.config.trace().flush();
    }

    /**
     * Where a blocked goroutine's thread waits: the JDK method the goroutine's code called (the last
     * JDK frame above the first frame of the program) and that caller.
     */
    static String blockedAt(StackTraceElement[] stack) {
        for (int i = 0; i < stack.length; i++) {
            String c = stack[i].getClassName();
            if (!c.startsWith("java.") && !c.startsWith("jdk.") && !c.startsWith("sun.")) {
                StackTraceElement api = i > 0 ? stack[i - 1] : stack[i];
                return api.getClassName() + "." + api.getMethodName() + ", called from " + stack[i];
            }
        }
        return stack.length == 0 ? "a Java call" : stack[0].getClassName() + "." + stack[0].getMethodName();
    }
}
