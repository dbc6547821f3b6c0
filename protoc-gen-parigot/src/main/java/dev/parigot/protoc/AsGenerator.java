package dev.parigot.protoc;

import static dev.parigot.protoc.ProtoModel.alwaysWritten;
import static dev.parigot.protoc.ProtoModel.byNumber;
import static dev.parigot.protoc.ProtoModel.hasFlag;
import static dev.parigot.protoc.ProtoModel.isLen;
import static dev.parigot.protoc.ProtoModel.isMessage;
import static dev.parigot.protoc.ProtoModel.isPackable;
import static dev.parigot.protoc.ProtoModel.methodNumber;
import static dev.parigot.protoc.ProtoModel.tagSize;
import static dev.parigot.protoc.ProtoModel.validatesUtf8;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.EnumDescriptor;
import com.google.protobuf.Descriptors.EnumValueDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Descriptors.FileDescriptor;
import com.google.protobuf.Descriptors.MethodDescriptor;
import com.google.protobuf.Descriptors.OneofDescriptor;
import com.google.protobuf.Descriptors.ServiceDescriptor;
import java.util.List;
import java.util.Set;

/**
 * Generates {@code x.ts} for one {@code x.proto}: the AssemblyScript backend of {@link ProtoModel},
 * on the runtime in sdk/as/lib/parigot. The API is described in {@link #API_DOC}, which heads every
 * generated file.
 */
final class AsGenerator {
  static final String API_DOC =
      """
      // Generated AssemblyScript API (see sdk/as/README.md). For each message T, a class T:
      //   fields in declaration order: scalars as i32/i64/u32/u64/f32/f64/bool, enums as the
      //   generated enum, string as string, bytes as Uint8Array, messages as T | null (null =
      //   absent), proto3 optional scalars with a has_<field> bool, repeated and map fields as
      //   Array<E> (map entries are T_<Field>Entry objects with key and value, in wire order: the
      //   last of equal keys wins), oneofs as <oneof>_case (0 or the field number; constants
      //   T_<oneof>_<field>) plus one field per member.
      //   new T()           every field at its default.
      //   t.encode()        the encoded bytes; t.size() their length.
      //   t.decode(bytes)   sets t from bytes (t.clear(), then merges them): 0, or E_DECODE for
      //                     malformed input, invalid UTF-8 in a proto3 string, or nesting deeper
      //                     than MAX_DEPTH (t is then unspecified). Unknown fields are skipped.
      //                     Copies what it keeps: bytes may be reused after.
      //   t.clear()         every field back to its default.
      //   t.write, t.merge  for generated code only.
      //
      // For each service S, methods are numbered from 1 in declaration order (S_M_METHOD), and
      // S_NAME is its full protobuf name, as manifests list it.
      //   Client: const c = new SClient(); c.connect() locates the service (0 or -errno);
      //     c.M(loop, req, timeoutMs = -1) calls, returning a Future; after loop.await(f),
      //     f.decode(out) is 0, a -errno kernel error, a positive application code (the
      //     service's message is f.text()), E_NOT_DONE or E_DECODE. Server-streaming methods'
      //     partials decode with S_M_decode_partial(bytes, out).
      //   Server: extend SServer, override the methods you serve (the others fail with
      //     STATUS_UNIMPLEMENTED), and call serve(loop). A malformed request fails with
      //     STATUS_INVALID_ARGUMENT. Answer with S_M_reply (END), S_M_send (PARTIAL, for
      //     server-streaming methods) or call.fail(code, message), now or later.
      """;

