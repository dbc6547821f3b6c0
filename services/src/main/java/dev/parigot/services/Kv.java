package dev.parigot.services;

import com.google.protobuf.ByteString;
import dev.parigot.services.proto.KvProto;
import dev.parigot.services.proto.KvProto.Change;
import dev.parigot.services.proto.KvProto.CompareAndSetRequest;
import dev.parigot.services.proto.KvProto.CompareAndSetResponse;
import dev.parigot.services.proto.KvProto.DeleteRequest;
import dev.parigot.services.proto.KvProto.DeleteResponse;
import dev.parigot.services.proto.KvProto.Entry;
import dev.parigot.services.proto.KvProto.GetRequest;
import dev.parigot.services.proto.KvProto.GetResponse;
import dev.parigot.services.proto.KvProto.ListPage;
import dev.parigot.services.proto.KvProto.ListRequest;
import dev.parigot.services.proto.KvProto.PutRequest;
import dev.parigot.services.proto.KvProto.PutResponse;
import dev.parigot.services.proto.KvProto.WatchRequest;
import dev.parigot.services.proto.StatusProto.Code;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadFactory;

/**
 * parigot.kv.v1.KV: buckets of keys per app, in the shared store. See kv.proto for the contract.
 *
 * <p>Every change is also appended to a history table, which Watch replays from; the history keeps
 * the newest {@link #HISTORY} changes of the store, and at most {@link #HISTORY_BYTES} of their
 * keys and values.
 *
 * <p>Each entry is charged to the {@link DiskQuotas disk quota} of the program that last wrote it
 * (column {@code program}), and freed when it is deleted or another program overwrites it. The
 * history is not charged: it is the store's, bounded in rows and bytes, and an app's own writes
 * push its old changes out.
 */
final class Kv {
  static final int MAX_BUCKET = 128;
  static final int MAX_KEY = 1024;
  static final int MAX_VALUE = 512 * 1024;
  static final int MAX_PAGE = 1000;
  static final int DEFAULT_PAGE = 100;
  static final int PAGE_BYTES = 256 * 1024;
  static final long HISTORY = 100_000;
  static final long HISTORY_BYTES = 64L << 20;

  /** Changes a watcher may have pending before it is cut off as too slow. */
  static final int WATCH_BACKLOG = 10_000;

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

  private final Store store;
  private final DiskQuotas quotas;
  private final Set<Watcher> watchers = ConcurrentHashMap.newKeySet();
  // The history's keys and values in bytes; at least what is there. Guarded by the store's lock.
  private long historyBytes;

  Kv(Store store, DiskQuotas quotas) throws SQLException {
    this.store = store;
    this.quotas = quotas;
    store.execute(SCHEMA);
    historyBytes =
        store.tx(c -> {
          DiskQuotas.addProgramColumn(c, "kv");
          return historySize(c);
        });
  }

  Dispatcher dispatcher(ThreadFactory threads) {
    return Dispatcher.of(KvProto.getDescriptor().findServiceByName("KV"), threads)
        .on("Get", GetRequest.getDefaultInstance(), this::get)
        .on("Put", PutRequest.getDefaultInstance(), this::put)
        .on("Delete", DeleteRequest.getDefaultInstance(), this::delete)
        .on("CompareAndSet", CompareAndSetRequest.getDefaultInstance(), this::compareAndSet)
        .on("List", ListRequest.getDefaultInstance(), this::list)
        .on("Watch", WatchRequest.getDefaultInstance(), this::watch)
        .build();
  }

