package dev.parigot.kernel;

import dev.parigot.kernel.core.Names;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.tomlj.Toml;
import org.tomlj.TomlArray;
import org.tomlj.TomlParseError;
import org.tomlj.TomlParseResult;
import org.tomlj.TomlPosition;
import org.tomlj.TomlTable;

/**
 * An app's manifest: its name and its programs, checked as a whole.
 *
 * <p>A manifest is a TOML file; the README's section "The manifest" describes its keys. {@link
 * #load} and {@link #parse} check all that can be checked without the wasm modules and report every
 * problem at once in one {@link ManifestException}. A {@code Manifest} therefore always describes a
 * consistent app: names are well formed, each exported name has one exporting program, each
 * required name has one or belongs to the kernel ({@code parigot.*}), and requires have no cycle.
 * Whether the modules exist and load is for the kernel to check.
 *
 * <p>Immutable and safe to share between threads.
 */
public final class Manifest {
  /** Names under this prefix belong to the kernel's own services. */
  public static final String KERNEL_PREFIX = "parigot.";

  /** The folder of {@link #dataDir} under which programs' {@code files} directories are. */
  static final String FILES_DIR = "files";

  private final String app;
  private final Path file;
  private final Path dataDir;
  private final List<ProgramSpec> programs;
  private final List<ProgramSpec> startOrder;
  private final Map<String, ProgramSpec> exporters;
  private final Map<String, Path> files;
  private final HttpSpec http;
  private final Map<String, List<String>> httpAllow;

  private Manifest(
      String app,
      Path file,
      Path dataDir,
      List<ProgramSpec> programs,
      List<ProgramSpec> startOrder,
      Map<String, ProgramSpec> exporters,
      Map<String, Path> files,
      HttpSpec http,
      Map<String, List<String>> httpAllow) {
    this.app = app;
    this.file = file;
    this.dataDir = dataDir;
    this.programs = List.copyOf(programs);
    this.startOrder = List.copyOf(startOrder);
    this.exporters = Map.copyOf(exporters);
    this.files = Map.copyOf(files);
    this.http = http;
    this.httpAllow = Map.copyOf(httpAllow);
  }

  /**
   * Reads and checks the manifest in {@code file}, which must be UTF-8 text.
   *
   * @param file the manifest; program modules are resolved against its directory
   * @return the manifest
   * @throws ManifestException if the file cannot be read or has problems; it lists them all
   */
  public static Manifest load(Path file) {
    Objects.requireNonNull(file, "file");
    String toml;
    try {
      toml = Files.readString(file);
    } catch (IOException e) {
      throw new ManifestException(file, List.of(file + ": cannot read: " + reason(e)), e);
    }
    return parse(toml, file);
  }

  /**
   * Checks the manifest {@code toml}, as if read from {@code file}.
   *
   * @param toml the manifest's text
   * @param file where the text comes from: problems name it, and program modules are resolved
   *     against its directory; it need not exist
   * @return the manifest
   * @throws ManifestException if the manifest has problems; it lists them all
   */
  public static Manifest parse(String toml, Path file) {
    Objects.requireNonNull(toml, "toml");
    return new Checker(Objects.requireNonNull(file, "file"), toml).check();
  }

  private static String reason(IOException e) {
    return switch (e) {
      case NoSuchFileException _ -> "no such file";
      case AccessDeniedException _ -> "permission denied";
      case CharacterCodingException _ -> "not UTF-8 text";
      case FileSystemException f when f.getReason() != null -> f.getReason();
      default -> Objects.requireNonNullElse(e.getMessage(), e.getClass().getSimpleName());
    };
  }

  /**
   * Returns the app's name, the manifest's {@code app} key.
   *
   * @return a lower-case letter, then lower-case letters, digits or '-'
   */
  public String app() {
    return app;
  }

  /**
   * Returns the file this manifest was read from, as given to {@link #load} or {@link #parse}.
   *
   * @return the manifest's file
   */
  public Path file() {
    return file;
  }

  /**
   * Returns where the kernel's services keep this app's data (kv, queues, logs): the manifest's
   * {@code data_dir}, resolved against the manifest's directory, or {@code .parigot/APP} there by
   * default. It need not exist.
   *
   * @return a normalized path
   */
  public Path dataDir() {
    return dataDir;
  }

  /**
   * Returns the programs in the order the manifest lists them.
   *
   * @return one or more programs with distinct names
   */
  public List<ProgramSpec> programs() {
    return programs;
  }

  /**
   * Returns the program called {@code name}.
   *
   * @param name a program name
   * @return the program, or empty if the manifest has none of that name
   */
  public Optional<ProgramSpec> program(String name) {
    return programs.stream().filter(p -> p.name().equals(name)).findFirst();
  }

