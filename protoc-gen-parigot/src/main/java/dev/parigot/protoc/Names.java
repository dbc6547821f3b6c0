package dev.parigot.protoc;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.EnumDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Descriptors.FileDescriptor;
import com.google.protobuf.Descriptors.ServiceDescriptor;
import java.util.Locale;
import java.util.Set;

/** C names for protobuf elements: the package with '.' turned into '_', then the type path. */
final class Names {
  private static final Set<String> C_KEYWORDS =
      Set.of(
          "auto",
          "break",
          "case",
          "char",
          "const",
          "continue",
          "default",
          "do",
          "double",
          "else",
          "enum",
          "extern",
          "float",
          "for",
          "goto",
          "if",
          "inline",
          "int",
          "long",
          "register",
          "restrict",
          "return",
          "short",
          "signed",
          "sizeof",
          "static",
          "struct",
          "switch",
          "typedef",
          "union",
          "unsigned",
          "void",
          "volatile",
          "while",
          "bool",
          "true",
          "false");

  private Names() {}

  static String messageName(Descriptor d) {
    return cName(d.getFullName());
  }

  static String enumName(EnumDescriptor e) {
    return cName(e.getFullName());
  }

  static String serviceName(ServiceDescriptor s) {
    return cName(s.getFullName());
  }

  /** A field's member name: the proto name, with '_' appended to C keywords. */
  static String field(FieldDescriptor f) {
    return member(f.getName());
  }

  static String member(String name) {
    return C_KEYWORDS.contains(name) ? name + "_" : name;
  }

  /** The generated file's path for a .proto path and a suffix such as ".pg.h". */
  static String output(FileDescriptor file, String suffix) {
    String name = file.getName();
    return (name.endsWith(".proto") ? name.substring(0, name.length() - 6) : name) + suffix;
  }

  static String headerGuard(FileDescriptor file) {
    return output(file, "_pg_h").toUpperCase(Locale.ROOT).replaceAll("[^A-Z0-9]", "_");
  }

  private static String cName(String fullName) {
    return fullName.replace('.', '_');
  }
}
