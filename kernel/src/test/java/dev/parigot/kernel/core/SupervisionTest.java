package dev.parigot.kernel.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parigot.abi.Errno;
import dev.parigot.kernel.App;
import dev.parigot.kernel.Manifest;
import dev.parigot.kernel.ProcessInfo;
import dev.parigot.kernel.Supervision;
import dev.parigot.kernel.core.AppCallTest.Answers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Restart policies: {@code restart}, backoff, the intensity limit, and workers with parents. */
class SupervisionTest {
  private static final String ECHO = "test.v1.Echo";
  private static final String DIED = "ERROR " + Errno.PROVIDER_DIED.negative() + " ";

  @TempDir Path dir;

  private static String app(String keys) {
    return """
    app = "sup"
    [program.echo]
    wasm = "supervised.wasm"
    role = "service"
    exports = ["test.v1.Echo"]
    %s
    """
        .formatted(keys);
  }

  private static String call(App app, int method, String request) throws InterruptedException {
    var answers = new Answers();
    app.call("test", ECHO, method, request.getBytes(StandardCharsets.UTF_8), answers);
    return answers.next();
  }

  /** The echo program's non-worker processes now. */
  private static List<ProcessInfo> servers(TestApp t) {
    return t.kernel.processes().stream()
        .filter(p -> p.program().equals("echo") && !p.worker())
        .toList();
  }

  /** The echo program's one server process now. */
  private static Process server(TestApp t) {
    return t.processes().stream()
        .filter(p -> p.program().name().equals("echo") && !p.isWorker())
        .findFirst()
        .orElseThrow();
  }

  @Test
  void theWaitBeforeARestartDoublesUpToTheMaximum() {
    var policy =
        new Supervision(
            Supervision.Restart.ALWAYS,
            Duration.ofMillis(100),
            Duration.ofMillis(1000),
            100,
            Duration.ofMinutes(1),
            Duration.ZERO);
    assertThat(
            IntStream.of(0, 1, 2, 3, 4, 99)
                .mapToObj(n -> Supervisor.backoff(policy, n).toMillis())
                .toList())
        .containsExactly(100L, 200L, 400L, 800L, 1000L, 1000L);
    var hour = Duration.ofHours(1);
    var slow = new Supervision(Supervision.Restart.ALWAYS, hour, hour, 10_000, hour, hour);
    assertThat(Supervisor.backoff(slow, 9_999)).isEqualTo(hour);
  }

  @Test
  void aServiceWithoutAPolicyStaysDeadAndNewCallsFailAtOnce() throws Exception {
    try (var t = TestApp.launch(dir, app(""), "supervised")) {
      Process first = server(t);
      assertThat(call(t.app, 4, "boom")).startsWith(DIED);
      first.exit().join();
      assertThat(call(t.app, 1, "again")).startsWith(DIED);
      assertThat(servers(t)).isEmpty();
    }
  }

  @Test
  void onFailureRestartsATrappedServiceWhoseCallersGetProviderDied() throws Exception {
    try (var t = TestApp.launch(dir, app("restart = \"on-failure\""), "supervised")) {
      Process first = server(t);
      var held = new Answers();
      t.app.call("test", ECHO, 3, new byte[0], held);
      assertThat(call(t.app, 4, "boom")).startsWith(DIED);
      assertThat(held.next()).startsWith(DIED);
      first.exit().join();
      // Made while the restart is pending or after it: either way it is served.
      assertThat(call(t.app, 1, "again")).isEqualTo("END 0 again");
      assertThat(servers(t)).singleElement().extracting(ProcessInfo::restarts).isEqualTo(1);
    }
  }

  @Test
  void onFailureLeavesAServiceThatExitedWithCodeZeroEnded() throws Exception {
    try (var t = TestApp.launch(dir, app("restart = \"on-failure\""), "supervised")) {
      Process first = server(t);
      assertThat(call(t.app, 6, "\0")).startsWith(DIED);
      first.exit().join();
      assertThat(call(t.app, 1, "again")).startsWith(DIED);
      assertThat(servers(t)).isEmpty();
    }
  }

  @Test
  void anOperatorRestartRevivesAServiceItsPolicyLeftEnded() throws Exception {
    try (var t = TestApp.launch(dir, app("restart = \"on-failure\""), "supervised")) {
      Process first = server(t);
      assertThat(call(t.app, 6, "\0")).startsWith(DIED);
      first.exit().join();
      t.app.restart("echo");
      assertThat(call(t.app, 1, "back")).isEqualTo("END 0 back");
      // Supervised again: a trap now is followed by a restart.
      Process second = server(t);
      assertThat(call(t.app, 4, "boom")).startsWith(DIED);
      second.exit().join();
      assertThat(call(t.app, 1, "again")).isEqualTo("END 0 again");
    }
  }

  @Test
  void onFailureRestartsAServiceThatExitedWithANonZeroCode() throws Exception {
    try (var t = TestApp.launch(dir, app("restart = \"on-failure\""), "supervised")) {
      Process first = server(t);
      assertThat(call(t.app, 6, "\3")).startsWith(DIED);
      first.exit().join();
      assertThat(call(t.app, 1, "again")).isEqualTo("END 0 again");
    }
  }

