package dev.parigot.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parigot.abi.Errno;
import dev.parigot.kernel.Provider;
import io.nats.client.Message;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The deadline header: what is left of the caller's deadline travels with a call, reaches the
 * provider on the other node, and is enforced there too, so a provider stops even when its caller's
 * cancel never comes. Node b is played by the test, serving a Java provider ({@link
 * JavaProviderNode}).
 */
class DeadlineOverNatsTest {
  private static final String APP = "late";
  private static final String PROBE = "parigot.test.v1.Probe";

  @TempDir Path dir;

  @Test
  void aProviderOnAnotherNodeSeesAboutWhatIsLeftOfItsGuestCallersDeadline() throws Exception {
    try (var nats = NatsServer.start(dir.resolve("nats"))) {
      Apps.guest(dir, "echo");
      Apps.guest(dir, "conf-script");
      var manifest =
          Apps.manifest(
              dir,
              """
              app = "%s"
              [cluster]
              servers = ["%s"]
              nodes = ["a", "b"]
              heartbeat_ms = 500
              # Never launched: node b is the test's, which serves the name from Java.
              [program.holder]
              wasm = "echo.wasm"
              role = "service"
              node = "b"
              exports = ["%s"]
              [program.main]
              wasm = "conf-script.wasm"
              role = "main"
              node = "a"
              requires = ["%s", "%s"]
              args = ["1", "l %s", "c $0 1 8 30000", "c $0 2 8 0"]
              """
                  .formatted(
                      APP,
                      nats.url(),
                      JavaProviderNode.NAME,
                      PROBE,
                      JavaProviderNode.NAME,
                      JavaProviderNode.NAME));
      // The guest's reports: taken and dropped, as this test reads the provider's side.
      Provider probe =
          (caller, method, request, replies) -> {
            replies.end(new byte[0]);
            return reason -> {};
          };
      try (var b = JavaProviderNode.start(nats.url(), APP, "b", Duration.ofMillis(500));
          var a =
              ClusterNode.start(
                  manifest, "a", Apps.QUIET, Optional.empty(), Map.of(PROBE, probe), false)) {
        var timed = b.next();
        assertThat(timed.method()).isEqualTo(1);
        assertThat(timed.caller().program()).isEqualTo("main");
        // Less than the 30 s the guest gave, by the time the call took to get here; generously so.
        assertThat(timed.replies().timeLeft())
            .hasValueSatisfying(left ->
                assertThat(left)
                    .isLessThanOrEqualTo(Duration.ofSeconds(30))
                    .isGreaterThan(Duration.ofSeconds(10)));

        var untimed = b.next();
        assertThat(untimed.method()).isEqualTo(2);
        assertThat(untimed.replies().timeLeft()).as("timeout 0: no deadline").isEmpty();
        timed.replies().end(new byte[0]);
        untimed.replies().end(new byte[0]);
      }
    }
  }

  @Test
  void aProviderNodeStopsACallWhoseDeadlinePassedThoughItsCallerIsGoneOrSilent() throws Exception {
    try (var nats = NatsServer.start(dir.resolve("nats"));
        // Heartbeats of 2 s: a caller is taken for gone after 6 s of silence, long after the
        // 300 ms deadline; so only the deadline can end these calls with TIMED_OUT.
        var b = JavaProviderNode.start(nats.url(), APP, "b", Duration.ofSeconds(2));
        var silent = new RawCaller(nats.url(), "silent")) {
      var gone = new RawCaller(nats.url(), "gone");
      gone.call(APP, JavaProviderNode.NAME, 1, timeout(RawCaller.fields("gone/1"), "300"));
      var first = b.next();
      assertThat(first.replies().timeLeft()).isPresent();
      gone.close();
      assertThat(first.cancellation()).isEqualTo(Errno.TIMED_OUT);
      assertThat(first.replies().timeLeft()).contains(Duration.ZERO);
      assertThat(first.replies().end(new byte[0])).as("an answer after the deadline").isFalse();

      silent.call(APP, JavaProviderNode.NAME, 2, timeout(RawCaller.fields("silent/1"), "300"));
      var second = b.next();
      Message fail = silent.next();
      assertThat(Fields.of(fail).kind()).isEqualTo(Wire.FAIL);
      assertThat(Fields.of(fail).text(Wire.CODE)).isEqualTo(codeOf(Errno.TIMED_OUT));
      assertThat(second.cancellation()).isEqualTo(Errno.TIMED_OUT);
    }
  }

