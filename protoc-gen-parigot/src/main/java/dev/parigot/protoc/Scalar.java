package dev.parigot.protoc;

import com.google.protobuf.Descriptors.FieldDescriptor;

/**
 * How one protobuf scalar type is stored in C and moved on the wire. The expressions take a C
 * expression for the value ({@code x}) or for the raw wire value ({@code v}).
 */
enum Scalar {
  INT32("int32_t", Wire.VARINT, "(uint64_t)(int64_t)%s", "(int32_t)(uint32_t)%s"),
  INT64("int64_t", Wire.VARINT, "(uint64_t)%s", "(int64_t)%s"),
  UINT32("uint32_t", Wire.VARINT, "(uint64_t)%s", "(uint32_t)%s"),
  UINT64("uint64_t", Wire.VARINT, "%s", "%s"),
  SINT32("int32_t", Wire.VARINT, "(uint64_t)pg_zigzag32(%s)", "pg_unzigzag32((uint32_t)%s)"),
  SINT64("int64_t", Wire.VARINT, "pg_zigzag64(%s)", "pg_unzigzag64(%s)"),
  BOOL("bool", Wire.VARINT, "(uint64_t)(%s ? 1 : 0)", "%s != 0"),
  // The C type is the generated enum's; see cType(FieldDescriptor).
  ENUM(null, Wire.VARINT, "(uint64_t)(int64_t)(int32_t)%s", "(int32_t)(uint32_t)%s"),
  FIXED32("uint32_t", Wire.FIXED32, "%s", "%s"),
  SFIXED32("int32_t", Wire.FIXED32, "(uint32_t)%s", "(int32_t)%s"),
  FLOAT("float", Wire.FIXED32, "pg_float_bits(%s)", "pg_bits_float(%s)"),
  FIXED64("uint64_t", Wire.FIXED64, "%s", "%s"),
  SFIXED64("int64_t", Wire.FIXED64, "(uint64_t)%s", "(int64_t)%s"),
  DOUBLE("double", Wire.FIXED64, "pg_double_bits(%s)", "pg_bits_double(%s)");

  /** A wire type a scalar can travel as, with the runtime functions that move it. */
  enum Wire {
    VARINT("PG_WT_VARINT", "uint64_t", "varint"),
    FIXED32("PG_WT_FIXED32", "uint32_t", "fixed32"),
    FIXED64("PG_WT_FIXED64", "uint64_t", "fixed64");

    final String constant;
    final String rawType;
    final String suffix;

    Wire(String constant, String rawType, String suffix) {
      this.constant = constant;
      this.rawType = rawType;
      this.suffix = suffix;
    }
  }

  private final String cType;
  final Wire wire;
  private final String toWire;
  private final String fromWire;

  Scalar(String cType, Wire wire, String toWire, String fromWire) {
    this.cType = cType;
    this.wire = wire;
    this.toWire = toWire;
    this.fromWire = fromWire;
  }

  /** The scalar kind of a non-message, non-string field. */
  static Scalar of(FieldDescriptor f) {
    return switch (f.getType()) {
      case INT32 -> INT32;
      case INT64 -> INT64;
      case UINT32 -> UINT32;
      case UINT64 -> UINT64;
      case SINT32 -> SINT32;
      case SINT64 -> SINT64;
      case BOOL -> BOOL;
      case ENUM -> ENUM;
      case FIXED32 -> FIXED32;
      case SFIXED32 -> SFIXED32;
      case FLOAT -> FLOAT;
      case FIXED64 -> FIXED64;
      case SFIXED64 -> SFIXED64;
      case DOUBLE -> DOUBLE;
      default -> throw new IllegalArgumentException("not a scalar: " + f.getFullName());
    };
  }

  String cType(FieldDescriptor f) {
    return this == ENUM ? Names.enumName(f.getEnumType()) : cType;
  }

  /** The raw wire value of {@code x}. */
  String toWire(String x) {
    return toWire.formatted(x);
  }

  /** The C value of the raw wire value {@code v}, cast to the field's type. */
  String fromWire(FieldDescriptor f, String v) {
    String value = fromWire.formatted(v);
    return this == ENUM ? "(" + cType(f) + ")" + value : value;
  }

  /** True when {@code x} is not the type's zero (floats compare bits: -0.0 is sent). */
  String nonZero(String x) {
    return switch (this) {
      case BOOL -> x;
      case FLOAT -> "pg_float_bits(" + x + ") != 0";
      case DOUBLE -> "pg_double_bits(" + x + ") != 0";
      case ENUM -> "(int32_t)" + x + " != 0";
      default -> x + " != 0";
    };
  }

  /** The encoded size of {@code x} without its tag. */
  String size(String x) {
    return switch (wire) {
      case VARINT -> "pg_varint_size(" + toWire(x) + ")";
      case FIXED32 -> "4";
      case FIXED64 -> "8";
    };
  }

  /** Writes {@code x} without its tag to the writer {@code w}. */
  String write(String w, String x) {
    return "pg_write_" + wire.suffix + "(" + w + ", " + toWire(x) + ");";
  }
}
