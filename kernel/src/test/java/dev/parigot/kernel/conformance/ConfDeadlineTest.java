package dev.parigot.kernel.conformance;

import static dev.parigot.abi.Errno.BAD_HANDLE;
import static dev.parigot.abi.Errno.CANCELLED;
import static dev.parigot.abi.Errno.TIMED_OUT;
import static dev.parigot.kernel.conformance.Conf.SVC;
import static org.assertj.core.api.Assertions.assertThat;

import dev.parigot.abi.Errno;
import dev.parigot.abi.EventKind;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * docs/abi.md, "call": timeout_ms, and what a passed deadline does to both ends. The kernel runs on
 * a {@link ManualClock}: deadlines pass when a test says so, not while it sleeps.
 */
class ConfDeadlineTest {
  @TempDir Path dir;
  private final ManualClock clock = new ManualClock();

  @Test
  void aPassedDeadlineIsTimedOutAtTheCallerAndCancelsTheCallAtTheServer() throws Exception {
    try (var app =
        Conf.app(dir)
            .clock(clock)
            .program(
                "server",
                "e " + SVC,
                "w 1 4096 -1",
                "g " + Gate.NAME,
                "r $1 1 0",
                "w 1 4096 -1",
                "r $1 1 0")
            .exports(SVC)
            .and()
            .program("caller", "l " + SVC, "c $0 1 0 60000", "d")
            .requires(SVC)
            .launch()) {
      var server = app.guest("server");
      server.result(0);
      assertThat(server.result(1)).isEqualTo(1);
      int id = server.event(1).handle();

      var caller = app.guest("caller");
      caller.result(0);
      int channel = caller.result(1);
      clock.advance(Duration.ofMinutes(1));
      var error = caller.drained(2).getFirst();
      Conf.assertEvent(error, EventKind.ERROR, channel, TIMED_OUT.negative());

      // The server answers late, before it has read the CANCEL.
      app.gate.pass(1);
      assertThat(server.result(2)).isZero();
      assertThat(server.result(3)).as("a late reply").isEqualTo(CANCELLED.negative());
      assertThat(server.result(4)).isEqualTo(1);
      var cancel = server.event(4);
      Conf.assertEvent(cancel, EventKind.CANCEL, id, TIMED_OUT.negative());
      assertThat(server.result(5))
          .as("reading the CANCEL released the id")
          .isEqualTo(BAD_HANDLE.negative());
    }
  }

  @Test
  void aDeadlineReachesTheServerWhileTheCallerIsBusyElsewhere() throws Exception {
    try (var app =
        Conf.app(dir)
            .clock(clock)
            .program("server", "e " + SVC, "w 1 4096 -1", "w 1 4096 -1")
            .exports(SVC)
            .and()
            .program("caller", "l " + SVC, "c $0 1 0 60000", "g " + Gate.NAME, "d")
            .requires(SVC)
            .launch()) {
      var server = app.guest("server");
      server.result(0);
      assertThat(server.result(1)).isEqualTo(1);
      int id = server.event(1).handle();
      // The caller is held at the gate, in the kernel, and has not waited since its call.
      app.gate.awaitArrivals(1);
      clock.advance(Duration.ofMinutes(1));

      assertThat(server.result(2)).isEqualTo(1);
      var cancel = server.event(2);
      Conf.assertEvent(cancel, EventKind.CANCEL, id, TIMED_OUT.negative());

      app.gate.pass(1);
      var caller = app.guest("caller");
      caller.result(0);
      int channel = caller.result(1);
      caller.result(2);
      var error = caller.drained(3).getFirst();
      Conf.assertEvent(error, EventKind.ERROR, channel, TIMED_OUT.negative());
    }
  }

  @Test
  void timeoutDefaultUsesTheProgramsCallTimeout() throws Exception {
    try (var app =
        Conf.app(dir)
            .clock(clock)
            .program("caller", "l " + Hold.NAME, "c $0 1 0 -1", "d")
            .limits("call_timeout_ms = 100")
            .launch()) {
      var caller = app.guest("caller");
      caller.result(0);
      caller.result(1);
      var call = app.hold.next();
      clock.advance(Duration.ofMillis(99));
      assertThat(caller.silentFor(Duration.ofMillis(50))).as("a deadline yet to come").isTrue();
      clock.advance(Duration.ofMillis(1));
      var error = caller.drained(2).getFirst();
      assertThat(error.kind()).isEqualTo(EventKind.ERROR.value());
      assertThat(error.code()).isEqualTo(TIMED_OUT.negative());
      assertThat(call.cancellation()).isEqualTo(Errno.TIMED_OUT);
    }
  }

  @Test
  void timeoutNoneSetsNoDeadlineEvenWhenTheProgramHasADefault() throws Exception {
    try (var app =
        Conf.app(dir)
            .clock(clock)
            .program("caller", "l " + Hold.NAME, "c $0 1 0 0", "d")
            .limits("call_timeout_ms = 50")
            .launch()) {
      var caller = app.guest("caller");
      caller.result(0);
      caller.result(1);
      var call = app.hold.next();
      clock.advance(Duration.ofDays(1));
      assertThat(caller.silentFor(Duration.ofMillis(100))).isTrue();
      assertThat(call.cancelled()).isNotDone();

      call.end("late but fine");
      var end = caller.drained(2).getFirst();
      assertThat(end.kind()).isEqualTo(EventKind.END.value());
      assertThat(end.payload()).isEqualTo("late but fine");
    }
  }

  @Test
  void aProviderSeesWhatIsLeftOfTheCallersDeadlineFromTheMomentItOpens() throws Exception {
    try (var app =
        Conf.app(dir)
            .clock(clock)
            .program("caller", "l " + Hold.NAME, "c $0 1 0 60000", "c $0 2 0 -1", "c $0 3 0 0")
            .limits("call_timeout_ms = 5000")
            .launch()) {
      var caller = app.guest("caller");
      caller.result(0);
      var explicit = app.hold.next();
      var byDefault = app.hold.next();
      var none = app.hold.next();
      assertThat(explicit.replies().timeLeft()).contains(Duration.ofMinutes(1));
      assertThat(byDefault.replies().timeLeft()).contains(Duration.ofSeconds(5));
      assertThat(none.replies().timeLeft()).isEmpty();

      clock.advance(Duration.ofSeconds(20));
      assertThat(explicit.replies().timeLeft()).contains(Duration.ofSeconds(40));
      assertThat(byDefault.cancellation()).isEqualTo(Errno.TIMED_OUT);
      assertThat(byDefault.replies().timeLeft()).as("past, not negative").contains(Duration.ZERO);
      assertThat(none.replies().timeLeft()).isEmpty();
    }
  }
}
