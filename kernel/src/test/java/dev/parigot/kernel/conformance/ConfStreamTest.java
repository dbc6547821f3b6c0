package dev.parigot.kernel.conformance;

import static dev.parigot.abi.Errno.BAD_HANDLE;
import static dev.parigot.kernel.conformance.Conf.SVC;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import dev.parigot.abi.EventKind;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** docs/abi.md, "A channel's life" and "An incoming call's life", between two processes. */
class ConfStreamTest {
  @TempDir Path dir;

  private Conf.Running streaming() throws Exception {
    return Conf.app(dir)
        .program(
            "server",
            "e " + SVC,
            "w 1 4096 -1",
            "r $1 0 3",
            "r $1 0 5",
            "r $1 0 7",
            "r $1 1 2",
            "r $1 1 0",
            "r $1 0 1",
            "f $1 7 0")
        .exports(SVC)
        .and()
        .program("caller", "l " + SVC, "c $0 9 4 0", "d", "x $1")
        .requires(SVC)
        .launch();
  }

  @Test
  void aCallArrivesAsACallEventWithAFreshIdTheMethodTheExportHandleAndTheRequest()
      throws Exception {
    try (var app = streaming()) {
      var server = app.guest("server");
      int export = server.result(0);
      assertThat(server.result(1)).isPositive();
      var call = server.event(1);
      assertThat(call.kind()).isEqualTo(EventKind.CALL.value());
      assertThat(call.handle()).isPositive().isNotEqualTo(export);
      assertThat(call.code()).as("method").isEqualTo(9);
      assertThat(call.service()).isEqualTo(export);
      assertThat(call.payload()).isEqualTo("abcd");
      assertThat(call.payloadOffset()).isZero();
      assertThat(call.payloadLen()).isEqualTo(4);
      assertThat(call.reserved()).isZero();
    }
  }

  @Test
  void partialResultsThenTheEndArriveInOrderWithTheirPayloads() throws Exception {
    try (var app = streaming()) {
      var caller = app.guest("caller");
      assertThat(caller.result(0)).isPositive();
      int channel = caller.result(1);
      assertThat(caller.drained(2))
          .extracting(Conf.Ev::kind, Conf.Ev::handle, Conf.Ev::code, Conf.Ev::payload)
          .containsExactly(
              tuple(EventKind.PARTIAL.value(), channel, 0, "abc"),
              tuple(EventKind.PARTIAL.value(), channel, 0, "abcde"),
              tuple(EventKind.PARTIAL.value(), channel, 0, "abcdefg"),
              tuple(EventKind.END.value(), channel, 0, "ab"));
    }
  }

  @Test
  void readingTheEndReleasesTheChannelSoCancellingItIsABadHandle() throws Exception {
    try (var app = streaming()) {
      var caller = app.guest("caller");
      caller.result(0);
      caller.result(1);
      caller.drained(2);
      assertThat(caller.result(3)).isEqualTo(BAD_HANDLE.negative());
    }
  }

  @Test
  void theEndReleasesTheCallIdSoLaterRepliesAndFailsAreBadHandles() throws Exception {
    try (var app = streaming()) {
      var server = app.guest("server");
      server.result(0);
      server.result(1);
      server.event(1);
      for (int cmd = 2; cmd <= 5; cmd++) {
        assertThat(server.result(cmd)).as("command %d", cmd).isZero();
      }
      assertThat(server.result(6)).as("a second END").isEqualTo(BAD_HANDLE.negative());
      assertThat(server.result(7)).as("a PARTIAL after END").isEqualTo(BAD_HANDLE.negative());
      assertThat(server.result(8)).as("fail after END").isEqualTo(BAD_HANDLE.negative());
    }
  }
}