  private GetResponse get(Call call, GetRequest r) throws SQLException {
    String app = call.caller().app();
    String bucket = bucket(r.getBucket());
    byte[] key = key("key", r.getKey());
    Entry entry =
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
        });
    if (entry == null) {
      throw new Failure(
          Code.NOT_FOUND, "no key '" + Check.printable(r.getKey()) + "' in bucket " + bucket);
    }
    return GetResponse.newBuilder().setEntry(entry).build();
  }

  private PutResponse put(Call call, PutRequest r) throws SQLException {
    String app = call.caller().app();
    String bucket = bucket(r.getBucket());
    byte[] key = key("key", r.getKey());
    Check.size("value", r.getValue().size(), MAX_VALUE);
    long revision =
        write(app, call.caller().program(), bucket, key, r.getValue().toByteArray(), null);
    return PutResponse.newBuilder().setRevision(revision).build();
  }

  private CompareAndSetResponse compareAndSet(Call call, CompareAndSetRequest r)
      throws SQLException {
    String app = call.caller().app();
    String bucket = bucket(r.getBucket());
    byte[] key = key("key", r.getKey());
    Check.size("value", r.getValue().size(), MAX_VALUE);
    long expected = Check.range("expected_revision", r.getExpectedRevision(), 0, Long.MAX_VALUE);
    long revision =
        write(app, call.caller().program(), bucket, key, r.getValue().toByteArray(), expected);
    return CompareAndSetResponse.newBuilder().setRevision(revision).build();
  }

  private DeleteResponse delete(Call call, DeleteRequest r) throws SQLException {
    String app = call.caller().app();
    String bucket = bucket(r.getBucket());
    byte[] key = key("key", r.getKey());
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
    return done == null
        ? DeleteResponse.getDefaultInstance()
        : DeleteResponse.newBuilder()
            .setFound(true)
            .setRevision(done.change().getRevision())
            .build();
  }

  /**
   * Writes a key, if its revision is {@code expected} when that is not null; returns the new one.
   */
  private long write(
      String app, String program, String bucket, byte[] key, byte[] value, Long expected)
      throws SQLException {
    Committed done =
        quotas.tx(
            store,
            (c, charge) -> {
              Owner old = owner(c, app, bucket, key);
              if (expected != null) {
                long current = old == null ? 0 : old.revision();
                if (current != expected) {
                  throw Failure.precondition(
                      "key '"
                          + new String(key, StandardCharsets.UTF_8)
                          + "' in bucket "
                          + bucket
                          + " is at revision "
                          + current
                          + (current == 0 ? " (absent)" : "")
                          + ", not "
                          + expected);
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
    if (revision % 1000 == 0) {
      try (var s = c.prepareStatement("DELETE FROM kv_history WHERE revision <= ?")) {
        s.setLong(1, revision - HISTORY);
        s.executeUpdate();
      }
    }
    // A change rolled back later leaves this too high, which only trims sooner; a trim counts
    // again what is left.
    historyBytes += key.length + (value == null ? 0 : value.length);
    if (historyBytes > HISTORY_BYTES) {
      try (var s =
          c.prepareStatement(
              "DELETE FROM kv_history WHERE revision <= (SELECT MAX(revision) FROM ("
                  + " SELECT revision, SUM(length(key) + COALESCE(length(value), 0))"
                  + " OVER (ORDER BY revision DESC) AS newer FROM kv_history)"
                  + " WHERE newer > ?)")) {
        // Down to three quarters, so that the next trim is many writes away.
        s.setLong(1, HISTORY_BYTES / 4 * 3);
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

  private ListPage list(Call call, ListRequest r) throws SQLException {
    String app = call.caller().app();
    String bucket = bucket(r.getBucket());
    byte[] prefix = Check.text("prefix", r.getPrefix(), 0, MAX_KEY);
    byte[] after = Check.text("start_after", r.getStartAfter(), 0, MAX_KEY);
    int pageSize = (int) Check.range("page_size", r.getPageSize(), 0, MAX_PAGE);
    int limit = (int) Check.range("limit", r.getLimit(), 0, Integer.MAX_VALUE);
    if (pageSize == 0) {
      pageSize = DEFAULT_PAGE;
    }
    byte[] from = compare(after, prefix) > 0 ? after : null;
    byte[] start = from != null ? from : prefix;
    boolean startInclusive = from == null;
    byte[] end = upperBound(prefix);
    call.stream(new Listing(call, app, bucket, start, startInclusive, end, pageSize, limit)::next);
    return null;
  }

  /** A List in progress: each step reads and sends one page, when the caller is ready for it. */
  private final class Listing {
    private final Call call;
    private final String app;
    private final String bucket;
    private final byte[] end;
    private final int pageSize;
    private byte[] start;
    private boolean startInclusive;
    private int left;

    Listing(
        Call call,
        String app,
        String bucket,
        byte[] start,
        boolean startInclusive,
        byte[] end,
        int pageSize,
        int limit) {
      this.call = call;
      this.app = app;
      this.bucket = bucket;
      this.start = start;
      this.startInclusive = startInclusive;
      this.end = end;
      this.pageSize = pageSize;
      this.left = limit == 0 ? Integer.MAX_VALUE : limit;
    }

    boolean next() throws SQLException {
      int want = Math.min(pageSize, left);
      byte[] lo = start;
      boolean inclusive = startInclusive;
      List<Entry> page =
          want == 0 ? List.of() : store.tx(c -> page(c, app, bucket, lo, inclusive, end, want));
      if (page.isEmpty()) {
        call.end(ListPage.getDefaultInstance());
        return false;
      }
      left -= page.size();
      start = page.getLast().getKey().getBytes(StandardCharsets.UTF_8);
      startInclusive = false;
      return call.partial(ListPage.newBuilder().addAllEntries(page).build());
    }
  }

  private static List<Entry> page(
      Connection c, String app, String bucket, byte[] lo, boolean inclusive, byte[] hi, int n)
      throws SQLException {
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
        while (rs.next() && (entries.isEmpty() || bytes < PAGE_BYTES)) {
          byte[] value = rs.getBytes(2);
          bytes += value.length;
          entries.add(entry(rs.getBytes(1), value, rs.getLong(3)));
        }
      }
    }
    return entries;
  }

  private Change watch(Call call, WatchRequest r) throws SQLException {
    String app = call.caller().app();
    String bucket = bucket(r.getBucket());
    byte[] prefix = Check.text("prefix", r.getPrefix(), 0, MAX_KEY);
    long after = Check.range("after_revision", r.getAfterRevision(), 0, Long.MAX_VALUE);
    var watcher = new Watcher(app, bucket, prefix);
    // Registered and replayed in one transaction: no change can fall between the two. The LIVE
    // event goes first: once the caller has it, any write it makes reaches this watch.
    List<Change> replay =
        store.tx(c -> {
          var changes = new ArrayList<Change>();
          long startsAfter = after > 0 ? after : currentRevision(c);
          changes.add(
              Change.newBuilder().setKind(Change.Kind.LIVE).setRevision(startsAfter).build());
          if (after > 0) {
            try (var s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT MIN(revision) FROM kv_history")) {
              long oldest = rs.next() ? rs.getLong(1) : 0;
              if (oldest > after + 1) {
                throw Failure.precondition(
                    "after_revision "
                        + after
                        + " is older than the kept history, which"
                        + " starts at revision "
                        + oldest
                        + "; list the bucket and watch from"
                        + " its newest revision");
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
                  if (startsWith(key, prefix)) {
                    changes.add(
                        change(
                            Change.Kind.forNumber(rs.getInt(4)),
                            key,
                            rs.getBytes(3),
                            rs.getLong(1)));
                  }
                }
              }
            }
          }
          watchers.add(watcher);
          return changes;
        });
    // However the watch ends: its caller cancels it (or dies), or it fails below.
    call.onCancel(() -> watchers.remove(watcher));
    Iterator<Change> replayed = replay.iterator();
    call.stream(() -> {
      // Waiting here is for the next change, never for the caller: steps run when it is ready.
      Change change = replayed.hasNext() ? replayed.next() : watcher.pending.take();
      if (change == Watcher.OVERFLOW) {
        watchers.remove(watcher);
        call.fail(
            Code.RESOURCE_EXHAUSTED,
            "more than "
                + WATCH_BACKLOG
                + " changes waited for this watch; read faster or watch a narrower prefix");
        return false;
      }
      return call.partial(change);
    });
    return null;
  }

  /** Hands a committed change to the watchers it concerns; runs in commit order. */
  private void publish(Committed done) {
    if (done == null) {
      return;
    }
    byte[] key = done.change().getKey().getBytes(StandardCharsets.UTF_8);
    for (Watcher w : watchers) {
      if (w.app.equals(done.app()) && w.bucket.equals(done.bucket()) && startsWith(key, w.prefix)) {
        w.offer(done.change());
      }
    }
  }

  /** A watch in progress and the changes it has yet to send. */
  private static final class Watcher {
    static final Change OVERFLOW = Change.getDefaultInstance();
    final String app;
    final String bucket;
    final byte[] prefix;
    // One slot more than the backlog, for the overflow marker.
    final BlockingQueue<Change> pending = new LinkedBlockingQueue<>(WATCH_BACKLOG + 1);
    private boolean overflowed;

    Watcher(String app, String bucket, byte[] prefix) {
      this.app = app;
      this.bucket = bucket;
      this.prefix = prefix;
    }

    /** Called under the store's lock, so one thread at a time. */
    void offer(Change change) {
      if (overflowed) {
        return;
      }
      if (pending.size() >= WATCH_BACKLOG) {
        overflowed = true;
        pending.add(OVERFLOW);
        return;
      }
      pending.add(change);
    }
  }

  private static String bucket(String bucket) {
    return Check.name("bucket", bucket, MAX_BUCKET);
  }

  private static byte[] key(String field, String key) {
    return Check.text(field, key, 1, MAX_KEY);
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

  private static boolean startsWith(byte[] key, byte[] prefix) {
    return key.length >= prefix.length
        && Arrays.equals(key, 0, prefix.length, prefix, 0, prefix.length);
  }

  /** Unsigned byte order, as SQLite compares blobs. */
  private static int compare(byte[] a, byte[] b) {
    return Arrays.compareUnsigned(a, b);
  }

  /** The smallest key above every key starting with {@code prefix}; null if there is none. */
  private static byte[] upperBound(byte[] prefix) {
    for (int i = prefix.length - 1; i >= 0; i--) {
      if (prefix[i] != (byte) 0xff) {
        byte[] bound = Arrays.copyOf(prefix, i + 1);
        bound[i]++;
        return bound;
      }
    }
    return null;
  }
}
