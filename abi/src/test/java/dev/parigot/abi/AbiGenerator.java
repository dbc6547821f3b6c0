package dev.parigot.abi;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.regex.MatchResult;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.tomlj.Toml;
import org.tomlj.TomlArray;
import org.tomlj.TomlParseError;
import org.tomlj.TomlParseResult;
import org.tomlj.TomlTable;

/**
 * Turns {@code abi/abi.toml} into the Java constants the kernel uses and the raw C binding guests
 * include. It lives in the test sources so that the ABI module keeps zero runtime dependencies;
 * {@link GeneratedFilesAreFreshTest} runs it.
 *
 * <p>{@link #parse} rejects any abi.toml that is malformed or inconsistent with an {@link
 * IllegalArgumentException} whose message names the offending key; rendering is a pure function of
 * the parsed spec, so the output is deterministic.
 */
final class AbiGenerator {
  /** Where the ABI is defined, relative to the repository root. */
  static final Path SOURCE = Path.of("abi", "abi.toml");

  /** The first line of every generated file. */
  static final String HEADER = "// Generated from abi/abi.toml by scripts/regen-abi. Do not edit.";

  private static final Path JAVA_DIR = Path.of("abi", "src", "main", "java");
  private static final Path PACKAGE_DIR = JAVA_DIR.resolve(Path.of("dev", "parigot", "abi"));
  static final Path C_HEADER = Path.of("sdk", "c", "include", "parigot_abi.h");

  private static final int JAVA_WIDTH = 100;
  private static final int C_WIDTH = 80;
  private static final Pattern LOWER_SNAKE = Pattern.compile("[a-z][a-z0-9]*(_[a-z0-9]+)*");
  private static final Pattern UPPER_SNAKE = Pattern.compile("[A-Z][A-Z0-9]*(_[A-Z0-9]+)*");
  private static final Pattern WORD = Pattern.compile("\\{@[^}]*}\\S*|\\S+");
  private static final Map<String, Integer> FIELD_SIZES = Map.of("u32", 4, "i32", 4, "u64", 8);
  private static final Map<String, String> C_FIELD_TYPES =
      Map.of("u32", "uint32_t", "i32", "int32_t", "u64", "uint64_t");

  // abi.toml says nothing about pointer direction: the kernel writes only through these two.
  private static final Map<String, String> C_OUT_POINTERS =
      Map.of("events_ptr", "parigot_event *", "buf_ptr", "void *");

  // abi.toml has no "never returns" flag; exit is the one call that does not come back.
  private static final String NORETURN_CALL = "exit";

  // Constant names that would clash with other generated names in Abi.java or the C header.
  private static final Set<String> RESERVED_CONSTANTS =
      Set.of("VERSION", "IMPORT_MODULE", "ABI_VERSION", "ABI_H");

  private AbiGenerator() {}

  /** The ABI as abi.toml states it, validated. */
  record Spec(
      int version,
      String importModule,
      int eventSize,
      List<Field> fields,
      List<Entry> kinds,
      List<Entry> errnos,
      List<Call> syscalls,
      List<Entry> constants) {}

  /** A field of the event record; {@code type} is u32, i32 or u64. */
  record Field(String name, int offset, String type, String doc) {
    int size() {
      return FIELD_SIZES.get(type);
    }

    int end() {
      return offset + size();
    }
  }

  /** A named number: an event kind, an errno or a constant. */
  record Entry(String name, int value, String doc) {}

  /** A syscall; {@code result} is empty or i32, parameter types are i32 or i64. */
  record Call(
      String name, List<Param> params, Optional<String> result, List<String> errors, String doc) {}

  record Param(String name, String type) {}

  /** Parses, validates and renders abi.toml text: generated file contents by repo path. */
  static Map<Path, String> generate(String toml) {
    return render(parse(toml));
  }

  // ---------------------------------------------------------------------------------------------
  // Parsing and validation

  /**
   * Parses and validates abi.toml text.
   *
   * @throws IllegalArgumentException naming the offending key when the text is not valid TOML, a
   *     key is missing, unknown or of the wrong type, or the ABI is inconsistent
   */
  static Spec parse(String toml) {
    TomlParseResult result = Toml.parse(toml);
    if (result.hasErrors()) {
      TomlParseError e = result.errors().getFirst();
      throw invalid(
          "line %d, column %d: %s", e.position().line(), e.position().column(), e.getMessage());
    }
    Node root = new Node("", result);
    root.allowOnly(
        "version", "import_module", "event", "event_kind", "errno", "syscall", "constant");
    int version = root.integer("version");
    require(version >= 1, "version: must be at least 1, not %d", version);
    String importModule = root.string("import_module");
    requireName(importModule, LOWER_SNAKE, "import_module");

    Node event = root.table("event");
    event.allowOnly("size", "field");
    int size = event.integer("size");
    require(size > 0, "event.size: must be positive, not %d", size);
    List<Field> fields = event.tables("field").stream().map(AbiGenerator::field).toList();
    checkLayout(size, fields);

    List<Entry> kinds = numbered(root, "event_kind");
    List<Entry> errnos = numbered(root, "errno");
    List<Entry> constants = entries(root, "constant");
    for (Entry c : constants) {
      require(
          !RESERVED_CONSTANTS.contains(c.name())
              && !c.name().startsWith("E_")
              && !c.name().startsWith("EVENT_"),
          "constant %s: the name clashes with a generated name",
          c.name());
    }

    Set<String> errnoNames = errnos.stream().map(Entry::name).collect(Collectors.toSet());
    List<Call> syscalls = root.tables("syscall").stream().map(n -> syscall(n, errnoNames)).toList();
    requireUnique("syscall", syscalls.stream().map(Call::name).toList());
    return new Spec(version, importModule, size, fields, kinds, errnos, syscalls, constants);
  }