  /**
   * Returns the programs in an order to start them in: each after every program that exports a name
   * it requires, and otherwise in the order the manifest lists them.
   *
   * @return all programs, test programs included
   */
  public List<ProgramSpec> startOrder() {
    return startOrder;
  }

  /**
   * Returns the program that exports {@code serviceName}.
   *
   * @param serviceName a service name
   * @return the exporting program, or empty if no program exports the name
   */
  public Optional<ProgramSpec> exporterOf(String serviceName) {
    return Optional.ofNullable(exporters.get(serviceName));
  }

  /**
   * Returns the directory program {@code program} may use through the kernel's file service: its
   * {@code files} key, resolved against {@code <data_dir>/files}. No two programs' directories
   * overlap (none is inside another's). It need not exist.
   *
   * @param program a program name
   * @return a normalized path, or empty if the program has no {@code files} grant (or no such
   *     program exists)
   */
  public Optional<Path> files(String program) {
    return Optional.ofNullable(files.get(program));
  }

  /**
   * Returns the app's HTTP ingress, the manifest's {@code [http]} table: every route's service is
   * exported by one of its programs.
   *
   * @return the ingress, or empty if the app serves no HTTP
   */
  public Optional<HttpSpec> http() {
    return Optional.ofNullable(http);
  }

  /**
   * Returns the hosts program {@code program} may reach through {@code parigot.http.v1.Client}, its
   * {@code http_allow} key: each {@code host:port} or {@code host:*} (any port), host names
   * lower-cased, IPv6 literals in brackets.
   *
   * @param program a program name
   * @return the entries in manifest order; empty for a program without the key or not in this
   *     manifest
   */
  public List<String> httpAllow(String program) {
    return httpAllow.getOrDefault(program, List.of());
  }

  /** Checks one manifest, collecting every problem before it gives up. */
  private static final class Checker {
    private static final Pattern APP_NAME = Pattern.compile("[a-z][a-z0-9-]{0,62}");
    private static final Pattern PROGRAM_NAME = Pattern.compile("[a-z][a-z0-9_-]{0,62}");
    private static final String SERVICE_RULE =
        "a letter, then letters, digits, '.', '_' or '-', at most 255 bytes";
    private static final List<String> TOP_KEYS = List.of("app", "data_dir", "limits", "program", "http");
    private static final List<String> PROGRAM_KEYS =
        List.of(
            "wasm", "role", "exports", "requires", "args", "env", "replicas", "limits", "files",
            "http_allow");
    /** A segment of a files directory: no leading '.', so never "." or ".." or hidden. */
    private static final Pattern FILES_SEGMENT = Pattern.compile("[A-Za-z0-9_-][A-Za-z0-9._-]{0,63}");
    private static final int MAX_FILES_PATH = 255;
    private static final List<String> HTTP_KEYS =
        List.of("listen", "route", "max_header_bytes", "max_body_bytes", "timeout_ms");
    private static final List<String> ROUTE_KEYS = List.of("prefix", "service");
    // A host name of letters, digits, '-' and '.', or an IPv4 literal (the same characters).
    private static final Pattern HOST_NAME =
        Pattern.compile("[A-Za-z0-9]([A-Za-z0-9-]{0,62})(\\.[A-Za-z0-9]([A-Za-z0-9-]{0,62}))*");
    private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]{2,45}");
    // Path characters of RFC 3986 (unreserved, sub-delims, ':', '@', '%'), segments without "/".
    private static final Pattern SEGMENT = Pattern.compile("[A-Za-z0-9._~!$&'()*+,;=:@%-]+");
    private static final List<String> LIMIT_KEYS =
        List.of(
            "memory_mib",
            "cpu_slice_ms",
            "max_inflight",
            "max_message_bytes",
            "max_workers",
            "call_timeout_ms");

    /** One problem, with its line (0 if unknown) to sort by. */
    private record Problem(int line, String text) {}

    /**
     * A table being checked and how problems in it are named.
     *
     * @param program {@code "program 'NAME': "}, or empty outside programs
     * @param path the dotted key path leading to the table, with a trailing dot, or empty
     */
    private record Scope(TomlTable table, String program, String path) {
      Scope child(TomlTable child, String key) {
        return new Scope(child, program, path + Toml.joinKeyPath(List.of(key)) + ".");
      }

      String name(String key) {
        return program + path + Toml.joinKeyPath(List.of(key));
      }

      int line(String key) {
        return Checker.line(table.inputPositionOf(List.of(key)));
      }

