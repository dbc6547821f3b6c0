package dev.parigot.services;

import dev.parigot.services.proto.StatusProto.Code;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;

/**
 * A database file opened, with its directory created, when a service first needs it; never if none
 * does.
 */
final class StoreOnDemand {
  private final Path file;
  private final boolean durable;
  // Guarded by this.
  private Store store;
  private boolean closed;

  /** See {@link Store#open} for {@code durable}. */
  StoreOnDemand(Path file, boolean durable) {
    this.file = file;
    this.durable = durable;
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
      Files.createDirectories(file.toAbsolutePath().getParent());
      store = Store.open(file, durable);
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
