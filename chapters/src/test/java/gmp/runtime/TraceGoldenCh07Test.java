package gmp.runtime;

import static gmp.runtime.TraceGolden.DOC;
import static gmp.runtime.TraceGolden.golden;
import static gmp.runtime.TraceGolden.traced;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import gmp.workbook.Hint;

/**
 * The execution trace of a syscall on one P, event by event (docs/en/trace.md#golden). Tagged ch07:
 * GoSyscallBegin comes from entersyscall's _Grunning -> _Gsyscall, GoSyscallEnd from the call in
 * exitsyscall's fast path, both the learner's code. Explicit steps (Stepper) start no sysmon, so
 * nobody takes the P and the fast path is the only outcome. (The slow path's GoSyscallEndBlocked
 * needs a second M and sysmon: Ch07ProgramsTest and ScenariosCh07Test check it on real Ms.)
 */
@Tag("ch07")
@DisplayName("The execution trace: golden event sequence on one P (a syscall)")
@Hint(doc = DOC + "#golden", go = "reentersyscall (traceGoSysCall), exitsyscall (traceGoSysExit)")
class TraceGoldenCh07Test {
    @Test
    @DisplayName("a syscall that gets its P back: GoSyscallBegin, then GoSyscallEnd on the same P, with no GoStop or GoStart")
    @Hint(doc = DOC + "#golden", go = "entersyscall, exitsyscall -> exitsyscallfast (the old P, still _Psyscall)")
    void aSyscallOnItsOwnP() {
        try (Stepper s = traced()) {
            s.go(() -> Go.syscall(() -> { }));
            s.runUntilIdle(3);
            assertThat(golden(s.proc)).as("entersyscall moves G1 _Grunning -> _Gsyscall (GoSyscallBegin); exitsyscallfast"
                    + " takes the old P back (its wirep is a ProcStart on it) and exitsyscall records GoSyscallEnd, P not"
                    + " lost; G1 runs on with no reschedule. Read %s#golden and docs/en/07-syscalls.md#trace", DOC)
                    .containsExactly("ProcsChange", "ProcStart", "GoCreate G1", "GoStart G1", "GoSyscallBegin G1",
                            "ProcStart", "GoSyscallEnd G1", "GoDestroy G1");
        }
    }
}
