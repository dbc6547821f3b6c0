package dev.parigot.bench;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * JMH: one blocking 64-byte echo call to the gRPC peer ({@link GrpcEcho}). All benchmark threads
 * share one server and one channel, as the callers of one service would.
 */
@State(Scope.Benchmark)
public class GrpcBenchmark {
  private GrpcEcho echo;

  @Setup
  public void start() {
    echo = new GrpcEcho();
  }

  @TearDown
  public void stop() throws InterruptedException {
    echo.close();
  }

  @Benchmark
  public int roundTrip() {
    return echo.roundTrip();
  }
}
