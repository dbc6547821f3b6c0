package dev.parigot.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A smoke run of the benchmark machinery with tiny counts: every part runs and yields numbers.
 * No timing is asserted (the machines are shared and noisy); scripts/bench does the measuring.
 */
class SmokeTest {
  private final GuestBench guests = new GuestBench(Path.of("guests"));

  @Test
  void guestCallsYieldOneSamplePerCallAndASpan() {
    var calls = guests.calls(2, 10, 50, true, true);
    assertThat(calls.histogram().getTotalCount()).isEqualTo(100);
    assertThat(calls.perSecond()).isPositive();
    assertThat(guests.calls(1, 10, 50, false, false).histogram().getTotalCount()).isEqualTo(50);
  }

  @Test
  void streamingAndSpawningYieldSamples() {
    assertThat(guests.stream(1, 100, 1024).getTotalCount()).isEqualTo(1);
    assertThat(guests.spawn(2, 5).getTotalCount()).isEqualTo(5);
  }

  @Test
  void theFloorAndThePeerEcho() throws Exception {
    try (var handoff = new Handoff()) {
      byte[] request = new byte[64];
      request[0] = 7;
      var one = handoff.caller();
      var two = handoff.caller();
      assertThat(one.roundTrip(request)).isEqualTo(request).isNotSameAs(request);
      request[0] = 8;
      assertThat(two.roundTrip(request)).as("each caller gets its own echo").containsExactly(request);
    }
    try (var grpc = new GrpcEcho()) {
      assertThat(grpc.roundTrip()).isEqualTo(64);
    }
  }

  @Test
  void theReportIsJson(@TempDir Path dir) throws Exception {
    var report = new Report();
    report.machine("cores", "2");
    report.add("a.p50", "a \"quoted\" thing", 4.5, "us", Report.Target.atMost(5), "");
    report.add("b", "not built", Double.NaN, "ops/s", null, "n/a until issue 4");
    Path json = dir.resolve("r.json");
    report.writeJson(json);
    assertThat(Files.readString(json))
        .contains("\"id\": \"a.p50\"", "\"value\": 4.50", "\"verdict\": \"met\"")
        .contains("a \\\"quoted\\\" thing", "\"value\": null", "\"note\": \"n/a until issue 4\"");
  }
}
