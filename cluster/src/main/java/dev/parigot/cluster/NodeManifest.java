package dev.parigot.cluster;

import dev.parigot.errors.ParigotException;
import dev.parigot.kernel.Manifest;
import dev.parigot.kernel.ProgramSpec;
import dev.parigot.kernel.Role;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.tomlj.Toml;
import org.tomlj.TomlArray;
import org.tomlj.TomlParseResult;
import org.tomlj.TomlTable;

/**
 * The manifest a node's kernel launches for one program of the app: the app's manifest with that
 * program alone (and the test programs, which are not launched), whose required names served by the
 * app's other programs become imports. The kernel then waits for them (the node registers them once
 * some node serves them) with its own start timeout and message, and launches each program once the
 * ones before it serve their names.
 */
final class NodeManifest {
  private NodeManifest() {}

  /** The manifest of {@code program} alone; {@code manifest} was loaded from its file. */
  static Manifest of(Manifest manifest, ProgramSpec program) {
    TomlParseResult toml;
    try {
      toml = Toml.parse(Files.readString(manifest.file()));
    } catch (IOException e) {
      throw new ParigotException(manifest.file() + ": cannot read it again: " + e, e);
    }
    var text = new StringBuilder();
    for (String key : toml.keySet()) {
      if (key.equals("program") || key.equals("http")) {
        continue;
      }
      text.append(quote(key)).append(" = ").append(value(toml.get(key))).append('\n');
    }
    // The test programs come along: never launched, they keep the names they export granted,
    // so a call to one of those gets NO_SUCH_SERVICE at once, as in one kernel.
    var kept = new ArrayList<ProgramSpec>();
    kept.add(program);
    manifest.programs().stream()
        .filter(p -> p.role() == Role.TEST && p != program)
        .forEach(kept::add);
    var exported = new LinkedHashSet<String>();
    kept.forEach(p -> exported.addAll(p.exports()));
    for (ProgramSpec p : kept) {
      TomlTable table = toml.getTable(List.of("program", p.name()));
      var imports = new LinkedHashSet<>(p.imports());
      for (String name : p.requires()) {
        if (!name.startsWith(Manifest.KERNEL_PREFIX) && !exported.contains(name)) {
          imports.add(name);
        }
      }
      text.append("[program.").append(quote(p.name())).append("]\n");
      for (String key : table.keySet()) {
        if (!key.equals("imports")) {
          text.append(quote(key)).append(" = ").append(value(table.get(key))).append('\n');
        }
      }
      text.append("imports = ")
          .append(
              imports.stream().map(NodeManifest::quote).collect(Collectors.joining(", ", "[", "]")))
          .append('\n');
    }
    return Manifest.parse(text.toString(), manifest.file());
  }

  private static String value(Object v) {
    return switch (v) {
      case String s -> quote(s);
      case TomlArray a -> {
        var items = new ArrayList<String>();
        for (int i = 0; i < a.size(); i++) {
          items.add(value(a.get(i)));
        }
        yield "[" + String.join(", ", items) + "]";
      }
      case TomlTable t -> {
        var items = new ArrayList<String>();
        for (Map.Entry<String, Object> e : t.entrySet()) {
          items.add(quote(e.getKey()) + " = " + value(e.getValue()));
        }
        yield "{ " + String.join(", ", items) + " }";
      }
      default ->
          v.toString(); // integers, floats, booleans, dates: TOML reads them back as they print
    };
  }

  private static String quote(String s) {
    var out = new StringBuilder("\"");
    for (char c : s.toCharArray()) {
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        default -> {
          if (c < 0x20 || c == 0x7f) {
            out.append(String.format("\\u%04x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    return out.append('"').toString();
  }
}
