package dev.parigot.kernel.conformance;

import static dev.parigot.abi.Errno.PROVIDER_DIED;
import static dev.parigot.kernel.conformance.Conf.SVC;
import static org.assertj.core.api.Assertions.assertThat;

import dev.parigot.abi.EventKind;
import dev.parigot.kernel.ProcessInfo;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The replicas of a program serve one name together (README.md, "The manifest"). */
class ConfReplicaTest {
  @TempDir Path dir;

  /** Each replica takes one call, stops at the gate, ENDs it with "abcd", then echoes calls. */
  private Conf.Running threeReplicas() throws Exception {
    return Conf.app(dir)
        .program("server", "e " + SVC, "w 1 4096 -1", "g " + Gate.NAME, "r $1 1 4", "a")
        .exports(SVC)
        .replicas(3)
        .launch();
  }

  private static List<Conf.Ev> callsTaken(Conf.Running.Guest server) throws Exception {
    // Per replica: export, the wait's result, the CALL it read; replicas interleave.
    return server.next(9).stream().filter(s -> s instanceof Conf.Ev).map(s -> (Conf.Ev) s).toList();
  }

  @Test
  void concurrentCallsSpreadOverTheReplicas() throws Exception {
    try (var app = threeReplicas()) {
      var calls = new ArrayList<Conf.JavaCall>();
      for (String req : List.of("one", "two", "three")) {
        calls.add(app.call(SVC, 1, req));
      }
      var taken = callsTaken(app.guest("server"));
      assertThat(taken)
          .extracting(Conf.Ev::payload)
          .containsExactlyInAnyOrder("one", "two", "three");
      assertThat(app.processes("server"))
          .hasSize(3)
          .allSatisfy(p -> assertThat(p.callsInFlight()).isOne());
      app.gate.pass(3);
      for (var c : calls) {
        assertThat(c.next().kind()).isEqualTo(EventKind.END);
      }
    }
  }

  @Test
  void aDeadReplicasCallsFailWithoutStrandingTheOthers() throws Exception {
    try (var app = threeReplicas()) {
      var calls = new ArrayList<Conf.JavaCall>();
      for (String req : List.of("one", "two", "three")) {
        calls.add(app.call(SVC, 1, req));
      }
      callsTaken(app.guest("server"));
      app.gate.awaitArrivals(3);
      ProcessInfo victim = app.processes("server").getFirst();
      assertThat(app.kill(victim, "killed by the test").killed()).isTrue();
      app.gate.pass(2);

      var answers = new ArrayList<Conf.JavaCall.Answer>();
      for (var c : calls) {
        answers.add(c.next());
      }
      assertThat(answers)
          .containsExactlyInAnyOrder(
              new Conf.JavaCall.Answer(
                  EventKind.ERROR,
                  PROVIDER_DIED.negative(),
                  answers.stream()
                      .filter(a -> a.kind() == EventKind.ERROR)
                      .findFirst()
                      .orElseThrow()
                      .payload()),
              new Conf.JavaCall.Answer(EventKind.END, 0, "abcd"),
              new Conf.JavaCall.Answer(EventKind.END, 0, "abcd"));
      for (String req : List.of("four", "five", "six")) {
        assertThat(app.call(SVC, 1, req).next())
            .isEqualTo(new Conf.JavaCall.Answer(EventKind.END, 0, req));
      }
    }
  }
}