      boolean has(String key) {
        return table.get(List.of(key)) != null;
      }
    }

    /** A string inside an array, with its line. */
    private record Item(String value, int line) {}

    /**
     * A program as read, with the lines of its names for the checks between programs.
     *
     * @param exports each exported name and its line
     * @param requires each required name and its line
     * @param files the program's files directory, resolved, or null
     */
    private record Draft(
        ProgramSpec spec,
        int line,
        Map<String, Integer> exports,
        Map<String, Integer> requires,
        Path files,
        List<String> httpAllow) {
      String label() {
        return "program '" + spec.name() + "': ";
      }
    }

    private final Path file;
    private final String toml;
    private final List<Problem> problems = new ArrayList<>();

    Checker(Path file, String toml) {
      this.file = file;
      this.toml = toml;
    }

    Manifest check() {
      TomlParseResult root = Toml.parse(toml);
      if (root.hasErrors()) {
        // What tomlj recovered would only yield follow-on problems.
        for (TomlParseError e : root.errors()) {
          add(
              line(e.position()),
              "TOML syntax error at column " + e.position().column() + ": " + e.getMessage());
        }
        throw failure();
      }
      var top = new Scope(root, "", "");
      unknownKeys(top, TOP_KEYS);
      String app = app(top);
      Path dataDir = dataDir(top, app);
      List<Draft> drafts = programs(top, limits(top, Limits.DEFAULTS), dataDir);
      reportSharedFiles(drafts);

      Map<String, Integer> exporters = exporters(drafts);
      List<List<Integer>> deps = dependencies(drafts, exporters);
      reportCycles(drafts, deps);
      HttpSpec http = http(top, exporters.keySet());
      if (!problems.isEmpty()) {
        throw failure();
      }
      return new Manifest(
          app,
          file,
          dataDir,
          drafts.stream().map(Draft::spec).toList(),
          startOrder(drafts, deps),
          exporters.entrySet().stream()
              .collect(Collectors.toMap(Map.Entry::getKey, e -> drafts.get(e.getValue()).spec())),
          drafts.stream()
              .filter(d -> d.files() != null)
              .collect(Collectors.toMap(d -> d.spec().name(), Draft::files)),
          http,
          drafts.stream()
              .filter(d -> !d.httpAllow().isEmpty())
              .collect(Collectors.toMap(d -> d.spec().name(), Draft::httpAllow)));
    }

    private String app(Scope top) {
      if (!top.has("app")) {
        add(0, "app: missing; name the app, e.g. app = \"hello\"");
        return "";
      }
      String rule =
          "1 to 63 characters: a lower-case letter, then lower-case letters, digits or '-'";
      return string(top, "app", rule)
          .filter(name -> matches(top, "app", APP_NAME, name, rule))
          .orElse("");
    }

    private Path dataDir(Scope top, String app) {
      // Resolved as program modules are: against the manifest's directory as given.
      Path dir = Objects.requireNonNullElse(file.getParent(), Path.of(""));
      Path none = dir.resolve(".parigot").resolve(app.isEmpty() ? "app" : app).normalize();
      String rule = "a directory path, absolute or relative to the manifest's directory";
      Optional<String> value = string(top, "data_dir", rule);
      if (value.isEmpty()) {
        return none;
      }
      if (value.get().isEmpty()) {
        add(top.line("data_dir"), "data_dir: must be " + rule + ", not \"\"");
        return none;
      }
      if (!noNul(value.get(), top.line("data_dir"), "data_dir")) {
        return none;
      }
      try {
        return dir.resolve(Path.of(value.get())).normalize();
      } catch (InvalidPathException e) {
        add(
            top.line("data_dir"),
            "data_dir: " + quote(value.get()) + " is not a valid path: " + e.getReason());
        return none;
      }
    }

    private List<Draft> programs(Scope top, Limits appLimits, Path dataDir) {
      String none = "no programs; add a [program.NAME] table for each";
      if (!top.has("program")) {
        add(0, none);
        return List.of();
      }
      Optional<TomlTable> table =
          value(top, "program", TomlTable.class, "a table of [program.NAME] tables");
      if (table.isEmpty()) {
        return List.of();
      }
      if (table.get().isEmpty()) {
        add(top.line("program"), none);
      }
      var programs = new Scope(table.get(), "", "program.");
      var drafts = new ArrayList<Draft>();
      for (String name : table.get().keySet()) {
        int line = programs.line(name);
        var label = "program '" + name + "': ";
        if (!PROGRAM_NAME.matcher(name).matches()) {
          add(
              line,
              label
                  + "the name must be 1 to 63 characters: a lower-case letter, then lower-case"
                  + " letters, digits, '_' or '-'");
        }
        value(programs, name, TomlTable.class, "a table, like [program." + name + "]")
            .ifPresent(
                t -> drafts.add(program(name, new Scope(t, label, ""), line, appLimits, dataDir)));
      }
      return drafts;
    }

