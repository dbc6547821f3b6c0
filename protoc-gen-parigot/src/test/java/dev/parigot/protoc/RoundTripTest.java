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
 * Generated C and protobuf-java agree on the wire format: a message encoded by Java decodes in C,
 * and C's re-encoding parses in Java to an equal message. C writes fields in field-number order, as
 * Java does, so the bytes are identical too.
 */
class RoundTripTest {
  private Guest guest;

  @BeforeEach
  void start() {
    guest = new Guest();
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({"test.v1.Scalars, 1", "test.v1.Everything, 2", "test.v1.Point, 5"})
  void randomMessagesSurviveCAndComeBackIdentical(String type, int kind) throws Exception {
    Descriptor d = TestProtos.message(type);
    RandomMessages random = new RandomMessages(20250601L + kind);
    for (int i = 0; i < 300; i++) {
      DynamicMessage m = random.of(d);
      byte[] java = m.toByteArray();

      byte[] c = guest.roundtrip(kind, java);

      assertThat(DynamicMessage.parseFrom(d, c)).as("message %d: %s", i, m).isEqualTo(m);
      assertThat(c).as("message %d: %s", i, m).isEqualTo(java);
    }
  }

  @Test
  void anEmptyInputIsTheDefaultMessage() {
    assertThat(guest.roundtrip(Guest.EVERYTHING, new byte[0])).isEmpty();
    assertThat(guest.roundtrip(Guest.EMPTY, new byte[0])).isEmpty();
  }

  @Test
  void unknownFieldsOfEveryWireTypeAreSkipped() throws Exception {
    byte[] known = point(3, -4, "p").toByteArray();
    var raw = new ByteArrayOutputStream();
    CodedOutputStream o = CodedOutputStream.newInstance(raw);
    o.writeUInt64(100, 1L << 60); // varint
    o.writeFixed64(101, 7); // fixed64
    o.writeBytes(102, ByteString.copyFromUtf8("skipped")); // length-delimited
    o.writeFixed32(103, 9); // fixed32
    o.writeRawBytes(known);
    o.writeSInt32(104, -1);
    o.flush();

    assertThat(guest.roundtrip(Guest.POINT, raw.toByteArray())).isEqualTo(known);
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
    o.writeTag(10, 2); // and a packed run appends to the unpacked ones
    o.writeUInt32NoTag(1);
    o.writeInt32NoTag(3);
    o.flush();

    DynamicMessage m =
        DynamicMessage.parseFrom(d, guest.roundtrip(Guest.EVERYTHING, raw.toByteArray()));

    assertThat(m.getField(d.findFieldByName("r_i32"))).asList().containsExactly(1, -2, 3);
    assertThat(m.getField(d.findFieldByName("u_i32"))).asList().containsExactly(5, 6);
  }

  @Test
  void theLastScalarWinsAndMessagesMerge() throws Exception {
    Descriptor d = TestProtos.message("test.v1.Everything");
    var raw = new ByteArrayOutputStream();
    CodedOutputStream o = CodedOutputStream.newInstance(raw);
    o.writeEnum(2, 1); // mood
    o.writeMessage(4, point(1, 0, "")); // point.x = 1
    o.writeEnum(2, 2); // mood again: the last wins
    o.writeMessage(4, point(0, 7, "y")); // point again: merged
    o.writeInt32(60, 5); // oneof choice_i32
    o.writeString(61, "last"); // then choice_text: the last member wins
    o.flush();

    DynamicMessage m =
        DynamicMessage.parseFrom(d, guest.roundtrip(Guest.EVERYTHING, raw.toByteArray()));

    assertThat(m.getField(d.findFieldByName("mood")).toString()).isEqualTo("MOOD_GRUMPY");
    assertThat((DynamicMessage) m.getField(d.findFieldByName("point"))).isEqualTo(point(1, 7, "y"));
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

    byte[] c = guest.roundtrip(Guest.EVERYTHING, m.toByteArray());

    assertThat(c).isNotEmpty().isEqualTo(m.toByteArray());
    assertThat(DynamicMessage.parseFrom(d, c).hasField(d.findFieldByName("maybe_i32"))).isTrue();
  }

  static DynamicMessage point(int x, int y, String label) throws Exception {
    Descriptor p = TestProtos.message("test.v1.Point");
    DynamicMessage.Builder b = DynamicMessage.newBuilder(p);
    if (x != 0) {
      b.setField(p.findFieldByName("x"), x);
    }
    if (y != 0) {
      b.setField(p.findFieldByName("y"), y);
    }
    if (!label.isEmpty()) {
      b.setField(p.findFieldByName("label"), label);
    }
    return b.build();
  }
}
