package gmp.bench;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;

import org.openjdk.jmh.results.BenchmarkResult;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Runs the JMH benchmarks ({@link Switch}, {@link PingPong}, {@link Gosched}, {@link Polls}) through
 * JMH's own runner, which forks a JVM per benchmark method with the flags its annotations ask for,
 * and turns each method's iterations into a {@link Result}: one sample per measurement iteration of
 * every fork. Every fork starts with the preemption agent, as the tests and the demo do; a method
 * annotated with {@link Programs#PREEMPT_OFF} has it switched off.
 *
 * <p>A method's name says what it runs: {@code goroutinesP2} is the reference runtime with
 * GOMAXPROCS 2, {@code virtualThreadsP1} virtual threads on one carrier, {@code platformThreads}
 * platform threads (GOMAXPROCS means nothing to them: procs 0).
 */
final class JmhSuite {
    /** The JMH benchmark classes, by workload id. */
    static final List<Class<?>> BENCHMARKS = List.of(Switch.class, PingPong.class, Gosched.class, Polls.class);

    private JmhSuite() {
    }

    static String workloadOf(Class<?> benchmark) {
        return benchmark.getSimpleName().toLowerCase(Locale.ROOT);
    }

    /**
     * Runs the benchmarks of the given classes. The smoke run is one fork, no warm-up and one
     * 100 ms iteration per method: it proves that every benchmark still builds and runs, nothing more.
     */
    static List<Result> run(List<Class<?>> classes, boolean smoke, Path log, String agentFlag) throws RunnerException {
        // JMH gives its forks this JVM's own flags unless told otherwise; keep them, and add the agent
        // in that slot, since the benchmarks' annotations fill the prepend and append slots.
        List<String> jvmArgs = new ArrayList<>(ManagementFactory.getRuntimeMXBean().getInputArguments());
        jvmArgs.add(agentFlag);
        ChainedOptionsBuilder options = new OptionsBuilder().shouldFailOnError(true).output(log.toString())
                .jvmArgs(jvmArgs.toArray(String[]::new));
        for (Class<?> c : classes) {
            options.include("^" + c.getName().replace(".", "\\.") + "\\.");
        }
        if (smoke) {
            options.forks(1).warmupIterations(0).measurementIterations(1)
                    .measurementTime(TimeValue.milliseconds(100));
        }
        Collection<RunResult> runs = new Runner(options.build()).run();
        List<Result> out = new ArrayList<>();
        for (RunResult run : runs) {
            out.add(toResult(run));
        }
        return out;
    }

    private static Result toResult(RunResult run) {
        String name = run.getParams().getBenchmark();
        String className = name.substring(0, name.lastIndexOf('.'));
        String method = name.substring(name.lastIndexOf('.') + 1);
        String workload = className.substring(className.lastIndexOf('.') + 1).toLowerCase(Locale.ROOT);
        List<Double> samples = new ArrayList<>();
        for (BenchmarkResult fork : run.getBenchmarkResults()) {
            for (IterationResult iteration : fork.getIterationResults()) {
                samples.add(iteration.getPrimaryResult().getScore());
            }
        }
        String impl;
        int procs;
        if (method.startsWith("goroutines")) {
            impl = Kind.GOROUTINES.label;
            procs = procsOf(method);
        } else if (method.startsWith("virtualThreads")) {
            impl = Kind.VIRTUAL_THREADS.label;
            procs = procsOf(method);
        } else if (method.startsWith("platformThreads")) {
            impl = Kind.PLATFORM_THREADS.label;
            procs = 0;
        } else {
            impl = method; // the chapter 01 benchmarks are named for what they measure
            procs = 0;
        }
        return new Result(workload, impl, procs, run.getParams().getOpsPerInvocation(), "ns/op", samples);
    }

    /** 1 for {@code goroutinesP1}: the digits after the last P. */
    private static int procsOf(String method) {
        return Integer.parseInt(method.substring(method.lastIndexOf('P') + 1));
    }
}
