package dev.parigot.bench;

import dev.parigot.cluster.store.JetStreamStores;
import dev.parigot.services.store.KvStore;
import dev.parigot.services.store.QueueStore;
import io.nats.client.Connection;
import io.nats.client.Nats;
import java.nio.file.Path;

/**
 * A nats-server with JetStream on 127.0.0.1, its files under a directory, and an app's kv and queue
 * stores on it, for the services section's JetStream rows.
 */
final class JetStream implements AutoCloseable {
  private final NatsServerProcess server;
  private final Connection connection;
  private final JetStreamStores stores;

  private JetStream(NatsServerProcess server, Connection connection, JetStreamStores stores) {
    this.server = server;
    this.connection = connection;
    this.stores = stores;
  }

  /** Starts the server (Debian's nats-server on PATH) and opens app {@code app}'s stores. */
  static JetStream start(Path dir, String app) throws Exception {
    NatsServerProcess server = NatsServerProcess.start(dir);
    try {
      Connection connection = Nats.connect(server.url());
      return new JetStream(server, connection, JetStreamStores.open(connection, app));
    } catch (Exception | Error e) {
      server.close();
      throw e;
    }
  }

  KvStore kv() {
    return stores.kv();
  }

  QueueStore queue() {
    return stores.queue();
  }

  @Override
  public void close() throws Exception {
    try {
      stores.close();
      connection.close();
    } finally {
      server.close();
    }
  }
}