  private static final Set<String> RESERVED =
      Set.of(
          "abstract",
          "any",
          "as",
          "async",
          "await",
          "boolean",
          "break",
          "case",
          "catch",
          "class",
          "const",
          "constructor",
          "continue",
          "debugger",
          "declare",
          "default",
          "delete",
          "do",
          "else",
          "enum",
          "export",
          "extends",
          "false",
          "finally",
          "for",
          "from",
          "function",
          "get",
          "if",
          "implements",
          "import",
          "in",
          "instanceof",
          "interface",
          "is",
          "keyof",
          "let",
          "module",
          "namespace",
          "new",
          "null",
          "number",
          "of",
          "package",
          "private",
          "protected",
          "public",
          "readonly",
          "return",
          "set",
          "static",
          "string",
          "super",
          "switch",
          "symbol",
          "this",
          "throw",
          "true",
          "try",
          "type",
          "typeof",
          "var",
          "void",
          "while",
          "with",
          "yield",
          // the generated methods of a message class, and of a client or server
          "size",
          "write",
          "encode",
          "decode",
          "merge",
          "clear",
          "connect",
          "service",
          "serve",
          "handle");

  private final FileDescriptor file;
  private final StringBuilder out = new StringBuilder();

  private AsGenerator(FileDescriptor file) {
    this.file = file;
  }

  /** The AssemblyScript source for {@code file}, as a (name, content) pair. */
  static List<String[]> generate(FileDescriptor file) {
    ProtoModel.check(file);
    AsGenerator g = new AsGenerator(file);
    g.render();
    return List.<String[]>of(new String[] {Names.output(file, ".ts"), g.out.toString()});
  }

  private void render() {
    out.append("// Generated by protoc-gen-parigot from ").append(file.getName());
    out.append(". Do not edit.\n");
    out.append("// ").append(Names.output(file, ".ts"));
    out.append(file.getPackage().isEmpty() ? "" : ": package " + file.getPackage()).append("\n");
    out.append("//\n").append(API_DOC);
    out.append("import {\n  Reader,\n  Writer,\n  MAX_DEPTH,\n  lenSize,\n  stringSize,\n");
    out.append("  varintSize,\n  zigzag32,\n  zigzag64,\n  unzigzag32,\n  unzigzag64,\n");
    out.append("} from \"parigot/wire\";\n");
    if (!file.getServices().isEmpty()) {
      out.append("import {\n  Call,\n  Future,\n  Handler,\n  Loop,\n  STATUS_INVALID_ARGUMENT,\n");
      out.append("  STATUS_UNIMPLEMENTED,\n  locate,\n} from \"parigot/runtime\";\n");
    }
    for (FileDescriptor dep : file.getDependencies()) {
      out.append("import * as ").append(alias(dep)).append(" from \"");
      out.append(relativeImport(dep)).append("\";\n");
    }
    for (EnumDescriptor e : ProtoModel.enums(file)) {
      enumType(e);
    }
    for (Descriptor m : ProtoModel.messages(file)) {
      messageClass(m);
    }
    for (ServiceDescriptor s : file.getServices()) {
      service(s);
    }
  }

  // ---- names -----------------------------------------------------------------------------

  /** The name of a file's module alias in an importing file. */
  private static String alias(FileDescriptor f) {
    return "pg_" + Names.output(f, "").replaceAll("[^A-Za-z0-9]", "_");
  }

  /** An import path from this file's generated module to dep's. */
  private String relativeImport(FileDescriptor dep) {
    String from = Names.output(file, "");
    String to = Names.output(dep, "");
    int depth = from.split("/", -1).length - 1;
    StringBuilder p = new StringBuilder(depth == 0 ? "./" : "");
    p.append("../".repeat(depth)).append(to);
    return p.toString();
  }

  /** A type's name in its own file: its path below the package, '.' turned into '_'. */
  private static String localName(String fullName, FileDescriptor f) {
    String pkg = f.getPackage();
    String rel = pkg.isEmpty() ? fullName : fullName.substring(pkg.length() + 1);
    return rel.replace('.', '_');
  }

  private String typeName(Descriptor d) {
    String n = localName(d.getFullName(), d.getFile());
    return d.getFile() == file ? n : alias(d.getFile()) + "." + n;
  }

  private String enumName(EnumDescriptor e) {
    String n = localName(e.getFullName(), e.getFile());
    return e.getFile() == file ? n : alias(e.getFile()) + "." + n;
  }

  private static String member(String name) {
    return RESERVED.contains(name) ? name + "_" : name;
  }

