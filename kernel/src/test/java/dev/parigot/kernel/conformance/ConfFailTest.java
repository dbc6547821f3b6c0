package dev.parigot.kernel.conformance;

import static dev.parigot.abi.Errno.BAD_ARGUMENT;
import static dev.parigot.abi.Errno.BAD_HANDLE;
import static dev.parigot.abi.Errno.MESSAGE_TOO_BIG;
import static dev.parigot.kernel.conformance.Conf.SVC;
import static org.assertj.core.api.Assertions.assertThat;

import dev.parigot.abi.EventKind;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** docs/abi.md, "reply" and "fail": how a server answers, and what it may not do. */
class ConfFailTest {
  @TempDir Path dir;

  @Test
  void anApplicationErrorReachesTheCallerAsErrorWithItsCodeAndMessage() throws Exception {
    try (var app =
        Conf.app(dir)
            .program("server", "e " + SVC, "w 1 4096 -1", "f $1 42 4", "f $1 42 4")
            .exports(SVC)
            .and()
            .program("caller", "l " + SVC, "c $0 1 0 0", "d")
            .requires(SVC)
            .launch()) {
      var caller = app.guest("caller");
      caller.result(0);
      int channel = caller.result(1);
      var error = caller.drained(2).getFirst();
      Conf.assertEvent(error, EventKind.ERROR, channel, 42);
      assertThat(error.payload()).isEqualTo("abcd");

      var server = app.guest("server");
      server.result(0);
      server.result(1);
      server.event(1);
      assertThat(server.result(2)).isZero();
      assertThat(server.result(3)).as("fail releases the id").isEqualTo(BAD_HANDLE.negative());
    }
  }

  @Test
  void badCodesBadFlagsAndUnknownIdsAreRefusedAndLeaveTheCallOpen() throws Exception {
    try (var app =
        Conf.app(dir)
            .program(
                "server",
                "e " + SVC,
                "w 1 4096 -1",
                "f $1 0 4",
                "f $1 -3 4",
                "r $1 2 0",
                "r $1 -1 0",
                "r 99999 1 0",
                "f 99999 7 0",
                "r $0 1 0",
                "f $0 7 0",
                "r $1 1 3")
            .exports(SVC)
            .and()
            .program("caller", "l " + SVC, "c $0 1 0 0", "d")
            .requires(SVC)
            .launch()) {
      var server = app.guest("server");
      server.result(0);
      server.result(1);
      server.event(1);
      assertThat(server.result(2)).as("fail with code 0").isEqualTo(BAD_ARGUMENT.negative());
      assertThat(server.result(3)).as("fail with code < 0").isEqualTo(BAD_ARGUMENT.negative());
      assertThat(server.result(4)).as("reply flags 2").isEqualTo(BAD_ARGUMENT.negative());
      assertThat(server.result(5)).as("reply flags -1").isEqualTo(BAD_ARGUMENT.negative());
      assertThat(server.result(6)).as("reply, unknown id").isEqualTo(BAD_HANDLE.negative());
      assertThat(server.result(7)).as("fail, unknown id").isEqualTo(BAD_HANDLE.negative());
      assertThat(server.result(8)).as("reply on an export").isEqualTo(BAD_HANDLE.negative());
      assertThat(server.result(9)).as("fail on an export").isEqualTo(BAD_HANDLE.negative());
      assertThat(server.result(10)).isZero();

      var caller = app.guest("caller");
      caller.result(0);
      caller.result(1);
      var events = caller.drained(2);
      assertThat(events).hasSize(1);
      assertThat(events.getFirst().kind()).isEqualTo(EventKind.END.value());
      assertThat(events.getFirst().payload()).isEqualTo("abc");
    }
  }

  @Test
  void aReplyLargerThanTheServersMaxMessageBytesIsMessageTooBigAndTheCallStaysOpen()
      throws Exception {
    try (var app =
        Conf.app(dir)
            .program("server", "e " + SVC, "w 1 4096 -1", "r $1 0 65", "f $1 9 65", "r $1 1 64")
            .exports(SVC)
            .limits("max_message_bytes = 64")
            .and()
            .program("caller", "l " + SVC, "c $0 1 0 0", "d")
            .requires(SVC)
            .launch()) {
      var server = app.guest("server");
      server.result(0);
      server.result(1);
      server.event(1);
      assertThat(server.result(2)).isEqualTo(MESSAGE_TOO_BIG.negative());
      assertThat(server.result(3)).isEqualTo(MESSAGE_TOO_BIG.negative());
      assertThat(server.result(4)).isZero();

      var caller = app.guest("caller");
      caller.result(0);
      caller.result(1);
      var events = caller.drained(2);
      assertThat(events).hasSize(1);
      assertThat(events.getFirst().kind()).isEqualTo(EventKind.END.value());
      assertThat(events.getFirst().payload()).isEqualTo(Conf.data(64));
    }
  }
}
