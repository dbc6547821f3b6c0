package dev.parigot.services;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import org.sqlite.SQLiteConfig;

/**
 * One SQLite database file and the one connection the services use it through.
 *
 * <p>Every access runs under one lock: SQLite allows one writer at a time anyway, and a single
 * connection makes "what this transaction saw" obvious. Write transactions commit before the call
 * that made them is answered, so with {@code synchronous=FULL} an acknowledged write is on disk.
 * Concurrent transactions share a commit (see {@link #tx(Work, Consumer)}).
 */
final class Store implements AutoCloseable {
  /** Work done with the connection, under the lock. */
  @FunctionalInterface
  interface Work<T> {
    T run(Connection c) throws SQLException;
  }

  private final Connection connection;
  private final ReentrantLock lock = new ReentrantLock();
  private final Queue<Op<?>> queued = new ConcurrentLinkedQueue<>();
  // Guarded by lock.
  private boolean closed;
  // Written under the lock, read without it.
  private volatile long commits;

  private Store(Connection connection) {
    this.connection = connection;
  }

  /**
   * Opens (creating if needed) the database at {@code file} in WAL mode.
   *
   * @param durable {@code synchronous=FULL} (every commit reaches the disk before it returns) if
   *     true; {@code NORMAL} (commits survive a killed process but may be lost with the machine) if
   *     false
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
   * committed, still under the lock: so what {@code committed} publishes (a change to watchers) is
   * seen in commit order, and never before it is durable.
   *
   * <p>Group commit: with {@code synchronous=FULL} every commit waits for the disk (an fsync),
   * which bounds writes at one per fsync however many callers there are. So a transaction that
   * finds the store busy queues its work, and whoever takes the lock next runs every queued work,
   * each inside its own savepoint, and commits them together with one fsync. A work that fails is
   * rolled back to its savepoint alone; each caller returns only after the commit that holds its
   * work is durable, exactly as with a transaction of its own.
   */
  <T> T tx(Work<T> work, Consumer<T> committed) throws SQLException {
    if (lock.isHeldByCurrentThread()) {
      throw new IllegalStateException("a store transaction inside another");
    }
    var op = new Op<>(work, committed);
    queued.add(op);
    lock.lock();
    try {
      // Another caller may have committed this work with its own while this one waited.
      if (!op.done) {
        runQueued();
      }
    } finally {
      lock.unlock();
    }
    return op.result();
  }

  /** Runs every queued work in one transaction and commits it. Under the lock. */
  private void runQueued() throws SQLException {
    List<Op<?>> batch = new ArrayList<>();
    for (Op<?> op = queued.poll(); op != null; op = queued.poll()) {
      batch.add(op);
    }
    try {
      ensureOpen();
      connection.setAutoCommit(false);
      try (Statement s = connection.createStatement()) {
        for (Op<?> op : batch) {
          s.execute("SAVEPOINT op");
          try {
            op.run(connection);
            s.execute("RELEASE op");
          } catch (SQLException | RuntimeException | Error e) {
            op.failed(e);
            s.execute("ROLLBACK TO op");
            s.execute("RELEASE op");
          }
        }
        connection.commit();
        commits++; // one writer: the lock holder
      } catch (SQLException | RuntimeException | Error e) {
        if (!connection.getAutoCommit()) {
          connection.rollback();
        }
        throw e;
      } finally {
        connection.setAutoCommit(true);
      }
    } catch (SQLException | RuntimeException | Error e) {
      // Nothing of the batch was committed: every work in it fails alike.
      for (Op<?> op : batch) {
        op.failed(e);
      }
      return;
    } finally {
      for (Op<?> op : batch) {
        op.done = true;
      }
    }
    for (Op<?> op : batch) {
      op.committed();
    }
  }

  /** One caller's work in a batch, and how it ended. Touched under the lock only. */
  private static final class Op<T> {
    final Work<T> work;
    final Consumer<T> onCommit;
    T result;
    Throwable failure;
    boolean done;

    Op(Work<T> work, Consumer<T> onCommit) {
      this.work = work;
      this.onCommit = onCommit;
    }

    void run(Connection c) throws SQLException {
      result = work.run(c);
    }

    void failed(Throwable t) {
      if (failure == null) {
        failure = t;
      }
    }

    void committed() {
      if (failure == null) {
        try {
          onCommit.accept(result);
        } catch (RuntimeException | Error e) {
          failure = e;
        }
      }
    }

    /** The work's result, or what it (or its batch's commit) threw. */
    T result() throws SQLException {
      switch (failure) {
        case null -> {
          return result;
        }
        case SQLException e -> throw e;
        case RuntimeException e -> throw e;
        case Error e -> throw e;
        default -> throw new IllegalStateException(failure);
      }
    }
  }

  /** Transactions committed so far: with concurrent writers, fewer than the works run. */
  long commits() {
    return commits;
  }

  /** Works waiting for a commit; for tests. */
  int queued() {
    return queued.size();
  }

  /** Runs the statements, e.g. a schema, in one transaction. */
  void execute(String... sql) throws SQLException {
    tx(c -> {
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