  @Test
  void alwaysRestartsAServiceThatExitedWithCodeZero() throws Exception {
    try (var t = TestApp.launch(dir, app("restart = \"always\""), "supervised")) {
      Process first = server(t);
      assertThat(call(t.app, 6, "\0")).startsWith(DIED);
      first.exit().join();
      assertThat(call(t.app, 1, "again")).isEqualTo("END 0 again");
      assertThat(servers(t)).singleElement().extracting(ProcessInfo::restarts).isEqualTo(1);
    }
  }

  @Test
  void anOperatorKillCountsAsAFailure() throws Exception {
    try (var t = TestApp.launch(dir, app("restart = \"on-failure\""), "supervised")) {
      Process first = server(t);
      long pid = first.pid();
      assertThat(t.kernel.kill(pid, "by the test")).isTrue();
      first.exit().join();
      assertThat(call(t.app, 1, "again")).isEqualTo("END 0 again");
      assertThat(servers(t)).singleElement().extracting(ProcessInfo::pid).isNotEqualTo(pid);
    }
  }

  @Test
  void aServiceThatCrashesOnEveryStartFailsTheAppWithAMessageNamingIt() throws Exception {
    String toml =
        """
        app = "sup"
        [program.crashy]
        wasm = "crash-start.wasm"
        role = "service"
        exports = ["test.v1.Echo"]
        restart = "always"
        restart_delay_ms = 1
        restart_max_delay_ms = 4
        max_restarts = 3
        """;
    try (var t = TestApp.launch(dir, toml, "crash-start")) {
      assertThat(t.exitCode()).isEqualTo(Exit.KILLED);
      assertThat(t.app.failure())
          .hasValueSatisfying(f ->
              assertThat(f)
                  .contains("program 'crashy' of app 'sup'")
                  .contains("restarted 3 times within 60000 ms"));
      // The first start and three restarts.
      assertThat(t.endings).filteredOn(e -> e.startsWith("crashy[")).hasSize(4);
      // Calls no longer wait for it.
      assertThat(call(t.app, 1, "late")).startsWith(DIED);
    }
  }

  @Test
  void workersFollowTheirParentAndAreNotRestartedOnTheirOwn() throws Exception {
    try (var t = TestApp.launch(dir, app("restart = \"always\""), "supervised")) {
      // The worker started before the first call was served.
      assertThat(call(t.app, 1, "up")).isEqualTo("END 0 up");
      Process worker = worker(t);

      // The parent's death takes its worker; its restarted instance spawns its own.
      assertThat(call(t.app, 4, "boom")).startsWith(DIED);
      assertThat(worker.exit().join().killReason())
          .hasValueSatisfying(r -> assertThat(r).contains("its parent"));
      assertThat(call(t.app, 1, "again")).isEqualTo("END 0 again");
      Process second = worker(t);
      assertThat(second.pid()).isNotEqualTo(worker.pid());

      // A worker that dies is not restarted, and its parent serves on.
      assertThat(t.kernel.kill(second.pid(), "by the test")).isTrue();
      second.exit().join();
      assertThat(call(t.app, 1, "still")).isEqualTo("END 0 still");
      assertThat(workers(t)).isEmpty();
      assertThat(servers(t)).singleElement().extracting(ProcessInfo::restarts).isEqualTo(1);
    }
  }

  private static Process worker(TestApp t) {
    return t.processes().stream()
        .filter(p -> p.program().name().equals("echo") && p.isWorker())
        .findFirst()
        .orElseThrow();
  }

  private static List<ProcessInfo> workers(TestApp t) {
    return t.kernel.processes().stream()
        .filter(p -> p.program().equals("echo") && p.worker())
        .toList();
  }

  @Test
  void aCallWaitsForTheRestartedInstanceWithinItsDeadline() throws Exception {
    String slow = app("restart = \"on-failure\"\nrestart_delay_ms = 3600000");
    String quick = app("restart = \"on-failure\"\nrestart_delay_ms = 200");
    // A caller in another app, started once the service is down, whose deadline is 300 ms.
    assertThat(callerExitAfterAKill(slow)).isEqualTo(Errno.TIMED_OUT.value());
    assertThat(callerExitAfterAKill(quick)).isZero();
  }

  private int callerExitAfterAKill(String service) throws Exception {
    Path own = Files.createTempDirectory(dir, "app");
    try (var t = TestApp.launch(own, service, "supervised")) {
      Process server = server(t);
      t.kernel.kill(server.pid(), "by the test");
      server.exit().join();
      Files.write(own.resolve("call-once.wasm"), TestApp.corpus("call-once"));
      Path caller = own.resolve("caller.toml");
      Files.writeString(
          caller,
          """
          app = "caller"
          [program.main]
          wasm = "call-once.wasm"
          role = "main"
          requires = ["test.v1.Echo"]
          imports = ["test.v1.Echo"]
          [program.main.limits]
          call_timeout_ms = 300
          """);
      App app = t.kernel.launch(Manifest.load(caller));
      return app.awaitMains(Duration.ofSeconds(60)).orElseThrow();
    }
  }
}