  private static String field(FieldDescriptor f) {
    return member(f.getName());
  }

  private static String caseMember(OneofDescriptor o) {
    return member(o.getName() + "_case");
  }

  private String caseConst(FieldDescriptor f) {
    OneofDescriptor o = f.getRealContainingOneof();
    return typeName(f.getContainingType()) + "_" + o.getName() + "_" + f.getName();
  }

  // ---- types -----------------------------------------------------------------------------

  private void enumType(EnumDescriptor e) {
    out.append("\nexport enum ").append(localName(e.getFullName(), file)).append(" {\n");
    for (EnumValueDescriptor v : e.getValues()) {
      out.append("  ").append(v.getName()).append(" = ").append(v.getNumber()).append(",\n");
    }
    out.append("}\n");
  }

  private String scalarType(FieldDescriptor f) {
    return switch (Scalar.of(f)) {
      case INT32, SINT32, SFIXED32 -> "i32";
      case INT64, SINT64, SFIXED64 -> "i64";
      case UINT32, FIXED32 -> "u32";
      case UINT64, FIXED64 -> "u64";
      case BOOL -> "bool";
      case FLOAT -> "f32";
      case DOUBLE -> "f64";
      case ENUM -> enumName(f.getEnumType());
    };
  }

  /** The element type: a repeated field's item, or a singular field's non-null type. */
  private String elementType(FieldDescriptor f) {
    if (isMessage(f)) {
      return typeName(f.getMessageType());
    }
    if (isLen(f)) {
      return f.getType() == FieldDescriptor.Type.STRING ? "string" : "Uint8Array";
    }
    return scalarType(f);
  }

  private String defaultValue(FieldDescriptor f) {
    if (isMessage(f)) {
      return "null";
    }
    if (isLen(f)) {
      return f.getType() == FieldDescriptor.Type.STRING ? "\"\"" : "new Uint8Array(0)";
    }
    return switch (Scalar.of(f)) {
      case BOOL -> "false";
      case FLOAT, DOUBLE -> "0.0";
      case ENUM -> {
        // proto2 enums default to their first value, which may not be 0.
        EnumValueDescriptor v = (EnumValueDescriptor) f.getDefaultValue();
        yield v.getNumber() == 0 || f.getRealContainingOneof() != null
            ? "0"
            : enumName(v.getType()) + "." + v.getName();
      }
      default -> "0";
    };
  }

  private void messageClass(Descriptor m) {
    String t = localName(m.getFullName(), file);
    out.append("\n");
    for (OneofDescriptor o : m.getRealOneofs()) {
      for (FieldDescriptor f : o.getFields()) {
        out.append("export const ").append(caseConst(f)).append(": i32 = ");
        out.append(f.getNumber()).append(";\n");
      }
    }
    out.append("export class ").append(t).append(" {\n");
    List<OneofDescriptor> done = new java.util.ArrayList<>();
    for (FieldDescriptor f : m.getFields()) {
      OneofDescriptor o = f.getRealContainingOneof();
      if (o != null && !done.contains(o)) {
        done.add(o);
        out.append("  ").append(caseMember(o)).append(": i32 = 0;\n");
      }
      if (f.isRepeated()) {
        String e = elementType(f);
        out.append("  ").append(field(f)).append(": Array<").append(e).append("> = new Array<");
        out.append(e).append(">();\n");
      } else if (isMessage(f)) {
        out.append("  ").append(field(f)).append(": ").append(elementType(f));
        out.append(" | null = null;\n");
      } else {
        if (hasFlag(f)) {
          out.append("  has_").append(f.getName()).append(": bool = false;\n");
        }
        out.append("  ").append(field(f)).append(": ").append(elementType(f)).append(" = ");
        out.append(defaultValue(f)).append(";\n");
      }
    }
    size(m);
    write(m);
    out.append("\n  encode(): Uint8Array {\n    const w = new Writer(this.size());\n");
    out.append("    this.write(w);\n    return w.buf;\n  }\n");
    merge(m);
    out.append("\n  clear(): void {\n");
    List<OneofDescriptor> cleared = new java.util.ArrayList<>();
    for (FieldDescriptor f : m.getFields()) {
      OneofDescriptor o = f.getRealContainingOneof();
      if (o != null && !cleared.contains(o)) {
        cleared.add(o);
        out.append("    this.").append(caseMember(o)).append(" = 0;\n");
      }
      if (f.isRepeated()) {
        out.append("    this.").append(field(f)).append(" = new Array<").append(elementType(f));
        out.append(">();\n");
      } else {
        if (hasFlag(f)) {
          out.append("    this.has_").append(f.getName()).append(" = false;\n");
        }
        out.append("    this.").append(field(f)).append(" = ").append(defaultValue(f));
        out.append(";\n");
      }
    }
    out.append("  }\n");
    out.append(
        "\n  decode(b: Uint8Array): i32 {\n    this.clear();\n    const r = new Reader(b);\n");
    out.append("    this.merge(r, 0);\n    return r.err;\n  }\n}\n");
  }

