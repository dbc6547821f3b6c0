package dev.parigot.kernel.conformance;

import static dev.parigot.abi.Errno.CANCELLED;
import static dev.parigot.abi.Errno.PROVIDER_DIED;
import static dev.parigot.kernel.conformance.Conf.SVC;
import static org.assertj.core.api.Assertions.assertThat;

import dev.parigot.abi.EventKind;
import dev.parigot.kernel.ProcessInfo;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** docs/abi.md, "Death": what the end of a process does to the calls it served and made. */
class ConfDeathTest {
  @TempDir Path dir;

  @Test
  void aServerThatTrapsWhileHoldingACallFailsItWithProviderDied() throws Exception {
    try (var app =
        Conf.app(dir)
            .program("server", "e " + SVC, "w 1 4096 -1", "t")
            .exports(SVC)
            .and()
            .program("caller", "l " + SVC, "c $0 1 0 0", "d")
            .requires(SVC)
            .launch()) {
      var caller = app.guest("caller");
      caller.result(0);
      int channel = caller.result(1);
      var error = caller.drained(2).getFirst();
      Conf.assertEvent(error, EventKind.ERROR, channel, PROVIDER_DIED.negative());
      assertThat(error.payload()).as("the message names the server").startsWith("server[");
    }
  }

  @Test
  void aCallQueuedUnreadAtAServerThatDiesFailsWithProviderDied() throws Exception {
    try (var app =
        Conf.app(dir)
            .program("server", "e " + SVC, "g " + Gate.NAME, "t")
            .exports(SVC)
            .and()
            .program("caller", "l " + SVC, "c $0 1 0 0", "d")
            .requires(SVC)
            .launch()) {
      app.gate.awaitArrivals(1);
      var caller = app.guest("caller");
      caller.result(0);
      caller.result(1);
      app.gate.pass(1);
      var error = caller.drained(2).getFirst();
      assertThat(error.kind()).isEqualTo(EventKind.ERROR.value());
      assertThat(error.code()).isEqualTo(PROVIDER_DIED.negative());
    }
  }

  @Test
  void callsToANameWhoseOnlyServerDiedFailWithProviderDied() throws Exception {
    // Each program waits for its own Hold call (method 7: server, 8: caller) to be answered.
    try (var app =
        Conf.app(dir)
            .program("server", "e " + SVC, "l " + Hold.NAME, "c $1 7 0 0", "d", "t")
            .exports(SVC)
            .and()
            .program("caller", "l " + Hold.NAME, "c $0 8 0 0", "d", "l " + SVC, "c $3 1 0 0", "d")
            .requires(SVC)
            .launch()) {
      Hold.Call serverHold = null;
      Hold.Call callerHold = null;
      for (int i = 0; i < 2; i++) {
        var c = app.hold.next();
        if (c.method() == 7) {
          serverHold = c;
        } else {
          callerHold = c;
        }
      }
      ProcessInfo server = app.process("server");
      serverHold.end("");
      assertThat(app.ending(server).killed()).isTrue();
      callerHold.end("");

      var caller = app.guest("caller");
      caller.result(0);
      caller.result(1);
      caller.drained(2);
      assertThat(caller.result(3)).as("locate does not ask the provider").isPositive();
      caller.result(4);
      var error = caller.drained(5).getFirst();
      assertThat(error.kind()).isEqualTo(EventKind.ERROR.value());
      assertThat(error.code()).isEqualTo(PROVIDER_DIED.negative());
      assertThat(app.call(SVC, 1, "java").next().code()).isEqualTo(PROVIDER_DIED.negative());
    }
  }

  @Test
  void aCallerThatDiesHasItsCallsCancelledAtTheirProvider() throws Exception {
    try (var app =
        Conf.app(dir)
            .program("server", "e " + SVC, "w 1 4096 -1", "w 1 4096 -1")
            .exports(SVC)
            .and()
            .program(
                "caller",
                "l " + SVC,
                "c $0 1 0 0",
                "l " + Hold.NAME,
                "c $2 1 0 0",
                "g " + Gate.NAME,
                "t")
            .requires(SVC)
            .launch()) {
      var server = app.guest("server");
      server.result(0);
      server.result(1);
      int id = server.event(1).handle();
      var held = app.hold.next();
      app.gate.pass(1);

      assertThat(server.result(2)).isEqualTo(1);
      var cancel = server.event(2);
      Conf.assertEvent(cancel, EventKind.CANCEL, id, CANCELLED.negative());
      assertThat(held.cancellation()).isEqualTo(dev.parigot.abi.Errno.CANCELLED);
    }
  }
}
