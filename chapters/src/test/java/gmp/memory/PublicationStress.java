package gmp.memory;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.I_Result;

/**
 * Your {@link Publication} under jcstress: the writer publishes 42, the reader reads once. The
 * reader may come too early (-1) or see 42; seeing ready but the old data (0) is the broken
 * publication. On x86 a plain version rarely shows 0 (only the JIT reorders), so a pass here is
 * necessary, not sufficient: Ch09PublicationTest also reads the modes your code uses.
 */
@JCStressTest
@Outcome(id = "-1", expect = ACCEPTABLE, desc = "The reader came before the publication.")
@Outcome(id = "42", expect = ACCEPTABLE, desc = "The reader saw the published value.")
@Outcome(id = "0", expect = FORBIDDEN, desc = "The reader saw ready but not the data: a broken publication.")
@State
public class PublicationStress {
    final Publication p = new Publication();

    @Actor
    public void writer() {
        p.publish(42);
    }

    @Actor
    public void reader(I_Result r) {
        r.r1 = p.read();
    }
}
