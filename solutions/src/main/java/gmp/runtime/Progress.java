package gmp.runtime;

import java.util.ArrayList;
import java.util.List;

/**
 * What a test harness samples to tell a program that cannot make progress from one that is only
 * slow: a read-only snapshot of the scheduler, taken without a lock and without stopping anything
 * (as schedtrace is). Go's own checkdead asks the same question from inside, when an M goes idle;
 * the workbook cannot rely on that, since checkdead and the idle path are the learner's to write,
 * so the harness asks from outside, over a second or two of identical snapshots.
 *
 * <p>A program is {@link #stuck} when no goroutine is running, no M is spinning, no timer is
 * pending, every M's thread is blocked (none is runnable or starting), and either goroutines are
 * left (runnable with nobody to run them, or waiting with nobody to wake them) or main is dead
 * while the program still runs (nothing called exit). One such snapshot proves nothing; the same
 * one, again and again for a second, does.
 *
 * @param goroutines every goroutine that is not dead and not a system goroutine (runtime.main's, parked
 *                   for good), as "goid status" (Go's traceback header words)
 * @param running    goroutines running or in a syscall: Go code is being run, or a Java call blocks
 * @param runnable   goroutines waiting for an M
 * @param waiting    goroutines parked (chan receive, sleep, ...)
 * @param mainDead   goroutine 1 has exited
 * @param spinning   sched.nmspinning
 * @param timers     some P has a timer: something will wake up
 * @param msBlocked  every M's thread is blocked (parked on its note, a lock, or a timed wait)
 * @param schedticks the sum of every P's schedtick: it moves whenever a time slice starts
 */
public record Progress(List<String> goroutines, int running, int runnable, int waiting, boolean mainDead,
                       int spinning, boolean timers, boolean msBlocked, long schedticks) {

    /** Takes the snapshot of proc. */
    static Progress of(Proc proc) {
        List<String> gs = new ArrayList<>();
        int running = 0;
        int runnable = 0;
        int waiting = 0;
        boolean mainDead = false;
        for (G gp : proc.allgs()) {
            int s = gp.status();
            if (gp.goid == 1 && s == G._Gdead) {
                mainDead = true;
            }
            if (s == G._Gdead || s == G._Gidle || gp.isSystemGoroutine()) {
                continue; // the runtime's own goroutines wait for good, as checkdead knows (Startup)
            }
            switch (s) {
                case G._Grunnable -> runnable++;
                case G._Gwaiting -> waiting++;
                default -> running++;
            }
            gs.add(gp.goid + " " + (s == G._Gwaiting && !gp.waitreason.isEmpty() ? gp.waitreason : G.statusName(s)));
        }
        boolean timers = false;
        long ticks = 0;
        for (P pp : proc.allp) {
            timers |= pp.timers.wakeTime() != 0;
            ticks += pp.schedtick;
        }
        boolean blocked = true;
        for (M mp : proc.allm) {
            Thread t = mp.thread;
            Thread.State state = t == null ? Thread.State.NEW : t.getState();
            blocked &= state == Thread.State.WAITING || state == Thread.State.TIMED_WAITING
                    || state == Thread.State.BLOCKED || state == Thread.State.TERMINATED;
        }
        return new Progress(List.copyOf(gs), running, runnable, waiting, mainDead, proc.sched.nmspinning.get(),
                timers, blocked && !proc.allm.isEmpty(), ticks);
    }

    /** Nothing in the runtime can move this program on (see the class comment). */
    public boolean stuck() {
        return running == 0 && spinning == 0 && !timers && msBlocked && (runnable + waiting > 0 || mainDead);
    }

    /** What this stuck program most probably lacks, in the learner's words. */
    public String diagnosis() {
        if (runnable > 0) {
            return "a lost wake-up: " + runnable + " goroutine(s) runnable, but every M is asleep and none is"
                    + " spinning; whoever makes a G runnable must make sure an M will run it";
        }
        if (waiting > 0) {
            return "a lost wake-up or a deadlock: every goroutine left is parked and nothing can wake it (every M"
                    + " asleep, no timer); Go's checkdead says \"all goroutines are asleep - deadlock!\"";
        }
        return "a missing exit: main has returned and no goroutine is left, yet the program runs on; newmain's"
                + " function must call exit() after main (Go's runtime.main ends in exit(0)). Read"
                + " docs/en/01-bootstrap.md#newmain";
    }
}