  // ---- encoding ----------------------------------------------------------------------------

  private String toWire(FieldDescriptor f, String x) {
    return switch (Scalar.of(f)) {
      case INT32 -> "<u64><i64>" + x;
      case INT64, UINT32, SFIXED64 -> "<u64>" + x;
      case UINT64, FIXED32, FIXED64 -> x;
      case SINT32 -> "<u64>zigzag32(" + x + ")";
      case SINT64 -> "zigzag64(" + x + ")";
      case BOOL -> "<u64>(" + x + " ? 1 : 0)";
      case ENUM -> "<u64><i64><i32>" + x;
      case SFIXED32 -> "<u32>" + x;
      case FLOAT -> "reinterpret<u32>(" + x + ")";
      case DOUBLE -> "reinterpret<u64>(" + x + ")";
    };
  }

  private String fromWire(FieldDescriptor f, String v) {
    return switch (Scalar.of(f)) {
      case INT32, SFIXED32 -> "<i32>" + v;
      case INT64, SFIXED64 -> "<i64>" + v;
      case UINT32 -> "<u32>" + v;
      case UINT64, FIXED32, FIXED64 -> v;
      case SINT32 -> "unzigzag32(<u32>" + v + ")";
      case SINT64 -> "unzigzag64(" + v + ")";
      case BOOL -> v + " != 0";
      case ENUM -> "<" + scalarType(f) + "><i32>" + v;
      case FLOAT -> "reinterpret<f32>(" + v + ")";
      case DOUBLE -> "reinterpret<f64>(" + v + ")";
    };
  }

  private static String wireSuffix(FieldDescriptor f) {
    return switch (Scalar.of(f).wire) {
      case VARINT -> "varint";
      case FIXED32 -> "fixed32";
      case FIXED64 -> "fixed64";
    };
  }

  private static int wireType(FieldDescriptor f) {
    if (isMessage(f) || isLen(f)) {
      return 2;
    }
    return switch (Scalar.of(f).wire) {
      case VARINT -> 0;
      case FIXED32 -> 5;
      case FIXED64 -> 1;
    };
  }

  private String scalarSize(FieldDescriptor f, String x) {
    return switch (Scalar.of(f).wire) {
      case VARINT -> "varintSize(" + toWire(f, x) + ")";
      case FIXED32 -> "4";
      case FIXED64 -> "8";
    };
  }

  private String nonZero(FieldDescriptor f, String x) {
    return switch (Scalar.of(f)) {
      case BOOL -> x;
      case FLOAT -> "reinterpret<u32>(" + x + ") != 0";
      case DOUBLE -> "reinterpret<u64>(" + x + ") != 0";
      case ENUM -> "<i32>" + x + " != 0";
      default -> x + " != 0";
    };
  }

  /** The size of one non-null value without its tag; {@code x} is a local. */
  private String valueSize(FieldDescriptor f, String x) {
    if (isMessage(f)) {
      return "lenSize(" + x + ".size())";
    }
    if (isLen(f)) {
      return f.getType() == FieldDescriptor.Type.STRING
          ? "stringSize(" + x + ")"
          : "lenSize(" + x + ".length)";
    }
    return scalarSize(f, x);
  }

