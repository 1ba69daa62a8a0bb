package gmp.memory;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.JCStressTest;

import gmp.memory.litmus.AccessAtomicity;
import gmp.memory.litmus.Coherence;
import gmp.memory.litmus.IRIW;
import gmp.memory.litmus.LoadBuffering;
import gmp.memory.litmus.MessagePassing;
import gmp.memory.litmus.StoreBuffering;
import gmp.workbook.Given;
import gmp.workbook.Hint;

/**
 * Chapter 09: the litmus tests themselves, run by jcstress in the chapter's budget (see
 * {@link Jcstress}). They test the JVM and this CPU, not code of yours, so this test is given: it
 * shows the tables the doc discusses, measured where you run it, and fails if the JVM ever showed
 * an outcome the JMM forbids.
 */
@Tag("ch09")
@Order(3)
@Timeout(value = 7, unit = TimeUnit.MINUTES) // Jcstress.LIMIT, and a minute to spare
@DisplayName("Chapter 09: the litmus tests under jcstress")
@Hint(doc = Ch09LitmusTest.DOC + "#litmus", go = "go.dev/ref/mem")
class Ch09LitmusTest {
    static final String DOC = "docs/en/09-memory-model.md";
    private static final List<Class<?>> LITMUS = List.of(MessagePassing.class, StoreBuffering.class,
            LoadBuffering.class, IRIW.class, Coherence.class, AccessAtomicity.class);

    @Test
    @Given("the litmus tests test the JVM and the CPU, not the learner's code")
    @DisplayName("Every litmus test ran (but those needing more CPUs than this machine has) and showed no outcome the JMM forbids")
    void litmusTestsShowNoForbiddenOutcome() {
        Jcstress.Run run = Jcstress.results();
        int cpus = Runtime.getRuntime().availableProcessors();
        List<String> missing = new ArrayList<>();
        List<String> failed = new ArrayList<>();
        for (Class<?> top : LITMUS) {
            for (Class<?> test : top.getDeclaredClasses()) {
                if (!test.isAnnotationPresent(JCStressTest.class)) {
                    continue;
                }
                long actors = Arrays.stream(test.getMethods()).filter((Method m) -> m.isAnnotationPresent(Actor.class)).count();
                Jcstress.Table table = run.table(test.getName().replace('$', '.'));
                if (table.verdict().equals("not run")) {
                    if (actors <= cpus) {
                        missing.add(table.test());
                    }
                } else if (!table.verdict().equals("OK")) {
                    failed.add(table.text());
                }
            }
        }
        assertThat(failed).as("a litmus test showed an outcome the JMM forbids, or did not run cleanly (is the JDK"
                + " older than 25?). Read %s#litmus", DOC).isEmpty();
        assertThat(missing).as("litmus tests jcstress did not run; its console is in target/jcstress/output.txt")
                .isEmpty();
    }
}