  private static Field field(Node n) {
    n.allowOnly("name", "offset", "type", "doc");
    String name = n.string("name");
    requireName(name, LOWER_SNAKE, n.path() + ".name");
    require(!name.equals("size"), "%s.name: 'size' clashes with EventLayout.SIZE", n.path());
    int offset = n.integer("offset");
    require(offset >= 0, "%s.offset: must not be negative, not %d", n.path(), offset);
    String type = n.string("type");
    require(
        FIELD_SIZES.containsKey(type),
        "%s.type: must be one of u32, i32, u64, not '%s'",
        n.path(),
        type);
    return new Field(name, offset, type, n.doc());
  }

  /** The fields must cover the record exactly, in order of offset, each naturally aligned. */
  private static void checkLayout(int size, List<Field> fields) {
    requireUnique("event.field", fields.stream().map(Field::name).toList());
    Field previous = null;
    for (Field f : fields.stream().sorted(Comparator.comparingInt(Field::offset)).toList()) {
      int end = previous == null ? 0 : previous.end();
      if (f.offset() % f.size() != 0) {
        throw invalid(
            "event field %s: offset %d is not a multiple of its size %d",
            f.name(), f.offset(), f.size());
      }
      if (f.offset() < end) {
        throw invalid(
            "event field %s (bytes %d..%d) overlaps field %s (bytes %d..%d)",
            f.name(), f.offset(), f.end(), previous.name(), previous.offset(), end);
      }
      if (f.offset() > end) {
        throw invalid("event fields: bytes %d..%d are not covered by any field", end, f.offset());
      }
      previous = f;
    }
    // tables() guarantees at least one field.
    if (previous.end() > size) {
      throw invalid(
          "event field %s: ends at byte %d, past event.size %d",
          previous.name(), previous.end(), size);
    }
    if (previous.end() < size) {
      throw invalid(
          "event fields: bytes %d..%d are not covered by any field", previous.end(), size);
    }
  }

  /** Entries whose values identify them: unique and positive, as enum numbers must be. */
  private static List<Entry> numbered(Node root, String key) {
    List<Entry> entries = entries(root, key);
    Map<Integer, String> byValue = new HashMap<>();
    for (Entry e : entries) {
      require(e.value() > 0, "%s %s: value must be positive, not %d", key, e.name(), e.value());
      String other = byValue.putIfAbsent(e.value(), e.name());
      require(
          other == null, "%s %s: value %d is already used by %s", key, e.name(), e.value(), other);
    }
    return entries;
  }

  private static List<Entry> entries(Node root, String key) {
    List<Entry> entries = new ArrayList<>();
    for (Node n : root.tables(key)) {
      n.allowOnly("name", "value", "doc");
      String name = n.string("name");
      requireName(name, UPPER_SNAKE, n.path() + ".name");
      entries.add(new Entry(name, n.integer("value"), n.doc()));
    }
    requireUnique(key, entries.stream().map(Entry::name).toList());
    return entries;
  }

  private static Call syscall(Node n, Set<String> errnoNames) {
    n.allowOnly("name", "params", "result", "errors", "doc");
    String name = n.string("name");
    requireName(name, LOWER_SNAKE, n.path() + ".name");
    String where = "syscall " + name;

    List<Param> params = new ArrayList<>();
    TomlArray array = n.array("params");
    for (int i = 0; i < array.size(); i++) {
      String path = n.path() + ".params[" + i + "]";
      if (!(array.get(i) instanceof TomlArray pair)
          || pair.size() != 2
          || !(pair.get(0) instanceof String)
          || !(pair.get(1) instanceof String)) {
        throw invalid(
            "%s: expected a [name, type] pair of strings, found %s",
            path, Node.describe(array.get(i)));
      }
      Param p = new Param(pair.getString(0), pair.getString(1));
      requireName(p.name(), LOWER_SNAKE, path + " name");
      require(
          p.type().equals("i32") || p.type().equals("i64"),
          "%s: parameter %s has type '%s'; params must be i32 or i64",
          where,
          p.name(),
          p.type());
      require(
          !isPointer(p.name()) || p.type().equals("i32"),
          "%s: pointer parameter %s must be i32 (a wasm32 memory offset)",
          where,
          p.name());
      params.add(p);
    }
    requireUnique(where + " parameter", params.stream().map(p -> cName(p.name())).toList());

    Optional<String> result = n.optionalString("result");
    result.ifPresent(
        r -> require(r.equals("i32"), "%s.result: must be i32 or absent, not '%s'", n.path(), r));

    List<String> errors = n.optionalStrings("errors");
    for (String e : errors) {
      require(errnoNames.contains(e), "%s: unknown errno '%s' in errors", where, e);
    }
    requireUnique(where + " error", errors);
    return new Call(name, List.copyOf(params), result, errors, n.doc());
  }

