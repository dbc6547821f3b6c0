package dev.parigot.kernel.conformance;

import static dev.parigot.abi.Errno.BAD_HANDLE;
import static dev.parigot.abi.Errno.CANCELLED;
import static dev.parigot.kernel.conformance.Conf.SVC;
import static org.assertj.core.api.Assertions.assertThat;

import dev.parigot.abi.EventKind;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** docs/abi.md, "cancel" on a channel. */
class ConfCancelTest {
  @TempDir Path dir;

  @Test
  void aCancelledCallReachesTheServerAsCancelCancelled() throws Exception {
    try (var app =
        Conf.app(dir)
            .program("server", "e " + SVC, "w 1 4096 -1", "w 1 4096 -1", "r $1 1 0")
            .exports(SVC)
            .and()
            .program("caller", "l " + SVC, "c $0 1 0 0", "g " + Gate.NAME, "x $1")
            .requires(SVC)
            .launch()) {
      var server = app.guest("server");
      server.result(0);
      server.result(1);
      int id = server.event(1).handle();
      app.gate.pass(1);

      var caller = app.guest("caller");
      caller.result(0);
      caller.result(1);
      caller.result(2);
      assertThat(caller.result(3)).isZero();
      assertThat(server.result(2)).isEqualTo(1);
      var cancel = server.event(2);
      Conf.assertEvent(cancel, EventKind.CANCEL, id, CANCELLED.negative());
      assertThat(cancel.payloadLen()).isZero();
      assertThat(server.result(3)).as("the id is released").isEqualTo(BAD_HANDLE.negative());
    }
  }

  @Test
  void afterCancelNoEventArrivesForTheChannelNotEvenOnesAlreadyQueued() throws Exception {
    try (var app =
        Conf.app(dir)
            .program(
                "caller", "l " + Hold.NAME, "c $0 1 0 0", "g " + Gate.NAME, "x $1", "w 16 4096 0")
            .launch()) {
      var call = app.hold.next();
      assertThat(call.partial("queued")).isTrue();
      assertThat(call.end("queued too")).isTrue();
      app.gate.pass(1);

      var caller = app.guest("caller");
      caller.result(0);
      caller.result(1);
      caller.result(2);
      assertThat(caller.result(3)).isZero();
      assertThat(caller.result(4)).as("events after cancel").isZero();
      assertThat(call.cancelled()).as("the call had ended: nothing to cancel").isNotDone();
    }
  }

  @Test
  void cancellingAChannelTwiceIsABadHandle() throws Exception {
    try (var app =
        Conf.app(dir).program("caller", "l " + Hold.NAME, "c $0 1 0 0", "x $1", "x $1").launch()) {
      var caller = app.guest("caller");
      caller.result(0);
      caller.result(1);
      assertThat(caller.result(2)).isZero();
      assertThat(caller.result(3)).isEqualTo(BAD_HANDLE.negative());
      assertThat(app.hold.next().cancellation()).isEqualTo(dev.parigot.abi.Errno.CANCELLED);
    }
  }

  @Test
  void cancellingWhatIsNotAChannelIsABadHandle() throws Exception {
    try (var app =
        Conf.app(dir)
            .program("server", "e " + SVC, "x $0", "x 0", "x 4242", "l " + Hold.NAME, "x $4")
            .exports(SVC)
            .launch()) {
      var server = app.guest("server");
      server.result(0);
      assertThat(server.result(1)).as("an export").isEqualTo(BAD_HANDLE.negative());
      assertThat(server.result(2)).isEqualTo(BAD_HANDLE.negative());
      assertThat(server.result(3)).isEqualTo(BAD_HANDLE.negative());
      server.result(4);
      assertThat(server.result(5)).as("a located service").isEqualTo(BAD_HANDLE.negative());
    }
  }

  @Test
  void aCallCancelledBeforeTheServerReadItIsNeverDelivered() throws Exception {
    try (var app =
        Conf.app(dir)
            .program("server", "e " + SVC, "g " + Gate.NAME, "w 16 4096 0", "w 1 4096 -1")
            .exports(SVC)
            .and()
            .program("caller", "l " + SVC, "c $0 1 0 0", "x $1")
            .requires(SVC)
            .launch()) {
      app.gate.awaitArrivals(1);
      var caller = app.guest("caller");
      caller.result(0);
      caller.result(1);
      assertThat(caller.result(2)).isZero();

      app.gate.pass(1);
      var server = app.guest("server");
      server.result(0);
      server.result(1);
      assertThat(server.result(2)).as("neither the CALL nor a CANCEL").isZero();

      // A call made now is delivered: the server was listening all along.
      app.call(SVC, 2, "later");
      assertThat(server.result(3)).isEqualTo(1);
      var call = server.event(3);
      assertThat(call.kind()).isEqualTo(EventKind.CALL.value());
      assertThat(call.code()).isEqualTo(2);
      assertThat(call.payload()).isEqualTo("later");
    }
  }
}
