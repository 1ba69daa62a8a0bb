package gmp.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.instrument.ClassFileTransformer;
import java.lang.instrument.Instrumentation;
import java.lang.reflect.Proxy;
import java.net.MalformedURLException;
import java.net.URI;
import java.security.CodeSource;
import java.security.ProtectionDomain;
import java.security.cert.Certificate;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.tree.AbstractInsnNode;
import org.objectweb.asm.tree.ClassNode;
import org.objectweb.asm.tree.JumpInsnNode;
import org.objectweb.asm.tree.MethodInsnNode;
import org.objectweb.asm.tree.MethodNode;
import org.objectweb.asm.util.CheckClassAdapter;

import gmp.fixture.Loops;
import gmp.runtime.Safepoint;

/**
 * The preemption agent: where it puts polls, which classes it leaves alone, that what it writes
 * still verifies and computes the same, and its off switch.
 */
class PreemptAgentTest {
    private static final String FIXTURE = "gmp/fixture/Loops";

    private final ClassLoader app = PreemptAgentTest.class.getClassLoader();

    @Test
    @DisplayName("every method with code starts with a poll, except the static initializer")
    void everyMethodStartsWithAPoll() throws IOException {
        ClassNode c = node(PollInserter.insert(original(FIXTURE)).classfile());
        for (MethodNode m : c.methods) {
            AbstractInsnNode first = firstInstruction(m);
            if (m.name.equals("<clinit>")) {
                assertThat(polls(m)).as("the static initializer gets no poll (a continuation cannot yield"
                        + " out of class initialization)").isZero();
            } else {
                assertThat(isPoll(first)).as("first instruction of %s%s is a call to Safepoint.poll", m.name, m.desc)
                        .isTrue();
            }
        }
    }

    @Test
    @DisplayName("every backward jump has a poll just before it, and no forward jump has one")
    void everyBackEdgeHasAPoll() throws IOException {
        ClassNode c = node(PollInserter.insert(original(FIXTURE)).classfile());
        int backEdges = 0;
        for (MethodNode m : c.methods) {
            if (m.name.equals("<clinit>")) {
                continue;
            }
            int methodBackEdges = 0;
            for (AbstractInsnNode insn : m.instructions) {
                if (insn instanceof JumpInsnNode jump) {
                    boolean backward = m.instructions.indexOf(jump.label) < m.instructions.indexOf(jump);
                    assertThat(isPoll(previousInstruction(jump)))
                            .as("%s%s: a %s jump at %d %s a poll before it", m.name, m.desc,
                                    backward ? "backward" : "forward", m.instructions.indexOf(jump),
                                    backward ? "has" : "has no")
                            .isEqualTo(backward);
                    methodBackEdges += backward ? 1 : 0;
                }
            }
            assertThat(polls(m)).as("%s%s: one poll at the entry and one per back-edge", m.name, m.desc)
                    .isEqualTo(1 + methodBackEdges);
            backEdges += methodBackEdges;
        }
        assertThat(backEdges).as("the fixture's loops (for, do-while, nested, while(true), switch, lambda)")
                .isGreaterThanOrEqualTo(7);
    }

    @Test
    @DisplayName("the count it reports is the number of polls it wrote")
    void countsWhatItWrote() throws IOException {
        PollInserter.Result r = PollInserter.insert(original(FIXTURE));
        int written = 0;
        for (MethodNode m : node(r.classfile()).methods) {
            written += polls(m);
        }
        assertThat(r.polls()).isEqualTo(written);
    }

    @Test
    @DisplayName("the rewritten class passes ASM's verifier and the JVM's")
    void verifies() throws Exception {
        byte[] rewritten = PollInserter.insert(original(FIXTURE)).classfile();
        StringWriter problems = new StringWriter();
        CheckClassAdapter.verify(new ClassReader(rewritten), PreemptAgentTest.class.getClassLoader(), false,
                new PrintWriter(problems));
        assertThat(problems.toString()).as("ASM's CheckClassAdapter on the instrumented fixture").isEmpty();
        Class<?> loaded = instrumentedFixture();
        assertThat(loaded.getClassLoader()).isNotSameAs(Loops.class.getClassLoader());
    }

