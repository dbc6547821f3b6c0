package dev.parigot.services;

import dev.parigot.services.store.KvStore;
import dev.parigot.services.store.QueueStore;
import java.nio.file.Path;
import java.sql.SQLException;

/**
 * The kv and queue stores the kernel keeps without a cluster, in one SQLite database file, for code
 * that uses them beside another implementation of {@link KvStore} and {@link QueueStore} (the
 * stores' contract tests, the benchmarks). {@link KernelServices} opens its own.
 */
public final class SqliteStores implements AutoCloseable {
  private final Store store;
  private final KvStore kv;
  private final QueueStore queue;

  private SqliteStores(Store store, KvStore kv, QueueStore queue) {
    this.store = store;
    this.kv = kv;
    this.queue = queue;
  }

  /**
   * Opens (creating if needed) the stores in {@code file}, durable as the kernel's.
   *
   * @param kvHistory how many of the newest changes kv keeps for watches; the kernel keeps 100000
   */
  public static SqliteStores open(Path file, long kvHistory) throws SQLException {
    if (kvHistory < 1) {
      throw new IllegalArgumentException("kvHistory must be positive: " + kvHistory);
    }
    Store store = Store.open(file, true);
    try {
      var quotas = new DiskQuotas();
      quotas.count(store);
      return new SqliteStores(
          store, new SqliteKv(store, quotas, kvHistory), new SqliteQueue(store, quotas));
    } catch (SQLException | RuntimeException e) {
      store.close();
      throw e;
    }
  }

  /** The kv store. */
  public KvStore kv() {
    return kv;
  }

  /** The queue store. */
  public QueueStore queue() {
    return queue;
  }

  @Override
  public void close() throws SQLException {
    store.close();
  }
}
