package dev.parigot.protoc;

import static dev.parigot.protoc.ProtoModel.alwaysWritten;
import static dev.parigot.protoc.ProtoModel.byNumber;
import static dev.parigot.protoc.ProtoModel.hasFlag;
import static dev.parigot.protoc.ProtoModel.isLen;
import static dev.parigot.protoc.ProtoModel.isMessage;
import static dev.parigot.protoc.ProtoModel.isPackable;
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
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Generates {@code x.pg.h} and {@code x.pg.c} for one {@code x.proto}. The C API is described in
 * {@link #API_DOC}, which heads every generated header.
 */
final class CGenerator {
  static final String API_DOC =
      """
       * Generated C API (see sdk/c/README.md). For each message T:
       *   struct T                 fields in declaration order: scalars as C types,
       *                            string/bytes as pg_bytes (not NUL-terminated),
       *                            messages as T* (NULL = absent), proto3 optional
       *                            scalars with a bool has_<field>, repeated and map
       *                            fields as { uint32_t len; E *items; } (map entries
       *                            are { key; value; } structs, in wire order: the
       *                            last of equal keys wins), oneofs as an
       *                            <oneof>_case enum (0 = NOT_SET, else the field
       *                            number) plus a union <oneof>.
       *   T_init(m)                sets every field to its default (all zero).
       *   T_encoded_size(m)        the encoded size in bytes.
       *   T_encode(m, buf, cap, &written)
       *                            PG_OK, or PG_E_BUFFER when cap is too small;
       *                            never writes past buf[cap - 1].
       *   T_decode(m, buf, len, arena)
       *                            PG_OK, PG_E_DECODE (malformed input, invalid
       *                            UTF-8 in a string, nesting deeper than
       *                            PG_MAX_DEPTH) or PG_E_NOMEM (arena full). Never
       *                            reads outside buf or calls malloc: repeated
       *                            arrays and nested messages come from the arena,
       *                            and strings and bytes point into buf, so the
       *                            message is valid while both are. Unknown fields
       *                            are skipped. After an error m is unspecified.
       *   T_write, T_merge         for generated code only.
       * Messages must be trees (no cycles) when encoded.
       *
       * For each service S (named by its full protobuf name, as manifests list it),
       * methods are numbered from 1 in declaration order (S_M_METHOD).
       *   Client: S_connect(&client) locates the service (0 or -errno);
       *     S_M(loop, &client, &req, timeout_ms) encodes and calls, returning a
       *     future (never NULL; completed with PG_E_BUFFER if req cannot be
       *     encoded); after pg_await, S_M_result(future, &resp, arena) decodes
       *     the reply and is 0, a -errno kernel error, a positive application
       *     code (the service's message is pg_future_result(f)->data),
       *     PG_E_NOT_DONE or a decode error. With arena NULL the future owns the
       *     decoded memory (see pg_future_decode); either way resp's strings
       *     point into the future, so keep it until you are done with resp.
       *     Server-streaming methods add S_M_decode_partial(partial, &resp, arena).
       *   Server: S_serve(loop, &handlers, ctx) exports S; each call's request is
       *     decoded into an arena of PG_SERVE_ARENA_BYTES (shared by the calls
       *     of S whose handlers are running, as handlers may await) and passed
       *     to the method's handler, valid only until the handler returns. A malformed
       *     request fails with PG_STATUS_INVALID_ARGUMENT, one too large for the
       *     arena with PG_STATUS_RESOURCE_EXHAUSTED, an unknown method or a NULL
       *     handler with PG_STATUS_UNIMPLEMENTED. The handler answers with
       *     S_M_reply (END), S_M_send (PARTIAL, server-streaming methods) or
       *     pg_call_fail, now or later.
       *   S_serve_as(loop, name, &handlers, ctx) is S_serve under another exported
       *     name (one the manifest exports, e.g. an HTTP front door's
       *     "web.v1.Front" for parigot.http.v1.Handler); each name has its own
       *     handlers and ctx, up to PG_SERVE_NAMES names per service, past
       *     which it returns PG_E_NOMEM.
      """;

  private final FileDescriptor file;
  private final StringBuilder h = new StringBuilder();
  private final StringBuilder c = new StringBuilder();

  /** Reply types whose pg_decode_fn adapter is already in {@link #c}. */
  private final Set<String> decodeAdapters = new HashSet<>();

  private CGenerator(FileDescriptor file) {
    this.file = file;
  }

  /** The header and source for {@code file}, as (name, content) pairs. */
  static List<String[]> generate(FileDescriptor file) {
    CGenerator g = new CGenerator(file);
    g.check();
    g.header();
    g.source();
    return List.of(
        new String[] {Names.output(file, ".pg.h"), g.h.toString()},
        new String[] {Names.output(file, ".pg.c"), g.c.toString()});
  }

  // ---- what we support -------------------------------------------------------------------

  private void check() {
    ProtoModel.check(file);
  }

  // ---- the header ------------------------------------------------------------------------

  private void header() {
    String guard = Names.headerGuard(file);
    h.append("/* Generated by protoc-gen-parigot from ")
        .append(file.getName())
        .append(". Do not edit. */\n/*\n * ")
        .append(Names.output(file, ".pg.h"))
        .append(file.getPackage().isEmpty() ? "" : ": package " + file.getPackage())
        .append("\n *\n")
        .append(API_DOC);
    for (ServiceDescriptor s : file.getServices()) {
      h.append(" *\n * Service ").append(s.getFullName()).append(":\n");
      for (MethodDescriptor md : s.getMethods()) {
        h.append(" *   ")
            .append(md.getIndex() + 1)
            .append("  ")
            .append(md.getName())
            .append(md.isServerStreaming() ? " (server streaming)" : "")
            .append("\n");
      }
    }
    h.append(" */\n#ifndef ").append(guard).append("\n#define ").append(guard).append("\n\n");
    h.append("#include <stdbool.h>\n#include <stdint.h>\n\n#include \"parigot_wire.h\"\n");
    if (!file.getServices().isEmpty()) {
      h.append("#include \"parigot.h\"\n");
    }
    for (FileDescriptor dep : file.getDependencies()) {
      h.append("#include \"").append(Names.output(dep, ".pg.h")).append("\"\n");
    }
    h.append("\n#ifdef __cplusplus\nextern \"C\" {\n#endif\n");

    for (EnumDescriptor e : allEnums()) {
      enumType(e);
    }
    List<Descriptor> messages = allMessages();
    if (!messages.isEmpty()) {
      h.append("\n");
    }
    for (Descriptor m : messages) {
      String t = Names.messageName(m);
      h.append("typedef struct ").append(t).append(" ").append(t).append(";\n");
    }
    for (Descriptor m : messages) {
      messageType(m);
    }
    for (ServiceDescriptor s : file.getServices()) {
      serviceDecls(s);
    }
    h.append("\n#ifdef __cplusplus\n}\n#endif\n\n#endif /* ").append(guard).append(" */\n");
  }

  private void enumType(EnumDescriptor e) {
    String t = Names.enumName(e);
    h.append("\ntypedef enum ").append(t).append(" {\n");
    for (EnumValueDescriptor v : e.getValues()) {
      h.append("  ").append(t).append("_").append(v.getName());
      h.append(" = ").append(v.getNumber()).append(",\n");
    }
    h.append("} ").append(t).append(";\n");
  }

  private void messageType(Descriptor m) {
    String t = Names.messageName(m);
    h.append("\n");
    for (FieldDescriptor f : m.getFields()) {
      if (f.isRepeated()) {
        h.append("typedef struct ").append(listType(f)).append(" {\n");
        h.append("  uint32_t len;\n  ").append(elementType(f)).append(" *items;\n");
        h.append("} ").append(listType(f)).append(";\n");
      }
    }
    for (OneofDescriptor o : realOneofs(m)) {
      String e = t + "_" + o.getName();
      h.append("typedef enum ").append(e).append("_case {\n");
      h.append("  ").append(e).append("_NOT_SET = 0,\n");
      for (FieldDescriptor f : o.getFields()) {
        h.append("  ").append(caseName(f)).append(" = ").append(f.getNumber()).append(",\n");
      }
      h.append("} ").append(e).append("_case;\n");
    }
    h.append("struct ").append(t).append(" {\n");
    List<OneofDescriptor> emitted = new ArrayList<>();
    for (FieldDescriptor f : m.getFields()) {
      OneofDescriptor o = f.getRealContainingOneof();
      if (o != null) {
        if (!emitted.contains(o)) {
          emitted.add(o);
          h.append("  ").append(t).append("_").append(o.getName()).append("_case ");
          h.append(Names.member(o.getName() + "_case")).append(";\n  union {\n");
          for (FieldDescriptor of : o.getFields()) {
            h.append("    ").append(elementType(of)).append(isMessage(of) ? " *" : " ");
            h.append(Names.field(of)).append(";\n");
          }
          h.append("  } ").append(Names.member(o.getName())).append(";\n");
        }
      } else if (f.isRepeated()) {
        h.append("  ").append(listType(f)).append(" ").append(Names.field(f)).append(";\n");
      } else if (isMessage(f)) {
        h.append("  ").append(elementType(f)).append(" *").append(Names.field(f)).append(";\n");
      } else {
        if (hasFlag(f)) {
          h.append("  bool has_").append(f.getName()).append(";\n");
        }
        h.append("  ").append(elementType(f)).append(" ").append(Names.field(f)).append(";\n");
      }
    }
    if (m.getFields().isEmpty()) {
      h.append("  char unused; /* C has no empty structs */\n");
    }
    h.append("};\n");
    h.append("void ").append(t).append("_init(").append(t).append(" *m);\n");
    h.append("uint32_t ").append(t).append("_encoded_size(const ").append(t).append(" *m);\n");
    h.append("int32_t ").append(t).append("_encode(const ").append(t);
    h.append(" *m, uint8_t *buf, uint32_t cap, uint32_t *written);\n");
    h.append("int32_t ").append(t).append("_decode(").append(t);
    h.append(" *m, const uint8_t *buf, uint32_t len, pg_arena *arena);\n");
    h.append("void ").append(t).append("_write(const ").append(t).append(" *m, pg_writer *w);\n");
    h.append("int32_t ").append(t).append("_merge(").append(t);
    h.append(" *m, pg_bytes b, pg_arena *a, uint32_t depth);\n");
  }

  private void serviceDecls(ServiceDescriptor s) {
    String t = Names.serviceName(s);
    h.append("\n/* Service ").append(s.getFullName()).append(". */\n");
    h.append("#define ").append(t).append("_NAME \"").append(s.getFullName()).append("\"\n");
    for (MethodDescriptor md : s.getMethods()) {
      h.append("#define ").append(methodName(md)).append("_METHOD ").append(md.getIndex() + 1);
      h.append("\n");
    }
    h.append("\ntypedef struct ").append(t).append("_client {\n  int32_t service;\n} ");
    h.append(t).append("_client;\n");
    h.append("int32_t ").append(t).append("_connect(").append(t).append("_client *c);\n");
    for (MethodDescriptor md : s.getMethods()) {
      String mn = methodName(md);
      String req = Names.messageName(md.getInputType());
      String resp = Names.messageName(md.getOutputType());
      h.append("pg_future *").append(mn).append("(pg_loop *l, const ").append(t);
      h.append("_client *c, const ").append(req).append(" *req, int64_t timeout_ms);\n");
      h.append("int32_t ").append(mn).append("_result(pg_future *f, ").append(resp);
      h.append(" *out, pg_arena *a);\n");
      if (md.isServerStreaming()) {
        h.append("int32_t ").append(mn).append("_decode_partial(pg_bytes partial, ");
        h.append(resp).append(" *out, pg_arena *a);\n");
      }
    }
    h.append("\ntypedef struct ").append(t).append("_handlers {\n");
    for (MethodDescriptor md : s.getMethods()) {
      h.append("  void (*").append(Names.member(md.getName())).append(")(pg_call *call, const ");
      h.append(Names.messageName(md.getInputType())).append(" *req, void *ctx);\n");
    }
    h.append("} ").append(t).append("_handlers;\n");
    h.append("int32_t ").append(t).append("_serve(pg_loop *l, const ").append(t);
    h.append("_handlers *h, void *ctx);\n");
    serveAsDecl(s);
    for (MethodDescriptor md : s.getMethods()) {
      String resp = Names.messageName(md.getOutputType());
      h.append("int32_t ").append(methodName(md)).append("_reply(pg_call *c, const ");
      h.append(resp).append(" *r);\n");
      if (md.isServerStreaming()) {
        h.append("int32_t ").append(methodName(md)).append("_send(pg_call *c, const ");
        h.append(resp).append(" *r);\n");
      }
    }
  }

  // ---- the source ------------------------------------------------------------------------

  private void source() {
    c.append("/* Generated by protoc-gen-parigot from ")
        .append(file.getName())
        .append(". Do not edit. */\n#include \"")
        .append(Names.output(file, ".pg.h"))
        .append("\"\n\n#include <string.h>\n");
    for (Descriptor m : allMessages()) {
      init(m);
      encodedSize(m);
      write(m);
      encode(m);
      merge(m);
      decode(m);
    }
    for (ServiceDescriptor s : file.getServices()) {
      client(s);
      server(s);
    }
  }

  private void init(Descriptor m) {
    String t = Names.messageName(m);
    c.append("\nvoid ").append(t).append("_init(").append(t).append(" *m) {\n");
    c.append("  memset(m, 0, sizeof *m);\n");
    for (FieldDescriptor f : m.getFields()) {
      // proto2 enums default to their first value, which may not be 0.
      if (f.getType() == FieldDescriptor.Type.ENUM
          && !f.isRepeated()
          && f.getRealContainingOneof() == null
          && ((EnumValueDescriptor) f.getDefaultValue()).getNumber() != 0) {
        EnumValueDescriptor v = (EnumValueDescriptor) f.getDefaultValue();
        c.append("  m->").append(Names.field(f)).append(" = ");
        c.append(Names.enumName(v.getType())).append("_").append(v.getName()).append(";\n");
      }
    }
    c.append("}\n");
  }

  private void encodedSize(Descriptor m) {
    String t = Names.messageName(m);
    c.append("\nuint32_t ").append(t).append("_encoded_size(const ").append(t).append(" *m) {\n");
    c.append("  uint32_t n = 0;\n");
    if (m.getFields().isEmpty()) {
      c.append("  (void)m;\n");
    }
    for (FieldDescriptor f : byNumber(m)) {
      String tag = Integer.toString(tagSize(f));
      if (f.isRepeated()) {
        String item = "m->" + Names.field(f) + ".items[i]";
        if (f.isPacked()) {
          c.append("  if (m->").append(Names.field(f)).append(".len > 0) {\n");
          c.append("    uint32_t p = 0;\n");
          c.append("    for (uint32_t i = 0; i < m->")
              .append(Names.field(f))
              .append(".len; i++) {\n");
          c.append("      p += ").append(Scalar.of(f).size(item)).append(";\n    }\n");
          c.append("    n += ").append(tag).append(" + pg_len_size(p);\n  }\n");
        } else {
          c.append("  for (uint32_t i = 0; i < m->")
              .append(Names.field(f))
              .append(".len; i++) {\n");
          c.append("    n += ").append(tag).append(" + ").append(valueSize(f, item)).append(";\n");
          c.append("  }\n");
        }
      } else if (present(f) == null) {
        c.append("  n += ").append(tag).append(" + ").append(valueSize(f, value(f))).append(";\n");
      } else {
        c.append("  if (").append(present(f)).append(") {\n");
        c.append("    n += ")
            .append(tag)
            .append(" + ")
            .append(valueSize(f, value(f)))
            .append(";\n");
        c.append("  }\n");
      }
    }
    c.append("  return n;\n}\n");
  }

  private void write(Descriptor m) {
    String t = Names.messageName(m);
    c.append("\nvoid ")
        .append(t)
        .append("_write(const ")
        .append(t)
        .append(" *m, pg_writer *w) {\n");
    if (m.getFields().isEmpty()) {
      c.append("  (void)m;\n  (void)w;\n");
    }
    for (FieldDescriptor f : byNumber(m)) {
      String name = Names.field(f);
      if (f.isRepeated()) {
        String item = "m->" + name + ".items[i]";
        String loop = "for (uint32_t i = 0; i < m->" + name + ".len; i++) {\n";
        if (f.isPacked()) {
          Scalar s = Scalar.of(f);
          c.append("  if (m->").append(name).append(".len > 0) {\n    uint32_t p = 0;\n");
          c.append("    ").append(loop).append("      p += ").append(s.size(item));
          c.append(";\n    }\n");
          c.append("    pg_write_tag(w, ").append(f.getNumber()).append(", PG_WT_LEN);\n");
          c.append("    pg_write_varint(w, p);\n");
          c.append("    ").append(loop).append("      ").append(s.write("w", item));
          c.append("\n    }\n  }\n");
        } else {
          c.append("  ").append(loop);
          writeValue(f, item, "    ");
          c.append("  }\n");
        }
      } else if (present(f) == null) {
        writeValue(f, value(f), "  ");
      } else {
        c.append("  if (").append(present(f)).append(") {\n");
        writeValue(f, value(f), "    ");
        c.append("  }\n");
      }
    }
    c.append("}\n");
  }

  private void writeValue(FieldDescriptor f, String x, String indent) {
    c.append(indent).append("pg_write_tag(w, ").append(f.getNumber()).append(", ");
    if (isMessage(f)) {
      String t = Names.messageName(f.getMessageType());
      String p = f.isRepeated() ? "&" + x : x;
      c.append("PG_WT_LEN);\n");
      c.append(indent).append("pg_write_varint(w, ").append(t).append("_encoded_size(");
      c.append(p).append("));\n");
      c.append(indent).append(t).append("_write(").append(p).append(", w);\n");
    } else if (isLen(f)) {
      c.append("PG_WT_LEN);\n").append(indent).append("pg_write_len(w, ").append(x).append(");\n");
    } else {
      Scalar s = Scalar.of(f);
      c.append(s.wire.constant).append(");\n").append(indent).append(s.write("w", x));
      c.append("\n");
    }
  }

  private void encode(Descriptor m) {
    String t = Names.messageName(m);
    c.append("\nint32_t ").append(t).append("_encode(const ").append(t);
    c.append(" *m, uint8_t *buf, uint32_t cap, uint32_t *written) {\n");
    c.append("  pg_writer w = pg_writer_of(buf, cap);\n");
    c.append("  ").append(t).append("_write(m, &w);\n");
    c.append("  if (w.err != PG_OK) {\n    return w.err;\n  }\n");
    c.append("  *written = w.pos;\n  return PG_OK;\n}\n");
  }

  private void decode(Descriptor m) {
    String t = Names.messageName(m);
    c.append("\nint32_t ").append(t).append("_decode(").append(t);
    c.append(" *m, const uint8_t *buf, uint32_t len, pg_arena *arena) {\n");
    c.append("  pg_bytes b = {buf, len};\n");
    c.append("  ").append(t).append("_init(m);\n");
    c.append("  return ").append(t).append("_merge(m, b, arena, 0);\n}\n");
  }

  /**
   * Decoding is two passes over the message's own bytes: the first counts the elements of every
   * repeated field so each array is allocated once at its exact size; the second fills them.
   */
  private void merge(Descriptor m) {
    String t = Names.messageName(m);
    List<FieldDescriptor> repeated =
        m.getFields().stream().filter(FieldDescriptor::isRepeated).toList();
    c.append("\nint32_t ").append(t).append("_merge(").append(t);
    c.append(" *m, pg_bytes b, pg_arena *a, uint32_t depth) {\n");
    c.append("  if (depth > PG_MAX_DEPTH) {\n    return PG_E_DECODE;\n  }\n");
    c.append("  (void)a;\n");
    if (m.getFields().isEmpty()) {
      c.append("  (void)m;\n");
    }
    c.append("  uint32_t field, wt;\n  int32_t rc;\n");
    c.append("  pg_reader r = pg_reader_of(b.data, b.len);\n");
    if (!repeated.isEmpty()) {
      for (FieldDescriptor f : repeated) {
        c.append("  uint32_t n_").append(f.getName()).append(" = 0;\n");
      }
      c.append("  while (!pg_reader_done(&r)) {\n");
      c.append(
          "    if ((rc = pg_read_tag(&r, &field, &wt)) != PG_OK) {\n      return rc;\n    }\n");
      c.append("    switch (field) {\n");
      for (FieldDescriptor f : repeated) {
        c.append("      case ").append(f.getNumber()).append(":\n");
        if (isPackable(f)) {
          c.append("        if (wt == PG_WT_LEN) {\n          pg_bytes p;\n");
          c.append("          if ((rc = pg_read_len(&r, &p)) != PG_OK) {\n");
          c.append("            return rc;\n          }\n");
          c.append("          n_").append(f.getName()).append(" += ");
          c.append(
              switch (Scalar.of(f).wire) {
                case VARINT -> "pg_count_varints(p)";
                case FIXED32 -> "p.len / 4";
                case FIXED64 -> "p.len / 8";
              });
          c.append(";\n          continue;\n        }\n");
        }
        c.append("        n_").append(f.getName()).append("++;\n        break;\n");
      }
      c.append("      default:\n        break;\n    }\n");
      c.append("    if ((rc = pg_skip(&r, wt)) != PG_OK) {\n      return rc;\n    }\n  }\n");
      for (FieldDescriptor f : repeated) {
        String name = Names.field(f);
        String n = "n_" + f.getName();
        c.append("  uint32_t cap_")
            .append(f.getName())
            .append(" = m->")
            .append(name)
            .append(".len;\n");
        c.append("  if (").append(n).append(" > 0) {\n");
        c.append("    ").append(elementType(f)).append(" *items = pg_grow(a, m->").append(name);
        c.append(".items, m->").append(name).append(".len, ").append(n);
        c.append(", sizeof *items, _Alignof(").append(elementType(f)).append("));\n");
        c.append("    if (items == NULL) {\n      return PG_E_NOMEM;\n    }\n");
        c.append("    m->").append(name).append(".items = items;\n");
        c.append("    cap_").append(f.getName()).append(" += ").append(n).append(";\n  }\n");
      }
      c.append("  r = pg_reader_of(b.data, b.len);\n");
    }
    c.append("  while (!pg_reader_done(&r)) {\n");
    c.append("    if ((rc = pg_read_tag(&r, &field, &wt)) != PG_OK) {\n      return rc;\n    }\n");
    c.append("    switch (field) {\n");
    for (FieldDescriptor f : byNumber(m)) {
      c.append("      case ").append(f.getNumber()).append(": {\n");
      decodeField(f);
      c.append("        break;\n      }\n");
    }
    c.append("      default:\n");
    c.append("        if ((rc = pg_skip(&r, wt)) != PG_OK) {\n          return rc;\n        }\n");
    c.append("        break;\n    }\n  }\n  return PG_OK;\n}\n");
  }

  private void decodeField(FieldDescriptor f) {
    String in = "        ";
    String name = Names.field(f);
    String fail = " {\n" + in + "  return rc;\n" + in + "}\n";
    if (f.isRepeated()) {
      String full = "if (m->" + name + ".len >= cap_" + f.getName() + ") {\n";
      String append = "m->" + name + ".items[m->" + name + ".len++]";
      if (isMessage(f)) {
        String t = Names.messageName(f.getMessageType());
        c.append(in).append("pg_bytes v;\n");
        c.append(in).append("if ((rc = pg_read_len_field(&r, wt, &v)) != PG_OK)").append(fail);
        c.append(in)
            .append(full)
            .append(in)
            .append("  return PG_E_DECODE;\n")
            .append(in)
            .append("}\n");
        c.append(in).append(t).append(" *e = &").append(append).append(";\n");
        c.append(in).append(t).append("_init(e);\n");
        c.append(in).append("if ((rc = ").append(t).append("_merge(e, v, a, depth + 1)) != PG_OK)");
        c.append(fail);
      } else if (isLen(f)) {
        c.append(in).append("pg_bytes v;\n");
        c.append(in).append("if ((rc = ").append(readLen(f)).append(") != PG_OK)").append(fail);
        c.append(in)
            .append(full)
            .append(in)
            .append("  return PG_E_DECODE;\n")
            .append(in)
            .append("}\n");
        c.append(in).append(append).append(" = v;\n");
      } else {
        Scalar s = Scalar.of(f);
        String suffix = s.wire.suffix;
        c.append(in).append(s.wire.rawType).append(" v;\n");
        c.append(in).append("if (wt == PG_WT_LEN) {\n");
        c.append(in).append("  pg_bytes p;\n");
        c.append(in).append("  if ((rc = pg_read_len(&r, &p)) != PG_OK) {\n");
        c.append(in).append("    return rc;\n").append(in).append("  }\n");
        c.append(in).append("  pg_reader pr = pg_reader_of(p.data, p.len);\n");
        c.append(in).append("  while (!pg_reader_done(&pr)) {\n");
        c.append(in)
            .append("    if ((rc = pg_read_")
            .append(suffix)
            .append("(&pr, &v)) != PG_OK) {\n");
        c.append(in).append("      return rc;\n").append(in).append("    }\n");
        c.append(in).append("    ").append(full);
        c.append(in).append("      return PG_E_DECODE;\n").append(in).append("    }\n");
        c.append(in).append("    ").append(append).append(" = ").append(s.fromWire(f, "v"));
        c.append(";\n").append(in).append("  }\n").append(in).append("  break;\n");
        c.append(in).append("}\n");
        c.append(in)
            .append("if ((rc = pg_read_")
            .append(suffix)
            .append("_field(&r, wt, &v)) != PG_OK)");
        c.append(fail);
        c.append(in)
            .append(full)
            .append(in)
            .append("  return PG_E_DECODE;\n")
            .append(in)
            .append("}\n");
        c.append(in).append(append).append(" = ").append(s.fromWire(f, "v")).append(";\n");
      }
      return;
    }
    OneofDescriptor o = f.getRealContainingOneof();
    if (isMessage(f)) {
      String t = Names.messageName(f.getMessageType());
      String target = o == null ? "m->" + name : "m->" + Names.member(o.getName()) + "." + name;
      c.append(in).append("pg_bytes v;\n");
      c.append(in).append("if ((rc = pg_read_len_field(&r, wt, &v)) != PG_OK)").append(fail);
      // A second occurrence merges into the first, as protobuf specifies.
      String absent =
          o == null
              ? target + " == NULL"
              : "m->" + caseMember(o) + " != " + caseName(f) + " || " + target + " == NULL";
      c.append(in).append("if (").append(absent).append(") {\n");
      c.append(in).append("  ").append(t).append(" *e = pg_arena_alloc(a, sizeof *e, _Alignof(");
      c.append(t).append("));\n");
      c.append(in).append("  if (e == NULL) {\n").append(in).append("    return PG_E_NOMEM;\n");
      c.append(in).append("  }\n").append(in).append("  ").append(t).append("_init(e);\n");
      c.append(in).append("  ").append(target).append(" = e;\n");
      if (o != null) {
        c.append(in).append("  m->").append(caseMember(o)).append(" = ").append(caseName(f));
        c.append(";\n");
      }
      c.append(in).append("}\n");
      c.append(in).append("if ((rc = ").append(t).append("_merge(").append(target);
      c.append(", v, a, depth + 1)) != PG_OK)").append(fail);
      return;
    }
    String valueExpr;
    if (isLen(f)) {
      c.append(in).append("pg_bytes v;\n");
      c.append(in).append("if ((rc = ").append(readLen(f)).append(") != PG_OK)").append(fail);
      valueExpr = "v";
    } else {
      Scalar s = Scalar.of(f);
      c.append(in).append(s.wire.rawType).append(" v;\n");
      c.append(in)
          .append("if ((rc = pg_read_")
          .append(s.wire.suffix)
          .append("_field(&r, wt, &v)) != PG_OK)");
      c.append(fail);
      valueExpr = s.fromWire(f, "v");
    }
    if (o != null) {
      c.append(in)
          .append("m->")
          .append(caseMember(o))
          .append(" = ")
          .append(caseName(f))
          .append(";\n");
      c.append(in).append("m->").append(Names.member(o.getName())).append(".").append(name);
    } else {
      if (hasFlag(f)) {
        c.append(in).append("m->has_").append(f.getName()).append(" = true;\n");
      }
      c.append(in).append("m->").append(name);
    }
    c.append(" = ").append(valueExpr).append(";\n");
  }

  private String readLen(FieldDescriptor f) {
    return validatesUtf8(f) ? "pg_read_string_field(&r, wt, &v)" : "pg_read_len_field(&r, wt, &v)";
  }

  /** The name of the static pg_decode_fn adapter over {@code type}'s decoder. */
  private static String decodeAny(String type) {
    return type + "_decode_any";
  }

  private void client(ServiceDescriptor s) {
    String t = Names.serviceName(s);
    // pg_future_decode takes any message as void *: one adapter per reply type, since calling
    // T_decode through a pointer of another function type is undefined behaviour.
    for (MethodDescriptor md : s.getMethods()) {
      String resp = Names.messageName(md.getOutputType());
      if (decodeAdapters.add(resp)) {
        c.append("\nstatic int32_t ").append(decodeAny(resp));
        c.append("(void *out, const uint8_t *buf, uint32_t len, pg_arena *a) {\n");
        c.append("  return ").append(resp).append("_decode(out, buf, len, a);\n}\n");
      }
    }
    c.append("\nint32_t ").append(t).append("_connect(").append(t).append("_client *c) {\n");
    c.append("  return pg_locate(").append(t).append("_NAME, &c->service);\n}\n");
    for (MethodDescriptor md : s.getMethods()) {
      String mn = methodName(md);
      String req = Names.messageName(md.getInputType());
      String resp = Names.messageName(md.getOutputType());
      c.append("\npg_future *").append(mn).append("(pg_loop *l, const ").append(t);
      c.append("_client *c, const ").append(req).append(" *req, int64_t timeout_ms) {\n");
      c.append("  uint32_t size = ").append(req).append("_encoded_size(req);\n");
      c.append("  uint8_t *buf = pg_scratch(size);\n  uint32_t written = 0;\n");
      c.append("  if ((buf == NULL && size > 0) || ").append(req);
      c.append("_encode(req, buf, size, &written) != PG_OK) {\n");
      c.append("    return pg_future_failed(l, PG_E_BUFFER);\n  }\n");
      c.append("  pg_bytes bytes = {buf, written};\n");
      c.append("  return pg_call(l, c->service, ").append(mn);
      c.append("_METHOD, bytes, timeout_ms);\n}\n");

      c.append("\nint32_t ").append(mn).append("_result(pg_future *f, ").append(resp);
      c.append(" *out, pg_arena *a) {\n");
      c.append("  if (a == NULL) {\n    return pg_future_decode(f, ").append(decodeAny(resp));
      c.append(", out);\n  }\n");
      c.append("  const pg_result *r = pg_future_result(f);\n");
      c.append("  if (r == NULL) {\n    return PG_E_NOT_DONE;\n  }\n");
      c.append("  if (r->status != 0) {\n    return r->status;\n  }\n");
      c.append("  return ").append(resp).append("_decode(out, r->data.data, r->data.len, a);\n}\n");
      if (md.isServerStreaming()) {
        c.append("\nint32_t ").append(mn).append("_decode_partial(pg_bytes partial, ");
        c.append(resp).append(" *out, pg_arena *a) {\n");
        c.append("  return ")
            .append(resp)
            .append("_decode(out, partial.data, partial.len, a);\n}\n");
      }
    }
  }

  private void server(ServiceDescriptor s) {
    String t = Names.serviceName(s);
    String full = s.getFullName();
    // One binding per exported name (_serve_as may export the contract under several), handed to
    // the dispatcher as pg_serve's ctx; static, as generated code never calls malloc.
    c.append("\ntypedef struct ").append(t).append("_binding {\n  const ").append(t);
    c.append("_handlers *h;\n  void *ctx;\n} ").append(t).append("_binding;\n");
    c.append("static ").append(t).append("_binding ").append(t);
    c.append("_bindings[PG_SERVE_NAMES];\nstatic uint32_t ").append(t).append("_bound;\n");
    c.append("static _Alignas(16) uint8_t ").append(t).append("_arena[PG_SERVE_ARENA_BYTES];\n");
    // A handler may await, and the loop then dispatches further calls while its request is still
    // in use: the arena is a stack, and each dispatch decodes above those still running.
    c.append("static uint32_t ").append(t).append("_arena_top;\n");
    c.append("\nstatic void ").append(t).append("_fail_decode(pg_call *call, int32_t rc) {\n");
    c.append("  if (rc == PG_E_NOMEM) {\n");
    c.append("    pg_call_fail(call, PG_STATUS_RESOURCE_EXHAUSTED, \"").append(full);
    c.append(": the request is too large to decode\");\n  } else {\n");
    c.append("    pg_call_fail(call, PG_STATUS_INVALID_ARGUMENT, \"").append(full);
    c.append(": malformed request\");\n  }\n}\n");

    c.append("\nstatic void ").append(t);
    c.append("_dispatch(pg_call *call, int32_t method, pg_bytes request, void *ctx) {\n");
    c.append("  const ").append(t).append("_binding *b = ctx;\n  const ").append(t);
    c.append("_handlers *h = b->h;\n  uint32_t base = ").append(t).append("_arena_top;\n");
    c.append("  pg_arena arena;\n  pg_arena_init(&arena, ")
        .append(t)
        .append("_arena + base, sizeof ");
    c.append(t).append("_arena - base);\n  int32_t rc;\n");
    c.append("  switch (method) {\n");
    for (MethodDescriptor md : s.getMethods()) {
      String req = Names.messageName(md.getInputType());
      String handler = "h->" + Names.member(md.getName());
      c.append("    case ").append(methodName(md)).append("_METHOD: {\n");
      c.append("      if (").append(handler).append(" == NULL) {\n        break;\n      }\n");
      c.append("      ").append(req).append(" req;\n");
      c.append("      if ((rc = ").append(req);
      c.append("_decode(&req, request.data, request.len, &arena)) != PG_OK) {\n");
      c.append("        ").append(t).append("_fail_decode(call, rc);\n        return;\n      }\n");
      c.append("      ").append(t).append("_arena_top = base + arena.used;\n");
      c.append("      ").append(handler).append("(call, &req, b->ctx);\n");
      c.append("      ").append(t).append("_arena_top = base;\n      return;\n    }\n");
    }
    c.append("    default:\n      break;\n  }\n");
    c.append("  pg_call_fail(call, PG_STATUS_UNIMPLEMENTED, \"").append(full);
    c.append(": no such method\");\n}\n");

    c.append("\nint32_t ").append(t).append("_serve(pg_loop *l, const ").append(t);
    c.append("_handlers *h, void *ctx) {\n");
    c.append("  return ")
        .append(t)
        .append("_serve_as(l, ")
        .append(t)
        .append("_NAME, h, ctx);\n}\n");
    serveAs(s);

    for (MethodDescriptor md : s.getMethods()) {
      answer(md, "reply", "pg_call_end");
      if (md.isServerStreaming()) {
        answer(md, "send", "pg_call_partial");
      }
    }
  }

  /** S_serve_as: exports the contract under a name of the caller's, e.g. an HTTP front door's. */
  private void serveAs(ServiceDescriptor s) {
    String t = Names.serviceName(s);
    c.append("\nint32_t ").append(t).append("_serve_as(pg_loop *l, const char *name, const ");
    c.append(t).append("_handlers *h, void *ctx) {\n");
    c.append("  if (")
        .append(t)
        .append("_bound == PG_SERVE_NAMES) {\n    return PG_E_NOMEM;\n  }\n");
    c.append("  ").append(t).append("_binding *b = &").append(t).append("_bindings[");
    c.append(t).append("_bound];\n");
    c.append("  b->h = h;\n  b->ctx = ctx;\n");
    c.append("  int32_t rc = pg_serve(l, name, ").append(t).append("_dispatch, b);\n");
    c.append("  if (rc == 0) {\n    ").append(t).append("_bound++;\n  }\n  return rc;\n}\n");
  }

  /** The declaration of {@link #serveAs}'s function. */
  private void serveAsDecl(ServiceDescriptor s) {
    String t = Names.serviceName(s);
    h.append("int32_t ").append(t).append("_serve_as(pg_loop *l, const char *name, const ");
    h.append(t).append("_handlers *h, void *ctx);\n");
  }

  private void answer(MethodDescriptor md, String suffix, String call) {
    String resp = Names.messageName(md.getOutputType());
    c.append("\nint32_t ").append(methodName(md)).append("_").append(suffix);
    c.append("(pg_call *c, const ").append(resp).append(" *r) {\n");
    c.append("  uint32_t size = ").append(resp).append("_encoded_size(r);\n");
    c.append("  uint8_t *buf = pg_scratch(size);\n  uint32_t written = 0;\n");
    c.append("  if (buf == NULL && size > 0) {\n    return PG_E_BUFFER;\n  }\n");
    c.append("  int32_t rc = ").append(resp).append("_encode(r, buf, size, &written);\n");
    c.append("  if (rc != PG_OK) {\n    return rc;\n  }\n");
    c.append("  pg_bytes bytes = {buf, written};\n  return ")
        .append(call)
        .append("(c, bytes);\n}\n");
  }

  // ---- field helpers ---------------------------------------------------------------------

  private static String elementType(FieldDescriptor f) {
    if (isMessage(f)) {
      return Names.messageName(f.getMessageType());
    }
    return isLen(f) ? "pg_bytes" : Scalar.of(f).cType(f);
  }

  private static String listType(FieldDescriptor f) {
    return Names.messageName(f.getContainingType()) + "_" + f.getName() + "_list";
  }

  private static String caseName(FieldDescriptor f) {
    OneofDescriptor o = f.getRealContainingOneof();
    return Names.messageName(f.getContainingType()) + "_" + o.getName() + "_" + f.getName();
  }

  private static String caseMember(OneofDescriptor o) {
    return Names.member(o.getName() + "_case");
  }

  /** The C expression for a singular field's value ({@code T *} for messages). */
  private static String value(FieldDescriptor f) {
    OneofDescriptor o = f.getRealContainingOneof();
    return o == null
        ? "m->" + Names.field(f)
        : "m->" + Names.member(o.getName()) + "." + Names.field(f);
  }

  /**
   * The C condition under which a singular field is encoded, or null for always: map entries always
   * carry their key and scalar value, as protobuf's own implementations write them.
   */
  private static String present(FieldDescriptor f) {
    if (alwaysWritten(f)) {
      return null;
    }
    OneofDescriptor o = f.getRealContainingOneof();
    if (o != null) {
      return "m->" + caseMember(o) + " == " + caseName(f);
    }
    if (isMessage(f)) {
      return value(f) + " != NULL";
    }
    if (hasFlag(f)) {
      return "m->has_" + f.getName();
    }
    return isLen(f) ? value(f) + ".len > 0" : Scalar.of(f).nonZero(value(f));
  }

  /** The encoded size of one value without its tag; {@code x} is the element (a struct). */
  private static String valueSize(FieldDescriptor f, String x) {
    if (isMessage(f)) {
      String p = f.isRepeated() ? "&" + x : x;
      return "pg_len_size(" + Names.messageName(f.getMessageType()) + "_encoded_size(" + p + "))";
    }
    return isLen(f) ? "pg_len_size(" + x + ".len)" : Scalar.of(f).size(x);
  }

  private static String methodName(MethodDescriptor md) {
    return Names.serviceName(md.getService()) + "_" + md.getName();
  }

  private static List<OneofDescriptor> realOneofs(Descriptor m) {
    return m.getRealOneofs();
  }

  /** Every message of the file, outer before nested, in declaration order. */
  private List<Descriptor> allMessages() {
    return ProtoModel.messages(file);
  }

  private List<EnumDescriptor> allEnums() {
    return ProtoModel.enums(file);
  }
}
