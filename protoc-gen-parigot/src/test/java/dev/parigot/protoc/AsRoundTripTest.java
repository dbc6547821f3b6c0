package dev.parigot.protoc;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.DynamicMessage;
import java.io.ByteArrayOutputStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Generated AssemblyScript and protobuf-java agree on the wire format, as the generated C does
 * ({@link RoundTripTest}): a message encoded by Java decodes in AssemblyScript, and its re-encoding
 * parses in Java to an equal message, with the same bytes (fields in field-number order).
 */
class AsRoundTripTest {
  private static final int EVERYTHING = 2, NODE = 3, EMPTY = 4, POINT = 5;
  private static final int GREET_REQUEST = 6;

  private AsGuest guest;

  @BeforeEach
  void start() {
    guest = new AsGuest();
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({"test.v1.Scalars, 1", "test.v1.Everything, 2", "test.v1.Point, 5"})
  void randomMessagesSurviveAssemblyScriptAndComeBackIdentical(String type, int kind)
      throws Exception {
    Descriptor d = TestProtos.message(type);
    RandomMessages random = new RandomMessages(20251203L + kind);
    for (int i = 0; i < 300; i++) {
      DynamicMessage m = random.of(d);
      byte[] java = m.toByteArray();

      byte[] as = guest.roundtrip(kind, java);

      assertThat(DynamicMessage.parseFrom(d, as)).as("message %d: %s", i, m).isEqualTo(m);
      assertThat(as).as("message %d: %s", i, m).isEqualTo(java);
    }
  }

  @Test
  void anEmptyInputIsTheDefaultMessage() {
    assertThat(guest.roundtrip(EVERYTHING, new byte[0])).isEmpty();
    assertThat(guest.roundtrip(EMPTY, new byte[0])).isEmpty();
  }

  @Test
  void decodingResetsWhatTheMessageHeldBefore() {
    // The guest sets GreetRequest.name before decoding; an empty input must clear it.
    assertThat(guest.roundtrip(GREET_REQUEST, new byte[0])).isEmpty();
  }

  @Test
  void unknownFieldsOfEveryWireTypeAreSkipped() throws Exception {
    byte[] known = RoundTripTest.point(3, -4, "p").toByteArray();
    var raw = new ByteArrayOutputStream();
    CodedOutputStream o = CodedOutputStream.newInstance(raw);
    o.writeUInt64(100, 1L << 60);
    o.writeFixed64(101, 7);
    o.writeBytes(102, ByteString.copyFromUtf8("skipped"));
    o.writeFixed32(103, 9);
    o.writeRawBytes(known);
    o.writeSInt32(104, -1);
    o.flush();

    assertThat(guest.roundtrip(POINT, raw.toByteArray())).isEqualTo(known);
  }

  @Test
  void repeatedScalarsAreAcceptedPackedAndUnpacked() throws Exception {
    Descriptor d = TestProtos.message("test.v1.Everything");
    var raw = new ByteArrayOutputStream();
    CodedOutputStream o = CodedOutputStream.newInstance(raw);
    o.writeInt32(10, 1); // r_i32 is packed in the schema: send it unpacked
    o.writeInt32(10, -2);
    o.writeTag(30, 2); // u_i32 is unpacked in the schema: send it packed
    o.writeUInt32NoTag(2);
    o.writeInt32NoTag(5);
    o.writeInt32NoTag(6);
    o.writeTag(10, 2);
    o.writeUInt32NoTag(1);
    o.writeInt32NoTag(3);
    o.flush();

    DynamicMessage m = DynamicMessage.parseFrom(d, guest.roundtrip(EVERYTHING, raw.toByteArray()));

    assertThat(m.getField(d.findFieldByName("r_i32"))).asList().containsExactly(1, -2, 3);
    assertThat(m.getField(d.findFieldByName("u_i32"))).asList().containsExactly(5, 6);
  }

  @Test
  void theLastScalarWinsAndMessagesMerge() throws Exception {
    Descriptor d = TestProtos.message("test.v1.Everything");
    var raw = new ByteArrayOutputStream();
    CodedOutputStream o = CodedOutputStream.newInstance(raw);
    o.writeEnum(2, 1);
    o.writeMessage(4, RoundTripTest.point(1, 0, ""));
    o.writeEnum(2, 2);
    o.writeMessage(4, RoundTripTest.point(0, 7, "y"));
    o.writeInt32(60, 5);
    o.writeString(61, "last");
    o.flush();

    DynamicMessage m = DynamicMessage.parseFrom(d, guest.roundtrip(EVERYTHING, raw.toByteArray()));

    assertThat(m.getField(d.findFieldByName("mood")).toString()).isEqualTo("MOOD_GRUMPY");
    assertThat((DynamicMessage) m.getField(d.findFieldByName("point")))
        .isEqualTo(RoundTripTest.point(1, 7, "y"));
    assertThat(m.hasField(d.findFieldByName("choice_i32"))).isFalse();
    assertThat(m.getField(d.findFieldByName("choice_text"))).isEqualTo("last");
  }

  @Test
  void proto3OptionalKeepsAZeroThatWasSet() throws Exception {
    Descriptor d = TestProtos.message("test.v1.Everything");
    DynamicMessage m =
        DynamicMessage.newBuilder(d)
            .setField(d.findFieldByName("maybe_i32"), 0)
            .setField(d.findFieldByName("maybe_text"), "")
            .build();

    byte[] as = guest.roundtrip(EVERYTHING, m.toByteArray());

    assertThat(as).isNotEmpty().isEqualTo(m.toByteArray());
    assertThat(DynamicMessage.parseFrom(d, as).hasField(d.findFieldByName("maybe_i32"))).isTrue();
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({
    "a truncated varint, 08ff",
    "a length past the end, 1a05616263",
    "field number 0, 0001",
    "wire type 3, 0b",
    "a varint of eleven bytes, 08ffffffffffffffffffff01",
    "a fixed64 cut short, 0901020304"
  })
  void malformedInputIsRefusedWithoutAnAbort(String what, String hex) {
    assertThat(guest.roundtripCode(POINT, java.util.HexFormat.of().parseHex(hex)))
        .as(what)
        .isEqualTo(AsGuest.E_DECODE);
  }

  @Test
  void invalidUtf8InAProto3StringIsRefused() {
    // Point.label (field 3) is a proto3 string: a lone continuation byte is not UTF-8.
    assertThat(guest.roundtripCode(POINT, new byte[] {0x1a, 0x01, (byte) 0x80}))
        .isEqualTo(AsGuest.E_DECODE);
    // An encoded surrogate (U+D800) neither.
    assertThat(guest.roundtripCode(POINT, new byte[] {0x1a, 0x03, (byte) 0xed, (byte) 0xa0, 0x00}))
        .isEqualTo(AsGuest.E_DECODE);
  }

  @Test
  void nestingDeeperThanTheLimitIsRefusedWithoutAnAbort() throws Exception {
    Descriptor node = TestProtos.message("test.v1.Node");
    var child = node.findFieldByName("child");
    DynamicMessage m = DynamicMessage.newBuilder(node).build();
    for (int i = 0; i < 100; i++) {
      m = DynamicMessage.newBuilder(node).setField(child, m).build();
    }
    assertThat(guest.roundtripCode(NODE, m.toByteArray())).isEqualTo(AsGuest.E_DECODE);
  }
}
