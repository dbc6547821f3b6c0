package dev.parigot.bench;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * JMH: one round trip of the floor ({@link Handoff}). Run with {@code -Djmh.executor=VIRTUAL}
 * (as {@link JmhRuns} does) so that the calling side is a virtual thread too.
 */
@State(Scope.Thread)
public class HandoffBenchmark {
  private final byte[] request = new byte[64];
  private Handoff handoff;

  @Setup
  public void start() {
    handoff = new Handoff();
  }

  @TearDown
  public void stop() {
    handoff.close();
  }

  @Benchmark
  public byte[] roundTrip() throws InterruptedException {
    return handoff.roundTrip(request);
  }
}
