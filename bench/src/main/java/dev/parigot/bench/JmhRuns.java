package dev.parigot.bench;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Runs the JMH benchmarks of this module, each in one forked JVM, and hands back the numbers the
 * report needs. JMH's own output goes to a log file so the run's table stays readable.
 */
final class JmhRuns {
  /** Percentiles of one operation, in nanoseconds. */
  record Latency(double p50, double p99) {}

  private final boolean quick;
  private final Path logs;

  /** {@code logs}: the directory for JMH's output, a file per run. */
  JmhRuns(boolean quick, Path logs) {
    this.quick = quick;
    this.logs = logs;
  }

  /** Samples single operations (JMH's SampleTime mode) on one thread. */
  Latency latency(Class<?> benchmark, boolean virtualThread) throws RunnerException {
    var options =
        options(benchmark, 1, "sample").mode(Mode.SampleTime).timeUnit(TimeUnit.NANOSECONDS);
    if (virtualThread) {
      options.jvmArgsAppend("-Djmh.executor=VIRTUAL");
    }
    var stats = run(options).getPrimaryResult().getStatistics();
    return new Latency(stats.getPercentile(50), stats.getPercentile(99));
  }

  /** Operations per second, summed over {@code threads} threads. */
  double throughput(Class<?> benchmark, int threads, boolean virtualThreads)
      throws RunnerException {
    var options =
        options(benchmark, threads, "throughput-" + threads)
            .mode(Mode.Throughput)
            .timeUnit(TimeUnit.SECONDS);
    if (virtualThreads) {
      options.jvmArgsAppend("-Djmh.executor=VIRTUAL");
    }
    return run(options).getPrimaryResult().getScore();
  }

  private ChainedOptionsBuilder options(Class<?> benchmark, int threads, String run) {
    return new OptionsBuilder()
        .include("^" + Pattern.quote(benchmark.getName()) + "\\.")
        .forks(1)
        .threads(threads)
        .warmupIterations(quick ? 1 : 3)
        .warmupTime(TimeValue.seconds(1))
        .measurementIterations(quick ? 1 : 5)
        .measurementTime(TimeValue.seconds(1))
        .jvmArgs("-Xmx1g")
        .output(logs.resolve(benchmark.getSimpleName() + "-" + run + ".log").toString());
  }

  private static RunResult run(ChainedOptionsBuilder options) throws RunnerException {
    return new Runner(options.build()).runSingle();
  }
}
