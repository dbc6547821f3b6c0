package dev.parigot.services;

import dev.parigot.services.store.QueueStore;
import java.lang.System.Logger.Level;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Optional;

/**
 * The queues in the shared SQLite store: every app's messages in one table.
 *
 * <p>Whether a message is out for delivery (leased) is a column, so Length can count it; the lease
 * itself (who holds it, its timer) lives in the service. When the store is opened, the process that
 * held the leases is gone, so every lease is returned at once: that is what makes a kill of the
 * kernel redeliver rather than lose.
 *
 * <p>A message is charged to the {@link DiskQuotas disk quota} of the program that sent it (column
 * {@code program}) until it is acked; dead-lettering keeps it, and its charge.
 */
final class SqliteQueue implements QueueStore {
  private static final System.Logger LOG = System.getLogger("dev.parigot.services");

  static final String[] SCHEMA = {
    // AUTOINCREMENT: ids are never reused, so an old id can never ack a newer message.
    """
    CREATE TABLE IF NOT EXISTS queue_messages (
      id INTEGER PRIMARY KEY AUTOINCREMENT, app TEXT NOT NULL, queue TEXT NOT NULL,
      body BLOB NOT NULL, sent_nanos INTEGER NOT NULL, attempts INTEGER NOT NULL,
      max_attempts INTEGER NOT NULL, leased INTEGER NOT NULL, dead_from TEXT NOT NULL)\
    """,
    "CREATE INDEX IF NOT EXISTS queue_ready ON queue_messages (app, queue, leased, id)",
    """
    CREATE TABLE IF NOT EXISTS queue_config (
      app TEXT NOT NULL, queue TEXT NOT NULL, max_attempts INTEGER NOT NULL,
      dead_letter TEXT NOT NULL, PRIMARY KEY (app, queue)) WITHOUT ROWID\
    """,
  };

  private final Store store;
  private final DiskQuotas quotas;

  SqliteQueue(Store store, DiskQuotas quotas) throws SQLException {
    this.store = store;
    this.quotas = quotas;
    store.execute(SCHEMA);
    store.tx(c -> {
      DiskQuotas.addProgramColumn(c, "queue_messages");
      return null;
    });
    int returned =
        store.tx(c -> {
          deadLetterSpent(c, "leased = 1");
          try (var s =
              c.prepareStatement("UPDATE queue_messages SET leased = 0 WHERE leased = 1")) {
            return s.executeUpdate();
          }
        });
    if (returned > 0) {
      LOG.log(
          Level.INFO,
          "queue: {0} messages that were out for delivery when the store was"
              + " last closed are visible again",
          returned);
    }
  }

  @Override
  public long send(
      String app, String program, String queue, byte[] body, long sentUnixNanos, int maxAttempts)
      throws SQLException {
    return quotas.tx(
        store,
        (c, charge) -> {
          int attempts = maxAttempts > 0 ? maxAttempts : maxAttempts(c, app, queue);
          charge.reserve(app, program, body.length + DiskQuotas.ROW);
          try (var s =
              c.prepareStatement(
                  "INSERT INTO queue_messages (app, queue, body, sent_nanos, attempts,"
                      + " max_attempts, leased, dead_from, program)"
                      + " VALUES (?, ?, ?, ?, 0, ?, 0, '', ?) RETURNING id")) {
            s.setString(1, app);
            s.setString(2, queue);
            s.setBytes(3, body);
            s.setLong(4, sentUnixNanos);
            s.setInt(5, attempts);
            s.setString(6, program);
            try (ResultSet rs = s.executeQuery()) {
              rs.next();
              return rs.getLong(1);
            }
          }
        },
        sentId -> {});
  }

  @Override
  public boolean sendsFromElsewhere() {
    return false;
  }