    private Draft program(String name, Scope s, int line, Limits appLimits, Path dataDir) {
      unknownKeys(s, PROGRAM_KEYS);
      Path wasm = wasm(s, name, line);
      Role role = role(s, line);
      Map<String, Integer> exports = names(s, "exports");
      exports.forEach(
          (export, at) -> {
            if (export.startsWith(KERNEL_PREFIX)) {
              add(
                  at,
                  s.name("exports")
                      + ": "
                      + quote(export)
                      + " is a kernel service name; names under parigot. are the kernel's own");
            }
          });
      Map<String, Integer> requires = names(s, "requires");
      requires.forEach(
          (required, at) -> {
            if (exports.containsKey(required)) {
              add(
                  at,
                  s.name("requires")
                      + ": "
                      + quote(required)
                      + " is this program's own export; a program cannot require it");
            }
          });
      List<String> args = new ArrayList<>();
      for (Item arg : strings(s, "args")) {
        if (noNul(arg.value(), arg.line(), s.name("args"))) {
          args.add(arg.value());
        }
      }
      Map<String, String> env = env(s);
      int replicas =
          integer(s, "replicas", 1, ProgramSpec.MAX_REPLICAS, "").map(Long::intValue).orElse(1);
      Limits limits = limits(s, appLimits);
      var spec =
          new ProgramSpec(
              name,
              wasm,
              role,
              List.copyOf(exports.keySet()),
              List.copyOf(requires.keySet()),
              List.of(),
              args,
              env,
              replicas,
              limits);
      return new Draft(spec, line, exports, requires, files(s, dataDir), httpAllow(s));
    }

    /**
     * The program's files directory: a relative path of plain segments, so that it stays under
     * {@code <data_dir>/files} whatever it says, apart from the kernel's databases.
     */
    private Path files(Scope s, Path dataDir) {
      String rule =
          "a relative directory path under <data_dir>/files: segments of letters, digits, '.',"
              + " '_' or '-' not starting with '.', separated by '/', at most "
              + MAX_FILES_PATH
              + " bytes";
      Optional<String> value = string(s, "files", rule);
      if (value.isEmpty()) {
        return null;
      }
      String dir = value.get();
      boolean ok =
          !dir.isEmpty()
              && dir.length() <= MAX_FILES_PATH
              && Arrays.stream(dir.split("/", -1)).allMatch(seg -> FILES_SEGMENT.matcher(seg).matches());
      if (!matches(s, "files", ok, dir, rule)) {
        return null;
      }
      return dataDir.resolve(FILES_DIR).resolve(dir).normalize();
    }

    /** Each program's files are its own: no directory may be another's or inside another's. */
    private void reportSharedFiles(List<Draft> drafts) {
      for (int i = 0; i < drafts.size(); i++) {
        Draft later = drafts.get(i);
        for (int j = 0; j < i && later.files() != null; j++) {
          Draft earlier = drafts.get(j);
          if (earlier.files() != null
              && (later.files().startsWith(earlier.files())
                  || earlier.files().startsWith(later.files()))) {
            add(
                later.line(),
                later.label()
                    + "files: its directory overlaps program '"
                    + earlier.spec().name()
                    + "''s ("
                    + later.files()
                    + " and "
                    + earlier.files()
                    + "); each program gets a directory of its own");
            break;
          }
        }
      }
    }

    private Path wasm(Scope s, String name, int line) {
      Path none = Path.of("");
      if (!s.has("wasm")) {
        add(line, s.name("wasm") + ": missing; e.g. wasm = \"" + name + ".wasm\"");
        return none;
      }
      String rule = "the path of a .wasm file, relative to the manifest's directory";
      Optional<String> wasm = string(s, "wasm", rule);
      if (wasm.isEmpty()) {
        return none;
      }
      if (wasm.get().isEmpty()) {
        add(s.line("wasm"), s.name("wasm") + ": must be " + rule + ", not \"\"");
        return none;
      }
      try {
        Path path = Path.of(wasm.get());
        Path dir = file.getParent();
        return (dir == null ? path : dir.resolve(path)).normalize();
      } catch (InvalidPathException e) {
        add(
            s.line("wasm"),
            s.name("wasm") + ": " + quote(wasm.get()) + " is not a valid path: " + e.getReason());
        return none;
      }
    }

