package dev.parigot.services;

import com.google.protobuf.ByteString;
import dev.parigot.services.proto.KvProto.Change;
import dev.parigot.services.proto.KvProto.Entry;
import dev.parigot.services.store.KvStore;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * The kv store in the shared SQLite store: every app's buckets in one table.
 *
 * <p>Every change is also appended to a history table, which a watch replays from; the history
 * keeps the newest {@code history} changes of the store (trimmed in steps), and at most {@link
 * Kv#HISTORY_BYTES} of their keys and values.
 *
 * <p>Each entry is charged to the {@link DiskQuotas disk quota} of the program that last wrote it
 * (column {@code program}), and freed when it is deleted or another program overwrites it. The
 * history is not charged: it is the store's, bounded in rows and bytes, and an app's own writes
 * push its old changes out.
 */
final class SqliteKv implements KvStore {
  static final String[] SCHEMA = {
    """
    CREATE TABLE IF NOT EXISTS kv (
      app TEXT NOT NULL, bucket TEXT NOT NULL, key BLOB NOT NULL,
      value BLOB NOT NULL, revision INTEGER NOT NULL,
      PRIMARY KEY (app, bucket, key)) WITHOUT ROWID\
    """,
    """
    CREATE TABLE IF NOT EXISTS kv_history (
      revision INTEGER PRIMARY KEY, app TEXT NOT NULL, bucket TEXT NOT NULL,
      key BLOB NOT NULL, value BLOB, kind INTEGER NOT NULL)\
    """,
  };

  /** A committed change, for the watchers. */
  private record Committed(String app, String bucket, Change change) {}

  /** A live watch: what it watches and where its changes go. */
  private record Watcher(String app, String bucket, byte[] prefix, Consumer<Change> live) {}

  private final Store store;
  private final DiskQuotas quotas;
  private final long history;
  private final long trimEvery;
  private final Set<Watcher> watchers = ConcurrentHashMap.newKeySet();
  // The history's keys and values in bytes; at least what is there. Guarded by the store's lock.
  private long historyBytes;

  /** The store with the default history, {@link Kv#HISTORY} changes. */
  SqliteKv(Store store, DiskQuotas quotas) throws SQLException {
    this(store, quotas, Kv.HISTORY);
  }

  SqliteKv(Store store, DiskQuotas quotas, long history) throws SQLException {
    this.store = store;
    this.quotas = quotas;
    this.history = history;
    this.trimEvery = Math.min(1000, history);
    store.execute(SCHEMA);
    historyBytes =
        store.tx(c -> {
          DiskQuotas.addProgramColumn(c, "kv");
          return historySize(c);
        });
  }

  @Override
  public Optional<Entry> get(String app, String bucket, byte[] key) throws SQLException {
    return Optional.ofNullable(
        store.tx(c -> {
          try (var s =
              c.prepareStatement(
                  "SELECT value, revision FROM kv WHERE app = ? AND bucket = ? AND key = ?")) {
            s.setString(1, app);
            s.setString(2, bucket);
            s.setBytes(3, key);
            try (ResultSet rs = s.executeQuery()) {
              return rs.next() ? entry(key, rs.getBytes(1), rs.getLong(2)) : null;
            }
          }
        }));
  }

  @Override
  public OptionalLong delete(String app, String bucket, byte[] key) throws SQLException {
    Committed done =
        quotas.tx(
            store,
            (c, charge) -> {
              if (revisionOf(c, app, bucket, key) == 0) {
                return null;
              }
              long revision = nextRevision(c);
              try (var s =
                  c.prepareStatement(
                      "DELETE FROM kv WHERE app = ? AND bucket = ? AND key = ?"
                          + " RETURNING program, length(key) + length(value)")) {
                s.setString(1, app);
                s.setString(2, bucket);
                s.setBytes(3, key);
                try (ResultSet rs = s.executeQuery()) {
                  rs.next();
                  charge.free(app, rs.getString(1), rs.getLong(2) + DiskQuotas.ROW);
                }
              }
              record(c, revision, app, bucket, key, null);
              return new Committed(app, bucket, change(Change.Kind.DELETE, key, null, revision));
            },
            this::publish);
    return done == null ? OptionalLong.empty() : OptionalLong.of(done.change().getRevision());
  }

  @Override
  public long put(
      String app, String program, String bucket, byte[] key, byte[] value, OptionalLong expected)
      throws SQLException {
    Committed done =
        quotas.tx(
            store,
            (c, charge) -> {
              Owner old = owner(c, app, bucket, key);
              if (expected.isPresent()) {
                long current = old == null ? 0 : old.revision();
                if (current != expected.getAsLong()) {
                  throw Kv.notAt(bucket, key, current, expected.getAsLong());
                }
              }
              long bytes = DiskQuotas.entry(key, value);
              if (old != null && old.program().equals(program)) {
                if (bytes > old.bytes()) {
                  charge.reserve(app, program, bytes - old.bytes());
                } else {
                  charge.free(app, program, old.bytes() - bytes);
                }
              } else {
                charge.reserve(app, program, bytes);
                if (old != null) {
                  charge.free(app, old.program(), old.bytes());
                }
              }
              long revision = nextRevision(c);
              try (var s =
                  c.prepareStatement(
                      "INSERT INTO kv (app, bucket, key, value, revision, program)"
                          + " VALUES (?, ?, ?, ?, ?, ?)"
                          + " ON CONFLICT (app, bucket, key)"
                          + " DO UPDATE SET value = excluded.value,"
                          + " revision = excluded.revision, program = excluded.program")) {
                s.setString(1, app);
                s.setString(2, bucket);
                s.setBytes(3, key);
                s.setBytes(4, value);
                s.setLong(5, revision);
                s.setString(6, program);
                s.executeUpdate();
              }
              record(c, revision, app, bucket, key, value);
              return new Committed(app, bucket, change(Change.Kind.PUT, key, value, revision));
            },
            this::publish);
    return done.change().getRevision();
  }

  /** Who is charged for an entry, what it counts, and its revision. */
  private record Owner(String program, long bytes, long revision) {}

  private static Owner owner(Connection c, String app, String bucket, byte[] key)
      throws SQLException {
    try (var s =
        c.prepareStatement(
            "SELECT program, length(key) + length(value), revision FROM kv"
                + " WHERE app = ? AND bucket = ? AND key = ?")) {
      s.setString(1, app);
      s.setString(2, bucket);
      s.setBytes(3, key);
      try (ResultSet rs = s.executeQuery()) {
        return rs.next()
            ? new Owner(rs.getString(1), rs.getLong(2) + DiskQuotas.ROW, rs.getLong(3))
            : null;
      }
    }
  }

  private static long revisionOf(Connection c, String app, String bucket, byte[] key)
      throws SQLException {
    try (var s =
        c.prepareStatement("SELECT revision FROM kv WHERE app = ? AND bucket = ? AND key = ?")) {
      s.setString(1, app);
      s.setString(2, bucket);
      s.setBytes(3, key);
      try (ResultSet rs = s.executeQuery()) {
        return rs.next() ? rs.getLong(1) : 0;
      }
    }
  }

  /** Revisions are store-wide; the history always holds the newest, so its maximum is current. */
  private static long nextRevision(Connection c) throws SQLException {
    return currentRevision(c) + 1;
  }

  private static long currentRevision(Connection c) throws SQLException {
    try (var s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT COALESCE(MAX(revision), 0) FROM kv_history")) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private void record(
      Connection c, long revision, String app, String bucket, byte[] key, byte[] value)
      throws SQLException {
    try (var s =
        c.prepareStatement(
            "INSERT INTO kv_history (revision, app, bucket, key, value, kind)"
                + " VALUES (?, ?, ?, ?, ?, ?)")) {
      s.setLong(1, revision);
      s.setString(2, app);
      s.setString(3, bucket);
      s.setBytes(4, key);
      s.setBytes(5, value);
      s.setInt(6, value == null ? Change.Kind.DELETE_VALUE : Change.Kind.PUT_VALUE);
      s.executeUpdate();
    }
    // Trim in steps, not on every write, to keep a put cheap.
    if (revision % trimEvery == 0) {
      try (var s = c.prepareStatement("DELETE FROM kv_history WHERE revision <= ?")) {
        s.setLong(1, revision - history);
        s.executeUpdate();
      }
    }
    // A change rolled back later leaves this too high, which only trims sooner; a trim counts
    // again what is left.
    historyBytes += key.length + (value == null ? 0 : value.length);
    if (historyBytes > Kv.HISTORY_BYTES) {
      try (var s =
          c.prepareStatement(
              "DELETE FROM kv_history WHERE revision <= (SELECT MAX(revision) FROM ("
                  + " SELECT revision, SUM(length(key) + COALESCE(length(value), 0))"
                  + " OVER (ORDER BY revision DESC) AS newer FROM kv_history)"
                  + " WHERE newer > ?)")) {
        // Down to three quarters, so that the next trim is many writes away.
        s.setLong(1, Kv.HISTORY_BYTES / 4 * 3);
        s.executeUpdate();
      }
      historyBytes = historySize(c);
    }
  }

  private static long historySize(Connection c) throws SQLException {
    try (var s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT COALESCE(SUM(length(key) + COALESCE(length(value), 0)), 0)"
                    + " FROM kv_history")) {
      rs.next();
      return rs.getLong(1);
    }
  }

  @Override
  public List<Entry> page(
      String app, String bucket, byte[] lo, boolean inclusive, Optional<byte[]> end, int n)
      throws SQLException {
    byte[] hi = end.orElse(null);
    return store.tx(c -> {
      String sql =
          "SELECT key, value, revision FROM kv WHERE app = ? AND bucket = ? AND key "
              + (inclusive ? ">=" : ">")
              + " ?"
              + (hi != null ? " AND key < ?" : "")
              + " ORDER BY key LIMIT ?";
      var entries = new ArrayList<Entry>();
      try (PreparedStatement s = c.prepareStatement(sql)) {
        int i = 1;
        s.setString(i++, app);
        s.setString(i++, bucket);
        s.setBytes(i++, lo);
        if (hi != null) {
          s.setBytes(i++, hi);
        }
        s.setInt(i, n);
        long bytes = 0;
        try (ResultSet rs = s.executeQuery()) {
          // A page ends at PAGE_BYTES of values, but always holds at least one entry.
          while (rs.next() && (entries.isEmpty() || bytes < Kv.PAGE_BYTES)) {
            byte[] value = rs.getBytes(2);
            bytes += value.length;
            entries.add(entry(rs.getBytes(1), value, rs.getLong(3)));
          }
        }
      }
      return entries;
    });
  }

  @Override
  public Watch watch(String app, String bucket, byte[] prefix, long after, Consumer<Change> live)
      throws SQLException {
    var watcher = new Watcher(app, bucket, prefix, live);
    // Registered and replayed in one transaction: no change can fall between the two.
    return store.tx(c -> {
      var changes = new ArrayList<Change>();
      if (after > 0) {
        try (var s = c.createStatement();
            ResultSet rs = s.executeQuery("SELECT MIN(revision) FROM kv_history")) {
          long oldest = rs.next() ? rs.getLong(1) : 0;
          if (oldest > after + 1) {
            throw Kv.pastHistory(after, oldest);
          }
        }
        try (var s =
            c.prepareStatement(
                "SELECT revision, key, value, kind FROM kv_history"
                    + " WHERE revision > ? AND app = ? AND bucket = ? ORDER BY revision")) {
          s.setLong(1, after);
          s.setString(2, app);
          s.setString(3, bucket);
          try (ResultSet rs = s.executeQuery()) {
            while (rs.next()) {
              byte[] key = rs.getBytes(2);
              if (Kv.startsWith(key, prefix)) {
                changes.add(
                    change(
                        Change.Kind.forNumber(rs.getInt(4)), key, rs.getBytes(3), rs.getLong(1)));
              }
            }
          }
        }
      }
      long current = currentRevision(c);
      watchers.add(watcher);
      List<Change> replay = List.copyOf(changes);
      return new Watch() {
        @Override
        public List<Change> replay() {
          return replay;
        }

        @Override
        public long liveAfter() {
          return current;
        }

        @Override
        public void close() {
          watchers.remove(watcher);
        }
      };
    });
  }

  /** Hands a committed change to the watchers it concerns; runs in commit order. */
  private void publish(Committed done) {
    if (done == null) {
      return;
    }
    byte[] key = done.change().getKey().getBytes(StandardCharsets.UTF_8);
    for (Watcher w : watchers) {
      if (w.app.equals(done.app())
          && w.bucket.equals(done.bucket())
          && Kv.startsWith(key, w.prefix)) {
        w.live.accept(done.change());
      }
    }
  }

  private static Entry entry(byte[] key, byte[] value, long revision) {
    return Entry.newBuilder()
        .setKey(new String(key, StandardCharsets.UTF_8))
        .setValue(ByteString.copyFrom(value))
        .setRevision(revision)
        .build();
  }

  private static Change change(Change.Kind kind, byte[] key, byte[] value, long revision) {
    var b =
        Change.newBuilder()
            .setKind(kind)
            .setKey(new String(key, StandardCharsets.UTF_8))
            .setRevision(revision);
    if (value != null) {
      b.setValue(ByteString.copyFrom(value));
    }
    return b.build();
  }
}
