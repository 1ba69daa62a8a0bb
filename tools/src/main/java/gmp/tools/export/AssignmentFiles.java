package gmp.tools.export;

import gmp.tools.generator.ChapterTable;
import java.io.IOException;
import java.nio.file.Path;
import java.util.stream.Collectors;

/**
 * The files an export adds: the assignment's description ({@link Grade#ASSIGNMENT}), the GitHub
 * Classroom workflow, and the student README in English and Chinese.
 */
final class AssignmentFiles {
    static final String WORKFLOW = ".github/workflows/classroom.yml";

    /**
     * GitHub Classroom's autograding workflow, in the form its own template has (the workflow's name,
     * triggers, permissions and job are the template's; the reporter finds the check run by that name).
     * One step grades every test ({@code ./gmp grade}, which hands a result per test to the reporter);
     * {@code classroom-resources/autograding-grading-reporter} turns it into "Points X/Y" for Classroom.
     */
    static final String CLASSROOM_YML = """
            # GitHub Classroom's autograding for this assignment (written by ./gmp export; see README.md,
            # "How it is graded"). ./gmp grade checks that the tests and build files are as handed out, runs
            # the tests, and passes a score per test to the reporter, which tells Classroom "Points X/Y".
            name: Autograding Tests
            'on':
              - push
              - repository_dispatch
              - workflow_dispatch
            permissions:
              checks: write
              actions: read
              contents: read
            jobs:
              run-autograding-tests:
                runs-on: ubuntu-latest
                if: github.actor != 'github-classroom[bot]'
                timeout-minutes: 30
                steps:
                  - name: Checkout code
                    uses: actions/checkout@v4
                  - name: Set up JDK 25
                    uses: actions/setup-java@v4
                    with:
                      distribution: temurin
                      java-version: '25'
                      cache: maven
                  - name: Grade
                    id: gmp
                    run: ./gmp grade
                  - name: Autograding Reporter
                    if: always()
                    uses: classroom-resources/autograding-grading-reporter@v1
                    env:
                      GMP_RESULTS: "${{ steps.gmp.outputs.result }}"
                    with:
                      runners: gmp
            """;

    private AssignmentFiles() {
    }

    static void write(Path dir, Export.Assignment a) throws IOException {
        Export.write(dir.resolve(Grade.ASSIGNMENT), properties(a));
        Export.write(dir.resolve(WORKFLOW), CLASSROOM_YML);
        Export.write(dir.resolve("README.md"), readme(a));
        Export.write(dir.resolve("README.zh.md"), readmeZh(a));
    }

    static String properties(Export.Assignment a) {
        return "# The assignment this repository was exported for; ./gmp grade reads it (written by ./gmp export).\n"
                + "# assigned: the chapters graded; graded: the chapters whose tests grading runs;\n"
                + "# max-points: what the reference runtime earns here (a point per test, given tests none).\n"
                + "assigned=" + tags(a.assigned(), ",") + "\n"
                + "graded=" + tags(a.graded(), ",") + "\n"
                + "max-points=" + a.maxPoints() + "\n"
                + "challenge=" + a.challenge() + "\n"
                + "later=" + a.later() + "\n";
    }

    private static String tags(java.util.Collection<Integer> chapters, String sep) {
        return chapters.stream().map(ChapterTable::tag).collect(Collectors.joining(sep));
    }

    private static String chapterList(Export.Assignment a, String docDir) {
        return a.titles().entrySet().stream().map(e -> "- **" + ChapterTable.tag(e.getKey()) + "** " + e.getValue()
                + ": [" + a.table().get(e.getKey()).orElseThrow().doc().replace("docs/en/", docDir) + "]("
                + a.table().get(e.getKey()).orElseThrow().doc().replace("docs/en/", docDir) + ")")
                .collect(Collectors.joining("\n"));
    }

    private static String first(Export.Assignment a) {
        return String.format("%02d", a.first());
    }

