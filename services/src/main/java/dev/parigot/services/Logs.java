package dev.parigot.services;

import dev.parigot.kernel.Caller;
import dev.parigot.kernel.Kernel;
import dev.parigot.services.proto.LogProto;
import dev.parigot.services.proto.LogProto.Field;
import dev.parigot.services.proto.LogProto.Level;
import dev.parigot.services.proto.LogProto.WriteRequest;
import dev.parigot.services.proto.LogProto.WriteResponse;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.ThreadFactory;
import java.util.function.Consumer;

/**
 * parigot.log.v1.Log: structured records, shown on the kernel's output and stored for {@code
 * parigot logs}. See log.proto for the contract.
 *
 * <p>Shown through {@link Kernel.Output}, as a line of the calling process: a guest's log record
 * then reads like its stderr, in the same stream, tagged the same way, and an embedding host (or a
 * test) that captures guest output captures logs too.
 */
final class Logs {
  static final int MAX_MESSAGE = 8192;
  static final int MAX_FIELDS = 32;
  static final int MAX_FIELD_KEY = 64;
  static final int MAX_FIELD_VALUE = 1024;

  /** Records kept per app; older ones are trimmed. */
  static final long KEEP = 100_000;

  static final String[] SCHEMA = {
    """
    CREATE TABLE IF NOT EXISTS log (
      id INTEGER PRIMARY KEY, unix_nanos INTEGER NOT NULL, app TEXT NOT NULL,
      program TEXT NOT NULL, pid INTEGER NOT NULL, level INTEGER NOT NULL,
      message TEXT NOT NULL, fields TEXT NOT NULL)\
    """,
    "CREATE INDEX IF NOT EXISTS log_app ON log (app, id)",
  };

  private final Store store;
  private final Time time;
  private final Kernel.Output output;
  private long writes;

  Logs(Store store, Time time, Kernel.Output output) throws SQLException {
    this.store = store;
    this.time = time;
    this.output = output;
    store.execute(SCHEMA);
  }

  Dispatcher dispatcher(ThreadFactory threads) {
    return Dispatcher.of(LogProto.getDescriptor().findServiceByName("Log"), threads)
        .on("Write", WriteRequest.getDefaultInstance(), this::write)
        .build();
  }

  private WriteResponse write(Call call, WriteRequest r) throws SQLException {
    if (r.getLevel() == Level.LEVEL_UNSPECIFIED || r.getLevel() == Level.UNRECOGNIZED) {
      throw Failure.invalid(
          "level: " + r.getLevelValue() + " is not a level (DEBUG 1, INFO 2, WARN 3, ERROR 4)");
    }
    Check.text("message", r.getMessage(), 1, MAX_MESSAGE);
    if (r.getFieldsCount() > MAX_FIELDS) {
      throw Failure.invalid("fields: " + r.getFieldsCount() + " fields; at most " + MAX_FIELDS);
    }
    for (int i = 0; i < r.getFieldsCount(); i++) {
      Field f = r.getFields(i);
      Check.name("fields[" + i + "].key", f.getKey(), MAX_FIELD_KEY);
      Check.text("fields[" + i + "].value", f.getValue(), 0, MAX_FIELD_VALUE);
    }
    Caller caller = call.caller();
    long now = time.wallNanos();
    String fields = fields(r.getFieldsList());
    store.tx(c -> {
      try (var s =
          c.prepareStatement(
              "INSERT INTO log (unix_nanos, app, program, pid, level, message, fields)"
                  + " VALUES (?, ?, ?, ?, ?, ?, ?)")) {
        s.setLong(1, now);
        s.setString(2, caller.app());
        s.setString(3, caller.program());
        s.setLong(4, caller.pid());
        s.setInt(5, r.getLevelValue());
        s.setString(6, r.getMessage());
        s.setString(7, fields);
        s.executeUpdate();
      }
      if (++writes % 1000 == 0) {
        trim(c, caller.app());
      }
      return null;
    });
    if (r.getLevel().getNumber() >= Level.INFO_VALUE) {
      output.line(
          caller.process(),
          r.getLevel().getNumber() >= Level.WARN_VALUE,
          r.getLevel().name() + " " + r.getMessage() + (fields.isEmpty() ? "" : " " + fields));
    }
    return WriteResponse.getDefaultInstance();
  }

  private static void trim(Connection c, String app) throws SQLException {
    try (var s =
        c.prepareStatement(
            "DELETE FROM log WHERE app = ? AND id <= (SELECT id FROM log WHERE app = ?"
                + " ORDER BY id DESC LIMIT 1 OFFSET ?)")) {
      s.setString(1, app);
      s.setString(2, app);
      s.setLong(3, KEEP);
      s.executeUpdate();
    }
  }

  /** {@code k=v k2="a b"}: values quoted when they hold blanks, quotes or nothing. */
  static String fields(List<Field> fields) {
    var s = new StringBuilder();
    for (Field f : fields) {
      if (!s.isEmpty()) {
        s.append(' ');
      }
      s.append(f.getKey()).append('=');
      String v = f.getValue();
      if (v.isEmpty() || v.chars().anyMatch(ch -> ch <= ' ' || ch == '"' || ch == '\\')) {
        s.append('"')
            .append(v.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n"))
            .append('"');
      } else {
        s.append(v);
      }
    }
    return s.toString();
  }

  /**
   * Passes the records of {@code app} in {@code store} after {@code afterId} with at least {@code
   * minLevel}, oldest first, formatted as {@code TIME PROGRAM[PID] LEVEL message fields}, to {@code
   * out}.
   *
   * @return the id of the last record read, or {@code afterId} if there was none
   */
  static long read(Store store, String app, long afterId, Level minLevel, Consumer<String> out)
      throws SQLException {
    return store.tx(c -> {
      long last = afterId;
      try (var s =
          c.prepareStatement(
              "SELECT id, unix_nanos, program, pid, level, message, fields FROM log"
                  + " WHERE app = ? AND id > ? AND level >= ? ORDER BY id")) {
        s.setString(1, app);
        s.setLong(2, afterId);
        s.setInt(3, minLevel.getNumber());
        try (ResultSet rs = s.executeQuery()) {
          while (rs.next()) {
            last = rs.getLong(1);
            long nanos = rs.getLong(2);
            Level level = Level.forNumber(rs.getInt(5));
            String fields = rs.getString(7);
            out.accept(
                Instant.ofEpochSecond(0, nanos)
                    + " "
                    + rs.getString(3)
                    + "["
                    + rs.getLong(4)
                    + "] "
                    + (level == null ? "LEVEL" + rs.getInt(5) : level.name())
                    + " "
                    + rs.getString(6)
                    + (fields.isEmpty() ? "" : " " + fields));
          }
        }
      }
      return last;
    });
  }
}
