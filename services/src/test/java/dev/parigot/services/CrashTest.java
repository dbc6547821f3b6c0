package dev.parigot.services;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parigot.services.proto.KvProto.GetRequest;
import dev.parigot.services.proto.KvProto.GetResponse;
import dev.parigot.services.proto.QueueProto.Delivery;
import dev.parigot.services.proto.QueueProto.LengthRequest;
import dev.parigot.services.proto.QueueProto.LengthResponse;
import dev.parigot.services.proto.QueueProto.ReceiveRequest;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kills a JVM running the store under write load with SIGKILL, reopens the store, and checks that
 * nothing it acknowledged was lost: every put is there, and every sent message was either acked or
 * is waiting to be delivered again.
 */
class CrashTest {
  @TempDir Path dir;

  @Test
  void everyAcknowledgedWriteSurvivesAKill() throws Exception {
    for (int round = 0; round < 2; round++) {
      killMidTraffic(round);
    }
  }

  private void killMidTraffic(int round) throws Exception {
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    Process child =
        new ProcessBuilder(
                java.toString(),
                "-cp",
                System.getProperty("java.class.path"),
                CrashChild.class.getName(),
                dir.toString())
            .redirectError(ProcessBuilder.Redirect.INHERIT)
            .start();
    Map<String, Long> puts = new HashMap<>();
    Set<Long> sent = new HashSet<>();
    Set<Long> acking = new HashSet<>();
    Set<Long> acked = new HashSet<>();
    try (var in =
        new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      int acks = 0;
      while ((line = in.readLine()) != null) {
        String[] w = line.split(" ");
        switch (w[0]) {
          case "put" -> puts.put(w[1], Long.parseLong(w[2]));
          case "sent" -> sent.add(Long.parseLong(w[1]));
          case "acking" -> acking.add(Long.parseLong(w[1]));
          case "acked" -> acked.add(Long.parseLong(w[1]));
          default -> throw new AssertionError("child said: " + line);
        }
        if (++acks == 400) {
          // SIGKILL through the handle: Process.destroyForcibly would also close our end of the
          // pipe, losing lines the child wrote (acknowledged) before it died.
          child.toHandle().destroyForcibly();
        }
      }
    } finally {
      child.destroyForcibly().waitFor();
    }
    assertThat(puts).as("round %d: the child made progress", round).hasSizeGreaterThan(50);

    try (var services = new Services(dir)) {
      Client kv = services.kv().as(new dev.parigot.kernel.Caller("crash", "check", 1));
      for (var put : puts.entrySet()) {
        var e =
            kv.unary(
                    "Get",
                    GetRequest.newBuilder().setBucket("b").setKey(put.getKey()).build(),
                    GetResponse.parser())
                .getEntry();
        assertThat(e.getRevision()).as(put.getKey()).isGreaterThanOrEqualTo(put.getValue());
        assertThat(e.getValue().toStringUtf8()).isEqualTo("v" + put.getKey().substring(1));
      }
      Client q = services.queue().as(new dev.parigot.kernel.Caller("crash", "check", 1));
      long waiting =
          q.unary(
                  "Length",
                  LengthRequest.newBuilder().setQueue("jobs").build(),
                  LengthResponse.parser())
              .getVisible();
      Set<Long> remaining = new HashSet<>();
      if (waiting > 0) {
        var r =
            q.call(
                "Receive",
                ReceiveRequest.newBuilder()
                    .setQueue("jobs")
                    .setMaxInFlight(1000)
                    .setLimit((int) waiting)
                    .build());
        for (long i = 0; i < waiting; i++) {
          remaining.add(r.partial(Delivery.parser()).getId());
        }
        r.end(Delivery.parser());
      }
      for (long id : sent) {
        assertThat(remaining.contains(id) || acking.contains(id))
            .as("round %d: message %d was neither acked nor kept", round, id)
            .isTrue();
      }
      assertThat(remaining)
          .as("round %d: acked messages are gone", round)
          .doesNotContainAnyElementsOf(acked);
    }
  }
}
