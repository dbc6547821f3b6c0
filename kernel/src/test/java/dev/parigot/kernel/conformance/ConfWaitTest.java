package dev.parigot.kernel.conformance;

import static dev.parigot.abi.Errno.BAD_ARGUMENT;
import static dev.parigot.abi.Errno.BUFFER_TOO_SMALL;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import dev.parigot.abi.EventKind;
import java.nio.file.Path;
import java.util.ArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** docs/abi.md, "wait": its arguments, batches of events and the payload buffer. */
class ConfWaitTest {
  @TempDir Path dir;

  @Test
  void maxEventsOutside1To1024OrATimeoutBelowMinusOneIsABadArgument() throws Exception {
    try (var app =
        Conf.app(dir)
            .program(
                "main",
                "w 0 4096 0",
                "w 1025 4096 0",
                "w -1 4096 0",
                "w 1 4096 -2",
                "w 1024 4096 0")
            .launch()) {
      var main = app.guest("main");
      assertThat(main.result(0)).isEqualTo(BAD_ARGUMENT.negative());
      assertThat(main.result(1)).isEqualTo(BAD_ARGUMENT.negative());
      assertThat(main.result(2)).isEqualTo(BAD_ARGUMENT.negative());
      assertThat(main.result(3)).isEqualTo(BAD_ARGUMENT.negative());
      assertThat(main.result(4)).as("1024 events, polled").isZero();
    }
  }

  @Test
  void aPollWithNothingPendingReturnsZero() throws Exception {
    try (var app = Conf.app(dir).program("main", "w 16 4096 0", "w 1 0 0").launch()) {
      var main = app.guest("main");
      assertThat(main.result(0)).isZero();
      assertThat(main.result(1)).isZero();
    }
  }

  @Test
  void pendingEventsComeBackInOneWaitWithTheirPayloadsPacked() throws Exception {
    try (var app =
        Conf.app(dir)
            .program(
                "main",
                "l " + Hold.NAME,
                "c $0 1 0 0",
                "c $0 2 0 0",
                "g " + Gate.NAME,
                "w 16 4096 0")
            .launch()) {
      var first = app.hold.next();
      var second = app.hold.next();
      first.partial("ab");
      first.end("cde");
      second.end("fghi");
      app.gate.pass(1);

      var main = app.guest("main");
      main.result(0);
      int a = main.result(1);
      int b = main.result(2);
      main.result(3);
      assertThat(main.result(4)).isEqualTo(3);
      var events = new ArrayList<Conf.Ev>();
      for (int i = 0; i < 3; i++) {
        events.add(main.event(4));
      }
      int offset = 0;
      for (var e : events) {
        assertThat(e.payloadOffset()).as("offset of %s", e).isEqualTo(offset);
        assertThat(e.reserved()).isZero();
        offset += e.payloadLen();
      }
      assertThat(offset).isEqualTo(9);
      assertThat(events.stream().filter(e -> e.handle() == a))
          .extracting(Conf.Ev::kind, Conf.Ev::payload)
          .containsExactly(
              tuple(EventKind.PARTIAL.value(), "ab"), tuple(EventKind.END.value(), "cde"));
      assertThat(events.stream().filter(e -> e.handle() == b))
          .extracting(Conf.Ev::kind, Conf.Ev::payload)
          .containsExactly(tuple(EventKind.END.value(), "fghi"));
    }
  }

  @Test
  void aFirstEventTooBigForTheBufferIsBufferTooSmallWithItsSizeAndStaysQueued() throws Exception {
    try (var app =
        Conf.app(dir)
            .program(
                "main",
                "l " + Hold.NAME,
                "c $0 1 0 0",
                "g " + Gate.NAME,
                "w 4 50 0",
                "w 4 99 0",
                "w 4 100 0")
            .launch()) {
      String hundred = Conf.data(100);
      app.hold.next().end(hundred);
      app.gate.pass(1);

      var main = app.guest("main");
      main.result(0);
      int channel = main.result(1);
      main.result(2);
      assertThat(main.result(3)).isEqualTo(BUFFER_TOO_SMALL.negative());
      var needed = main.event(3);
      assertThat(needed.kind()).isEqualTo(EventKind.END.value());
      assertThat(needed.payloadLen()).isEqualTo(100);
      assertThat(main.result(4)).isEqualTo(BUFFER_TOO_SMALL.negative());
      assertThat(main.event(4).payloadLen()).isEqualTo(100);
      assertThat(main.result(5)).isEqualTo(1);
      var end = main.event(5);
      assertThat(end.handle()).isEqualTo(channel);
      assertThat(end.payload()).isEqualTo(hundred);
    }
  }

  @Test
  void anEventThatDoesNotFitAfterOthersStaysForTheNextWait() throws Exception {
    try (var app =
        Conf.app(dir)
            .program(
                "main",
                "l " + Hold.NAME,
                "c $0 1 0 0",
                "c $0 2 0 0",
                "g " + Gate.NAME,
                "w 4 40 0",
                "w 4 40 0",
                "w 4 40 0")
            .launch()) {
      var first = app.hold.next();
      var second = app.hold.next();
      first.end(Conf.data(30));
      second.end(Conf.data(30));
      app.gate.pass(1);

      var main = app.guest("main");
      for (int cmd = 0; cmd < 4; cmd++) {
        main.result(cmd);
      }
      assertThat(main.result(4)).isEqualTo(1);
      assertThat(main.event(4).payloadLen()).isEqualTo(30);
      assertThat(main.result(5)).isEqualTo(1);
      assertThat(main.event(5).payloadLen()).isEqualTo(30);
      assertThat(main.result(6)).isZero();
    }
  }
}
