package gmp.runtime.trace;

/**
 * The kinds of event the execution trace records: Go 1.22+ {@code runtime/trace} names (Go 1.23's
 * {@code traceevent.go} and {@code traceruntime.go}), then this runtime's own.
 *
 * <p>Each constant says where the runtime emits it. The syscall kinds are chapter 07's; the netpoll
 * kind is the seam for chapter 08: nothing emits it until that chapter exists (docs/en/trace.md#coming).
 */
public enum EventKind {
    /** GOMAXPROCS was set (Go: procresize's traceProcsChange); {@code arg} is the number of Ps. */
    ProcsChange,
    /** An M acquired a P (Go: acquirep's traceProcStart). */
    ProcStart,
    /** An M released its P (Go: releasep's traceProcStop). */
    ProcStop,
    /**
     * sysmon took a P from an M blocked in a syscall (Go: retake's traceProcSteal), in sysmon's track
     * with {@code arg} the P; or an M took its old P back from another syscall on it
     * (exitsyscallfast_reacquired). Chapter 07.
     */
    ProcSteal,
    /** A go statement made G {@code g}; {@code arg} is the creating goroutine, 0 for g0 (Go: newproc1). */
    GoCreate,
    /** G {@code g} started running on the P and M (Go: execute). */
    GoStart,
    /** G {@code g} stopped but stays runnable; {@code reason} is "runtime.Gosched" or "preempted" (Go: goschedImpl). */
    GoStop,
    /** G {@code g} blocked; {@code reason} is Go's trace block reason, e.g. "chan receive" (Go: park_m). */
    GoBlock,
    /** G {@code g} was made runnable again; {@code arg} is the goroutine that readied it, 0 for g0 (Go: ready). */
    GoUnblock,
    /** G {@code g} exited (Go: goexit0). */
    GoDestroy,
    /** G {@code g} entered a syscall (Go: reentersyscall); chapter 07. */
    GoSyscallBegin,
    /** G {@code g} left a syscall on the P it had (Go: exitsyscall); chapter 07. */
    GoSyscallEnd,
    /** G {@code g} left a syscall and had lost its P (Go: exitsyscall, traceGoSysExit(lostP)); chapter 07. */
    GoSyscallEndBlocked,
    /** Ours: sysmon asked G {@code g}, running on P {@code p}, to stop at its next safepoint (preemptone). */
    PreemptRequest,
    /** Ours: netpoll made G {@code g} runnable (netpollready); chapter 08. */
    NetpollWake;

    /** Whether events of this kind end a run of their G on its P. */
    public boolean endsRun() {
        return this == GoStop || this == GoBlock || this == GoDestroy || this == GoSyscallBegin;
    }
}
