package dev.parigot.host;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The little JSON the admin endpoint and its client need: quoting strings for what they write, and
 * reading objects and arrays of strings, integers, decimals, booleans and null.
 */
final class Json {
  private Json() {}

  /** A JSON string literal of {@code s}. */
  static String quote(String s) {
    var out = new StringBuilder(s.length() + 2).append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        default -> {
          if (c < 0x20) {
            out.append(String.format("\\u%04x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    return out.append('"').toString();
  }

  /** A body that is not the JSON the endpoint takes; its message says where and why. */
  static final class Malformed extends Exception {
    Malformed(String message) {
      super(message);
    }
  }

  /** How deep objects and arrays may nest. */
  private static final int MAX_DEPTH = 16;

  /**
   * Reads one object, its values as Java {@code String}, {@code Long} (an integer of at most 18
   * digits), {@code Double}, {@code Boolean}, {@code Map}, {@code List} or, for null, {@code
   * Optional.empty()}.
   *
   * @throws Malformed if {@code text} is anything else, or a member appears twice
   */
  static Map<String, Object> object(String text) throws Malformed {
    var p = new Parser(text);
    p.space();
    if (p.peek() != '{') {
      throw p.error("expected '{'");
    }
    @SuppressWarnings("unchecked")
    var members = (Map<String, Object>) p.value(0);
    p.space();
    if (p.pos != text.length()) {
      throw p.error("unexpected text after the object");
    }
    return members;
  }

  private static final class Parser {
    final String text;
    int pos;

    Parser(String text) {
      this.text = text;
    }

    Malformed error(String what) {
      return new Malformed("malformed JSON at offset " + pos + ": " + what);
    }

    void space() {
      while (pos < text.length() && " \t\r\n".indexOf(text.charAt(pos)) >= 0) {
        pos++;
      }
    }

    char peek() throws Malformed {
      if (pos >= text.length()) {
        throw error("unexpected end");
      }
      return text.charAt(pos);
    }

    char next() throws Malformed {
      char c = peek();
      pos++;
      return c;
    }

    void expect(char c) throws Malformed {
      if (peek() != c) {
        throw error("expected '" + c + "'");
      }
      pos++;
    }

    Object value(int depth) throws Malformed {
      char c = peek();
      if (c == '"') {
        return string();
      }
      if (c == '{' || c == '[') {
        if (depth >= MAX_DEPTH) {
          throw error("nested deeper than " + MAX_DEPTH);
        }
        return c == '{' ? object(depth + 1) : array(depth + 1);
      }
      if (text.startsWith("null", pos)) {
        pos += 4;
        return Optional.empty();
      }
      if (text.startsWith("true", pos)) {
        pos += 4;
        return Boolean.TRUE;
      }
      if (text.startsWith("false", pos)) {
        pos += 5;
        return Boolean.FALSE;
      }
      int start = pos;
      if (c == '-') {
        pos++;
      }
      while (pos < text.length() && Character.isDigit(text.charAt(pos))) {
        pos++;
      }
      String digits = text.substring(start, pos);
      if (digits.isEmpty() || digits.equals("-") || digits.length() > 18) {
        throw error("expected a value");
      }
      if (pos < text.length() && text.charAt(pos) == '.') {
        pos++;
        while (pos < text.length() && Character.isDigit(text.charAt(pos))) {
          pos++;
        }
        return Double.parseDouble(text.substring(start, pos));
      }
      return Long.parseLong(digits);
    }

    Map<String, Object> object(int depth) throws Malformed {
      expect('{');
      var members = new LinkedHashMap<String, Object>();
      space();
      if (peek() == '}') {
        pos++;
        return members;
      }
      while (true) {
        space();
        String name = string();
        space();
        expect(':');
        space();
        if (members.put(name, value(depth)) != null) {
          throw new Malformed("member \"" + name + "\" appears twice");
        }
        space();
        char c = next();
        if (c == '}') {
          return members;
        }
        if (c != ',') {
          throw error("expected ',' or '}'");
        }
      }
    }

    List<Object> array(int depth) throws Malformed {
      expect('[');
      var items = new ArrayList<Object>();
      space();
      if (peek() == ']') {
        pos++;
        return items;
      }
      while (true) {
        space();
        items.add(value(depth));
        space();
        char c = next();
        if (c == ']') {
          return items;
        }
        if (c != ',') {
          throw error("expected ',' or ']'");
        }
      }
    }

    String string() throws Malformed {
      expect('"');
      var out = new StringBuilder();
      while (true) {
        char c = next();
        if (c == '"') {
          return out.toString();
        }
        if (c < 0x20) {
          throw error("control character in a string");
        }
        if (c != '\\') {
          out.append(c);
          continue;
        }
        char e = next();
        switch (e) {
          case '"', '\\', '/' -> out.append(e);
          case 'n' -> out.append('\n');
          case 't' -> out.append('\t');
          case 'r' -> out.append('\r');
          case 'b' -> out.append('\b');
          case 'f' -> out.append('\f');
          case 'u' -> {
            if (pos + 4 > text.length()) {
              throw error("short \\u escape");
            }
            try {
              out.append((char) Integer.parseInt(text.substring(pos, pos + 4), 16));
            } catch (NumberFormatException x) {
              throw error("bad \\u escape");
            }
            pos += 4;
          }
          default -> throw error("bad escape \\" + e);
        }
      }
    }
  }
}
