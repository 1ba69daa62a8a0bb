package gmp.agent;

import java.lang.instrument.ClassFileTransformer;
import java.lang.instrument.Instrumentation;
import java.security.ProtectionDomain;

/**
 * The preemption agent: makes goroutine code preemptible at loop back-edges, as Go's compiler
 * does under {@code GOEXPERIMENT=preemptibleloops} (cmd/compile/internal/ssa/loopreschedchecks.go,
 * an experiment from 2017, still there and off by default), by inserting {@code INVOKESTATIC gmp/runtime/Safepoint.poll ()V} into user classes as they load.
 *
 * <p>Why it exists. Go 1.14 preempts a goroutine that never calls a function by sending its thread
 * a signal (SIGURG) and redirecting it to the scheduler. A continuation cannot be stopped from
 * outside: the only way a goroutine gives up its M is by yielding itself. A loop that never calls
 * the runtime would own its P forever, Go 1.13's famous {@code for {}} hang. So the agent gives
 * every such loop a safepoint, where sysmon's preemption request (chapter 06) is honoured.
 *
 * <p>Where the poll goes ({@link PollInserter}):
 * <ul>
 *   <li>at every method entry (Go's function prologue checks {@code stackguard0}, which
 *       {@code preemptone} sets to {@code stackPreempt}), except static initializers: a class's
 *       initializer runs under a JVM frame a continuation cannot yield across;</li>
 *   <li>before every backward jump (a goto, if or switch whose target label came earlier in the
 *       code): every loop has one, whatever its source form.</li>
 * </ul>
 * A poll is one opaque load of a static int and a branch not taken; C2 inlines it. Inserted before
 * an existing instruction of the same basic block, it adds no branch target and leaves the operand
 * stack as it was, so the class's stack map frames stay valid unchanged: no frame is computed, and
 * no class is loaded to compute one.
 *
 * <p>Which classes are instrumented ({@link Include}): goroutine code, never the runtime.
 * <ol>
 *   <li>Never a class of the boot or platform loader, nor of {@code java/ javax/ jdk/ sun/ com/sun/}.</li>
 *   <li>Only classes under the included packages: {@code gmp} by default (the demo, the benchmarks,
 *       the chapter tests), more with {@code include=}. Test libraries (JUnit, AssertJ, Lincheck,
 *       jcstress, JMH) and Maven's surefire live elsewhere, so they are never touched.</li>
 *   <li>Never the runtime and its tooling: {@code gmp/runtime/}, {@code gmp/sync/}, {@code gmp/agent/},
 *       {@code gmp/tools/}, {@code gmp/workbook/} (the test harness), nor JMH's generated classes
 *       ({@code .../jmh_generated/}, its measurement loops). The one exception: a class of
 *       {@code gmp/runtime/} or {@code gmp/sync/} loaded from a {@code test-classes} directory (Maven's
 *       test output) is a chapter test, which sits in the runtime's package only to reach its
 *       package-private parts; its goroutine lambdas are instrumented.</li>
 *   <li>Only where {@code gmp/runtime/Safepoint.class} can be found through the class's own loader,
 *       so that an instrumented class can always link its polls.</li>
 * </ol>
 *
 * <p>Options, after {@code -javaagent:gmp-agent.jar=}, separated by commas:
 * <ul>
 *   <li>{@code off}: instrument nothing (so does {@code -Dgmp.preempt=off}): the pre-1.14
 *       behaviour, where a loop that never calls the runtime keeps its P;</li>
 *   <li>{@code include=com.example.app}: one more package to instrument (repeatable);</li>
 *   <li>{@code verbose}: print every instrumented class and its poll count on standard error.</li>
 * </ul>
 */
public final class PreemptAgent {
    private PreemptAgent() {
    }

    /** {@code -javaagent:gmp-agent.jar[=options]}: registers the transformer before main runs. */
    public static void premain(String options, Instrumentation inst) {
        install(options, System.getProperty("gmp.preempt"), inst);
    }

    /** The same when loaded into a running JVM: classes loaded from now on get their polls. */
    public static void agentmain(String options, Instrumentation inst) {
        premain(options, inst);
    }

    /** Registers the transformer unless the options or the property say off; returns whether it did. */
    static boolean install(String options, String property, Instrumentation inst) {
        Include include = Include.DEFAULT;
        boolean verbose = false;
        for (String option : options == null || options.isEmpty() ? new String[0] : options.split(",")) {
            if (option.equals("off")) {
                return false;
            } else if (option.equals("verbose")) {
                verbose = true;
            } else if (option.startsWith("include=")) {
                include = include.with(option.substring("include=".length()));
            } else {
                throw new IllegalArgumentException("gmp agent: unknown option '" + option
                        + "' (known: off, verbose, include=PACKAGE)");
            }
        }
        if ("off".equalsIgnoreCase(property)) {
            return false;
        }
        inst.addTransformer(new Transformer(include, verbose));
        return true;
    }

    /** Instruments the classes the rule includes; returns null (unchanged) for every other. */
    static final class Transformer implements ClassFileTransformer {
        private final Include include;
        private final boolean verbose;

        Transformer(Include include, boolean verbose) {
            this.include = include;
            this.verbose = verbose;
        }

        @Override
        public byte[] transform(ClassLoader loader, String className, Class<?> redefined,
                ProtectionDomain domain, byte[] classfile) {
            if (redefined != null || !include.test(loader, className, domain)) {
                return null;
            }
            try {
                PollInserter.Result r = PollInserter.insert(classfile);
                if (verbose) {
                    System.err.println("gmp agent: " + className + ": " + r.polls() + " polls");
                }
                return r.polls() == 0 ? null : r.classfile();
            } catch (RuntimeException e) {
                // A class the agent cannot rewrite (a method grown past 64 KiB) runs as it was.
                System.err.println("gmp agent: " + className + " left without polls: " + e);
                return null;
            }
        }
    }
}
