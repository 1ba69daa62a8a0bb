package gmp.runtime;

import static gmp.runtime.Fixtures.global;
import static gmp.runtime.Fixtures.ring;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import gmp.workbook.Hint;

/**
 * Chapter 06: what a goroutine does with a preempt request. Nothing happens until it reaches a
 * safepoint (a runtime entry, or a poll a loop makes, Safepoint.poll); there, if its M may be
 * preempted, it switches to g0, which runs gopreempt_m: to the global run queue, like Gosched,
 * marked "preempted". If its M may not be preempted now (m.preemptoff), the request waits.
 *
 * <p>These run on one P in explicit steps ({@link Stepper}), with the request made by hand
 * (Preempt.request: what preemptone does to the G), so the order is exact and nothing is timed.
 */
@Tag("ch06")
@DisplayName("Chapter 06: safepoints and gopreempt_m, step by step on one P")
@Hint(doc = Ch06PreemptTest.DOC + "#gopreempt", go = "newstack's preemption branch (stack.go), gopreempt_m (proc.go)")
class Ch06PreemptTest {
    static final String DOC = "docs/en/06-preemption.md";

    /** The Gs a test made a request for. */
    private final List<G> requested = new ArrayList<>();

    /** Requests raise a JVM-wide poll word: drop any a failing test left, so no later test pays for it. */
    @AfterEach
    void dropRequests() {
        requested.forEach(Preempt::clear);
    }

    /** What preemptone does to the G running on a P (Preempt.request). */
    private void request() {
        G gp = Proc.getg();
        requested.add(gp);
        Preempt.request(gp);
    }

    /** The request, then the G's own poll. */
    private void preemptSelf() {
        request();
        Safepoint.poll();
    }

    @Order(1)
    @Test
    @DisplayName("a preempted goroutine goes, _Grunnable and marked \"preempted\", to the tail of the GLOBAL run queue")
    @Hint(doc = DOC + "#gopreempt", go = "gopreempt_m -> goschedImpl(gp, true): globrunqput (proc.go)")
    void preemptedGoesToTheGlobalQueue() {
        try (Stepper s = Stepper.boot(1)) {
            List<String> ran = new ArrayList<>();
            s.p0().schedtick = 1; // keep the 61-tick check from taking the global queue first
            G b = s.go(() -> ran.add("B"));
            G a = s.go(() -> {
                ran.add("A runs");
                preemptSelf();
                ran.add("A resumes");
            });
            Throwable thrown = catchThrowable(s::step);
            assertThat(thrown).as("the safepoint's switch to g0 must run your gopreempt_m. Read %s#gopreempt", DOC)
                    .isNull();
            assertThat(ran).as("A must stop at its safepoint. Read %s#safepoints", DOC).containsExactly("A runs");
            assertThat(G.statusName(a.status())).as("a preempted G is runnable again: gopreempt_m must move it"
                    + " _Grunning -> _Grunnable, as Gosched does. Read %s#gopreempt (Go: goschedImpl)", DOC)
                    .isEqualTo("runnable");
            assertThat(global(s.proc)).as("gopreempt_m must put the G on the GLOBAL run queue, as Gosched does: on"
                    + " the local one a G preempted for hogging its P would come straight back. Read %s#gopreempt"
                    + " (Go: gopreempt_m -> goschedImpl -> globrunqput)", DOC).containsExactly(a);
            assertThat(ring(s.p0())).as("the local ring keeps only B. Read %s#gopreempt", DOC).containsExactly(b);
            assertThat(s.p0().lvRunnext()).as("nor in runnext. Read %s#gopreempt", DOC).isNull();
            assertThat(a.waitreason).as("gopreempt_m must mark the G \"preempted\" (Go: waitReasonPreempted), so"
                    + " that a trace tells a preemption from a Gosched. Read %s#gopreempt", DOC)
                    .isEqualTo(Preempt.WAIT_PREEMPTED);
            assertThat(a.m).as("the G must leave its M (dropg). Read %s#gopreempt", DOC).isNull();
            assertThat(s.proc.m0.curg).as("the M runs no goroutine after the switch (dropg). Read %s#gopreempt", DOC)
                    .isNull();
            assertThat(a.preempt).as("the safepoint honoured the request: it must be gone. Read %s#safepoints", DOC)
                    .isFalse();

            thrown = catchThrowable(() -> s.runUntilIdle(5));
            assertThat(thrown).as("the preempted G must be able to run again: a G left _Grunning on a queue makes"
                    + " execute fail (casgstatus). Read %s#gopreempt", DOC).isNull();
            assertThat(ran).as("B, on the local queue, runs before A, which waits in the global one; then A resumes"
                    + " right after its safepoint. Read %s#gopreempt", DOC)
                    .containsExactly("A runs", "B", "A resumes");
            assertThat(a.waitreason).as("once the G runs again it is no longer \"preempted\" (execute clears the"
                    + " mark). Read %s#gopreempt", DOC).isEmpty();
        }
    }

    @Order(2)
    @Test
    @DisplayName("a request that arrives while the M must not be preempted waits, and the next safepoint after it honours it")
    @Hint(doc = DOC + "#canpreemptm", go = "canPreemptM (preempt.go); newstack keeps gp.preempt for later")
    void aRequestWaitsWhilePreemptionIsOff() {
        try (Stepper s = Stepper.boot(1)) {
            List<String> ran = new ArrayList<>();
            s.go(() -> {
                G gp = Proc.getg();
                gp.m.preemptoff = "test";
                preemptSelf();
                ran.add("kept running; request pending: " + gp.preempt);
                gp.m.preemptoff = "";
                Safepoint.poll();
                ran.add("resumed after the preemption");
            });
            Throwable thrown = catchThrowable(s::step);
            assertThat(thrown).as("the second safepoint must preempt the G through gopreempt_m. Read %s#gopreempt",
                    DOC).isNull();
            assertThat(ran).as("while m.preemptoff is set, canPreemptM is false: the G must go on running and its"
                    + " request must stay set (not be dropped), so the next safepoint after preemptoff is cleared"
                    + " preempts it. Read %s#canpreemptm (Go: canPreemptM, newstack)", DOC)
                    .containsExactly("kept running; request pending: true");
            s.runUntilIdle(5);
            assertThat(ran).as("the preempted G resumes after its second safepoint. Read %s#canpreemptm", DOC)
                    .containsExactly("kept running; request pending: true", "resumed after the preemption");
        }
    }

    @Order(3)
    @Test
    @DisplayName("every entry into the runtime is a safepoint: a go statement honours a pending request")
    @Hint(doc = DOC + "#safepoints", go = "the prologue check of newproc (and of every Go function)")
    void aGoStatementIsASafepoint() {
        try (Stepper s = Stepper.boot(1)) {
            List<String> ran = new ArrayList<>();
            s.p0().schedtick = 1;
            G a = s.go(() -> {
                request();
                ran.add("A asks for C");
                Go.go(() -> ran.add("C"));
                ran.add("A resumes");
            });
            catchThrowable(s::step);
            assertThat(ran).as("A's go statement must stop it first: Go.go enters the runtime, and every entry is"
                    + " a safepoint (Go: newproc's prologue check). Read %s#safepoints", DOC)
                    .containsExactly("A asks for C");
            assertThat(global(s.proc)).as("the preempted A goes to the global queue. Read %s#gopreempt", DOC)
                    .containsExactly(a);
        }
    }
}
