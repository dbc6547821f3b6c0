package dev.parigot.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A smoke run of the benchmark machinery with tiny counts: every part runs and yields numbers. No
 * timing is asserted (the machines are shared and noisy); scripts/bench does the measuring.
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
    assertThat(guests.stream(1, 1, 100, 1024).getTotalCount()).isEqualTo(1);
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
      assertThat(two.roundTrip(request))
          .as("each caller gets its own echo")
          .containsExactly(request);
    }
    try (var grpc = new GrpcEcho()) {
      assertThat(grpc.roundTrip()).isEqualTo(64);
    }
  }

  @Test
  void aComputeProgramStartsAfterItsModuleIsLoadedAndReportsItsMedian() {
    var hooks = new AtomicInteger();
    String line = guests.compute(Path.of("guests/compute/sort.wasm"), hooks::incrementAndGet);
    assertThat(hooks).hasValue(1);
    assertThat(line).matches("compute sort median_ns=[0-9]+ checksum=[0-9]+");
  }

  @Test
  void theJitCountsAsBusyWhileHotSpotListsACompile() {
    String idle =
        """
        Current compiles:\s

        C1 compile queue:
        Empty

        C2 compile queue:
        Empty
        """;
    String compiling =
        """
        Current compiles:\s
        C2 CompilerThread0   3291       4       com.dylibso.chicory.wasm.Parser::parseCodeSection (1116 bytes)

        C1 compile queue:
        Empty

        C2 compile queue:
        Empty
        """;
    String queued =
        """
        Current compiles:\s

        C1 compile queue:
        Empty

        C2 compile queue:
           3347 %     4       com.dylibso.chicory.$gen.CompiledMachineFuncGroup_0::func_8 @ 392 (667 bytes)
        """;
    assertThat(Compute.busy(idle)).isFalse();
    assertThat(Compute.busy(compiling)).isTrue();
    assertThat(Compute.busy(queued)).isTrue();
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
