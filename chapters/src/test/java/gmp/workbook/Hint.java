package gmp.workbook;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Where a learner should read when this test fails: the doc section and the Go function it mirrors.
 * The scoreboard prints it under the first failing test; on a class it is the default for every
 * test method of the class.
 *
 * <pre>{@code @Hint(doc = "docs/en/01-bootstrap.md#procresize", go = "procresize (proc.go)")}</pre>
 */
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.METHOD})
public @interface Hint {
    /** The doc section, as a repository path with an anchor. */
    String doc();

    /** The Go function (and file) this test checks the Java form of. */
    String go();
}
