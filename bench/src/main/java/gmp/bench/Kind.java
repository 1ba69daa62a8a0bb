package gmp.bench;

/**
 * What runs a workload's concurrent tasks: goroutines of the reference runtime, JDK virtual threads
 * or platform threads. The name is the one in result lines and in the table.
 */
enum Kind {
    GOROUTINES("gmp"),
    VIRTUAL_THREADS("vthreads"),
    PLATFORM_THREADS("platform");

    final String label;

    Kind(String label) {
        this.label = label;
    }

    /** A new builder for threads of this kind (a builder is not thread-safe: one per user). */
    Thread.Builder builder() {
        return switch (this) {
            case VIRTUAL_THREADS -> Thread.ofVirtual();
            case PLATFORM_THREADS -> Thread.ofPlatform();
            case GOROUTINES -> throw new IllegalStateException("goroutines are not threads: use Programs.run");
        };
    }

    static Kind of(String label) {
        for (Kind k : values()) {
            if (k.label.equals(label)) {
                return k;
            }
        }
        throw new IllegalArgumentException("unknown kind " + label + " (gmp, vthreads or platform)");
    }
}
