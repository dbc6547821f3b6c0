package dev.parigot.sdk.c;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parigot.host.AppHost;
import dev.parigot.host.RunningApp;
import dev.parigot.kernel.Manifest;
import dev.parigot.services.KernelServices;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The runtime's timers (pg_sleep, pg_timer, pg_now on parigot.clock.v1.Clock) and pg_log on
 * parigot.log.v1.Log, specified by running guests/rt_time.c as {@code parigot run} does, through
 * the app host (with the kernel services). Timing is asserted only as lower bounds, measured by the
 * guest on the kernel's monotonic clock.
 */
class TimeAndLogTest {
  private static final Path GUESTS = Path.of("guests");
  private static final String CLOCK = "parigot.clock.v1.Clock";
  private static final String LOG = "parigot.log.v1.Log";

  @TempDir Path data;

  /** Lines the process wrote: "out: ..." from stdout, "err: ..." from stderr. */
  private final List<String> lines = new CopyOnWriteArrayList<>();

  @Test
  void aSleepEndsNotBeforeItsDurationAndShorterSleepsEndFirst() throws Exception {
    run("sleep", CLOCK);
    assertThat(lines)
        .containsSubsequence(
            "out: sleep: ok",
            "out: sleep result: ok",
            "out: ended 200 ms or more after the start: yes",
            "out: awaited 200 ms or more: yes",
            "out: await_all: ok",
            "out: order: short long ",
            "out: cancel: ok",
            "out: cancelled sleep: cancelled",
            "out: sleep after free: ok",
            "out: negative sleep: application error 3",
            "out: end of sleep");
  }

  @Test
  void aTimerTicksInOrderUntilCancelledOrCountedAndNothingFollowsACancel() throws Exception {
    run("timer", CLOCK);
    assertThat(lines)
        .containsSubsequence(
            "out: endless tick 1 (seq in order)",
            "out: endless tick 2 (seq in order)",
            "out: endless tick 3 (seq in order)",
            "out: cancel in tick: ok",
            "out: endless timer: cancelled",
            "out: third tick 60 ms or more after the start: yes",
            "out: ticks after cancel: 0",
            "out: counted tick 1 (seq in order)",
            "out: counted tick 2 (seq in order)",
            "out: counted timer: ok, 2 ticks",
            "out: ticks of a freed timer: 0",
            "out: end of timer");
    assertThat(lines).noneMatch(l -> l.contains("endless tick 4") || l.contains("back in time"));
  }

  @Test
  void withoutTheClockGrantTimersFailWithNotPermittedAndLogsGoToStderr() throws Exception {
    run("nogrant");
    assertThat(lines)
        .containsSubsequence(
            "out: sleep: not permitted",
            "out: timer: not permitted",
            "out: now: not permitted",
            "out: to service: not permitted",
            "out: end of nogrant");
    assertThat(lines).contains("err: warn: to stderr 7");
    assertThat(logs()).isEmpty();
  }

  @Test
  void withTheLogGrantRecordsReachTheLogService() throws Exception {
    run("log", LOG);
    assertThat(lines).contains("out: to service: ok");
    List<String> records = logs();
    assertThat(records).hasSize(3);
    assertThat(records.get(0)).matches(".* main\\[\\d+\\] INFO hello, log service 42");
    assertThat(records.get(1)).matches(".* main\\[\\d+\\] DEBUG a detail");
    assertThat(records.get(2)).matches(".* main\\[\\d+\\] WARN last words");
    // Not written to stderr by the runtime: the service shows INFO and above itself.
    assertThat(lines)
        .noneMatch(l -> l.startsWith("err: info:") || l.contains("below the threshold"));
    assertThat(lines).contains("out: INFO hello, log service 42", "err: WARN last words");
    // An empty message is not a record the service takes: it goes to stderr.
    assertThat(lines).contains("err: error: ");
  }

  /** Runs rt_time with one scenario as the app "rt" whose main requires the given names. */
  private void run(String scenario, String... requires) throws Exception {
    String toml =
        """
        app = "rt"
        data_dir = '%s'

        [program.main]
        wasm = "rt_time.wasm"
        role = "main"
        requires = [%s]
        args = ["%s"]
        """
            .formatted(
                data,
                String.join(", ", List.of(requires).stream().map(r -> '"' + r + '"').toList()),
                scenario);
    AppHost host =
        AppHost.builder(Manifest.parse(toml, GUESTS.resolve("app.toml")))
            .output((process, stderr, line) -> lines.add((stderr ? "err: " : "out: ") + line))
            .build();
    try (RunningApp app = host.start()) {
      assertThat(app.awaitMains(Duration.ofSeconds(60)))
          .as("exit code; output %s", lines)
          .contains(0);
    }
  }

  /** Every record the log service stored for the app, formatted as `parigot logs` shows them. */
  private List<String> logs() {
    List<String> out = new ArrayList<>();
    KernelServices.readLogs(data, "rt", 0, "debug", out::add);
    return out;
  }
}