    static String readme(Export.Assignment a) {
        String solved = a.first() == 1 ? "" : " Chapters before " + ChapterTable.tag(a.first())
                + " come solved: they are the runtime your chapters build on.";
        return """
                # GMP Workbook: %s

                An assignment of GMP Workbook, a test-driven kata in which you rebuild
                Go's goroutine scheduler (the G-M-P model) in Java. **Your task:** write the code the TODOs
                of these chapters ask for, in `chapters/src/main/java`, until their tests pass.%s

                %s

                Each `TODO(chNN)` in the code says what to write and which section of the chapter's doc to
                read (`docs/en`, in Chinese `docs/zh`).%s

                ## How to run

                You need a JDK 25 (any vendor; e.g. Temurin from adoptium.net) and `JAVA_HOME` pointing at it.
                Maven comes with the repository (`./mvnw`).

                | command | what it does |
                |---|---|
                | `./gmp score` | run every test, show the scoreboard (chapters done and to do, points) |
                | `./gmp test %s` | run one chapter's tests |
                | `./gmp hint` | the next failing test, why it failed, and where to read |
                | `./gmp hint --more` | also the full TODO of the method that test points at |
                | `./gmp watch` | rerun the current chapter's tests whenever you save a file; Ctrl-C stops |
                | `./gmp grade` | grade the repository exactly as GitHub Classroom does |

                ## How it is graded

                Every push runs `.github/workflows/classroom.yml` on GitHub: `./gmp grade` runs the tests of
                every chapter up to the last assigned one, and each passing test of an assigned chapter earns
                one point (the scoreboard's `pts`). A *given* test, which checks code the chapter hands out,
                earns none. The maximum is **%d points**: the reference solution earns them all. The run's
                summary shows the scoreboard, test by test.

                The tests and the build files are your instructor's: before grading, their checksums (taken
                when the assignment was made, `.github/classroom/checksums.sha256`) are checked, and a
                repository whose tests, build or workflow were changed, or that has tests added, is not graded.
                Write your code in `chapters/src/main/java` only; earlier chapters' code is yours to read, and
                to fix if you break it, since their tests run too.
                """.formatted(a.describe(), solved, chapterList(a, "docs/en/"),
                a.challenge() ? "\n\nThis is the **challenge** version: each TODO says only what to write."
                        + " `./gmp hint --more` shows the full TODO (how) for the method your first failing test"
                        + " points at, when you want it." : "",
                first(a), a.maxPoints());
    }

    static String readmeZh(Export.Assignment a) {
        String chapters = a.first() == a.last() ? "第 " + first(a) + " 章"
                : "第 " + first(a) + "–" + String.format("%02d", a.last()) + " 章";
        String solved = a.first() == 1 ? "" : ChapterTable.tag(a.first()) + " 之前的各章已经写好，是你这几章所依赖的运行时。";
        return """
                # GMP Workbook：%s

                这是 GMP Workbook 的一份作业。GMP Workbook 是一个测试驱动的练习：用 Java
                重新实现 Go 的 goroutine 调度器（G-M-P 模型）。**你的任务：**在 `chapters/src/main/java` 中写出这些章节的
                TODO 要求的代码，直到它们的测试全部通过。%s

                %s

                代码里的每个 `TODO(chNN)` 都说明了要写什么，以及该读章节文档（`docs/zh`，英文版在 `docs/en`）的哪一节。%s

                ## 如何运行

                需要 JDK 25（任何发行版均可，例如 adoptium.net 的 Temurin），并让 `JAVA_HOME` 指向它。Maven 随仓库提供（`./mvnw`）。

                | 命令 | 作用 |
                |---|---|
                | `./gmp score` | 运行全部测试，显示记分板（哪些章完成、哪些待做、得分） |
                | `./gmp test %s` | 只运行一章的测试 |
                | `./gmp hint` | 下一个失败的测试、失败原因以及该读哪里 |
                | `./gmp hint --more` | 另外给出该测试所指方法的完整 TODO |
                | `./gmp watch` | 每次保存文件后重新运行当前章的测试；按 Ctrl-C 退出 |
                | `./gmp grade` | 按 GitHub Classroom 的方式给本仓库评分 |

                ## 如何评分

                每次 push，GitHub 都会运行 `.github/workflows/classroom.yml`：`./gmp grade` 运行截至最后一个布置章节的所有测试，
                布置章节中每通过一个测试得 1 分（即记分板上的 `pts`）。*给定*（given）测试检查的是本章直接提供的代码，不计分。
                满分为 **%d 分**，参考答案恰好全部拿到。运行摘要会逐个测试显示记分板。

                测试和构建文件属于你的老师：评分前会校验它们的校验和（布置作业时记录在
                `.github/classroom/checksums.sha256`）；若测试、构建或工作流被改动，或新增了测试，评分会被拒绝。
                请只在 `chapters/src/main/java` 中写代码；之前各章的代码可以阅读，若被你改坏也要修好，因为它们的测试同样会运行。
                """.formatted(chapters + (a.challenge() ? "（挑战模式）" : ""), solved, chapterList(a, "docs/zh/"),
                a.challenge() ? "\n\n这是**挑战**版本：每个 TODO 只说要写什么。需要时，`./gmp hint --more`"
                        + " 会给出第一个失败测试所指方法的完整 TODO（怎么写）。" : "",
                first(a), a.maxPoints());
    }
}