  private void writeValue(FieldDescriptor f, String x, String in) {
    out.append(in).append("w.tag(").append(f.getNumber()).append(", ").append(wireType(f));
    out.append(");\n");
    if (isMessage(f)) {
      out.append(in).append("w.varint(<u64>").append(x).append(".size());\n");
      out.append(in).append(x).append(".write(w);\n");
    } else if (isLen(f)) {
      out.append(in)
          .append("w.")
          .append(f.getType() == FieldDescriptor.Type.STRING ? "string" : "bytes");
      out.append("(").append(x).append(");\n");
    } else {
      out.append(in).append("w.").append(wireSuffix(f)).append("(").append(toWire(f, x));
      out.append(");\n");
    }
  }

  /**
   * Opens the block in which a singular field is written, with its value in the local v; returns
   * the text that closes it.
   */
  private String present(FieldDescriptor f, String in) {
    String v = "this." + field(f);
    out.append(in).append("{\n").append(in).append("  const v = ").append(v).append(";\n");
    OneofDescriptor o = f.getRealContainingOneof();
    String cond;
    if (alwaysWritten(f)) {
      cond = "true";
    } else if (o != null) {
      cond =
          "this." + caseMember(o) + " == " + f.getNumber() + (isMessage(f) ? " && v != null" : "");
    } else if (isMessage(f)) {
      cond = "v != null";
    } else if (hasFlag(f)) {
      cond = "this.has_" + f.getName();
    } else if (isLen(f)) {
      cond = "v.length > 0";
    } else {
      cond = nonZero(f, "v");
    }
    out.append(in).append("  if (").append(cond).append(") {\n");
    return in + "  }\n" + in + "}\n";
  }

  private void size(Descriptor m) {
    out.append("\n  size(): i32 {\n    let n = 0;\n");
    for (FieldDescriptor f : byNumber(m)) {
      int tag = tagSize(f);
      String name = "this." + field(f);
      if (f.isRepeated()) {
        if (f.isPacked()) {
          out.append("    if (").append(name).append(".length > 0) {\n");
          out.append("      const p = this.packed_").append(f.getNumber()).append("();\n");
          out.append("      n += ").append(tag).append(" + varintSize(<u64>p) + p;\n    }\n");
        } else {
          out.append("    for (let i = 0; i < ").append(name).append(".length; i++) {\n");
          out.append("      const v = ").append(name).append("[i];\n");
          out.append("      n += ").append(tag).append(" + ").append(valueSize(f, "v"));
          out.append(";\n    }\n");
        }
      } else {
        String close = present(f, "    ");
        // The condition narrows v to non-null for messages.
        out.append("        n += ").append(tag).append(" + ").append(valueSize(f, "v"));
        out.append(";\n").append(close);
      }
    }
    out.append("    return n;\n  }\n");
    for (FieldDescriptor f : byNumber(m)) {
      if (f.isRepeated() && f.isPacked()) {
        String name = "this." + field(f);
        out.append("\n  private packed_").append(f.getNumber()).append("(): i32 {\n");
        out.append("    let p = 0;\n    for (let i = 0; i < ").append(name);
        out.append(".length; i++) {\n      const v = ").append(name).append("[i];\n");
        out.append("      p += ").append(scalarSize(f, "v")).append(";\n    }\n");
        out.append("    return p;\n  }\n");
      }
    }
  }

