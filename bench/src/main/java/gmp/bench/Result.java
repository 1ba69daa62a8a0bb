package gmp.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * One measured figure: a workload's metric for one implementation and GOMAXPROCS, the number of
 * operations each sample ran, the samples and their median. Java and Go programs print it as the
 * same tab-separated line, so the table reads both the same way:
 * <pre>
 * result  workload  impl  procs  ops  metric  median  sample,sample,...
 * </pre>
 * impl is {@code gmp}, {@code vthreads}, {@code platform} or a Go version ({@code go1.19.8}); procs
 * is 0 where GOMAXPROCS means nothing (platform threads); a value of {@code inf} means "never".
 */
record Result(String workload, String impl, int procs, long ops, String metric, List<Double> samples) {
    static final String TAG = "result";

    Result {
        if (samples.isEmpty()) {
            throw new IllegalArgumentException("a result needs at least one sample: " + workload + " " + impl);
        }
        samples = List.copyOf(samples);
    }

    /** The median of the samples (the mean of the middle two for an even count). */
    double median() {
        double[] s = samples.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        int m = s.length / 2;
        return s.length % 2 == 1 ? s[m] : (s[m - 1] + s[m]) / 2;
    }

    /** This result with more samples of the same measurement (runs made in separate JVMs). */
    Result plus(Result more) {
        if (!workload.equals(more.workload) || !impl.equals(more.impl) || procs != more.procs
                || ops != more.ops || !metric.equals(more.metric)) {
            throw new IllegalArgumentException("not the same measurement: " + this + " and " + more);
        }
        List<Double> all = new ArrayList<>(samples);
        all.addAll(more.samples);
        return new Result(workload, impl, procs, ops, metric, all);
    }

    /**
     * The results of one process per run, merged: each metric with the samples of every process.
     * Every process must report the same metrics in the same order.
     */
    static List<Result> merge(List<List<Result>> processes) {
        List<Result> merged = new ArrayList<>(processes.getFirst());
        for (List<Result> one : processes.subList(1, processes.size())) {
            if (one.size() != merged.size()) {
                throw new IllegalArgumentException("processes reported different metrics: " + merged + " and " + one);
            }
            for (int j = 0; j < merged.size(); j++) {
                merged.set(j, merged.get(j).plus(one.get(j)));
            }
        }
        return merged;
    }

    String line() {
        StringBuilder b = new StringBuilder();
        for (double s : samples) {
            b.append(b.isEmpty() ? "" : ",").append(format(s));
        }
        return String.join("\t", TAG, workload, impl, Integer.toString(procs), Long.toString(ops), metric,
                format(median()), b);
    }

    /** Parses a line printed by {@link #line} or by the Go programs; null for any other line. */
    static Result parse(String line) {
        String[] f = line.strip().split("\t");
        if (f.length != 8 || !f[0].equals(TAG)) {
            return null;
        }
        List<Double> samples = Arrays.stream(f[7].split(",")).map(Result::number).toList();
        return new Result(f[1], f[2], Integer.parseInt(f[3]), Long.parseLong(f[4]), f[5], samples);
    }

    static String format(double v) {
        return Double.isInfinite(v) ? "inf" : String.format(Locale.ROOT, "%.3f", v);
    }

    private static double number(String s) {
        return s.equals("inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(s);
    }
}
