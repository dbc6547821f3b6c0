package dev.parigot.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.nats.client.Connection;
import io.nats.client.JetStreamApiException;
import io.nats.client.KeyValue;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.nats.client.api.KeyValueConfiguration;
import io.nats.client.api.StorageType;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The test server the cluster's tests run against is real, and survives a SIGKILL's restart. */
class NatsServerTest {
  @TempDir Path dir;

  @Test
  void aRequestIsAnsweredThroughTheServer() throws Exception {
    try (NatsServer server = NatsServer.start(dir);
        Connection connection = Nats.connect(server.url())) {
      connection
          .createDispatcher(m -> connection.publish(m.getReplyTo(), m.getData()))
          .subscribe("echo");
      byte[] reply =
          connection
              .request("echo", "ping".getBytes(StandardCharsets.UTF_8), Duration.ofSeconds(5))
              .getData();
      assertThat(new String(reply, StandardCharsets.UTF_8)).isEqualTo("ping");
    }
  }

  @Test
  void aJetStreamWriteSurvivesAKilledServer() throws Exception {
    try (NatsServer server = NatsServer.start(dir)) {
      try (Connection connection = Nats.connect(server.url())) {
        bucket(connection).put("k", "v1".getBytes(StandardCharsets.UTF_8));
      }
      server.kill();
      server.restart();
      Options options = new Options.Builder().server(server.url()).build();
      try (Connection connection = Nats.connect(options)) {
        KeyValue kv = connection.keyValue("test");
        assertThat(new String(kv.get("k").getValue(), StandardCharsets.UTF_8)).isEqualTo("v1");
      }
    }
  }

  private static KeyValue bucket(Connection connection) throws IOException, JetStreamApiException {
    connection
        .keyValueManagement()
        .create(KeyValueConfiguration.builder().name("test").storageType(StorageType.File).build());
    return connection.keyValue("test");
  }
}
