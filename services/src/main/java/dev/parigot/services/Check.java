package dev.parigot.services;

import java.nio.charset.StandardCharsets;

/** Field validation shared by the services; each check throws INVALID_ARGUMENT naming the field. */
final class Check {
  private Check() {}

  /**
   * A name (bucket, queue, field key): 1 to {@code max} bytes of [A-Za-z0-9._-], starting with a
   * letter or digit, so it is safe to print and to use as a file or metric name later.
   */
  static String name(String field, String value, int max) {
    if (value.isEmpty()) {
      throw Failure.invalid(field + ": required");
    }
    if (value.length() > max) {
      throw Failure.invalid(field + ": " + value.length() + " bytes; at most " + max);
    }
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      boolean alnum = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9';
      if (!alnum && (i == 0 || c != '.' && c != '_' && c != '-')) {
        throw Failure.invalid(
            field
                + ": '"
                + printable(value)
                + "' is not a name (a letter or digit, then letters, digits, '.', '_' or '-')");
      }
    }
    return value;
  }

  /** UTF-8 text of {@code min} to {@code max} bytes without NUL; returns its bytes. */
  static byte[] text(String field, String value, int min, int max) {
    byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
    if (bytes.length < min) {
      throw Failure.invalid(field + ": required");
    }
    if (bytes.length > max) {
      throw Failure.invalid(field + ": " + bytes.length + " bytes; at most " + max);
    }
    if (value.indexOf('\0') >= 0) {
      throw Failure.invalid(field + ": contains NUL");
    }
    return bytes;
  }

  static void size(String field, int size, int max) {
    if (size > max) {
      throw Failure.invalid(field + ": " + size + " bytes; at most " + max);
    }
  }

  static long range(String field, long value, long min, long max) {
    if (value < min || value > max) {
      throw Failure.invalid(field + ": " + value + " is not in " + min + " to " + max);
    }
    return value;
  }

  /** The value with control characters escaped, for messages. */
  static String printable(String value) {
    var s = new StringBuilder();
    value
        .codePoints()
        .limit(80)
        .forEach(c -> {
          if (Character.isISOControl(c)) {
            s.append(String.format("\\x%02x", c));
          } else {
            s.appendCodePoint(c);
          }
        });
    return s.toString();
  }
}