  private static void requireName(String name, Pattern pattern, String path) {
    String style = pattern == LOWER_SNAKE ? "lower_snake_case" : "UPPER_SNAKE_CASE";
    require(pattern.matcher(name).matches(), "%s: '%s' is not %s", path, name, style);
  }

  private static void requireUnique(String what, List<String> names) {
    Set<String> seen = new HashSet<>();
    for (String name : names) {
      require(seen.add(name), "%s name %s is used twice", what, name);
    }
  }

  private static void require(boolean ok, String format, Object... args) {
    if (!ok) {
      throw invalid(format, args);
    }
  }

  private static IllegalArgumentException invalid(String format, Object... args) {
    return new IllegalArgumentException("abi.toml: " + String.format(format, args));
  }

  /** A TOML table with its path in the document, for error messages. */
  private record Node(String path, TomlTable table) {
    Object get(String key) {
      // A list key: tomlj would otherwise read dots in the key as a path.
      Object value = table.get(List.of(key));
      require(value != null, "%s: missing key '%s'", where(), key);
      return value;
    }

    <T> T get(String key, Class<T> type, String expected) {
      Object value = get(key);
      require(
          type.isInstance(value),
          "%s: expected %s, found %s",
          child(key),
          expected,
          describe(value));
      return type.cast(value);
    }

    int integer(String key) {
      long value = get(key, Long.class, "an integer");
      require(value == (int) value, "%s: %d does not fit in 32 bits", child(key), value);
      return (int) value;
    }

    String string(String key) {
      return get(key, String.class, "a string");
    }

    String doc() {
      String doc = string("doc");
      require(!doc.isBlank(), "%s: must not be empty", child("doc"));
      return doc;
    }

    Optional<String> optionalString(String key) {
      return table.contains(List.of(key)) ? Optional.of(string(key)) : Optional.empty();
    }

    TomlArray array(String key) {
      return get(key, TomlArray.class, "an array");
    }

    List<String> optionalStrings(String key) {
      if (!table.contains(List.of(key))) {
        return List.of();
      }
      TomlArray array = array(key);
      List<String> strings = new ArrayList<>();
      for (int i = 0; i < array.size(); i++) {
        Object value = array.get(i);
        require(
            value instanceof String,
            "%s[%d]: expected a string, found %s",
            child(key),
            i,
            describe(value));
        strings.add((String) value);
      }
      return List.copyOf(strings);
    }

    Node table(String key) {
      return new Node(child(key), get(key, TomlTable.class, "a table"));
    }

    /** An array of tables ({@code [[key]]}); at least one is required. */
    List<Node> tables(String key) {
      TomlArray array = get(key, TomlArray.class, "an array of tables ([[" + key + "]])");
      require(!array.isEmpty(), "%s: must not be empty", child(key));
      List<Node> nodes = new ArrayList<>();
      for (int i = 0; i < array.size(); i++) {
        String path = child(key) + "[" + i + "]";
        Object value = array.get(i);
        require(
            value instanceof TomlTable, "%s: expected a table, found %s", path, describe(value));
        nodes.add(new Node(path, (TomlTable) value));
      }
      return nodes;
    }

    /** Rejects unknown keys, so that a misspelt optional key is not silently ignored. */
    void allowOnly(String... keys) {
      Set<String> allowed = Set.of(keys);
      for (String key : table.keySet().stream().sorted().toList()) {
        require(allowed.contains(key), "%s: unknown key '%s'", where(), key);
      }
    }

    private String where() {
      return path.isEmpty() ? "top level" : path;
    }

    private String child(String key) {
      return path.isEmpty() ? key : path + "." + key;
    }

