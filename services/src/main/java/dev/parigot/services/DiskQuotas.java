package dev.parigot.services;

import dev.parigot.kernel.Manifest;
import dev.parigot.services.proto.StatusProto.Code;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * What each app and each program keeps in the kernel services' data, against its {@link DiskSpec}:
 * the ledger the file, kv and queue services charge before they write. RATIONALE.md ("Why are disk
 * quotas counted as they are?") says what a byte of usage is.
 *
 * <p>Usage is counted from what is there when the services start (the store's rows) and when an app
 * is admitted (its programs' directories), then kept up to date by every change the services make.
 * A change is {@linkplain #reserve checked and reserved} before it is made and {@linkplain #adjust
 * settled} once it is known to have been made or not. Thread-safe: each app's ledger is changed
 * under its own lock.
 */
final class DiskQuotas {
  /** A file counts its size rounded up to this, and an empty file or a directory this much. */
  static final long BLOCK = 4096;

  /** What a kv entry or a queue message counts beyond its key, value or body. */
  static final long ROW = 256;

  /** Usage is kept apart by where it lives, as each is counted again on its own. */
  enum Kind {
    FILES,
    STORE
  }

  private final Map<String, DiskSpec> specs = new ConcurrentHashMap<>();
  private final Map<String, Ledger> ledgers = new ConcurrentHashMap<>();

  /** One app's usage, by program and kind. Guarded by itself. */
  private static final class Ledger {
    final Map<String, long[]> programs = new HashMap<>();

    long[] of(String program) {
      return programs.computeIfAbsent(program, p -> new long[Kind.values().length]);
    }

    long program(String program) {
      long[] u = programs.get(program);
      return u == null ? 0 : u[0] + u[1];
    }

    long app() {
      long sum = 0;
      for (long[] u : programs.values()) {
        sum += u[0] + u[1];
      }
      return sum;
    }
  }

  /** Takes the quotas of {@code manifest}'s app; an app never admitted has the defaults. */
  void admit(Manifest manifest) {
    specs.put(manifest.app(), manifest.section(DiskSection.KEY).orElse(DiskSpec.DEFAULT));
  }

  DiskSpec spec(String app) {
    return specs.getOrDefault(app, DiskSpec.DEFAULT);
  }

  private Ledger ledger(String app) {
    return ledgers.computeIfAbsent(app, a -> new Ledger());
  }

  /** Sets a program's usage of {@code kind} as counted from what is there now. */
  void count(String app, String program, Kind kind, long bytes) {
    Ledger l = ledger(app);
    synchronized (l) {
      l.of(program)[kind.ordinal()] = bytes;
    }
  }

  /**
   * Adds {@code bytes} to a program's usage if the program and its app stay within their quotas;
   * nothing if {@code bytes} is not positive.
   *
   * @throws Failure RESOURCE_EXHAUSTED, naming the quota, if either would be exceeded
   */
  void reserve(String app, String program, Kind kind, long bytes) {
    if (bytes <= 0) {
      return;
    }
    DiskSpec spec = spec(app);
    Ledger l = ledger(app);
    synchronized (l) {
      long appUse = l.app();
      if (appUse + bytes > spec.appBytes()) {
        throw exhausted("app '" + app + "'", appUse, bytes, spec.appBytes(), "[disk] max_mib");
      }
      long programUse = l.program(program);
      long quota = spec.programBytes(program);
      if (programUse + bytes > quota) {
        throw exhausted(
            "program '" + program + "'",
            programUse,
            bytes,
            quota,
            spec.programBytes().containsKey(program) ? "its disk_mib" : "[disk] max_mib");
      }
      l.of(program)[kind.ordinal()] += bytes;
    }
  }

  /** Changes a program's usage without a check: what a change freed, or a correction. */
  void adjust(String app, String program, Kind kind, long bytes) {
    if (bytes == 0) {
      return;
    }
    Ledger l = ledger(app);
    synchronized (l) {
      long[] u = l.of(program);
      // Never below zero: what the services did not count (a file the host put there) frees
      // nothing that was counted.
      u[kind.ordinal()] = Math.max(0, u[kind.ordinal()] + bytes);
    }
  }

  /**
   * Counts what {@code store} holds for each app and program, its kv entries and queue messages,
   * replacing what was counted of it before. Called when the store opens, before the services that
   * use it: a table they have not made yet holds nothing, and one made before disk quotas gets its
   * {@code program} column here.
   */
  void count(Store store) throws SQLException {
    var counted = new ArrayList<Object[]>();
    store.tx(c -> {
      List<String> parts = new ArrayList<>();
      if (exists(c, "kv")) {
        addProgramColumn(c, "kv");
        parts.add(
            "SELECT app, program, length(key) + length(value) + " + ROW + " AS bytes FROM kv");
      }
      if (exists(c, "queue_messages")) {
        addProgramColumn(c, "queue_messages");
        parts.add("SELECT app, program, length(body) + " + ROW + " AS bytes FROM queue_messages");
      }
      if (parts.isEmpty()) {
        return null;
      }
      try (var s = c.createStatement();
          ResultSet rs =
              s.executeQuery(
                  "SELECT app, program, SUM(bytes) FROM ("
                      + String.join(" UNION ALL ", parts)
                      + ") GROUP BY app, program")) {
        while (rs.next()) {
          counted.add(new Object[] {rs.getString(1), rs.getString(2), rs.getLong(3)});
        }
      }
      return null;
    });
    for (Object[] row : counted) {
      count((String) row[0], (String) row[1], Kind.STORE, (Long) row[2]);
    }
  }

  private static boolean exists(Connection c, String table) throws SQLException {
    try (var s =
        c.prepareStatement("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?")) {
      s.setString(1, table);
      try (ResultSet rs = s.executeQuery()) {
        return rs.next();
      }
    }
  }

  /**
   * Adds column {@code program} (who is charged for a row) to a table of a store made before disk
   * quotas: its rows are charged to the app alone, as program "".
   */
  static void addProgramColumn(Connection c, String table) throws SQLException {
    try (var s = c.createStatement()) {
      try (ResultSet rs =
          s.executeQuery(
              "SELECT 1 FROM pragma_table_info('" + table + "')" + " WHERE name = 'program'")) {
        if (rs.next()) {
          return;
        }
      }
      s.execute("ALTER TABLE " + table + " ADD COLUMN program TEXT NOT NULL DEFAULT ''");
    }
  }

  /** What a kv entry counts. */
  static long entry(byte[] key, byte[] value) {
    return key.length + value.length + ROW;
  }

  /** The app's usage in bytes. */
  long used(String app) {
    Ledger l = ledger(app);
    synchronized (l) {
      return l.app();
    }
  }

  /** The program's usage in bytes. */
  long used(String app, String program) {
    Ledger l = ledger(app);
    synchronized (l) {
      return l.program(program);
    }
  }

  private static Failure exhausted(String who, long used, long more, long quota, String key) {
    return new Failure(
        Code.RESOURCE_EXHAUSTED,
        "disk quota: "
            + who
            + " uses "
            + used
            + " bytes of files, kv and queue data and this needs "
            + more
            + " more; its quota is "
            + quota
            + " bytes ("
            + key
            + ")");
  }

  /** What a file of {@code size} bytes counts. */
  static long file(long size) {
    return Math.max(BLOCK, (size + BLOCK - 1) / BLOCK * BLOCK);
  }

  /**
   * The usage changes of one store transaction, made as it runs: {@link #reserve} checks and takes
   * what it adds at once, what it frees is given back only once it commits.
   */
  final class Charge {
    private record Key(String app, String program) {}

    private final Map<Key, Long> reserved = new HashMap<>();
    private final Map<Key, Long> freed = new HashMap<>();

    /**
     * Charges {@code bytes} to a program; see {@link DiskQuotas#reserve}.
     *
     * @throws Failure RESOURCE_EXHAUSTED if a quota would be exceeded
     */
    void reserve(String app, String program, long bytes) {
      DiskQuotas.this.reserve(app, program, Kind.STORE, bytes);
      reserved.merge(new Key(app, program), bytes, Long::sum);
    }

    /** Frees {@code bytes} of a program once the transaction commits. */
    void free(String app, String program, long bytes) {
      freed.merge(new Key(app, program), bytes, Long::sum);
    }

    /** Settles the transaction: gives back what it freed if it committed, else what it took. */
    void settle(boolean committed) {
      var back = committed ? freed : reserved;
      back.forEach((k, bytes) -> adjust(k.app(), k.program(), Kind.STORE, -bytes));
      reserved.clear();
      freed.clear();
    }
  }

  /** Work done in a store transaction that charges what it writes. */
  @FunctionalInterface
  interface Work<T> {
    T run(Connection c, Charge charge) throws SQLException;
  }

  /**
   * Runs {@code work} as {@link Store#tx(Store.Work, Consumer)} does, settling its charge: what it
   * reserved stays taken if it committed, and what it freed is given back; else only what it
   * reserved is given back.
   */
  <T> T tx(Store store, Work<T> work, Consumer<T> committed) throws SQLException {
    var charge = new Charge();
    T result;
    try {
      result = store.tx(c -> work.run(c, charge), committed);
    } catch (SQLException | RuntimeException | Error e) {
      charge.settle(false);
      throw e;
    }
    charge.settle(true);
    return result;
  }
}