    private Role role(Scope s, int line) {
      String rule =
          "one of "
              + Arrays.stream(Role.values())
                  .map(r -> quote(r.toml()))
                  .collect(Collectors.joining(", "));
      if (!s.has("role")) {
        add(line, s.name("role") + ": missing; " + rule);
        return Role.MAIN;
      }
      return string(s, "role", rule)
          .flatMap(
              name -> {
                Optional<Role> role = Role.ofToml(name);
                if (role.isEmpty()) {
                  add(
                      s.line("role"),
                      s.name("role") + ": must be " + rule + ", not " + quote(name));
                }
                return role;
              })
          .orElse(Role.MAIN);
    }

    /** The service names at {@code key}, each with its line, without duplicates. */
    private Map<String, Integer> names(Scope s, String key) {
      var names = new LinkedHashMap<String, Integer>();
      for (Item item : strings(s, key)) {
        String name = item.value();
        if (!Names.valid(name.getBytes(StandardCharsets.UTF_8))) {
          add(
              item.line(),
              s.name(key) + ": " + quote(name) + " is not a service name (" + SERVICE_RULE + ")");
        } else if (names.putIfAbsent(name, item.line()) != null) {
          add(item.line(), s.name(key) + ": " + quote(name) + " is listed twice");
        }
      }
      return names;
    }

    private Map<String, String> env(Scope s) {
      var env = new LinkedHashMap<String, String>();
      value(s, "env", TomlTable.class, "a table of strings, like env = { NAME = \"value\" }")
          .ifPresent(
              table -> {
                Scope vars = s.child(table, "env");
                for (String name : table.keySet()) {
                  boolean named = false;
                  if (name.isEmpty()) {
                    add(vars.line(name), vars.name(name) + ": a variable name cannot be empty");
                  } else if (name.indexOf('=') >= 0) {
                    add(vars.line(name), vars.name(name) + ": a variable name cannot contain '='");
                  } else {
                    named = noNul(name, vars.line(name), vars.name(name));
                  }
                  Optional<String> value = string(vars, name, "a string");
                  if (named
                      && value.isPresent()
                      && noNul(value.get(), vars.line(name), vars.name(name))) {
                    env.put(name, value.get());
                  }
                }
              });
      return env;
    }

    private Limits limits(Scope s, Limits base) {
      Optional<TomlTable> table = value(s, "limits", TomlTable.class, "a table of limits");
      if (table.isEmpty()) {
        return base;
      }
      Scope limits = s.child(table.get(), "limits");
      unknownKeys(limits, LIMIT_KEYS);
      String memoryNote = " (MiB; a process's memory is one Java array, under 2 GiB)";
      return new Limits(
          integer(limits, "memory_mib", 1, Limits.MAX_MEMORY_MIB, memoryNote)
              .map(mib -> mib.intValue() * Limits.PAGES_PER_MIB)
              .orElse(base.memoryPages()),
          integer(
                  limits,
                  "cpu_slice_ms",
                  1,
                  Limits.MAX_CPU_SLICE_MILLIS,
                  " (milliseconds, up to one hour)")
              .orElse(base.cpuSliceMillis()),
          integer(limits, "max_inflight", 1, Limits.MAX_INFLIGHT, "")
              .map(Long::intValue)
              .orElse(base.maxInflight()),
          integer(limits, "max_message_bytes", 1, Limits.MAX_MESSAGE_BYTES, " (64 MiB)")
              .map(Long::intValue)
              .orElse(base.maxMessageBytes()),
          integer(limits, "max_workers", 0, Limits.MAX_WORKERS, "")
              .map(Long::intValue)
              .orElse(base.maxWorkers()),
          integer(
                  limits,
                  "call_timeout_ms",
                  0,
                  Limits.MAX_CALL_TIMEOUT_MILLIS,
                  " (milliseconds, up to one day; 0 is no deadline)")
              .orElse(base.callTimeoutMillis()));
    }

