package gmp.runtime.trace;

/**
 * One event of an execution trace.
 *
 * @param ts     when, in nanoseconds from the start of the trace (strictly increasing per P, per M)
 * @param kind   what happened ({@link EventKind} says what {@code g}, {@code arg} and {@code reason} mean)
 * @param p      the P whose buffer recorded it, or -1 for an event without a P
 * @param m      the M that recorded it, or -1 for sysmon, which is no M
 * @param g      the goroutine it is about, or 0
 * @param arg    a number whose meaning the kind gives (creator, waker, GOMAXPROCS), or 0
 * @param reason why a G stopped or blocked, or ""
 */
public record Event(long ts, EventKind kind, int p, long m, long g, long arg, String reason) {
    @Override
    public String toString() {
        StringBuilder b = new StringBuilder(kind.name());
        if (g != 0) {
            b.append(" G").append(g);
        }
        if (p >= 0) {
            b.append(" P").append(p);
        }
        b.append(m >= 0 ? " M" + m : " sysmon");
        if (arg != 0) {
            b.append(' ').append(switch (kind) {
                case GoCreate -> "by G";
                case GoUnblock -> "by G";
                case ProcsChange -> "procs=";
                default -> "arg=";
            }).append(arg);
        }
        if (!reason.isEmpty()) {
            b.append(" \"").append(reason).append('"');
        }
        return b.toString();
    }
}
