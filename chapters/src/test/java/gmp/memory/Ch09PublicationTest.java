package gmp.memory;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import gmp.memory.AccessModes.Access;
import gmp.memory.AccessModes.Kind;
import gmp.memory.AccessModes.Mode;
import gmp.workbook.Hint;

/**
 * Chapter 09, exercise 2: fix a broken publication with the weakest access modes that suffice.
 *
 * <p>A test cannot wait for x86 to show a broken publication: the CPU never reorders two stores or
 * two loads, and the JIT only sometimes does. So the verdict comes from what the code asks for:
 * {@link AccessModes} reads {@link Publication}'s bytecode and lists each access of {@code data} and
 * {@code ready} with its mode. The JMM's rule for message passing decides: the write of ready must
 * come after the write of data and be a release (setRelease, or a release fence between them, or
 * something stronger), the read of ready must come before the read of data and be an acquire. Then
 * jcstress runs it ({@link PublicationStress}), and fails the test if it ever saw the forbidden
 * outcome. A correct fix that asks for more than that (volatile, a full fence, a non-plain data
 * access) passes the first test and fails the second, which says what would do.
 */
@Tag("ch09")
@Order(2)
@Timeout(value = 7, unit = TimeUnit.MINUTES) // the first test to pass waits for the jcstress run (Jcstress.LIMIT)
@DisplayName("Chapter 09: fix a broken publication with the weakest modes")
@Hint(doc = Ch09PublicationTest.DOC + "#publication", go = "atomic.StoreRel / atomic.LoadAcq (runtime/internal/atomic)")
class Ch09PublicationTest {
    static final String DOC = "docs/en/09-memory-model.md";

    /** What the bytecode says: the first problem that makes the publication incorrect, or null. */
    private record Verdict(String broken, List<String> stronger) {
    }

    @Test
    @Order(1)
    @DisplayName("The publication is correct: ready released after data, acquired before it, and jcstress never saw ready without the data")
    void publicationIsCorrect() {
        Publication single = new Publication();
        assertThat(single.read()).as("read() before publish must return NOTHING (-1). Read %s#publication", DOC)
                .isEqualTo(Publication.NOTHING);
        single.publish(7);
        assertThat(single.read()).as("read() after publish(7) on the same thread must return 7. Read %s#publication", DOC)
                .isEqualTo(7);

        Verdict v = judge();
        assertThat(v.broken()).as("%s. Read %s#publication", v.broken(), DOC).isNull();

        Jcstress.Table t = Jcstress.results().table("gmp.memory.PublicationStress");
        assertThat(t.verdict()).as("jcstress on your Publication:%n%s Read %s#publication", t.text(), DOC).isEqualTo("OK");
        assertThat(t.samples("0")).as("jcstress saw the reader get ready but not the data:%n%s Read %s#publication",
                t.text(), DOC).isZero();
        System.out.println("Your publication under jcstress:\n" + t.text());
    }

    @Test
    @Order(2)
    @DisplayName("The publication uses the weakest modes that suffice: a release store, an acquire load, plain data")
    void publicationUsesTheWeakestModes() {
        Verdict v = judge();
        assertThat(v.broken()).as("first make it correct: %s. Read %s#publication", v.broken(), DOC).isNull();
        assertThat(v.stronger()).as("correct, but stronger than needed (on x86 a volatile store costs a full fence,"
                + " a lock addl; on ARM an acquire load is ldar either way). Read %s#publication", DOC).isEmpty();
    }

    /** Judges publish() and read() by the accesses their bytecode makes. */
    private static Verdict judge() {
        List<Access> writer = AccessModes.of(Publication.class, "publish");
        List<Access> reader = AccessModes.of(Publication.class, "read");
        List<String> stronger = new ArrayList<>();
        int dataWrite = last(writer, "data", true);
        int readyWrite = last(writer, "ready", true);
        if (dataWrite < 0 || readyWrite < 0) {
            return new Verdict("publish() must write data and then ready; it makes " + writer, stronger);
        }
        if (readyWrite < dataWrite) {
            return new Verdict("publish() writes ready before data (" + writer + "): a reader can see ready and the old"
                    + " data whatever the modes", stronger);
        }
        Access store = writer.get(readyWrite);
        boolean released = atLeast(store.mode(), Mode.RELEASE) || fence(writer, dataWrite, readyWrite, Mode.RELEASE);
        if (!released) {
            return new Verdict("publish() makes " + writer + ": nothing orders the write of data before the write of"
                    + " ready (" + store.mode() + " orders nothing across two variables); the store of ready must be a"
                    + " release", stronger);
        }
        int readyRead = first(reader, "ready");
        int dataRead = readyRead < 0 ? -1 : firstAfter(reader, "data", readyRead);
        if (readyRead < 0 || dataRead < 0) {
            return new Verdict("read() must read ready and then data; it makes " + reader, stronger);
        }
        if (first(reader, "data") < readyRead) {
            return new Verdict("read() reads data before ready (" + reader + "): it can return data older than the"
                    + " ready it saw", stronger);
        }
        Access load = reader.get(readyRead);
        boolean acquired = atLeast(load.mode(), Mode.ACQUIRE) || fence(reader, readyRead, dataRead, Mode.ACQUIRE);
        if (!acquired) {
            return new Verdict("read() makes " + reader + ": nothing orders the read of ready before the read of data ("
                    + load.mode() + " orders nothing across two variables); the load of ready must be an acquire",
                    stronger);
        }
        if (store.mode() == Mode.VOLATILE || store.kind() == Kind.READ_MODIFY_WRITE) {
            stronger.add(store + " in publish(): setRelease is enough");
        }
        if (load.mode() == Mode.VOLATILE || load.kind() == Kind.READ_MODIFY_WRITE) {
            stronger.add(load + " in read(): getAcquire is enough");
        }
        List<Access> all = new ArrayList<>(writer);
        all.addAll(reader);
        for (Access a : all) {
            if (a.kind() == Kind.FENCE && a.mode() == Mode.VOLATILE) {
                stronger.add(a + ": a release fence (writer) or an acquire fence (reader) is enough");
            } else if ("data".equals(a.field()) && a.mode() != Mode.PLAIN) {
                stronger.add(a + ": data may stay plain, ready's modes order it");
            }
        }
        return new Verdict(null, stronger);
    }

    private static boolean atLeast(Mode mode, Mode needed) {
        return mode == needed || mode == Mode.VOLATILE;
    }

    /** A fence of the needed strength (or a full fence) strictly between two accesses. */
    private static boolean fence(List<Access> accesses, int from, int to, Mode needed) {
        return accesses.subList(from + 1, to).stream()
                .anyMatch(a -> a.kind() == Kind.FENCE && atLeast(a.mode(), needed));
    }

    private static boolean writes(Access a) {
        return a.kind() == Kind.STORE || a.kind() == Kind.READ_MODIFY_WRITE;
    }

    private static int last(List<Access> accesses, String field, boolean write) {
        for (int i = accesses.size() - 1; i >= 0; i--) {
            Access a = accesses.get(i);
            if (field.equals(a.field()) && writes(a) == write) {
                return i;
            }
        }
        return -1;
    }

    private static int first(List<Access> accesses, String field) {
        return firstAfter(accesses, field, -1);
    }

    private static int firstAfter(List<Access> accesses, String field, int after) {
        for (int i = after + 1; i < accesses.size(); i++) {
            Access a = accesses.get(i);
            if (field.equals(a.field()) && a.kind() != Kind.STORE && a.kind() != Kind.FENCE) {
                return i;
            }
        }
        return -1;
    }
}