    @Test
    @DisplayName("each method computes what it did, with one poll per entry and per back-edge executed")
    void runsWithOnePollPerIteration() throws Exception {
        Class<?> c = instrumentedFixture();
        Safepoint.takePolls();
        assertCall(c, "forLoop", 10, Loops.forLoop(10), 1 + 10);
        assertCall(c, "doWhile", 10, Loops.doWhile(10), 1 + 10);
        assertThat(c.getMethod("nested", int.class, int.class).invoke(null, 3, 4)).isEqualTo(Loops.nested(3, 4));
        assertThat(Safepoint.takePolls()).as("nested(3, 4)").isEqualTo(1 + 3 + 3 * 4);
        assertCall(c, "switchAndCatch", 12, Loops.switchAndCatch(12), 1 + 12);
        assertCall(c, "lambda", 5, Loops.lambda(5), 1 + 1 + 5);
        assertCall(c, "straight", 5, Loops.straight(5), 1);
        Object instance = c.getConstructor(int.class).newInstance(100);
        assertThat(Safepoint.takePolls()).as("the constructor (the static initializer ran first, with none)")
                .isEqualTo(1);
        assertThat(c.getMethod("whileTrue", int.class).invoke(instance, 7)).isEqualTo(new Loops(100).whileTrue(7));
        assertThat(Safepoint.takePolls()).as("whileTrue(7)").isEqualTo(1 + 7);
    }

    private void assertCall(Class<?> c, String method, int arg, int expected, int polls) throws Exception {
        assertThat(c.getMethod(method, int.class).invoke(null, arg)).as("%s(%d)", method, arg).isEqualTo(expected);
        assertThat(Safepoint.takePolls()).as("polls made by %s(%d)", method, arg).isEqualTo(polls);
    }

    @Test
    @DisplayName("user code in gmp is instrumented: the demo, the benchmarks, the agent's fixture")
    void userCode() throws Exception {
        assertThat(Include.DEFAULT.test(app, "gmp/demo/Demo", domain("file:/w/solutions/target/classes/"))).isTrue();
        assertThat(Include.DEFAULT.test(app, "gmp/bench/Preemption", domain("file:/w/bench/target/benchmarks.jar"))).isTrue();
        assertThat(Include.DEFAULT.test(app, FIXTURE, domain("file:/w/agent/target/test-classes/"))).as("the fixture").isTrue();
    }

    @Test
    @DisplayName("the runtime's own classes are not, but chapter tests in its packages are")
    void runtimeButNotItsTests() throws Exception {
        ProtectionDomain main = domain("file:/w/solutions/target/classes/");
        ProtectionDomain tests = domain("file:/w/solutions/target/test-classes/");
        assertThat(Include.DEFAULT.test(app, "gmp/runtime/Proc", main)).as("the scheduler").isFalse();
        assertThat(Include.DEFAULT.test(app, "gmp/sync/Mutex", main)).as("gmp.sync").isFalse();
        assertThat(Include.DEFAULT.test(app, "gmp/runtime/Proc", domain("file:/w/bench/target/benchmarks.jar")))
                .as("the runtime inside the benchmarks' jar").isFalse();
        assertThat(Include.DEFAULT.test(app, "gmp/runtime/Ch05ChanTest", tests)).as("a chapter test").isTrue();
        assertThat(Include.DEFAULT.test(app, "gmp/runtime/Ch05ChanTest$1", tests)).as("its inner class").isTrue();
        assertThat(Include.DEFAULT.test(app, "gmp/workbook/ScoreboardListener", tests)).as("the test harness").isFalse();
        assertThat(Include.DEFAULT.test(app, "gmp/agent/PreemptAgent", main)).as("the agent itself").isFalse();
        assertThat(Include.DEFAULT.test(app, "gmp/tools/ladder/LadderCheck", main)).as("the tools").isFalse();
    }