  @Override
  public Optional<Delivery> claim(String app, String queue) throws SQLException {
    return Optional.ofNullable(
        store.tx(c -> {
          try (var s =
              c.prepareStatement(
                  "UPDATE queue_messages SET leased = 1, attempts = attempts + 1 WHERE id ="
                      + " (SELECT id FROM queue_messages WHERE app = ? AND queue = ? AND leased = 0"
                      + " ORDER BY id LIMIT 1)"
                      + " RETURNING id, attempts, body, sent_nanos, dead_from")) {
            s.setString(1, app);
            s.setString(2, queue);
            try (ResultSet rs = s.executeQuery()) {
              if (!rs.next()) {
                return null;
              }
              return new Delivery(
                  rs.getLong(1), rs.getInt(2), rs.getBytes(3), rs.getLong(4), rs.getString(5));
            }
          }
        }));
  }

  @Override
  public void ack(String app, String queue, long id) throws SQLException {
    quotas.tx(
        store,
        (c, charge) -> {
          try (var s =
              c.prepareStatement(
                  "DELETE FROM queue_messages WHERE id = ? RETURNING program, length(body)")) {
            s.setLong(1, id);
            try (ResultSet rs = s.executeQuery()) {
              if (rs.next()) {
                charge.free(app, rs.getString(1), rs.getLong(2) + DiskQuotas.ROW);
              }
            }
          }
          return null;
        },
        none -> {});
  }

  @Override
  public boolean release(String app, String queue, long id) throws SQLException {
    return store.tx(c -> {
      if (deadLetterSpent(c, "id = " + id) > 0) {
        return true;
      }
      try (var s = c.prepareStatement("UPDATE queue_messages SET leased = 0 WHERE id = ?")) {
        s.setLong(1, id);
        s.executeUpdate();
      }
      return false;
    });
  }

  /**
   * Moves the leased messages matching {@code where} that have used up their attempts to their
   * queue's dead-letter queue; returns how many moved.
   */
  private static int deadLetterSpent(Connection c, String where) throws SQLException {
    try (var s =
        c.prepareStatement(
            "UPDATE queue_messages SET"
                + " dead_from = queue,"
                + " queue = COALESCE((SELECT dead_letter FROM queue_config q"
                + "   WHERE q.app = queue_messages.app AND q.queue = queue_messages.queue), '"
                + Queues.DEFAULT_DEAD_LETTER
                + "'),"
                // Dead messages wait for a person or a program to look at them: never again.
                + " attempts = 0, max_attempts = 0, leased = 0"
                + " WHERE leased = 1 AND max_attempts > 0 AND attempts >= max_attempts AND "
                + where)) {
      return s.executeUpdate();
    }
  }

  @Override
  public Length length(String app, String queue) throws SQLException {
    return store.tx(c -> {
      try (var s =
          c.prepareStatement(
              "SELECT leased, COUNT(*) FROM queue_messages WHERE app = ? AND queue = ?"
                  + " GROUP BY leased")) {
        s.setString(1, app);
        s.setString(2, queue);
        long visible = 0;
        long inFlight = 0;
        try (ResultSet rs = s.executeQuery()) {
          while (rs.next()) {
            if (rs.getInt(1) == 0) {
              visible = rs.getLong(2);
            } else {
              inFlight = rs.getLong(2);
            }
          }
        }
        return new Length(visible, inFlight);
      }
    });
  }

  @Override
  public void configure(String app, String queue, int maxAttempts, String deadLetter)
      throws SQLException {
    store.tx(c -> {
      try (var s =
          c.prepareStatement(
              "INSERT INTO queue_config (app, queue, max_attempts, dead_letter) VALUES (?, ?, ?, ?)"
                  + " ON CONFLICT (app, queue) DO UPDATE SET max_attempts = excluded.max_attempts,"
                  + " dead_letter = excluded.dead_letter")) {
        s.setString(1, app);
        s.setString(2, queue);
        s.setInt(3, maxAttempts);
        s.setString(4, deadLetter);
        s.executeUpdate();
      }
      return null;
    });
  }

  private static int maxAttempts(Connection c, String app, String queue) throws SQLException {
    try (var s =
        c.prepareStatement("SELECT max_attempts FROM queue_config WHERE app = ? AND queue = ?")) {
      s.setString(1, app);
      s.setString(2, queue);
      try (ResultSet rs = s.executeQuery()) {
        return rs.next() ? rs.getInt(1) : Queues.DEFAULT_ATTEMPTS;
      }
    }
  }
}