    static String describe(Object value) {
      return switch (value) {
        case String _ -> "a string";
        case Long _ -> "an integer";
        case Double _ -> "a float";
        case Boolean _ -> "a boolean";
        case TomlArray _ -> "an array";
        case TomlTable _ -> "a table";
        default -> "a date or time";
      };
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Rendering

  /** Every generated file's content, by path relative to the repository root, in a fixed order. */
  private static Map<Path, String> render(Spec spec) {
    Map<Path, String> files = new LinkedHashMap<>();
    files.put(JAVA_DIR.resolve("module-info.java"), renderModuleInfo());
    files.put(PACKAGE_DIR.resolve("Abi.java"), renderAbi(spec));
    files.put(PACKAGE_DIR.resolve("Errno.java"), renderErrno(spec));
    files.put(PACKAGE_DIR.resolve("EventKind.java"), renderEventKind(spec));
    files.put(PACKAGE_DIR.resolve("EventLayout.java"), renderEventLayout(spec));
    files.put(PACKAGE_DIR.resolve("ValueType.java"), renderValueType());
    files.put(PACKAGE_DIR.resolve("Syscall.java"), renderSyscall(spec));
    files.put(C_HEADER, renderCHeader(spec));
    files.put(AsBinding.FILE, AsBinding.render(spec));
    return files;
  }

  private static String renderModuleInfo() {
    Out out = new Out();
    out.line(HEADER);
    out.javadoc(
        0,
        "The Parigot guest ABI as Java constants: syscall names and signatures, errnos,"
            + " event kinds and the event record layout. Generated from abi/abi.toml, which"
            + " docs/abi.md explains.");
    out.line("module dev.parigot.abi {");
    out.line("  exports dev.parigot.abi;");
    out.line("}");
    return out.toString();
  }

  private static String renderAbi(Spec spec) {
    Out out = javaFile();
    out.javadoc(
        0,
        "The guest ABI's version, the wasm module its syscalls are imported from, and"
            + " the constants its syscalls take.");
    out.line("public final class Abi {");
    out.javadoc(2, "The ABI version these names and numbers belong to.");
    out.line("  public static final int VERSION = " + spec.version() + ";");
    out.blank();
    out.javadoc(2, "The wasm module every syscall is imported from.");
    out.line(
        "  public static final String IMPORT_MODULE = " + javaLiteral(spec.importModule()) + ";");
    for (Entry c : spec.constants()) {
      out.blank();
      out.javadoc(2, javadocText(c.doc()));
      out.line("  public static final int " + c.name() + " = " + c.value() + ";");
    }
    out.blank();
    out.line("  private Abi() {}");
    out.line("}");
    return out.toString();
  }

  private static String renderErrno(Spec spec) {
    Out out = javaFile();
    out.line("import java.util.Optional;");
    out.blank();
    out.javadoc(
        0,
        "The errors syscalls report. A syscall returns the negative of an errno's {@link"
            + " #value()}, and events that report a kernel error carry it, negated, in their code"
            + " field.");
    out.line("public enum Errno {");
    enumConstants(out, byValue(spec.errnos()));
    out.blank();
    out.line("  private final int value;");
    out.line("  private final String description;");
    out.blank();
    out.line("  Errno(int value, String description) {");
    out.line("    this.value = value;");
    out.line("    this.description = description;");
    out.line("  }");
    out.blank();
    out.javadoc(2, "This error's number, always positive.");
    getter(out, "int", "value", "value");
    out.blank();
    out.javadoc(2, "{@code -value()}: what a syscall returns for this error.");
    getter(out, "int", "negative", "-value");
    out.blank();
    out.javadoc(2, "What this error means, as abi.toml documents it.");
    getter(out, "String", "description", "description");
    out.blank();
    fromValue(out, "Errno", "errno", "positive, as {@link #value()} returns it; not negated");
    out.line("}");
    return out.toString();
  }

  private static String renderEventKind(Spec spec) {
    Out out = javaFile();
    out.line("import java.util.Optional;");
    out.blank();
    out.javadoc(0, "What an event record reports, in its kind field ({@link EventLayout#KIND}).");
    out.line("public enum EventKind {");
    enumConstants(out, byValue(spec.kinds()));
    out.blank();
    out.line("  private final int value;");
    out.line("  private final String description;");
    out.blank();
    out.line("  EventKind(int value, String description) {");
    out.line("    this.value = value;");
    out.line("    this.description = description;");
    out.line("  }");
    out.blank();
    out.javadoc(2, "The number an event record's kind field holds for this kind.");
    getter(out, "int", "value", "value");
    out.blank();
    out.javadoc(2, "What this kind of event means, as abi.toml documents it.");
    getter(out, "String", "description", "description");
    out.blank();
    fromValue(out, "EventKind", "event kind", "as an event record's kind field holds it");
    out.line("}");
    return out.toString();
  }

  private static String renderEventLayout(Spec spec) {
    Out out = javaFile();
    out.javadoc(
        0,
        "The layout of the event records wait writes: the i-th record is {@link #SIZE}"
            + " bytes at {@code events_ptr + i * SIZE}, little endian. The other constants are the"
            + " byte offsets of its fields within a record.");
    out.line("public final class EventLayout {");
    out.javadoc(2, "The size of one event record, in bytes.");
    out.line("  public static final int SIZE = " + spec.eventSize() + ";");
    for (Field f : spec.fields()) {
      out.blank();
      out.javadoc(2, javadocText(f.doc()) + " Type " + f.type() + ", " + f.size() + " bytes.");
      out.line("  public static final int " + upper(f.name()) + " = " + f.offset() + ";");
    }
    out.blank();
    out.line("  private EventLayout() {}");
    out.line("}");
    return out.toString();
  }

  private static String renderValueType() {
    Out out = javaFile();
    out.javadoc(0, "The wasm value type of a syscall parameter or result.");
    out.line("public enum ValueType {");
    out.javadoc(2, "A 32-bit integer: also how pointers into guest memory are passed.");
    out.line("  I32,");
    out.javadoc(2, "A 64-bit integer.");
    out.line("  I64");
    out.line("}");
    return out.toString();
  }

  private static String renderSyscall(Spec spec) {
    Out out = javaFile();
    out.line("import java.util.List;");
    out.blank();
    out.javadoc(
        0,
        "The syscalls: the functions a guest imports from the wasm module {@link"
            + " Abi#IMPORT_MODULE}, in abi.toml order. Pointers are i32 offsets into the"
            + " caller's own"
            + " memory. A syscall with a result returns a non-negative value on success and the"
            + " negative of an {@link Errno} on failure.");
    out.line("public enum Syscall {");
    List<Call> calls = spec.syscalls();
    for (int i = 0; i < calls.size(); i++) {
      Call c = calls.get(i);
      String signature =
          "{@code "
              + c.name()
              + "("
              + String.join(", ", c.params().stream().map(p -> p.type() + " " + p.name()).toList())
              + ")"
              + c.result().map(r -> " -> " + r).orElse("")
              + "}";
      String errors =
          c.errors().isEmpty()
              ? ""
              : " Errors: "
                  + String.join(
                      ", ", c.errors().stream().map(e -> "{@link Errno#" + e + "}").toList())
                  + ".";
      out.javadoc(2, javadocText(c.doc()), "<p>Signature: " + signature + "." + errors);
      Expr constant =
          call(
              upper(c.name()),
              str(c.name()),
              list(c.params().stream().map(p -> javaLiteral(p.name())).toList()),
              list(c.params().stream().map(p -> "ValueType." + upper(p.type())).toList()),
              list(c.result().stream().map(r -> "ValueType." + upper(r)).toList()),
              list(c.errors().stream().map(e -> "Errno." + e).toList()),
              str(c.doc()));
      out.lines(constant.lines(2, i == calls.size() - 1 ? ";" : ","));
      if (i < calls.size() - 1) {
        out.blank();
      }
    }
    out.blank();
    out.line("  private final String importName;");
    out.line("  private final List<String> paramNames;");
    out.line("  private final List<ValueType> params;");
    out.line("  private final List<ValueType> results;");
    out.line("  private final List<Errno> errors;");
    out.line("  private final String description;");
    out.blank();
    out.line("  Syscall(");
    out.line("      String importName,");
    out.line("      List<String> paramNames,");
    out.line("      List<ValueType> params,");
    out.line("      List<ValueType> results,");
    out.line("      List<Errno> errors,");
    out.line("      String description) {");
    out.line("    this.importName = importName;");
    out.line("    this.paramNames = paramNames;");
    out.line("    this.params = params;");
    out.line("    this.results = results;");
    out.line("    this.errors = errors;");
    out.line("    this.description = description;");
    out.line("  }");
    out.blank();
    out.javadoc(2, "The name this syscall is imported by from {@link Abi#IMPORT_MODULE}.");
    getter(out, "String", "importName", "importName");
    out.blank();
    out.javadoc(2, "The parameters' names as abi.toml gives them, in order; immutable.");
    getter(out, "List<String>", "paramNames", "paramNames");
    out.blank();
    out.javadoc(2, "The parameters' wasm types, in order; immutable.");
    getter(out, "List<ValueType>", "params", "params");
    out.blank();
    out.javadoc(
        2,
        "The results' wasm types: one i32, or none for a syscall that does not return;"
            + " immutable.");
    getter(out, "List<ValueType>", "results", "results");
    out.blank();
    out.javadoc(2, "The errors this syscall can return, negated; immutable.");
    getter(out, "List<Errno>", "errors", "errors");
    out.blank();
    out.javadoc(2, "What this syscall does, as abi.toml documents it.");
    getter(out, "String", "description", "description");
    out.line("}");
    return out.toString();
  }

  private static String renderCHeader(Spec spec) {
    Out out = new Out();
    out.line(HEADER);
    out.comment(
        0,
        "parigot_abi.h: the raw C binding of the Parigot guest ABI, version "
            + spec.version()
            + ".",
        "The syscalls are wasm imports from the module \""
            + spec.importModule()
            + "\". Pointers"
            + " are offsets into the caller's own memory; a bad (pointer, length) pair kills the"
            + " calling process. docs/abi.md describes the behaviour behind these names.");
    out.line("#ifndef PARIGOT_ABI_H");
    out.line("#define PARIGOT_ABI_H");
    out.blank();
    out.line("#include <stddef.h>");
    out.line("#include <stdint.h>");
    out.blank();
    out.line("#ifdef __cplusplus");
    out.line("extern \"C\" {");
    out.line("#endif");
    out.blank();
    out.line("#define PARIGOT_ABI_VERSION " + spec.version());
    out.blank();
    out.comment(
        0,
        "Errors. Syscalls return the negative of these numbers (for example"
            + " -PARIGOT_E_BAD_HANDLE); ERROR and CANCEL events carry it, negated, in their code"
            + " field.");
    for (Entry e : byValue(spec.errnos())) {
      out.comment(0, cCommentText(e.doc()));
      out.line("#define PARIGOT_E_" + e.name() + " " + e.value());
    }
    out.blank();
    out.comment(0, "Event kinds: the kind field of a parigot_event.");
    for (Entry k : byValue(spec.kinds())) {
      out.comment(0, cCommentText(k.doc()));
      out.line("#define PARIGOT_EVENT_" + k.name() + " " + k.value());
    }
    out.blank();
    out.comment(0, "Constants the syscalls take.");
    for (Entry c : spec.constants()) {
      out.comment(0, cCommentText(c.doc()));
      out.line("#define PARIGOT_" + c.name() + " (" + c.value() + ")");
    }
    out.blank();
    out.comment(
        0,
        "One event record as parigot_wait writes it: "
            + spec.eventSize()
            + " bytes, little endian.");
    out.line("typedef struct parigot_event {");
    for (Field f : spec.fields()) {
      out.comment(2, cCommentText(f.doc()));
      out.line("  " + C_FIELD_TYPES.get(f.type()) + " " + f.name() + ";");
    }
    out.line("} parigot_event;");
    out.blank();
    out.line("_Static_assert(sizeof(parigot_event) == " + spec.eventSize() + ",");
    out.line("               \"parigot_event must be " + spec.eventSize() + " bytes\");");
    for (Field f : spec.fields()) {
      out.line("_Static_assert(offsetof(parigot_event, " + f.name() + ") == " + f.offset() + ",");
      out.line(
          "               \"parigot_event."
              + f.name()
              + " must be at offset "
              + f.offset()
              + "\");");
    }
    for (Call c : spec.syscalls()) {
      out.blank();
      List<String> paragraphs = new ArrayList<>();
      paragraphs.add(cCommentText(c.doc()));
      if (!c.errors().isEmpty()) {
        paragraphs.add(
            "Errors (returned negated): "
                + String.join(", ", c.errors().stream().map(e -> "PARIGOT_E_" + e).toList())
                + ".");
      }
      out.comment(0, paragraphs.toArray(String[]::new));
      out.line(
          "__attribute__((import_module("
              + cLiteral(spec.importModule())
              + "), import_name("
              + cLiteral(c.name())
              + ")))");
      String returns =
          c.name().equals(NORETURN_CALL)
              ? "_Noreturn void"
              : c.result().isPresent() ? "int32_t" : "void";
      List<String> params = c.params().stream().map(AbiGenerator::cParam).toList();
      out.lines(
          wrapArguments(
              returns + " parigot_" + c.name() + "(",
              params.isEmpty() ? List.of("void") : params,
              ");",
              C_WIDTH));
    }
    out.blank();
    out.comment(
        0,
        "What an error means: err is a PARIGOT_E_ number, negated or not. Returns"
            + " \"unknown error\" for any other number.");
    out.line("static inline const char *parigot_strerror(int32_t err) {");
    // Widened first: negating INT32_MIN as an int32_t would overflow.
    out.line("  switch (err < 0 ? -(int64_t)err : (int64_t)err) {");
    for (Entry e : byValue(spec.errnos())) {
      out.line("    case PARIGOT_E_" + e.name() + ":");
      out.lines(
          stringLines(
              e.doc(), "      return \"", "             \"", ";", C_WIDTH, AbiGenerator::cEscape));
    }
    out.line("    default:");
    out.line("      return \"unknown error\";");
    out.line("  }");
    out.line("}");
    out.blank();
    out.line("#ifdef __cplusplus");
    out.line("}");
    out.line("#endif");
    out.blank();
    out.line("#endif /* PARIGOT_ABI_H */");
    return out.toString();
  }

  // ---------------------------------------------------------------------------------------------
  // Java helpers

  private static Out javaFile() {
    Out out = new Out();
    out.line(HEADER);
    out.line("package dev.parigot.abi;");
    out.blank();
    return out;
  }

  private static void enumConstants(Out out, List<Entry> entries) {
    for (int i = 0; i < entries.size(); i++) {
      Entry e = entries.get(i);
      out.javadoc(2, javadocText(e.doc()));
      Expr constant = call(e.name(), atom(Integer.toString(e.value())), str(e.doc()));
      out.lines(constant.lines(2, i == entries.size() - 1 ? ";" : ","));
      if (i < entries.size() - 1) {
        out.blank();
      }
    }
  }

  private static void getter(Out out, String type, String name, String expression) {
    out.line("  public " + type + " " + name + "() {");
    out.line("    return " + expression + ";");
    out.line("  }");
  }

  private static void fromValue(Out out, String type, String what, String form) {
    out.javadoc(
        2,
        "The " + what + " numbered {@code value} (" + form + "), or empty if there is" + " none.");
    out.line("  public static Optional<" + type + "> fromValue(int value) {");
    out.line("    for (" + type + " candidate : values()) {");
    out.line("      if (candidate.value == value) {");
    out.line("        return Optional.of(candidate);");
    out.line("      }");
    out.line("    }");
    out.line("    return Optional.empty();");
    out.line("  }");
  }

  private static List<Entry> byValue(List<Entry> entries) {
    return entries.stream().sorted(Comparator.comparingInt(Entry::value)).toList();
  }

  private static String upper(String lowerSnake) {
    return lowerSnake.toUpperCase(Locale.ROOT);
  }

  /** Doc text made safe for a javadoc comment: HTML, comment ends and unicode escapes. */
  private static String javadocText(String doc) {
    return doc.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace("@", "&#64;")
        // A backslash could start a unicode escape, which javac decodes even in comments.
        .replace("\\", "&#92;")
        .replace("*/", "*&#47;");
  }

  private static String javaLiteral(String s) {
    return "\"" + javaEscape(s) + "\"";
  }

  private static String javaEscape(String s) {
    StringBuilder b = new StringBuilder();
    for (char c : s.toCharArray()) {
      switch (c) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        case '\n' -> b.append("\\n");
        case '\r' -> b.append("\\r");
        case '\t' -> b.append("\\t");
        // Octal, not \\u: javac would decode a unicode escape before lexing the literal.
        default -> b.append(c < 0x20 ? String.format("\\%03o", (int) c) : String.valueOf(c));
      }
    }
    return b.toString();
  }

