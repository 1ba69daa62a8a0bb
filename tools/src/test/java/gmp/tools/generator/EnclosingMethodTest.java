package gmp.tools.generator;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

@DisplayName("The default stub names the method around the marker")
class EnclosingMethodTest {

    private static String nameAtHere(String source) {
        return new EnclosingMethod(source).nameAt(source.indexOf("/*HERE*/"));
    }

    @ParameterizedTest(name = "{0}")
    @DisplayName("finds the innermost method or constructor, skipping blocks that are not one")
    @CsvSource(delimiter = '|', quoteCharacter = '`', textBlock = """
            a plain method                 | class A { int x; void other() { } void schedinit(int n) { /*HERE*/ } } | schedinit
            a constructor                  | class M { M(Runtime rt) { /*HERE*/ } }                                  | M
            a generic method with throws   | class A { @SuppressWarnings("x") public static <T> java.util.List<T> take(Class<T> c) throws java.io.IOException { /*HERE*/ } } | take
            an if, a for and a while       | class A { void run() { if (a) { for (int i = 0; i < n; i++) { while (b) { /*HERE*/ } } } } } | run
            else if, switch, try and catch | class A { void run() { if (a) { } else if (b) { switch (c) { case 1 -> { try (var r = open()) { } catch (E e) { /*HERE*/ } } } } } } | run
            a synchronized block           | class A { void lock() { synchronized (this) { /*HERE*/ } } }           | lock
            a lambda argument              | class A { void go() { list.forEach(g -> { run(() -> { /*HERE*/ }); }); } } | go
            an anonymous class's method    | class A { void go() { submit(new Runnable() { public void run() { /*HERE*/ } }); } } | run
            braces in strings and comments | class A { void a() { String s = "}}"; char c = '}'; /* } */ } void b() { /*HERE*/ } } | b
            """)
    void findsTheEnclosingMethod(String situation, String source, String expected) {
        assertThat(nameAtHere(source)).as(situation).isEqualTo(expected);
    }

    @ParameterizedTest(name = "{0}")
    @DisplayName("finds nothing outside a method body")
    @CsvSource(delimiter = '|', quoteCharacter = '`', textBlock = """
            a static initializer    | class A { static { /*HERE*/ } }
            a field initializer     | class A { Runnable r = () -> { /*HERE*/ }; }
            a record's body         | record R(int a) { /*HERE*/ }
            """)
    void findsNothingOutsideAMethod(String situation, String source) {
        assertThat(nameAtHere(source)).as(situation).isNull();
    }
}
