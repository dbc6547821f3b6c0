package dev.parigot.cluster;

import dev.parigot.cluster.store.JetStreamStores;
import dev.parigot.errors.ParigotException;
import dev.parigot.kernel.ProgramSpec;
import dev.parigot.services.KernelServices;
import dev.parigot.services.store.StoreException;
import io.nats.client.Connection;
import io.nats.client.Nats;
import java.io.IOException;
import java.util.List;
import java.util.Optional;

/**
 * A node's kv and queue: the app's stores in JetStream, shared by every node of the app, on a
 * connection of their own as the app's {@link ClusterConfig#KERNEL_SERVICES} user. Without them
 * each node would keep kv and queue in its own SQLite file, and replicas on two nodes would not see
 * each other's writes.
 */
final class NodeStores implements AutoCloseable {
  private static final List<String> STORED = List.of("parigot.kv.v1.KV", "parigot.queue.v1.Queue");

  private final Connection connection;
  private final JetStreamStores stores;

  private NodeStores(Connection connection, JetStreamStores stores) {
    this.connection = connection;
    this.stores = stores;
  }

  /** Whether any of {@code programs} requires kv or queue. */
  static boolean needed(List<ProgramSpec> programs) {
    return programs.stream().flatMap(p -> p.requires().stream()).anyMatch(STORED::contains);
  }

  /**
   * Connects to the cluster's servers and opens app {@code app}'s stores, making them on first use.
   *
   * @throws ParigotException if no server takes the connection or JetStream refuses the stores
   */
  static NodeStores open(ClusterSpec spec, String app, Optional<String> password) {
    Connection connection;
    try {
      connection =
          Nats.connect(
              NatsLink.options(spec.servers(), app, ClusterConfig.KERNEL_SERVICES, password)
                  .build());
    } catch (IOException e) {
      throw new ParigotException(
          "kv and queue cannot connect to NATS at " + spec.servers() + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ParigotException("interrupted while connecting to NATS", e);
    }
    try {
      return new NodeStores(connection, JetStreamStores.open(connection, app));
    } catch (StoreException e) {
      closeQuietly(connection);
      throw new ParigotException("kv and queue cannot open in JetStream: " + e.getMessage(), e);
    }
  }

  /** Makes {@code builder}'s kv and queue these stores. */
  void install(KernelServices.Builder builder) {
    builder.stores(stores.kv(), stores.queue());
  }

  /** Closes the stores, then their connection; after the kernel services that use them. */
  @Override
  public void close() {
    stores.close();
    closeQuietly(connection);
  }

  private static void closeQuietly(Connection connection) {
    try {
      connection.close();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
