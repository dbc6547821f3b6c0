package dev.parigot.protoc;

import static dev.parigot.protoc.Guest.BIG;
import static dev.parigot.protoc.Guest.BIG_ARENA;
import static dev.parigot.protoc.Guest.EVERYTHING;
import static dev.parigot.protoc.Guest.NODE;
import static dev.parigot.protoc.Guest.PG_E_BUFFER;
import static dev.parigot.protoc.Guest.PG_E_DECODE;
import static dev.parigot.protoc.Guest.PG_E_NOMEM;
import static dev.parigot.protoc.Guest.POINT;
import static dev.parigot.protoc.Guest.SCALARS;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.DynamicMessage;
import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Malformed input is an error code, never a trap or a write out of bounds (the guest returns
 * RT_E_CANARY if any byte around its output buffer or arena changed, and a trap fails the test).
 */
class MalformedInputTest {
  private Guest guest;

  @BeforeEach
  void start() {
    guest = new Guest();
  }

  private int decode(int kind, String hex) {
    return guest.roundtrip(kind, HexFormat.of().parseHex(hex.replace(" ", "")), BIG, BIG_ARENA);
  }

  @ParameterizedTest(name = "{0}: {2}")
  @CsvSource({
    "truncated varint,               5, 08 80",
    "11-byte varint,                 5, 08 80 80 80 80 80 80 80 80 80 80 01",
    "length past the end,            5, 1a 05 61 62",
    "length past 4 GiB,              5, 1a ff ff ff ff 0f 61",
    "tag with no value,              5, 18",
    "field number 0,                 5, 00 00",
    "tag above 32 bits,              5, 80 80 80 80 80 01 00",
    "group start (wire type 3),      5, 4b",
    "group end (wire type 4),        5, 4c",
    "wire type 6,                    5, 4e 00",
    "wire type 7,                    5, 4f 00",
    "sint32 sent as bytes,           5, 0a 00",
    "string sent as varint,          5, 18 01",
    "message sent as fixed32,        2, 0d 00 00 00 00",
    "repeated float sent as varint,  2, a0 01 00",
    "packed fixed32 of 5 bytes,      2, 82 01 05 00 00 00 00 00",
    "packed varint truncated,        2, 52 02 80 80",
    "overlong UTF-8,                 5, 1a 02 c0 80",
    "UTF-16 surrogate in UTF-8,      5, 1a 03 ed a0 80",
    "byte 0xff in a string,          5, 1a 01 ff",
    "truncated UTF-8 sequence,       5, 1a 02 e2 82",
    "code point above U+10FFFF,      5, 1a 04 f4 90 80 80",
    "bad UTF-8 in a nested message,  2, 22 03 1a 01 ff",
    "bad UTF-8 in a map key,         2, 92 03 03 0a 01 ff",
  })
  void isADecodeError(String what, int kind, String hex) {
    assertThat(decode(kind, hex)).as(what).isEqualTo(PG_E_DECODE);
  }

  @Test
  void bytesFieldsAreNotCheckedForUtf8() {
    assertThat(decode(SCALARS, "7a 02 c0 80")).isEqualTo(4);
  }

  @Test
  void aTenByteVarintIsAcceptedAndTruncatedTo32BitsForA32BitField() {
    // Point.x is sint32: 2^64-1 keeps its low 32 bits, zigzag -2^31, re-encoded in 5 bytes.
    assertThat(decode(POINT, "08 ff ff ff ff ff ff ff ff ff 01")).isEqualTo(1 + 5);
  }

  @Test
  void nestingIsLimitedTo64Levels() {
    assertThat(guest.roundtrip(NODE, nodes(64), BIG, BIG_ARENA)).isPositive();
    assertThat(guest.roundtrip(NODE, nodes(65), BIG, BIG_ARENA)).isEqualTo(PG_E_DECODE);
    assertThat(guest.roundtrip(NODE, nodes(100_000), BIG, BIG_ARENA)).isEqualTo(PG_E_DECODE);
  }

  /** A Node whose innermost child is {@code depth} levels down. */
  private static byte[] nodes(int depth) {
    byte[] inner = {0x10, 0x01}; // value = 1
    for (int i = 0; i < depth; i++) {
      byte[] len = varint(inner.length);
      byte[] outer = new byte[1 + len.length + inner.length];
      outer[0] = 0x0a; // child
      System.arraycopy(len, 0, outer, 1, len.length);
      System.arraycopy(inner, 0, outer, 1 + len.length, inner.length);
      inner = outer;
    }
    return inner;
  }

