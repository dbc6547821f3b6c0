package dev.parigot.services;

import dev.parigot.services.proto.StatusProto.Code;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.SQLException;

/**
 * A database file opened, with its directory created and locked, when a service first needs it;
 * never if none does.
 */
final class StoreOnDemand {
  /** What must happen to the store as it opens, before any service uses it. */
  @FunctionalInterface
  interface OnOpen {
    void opened(Store store) throws SQLException;
  }

  private final Path file;
  private final DataDirLock dir;
  private final boolean durable;
  private final OnOpen onOpen;
  // Guarded by this.
  private Store store;
  private boolean closed;

  /** See {@link Store#open} for {@code durable}; {@code dir} is {@code file}'s directory. */
  StoreOnDemand(Path file, DataDirLock dir, boolean durable, OnOpen onOpen) {
    this.file = file;
    this.dir = dir;
    this.durable = durable;
    this.onOpen = onOpen;
  }

  /**
   * The store, opened now if it was not yet.
   *
   * @throws Failure UNAVAILABLE once closed
   */
  synchronized Store get() throws IOException, SQLException {
    if (closed) {
      throw new Failure(Code.UNAVAILABLE, "the store is closed");
    }
    if (store == null) {
      dir.acquire();
      Store opened = Store.open(file, durable);
      try {
        onOpen.opened(opened);
      } catch (SQLException | RuntimeException e) {
        opened.close();
        throw e;
      }
      store = opened;
    }
    return store;
  }

  /** Closes the store if it was opened; it is not opened after. Idempotent. */
  synchronized void close() throws SQLException {
    closed = true;
    if (store != null) {
      store.close();
    }
  }
}
