package gmp.workbook;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.TestSource;
import org.junit.platform.engine.TestTag;
import org.junit.platform.engine.support.descriptor.ClassSource;
import org.junit.platform.engine.support.descriptor.MethodSource;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.TestPlan;

import gmp.workbook.Scoreboard.Result;
import gmp.workbook.Scoreboard.Status;

/**
 * The workbook's scoreboard, as a JUnit Platform listener (registered in
 * {@code META-INF/services/org.junit.platform.launcher.TestExecutionListener}, so Maven, an IDE and
 * the ladder check all get it without configuration).
 *
 * <p>When a test plan ends it turns every test of this JVM into one {@link Result} (chapter tag,
 * status, {@code Class#method} id, display name, one-line reason, {@link Hint}) and hands them to
 * {@link Scoreboard}, which writes {@code results.tsv} (read by the ladder check and {@code ./gmp}),
 * {@code results.json} (Exercism's v3 shape, for dashboards), {@code scoreboard.txt} and
 * {@code hint.txt} (what {@code ./gmp score} and {@code ./gmp hint} print) into
 * {@code gmp.results.dir}. Maven's console is not ours to format; these files are.
 *
 * <p>A test that never started still gets a row, so a chapter cannot look finished because its tests
 * did not run: when a {@code @BeforeAll} throws (a stub reached while setting up), every test below
 * takes that container's failure; a skipped or aborted class passes its fate down the same way. A
 * container failure that no test carries (an {@code @AfterAll} that threw, a {@code @TestFactory} that
 * threw before making any test) becomes a row of its own.
 *
 * <p>Results accumulate per JVM (surefire forks one JVM per module, which may run several plans), and
 * the files are rewritten after each plan, so they always describe everything this JVM ran.
 */
public final class ScoreboardListener implements TestExecutionListener {
    private static final List<Result> RESULTS_OF_THIS_JVM = new ArrayList<>();

    /** How each started or skipped node of the current plan ended, by unique id. */
    private final Map<String, Outcome> outcomes = new ConcurrentHashMap<>();

    /**
     * How one node ended; {@code error} = a failure that is no failed assertion (a stub, a crash, a
     * timeout); {@code stub} = it reached a workbook stub, whose message is then the reason.
     */
    private record Outcome(Status status, boolean error, boolean stub, String reason) {
        static final Outcome PASSED = new Outcome(Status.PASSED, false, false, "");
        static final Outcome DID_NOT_RUN = new Outcome(Status.FAILED, true, false, "the test did not run");

        boolean failed() {
            return status == Status.FAILED;
        }
    }

    /** A node of the plan with the outcome it reports under. */
    private record Row(TestIdentifier node, Outcome outcome) {
    }

    /** The plan being run, for the progress lines' display names. */
    private volatile TestPlan running;

    @Override
    public void testPlanExecutionStarted(TestPlan plan) {
        running = plan;
    }

    @Override
    public void executionSkipped(TestIdentifier node, String reason) {
        outcomes.put(node.getUniqueId(), new Outcome(Status.SKIPPED, false, false, Scoreboard.oneLine(reason)));
    }

    @Override
    public void executionFinished(TestIdentifier node, TestExecutionResult result) {
        Throwable thrown = result.getThrowable().orElse(null);
        outcomes.put(node.getUniqueId(), switch (result.getStatus()) {
            case SUCCESSFUL -> Outcome.PASSED;
            case ABORTED -> new Outcome(Status.ABORTED, false, Scoreboard.isStub(thrown), Scoreboard.reason(thrown));
            case FAILED -> new Outcome(Status.FAILED, Scoreboard.isError(thrown), Scoreboard.isStub(thrown),
                    Scoreboard.reason(thrown));
        });
        TestPlan plan = running;
        if (node.isTest() && plan != null) {
            List<TestIdentifier> chain = belowClass(plan, node);
            Scoreboard.progress(chapter(plan, node), result.getStatus() == TestExecutionResult.Status.SUCCESSFUL
                    ? Status.PASSED : result.getStatus() == TestExecutionResult.Status.ABORTED ? Status.ABORTED
                    : Status.FAILED, chain.getFirst().getDisplayName(),
                    chain.size() > 1 ? chain.getLast().getDisplayName() : "");
        }
    }

    @Override
    public void testPlanExecutionFinished(TestPlan plan) {
        List<Row> rows = new ArrayList<>();
        for (TestIdentifier root : plan.getRoots()) {
            collect(plan, root, null, rows);
        }
        outcomes.clear();
        synchronized (RESULTS_OF_THIS_JVM) {
            rows.forEach(row -> RESULTS_OF_THIS_JVM.add(result(plan, row)));
            Scoreboard.write(List.copyOf(RESULTS_OF_THIS_JVM));
        }
    }

