package dev.parigot.abi;

import dev.parigot.abi.AbiGenerator.Call;
import dev.parigot.abi.AbiGenerator.Entry;
import dev.parigot.abi.AbiGenerator.Field;
import dev.parigot.abi.AbiGenerator.Param;
import dev.parigot.abi.AbiGenerator.Spec;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Renders the raw AssemblyScript binding of the ABI (sdk/as/lib/parigot/abi.ts) from the same
 * parsed abi.toml as the Java and C ones: the syscall imports, the errnos, event kinds, constants
 * and the event record's offsets.
 */
final class AsBinding {
  static final Path FILE = Path.of("sdk", "as", "lib", "parigot", "abi.ts");

  private static final int WIDTH = 100;

  private AsBinding() {}

  static String render(Spec spec) {
    StringBuilder out = new StringBuilder();
    out.append(AbiGenerator.HEADER).append('\n');
    comment(
        out,
        "",
        "abi.ts: the raw AssemblyScript binding of the Parigot guest ABI, version "
            + spec.version()
            + ". The syscalls are wasm imports from the module \""
            + spec.importModule()
            + "\". Pointers are offsets into the caller's own memory; a bad (pointer, length)"
            + " pair kills the calling process. docs/abi.md describes the behaviour behind these"
            + " names; runtime.ts builds the SDK on them.");
    out.append('\n');
    out.append("export const ABI_VERSION: i32 = ").append(spec.version()).append(";\n\n");
    comment(
        out,
        "",
        "Errors. Syscalls return the negative of these numbers (for example -E_BAD_HANDLE); ERROR"
            + " and CANCEL events carry it, negated, in their code field.");
    for (Entry e : byValue(spec.errnos())) {
      comment(out, "", e.doc());
      out.append("export const E_").append(e.name()).append(": i32 = ").append(e.value());
      out.append(";\n");
    }
    out.append('\n');
    comment(out, "", "Event kinds: the kind field of an event record.");
    for (Entry k : byValue(spec.kinds())) {
      comment(out, "", k.doc());
      out.append("export const EVENT_").append(k.name()).append(": u32 = ").append(k.value());
      out.append(";\n");
    }
    out.append('\n');
    comment(out, "", "Constants the syscalls take.");
    for (Entry c : spec.constants()) {
      comment(out, "", c.doc());
      out.append("export const ").append(c.name()).append(": i32 = ").append(c.value());
      out.append(";\n");
    }
    out.append('\n');
    comment(
        out,
        "",
        "One event record as wait writes it: EVENT_SIZE bytes, little endian; each field at its"
            + " EVENT_ offset (read with load<u32>, load<i32> or load<u64>).");
    out.append("export const EVENT_SIZE: i32 = ").append(spec.eventSize()).append(";\n");
    for (Field f : spec.fields()) {
      comment(out, "", f.type() + ": " + f.doc());
      out.append("export const EVENT_").append(f.name().toUpperCase(java.util.Locale.ROOT));
      out.append(": i32 = ").append(f.offset()).append(";\n");
    }
    for (Call c : spec.syscalls()) {
      out.append('\n');
      String errors =
          c.errors().isEmpty()
              ? ""
              : " Errors (returned negated): "
                  + String.join(", ", c.errors().stream().map(e -> "E_" + e).toList())
                  + ".";
      comment(out, "", c.doc() + errors);
      out.append("@external(\"").append(spec.importModule()).append("\", \"").append(c.name());
      out.append("\")\n");
      List<String> params = new ArrayList<>();
      for (Param p : c.params()) {
        params.add(p.name() + ": " + asType(p));
      }
      String returns = c.result().isPresent() ? "i32" : "void";
      out.append("export declare function parigot_").append(c.name()).append('(');
      out.append(String.join(", ", params)).append("): ").append(returns).append(";\n");
    }
    out.append('\n');
    comment(
        out,
        "",
        "What an error means: err is an E_ number, negated or not. Returns \"unknown error\" for"
            + " any other number.");
    out.append("export function strerror(err: i32): string {\n");
    out.append("  const e: i64 = err < 0 ? -(<i64>err) : <i64>err;\n");
    for (Entry e : byValue(spec.errnos())) {
      out.append("  if (e == E_").append(e.name()).append(") return \"");
      out.append(escape(e.doc())).append("\";\n");
    }
    out.append("  return \"unknown error\";\n}\n");
    return out.toString();
  }

  private static String asType(Param p) {
    if (p.name().equals("ptr") || p.name().endsWith("_ptr")) {
      return "usize";
    }
    return p.type().equals("i64") ? "i64" : "i32";
  }

  private static List<Entry> byValue(List<Entry> entries) {
    return entries.stream().sorted(Comparator.comparingInt(Entry::value)).toList();
  }

  private static String escape(String s) {
    return s.replace("\\", "\\\\").replace("\"", "\\\"");
  }

  /** A run of // lines, the text wrapped to the width. */
  private static void comment(StringBuilder out, String indent, String text) {
    String prefix = indent + "// ";
    StringBuilder line = new StringBuilder(prefix);
    for (String word : text.strip().split("\\s+")) {
      if (line.length() > prefix.length() && line.length() + 1 + word.length() > WIDTH) {
        out.append(line).append('\n');
        line = new StringBuilder(prefix);
      }
      if (line.length() > prefix.length()) {
        line.append(' ');
      }
      line.append(word);
    }
    out.append(line).append('\n');
  }
}
