package dev.parigot.protoc;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.EnumDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Descriptors.FileDescriptor;
import com.google.protobuf.Descriptors.MethodDescriptor;
import com.google.protobuf.Descriptors.ServiceDescriptor;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * What every language backend agrees on about a .proto file: what is refused, which messages and
 * enums it holds and in what order, each field's kind and presence, and method numbers. The
 * backends (C, AssemblyScript) only render it, so a program in one language talks to a service in
 * another.
 */
final class ProtoModel {
  private ProtoModel() {}

  /** Throws {@link Refused} for what no backend supports: groups, explicit defaults, streams in. */
  static void check(FileDescriptor file) {
    for (Descriptor m : messages(file)) {
      for (FieldDescriptor f : m.getFields()) {
        if (f.getType() == FieldDescriptor.Type.GROUP) {
          throw new Refused(file.getName() + ": " + f.getFullName() + ": groups are not supported");
        }
        if (f.toProto().hasDefaultValue()) {
          throw new Refused(
              file.getName()
                  + ": "
                  + f.getFullName()
                  + ": explicit default values are not supported");
        }
      }
    }
    for (ServiceDescriptor s : file.getServices()) {
      for (MethodDescriptor md : s.getMethods()) {
        if (md.isClientStreaming()) {
          throw new Refused(
              file.getName()
                  + ": "
                  + md.getFullName()
                  + ": client streaming is not supported in ABI v1");
        }
      }
    }
  }

  /** A method's number on the wire: its position in the service, from 1. */
  static int methodNumber(MethodDescriptor md) {
    return md.getIndex() + 1;
  }

  /** Every message of the file, outer before nested, in declaration order. */
  static List<Descriptor> messages(FileDescriptor file) {
    List<Descriptor> out = new ArrayList<>();
    for (Descriptor m : file.getMessageTypes()) {
      addMessages(m, out);
    }
    return out;
  }

  private static void addMessages(Descriptor m, List<Descriptor> out) {
    out.add(m);
    for (Descriptor n : m.getNestedTypes()) {
      addMessages(n, out);
    }
  }

  /** Every enum of the file: top-level ones first, then those of each message in order. */
  static List<EnumDescriptor> enums(FileDescriptor file) {
    List<EnumDescriptor> out = new ArrayList<>(file.getEnumTypes());
    for (Descriptor m : messages(file)) {
      out.addAll(m.getEnumTypes());
    }
    return out;
  }

  /** A message's fields in field-number order, the order they are written in. */
  static List<FieldDescriptor> byNumber(Descriptor m) {
    return m.getFields().stream()
        .sorted(Comparator.comparingInt(FieldDescriptor::getNumber))
        .toList();
  }

  static boolean isMessage(FieldDescriptor f) {
    return f.getJavaType() == FieldDescriptor.JavaType.MESSAGE;
  }

  /** Strings and bytes (not messages). */
  static boolean isLen(FieldDescriptor f) {
    return f.getType() == FieldDescriptor.Type.STRING || f.getType() == FieldDescriptor.Type.BYTES;
  }

  static boolean isPackable(FieldDescriptor f) {
    return f.isRepeated() && !isMessage(f) && !isLen(f);
  }

  /** proto3 requires valid UTF-8 in strings; proto2 does not check. */
  static boolean validatesUtf8(FieldDescriptor f) {
    return f.getType() == FieldDescriptor.Type.STRING
        && "proto3".equals(f.getFile().toProto().getSyntax());
  }

  /** A singular non-message field outside a oneof that tracks presence (proto3 optional). */
  static boolean hasFlag(FieldDescriptor f) {
    return !f.isRepeated()
        && !isMessage(f)
        && f.getRealContainingOneof() == null
        && f.hasPresence();
  }

  /**
   * True when a singular field is always written, whatever its value: map entries carry their key
   * and scalar value, as protobuf's own implementations write them.
   */
  static boolean alwaysWritten(FieldDescriptor f) {
    return !f.isRepeated() && f.getContainingType().getOptions().getMapEntry() && !isMessage(f);
  }

  /** The size in bytes of the field's tag. */
  static int tagSize(FieldDescriptor f) {
    long tag = (long) f.getNumber() << 3;
    int n = 1;
    while (tag >= 0x80) {
      tag >>>= 7;
      n++;
    }
    return n;
  }
}
