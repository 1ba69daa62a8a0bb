package gmp.tools.generator;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

@DisplayName("Markers in one source file")
class MarkerRewriterTest {
    private static final ChapterTable CHAPTERS = new ChapterTable(new TreeMap<>(Map.of(
            1, new ChapterTable.Chapter(1, "bootstrap", "Bootstrap"),
            2, new ChapterTable.Chapter(2, "local-runq", "The local run queue"))));

    private static final String SCHEDINIT = """
            class Proc {
                void schedinit(Config cfg) {
                    // BEGIN SOLUTION ch01 #schedinit
                    // TODO: choose the number of Ps and call procresize.
                    int n = cfg.procs();
                    procresize(n);
                    // END SOLUTION
                }
            }
            """;

    private static String rewrite(String source, int start) {
        List<String> problems = new ArrayList<>();
        String text = MarkerRewriter.rewrite("gmp/runtime/Proc.java", source, CHAPTERS, start, problems).text();
        assertThat(problems).as("problems").isEmpty();
        return text;
    }

    private static List<String> problems(String source) {
        List<String> problems = new ArrayList<>();
        MarkerRewriter.rewrite("gmp/runtime/Proc.java", source, CHAPTERS, 1, problems);
        return problems;
    }

    @Test
    @DisplayName("a chapter still to do becomes its TODO, a link to the doc and a stub naming chapter, method and anchor")
    void toDoBecomesTodoAndDefaultStub() {
        String workbook = rewrite(SCHEDINIT, 1);

        assertThat(workbook).isEqualTo("""
                class Proc {
                    void schedinit(Config cfg) {
                        // TODO(ch01): choose the number of Ps and call procresize.
                        //             Read docs/en/01-bootstrap.md#schedinit
                        throw new gmp.runtime.NotImplementedYet("ch01", "schedinit", "docs/en/01-bootstrap.md#schedinit");
                    }
                }
                """);
    }

    @Test
    @DisplayName("a chapter before the start keeps its solution and loses its markers")
    void solvedKeepsSolutionOnly() {
        String workbook = rewrite(SCHEDINIT + """
                class Runq {
                    G runqget(P p) {
                        // BEGIN SOLUTION ch02 #runqget
                        // TODO: take runnext first, then the head of the ring.
                        return p.take();
                        // END SOLUTION
                        // STUB: return null;
                    }
                }
                """, 2);

        assertThat(workbook)
                .contains("        int n = cfg.procs();\n        procresize(n);\n    }")
                .doesNotContain("BEGIN SOLUTION", "END SOLUTION", "TODO(ch01)", "choose the number")
                .contains("// TODO(ch02): take runnext first", "        return null;\n")
                .doesNotContain("p.take()");
    }

    @Test
    @DisplayName("a TODO of several lines is aligned under its first line, and several STUB lines keep their indentation")
    void multiLineStub() {
        String workbook = rewrite("""
                class Runq {
                    G runqget(P p) {
                        if (p != null) {
                            // BEGIN SOLUTION ch02 #runqget
                            // TODO: take runnext first,
                            // TODO: then the head
                            //       of the ring.
                            return p.take();
                            // END SOLUTION
                            // STUB: if (p.runnext != null) {
                            // STUB:     return null;
                            // STUB:
                            // STUB: }
                        }
                        return null;
                    }
                }
                """, 1);

        assertThat(workbook).isEqualTo("""
                class Runq {
                    G runqget(P p) {
                        if (p != null) {
                            // TODO(ch02): take runnext first,
                            //             then the head
                            //             of the ring.
                            //             Read docs/en/02-local-runq.md#runqget
                            if (p.runnext != null) {
                                return null;

                            }
                        }
                        return null;
                    }
                }
                """);
    }

    @Test
    @DisplayName("a plain comment after the TODO belongs to the solution")
    void plainCommentIsSolution() {
        String source = SCHEDINIT.replace("        int n", "        // Go reads $GOMAXPROCS here.\n        int n");

        assertThat(rewrite(source, 1)).doesNotContain("$GOMAXPROCS");
        assertThat(rewrite(source, 2)).contains("        // Go reads $GOMAXPROCS here.\n        int n");
    }

    @Test
    @DisplayName("Windows line endings survive, generated lines included")
    void crlfSurvives() {
        String workbook = rewrite(SCHEDINIT.replace("\n", "\r\n"), 1);

        assertThat(workbook.replace("\r\n", "")).doesNotContain("\n", "\r");
        assertThat(workbook).contains("schedinit\");\r\n    }\r\n");
    }

    @Test
    @DisplayName("a file's chapters are reported, and a file without markers reports none")
    void reportsChapters() {
        List<String> problems = new ArrayList<>();

        assertThat(MarkerRewriter.rewrite("A.java", SCHEDINIT, CHAPTERS, 1, problems).chapters()).containsExactly(1);
        assertThat(MarkerRewriter.rewrite("B.java", "class B { } // TODO: not a marker\n", CHAPTERS, 1, problems)
                .chapters()).isEmpty();
    }

    static Stream<Arguments> misplacedMarkers() {
        return Stream.of(
                Arguments.of("BEGIN inside a block", """
                        void a() {
                            // BEGIN SOLUTION ch01 #a
                            // TODO: a
                            // BEGIN SOLUTION ch01 #b
                            // END SOLUTION
                        }
                        """, "gmp/runtime/Proc.java:4: BEGIN SOLUTION inside the block opened at line 2"),
                Arguments.of("END without BEGIN", """
                        void a() {
                            // END SOLUTION
                        }
                        """, "gmp/runtime/Proc.java:2: END SOLUTION without BEGIN SOLUTION"),
                Arguments.of("BEGIN without END", """
                        void a() {
                            // BEGIN SOLUTION ch01 #a
                            // TODO: a
                        }
                        """, "gmp/runtime/Proc.java:2: BEGIN SOLUTION without END SOLUTION"),
                Arguments.of("an unknown chapter", """
                        void a() {
                            // BEGIN SOLUTION ch42 #a
                            // TODO: a
                            // END SOLUTION
                        }
                        """, "gmp/runtime/Proc.java:2: unknown chapter 'ch42'"),
                Arguments.of("a missing anchor", """
                        void a() {
                            // BEGIN SOLUTION ch01
                            // TODO: a
                            // END SOLUTION
                        }
                        """, "gmp/runtime/Proc.java:2: missing anchor"),
                Arguments.of("a missing TODO", """
                        void a() {
                            // BEGIN SOLUTION ch01 #a
                            run();
                            // END SOLUTION
                        }
                        """, "gmp/runtime/Proc.java:2: missing TODO"),
                Arguments.of("a STUB that does not follow END", """
                        void a() {
                            // BEGIN SOLUTION ch01 #a
                            // TODO: a
                            // END SOLUTION
                            run();
                            // STUB: return;
                        }
                        """, "gmp/runtime/Proc.java:6: STUB must come right after END SOLUTION"),
                Arguments.of("a default stub outside any method", """
                        class A {
                            // BEGIN SOLUTION ch01 #a
                            // TODO: a
                            int x = 1;
                            // END SOLUTION
                        }
                        """, "gmp/runtime/Proc.java:2: no enclosing method"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("misplacedMarkers")
    @DisplayName("a misplaced marker is reported with its file and line")
    void misplacedMarkerIsReported(String situation, String source, String expected) {
        assertThat(problems(source)).singleElement().asString().startsWith(expected);
    }
}
