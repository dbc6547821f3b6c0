package dev.parigot.sdk.c;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parigot.host.AppHost;
import dev.parigot.host.RunningApp;
import dev.parigot.kernel.Manifest;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The C SDK runtime (sdk/c/src/parigot.c), specified by running C guests as {@code parigot run}
 * does, through the app host.
 *
 * <p>guests/rt_client.c runs one scenario, named by its argument, against guests/rt_server.c (as
 * the programs "probe" and "relay") and prints what it observes; each test here states what it must
 * observe. Lines are "program: text", with worker programs named "client/ENTRY".
 */
class RuntimeTest {
  private static final Path GUESTS = Path.of("guests");

  @TempDir Path data;

  @Test
  void futuresCompleteInTheOrderTheirRepliesArriveAndAwaitReturnsOnceItsOwnIsDone()
      throws Exception {
    List<String> out = run("order");
    // The probe answers the three held calls newest first, from a later call's handler.
    assertThat(out)
        .containsSubsequence(
            "client: done c: ok c",
            "client: done b: ok b",
            "client: done a: ok a",
            "client: await a: ok",
            "client: await_all: ok",
            "client: release: released 3",
            "client: end of order");
  }

  @Test
  void awaitAllWaitsForEveryFutureAndReturnsTheFirstFailureInArrayOrder() throws Exception {
    assertThat(run("all"))
        .containsSubsequence(
            "client: await_all: application error 42",
            "client: future 0: ok x",
            "client: future 1: application error 42 no luck",
            "client: future 2: ok y");
  }

  @Test
  void awaitAnyReturnsTheFirstDoneAndCancelReachesTheProvider() throws Exception {
    List<String> out = run("any");
    assertThat(out)
        .containsSubsequence(
            "client: await_any: index 1 ok fast",
            "client: hang pending: yes",
            "client: done hang: cancelled ",
            "client: cancel: ok",
            "client: cancel again: bad handle",
            "client: provider saw: cancelled");
    assertThat(out).contains("probe: hang cancelled: cancelled");
  }

  @Test
  void freeingAPendingFutureCancelsItsCallAtTheProvider() throws Exception {
    List<String> out = run("free");
    assertThat(out).contains("probe: hang cancelled: cancelled", "client: provider saw: cancelled");
  }

  @Test
  void aTimeoutFailsTheFutureAndRunsTheProvidersCancelCallback() throws Exception {
    List<String> out = run("timeout");
    assertThat(out).contains("client: hang: timed out", "client: provider saw: timed out");
    assertThat(out).contains("probe: hang cancelled: timed out");
  }

  @Test
  void theWaitBufferGrowsForAOneMebibytePayloadAndNothingIsTruncated() throws Exception {
    assertThat(run("big")).contains("client: big: ok, 1048576 bytes, 0 wrong");
  }

  @Test
  void partialResultsGoToTheCallbackInOrderOrAreKeptOnTheFuture() throws Exception {
    assertThat(run("stream"))
        .containsSubsequence(
            "client: partial: part 1",
            "client: partial: part 2",
            "client: partial: part 3",
            "client: streamed: ok end, 0 kept",
            "client: kept: ok end",
            "client: kept 0: part 1",
            "client: kept 1: part 2");
  }

  @Test
  void errorsFoundBeforeSendingCompleteTheFutureAtOnce() throws Exception {
    assertThat(run("sync"))
        .containsSubsequence(
            "client: bad service: bad handle",
            "client: bad method: bad argument",
            "client: cancel done: bad handle",
            "client: failed: malformed message",
            "client: locate secret: not permitted",
            "client: locate bad name: bad argument",
            "client: run_once idle: 0",
            "client: strerror: application error 7; provider died; out of memory");
  }

  @Test
  void aServerThatAnswersWronglyGetsCleanErrorsAndKeepsServing() throws Exception {
    List<String> out = run("misuse");
    // A handler that returns without answering: the caller's deadline ends the call.
    assertThat(out)
        .containsSubsequence(
            "client: silent: timed out",
            "client: twice: ok first",
            "client: fail: application error 42 no luck",
            "client: echo: ok still serving");
    assertThat(out)
        .containsSubsequence(
            "probe: second end: bad handle",
            "probe: partial after end: bad handle",
            "probe: fail after end: bad handle",
            "probe: fail with code 0: bad argument");
  }

  @Test
  void aHandlerCanAwaitItsOwnCallAndItsRequestSurvivesTheNestedWait() throws Exception {
    assertThat(run("relay")).contains("client: relay: ok relayed: ping (request still hi)");
  }

  @Test
  void workersGetTheirArgumentAndMessagesInOrderAndTheirExitIsReported() throws Exception {
    List<String> out = run("workers");
    assertThat(out)
        .containsSubsequence(
            "client: spawn nope: no such service",
            "client: spawn echo: ok",
            "client: send one: ok",
            "client: send two: ok",
            "client: spawn exiter: ok",
            "client: spawn doomed: ok",
            "client: stop doomed: ok",
            "client: stop doomed again: bad handle");
    // Messages are delivered in the order sent, even those sent before the worker set its
    // callback. Each echo is awaited inside the worker's message callback, which dispatches the
    // next message meanwhile: the answers may come back in either order, and each message
    // outlives the nested wait.
    assertThat(out)
        .containsSubsequence(
            "client/rt_echo_worker: worker got: one", "client/rt_echo_worker: worker got: two");
    assertThat(out)
        .contains(
            "client: parent got from echo: ok via probe: echo of one (msg still one)",
            "client: parent got from echo: ok via probe: echo of two (msg still two)");
    assertThat(out)
        .containsSubsequence(
            "client: parent got from echo: ok via probe: echo of one (msg still one)",
            "client: echo exited: 0");
    assertThat(out)
        .containsSubsequence("client: parent got from exiter: bye", "client: exiter exited: 3");
    assertThat(out).contains("client: run: ok", "client: end of workers");
    assertThat(out).noneMatch(l -> l.contains("doomed exited") || l.contains("from doomed"));
  }

  /** Runs one scenario of rt_client with the probe and the relay; returns every output line. */
  private List<String> run(String scenario) throws Exception {
    String toml =
        """
        app = "rt"
        data_dir = '%s'

        [program.probe]
        wasm = "rt_server.wasm"
        role = "service"
        exports = ["rt.v1.Probe"]
        args = ["probe"]

        [program.relay]
        wasm = "rt_server.wasm"
        role = "service"
        exports = ["rt.v1.Relay"]
        requires = ["rt.v1.Probe"]
        args = ["relay"]

        [program.client]
        wasm = "rt_client.wasm"
        role = "main"
        requires = ["rt.v1.Probe", "rt.v1.Relay"]
        args = ["%s"]
        """
            .formatted(data, scenario);
    List<String> lines = new CopyOnWriteArrayList<>();
    AppHost host =
        AppHost.builder(Manifest.parse(toml, GUESTS.resolve("app.toml")))
            .output((process, stderr, line) -> lines.add(program(process) + ": " + line))
            .build();
    try (RunningApp app = host.start()) {
      assertThat(app.awaitMains(Duration.ofSeconds(60)))
          .as("exit code; output %s", lines)
          .contains(0);
    }
    return List.copyOf(lines);
  }

  /** "client/rt_echo_worker[7]" -> "client/rt_echo_worker". */
  private static String program(String process) {
    int bracket = process.indexOf('[');
    return bracket < 0 ? process : process.substring(0, bracket);
  }
}