  private static byte[] varint(int v) {
    var out = new java.io.ByteArrayOutputStream();
    while ((v & ~0x7f) != 0) {
      out.write((v & 0x7f) | 0x80);
      v >>>= 7;
    }
    out.write(v);
    return out.toByteArray();
  }

  @Test
  void aSmallArenaIsNomemUpToTheSizeTheMessageNeeds() throws Exception {
    DynamicMessage m = new RandomMessages(7).of(TestProtos.message("test.v1.Everything"));
    byte[] in = m.toByteArray();
    int needed = 0;
    while (guest.roundtrip(EVERYTHING, in, BIG, needed) == PG_E_NOMEM) {
      needed += 8;
    }
    assertThat(needed).isPositive();
    for (int cap = 0; cap < needed; cap += 3) {
      assertThat(guest.roundtrip(EVERYTHING, in, BIG, cap))
          .as("arena %d", cap)
          .isEqualTo(PG_E_NOMEM);
    }
    assertThat(guest.roundtrip(EVERYTHING, in, BIG, needed + 64)).isEqualTo(in.length);
  }

  @Test
  void aShortOutputBufferIsBufferErrorAndNeverOverrun() throws Exception {
    byte[] in = new RandomMessages(8).of(TestProtos.message("test.v1.Everything")).toByteArray();
    for (int cap = 0; cap < in.length; cap++) {
      assertThat(guest.roundtrip(EVERYTHING, in, cap, BIG_ARENA))
          .as("cap %d", cap)
          .isEqualTo(PG_E_BUFFER);
    }
    assertThat(guest.roundtrip(EVERYTHING, in, in.length, BIG_ARENA)).isEqualTo(in.length);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({"test.v1.Everything, 2", "test.v1.Scalars, 1", "test.v1.Node, 3"})
  void fuzzedInputNeverTrapsOrWritesOutOfBounds(String type, int kind) throws Exception {
    var d = TestProtos.message(type);
    Random random = new Random(42 + kind);
    RandomMessages messages = new RandomMessages(43 + kind);
    for (int i = 0; i < 3000; i++) {
      byte[] in = i % 4 == 0 ? randomBytes(random) : mutate(messages.of(d).toByteArray(), random);
      int outCap = random.nextInt(4) == 0 ? random.nextInt(64) : BIG;
      int arenaCap = random.nextInt(4) == 0 ? random.nextInt(512) : BIG_ARENA;

      int rc = guest.roundtrip(kind, in, outCap, arenaCap);

      String input = HexFormat.of().formatHex(in);
      if (rc >= 0) {
        // What C accepted and wrote, protobuf-java reads.
        DynamicMessage.parseFrom(d, guest.output(rc));
      } else {
        assertThat(rc).as("input %s", input).isIn(PG_E_DECODE, PG_E_NOMEM, PG_E_BUFFER);
      }
    }
  }

  private static byte[] randomBytes(Random random) {
    byte[] b = new byte[random.nextInt(64)];
    random.nextBytes(b);
    return b;
  }

  /** Flips, truncates, duplicates or inserts bytes of a valid encoding. */
  private static byte[] mutate(byte[] valid, Random random) {
    byte[] b = valid.clone();
    if (b.length == 0) {
      return randomBytes(random);
    }
    switch (random.nextInt(4)) {
      case 0 -> {
        for (int k = 1 + random.nextInt(3); k > 0; k--) {
          b[random.nextInt(b.length)] ^= (byte) (1 << random.nextInt(8));
        }
      }
      case 1 -> b = java.util.Arrays.copyOf(b, random.nextInt(b.length));
      case 2 -> {
        int from = random.nextInt(b.length);
        int len = random.nextInt(b.length - from) + 1;
        byte[] out = java.util.Arrays.copyOf(b, b.length + len);
        System.arraycopy(b, from, out, b.length, len);
        b = out;
      }
      default -> {
        int at = random.nextInt(b.length);
        byte[] out = new byte[b.length + 1];
        System.arraycopy(b, 0, out, 0, at);
        out[at] = (byte) random.nextInt(256);
        System.arraycopy(b, at, out, at + 1, b.length - at);
        b = out;
      }
    }
    return b;
  }
}
