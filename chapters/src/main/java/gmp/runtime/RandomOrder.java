package gmp.runtime;

import java.util.Arrays;

/**
 * A cheap random enumeration of the Ps, for stealWork's choice of victims (Go: randomOrder,
 * proc.go). Walking positions {@code pos, pos+inc, pos+2inc, ...} modulo count visits every P exactly
 * once when inc is coprime to count; starting from a random pos with a random coprime inc gives
 * every thief its own order, so thieves do not all hit the same victim first.
 *
 * <p>Given code: procresize needs it from chapter 01 on. Chapter 04's stealWork uses it.
 */
final class RandomOrder {
    private int count;
    private int[] coprimes = new int[0];

    /** Prepares for {@code count} Ps: collects every i in [1, count] coprime to count. */
    void reset(int count) {
        this.count = count;
        int[] found = new int[count];
        int n = 0;
        for (int i = 1; i <= count; i++) {
            if (gcd(i, count) == 1) {
                found[n++] = i;
            }
        }
        this.coprimes = Arrays.copyOf(found, n);
    }

    int[] coprimes() {
        return coprimes;
    }

    /**
     * An enumeration seeded by {@code i} (any int, treated as unsigned like Go's uint32): position
     * {@code i % count}, step {@code coprimes[(i / count) % len(coprimes)]}.
     */
    Enum start(int i) {
        int pos = Integer.remainderUnsigned(i, count);
        int inc = coprimes[Integer.remainderUnsigned(Integer.divideUnsigned(i, count), coprimes.length)];
        return new Enum(count, pos, inc);
    }

    private static int gcd(int a, int b) {
        while (b != 0) {
            int t = a % b;
            a = b;
            b = t;
        }
        return a;
    }

    /** One walk over the Ps (Go: randomEnum). */
    static final class Enum {
        private final int count;
        private final int inc;
        private int pos;
        private int i;

        Enum(int count, int pos, int inc) {
            this.count = count;
            this.pos = pos;
            this.inc = inc;
        }

        boolean done() {
            return i == count;
        }

        void next() {
            i++;
            pos = (pos + inc) % count;
        }

        int position() {
            return pos;
        }

        int pos() {
            return pos;
        }

        int inc() {
            return inc;
        }
    }
}