  /**
   * A Java expression that lays itself out google-java-format style: on one line if it fits,
   * otherwise broken at its arguments.
   */
  private interface Expr {
    /** The expression on one line, however long. */
    String flat();

    /** The expression broken to fit {@link #JAVA_WIDTH}, starting at indent, then suffix. */
    List<String> broken(int indent, String suffix);

    default List<String> lines(int indent, String suffix) {
      String line = " ".repeat(indent) + flat() + suffix;
      return line.length() <= JAVA_WIDTH ? List.of(line) : broken(indent, suffix);
    }
  }

  private static Expr atom(String text) {
    return new Expr() {
      @Override
      public String flat() {
        return text;
      }

      @Override
      public List<String> broken(int indent, String suffix) {
        return List.of(" ".repeat(indent) + text + suffix);
      }
    };
  }

  /** A string literal, split into concatenated pieces at spaces when it is too long. */
  private static Expr str(String value) {
    return new Expr() {
      @Override
      public String flat() {
        return javaLiteral(value);
      }

      @Override
      public List<String> broken(int indent, String suffix) {
        return stringLines(
            value,
            " ".repeat(indent) + "\"",
            " ".repeat(indent + 4) + "+ \"",
            suffix,
            JAVA_WIDTH,
            AbiGenerator::javaEscape);
      }
    };
  }

