package gmp.runtime;

/** What the tooling's tests (gmp.workbook) need from the runtime's package-private side. */
public final class ToolingAccess {
    private ToolingAccess() {
    }

    /** Calls Proc.pidleput(null) with sched.lock held: an NPE thrown from inside the runtime's code. */
    public static void pidleputNull() {
        Proc proc = Fixtures.workbench(1);
        proc.lockSched();
        try {
            proc.pidleput(null);
        } finally {
            proc.unlockSched();
        }
    }
}
