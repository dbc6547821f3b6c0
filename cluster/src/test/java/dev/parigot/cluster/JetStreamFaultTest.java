package dev.parigot.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parigot.cluster.store.JetStreamStores;
import dev.parigot.services.store.QueueStore;
import dev.parigot.services.store.StoreException;
import io.nats.client.Connection;
import io.nats.client.Nats;
import io.nats.client.Options;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * nats-server killed with SIGKILL while kv puts and queue sends go on, then started again: every
 * write the store acknowledged is there afterwards. Writes that failed may or may not be (the
 * caller was told it does not know); messages may come twice, never not at all.
 */
class JetStreamFaultTest {
  private static final String APP = "fault";

  /** Acknowledged writes of each kind before the kill, and again after the restart. */
  private static final int BEFORE = 200;

  private static final int AFTER = 200;
  private static final long DEADLINE_SECONDS = 120;

  @TempDir Path dir;

  @Test
  void noAcknowledgedPutOrSendIsLostWhenTheServerIsKilled() throws Exception {
    try (NatsServer server = NatsServer.start(dir.resolve("nats"))) {
      Options options =
          Options.builder()
              .server(server.url())
              .maxReconnects(-1)
              .reconnectWait(Duration.ofMillis(50))
              .connectionTimeout(Duration.ofSeconds(2))
              .build();
      Map<String, Long> puts = new ConcurrentHashMap<>();
      Map<Long, String> sends = new ConcurrentHashMap<>();
      try (Connection connection = Nats.connect(options);
          JetStreamStores stores =
              JetStreamStores.open(connection, APP, 64, Duration.ofSeconds(30))) {
        var killed = new CountDownLatch(1);
        var putsBefore = new CountDownLatch(BEFORE);
        var sendsBefore = new CountDownLatch(BEFORE);
        var putsAfter = new CountDownLatch(AFTER);
        var sendsAfter = new CountDownLatch(AFTER);
        var stop = new AtomicBoolean();
        Thread putter =
            Thread.ofVirtual()
                .start(() ->
                    writeUntilStopped(
                        stop,
                        putsBefore,
                        killed,
                        putsAfter,
                        i -> {
                          String key = "k" + i;
                          long revision =
                              stores
                                  .kv()
                                  .put(
                                      APP,
                                      "main",
                                      "b",
                                      bytes(key),
                                      bytes("v" + i),
                                      OptionalLong.empty());
                          puts.put(key, revision);
                        }));
        Thread sender =
            Thread.ofVirtual()
                .start(() ->
                    writeUntilStopped(
                        stop,
                        sendsBefore,
                        killed,
                        sendsAfter,
                        i -> {
                          long id = stores.queue().send(APP, "main", "jobs", bytes("m" + i), i, 0);
                          sends.put(id, "m" + i);
                        }));
        assertThat(putsBefore.await(DEADLINE_SECONDS, TimeUnit.SECONDS)).isTrue();
        assertThat(sendsBefore.await(DEADLINE_SECONDS, TimeUnit.SECONDS)).isTrue();
        server.kill();
        killed.countDown();
        server.restart();
        boolean resumed =
            putsAfter.await(DEADLINE_SECONDS, TimeUnit.SECONDS)
                && sendsAfter.await(DEADLINE_SECONDS, TimeUnit.SECONDS);
        stop.set(true);
        putter.join();
        sender.join();
        assertThat(resumed).as("writes were acknowledged again after the restart").isTrue();
      }

      // A new connection, as a kernel started after the crash would make.
      try (Connection connection = Nats.connect(options);
          JetStreamStores stores =
              JetStreamStores.open(connection, APP, 64, Duration.ofSeconds(30))) {
        for (var put : puts.entrySet()) {
          var entry = stores.kv().get(APP, "b", bytes(put.getKey())).orElseThrow();
          assertThat(entry.getRevision()).isEqualTo(put.getValue());
        }
        Set<Long> received = new HashSet<>();
        Map<Long, String> bodies = new HashMap<>();
        while (true) {
          Optional<QueueStore.Delivery> d = stores.queue().claim(APP, "jobs");
          if (d.isEmpty()) {
            break;
          }
          received.add(d.get().id());
          bodies.put(d.get().id(), new String(d.get().body(), StandardCharsets.UTF_8));
          stores.queue().ack(APP, "jobs", d.get().id());
        }
        assertThat(received).containsAll(sends.keySet());
        sends.forEach((id, body) -> assertThat(bodies.get(id)).isEqualTo(body));
      }
    }
  }

  @FunctionalInterface
  private interface Write {
    void write(int i) throws Exception;
  }

  /**
   * Writes 0, 1, 2... until stopped, counting acknowledged writes down on {@code before} until the
   * kill, then on {@code after}. A write that fails (the server is down) moves on to the next.
   */
  private static void writeUntilStopped(
      AtomicBoolean stop,
      CountDownLatch before,
      CountDownLatch killed,
      CountDownLatch after,
      Write write) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2 * DEADLINE_SECONDS);
    for (int i = 0; !stop.get() && System.nanoTime() < deadline; i++) {
      try {
        write.write(i);
        (killed.getCount() == 0 ? after : before).countDown();
      } catch (StoreException e) {
        // Not acknowledged: the test expects nothing of it.
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
