package gmp.workbook;

import java.util.SplittableRandom;

/**
 * Seeds for property-style tests: random operation sequences checked against a simple model.
 *
 * <p>Each property draws its sequences from one base seed, printed in every failure message. A run
 * picks a fresh base seed; {@code -Dgmp.seed=<seed>} replays a failing one exactly
 * ({@code ./gmp test 02 --seed=1234}, or {@code -Dgmp.seed=1234} on any Maven test run). We do not use
 * jqwik (its author asks AI-assisted projects not to, and it is in maintenance mode).
 */
public final class Seeds {
    private Seeds() {
    }

    /** The base seed: -Dgmp.seed when given, else a fresh random one. */
    public static long base() {
        String s = System.getProperty("gmp.seed", "");
        return s.isBlank() ? new SplittableRandom().nextLong() : Long.parseLong(s.trim());
    }

    /** What a failure message says about the seed, so that the learner can replay it. */
    public static String replay(long seed) {
        return "seed " + seed + " (replay: ./gmp test NN --seed=" + seed + ", or -Dgmp.seed=" + seed + " with Maven)";
    }
}
