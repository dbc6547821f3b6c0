package dev.parigot.kernel;

import dev.parigot.kernel.core.Names;
import dev.parigot.kernel.spi.ManifestSection;
import dev.parigot.kernel.spi.ManifestTable;
import dev.parigot.kernel.spi.ManifestTable.Item;
import dev.parigot.kernel.spi.SectionContext;
import dev.parigot.kernel.spi.SectionKey;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
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
 * required name has one, belongs to the kernel ({@code parigot.*}) or is among the requiring
 * program's {@code imports} (names served outside the app), and requires have no cycle. Whether the
 * modules exist and load is for the kernel to check.
 *
 * <p>The kernel reads only its own keys. Other tables and program keys belong to the {@link
 * ManifestSection}s installed (found with {@link java.util.ServiceLoader} when the first manifest
 * is read), whose values {@link #section} returns; a key that neither claims is an error.
 *
 * <p>Immutable and safe to share between threads.
 */
public final class Manifest {
  /** Names under this prefix belong to the kernel's own services. */
  public static final String KERNEL_PREFIX = "parigot.";

  private final String app;
  private final Path file;
  private final Path dataDir;
  private final List<ProgramSpec> programs;
  private final List<ProgramSpec> startOrder;
  private final Map<String, ProgramSpec> exporters;
  private final Map<SectionKey<?>, Object> sections;
  private final Limits limits;

  private Manifest(
      String app,
      Path file,
      Path dataDir,
      List<ProgramSpec> programs,
      List<ProgramSpec> startOrder,
      Map<String, ProgramSpec> exporters,
      Map<SectionKey<?>, Object> sections,
      Limits limits) {
    this.app = app;
    this.limits = limits;
    this.file = file;
    this.dataDir = dataDir;
    this.programs = List.copyOf(programs);
    this.startOrder = List.copyOf(startOrder);
    this.exporters = Map.copyOf(exporters);
    this.sections = Map.copyOf(sections);
  }

  /**
   * Reads and checks the manifest in {@code file}, which must be UTF-8 text.
   *
   * @param file the manifest; program modules are resolved against its directory
   * @return the manifest
   * @throws ManifestException if the file cannot be read or has problems; it lists them all
   */
  public static Manifest load(Path file) {
    return load(file, Optional.empty());
  }

  /**
   * As {@link #load(Path)}, but the kernel services keep the app's data in {@code dataDir},
   * whatever the manifest's {@code data_dir} says ({@code parigot run --data-dir}, and the fresh
   * directory of {@code parigot test}).
   *
   * @param dataDir the data directory, resolved against the current directory
   */
  public static Manifest load(Path file, Path dataDir) {
    return load(file, Optional.of(dataDir.toAbsolutePath().normalize()));
  }

  private static Manifest load(Path file, Optional<Path> dataDir) {
    Objects.requireNonNull(file, "file");
    String toml;
    try {
      toml = ManifestText.read(file);
    } catch (IOException e) {
      throw new ManifestException(file, List.of(file + ": cannot read: " + reason(e)), e);
    }
    return new Checker(file, toml, Sections.installed(), dataDir).check();
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
    return parse(toml, file, Sections.installed());
  }

  /** Checks {@code toml} with {@code sections} rather than the installed ones. */
  static Manifest parse(String toml, Path file, Sections sections) {
    Objects.requireNonNull(toml, "toml");
    return new Checker(Objects.requireNonNull(file, "file"), toml, sections, Optional.empty())
        .check();
  }

  /** Why a file could not be read, in words: no exception's name. */
  static String reason(IOException e) {
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
   * Returns the app's {@code [limits]}: each program's defaults and, for {@code budget_mib} and
   * {@code max_processes}, the app's totals.
   *
   * @return the limits, {@link Limits#DEFAULTS} where the table sets none
   */
  public Limits limits() {
    return limits;
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
   * Returns the value of the manifest section whose key is {@code key}: what that {@link
   * ManifestSection} read from its tables and program keys.
   *
   * @param key the section's key, e.g. a constant of the module that defines the section
   * @param <T> the type of the section's value
   * @return the value, or empty if the manifest does not use the section or no such section was
   *     installed when the manifest was read
   */
  public <T> Optional<T> section(SectionKey<T> key) {
    Objects.requireNonNull(key, "key");
    @SuppressWarnings("unchecked") // put under the key of the section that made it: a T
    T value = (T) sections.get(key);
    return Optional.ofNullable(value);
  }

  /** Checks one manifest, collecting every problem before it gives up. */
  private static final class Checker {
    private static final Pattern APP_NAME = Pattern.compile("[a-z][a-z0-9-]{0,62}");
    private static final Pattern PROGRAM_NAME = Pattern.compile("[a-z][a-z0-9_-]{0,62}");
    private static final String SERVICE_RULE =
        "a letter, then letters, digits, '.', '_' or '-', at most 255 bytes";
    private static final List<String> LIMIT_KEYS =
        List.of(
            "memory_mib",
            "cpu_slice_ms",
            "max_inflight",
            "max_message_bytes",
            "max_workers",
            "call_timeout_ms",
            "cpu_ms",
            "budget_mib",
            "max_processes");

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

    /**
     * A program as read, with the lines of its names for the checks between programs.
     *
     * @param scope the program's table, for the sections' keys
     * @param exports each exported name and its line
     * @param requires each required name and its line
     * @param imports each imported name and its line
     */
    private record Draft(
        ProgramSpec spec,
        Scope scope,
        int line,
        Map<String, Integer> exports,
        Map<String, Integer> requires,
        Map<String, Integer> imports) {
      String label() {
        return "program '" + spec.name() + "': ";
      }
    }

    private final Path file;
    private final String toml;
    private final Sections sections;
    private final List<Problem> problems = new ArrayList<>();
    private final Optional<Path> dataDirOverride;

    Checker(Path file, String toml, Sections sections, Optional<Path> dataDirOverride) {
      this.file = file;
      this.toml = toml;
      this.sections = sections;
      this.dataDirOverride = dataDirOverride;
    }

    Manifest check() {
      TomlParseResult root = parse();
      if (root.hasErrors()) {
        // What tomlj recovered would only yield follow-on problems.
        for (TomlParseError e : root.errors()) {
          add(
              line(e.position()),
              "TOML syntax error at column " + e.position().column() + ": " + e.getMessage());
        }
        throw failure();
      }
      if (ManifestText.tooDeep(root)) {
        add(0, ManifestText.tooDeep());
        throw failure();
      }
      var top = new Scope(root, "", "");
      unknownKeys(top, sections.topKeys());
      String app = app(top);
      Path dataDir = dataDirOverride.orElse(dataDir(top, app));
      Limits appLimits = limits(top, Limits.DEFAULTS);
      List<Draft> drafts = programs(top, appLimits);
      reportShares(drafts, appLimits);

      Map<String, Integer> exporters = exporters(drafts);
      reportImports(drafts, exporters);
      List<List<Integer>> deps = dependencies(drafts, exporters);
      reportCycles(drafts, deps);
      Map<String, ProgramSpec> exporterSpecs =
          exporters.entrySet().stream()
              .collect(Collectors.toMap(Map.Entry::getKey, e -> drafts.get(e.getValue()).spec()));
      var values = new LinkedHashMap<SectionKey<?>, Object>();
      for (ManifestSection<?> section : sections.sections()) {
        var context = new Context(section, top, app, dataDir, drafts, exporterSpecs);
        section.read(context).ifPresent(value -> values.put(section.key(), value));
      }
      if (!problems.isEmpty()) {
        throw failure();
      }
      return new Manifest(
          app,
          file,
          dataDir,
          drafts.stream().map(Draft::spec).toList(),
          startOrder(drafts, deps),
          exporterSpecs,
          values,
          appLimits);
    }

    /**
     * Reports programs whose replicas alone are more processes than they, or the app, may have. A
     * program's budget_mib or max_processes above the app's is no error: the app's total bounds it.
     */
    private void reportShares(List<Draft> drafts, Limits app) {
      int replicas = 0;
      for (Draft draft : drafts) {
        int own = draft.spec().limits().maxProcesses();
        replicas += draft.spec().replicas();
        if (draft.spec().replicas() > own) {
          add(
              draft.line(),
              draft.label()
                  + "replicas: "
                  + draft.spec().replicas()
                  + " are more processes than its max_processes of "
                  + own);
        }
      }
      if (replicas > app.maxProcesses()) {
        add(
            0,
            "limits.max_processes: the programs' "
                + replicas
                + " replicas in all are more processes than the app's max_processes of "
                + app.maxProcesses());
      }
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

    private List<Draft> programs(Scope top, Limits appLimits) {
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
            .ifPresent(t -> drafts.add(program(name, new Scope(t, label, ""), line, appLimits)));
      }
      return drafts;
    }

    private Draft program(String name, Scope s, int line, Limits appLimits) {
      unknownKeys(s, sections.programKeys());
      Path wasm = wasm(s, name, line);
      Role role = role(s, line);
      Map<String, Integer> exports = names(s, "exports");
      exports.forEach((export, at) -> {
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
      requires.forEach((required, at) -> {
        if (exports.containsKey(required)) {
          add(
              at,
              s.name("requires")
                  + ": "
                  + quote(required)
                  + " is this program's own export; a program cannot require it");
        }
      });
      Map<String, Integer> imports = names(s, "imports");
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
              List.copyOf(imports.keySet()),
              args,
              env,
              replicas,
              limits);
      return new Draft(spec, s, line, exports, requires, imports);
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
          .flatMap(name -> {
            Optional<Role> role = Role.ofToml(name);
            if (role.isEmpty()) {
              add(s.line("role"), s.name("role") + ": must be " + rule + ", not " + quote(name));
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
        if (serviceName(s, key, name, item.line())
            && names.putIfAbsent(name, item.line()) != null) {
          add(item.line(), s.name(key) + ": " + quote(name) + " is listed twice");
        }
      }
      return names;
    }

    private boolean serviceName(Scope s, String key, String name, int line) {
      boolean ok = Names.valid(name.getBytes(StandardCharsets.UTF_8));
      if (!ok) {
        add(
            line,
            s.name(key) + ": " + quote(name) + " is not a service name (" + SERVICE_RULE + ")");
      }
      return ok;
    }

    private Map<String, String> env(Scope s) {
      var env = new LinkedHashMap<String, String>();
      value(s, "env", TomlTable.class, "a table of strings, like env = { NAME = \"value\" }")
          .ifPresent(table -> {
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
              .orElse(base.callTimeoutMillis()),
          integer(
                  limits,
                  "cpu_ms",
                  0,
                  Limits.MAX_CPU_MILLIS,
                  " (milliseconds of CPU time, up to 30 days; 0 is no limit)")
              .orElse(base.cpuMillis()),
          integer(limits, "budget_mib", 0, Limits.MAX_BUDGET_MIB, " (MiB; 0 is no cap of its own)")
              .map(Long::intValue)
              .orElse(base.budgetMib()),
          integer(limits, "max_processes", 1, Limits.MAX_PROCESSES, "")
              .map(Long::intValue)
              .orElse(base.maxProcesses()));
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
     * Reports imports that are not names from outside the app (the kernel's or this app's own) or
     * that the program does not require.
     */
    private void reportImports(List<Draft> drafts, Map<String, Integer> exporters) {
      for (Draft draft : drafts) {
        for (var entry : draft.imports().entrySet()) {
          String imported = entry.getKey();
          String problem = null;
          Integer exporter = exporters.get(imported);
          if (imported.startsWith(KERNEL_PREFIX)) {
            problem = "is a kernel service name; those are required without an import";
          } else if (exporter != null) {
            problem =
                "is exported by program '"
                    + drafts.get(exporter).spec().name()
                    + "' of this app; imports are names served outside the app";
          } else if (!draft.requires().containsKey(imported)) {
            problem = "is not in this program's requires; a program imports only names it calls";
          }
          if (problem != null) {
            add(entry.getValue(), draft.label() + "imports: " + quote(imported) + " " + problem);
          }
        }
      }
    }

    /**
     * For each program, the indices of the programs exporting what it requires, reporting required
     * names that nobody exports, the kernel does not serve and the program does not import. Imports
     * impose no order: they come from outside the app.
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
          } else if (provider == null
              && !required.getKey().startsWith(KERNEL_PREFIX)
              && !draft.spec().imports().contains(required.getKey())) {
            add(
                required.getValue(),
                draft.label()
                    + "requires: no program exports "
                    + quote(required.getKey())
                    + "; a name served outside the app must be in this program's imports");
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

    /** What a section is given: the kernel's reading so far and its own keys. */
    private final class Context implements SectionContext {
      private final ManifestSection<?> section;
      private final Scope top;
      private final String app;
      private final Path dataDir;
      private final List<Draft> drafts;
      private final Map<String, ProgramSpec> exporters;

      Context(
          ManifestSection<?> section,
          Scope top,
          String app,
          Path dataDir,
          List<Draft> drafts,
          Map<String, ProgramSpec> exporters) {
        this.section = section;
        this.top = top;
        this.app = app;
        this.dataDir = dataDir;
        this.drafts = drafts;
        this.exporters = exporters;
      }

      @Override
      public Path file() {
        return file;
      }

      @Override
      public String app() {
        return app;
      }

      @Override
      public Path dataDir() {
        return dataDir;
      }

      @Override
      public List<ProgramSpec> programs() {
        return drafts.stream().map(Draft::spec).toList();
      }

      @Override
      public Optional<ProgramSpec> exporterOf(String serviceName) {
        return Optional.ofNullable(exporters.get(serviceName));
      }

      @Override
      public ManifestTable root() {
        var keys = new ArrayList<>(section.tables());
        keys.addAll(section.reads());
        return new View(top, 0, Optional.of(List.copyOf(keys)), section);
      }

      @Override
      public ManifestTable program(ProgramSpec program) {
        // The specs of programs() themselves first: the record's equals is costly on first use.
        Draft draft =
            drafts.stream()
                .filter(d -> d.spec() == program)
                .findFirst()
                .or(() -> drafts.stream().filter(d -> d.spec().equals(program)).findFirst())
                .orElseThrow(() ->
                    new IllegalArgumentException("not a program of this manifest: " + program));
        return new View(draft.scope(), draft.line(), Optional.of(section.programKeys()), section);
      }
    }

    /**
     * A table as a section reads it, through the kernel's own readers.
     *
     * @param claimed the keys the section may read here, or empty for all
     */
    private final class View implements ManifestTable {
      private final Scope scope;
      private final int line;
      private final Optional<List<String>> claimed;
      private final ManifestSection<?> section;

      View(Scope scope, int line, Optional<List<String>> claimed, ManifestSection<?> section) {
        this.scope = scope;
        this.line = line;
        this.claimed = claimed;
        this.section = section;
      }

      /** {@code key}, if the section may read it here: reading another's would be a bug. */
      private String claim(String key) {
        Objects.requireNonNull(key, "key");
        if (claimed.isPresent() && !claimed.get().contains(key)) {
          throw new IllegalArgumentException(
              "manifest section '" + section.key().name() + "' did not claim key " + key);
        }
        return key;
      }

      private View below(TomlTable table, String path, int at) {
        return new View(new Scope(table, scope.program(), path), at, Optional.empty(), section);
      }

      @Override
      public String name(String key) {
        return scope.name(claim(key));
      }

      @Override
      public int line(String key) {
        return scope.line(claim(key));
      }

      @Override
      public int line() {
        return line;
      }

      @Override
      public boolean has(String key) {
        return scope.has(claim(key));
      }

      @Override
      public Optional<String> string(String key, String rule) {
        return Checker.this.string(scope, claim(key), rule);
      }

      @Override
      public Optional<Long> integer(String key, long min, long max, String note) {
        return Checker.this.integer(scope, claim(key), min, max, note);
      }

      @Override
      public List<Item> strings(String key) {
        return List.copyOf(Checker.this.strings(scope, claim(key)));
      }

      @Override
      public Optional<ManifestTable> table(String key, String rule) {
        return value(scope, claim(key), TomlTable.class, rule)
            .map(t -> below(t, scope.path() + Toml.joinKeyPath(List.of(key)) + ".", line(key)));
      }

      @Override
      public List<ManifestTable> tables(String key, String rule, String itemRule) {
        var tables = new ArrayList<ManifestTable>();
        value(scope, claim(key), TomlArray.class, rule)
            .ifPresent(array -> {
              for (int i = 0; i < array.size(); i++) {
                int at = itemLine(array.inputPositionOf(i));
                String label = Toml.joinKeyPath(List.of(key)) + "[" + i + "]";
                if (array.get(i) instanceof TomlTable t) {
                  tables.add(below(t, scope.path() + label + ".", at));
                } else {
                  add(at, scope.program() + scope.path() + label + ": must be " + itemRule);
                }
              }
            });
        return List.copyOf(tables);
      }

      @Override
      public boolean checkServiceName(String key, String name) {
        return serviceName(scope, claim(key), name, line(key));
      }

      @Override
      public void unknownKeys(List<String> allowed) {
        if (claimed.isPresent()) {
          // Here the kernel reports the keys nobody claims.
          throw new UnsupportedOperationException("unknownKeys of a table the kernel shares");
        }
        Checker.this.unknownKeys(scope, allowed);
      }

      @Override
      public List<String> keys() {
        if (claimed.isPresent()) {
          throw new UnsupportedOperationException("keys of a table the kernel shares");
        }
        return scope.table().keySet().stream().sorted().toList();
      }

      @Override
      public boolean isTable(String key) {
        return scope.table().get(List.of(claim(key))) instanceof TomlTable;
      }

      @Override
      public boolean check(String key, boolean ok, Object value, String rule) {
        return matches(scope, claim(key), ok, value, rule);
      }

      @Override
      public void report(int line, String text) {
        add(line, Objects.requireNonNull(text, "text"));
      }
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
          .ifPresent(array -> {
            for (int i = 0; i < array.size(); i++) {
              int line = itemLine(array.inputPositionOf(i));
              if (array.get(i) instanceof String item) {
                items.add(new Item(item, line));
              } else {
                add(
                    line,
                    s.name(key) + "[" + i + "]: must be a string, not " + describe(array.get(i)));
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

    /** Parses the text within {@link ManifestText}'s bounds, or fails naming the bound. */
    private TomlParseResult parse() {
      ManifestText.size(toml).ifPresent(problem -> add(0, problem));
      ManifestText.deepLine(toml).ifPresent(line -> add(line, ManifestText.tooDeep()));
      if (!problems.isEmpty()) {
        throw failure();
      }
      return Toml.parse(toml);
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
