package dev.parigot.host;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The little JSON the admin endpoint needs: quoting strings for what it writes, and reading a
 * request body that is one flat object of string, integer and boolean members.
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

  /**
   * Reads one object whose members are strings, integers or booleans, as Java {@code String},
   * {@code Long} and {@code Boolean}.
   *
   * @throws Malformed if {@code text} is anything else, or a member appears twice
   */
  static Map<String, Object> object(String text) throws Malformed {
    var p = new Parser(text);
    p.space();
    p.expect('{');
    var members = new LinkedHashMap<String, Object>();
    p.space();
    if (p.peek() == '}') {
      p.pos++;
    } else {
      while (true) {
        p.space();
        String name = p.string();
        p.space();
        p.expect(':');
        p.space();
        if (members.put(name, p.value()) != null) {
          throw new Malformed("member \"" + name + "\" appears twice");
        }
        p.space();
        char c = p.next();
        if (c == '}') {
          break;
        }
        if (c != ',') {
          throw p.error("expected ',' or '}'");
        }
      }
    }
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

    Object value() throws Malformed {
      char c = peek();
      if (c == '"') {
        return string();
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
        throw error("expected a string, an integer of at most 18 digits, true or false");
      }
      return Long.parseLong(digits);
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
