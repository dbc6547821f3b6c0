package dev.parigot.cluster;

import dev.parigot.cluster.store.JetStreamStores;
import io.nats.client.Connection;
import io.nats.client.Nats;
import java.nio.file.Path;
import java.time.Duration;

/** The cluster's stores, on a real nats-server's JetStream, keep the stores' contract. */
class JetStreamStoreContractTest extends StoreContract {
  @Override
  Stores open(Path dir) throws Exception {
    NatsServer server = NatsServer.start(dir.resolve("nats"));
    Connection connection = Nats.connect(server.url());
    JetStreamStores stores = JetStreamStores.open(connection, APP, HISTORY, Duration.ofSeconds(30));
    return new Stores(
        stores.kv(),
        stores.queue(),
        () -> {
          stores.close();
          connection.close();
          server.close();
        });
  }
}