    @Test
    @DisplayName("the JDK, test libraries and JMH's generated loops are not")
    void librariesAndJdk() throws Exception {
        ProtectionDomain jar = domain("file:/home/.m2/some.jar");
        for (String name : List.of("java/lang/String", "jdk/internal/vm/Continuation", "sun/misc/Unsafe",
                "com/sun/management/OperatingSystemMXBean", "javax/net/SocketFactory", "org/junit/jupiter/api/Test",
                "org/assertj/core/api/Assertions", "org/jetbrains/lincheck/LinChecker",
                "org/openjdk/jcstress/Main", "org/openjdk/jmh/runner/Runner", "org/objectweb/asm/ClassReader",
                "org/apache/maven/surefire/booter/ForkedBooter", "kotlin/Unit")) {
            assertThat(Include.DEFAULT.test(app, name, jar)).as(name).isFalse();
        }
        assertThat(Include.DEFAULT.test(app, "gmp/bench/jmh_generated/Polls_loop_jmhTest", jar))
                .as("JMH's generated measurement loop").isFalse();
        assertThat(Include.DEFAULT.test(null, "gmp/demo/Demo", jar)).as("a class of the boot loader").isFalse();
        assertThat(Include.DEFAULT.test(ClassLoader.getPlatformClassLoader(), "gmp/demo/Demo", jar))
                .as("a class of the platform loader").isFalse();
    }

    @Test
    @DisplayName("include= adds a package; a loader that cannot see Safepoint gets no polls")
    void includeOptionAndSafepointVisibility() throws Exception {
        ProtectionDomain jar = domain("file:/w/app.jar");
        assertThat(Include.DEFAULT.test(app, "com/example/Main", jar)).isFalse();
        assertThat(Include.DEFAULT.with("com.example").test(app, "com/example/Main", jar)).isTrue();
        assertThat(Include.DEFAULT.with("com.example").test(app, "com/examples/Main", jar))
                .as("a package, not a name prefix").isFalse();
        ClassLoader blind = new ClassLoader(null) {
        };
        assertThat(Include.DEFAULT.test(blind, "gmp/demo/Demo", jar))
                .as("a loader that finds no gmp/runtime/Safepoint.class").isFalse();
    }

    @Test
    @DisplayName("the transformer leaves an excluded class unchanged (returns null)")
    void excludedClassUntouched() throws Exception {
        ClassFileTransformer t = new PreemptAgent.Transformer(Include.DEFAULT, false);
        byte[] proc = original(FIXTURE);
        assertThat(t.transform(app, "gmp/runtime/Proc", null, domain("file:/w/solutions/target/classes/"), proc))
                .isNull();
        assertThat(t.transform(app, "java/lang/Fixture", null, null, proc)).isNull();
        assertThat(t.transform(app, FIXTURE, null, domain("file:/w/agent/target/test-classes/"), proc))
                .as("an included class").isNotNull();
    }

    @Test
    @DisplayName("a class being redefined is left as it is (polls come only at first load)")
    void redefinitionUntouched() throws Exception {
        ClassFileTransformer t = new PreemptAgent.Transformer(Include.DEFAULT, false);
        assertThat(t.transform(app, FIXTURE, Loops.class, domain("file:/w/x/"), original(FIXTURE))).isNull();
    }

    @Test
    @DisplayName("by default the agent registers its transformer")
    void onByDefault() {
        List<Object> added = new ArrayList<>();
        assertThat(PreemptAgent.install(null, null, instrumentation(added))).isTrue();
        assertThat(PreemptAgent.install("verbose,include=com.example", null, instrumentation(added))).isTrue();
        assertThat(added).hasSize(2).allMatch(a -> a instanceof PreemptAgent.Transformer);
    }

