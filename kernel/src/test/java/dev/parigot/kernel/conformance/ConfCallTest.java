package dev.parigot.kernel.conformance;

import static dev.parigot.abi.Errno.BAD_ARGUMENT;
import static dev.parigot.abi.Errno.BAD_HANDLE;
import static dev.parigot.abi.Errno.MESSAGE_TOO_BIG;
import static dev.parigot.abi.Errno.WOULD_EXCEED_LIMIT;
import static dev.parigot.kernel.conformance.Conf.SVC;
import static org.assertj.core.api.Assertions.assertThat;

import dev.parigot.abi.EventKind;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** docs/abi.md, "call": what call refuses at once, before anything reaches a provider. */
class ConfCallTest {
  @TempDir Path dir;

  @Test
  void aHandleThatIsNotALocatedServiceIsABadHandle() throws Exception {
    try (var app =
        Conf.app(dir)
            .program(
                "main",
                "l " + Hold.NAME,
                "c 0 1 0 0",
                "c $0 1 0 0",
                "c $2 1 0 0",
                "c 12345 1 0 0",
                "c -7 1 0 0")
            .and()
            .program("server", "e " + SVC, "c $0 1 0 0")
            .exports(SVC)
            .launch()) {
      var main = app.guest("main");
      assertThat(main.result(0)).isPositive();
      assertThat(main.result(1)).as("handle 0").isEqualTo(BAD_HANDLE.negative());
      assertThat(main.result(2)).as("a service handle").isPositive();
      assertThat(main.result(3)).as("a channel handle").isEqualTo(BAD_HANDLE.negative());
      assertThat(main.result(4)).as("a number never handed out").isEqualTo(BAD_HANDLE.negative());
      assertThat(main.result(5)).as("a negative number").isEqualTo(BAD_HANDLE.negative());
      var server = app.guest("server");
      assertThat(server.result(0)).isPositive();
      assertThat(server.result(1)).as("an export handle").isEqualTo(BAD_HANDLE.negative());
    }
  }

  @Test
  void aNegativeMethodOrATimeoutBelowMinusOneIsABadArgument() throws Exception {
    try (var app =
        Conf.app(dir)
            .program(
                "main",
                "l " + Hold.NAME,
                "c $0 -1 0 0",
                "c $0 1 0 -2",
                "c $0 1 0 -9223372036854775807",
                "c $0 2147483647 0 -1")
            .launch()) {
      var main = app.guest("main");
      assertThat(main.result(0)).isPositive();
      assertThat(main.result(1)).isEqualTo(BAD_ARGUMENT.negative());
      assertThat(main.result(2)).isEqualTo(BAD_ARGUMENT.negative());
      assertThat(main.result(3)).isEqualTo(BAD_ARGUMENT.negative());
      assertThat(main.result(4)).isPositive();
      assertThat(app.hold.next().method()).isEqualTo(Integer.MAX_VALUE);
    }
  }

  @Test
  void aRequestLargerThanTheCallersMaxMessageBytesIsMessageTooBig() throws Exception {
    try (var app =
        Conf.app(dir)
            .program("main", "l " + Hold.NAME, "c $0 1 65 0", "c $0 1 64 0")
            .limits("max_message_bytes = 64")
            .launch()) {
      var main = app.guest("main");
      assertThat(main.result(0)).isPositive();
      assertThat(main.result(1)).isEqualTo(MESSAGE_TOO_BIG.negative());
      assertThat(main.result(2)).isPositive();
      assertThat(new String(app.hold.next().request())).isEqualTo(Conf.data(64));
    }
  }

  @Test
  void aRequestLargerThanTheProvidersMaxMessageBytesFailsTheChannel() throws Exception {
    try (var app =
        Conf.app(dir)
            .program("server", "e " + SVC)
            .exports(SVC)
            .limits("max_message_bytes = 64")
            .and()
            .program("main", "l " + SVC, "c $0 1 65 0", "d")
            .requires(SVC)
            .launch()) {
      var main = app.guest("main");
      assertThat(main.result(0)).isPositive();
      int channel = main.result(1);
      assertThat(channel).isPositive();
      var error = main.event(2);
      Conf.assertEvent(error, EventKind.ERROR, channel, MESSAGE_TOO_BIG.negative());
    }
  }

  @Test
  void maxInflightOpenChannelsAreWouldExceedLimitUntilAnEndIsRead() throws Exception {
    // Reports are calls too, so the script reports the refused call only once a slot is free.
    try (var app =
        Conf.app(dir)
            .program(
                "main",
                "l " + Hold.NAME,
                "C $0 1 0 0",
                "C $0 1 0 0",
                "C $0 1 0 0",
                "d",
                "C $0 1 0 0",
                "x $5",
                "v $3",
                "v $5")
            .limits("max_inflight = 2")
            .launch()) {
      var main = app.guest("main");
      assertThat(main.result(0)).isPositive();
      var first = app.hold.next();
      app.hold.next();
      first.end("done");

      var end = main.event(4);
      assertThat(end.kind()).isEqualTo(EventKind.END.value());
      assertThat(main.result(4)).isEqualTo(1);
      assertThat(main.result(6)).isZero();
      assertThat(main.result(7)).as("the third call").isEqualTo(WOULD_EXCEED_LIMIT.negative());
      assertThat(main.result(8)).as("a call after the END was read").isPositive();
      app.hold.next();
    }
  }
}
