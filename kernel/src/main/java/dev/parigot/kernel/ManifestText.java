package dev.parigot.kernel;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import org.tomlj.TomlArray;
import org.tomlj.TomlTable;

/**
 * The bounds on a manifest's text, checked before and after tomlj parses it: tomlj reads the whole
 * text into tokens and parses nested arrays and inline tables by recursion, so that an unbounded
 * text runs the JVM out of memory and a deeply nested one out of stack.
 */
final class ManifestText {
  /** The largest manifest, in bytes of UTF-8. */
  static final int MAX_BYTES = 1 << 20;

  /**
   * How deep arrays and tables may nest in a manifest; a real one nests three or four deep. tomlj
   * 1.1.1 overflows the JVM's default 1 MiB stack at 1,000 nested arrays or inline tables, and a
   * 512 KiB one at 375 arrays.
   */
  static final int MAX_DEPTH = 32;

  private static final String TOO_LARGE =
      "more than " + MAX_BYTES + " bytes; a manifest may be at most " + MAX_BYTES + " (1 MiB)";

  private ManifestText() {}

  /**
   * Reads {@code file} as UTF-8, at most {@link #MAX_BYTES} of it.
   *
   * @throws ManifestException if it is larger
   * @throws IOException if it cannot be read or is not UTF-8
   */
  static String read(Path file) throws IOException {
    byte[] bytes;
    try (InputStream in = Files.newInputStream(file)) {
      bytes = in.readNBytes(MAX_BYTES + 1);
    }
    if (bytes.length > MAX_BYTES) {
      throw new ManifestException(file, List.of(file + ": " + TOO_LARGE));
    }
    // A strict decoder: malformed input is an error, not replacement characters.
    return StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(bytes)).toString();
  }

  /** Why {@code toml} is too large to parse, if it is. */
  static Optional<String> size(String toml) {
    // Each char is at least one byte; counted only up to the bound.
    long bytes = 0;
    for (int i = 0; i < toml.length() && bytes <= MAX_BYTES; i++) {
      char c = toml.charAt(i);
      bytes += c < 0x80 ? 1 : c < 0x800 ? 2 : Character.isSurrogate(c) ? 2 : 3;
    }
    return bytes > MAX_BYTES ? Optional.of(TOO_LARGE) : Optional.empty();
  }

  /** The problem for text nested deeper than {@link #MAX_DEPTH}. */
  static String tooDeep() {
    return "arrays and tables nest more than "
        + MAX_DEPTH
        + " deep; a manifest may nest at most "
        + MAX_DEPTH;
  }

  /**
   * The line on which arrays and inline tables first nest deeper than {@link #MAX_DEPTH}, found by
   * a scan that skips strings and comments; empty if they never do.
   */
  static OptionalInt deepLine(String toml) {
    int depth = 0;
    int line = 1;
    int n = toml.length();
    for (int i = 0; i < n; i++) {
      char c = toml.charAt(i);
      switch (c) {
        case '\n' -> line++;
        case '#' -> {
          while (i + 1 < n && toml.charAt(i + 1) != '\n') {
            i++;
          }
        }
        case '"', '\'' -> {
          int end = stringEnd(toml, i, c);
          line += newlines(toml, i, end);
          i = end;
        }
        case '[', '{' -> {
          if (++depth > MAX_DEPTH) {
            return OptionalInt.of(line);
          }
        }
        case ']', '}' -> depth = Math.max(0, depth - 1);
        default -> {}
      }
    }
    return OptionalInt.empty();
  }

  /**
   * The index of the last char of the string that opens at {@code start} with {@code quote}. A
   * one-line string ends at its line's end at the latest (where tomlj also ends it), so that no
   * bracket is hidden from the scan by a quote tomlj does not take as a string.
   */
  private static int stringEnd(String toml, int start, char quote) {
    int n = toml.length();
    boolean multiline = toml.startsWith(String.valueOf(quote).repeat(3), start);
    int i = start + (multiline ? 3 : 1);
    for (; i < n; i++) {
      char c = toml.charAt(i);
      if (c == '\\' && quote == '"' && i + 1 < n && (multiline || toml.charAt(i + 1) != '\n')) {
        i++;
      } else if (c == '\n' && !multiline) {
        return i - 1;
      } else if (c == quote
          && (!multiline || toml.startsWith(String.valueOf(quote).repeat(3), i))) {
        if (!multiline) {
          return i;
        }
        // Up to two more quotes belong to the string: """a""""" is 'a""'.
        int end = i + 2;
        while (end + 1 < n && end - i < 4 && toml.charAt(end + 1) == quote) {
          end++;
        }
        return end;
      }
    }
    return n - 1;
  }

  private static int newlines(String toml, int from, int to) {
    int count = 0;
    for (int i = from; i <= to && i < toml.length(); i++) {
      if (toml.charAt(i) == '\n') {
        count++;
      }
    }
    return count;
  }

  /**
   * Whether the parsed tables and arrays nest deeper than {@link #MAX_DEPTH}: dotted keys and table
   * headers nest tables without brackets. Looks no deeper than that.
   */
  static boolean tooDeep(TomlTable root) {
    return deeper(root.toMap().values(), 1);
  }

  private static boolean deeper(Iterable<Object> values, int depth) {
    for (Object v : values) {
      if ((v instanceof TomlTable || v instanceof TomlArray) && depth > MAX_DEPTH) {
        return true;
      }
      if (v instanceof TomlTable t && deeper(t.toMap().values(), depth + 1)) {
        return true;
      }
      if (v instanceof TomlArray a && deeper(a.toList(), depth + 1)) {
        return true;
      }
    }
    return false;
  }
}