  private static Expr list(List<String> items) {
    return call("List.of", items.stream().map(AbiGenerator::atom).toArray(Expr[]::new));
  }

  /** {@code head(args)}: arguments on one continuation line if they fit, else one per line. */
  private static Expr call(String head, Expr... args) {
    return new Expr() {
      @Override
      public String flat() {
        return head + "(" + String.join(", ", Stream.of(args).map(Expr::flat).toList()) + ")";
      }

      @Override
      public List<String> broken(int indent, String suffix) {
        List<String> lines = new ArrayList<>();
        lines.add(" ".repeat(indent) + head + "(");
        String together =
            " ".repeat(indent + 4)
                + String.join(", ", Stream.of(args).map(Expr::flat).toList())
                + ")"
                + suffix;
        if (together.length() <= JAVA_WIDTH) {
          lines.add(together);
          return lines;
        }
        for (int i = 0; i < args.length; i++) {
          lines.addAll(args[i].lines(indent + 4, i == args.length - 1 ? ")" + suffix : ","));
        }
        return lines;
      }
    };
  }

  // ---------------------------------------------------------------------------------------------
  // C helpers

  private static boolean isPointer(String param) {
    return param.equals("ptr") || param.endsWith("_ptr");
  }

  /** A parameter's C name: pointers drop their _ptr suffix, their type says they are one. */
  private static String cName(String param) {
    return param.endsWith("_ptr") ? param.substring(0, param.length() - "_ptr".length()) : param;
  }

