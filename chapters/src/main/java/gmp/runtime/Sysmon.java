package gmp.runtime;

/**
 * The system monitor: a dedicated thread that runs without a P (Go: sysmon, proc.go).
 *
 * <p>For now its one duty is GODEBUG=schedtrace: every {@code schedtrace} milliseconds it prints
 * the scheduler's state line (and with scheddetail=1 every P, M and G), the first one at 0ms, as
 * Go's sysmon does. Chapter 06 gives it its real work: retaking Ps from goroutines that run too
 * long and from Ms blocked in syscalls, and polling the network.
 */
final class Sysmon {
    private final Proc proc;
    private final Note note = new Note();
    private final Thread thread;

    private Sysmon(Proc proc) {
        this.proc = proc;
        this.thread = Thread.ofPlatform().daemon().name(proc.threadPrefix + "-sysmon").unstarted(this::loop);
    }

    /** Starts sysmon for proc; proc.sysmon is set before the thread runs, so its first trace counts it. */
    static void start(Proc proc) {
        Sysmon sm = new Sysmon(proc);
        proc.sysmon = sm;
        sm.thread.start();
    }

    private void loop() {
        long period = proc.debug.schedtrace() * 1_000_000L;
        while (!proc.exiting) {
            proc.config.trace().print(proc.schedtrace(proc.debug.scheddetail()));
            proc.config.trace().flush();
            note.sleep(period);
        }
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
}