  private void write(Descriptor m) {
    out.append("\n  write(w: Writer): void {\n");
    for (FieldDescriptor f : byNumber(m)) {
      String name = "this." + field(f);
      if (f.isRepeated()) {
        if (f.isPacked()) {
          out.append("    if (").append(name).append(".length > 0) {\n");
          out.append("      w.tag(").append(f.getNumber()).append(", 2);\n");
          out.append("      w.varint(<u64>this.packed_").append(f.getNumber()).append("());\n");
          out.append("      for (let i = 0; i < ").append(name).append(".length; i++) {\n");
          out.append("        const v = ").append(name).append("[i];\n");
          out.append("        w.").append(wireSuffix(f)).append("(").append(toWire(f, "v"));
          out.append(");\n      }\n    }\n");
        } else {
          out.append("    for (let i = 0; i < ").append(name).append(".length; i++) {\n");
          out.append("      const v = ").append(name).append("[i];\n");
          writeValue(f, "v", "      ");
          out.append("    }\n");
        }
      } else {
        String close = present(f, "    ");
        writeValue(f, "v", "        ");
        out.append(close);
      }
    }
    out.append("  }\n");
  }

  // ---- decoding ----------------------------------------------------------------------------

  private void merge(Descriptor m) {
    out.append("\n  merge(r: Reader, depth: i32): void {\n");
    out.append("    if (depth > MAX_DEPTH) {\n      r.fail();\n      return;\n    }\n");
    out.append("    while (!r.done()) {\n      const t = r.tag();\n      const wt = t & 7;\n");
    out.append("      switch (<i32>(t >>> 3)) {\n");
    for (FieldDescriptor f : byNumber(m)) {
      out.append("        case ").append(f.getNumber()).append(": {\n");
      decodeField(f, "          ");
      out.append("          break;\n        }\n");
    }
    out.append("        default:\n          r.skip(wt);\n      }\n    }\n  }\n");
  }

  private String readScalar(FieldDescriptor f) {
    return fromWire(f, "r." + wireSuffix(f) + "()");
  }

  private String readLen(FieldDescriptor f) {
    return f.getType() == FieldDescriptor.Type.STRING
        ? "r.string(" + validatesUtf8(f) + ")"
        : "r.bytes()";
  }

  private void decodeField(FieldDescriptor f, String in) {
    String name = "this." + field(f);
    String expect = "r.expect(wt, " + wireType(f) + ")";
    if (f.isRepeated()) {
      if (isMessage(f)) {
        String t = typeName(f.getMessageType());
        out.append(in).append("if (").append(expect).append(") {\n");
        out.append(in).append("  const e = new ").append(t).append("();\n");
        out.append(in).append("  const saved = r.enter();\n");
        out.append(in)
            .append("  e.merge(r, depth + 1);\n")
            .append(in)
            .append("  r.leave(saved);\n");
        out.append(in).append("  ").append(name).append(".push(e);\n").append(in).append("}\n");
      } else if (isLen(f)) {
        out.append(in).append("if (").append(expect).append(") ").append(name).append(".push(");
        out.append(readLen(f)).append(");\n");
      } else {
        out.append(in).append("if (wt == 2 && ").append(isPackable(f)).append(") {\n");
        out.append(in).append("  const saved = r.enter();\n");
        out.append(in).append("  while (!r.done()) ").append(name).append(".push(");
        out.append(readScalar(f)).append(");\n").append(in).append("  r.leave(saved);\n");
        out.append(in).append("} else if (").append(expect).append(") {\n");
        out.append(in).append("  ").append(name).append(".push(").append(readScalar(f));
        out.append(");\n").append(in).append("}\n");
      }
      return;
    }
    OneofDescriptor o = f.getRealContainingOneof();
    out.append(in).append("if (").append(expect).append(") {\n");
    if (isMessage(f)) {
      String t = typeName(f.getMessageType());
      // A second occurrence merges into the first, as protobuf specifies.
      String fresh =
          o == null ? "v == null" : "v == null || this." + caseMember(o) + " != " + f.getNumber();
      out.append(in).append("  let v = ").append(name).append(";\n");
      out.append(in).append("  if (").append(fresh).append(") {\n");
      out.append(in).append("    v = new ").append(t).append("();\n");
      out.append(in).append("    ").append(name).append(" = v;\n").append(in).append("  }\n");
      out.append(in).append("  const saved = r.enter();\n");
      out.append(in).append("  v.merge(r, depth + 1);\n").append(in).append("  r.leave(saved);\n");
    } else {
      String value = isLen(f) ? readLen(f) : readScalar(f);
      out.append(in).append("  ").append(name).append(" = ").append(value).append(";\n");
      if (hasFlag(f)) {
        out.append(in).append("  this.has_").append(f.getName()).append(" = true;\n");
      }
    }
    if (o != null) {
      out.append(in).append("  this.").append(caseMember(o)).append(" = ").append(f.getNumber());
      out.append(";\n");
    }
    out.append(in).append("}\n");
  }

