package dev.parigot.cluster;

import dev.parigot.services.SqliteStores;
import java.nio.file.Path;

/** The kernel's own stores, in SQLite, keep the stores' contract. */
class SqliteStoreContractTest extends StoreContract {
  @Override
  Stores open(Path dir) throws Exception {
    SqliteStores sqlite = SqliteStores.open(dir.resolve("store.db"), HISTORY);
    return new Stores(sqlite.kv(), sqlite.queue(), sqlite);
  }
}
