package dev.parigot.kernel.conformance;

import static dev.parigot.abi.Errno.BUFFER_TOO_SMALL;
import static dev.parigot.abi.Errno.CANCELLED;
import static dev.parigot.abi.Errno.WOULD_EXCEED_LIMIT;
import static dev.parigot.kernel.conformance.Conf.SVC;
import static org.assertj.core.api.Assertions.assertThat;

import dev.parigot.abi.EventKind;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * docs/abi.md, "Queue bound": 16 x max_message_bytes of unread events per process, each counted as
 * its payload plus its 32-byte record.
 */
class ConfQueueBoundTest {
  @TempDir Path dir;

  @Test
  void partialsToACallerThatDoesNotReadFailTheChannelAndCancelTheServersCall() throws Exception {
    // The caller's bound is 16 x 64 = 1024 bytes: 16 partials of 32 bytes (64 with their records).
    try (var app =
        Conf.app(dir)
            .program("server", "e " + SVC, "w 1 4096 -1", "s $1 32", "w 1 4096 -1")
            .exports(SVC)
            .and()
            .program("caller", "l " + SVC, "c $0 1 0 0", "g " + Gate.NAME, "d")
            .requires(SVC)
            .limits("max_message_bytes = 64")
            .launch()) {
      var server = app.guest("server");
      server.result(0);
      server.result(1);
      int id = server.event(1).handle();
      assertThat(server.result(2)).as("partials queued").isEqualTo(16);
      assertThat(server.result(2)).as("the refused reply").isEqualTo(CANCELLED.negative());
      assertThat(server.result(3)).isEqualTo(1);
      var cancel = server.event(3);
      Conf.assertEvent(cancel, EventKind.CANCEL, id, WOULD_EXCEED_LIMIT.negative());

      app.gate.pass(1);
      var caller = app.guest("caller");
      caller.result(0);
      int channel = caller.result(1);
      caller.result(2);
      var events = caller.drained(3);
      assertThat(events).hasSize(17);
      assertThat(events.subList(0, 16))
          .allSatisfy(e -> assertThat(e.kind()).isEqualTo(EventKind.PARTIAL.value()));
      var error = events.getLast();
      Conf.assertEvent(error, EventKind.ERROR, channel, WOULD_EXCEED_LIMIT.negative());
    }
  }

  @Test
  void emptyPartialsCountTheirRecordsSoTheyAreBoundedToo() throws Exception {
    // 1024 bytes hold 32 records of empty partials.
    try (var app =
        Conf.app(dir)
            .program("server", "e " + SVC, "w 1 4096 -1", "s $1 0")
            .exports(SVC)
            .and()
            .program("caller", "l " + SVC, "c $0 1 0 0", "g " + Gate.NAME)
            .requires(SVC)
            .limits("max_message_bytes = 64")
            .launch()) {
      var server = app.guest("server");
      server.result(0);
      server.result(1);
      server.event(1);
      assertThat(server.result(2)).as("partials queued").isEqualTo(32);
      assertThat(server.result(2)).as("the refused reply").isEqualTo(CANCELLED.negative());
    }
  }

  @Test
  void eventsAWaitLookedAtButDidNotDeliverStillCountAsUnread() throws Exception {
    // The caller (bound 1024 bytes) gets 10 partials of 32 bytes (640 with their records), calls
    // wait with no buffer, which delivers nothing, then gets 10 more: only 6 of those fit.
    var server = new ArrayList<String>(List.of("e " + SVC, "w 1 4096 -1"));
    server.addAll(Collections.nCopies(10, "r $1 0 32"));
    server.addAll(List.of("l " + Hold.NAME, "c $12 5 0 0", "d"));
    server.addAll(Collections.nCopies(10, "r $1 0 32"));
    try (var app =
        Conf.app(dir)
            .program("server", server.toArray(String[]::new))
            .exports(SVC)
            .and()
            .program(
                "caller", "l " + SVC, "c $0 1 0 0", "g " + Gate.NAME, "w 1 0 0", "g " + Gate.NAME)
            .requires(SVC)
            .limits("max_message_bytes = 64")
            .launch()) {
      var s = app.guest("server");
      s.result(0);
      s.result(1);
      s.event(1);
      for (int cmd = 2; cmd < 12; cmd++) {
        assertThat(s.result(cmd)).as("partial %d", cmd - 1).isZero();
      }
      var serverHold = app.hold.next();
      app.gate.pass(1);
      var caller = app.guest("caller");
      caller.result(0);
      caller.result(1);
      caller.result(2);
      assertThat(caller.result(3)).isEqualTo(BUFFER_TOO_SMALL.negative());
      caller.event(3);

      serverHold.end("");
      s.result(12);
      s.result(13);
      s.drained(14);
      for (int cmd = 15; cmd < 21; cmd++) {
        assertThat(s.result(cmd)).as("partial %d", cmd - 4).isZero();
      }
      assertThat(s.result(21)).as("partial 17").isEqualTo(CANCELLED.negative());
    }
  }

  @Test
  void aCallRoutedToAServerWithAFullQueueFailsAtTheCaller() throws Exception {
    // The server's bound is 16 x 64 bytes: 16 requests of 32 bytes (64 with their records).
    try (var app =
        Conf.app(dir)
            .program("server", "e " + SVC, "g " + Gate.NAME)
            .exports(SVC)
            .limits("max_message_bytes = 64")
            .launch()) {
      app.gate.awaitArrivals(1);
      var calls = new ArrayList<Conf.JavaCall>();
      for (int i = 0; i < 17; i++) {
        calls.add(app.call(SVC, 1, Conf.data(32)));
      }
      var refused = calls.getLast().next();
      assertThat(refused.kind()).isEqualTo(EventKind.ERROR);
      assertThat(refused.code()).isEqualTo(WOULD_EXCEED_LIMIT.negative());
      assertThat(calls.get(15).quietFor(100)).as("the 16th call is queued").isTrue();
      assertThat(app.process("server").callsInFlight()).isEqualTo(16);
    }
  }
}
