package dev.parigot.bench;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * JMH: one round trip of the floor ({@link Handoff}), every benchmark thread a caller of the one
 * server. Run with {@code -Djmh.executor=VIRTUAL} (as {@link JmhRuns} does) so that the calling
 * side is virtual threads too.
 */
@State(Scope.Benchmark)
public class HandoffBenchmark {
  private Handoff handoff;

  @Setup
  public void start() {
    handoff = new Handoff();
  }

  @TearDown
  public void stop() {
    handoff.close();
  }

  /** One calling thread's end. */
  @State(Scope.Thread)
  public static class Caller {
    final byte[] request = new byte[64];
    Handoff.Caller end;

    @Setup
    public void open(HandoffBenchmark shared) {
      end = shared.handoff.caller();
    }
  }

  @Benchmark
  public byte[] roundTrip(Caller caller) throws InterruptedException {
    return caller.end.roundTrip(caller.request);
  }
}
