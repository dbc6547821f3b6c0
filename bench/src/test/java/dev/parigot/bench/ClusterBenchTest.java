package dev.parigot.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The cluster section's calls/s counts only the calls that end while every caller calls. */
class ClusterBenchTest {
  @Test
  void onlyCallsEndingWhileEveryCallerCallsCount() {
    // a: 0-1000 ns, ends at 100, 200, ..., 1000; b: 500-1500 ns, ends at 600, ..., 1500.
    // Both call from 500 to 1000 ns: a's and b's calls ending at 600-1000, ten in 500 ns.
    double rate =
        ClusterBench.whileAllCall(
            Map.of("a", new long[] {0, 1000}, "b", new long[] {500, 1500}),
            Map.of("a", Collections.nCopies(10, 100L), "b", Collections.nCopies(10, 100L)));
    assertThat(rate).isEqualTo(10 * 1e9 / 500);
  }

  @Test
  void aCallersOwnTimeBetweenCallsIsSpreadOverItsCalls() {
    // Round trips of 50 ns in a span of 1000: each call is taken to end 100 ns after the last.
    double rate =
        ClusterBench.whileAllCall(
            Map.of("a", new long[] {0, 1000}, "b", new long[] {0, 1000}),
            Map.of("a", Collections.nCopies(10, 50L), "b", List.of(1000L)));
    assertThat(rate).isEqualTo(11 * 1e9 / 1000);
  }

  @Test
  void callersThatNeverCalledAtOnceHaveNoRate() {
    double rate =
        ClusterBench.whileAllCall(
            Map.of("a", new long[] {0, 100}, "b", new long[] {200, 300}),
            Map.of("a", List.of(100L), "b", List.of(100L)));
    assertThat(rate).isNaN();
    assertThat(ClusterBench.whileAllCall(Map.of(), Map.of())).isNaN();
  }
}
