package dev.parigot.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.parigot.cluster.store.JetStreamStores;
import dev.parigot.services.proto.StatusProto.Code;
import dev.parigot.services.store.StoreException;
import io.nats.client.Connection;
import io.nats.client.Nats;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What JetStreamStores refuses: bad settings, and another app's data. */
class JetStreamStoresTest {
  @TempDir Path dir;

  @Test
  void aNameThatIsNoAppNameOrABadBoundIsRefused() throws Exception {
    try (NatsServer server = NatsServer.start(dir);
        Connection connection = Nats.connect(server.url())) {
      assertThatThrownBy(() -> JetStreamStores.open(connection, "Bad.App"))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("not an app name");
      assertThatThrownBy(() -> JetStreamStores.open(connection, "app", 65, Duration.ofSeconds(30)))
          .hasMessageContaining("history must be 1 to 64");
      assertThatThrownBy(() -> JetStreamStores.open(connection, "app", 1, Duration.ofMillis(1)))
          .hasMessageContaining("ackWait must be at least");
    }
  }

  @Test
  void anAppsStoresRefuseAnotherAppsCalls() throws Exception {
    try (NatsServer server = NatsServer.start(dir);
        Connection connection = Nats.connect(server.url());
        JetStreamStores stores = JetStreamStores.open(connection, "mine")) {
      byte[] key = "k".getBytes(StandardCharsets.UTF_8);
      assertThatThrownBy(
              () -> stores.kv().put("theirs", "main", "b", key, key, OptionalLong.empty()))
          .isInstanceOfSatisfying(
              StoreException.class, e -> assertThat(e.code()).isEqualTo(Code.PERMISSION_DENIED));
      assertThatThrownBy(() -> stores.queue().send("theirs", "main", "q", key, 0, 0))
          .isInstanceOfSatisfying(
              StoreException.class, e -> assertThat(e.code()).isEqualTo(Code.PERMISSION_DENIED));
    }
  }

  @Test
  void keysWrittenIntoTheBucketByOthersAreSkippedNotFatal() throws Exception {
    try (NatsServer server = NatsServer.start(dir);
        Connection connection = Nats.connect(server.url());
        JetStreamStores stores = JetStreamStores.open(connection, "mine")) {
      byte[] key = "good".getBytes(StandardCharsets.UTF_8);
      stores.kv().put("mine", "main", "b", key, key, OptionalLong.empty());
      // Not an encoding this store makes: an operator's or another tool's write.
      connection.keyValue("parigot-kv-mine").put("b.bad=ZZ", "x".getBytes(StandardCharsets.UTF_8));
      var page = stores.kv().page("mine", "b", new byte[0], true, java.util.Optional.empty(), 10);
      assertThat(page).extracting(e -> e.getKey()).containsExactly("good");
    }
  }
}