  private static String cParam(Param p) {
    if (isPointer(p.name())) {
      return C_OUT_POINTERS.getOrDefault(p.name(), "const void *") + cName(p.name());
    }
    return (p.type().equals("i64") ? "int64_t " : "int32_t ") + p.name();
  }

  /** Doc text made safe for a C block comment. */
  private static String cCommentText(String doc) {
    // "??" could form a trigraph, "/*" nested in a comment draws -Wcomment.
    return doc.replace("*/", "* /").replace("/*", "/ *").replace("??", "? ?");
  }

  private static String cLiteral(String s) {
    return "\"" + cEscape(s) + "\"";
  }

  private static String cEscape(String s) {
    StringBuilder b = new StringBuilder();
    char previous = 0;
    for (char c : s.toCharArray()) {
      switch (c) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        case '\n' -> b.append("\\n");
        case '\t' -> b.append("\\t");
        case '?' -> b.append(previous == '?' ? "\\?" : "?"); // no trigraphs
        default -> b.append(c < 0x20 ? String.format("\\%03o", (int) c) : String.valueOf(c));
      }
      previous = c;
    }
    return b.toString();
  }

  /** {@code open + args + close}, the arguments wrapped and aligned after the open parenthesis. */
  private static List<String> wrapArguments(
      String open, List<String> args, String close, int width) {
    List<String> lines = new ArrayList<>();
    StringBuilder line = new StringBuilder(open);
    boolean empty = true; // nothing on this line yet but the opening or the alignment
    for (int i = 0; i < args.size(); i++) {
      String arg = args.get(i) + (i == args.size() - 1 ? close : ",");
      if (!empty && line.length() + 1 + arg.length() > width) {
        lines.add(line.toString());
        line = new StringBuilder(" ".repeat(open.length()));
        empty = true;
      }
      line.append(empty ? "" : " ").append(arg);
      empty = false;
    }
    lines.add(line.toString());
    return lines;
  }