  // ---- services ----------------------------------------------------------------------------

  private void service(ServiceDescriptor s) {
    String t = localName(s.getFullName(), file);
    String full = s.getFullName();
    out.append("\n// Service ").append(full).append(".\n");
    out.append("export const ").append(t).append("_NAME = \"").append(full).append("\";\n");
    for (MethodDescriptor md : s.getMethods()) {
      out.append("export const ")
          .append(t)
          .append("_")
          .append(md.getName())
          .append("_METHOD: i32 = ");
      out.append(methodNumber(md)).append(";\n");
    }
    out.append("\nexport class ").append(t).append("Client {\n  service: i32 = 0;\n\n");
    out.append("  connect(): i32 {\n    const h = locate(").append(t).append("_NAME);\n");
    out.append("    if (h < 0) return h;\n    this.service = h;\n    return 0;\n  }\n");
    for (MethodDescriptor md : s.getMethods()) {
      out.append("\n  ").append(member(md.getName())).append("(loop: Loop, req: ");
      out.append(typeName(md.getInputType())).append(", timeoutMs: i64 = -1): Future {\n");
      out.append("    return loop.call(this.service, ").append(methodNumber(md));
      out.append(", req.encode(), timeoutMs);\n  }\n");
    }
    out.append("}\n");

    out.append("\nexport class ").append(t).append("Server extends Handler {\n");
    out.append("  serve(loop: Loop): i32 {\n    return loop.serve(").append(t);
    out.append("_NAME, this);\n  }\n");
    for (MethodDescriptor md : s.getMethods()) {
      out.append("\n  ").append(member(md.getName())).append("(call: Call, req: ");
      out.append(typeName(md.getInputType())).append("): void {\n");
      out.append("    call.fail(STATUS_UNIMPLEMENTED, \"").append(full).append(": ");
      out.append(md.getName()).append(" is not implemented\");\n  }\n");
    }
    out.append("\n  handle(call: Call, method: i32, request: Uint8Array): void {\n");
    out.append("    switch (method) {\n");
    for (MethodDescriptor md : s.getMethods()) {
      out.append("      case ").append(methodNumber(md)).append(": {\n");
      out.append("        const req = new ").append(typeName(md.getInputType())).append("();\n");
      out.append("        if (req.decode(request) != 0) {\n");
      out.append("          call.fail(STATUS_INVALID_ARGUMENT, \"").append(full);
      out.append(": malformed request\");\n          return;\n        }\n");
      out.append("        this.").append(member(md.getName())).append("(call, req);\n");
      out.append("        return;\n      }\n");
    }
    out.append("      default:\n        break;\n    }\n");
    out.append("    call.fail(STATUS_UNIMPLEMENTED, \"").append(full);
    out.append(": no such method\");\n  }\n}\n");
    for (MethodDescriptor md : s.getMethods()) {
      String mn = t + "_" + md.getName();
      String resp = typeName(md.getOutputType());
      out.append("\nexport function ").append(mn).append("_reply(call: Call, r: ").append(resp);
      out.append("): i32 {\n  return call.end(r.encode());\n}\n");
      if (md.isServerStreaming()) {
        out.append("\nexport function ").append(mn).append("_send(call: Call, r: ").append(resp);
        out.append("): i32 {\n  return call.partial(r.encode());\n}\n");
        out.append("\nexport function ").append(mn).append("_decode_partial(p: Uint8Array, out: ");
        out.append(resp).append("): i32 {\n  return out.decode(p);\n}\n");
      }
    }
  }
}
