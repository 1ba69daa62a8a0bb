package gmp.workbook;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * A given test: it checks code the chapter hands out, so it passes before the learner writes any of
 * the chapter's code. The scoreboard counts it in passed/total but gives it no points, and marks it
 * in results.tsv and results.json. The chapter's doc lists it too, under "Given tests", for the
 * learner; the ladder check fails the build when the annotation and the doc disagree.
 *
 * <pre>{@code @Given("the guard it checks is in the given facade class Go")}
 * {@code @Given(value = "WaitGroup is given code", needs = "ch02")}</pre>
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface Given {
    /** What given code the test checks. */
    String value();

    /**
     * The last earlier chapter this given test runs on, e.g. {@code "ch02"} for a test that starts a
     * program with goroutines; empty when it needs none. On a workbook where that chapter is not
     * written yet the test cannot pass, so the scoreboard does not count it then: it says the test
     * waits for chapters up to that one.
     */
    String needs() default "";
}
