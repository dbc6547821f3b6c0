package dev.parigot.services;

import java.io.IOException;
import java.sql.SQLException;

/**
 * Recognizes a full disk in what the JDK and SQLite throw, so that the services answer it with
 * RESOURCE_EXHAUSTED, as a quota that ran out, and not as an internal error.
 */
final class DiskFull {
  /** SQLite's primary result code for "database or disk is full". */
  static final int SQLITE_FULL = 13;

  private DiskFull() {}

  /**
   * Whether {@code thrown}, or what caused it, is a full disk: ENOSPC or EDQUOT from the JDK (which
   * says so only in its message), or SQLITE_FULL.
   */
  static boolean is(Throwable thrown) {
    for (Throwable t = thrown; t != null; t = t.getCause()) {
      if (t instanceof IOException && t.getMessage() != null) {
        String m = t.getMessage();
        if (m.contains("No space left on device") || m.contains("Disk quota exceeded")) {
          return true;
        }
      }
      if (t instanceof SQLException e && (e.getErrorCode() & 0xff) == SQLITE_FULL) {
        return true;
      }
    }
    return false;
  }
}