  @Test
  void aCallWhoseDeadlinePassedBeforeItArrivedWholeIsNotStarted() throws Exception {
    try (var nats = NatsServer.start(dir.resolve("nats"));
        var b = JavaProviderNode.start(nats.url(), APP, "b", Duration.ofMillis(500));
        var caller = new RawCaller(nats.url(), "main")) {
      caller.call(APP, JavaProviderNode.NAME, 1, timeout(RawCaller.fields("main/1"), "0"));
      Message fail = caller.next();
      assertThat(Fields.of(fail).kind()).isEqualTo(Wire.FAIL);
      assertThat(Fields.of(fail).text(Wire.CODE)).isEqualTo(codeOf(Errno.TIMED_OUT));

      // A request cut in two whose second half comes after the deadline: accepted, stopped at the
      // deadline, and the late half starts nothing.
      var cut = timeout(RawCaller.fields("main/1"), "200");
      cut.put(Wire.CHUNKS, "2");
      caller.call(APP, JavaProviderNode.NAME, 2, cut);
      Message accept = caller.next();
      assertThat(Fields.of(accept).kind()).isEqualTo(Wire.ACCEPT);
      Message stopped = caller.next();
      assertThat(Fields.of(stopped).kind()).isEqualTo(Wire.FAIL);
      assertThat(Fields.of(stopped).text(Wire.CODE)).isEqualTo(codeOf(Errno.TIMED_OUT));
      caller.control(Fields.of(accept).text(Wire.CONTROL), Wire.REST, new byte[] {4, 5});

      // Calls are taken in order: the next the provider sees is this one, not a late one.
      caller.call(APP, JavaProviderNode.NAME, 7, timeout(RawCaller.fields("main/1"), "60000"));
      assertThat(b.next().method()).isEqualTo(7);
    }
  }

  @Test
  void aTimeoutHeaderThatIsNotMillisecondsWithinAYearIsABadArgument() throws Exception {
    try (var nats = NatsServer.start(dir.resolve("nats"));
        var b = JavaProviderNode.start(nats.url(), APP, "b", Duration.ofMillis(500));
        var caller = new RawCaller(nats.url(), "main")) {
      long year = Wire.MAX_TIMEOUT.toMillis();
      for (String bad :
          List.of(
              "-1",
              "+5",
              "1.5",
              "5ms",
              "abc",
              "",
              "0x10",
              Long.toString(year + 1),
              "99999999999999999999")) {
        caller.call(APP, JavaProviderNode.NAME, 1, timeout(RawCaller.fields("main/1"), bad));
        Message fail = caller.next();
        assertThat(Fields.of(fail).kind()).as("'%s'", bad).isEqualTo(Wire.FAIL);
        assertThat(Fields.of(fail).text(Wire.CODE))
            .as("'%s'", bad)
            .isEqualTo(codeOf(Errno.BAD_ARGUMENT));
        assertThat(new String(fail.getData(), java.nio.charset.StandardCharsets.UTF_8))
            .contains("timeout");
      }
      // The longest deadline is taken, and none of the bad ones reached the provider before it.
      caller.call(
          APP, JavaProviderNode.NAME, 7, timeout(RawCaller.fields("main/1"), Long.toString(year)));
      var call = b.next();
      assertThat(call.method()).isEqualTo(7);
      assertThat(call.replies().timeLeft())
          .hasValueSatisfying(left -> assertThat(left).isGreaterThan(Duration.ofDays(364)));
    }
  }

  private static Map<Character, String> timeout(Map<Character, String> fields, String value) {
    var h = new HashMap<>(fields);
    h.put(Wire.TIMEOUT, value);
    return h;
  }

  private static String codeOf(Errno e) {
    return Integer.toString(e.negative());
  }
}
