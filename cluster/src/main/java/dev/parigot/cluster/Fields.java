package dev.parigot.cluster;

import io.nats.client.Message;
import io.nats.client.impl.Headers;

/**
 * What one message says beside its payload, in its one header {@link Wire#HEADER}: a kind, then
 * fields, each a one-letter tag, '=' and a value, separated by spaces; a field with no '=' is a
 * flag and its value is empty. For example {@code e s=1 r=parigot.shop.svc.cart.v1.Cart.$c.n1.3}.
 * Tags are lower-case letters; a field with any other tag is ignored, and of a tag given twice the
 * first counts, so a forged or garbled header can only leave fields missing or unreadable, which
 * the reader of each field treats as an error of its own.
 */
final class Fields {
  private static final Fields NONE = new Fields("", "", new String[26]);

  private final String header;
  private final String kind;
  private final String[] values;

  private Fields(String header, String kind, String[] values) {
    this.header = header;
    this.kind = kind;
    this.values = values;
  }

  /** The fields of {@code m}; none and an empty kind if it has no {@link Wire#HEADER}. */
  static Fields of(Message m) {
    Headers h = m.getHeaders();
    String v = h == null ? null : h.getFirst(Wire.HEADER);
    return v == null ? NONE : parse(v);
  }

  static Fields parse(String header) {
    var values = new String[26];
    int end = header.indexOf(' ');
    String kind = end < 0 ? header : header.substring(0, end);
    while (end >= 0) {
      int start = end + 1;
      end = header.indexOf(' ', start);
      int stop = end < 0 ? header.length() : end;
      if (stop == start) {
        continue;
      }
      int tag = header.charAt(start) - 'a';
      boolean flag = stop == start + 1;
      if (tag < 0 || tag >= 26 || values[tag] != null || !flag && header.charAt(start + 1) != '=') {
        continue;
      }
      values[tag] = flag ? "" : header.substring(start + 2, stop);
    }
    return new Fields(header, kind, values);
  }

  /** The kind, the header's first word: one of {@link Wire}'s kinds unless the sender erred. */
  String kind() {
    return kind;
  }

  /** The value of field {@code tag}, or null if it has none. */
  String text(char tag) {
    return values[tag - 'a'];
  }

  /** Whether field {@code tag} is there, with a value or as a flag. */
  boolean has(char tag) {
    return values[tag - 'a'] != null;
  }

  /**
   * Field {@code tag} as a decimal number of at most 18 digits, maybe negative; {@code absent} if
   * the field is missing or is not such a number.
   */
  long number(char tag, long absent) {
    String v = values[tag - 'a'];
    if (v == null) {
      return absent;
    }
    boolean minus = v.startsWith("-");
    long n = Wire.decimal(v, minus ? 1 : 0, v.length(), 18);
    return n < 0 ? absent : minus ? -n : n;
  }

  /** The header as it came. */
  @Override
  public String toString() {
    return header;
  }

  /** A header being written: a kind, then fields in the order they are added. */
  static final class Writer {
    private final StringBuilder text = new StringBuilder(48);

    Writer(String kind) {
      text.append(kind);
    }

    Writer add(char tag, long value) {
      text.append(' ').append(tag).append('=').append(value);
      return this;
    }

    Writer add(char tag, String value) {
      text.append(' ').append(tag).append('=').append(value);
      return this;
    }

    Writer flag(char tag) {
      text.append(' ').append(tag);
      return this;
    }

    Headers headers() {
      return new Headers().put(Wire.HEADER, text.toString());
    }

    @Override
    public String toString() {
      return text.toString();
    }
  }
}
