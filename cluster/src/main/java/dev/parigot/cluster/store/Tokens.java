package dev.parigot.cluster.store;

import java.io.ByteArrayOutputStream;

/**
 * Parigot names and keys as NATS subject tokens. A parigot kv key is any UTF-8 without NUL, but a
 * NATS KV key allows only {@code [-/_=.A-Za-z0-9]}, and a {@code .} splits it into tokens, none of
 * them empty: so each byte outside {@code [-/_A-Za-z0-9]} becomes {@code =XX} (upper-case hex),
 * {@code =} itself included. Letters and digits stay readable to an operator, no token is empty
 * (parigot keys are never empty), and no token holds {@code .}, {@code *} or {@code >}.
 */
final class Tokens {
  private static final char[] HEX = "0123456789ABCDEF".toCharArray();

  private Tokens() {}

  static String encode(byte[] bytes) {
    var b = new StringBuilder(bytes.length);
    for (byte x : bytes) {
      char c = (char) (x & 0xff);
      if (c >= 'a' && c <= 'z'
          || c >= 'A' && c <= 'Z'
          || c >= '0' && c <= '9'
          || c == '-'
          || c == '_'
          || c == '/') {
        b.append(c);
      } else {
        b.append('=').append(HEX[(x >> 4) & 0xf]).append(HEX[x & 0xf]);
      }
    }
    return b.toString();
  }

  /**
   * The bytes {@link #encode} made {@code token} from.
   *
   * @throws IllegalArgumentException if {@code token} is not such an encoding
   */
  static byte[] decode(String token) {
    var out = new ByteArrayOutputStream(token.length());
    for (int i = 0; i < token.length(); i++) {
      char c = token.charAt(i);
      if (c == '=') {
        if (i + 3 > token.length()) {
          throw new IllegalArgumentException("a cut escape in '" + token + "'");
        }
        int hi = Character.digit(token.charAt(i + 1), 16);
        int lo = Character.digit(token.charAt(i + 2), 16);
        if (hi < 0 || lo < 0) {
          throw new IllegalArgumentException("a bad escape in '" + token + "'");
        }
        out.write(hi << 4 | lo);
        i += 2;
      } else if (c == '.' || c == '*' || c == '>' || c > 0x7e || c <= ' ') {
        throw new IllegalArgumentException("'" + c + "' in token '" + token + "'");
      } else {
        out.write(c);
      }
    }
    return out.toByteArray();
  }
}