    /** The [http] table, or null if there is none (or it is too broken to describe). */
    private HttpSpec http(Scope top, Set<String> exported) {
      Optional<TomlTable> table =
          value(top, "http", TomlTable.class, "a table, like [http] listen = \"127.0.0.1:8080\"");
      if (table.isEmpty()) {
        return null;
      }
      Scope http = top.child(table.get(), "http");
      unknownKeys(http, HTTP_KEYS);
      HostPort listen = null;
      if (!http.has("listen")) {
        add(top.line("http"), "http.listen: missing; e.g. listen = \"127.0.0.1:8080\"");
      } else {
        listen =
            string(http, "listen", "\"HOST:PORT\"")
                .flatMap(a -> hostPort(http, "listen", a, false))
                .orElse(null);
      }
      List<HttpSpec.Route> routes = routes(http, exported);
      int maxHeader =
          integer(http, "max_header_bytes", 1024, 1 << 20, "")
              .map(Long::intValue)
              .orElse(HttpSpec.DEFAULT_MAX_HEADER_BYTES);
      int maxBody =
          integer(http, "max_body_bytes", 0, Limits.MAX_MESSAGE_BYTES, " (64 MiB)")
              .map(Long::intValue)
              .orElse(HttpSpec.DEFAULT_MAX_BODY_BYTES);
      long timeout =
          integer(
                  http,
                  "timeout_ms",
                  0,
                  Limits.MAX_CALL_TIMEOUT_MILLIS,
                  " (milliseconds, up to one day; 0 is no deadline)")
              .orElse(HttpSpec.DEFAULT_TIMEOUT_MILLIS);
      if (listen == null) {
        return null;
      }
      return new HttpSpec(listen.host(), listen.port(), routes, maxHeader, maxBody, timeout);
    }

    private List<HttpSpec.Route> routes(Scope http, Set<String> exported) {
      var routes = new ArrayList<HttpSpec.Route>();
      if (!http.has("route")) {
        add(
            http.line("listen"),
            "http.route: missing; add a [[http.route]] with a prefix and a service");
        return routes;
      }
      Optional<TomlArray> array =
          value(http, "route", TomlArray.class, "an array of tables, like [[http.route]]");
      if (array.isEmpty()) {
        return routes;
      }
      var seen = new LinkedHashMap<String, Integer>();
      for (int i = 0; i < array.get().size(); i++) {
        int line = itemLine(array.get().inputPositionOf(i));
        String label = "http.route[" + i + "]";
        if (!(array.get().get(i) instanceof TomlTable t)) {
          add(line, label + ": must be a table with a prefix and a service");
          continue;
        }
        var route = new Scope(t, "", label + ".");
        unknownKeys(route, ROUTE_KEYS);
        Optional<String> prefix = required(route, "prefix", "a path like \"/api\"", line);
        Optional<String> service =
            required(route, "service", "a service name a program exports", line);
        prefix = prefix.filter(p -> prefix(route, p));
        service = service.filter(name -> handler(route, name, exported));
        prefix.ifPresent(
            p -> {
              Integer first = seen.putIfAbsent(p, seen.size());
              if (first != null) {
                add(
                    route.line("prefix"),
                    route.name("prefix")
                        + ": "
                        + quote(p)
                        + " is already the prefix of http.route["
                        + first
                        + "]; each prefix has one route");
              }
            });
        if (prefix.isPresent() && service.isPresent()) {
          routes.add(new HttpSpec.Route(prefix.get(), service.get()));
        }
      }
      return routes;
    }

    private Optional<String> required(Scope s, String key, String rule, int line) {
      if (!s.has(key)) {
        add(line, s.name(key) + ": missing; " + rule);
        return Optional.empty();
      }
      return string(s, key, rule);
    }

    /** Whether {@code p} is "/" or "/" and segments, with no trailing "/", "." or "..". */
    private boolean prefix(Scope s, String p) {
      String rule =
          "\"/\" or a path like \"/api/v1\": segments of URL path characters, no trailing"
              + " \"/\", \".\" or \"..\"";
      boolean ok = p.equals("/");
      if (!ok && p.startsWith("/")) {
        ok = true;
        for (String segment : p.substring(1).split("/", -1)) {
          ok &= SEGMENT.matcher(segment).matches() && !segment.equals(".") && !segment.equals("..");
        }
      }
      return matches(s, "prefix", ok, p, rule);
    }

    private boolean handler(Scope s, String name, Set<String> exported) {
      if (!Names.valid(name.getBytes(StandardCharsets.UTF_8))) {
        add(
            s.line("service"),
            s.name("service") + ": " + quote(name) + " is not a service name (" + SERVICE_RULE
                + ")");
        return false;
      }
      if (!exported.contains(name)) {
        add(
            s.line("service"),
            s.name("service")
                + ": no program exports "
                + quote(name)
                + "; a route goes to a service of this app");
        return false;
      }
      return true;
    }

    /** An address: {@code host:port}, or {@code host:*} if {@code anyPort}. */
    private record HostPort(String host, int port) {}