  // ---------------------------------------------------------------------------------------------
  // Shared text helpers

  /**
   * A string literal split at spaces into adjacent pieces that fit {@code width}: the first piece
   * after {@code first}, the others after {@code next}, each later piece starting with its space.
   * Joining the pieces gives back {@code value} exactly.
   */
  private static List<String> stringLines(
      String value,
      String first,
      String next,
      String suffix,
      int width,
      UnaryOperator<String> escape) {
    List<String> lines = new ArrayList<>();
    String[] words = value.split(" ", -1);
    StringBuilder piece = new StringBuilder(words[0]);
    for (int i = 1; i < words.length; i++) {
      String word = " " + words[i];
      String prefix = lines.isEmpty() ? first : next;
      int length = prefix.length() + escape.apply(piece + word).length() + 1 + suffix.length();
      if (!piece.isEmpty() && length > width) {
        lines.add(prefix + escape.apply(piece.toString()) + "\"");
        piece.setLength(0);
      }
      piece.append(word);
    }
    lines.add((lines.isEmpty() ? first : next) + escape.apply(piece.toString()) + "\"" + suffix);
    return lines;
  }

  /**
   * Words into lines of at most width characters (a longer word gets a line of its own). A javadoc
   * inline tag such as {@code {@link Errno#BAD_HANDLE}} counts as one word.
   */
  private static List<String> wrap(String text, int width) {
    List<String> lines = new ArrayList<>();
    StringBuilder line = new StringBuilder();
    for (String word : WORD.matcher(text).results().map(MatchResult::group).toList()) {
      if (!line.isEmpty() && line.length() + 1 + word.length() > width) {
        lines.add(line.toString());
        line.setLength(0);
      }
      line.append(line.isEmpty() ? "" : " ").append(word);
    }
    lines.add(line.toString());
    return lines;
  }

  /** A file's text, built line by line. */
  private static final class Out {
    private final StringBuilder text = new StringBuilder();

    void line(String line) {
      text.append(line).append('\n');
    }

    void lines(List<String> lines) {
      lines.forEach(this::line);
    }

    void blank() {
      text.append('\n');
    }

    /** A javadoc comment of one or more paragraphs, on one line if it fits. */
    void javadoc(int indent, String... paragraphs) {
      block(indent, "/**", JAVA_WIDTH, paragraphs);
    }

    /** A C block comment of one or more paragraphs, on one line if it fits. */
    void comment(int indent, String... paragraphs) {
      block(indent, "/*", C_WIDTH, paragraphs);
    }

    private void block(int indent, String open, int width, String... paragraphs) {
      String pad = " ".repeat(indent);
      String single = pad + open + " " + paragraphs[0].strip().replaceAll("\\s+", " ") + " */";
      if (paragraphs.length == 1 && single.length() <= width) {
        line(single);
        return;
      }
      line(pad + open);
      for (int i = 0; i < paragraphs.length; i++) {
        if (i > 0) {
          line(pad + " *");
        }
        for (String l : wrap(paragraphs[i], width - indent - 3)) {
          line(pad + " * " + l);
        }
      }
      line(pad + " */");
    }

    @Override
    public String toString() {
      return text.toString();
    }
  }
}
