package dev.parigot.services;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.locks.ReentrantLock;
import org.sqlite.SQLiteConfig;

/**
 * One SQLite database file and the one connection the services use it through.
 *
 * <p>Every access runs under one lock: SQLite allows one writer at a time anyway, and a single
 * connection makes "what this transaction saw" obvious. Write transactions commit before the call
 * that made them is answered, so with {@code synchronous=FULL} an acknowledged write is on disk.
 */
final class Store implements AutoCloseable {
  /** Work done with the connection, under the lock. */
  @FunctionalInterface
  interface Work<T> {
    T run(Connection c) throws SQLException;
  }

  private final Connection connection;
  private final ReentrantLock lock = new ReentrantLock();
  private boolean closed;

  private Store(Connection connection) {
    this.connection = connection;
  }

  /**
   * Opens (creating if needed) the database at {@code file} in WAL mode.
   *
   * @param durable {@code synchronous=FULL} (every commit reaches the disk before it returns) if
   *     true; {@code NORMAL} (commits survive a killed process but may be lost with the machine)
   *     if false
   */
  static Store open(Path file, boolean durable) throws SQLException {
    var config = new SQLiteConfig();
    config.setJournalMode(SQLiteConfig.JournalMode.WAL);
    config.setSynchronous(
        durable ? SQLiteConfig.SynchronousMode.FULL : SQLiteConfig.SynchronousMode.NORMAL);
    config.setBusyTimeout(10_000);
    Connection c = DriverManager.getConnection("jdbc:sqlite:" + file, config.toProperties());
    return new Store(c);
  }

  /** Runs {@code work} in one transaction, committed before it returns. */
  <T> T tx(Work<T> work) throws SQLException {
    return tx(work, result -> {});
  }

  /**
   * Runs {@code work} in one transaction, then {@code committed} with its result once it is
   * committed, still under the lock: so what {@code committed} publishes (a change to watchers)
   * is seen in commit order, and never before it is durable.
   */
  <T> T tx(Work<T> work, java.util.function.Consumer<T> committed) throws SQLException {
    lock.lock();
    try {
      ensureOpen();
      connection.setAutoCommit(false);
      try {
        T result = work.run(connection);
        connection.commit();
        committed.accept(result);
        return result;
      } catch (SQLException | RuntimeException | Error e) {
        if (!connection.getAutoCommit()) {
          connection.rollback();
        }
        throw e;
      } finally {
        connection.setAutoCommit(true);
      }
    } finally {
      lock.unlock();
    }
  }

  /** Runs the statements, e.g. a schema, in one transaction. */
  void execute(String... sql) throws SQLException {
    tx(
        c -> {
          try (Statement s = c.createStatement()) {
            for (String statement : sql) {
              s.execute(statement);
            }
          }
          return null;
        });
  }

  private void ensureOpen() {
    if (closed) {
      throw new Failure(
          dev.parigot.services.proto.StatusProto.Code.UNAVAILABLE, "the store is closed");
    }
  }

  @Override
  public void close() throws SQLException {
    lock.lock();
    try {
      if (!closed) {
        closed = true;
        connection.close();
      }
    } finally {
      lock.unlock();
    }
  }
}