    /**
     * Parses {@code HOST:PORT} (an IPv6 host in brackets), or {@code HOST:*} when {@code
     * anyPort}, which gives port -1.
     */
    private Optional<HostPort> hostPort(Scope s, String key, String value, boolean anyPort) {
      String rule =
          "\"HOST:PORT\" with a host name, an IPv4 address or an IPv6 address in brackets, and a"
              + " port from "
              + (anyPort ? "1 to 65535 or *" : "0 to 65535 (0: any free port)");
      int colon = value.lastIndexOf(':');
      String host = colon < 0 ? "" : value.substring(0, colon);
      String port = colon < 0 ? "" : value.substring(colon + 1);
      boolean hostOk;
      if (host.startsWith("[") && host.endsWith("]")) {
        host = host.substring(1, host.length() - 1);
        hostOk = IPV6.matcher(host).matches() && host.contains(":");
      } else {
        hostOk = HOST_NAME.matcher(host).matches() && host.length() <= 253;
      }
      int number = -1;
      boolean portOk = anyPort && port.equals("*");
      if (!portOk && port.matches("[0-9]{1,5}")) {
        number = Integer.parseInt(port);
        portOk = number >= (anyPort ? 1 : 0) && number <= 65535;
      }
      if (!matches(s, key, hostOk && portOk, value, rule)) {
        return Optional.empty();
      }
      return Optional.of(new HostPort(host.toLowerCase(Locale.ROOT), number));
    }

    /** The program's http_allow entries, normalized: lower-case hosts, IPv6 in brackets. */
    private List<String> httpAllow(Scope s) {
      var allowed = new ArrayList<String>();
      for (Item item : strings(s, "http_allow")) {
        hostPort(s, "http_allow", item.value(), true)
            .ifPresent(
                hp -> {
                  String host = hp.host().contains(":") ? "[" + hp.host() + "]" : hp.host();
                  allowed.add(host + ":" + (hp.port() < 0 ? "*" : hp.port()));
                });
      }
      return List.copyOf(allowed);
    }

    /** Maps each exported name to the index of its program, reporting names exported twice. */
    private Map<String, Integer> exporters(List<Draft> drafts) {
      var exporters = new LinkedHashMap<String, Integer>();
      for (int i = 0; i < drafts.size(); i++) {
        Draft draft = drafts.get(i);
        for (var export : draft.exports().entrySet()) {
          Integer first = exporters.putIfAbsent(export.getKey(), i);
          if (first != null) {
            add(
                export.getValue(),
                draft.label()
                    + "exports: "
                    + quote(export.getKey())
                    + " is already exported by program '"
                    + drafts.get(first).spec().name()
                    + "'; a name has one exporting program");
          }
        }
      }
      return exporters;
    }

    /**
     * For each program, the indices of the programs exporting what it requires, reporting required
     * names nobody exports.
     */
    private List<List<Integer>> dependencies(List<Draft> drafts, Map<String, Integer> exporters) {
      var deps = new ArrayList<List<Integer>>();
      for (int i = 0; i < drafts.size(); i++) {
        Draft draft = drafts.get(i);
        var providers = new LinkedHashSet<Integer>();
        for (var required : draft.requires().entrySet()) {
          Integer provider = exporters.get(required.getKey());
          if (provider != null && provider != i) {
            providers.add(provider);
          } else if (provider == null && !required.getKey().startsWith(KERNEL_PREFIX)) {
            add(
                required.getValue(),
                draft.label() + "requires: no program exports " + quote(required.getKey()));
          }
        }
        deps.add(List.copyOf(providers));
      }
      return deps;
    }

    private void reportCycles(List<Draft> drafts, List<List<Integer>> deps) {
      // 0: not visited, 1: on the current path, 2: done.
      int[] state = new int[drafts.size()];
      var path = new ArrayList<Integer>();
      for (int i = 0; i < drafts.size(); i++) {
        if (state[i] == 0) {
          visit(i, drafts, deps, state, path);
        }
      }
    }

    private void visit(
        int i, List<Draft> drafts, List<List<Integer>> deps, int[] state, List<Integer> path) {
      state[i] = 1;
      path.add(i);
      for (int next : deps.get(i)) {
        if (state[next] == 1) {
          var cycle = new ArrayList<>(path.subList(path.indexOf(next), path.size()));
          cycle.add(next);
          Draft start = drafts.get(next);
          add(
              start.line(),
              start.label()
                  + "requires: cycle "
                  + cycle.stream()
                      .map(p -> drafts.get(p).spec().name())
                      .collect(Collectors.joining(" -> "))
                  + "; a program starts after those whose exports it requires, so none of these"
                  + " can start");
        } else if (state[next] == 0) {
          visit(next, drafts, deps, state, path);
        }
      }
      path.removeLast();
      state[i] = 2;
    }