    /** Depth first, so rows come in test-plan order (the order the engine runs them in). */
    private void collect(TestPlan plan, TestIdentifier node, Outcome inherited, List<Row> rows) {
        Outcome own = outcomes.get(node.getUniqueId());
        if (node.isTest()) {
            rows.add(new Row(node, own != null ? own : inherited != null ? inherited : Outcome.DID_NOT_RUN));
        }
        if (node.isContainer()) {
            int before = rows.size();
            Outcome passDown = own != null && own.status() != Status.PASSED ? own : inherited;
            for (TestIdentifier child : plan.getChildren(node)) {
                collect(plan, child, passDown, rows);
            }
            boolean carried = rows.subList(before, rows.size()).stream().anyMatch(r -> r.outcome() == own);
            if (own != null && own.failed() && !carried && !node.isTest()) {
                rows.add(new Row(node, own));
            }
        }
    }

    private static Result result(TestPlan plan, Row row) {
        TestIdentifier node = row.node();
        Outcome outcome = row.outcome();
        return new Result(chapter(plan, node), outcome.status(), outcome.error(), outcome.stub(), testId(plan, node),
                displayName(plan, node), outcome.reason(), hint(plan, node), given(plan, node) != null,
                given(plan, node) == null ? "" : given(plan, node).needs());
    }

    /** The {@code chNN} tag of the node or its nearest tagged ancestor, else {@code -}. */
    private static String chapter(TestPlan plan, TestIdentifier node) {
        for (TestIdentifier n : selfAndAncestors(plan, node)) {
            for (TestTag tag : n.getTags()) {
                if (tag.getName().matches("ch\\d\\d")) {
                    return tag.getName();
                }
            }
        }
        return Scoreboard.NO_CHAPTER;
    }

    /**
     * {@code fully.qualified.Class#method}, plus {@code [n]} per invocation level below the method
     * (a parameterized or repeated test's call, a dynamic test of a factory).
     */
    private static String testId(TestPlan plan, TestIdentifier node) {
        List<TestIdentifier> chain = belowClass(plan, node);
        String invocations = chain.stream().skip(1)
                .map(n -> "[" + n.getUniqueIdObject().getLastSegment().getValue().replaceFirst("^#", "") + "]")
                .collect(Collectors.joining());
        TestSource source = chain.getFirst().getSource().orElse(null);
        String base = switch (source) {
            case MethodSource m -> m.getClassName() + "#" + m.getMethodName();
            case ClassSource c -> c.getClassName();
            case null, default -> chain.getFirst().getLegacyReportingName();
        };
        return base + invocations;
    }

    /** The method's display name followed by the invocation's, e.g. "steal takes half [3] n=5". */
    private static String displayName(TestPlan plan, TestIdentifier node) {
        return Scoreboard.oneLine(belowClass(plan, node).stream()
                .map(TestIdentifier::getDisplayName).collect(Collectors.joining(" ")));
    }

    /** The {@link Hint} of the test method, else of its class (or an enclosing class), else null. */
    private static Hint hint(TestPlan plan, TestIdentifier node) {
        for (TestIdentifier n : selfAndAncestors(plan, node)) {
            try {
                Hint hint = switch (n.getSource().orElse(null)) {
                    case MethodSource m -> m.getJavaMethod().getAnnotation(Hint.class);
                    case ClassSource c -> c.getJavaClass().getAnnotation(Hint.class);
                    case null, default -> null;
                };
                if (hint != null) {
                    return hint;
                }
            } catch (RuntimeException unresolvable) {
                // A source the engine names but reflection cannot load has no hint to give; look further up.
            }
        }
        return null;
    }

    /** The {@link Given} mark of the test method (of this node or of the invocation's method), or null. */
    private static Given given(TestPlan plan, TestIdentifier node) {
        for (TestIdentifier n : belowClass(plan, node)) {
            try {
                if (n.getSource().orElse(null) instanceof MethodSource m && m.getJavaMethod().getAnnotation(Given.class) != null) {
                    return m.getJavaMethod().getAnnotation(Given.class);
                }
            } catch (RuntimeException unresolvable) {
                // As for hints: a method reflection cannot load is not marked.
            }
        }
        return null;
    }

    /**
     * The node and its ancestors below the nearest class, top first: [method, invocation, ...] for a
     * test, [class] for a class itself.
     */
    private static List<TestIdentifier> belowClass(TestPlan plan, TestIdentifier node) {
        List<TestIdentifier> chain = new ArrayList<>();
        for (TestIdentifier n = node; ; n = plan.getParent(n).orElseThrow()) {
            chain.addFirst(n);
            Optional<TestIdentifier> parent = plan.getParent(n);
            if (isClass(n) || parent.isEmpty() || isClass(parent.get())) {
                return chain;
            }
        }
    }

    private static boolean isClass(TestIdentifier node) {
        return node.getSource().filter(ClassSource.class::isInstance).isPresent();
    }

    private static List<TestIdentifier> selfAndAncestors(TestPlan plan, TestIdentifier node) {
        List<TestIdentifier> up = new ArrayList<>();
        for (Optional<TestIdentifier> n = Optional.of(node); n.isPresent(); n = plan.getParent(n.get())) {
            up.add(n.get());
        }
        return up;
    }
}