    @Test
    @DisplayName("-javaagent:gmp-agent.jar=off and -Dgmp.preempt=off register nothing (the pre-1.14 behaviour)")
    void offSwitches() {
        List<Object> added = new ArrayList<>();
        assertThat(PreemptAgent.install("off", null, instrumentation(added))).isFalse();
        assertThat(PreemptAgent.install(null, "off", instrumentation(added))).isFalse();
        assertThat(PreemptAgent.install("", "OFF", instrumentation(added))).isFalse();
        assertThat(added).as("transformers registered").isEmpty();
    }

    @Test
    @DisplayName("an unknown option is an error that lists the known ones")
    void unknownOption() {
        assertThatThrownBy(() -> PreemptAgent.install("of", null, instrumentation(new ArrayList<>())))
                .hasMessageContaining("unknown option 'of'").hasMessageContaining("off, verbose, include=");
    }

    // ---- helpers -------------------------------------------------------------------------------

    /** The fixture, instrumented and loaded by a loader of its own (whose parent finds the stub Safepoint). */
    private static Class<?> instrumentedFixture() throws Exception {
        byte[] rewritten = PollInserter.insert(original(FIXTURE)).classfile();
        ClassLoader parent = PreemptAgentTest.class.getClassLoader();
        ClassLoader loader = new ClassLoader("instrumented", parent) {
            @Override
            protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
                if (name.equals(FIXTURE.replace('/', '.'))) {
                    synchronized (getClassLoadingLock(name)) {
                        Class<?> c = findLoadedClass(name);
                        return c != null ? c : defineClass(name, rewritten, 0, rewritten.length);
                    }
                }
                return super.loadClass(name, resolve);
            }
        };
        return Class.forName(FIXTURE.replace('/', '.'), true, loader);
    }

    private static byte[] original(String internalName) throws IOException {
        try (InputStream in = PreemptAgentTest.class.getClassLoader().getResourceAsStream(internalName + ".class")) {
            assertThat(in).as(internalName + ".class on the test class path").isNotNull();
            return in.readAllBytes();
        }
    }

    private static ClassNode node(byte[] classfile) {
        ClassNode c = new ClassNode();
        new ClassReader(classfile).accept(c, 0);
        return c;
    }

    private static boolean isPoll(AbstractInsnNode insn) {
        return insn instanceof MethodInsnNode call && call.owner.equals(PollInserter.SAFEPOINT)
                && call.name.equals(PollInserter.POLL) && call.desc.equals(PollInserter.POLL_DESCRIPTOR);
    }

    private static int polls(MethodNode m) {
        int n = 0;
        for (AbstractInsnNode insn : m.instructions) {
            n += isPoll(insn) ? 1 : 0;
        }
        return n;
    }

    /** The first real instruction (labels, line numbers and frames are not instructions). */
    private static AbstractInsnNode firstInstruction(MethodNode m) {
        AbstractInsnNode insn = m.instructions.getFirst();
        while (insn != null && insn.getOpcode() < 0) {
            insn = insn.getNext();
        }
        return insn;
    }

    /** The real instruction before insn, skipping labels, line numbers and frames. */
    private static AbstractInsnNode previousInstruction(AbstractInsnNode insn) {
        AbstractInsnNode p = insn.getPrevious();
        while (p != null && p.getOpcode() < 0) {
            p = p.getPrevious();
        }
        return p;
    }

    private static ProtectionDomain domain(String url) throws MalformedURLException {
        return new ProtectionDomain(new CodeSource(URI.create(url).toURL(), (Certificate[]) null), null);
    }

    /** An Instrumentation that records the transformers added to it and supports nothing else. */
    private static Instrumentation instrumentation(List<Object> added) {
        return (Instrumentation) Proxy.newProxyInstance(Instrumentation.class.getClassLoader(),
                new Class<?>[] {Instrumentation.class}, (proxy, method, args) -> {
                    if (method.getName().equals("addTransformer")) {
                        added.add(args[0]);
                        return null;
                    }
                    throw new UnsupportedOperationException(method.getName());
                });
    }
}