    /** Each program after its providers; among programs ready together, the earliest listed. */
    private static List<ProgramSpec> startOrder(List<Draft> drafts, List<List<Integer>> deps) {
      boolean[] started = new boolean[drafts.size()];
      var order = new ArrayList<ProgramSpec>();
      while (order.size() < drafts.size()) {
        for (int i = 0; i < drafts.size(); i++) {
          if (!started[i] && deps.get(i).stream().allMatch(p -> started[p])) {
            started[i] = true;
            order.add(drafts.get(i).spec());
            break;
          }
        }
      }
      return order;
    }

    private void unknownKeys(Scope s, List<String> allowed) {
      for (String key : s.table().keySet()) {
        if (!allowed.contains(key)) {
          add(
              s.line(key),
              s.name(key) + ": unknown key; the keys here are " + String.join(", ", allowed));
        }
      }
    }

    /** The value at {@code key} if present and a {@code type}; reports any other value. */
    private <T> Optional<T> value(Scope s, String key, Class<T> type, String rule) {
      Object value = s.table().get(List.of(key));
      if (value == null || type.isInstance(value)) {
        return Optional.ofNullable(type.cast(value));
      }
      add(s.line(key), s.name(key) + ": must be " + rule + ", not " + describe(value));
      return Optional.empty();
    }

    private Optional<String> string(Scope s, String key, String rule) {
      return value(s, key, String.class, rule);
    }

    private Optional<Long> integer(Scope s, String key, long min, long max, String note) {
      String rule = "an integer from " + min + " to " + max + note;
      return value(s, key, Long.class, rule)
          .filter(n -> matches(s, key, n >= min && n <= max, n, rule));
    }

    /** The strings of the array at {@code key}, reporting items of other types. */
    private List<Item> strings(Scope s, String key) {
      var items = new ArrayList<Item>();
      value(s, key, TomlArray.class, "an array of strings")
          .ifPresent(
              array -> {
                for (int i = 0; i < array.size(); i++) {
                  int line = itemLine(array.inputPositionOf(i));
                  if (array.get(i) instanceof String item) {
                    items.add(new Item(item, line));
                  } else {
                    add(
                        line,
                        s.name(key)
                            + "["
                            + i
                            + "]: must be a string, not "
                            + describe(array.get(i)));
                  }
                }
              });
      return items;
    }

    private boolean matches(Scope s, String key, Pattern pattern, String value, String rule) {
      return matches(s, key, pattern.matcher(value).matches(), value, rule);
    }

    private boolean matches(Scope s, String key, boolean ok, Object value, String rule) {
      if (!ok) {
        add(s.line(key), s.name(key) + ": must be " + rule + ", not " + describe(value));
      }
      return ok;
    }

    /** Whether {@code text} is free of NUL, which would cut it short as a WASI C string. */
    private boolean noNul(String text, int line, String name) {
      boolean ok = text.indexOf('\0') < 0;
      if (!ok) {
        add(line, name + ": " + quote(text) + " contains NUL, which WASI strings cannot hold");
      }
      return ok;
    }

    private static String describe(Object value) {
      return switch (value) {
        case String s -> quote(s);
        case Long _, Double _, Boolean _ -> value.toString();
        case TomlArray _ -> "an array";
        case TomlTable _ -> "a table";
        default -> "a date or time";
      };
    }

    private static String quote(String text) {
      return "\"" + Toml.tomlEscape(text) + "\"";
    }

    /**
     * The line of an array item. tomlj places an item where the blanks, line breaks and comments
     * before it start, which is the previous line when the array spans several.
     */
    private int itemLine(TomlPosition position) {
      if (position == null) {
        return 0;
      }
      int line = position.line();
      int at = 0;
      for (int l = 1; l < line; l++) {
        at = toml.indexOf('\n', at) + 1;
      }
      for (at += position.column() - 1; at >= 0 && at < toml.length(); at++) {
        char c = toml.charAt(at);
        if (c == '#') {
          at = toml.indexOf('\n', at);
          if (at < 0) {
            break;
          }
          line++;
        } else if (c == '\n') {
          line++;
        } else if (c != ' ' && c != '\t' && c != '\r') {
          break;
        }
      }
      return line;
    }

    private static int line(TomlPosition position) {
      return position == null ? 0 : position.line();
    }

    private void add(int line, String text) {
      problems.add(new Problem(line, file + (line > 0 ? ":" + line : "") + ": " + text));
    }

    private ManifestException failure() {
      return new ManifestException(
          file,
          problems.stream()
              .sorted(Comparator.comparingInt(Problem::line))
              .map(Problem::text)
              .toList());
    }
  }
}
