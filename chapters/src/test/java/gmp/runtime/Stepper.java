package gmp.runtime;

import java.util.Map;

/**
 * Drives a runtime's scheduler one time slice at a time from the test thread, for tests whose
 * lesson is an exact order (golden traces) and must not depend on threads or timing.
 *
 * <p>The test thread becomes m0 holding p0 (schedinit), with no main goroutine. {@link #go} is a
 * go statement made on g0; {@link #step} is one round of {@code schedule(m0)}: the G that
 * findRunnable picks runs until it exits. In this explicit-step mode findRunnable returns instead
 * of sleeping when there is nothing to run, and no M is ever woken (main has not started, so the
 * go statement does not call wakep), so everything happens on this thread, in one order.
 */
final class Stepper implements AutoCloseable {
    final GoRuntime rt;
    final Proc proc;

    private Stepper(GoRuntime rt) {
        this.rt = rt;
        this.proc = rt.proc();
    }

    /** Boots a runtime with {@code gomaxprocs} Ps on this thread, in explicit-step mode. */
    static Stepper boot(int gomaxprocs) {
        return boot(GoRuntime.builder().gomaxprocs(gomaxprocs).env(Map.of()).build());
    }

    /** Boots {@code rt}, built by the test (with a trace, say), on this thread, in explicit-step mode. */
    static Stepper boot(GoRuntime rt) {
        Stepper s = new Stepper(rt);
        s.proc.stepping = true;
        try {
            s.proc.schedinit();
        } catch (RuntimeException e) {
            s.close();
            throw e;
        }
        return s;
    }

    /** p0, the P of the test thread. */
    P p0() {
        return proc.m0.p;
    }

    /** A go statement made on g0: the new G goes to p0's runnext, as newproc puts it. Returns the G. */
    G go(Runnable fn) {
        proc.newproc(fn);
        G gp = p0().lvRunnext();
        if (gp == null) {
            throw new AssertionError("a go statement left p0's runnext empty: newproc must put the new G there"
                    + " (runqput(pp, newg, true)). Read docs/en/02-local-runq.md#newproc (Go: newproc)");
        }
        return gp;
    }

    /** One time slice: schedule(m0) once. False when there was nothing to run. Rethrows a crash. */
    boolean step() {
        boolean ran = proc.schedule(proc.m0);
        Throwable crash = proc.crashed();
        if (crash instanceof RuntimeException e) {
            throw e;
        } else if (crash instanceof Error e) {
            throw e;
        }
        return ran;
    }

    /** Steps until nothing is runnable; fails past {@code maxSteps} (a G that never stops respawning). */
    int runUntilIdle(int maxSteps) {
        int steps = 0;
        while (step()) {
            if (++steps > maxSteps) {
                throw new AssertionError("still running after " + maxSteps + " time slices");
            }
        }
        return steps;
    }

    @Override
    public void close() {
        proc.exit();
        M m0 = proc.m0;
        if (m0 != null) {
            m0.unminit();
        }
    }
}
