package gmp.runtime;

/**
 * The agent's tests' stand-in for the runtime's Safepoint (solutions/src/main/java/gmp/runtime):
 * the same signature, and a counter instead of preemption, so that a test can tell how many polls
 * an instrumented method made.
 */
public final class Safepoint {
    private static int polls;

    private Safepoint() {
    }

    public static void poll() {
        polls++;
    }

    /** The polls made since the last call, on any thread (the tests call from one). */
    public static int takePolls() {
        int n = polls;
        polls = 0;
        return n;
    }
}
