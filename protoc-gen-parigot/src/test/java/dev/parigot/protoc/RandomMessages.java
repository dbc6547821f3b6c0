package dev.parigot.protoc;

import com.google.protobuf.ByteString;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.EnumDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Descriptors.OneofDescriptor;
import com.google.protobuf.DynamicMessage;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

/** Random protobuf messages of any type, favouring edge values, from a seed. */
final class RandomMessages {
  private final Random random;

  RandomMessages(long seed) {
    random = new Random(seed);
  }

  DynamicMessage of(Descriptor type) {
    return of(type, 0);
  }

  private DynamicMessage of(Descriptor type, int depth) {
    DynamicMessage.Builder b = DynamicMessage.newBuilder(type);
    for (FieldDescriptor f : type.getFields()) {
      if (f.getRealContainingOneof() != null || random.nextInt(3) == 0) {
        continue;
      }
      if (f.getJavaType() == FieldDescriptor.JavaType.MESSAGE
          && (depth >= 3 || f.getMessageType() == type && depth >= 1)) {
        continue;
      }
      if (f.isMapField()) {
        Descriptor entry = f.getMessageType();
        Set<Object> keys = new HashSet<>();
        for (int i = random.nextInt(4); i > 0; i--) {
          Object key = value(entry.findFieldByNumber(1), depth);
          if (keys.add(key)) {
            DynamicMessage.Builder e = DynamicMessage.newBuilder(entry);
            e.setField(entry.findFieldByNumber(1), key);
            e.setField(entry.findFieldByNumber(2), value(entry.findFieldByNumber(2), depth + 1));
            b.addRepeatedField(f, e.build());
          }
        }
      } else if (f.isRepeated()) {
        for (int i = random.nextInt(5); i > 0; i--) {
          b.addRepeatedField(f, value(f, depth + 1));
        }
      } else {
        Object v = value(f, depth + 1);
        // Without presence a zero value is not on the wire, so it must not be set either.
        if (f.hasPresence() || !v.equals(f.getDefaultValue())) {
          b.setField(f, v);
        }
      }
    }
    for (OneofDescriptor o : type.getRealOneofs()) {
      if (random.nextBoolean()) {
        List<FieldDescriptor> members = o.getFields();
        FieldDescriptor f = members.get(random.nextInt(members.size()));
        b.setField(f, value(f, depth + 1));
      }
    }
    return b.build();
  }

  private Object value(FieldDescriptor f, int depth) {
    return switch (f.getType()) {
      case INT32, SINT32, SFIXED32 ->
          pick(0, 1, -1, Integer.MIN_VALUE, Integer.MAX_VALUE, 127, 128);
      case UINT32, FIXED32 -> pick(0, 1, -1, Integer.MIN_VALUE, Integer.MAX_VALUE, 127, 128);
      case INT64, SINT64, SFIXED64, UINT64, FIXED64 -> pickLong();
      case BOOL -> random.nextBoolean();
      case FLOAT -> random.nextInt(4) == 0 ? pickFloat() : random.nextFloat() * 1e6f - 5e5f;
      case DOUBLE -> random.nextInt(4) == 0 ? pickDouble() : random.nextGaussian() * 1e9;
      case STRING -> string();
      case BYTES -> bytes();
      case ENUM -> enumValue(f.getEnumType());
      case MESSAGE -> of(f.getMessageType(), depth);
      default -> throw new IllegalArgumentException(f.getFullName());
    };
  }

  private int pick(int... edges) {
    return random.nextInt(3) == 0
        ? edges[random.nextInt(edges.length)]
        : random.nextInt() >> random.nextInt(32);
  }

  private long pickLong() {
    long[] edges = {0, 1, -1, Long.MIN_VALUE, Long.MAX_VALUE, Integer.MIN_VALUE, 1L << 35};
    return random.nextInt(3) == 0
        ? edges[random.nextInt(edges.length)]
        : random.nextLong() >> random.nextInt(64);
  }

  private float pickFloat() {
    float[] edges = {-0.0f, Float.NaN, Float.POSITIVE_INFINITY, Float.MIN_VALUE, Float.MAX_VALUE};
    return edges[random.nextInt(edges.length)];
  }

  private double pickDouble() {
    double[] edges = {-0.0, Double.NaN, Double.NEGATIVE_INFINITY, Double.MIN_VALUE, 1e300};
    return edges[random.nextInt(edges.length)];
  }

  /** ASCII, two- and three-byte characters and astral code points (four bytes in UTF-8). */
  private String string() {
    StringBuilder s = new StringBuilder();
    for (int i = random.nextInt(12); i > 0; i--) {
      s.appendCodePoint(
          switch (random.nextInt(4)) {
            case 0 -> 0x20 + random.nextInt(0x5f);
            case 1 -> 0x80 + random.nextInt(0x780);
            case 2 -> 0xe000 + random.nextInt(0x1000);
            default -> 0x10000 + random.nextInt(0xfffff);
          });
    }
    return s.toString();
  }

  private ByteString bytes() {
    byte[] b = new byte[random.nextInt(20)];
    random.nextBytes(b);
    return ByteString.copyFrom(b);
  }

  private Object enumValue(EnumDescriptor e) {
    // Open enums keep numbers they do not know; C stores them as they are.
    if (random.nextInt(8) == 0) {
      return e.findValueByNumberCreatingIfUnknown(random.nextInt(1000) + 100);
    }
    return e.getValues().get(random.nextInt(e.getValues().size()));
  }
}
