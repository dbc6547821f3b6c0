package dev.parigot.kernel;

import dev.parigot.engine.spi.GuestIo;
import dev.parigot.kernel.spi.ManifestSection;
import dev.parigot.kernel.spi.ManifestTable;
import dev.parigot.kernel.spi.SectionContext;
import dev.parigot.kernel.spi.SectionKey;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The programs' {@code [program.NAME.wasi]} tables: the directories a program sees through WASI,
 * and how its standard streams are connected. README.md ("WASI programs") documents the keys:
 *
 * <pre>
 * [program.tool.wasi]
 * dirs = { "/data" = "data", "/in" = { path = "input", mode = "ro" } }
 * stdin = "inherit"   # or "none", the default: end of file at once
 * stdout = "raw"      # or "lines", the default: each line shown as "tool[PID]: line"
 * stderr = "raw"
 * </pre>
 *
 * <p>A directory is resolved against the manifest's directory and must exist. {@code stdin =
 * "inherit"} is for one main program of the app, with one replica: the host's stdin has one reader.
 */
public final class WasiSection implements ManifestSection<Map<String, WasiSection.Spec>> {
  /** The key of the programs' WASI settings, by program name. */
  public static final SectionKey<Map<String, Spec>> KEY = SectionKey.of("wasi");

  /**
   * One program's WASI settings.
   *
   * @param dirs its directories, in the order of their guest paths
   * @param inheritStdin whether its stdin is the host's
   * @param rawStdout whether its stdout's bytes go to the host's stdout untouched
   * @param rawStderr whether its stderr's bytes go to the host's stderr untouched
   */
  public record Spec(
      List<GuestIo.Dir> dirs, boolean inheritStdin, boolean rawStdout, boolean rawStderr) {
    /** A program without a wasi table: no directories, stdin at end of file, output in lines. */
    public static final Spec DEFAULT = new Spec(List.of(), false, false, false);

    /** Copies the list. */
    public Spec {
      dirs = List.copyOf(dirs);
    }
  }

  private static final String DIR_RULE =
      "a directory path relative to the manifest (or absolute), or a table"
          + " { path = \"DIR\", mode = \"ro\" }";

  /** Made by {@link java.util.ServiceLoader}. */
  public WasiSection() {}

  @Override
  public SectionKey<Map<String, Spec>> key() {
    return KEY;
  }

  @Override
  public List<String> programKeys() {
    return List.of("wasi");
  }

  @Override
  public Optional<Map<String, Spec>> read(SectionContext manifest) {
    var specs = new LinkedHashMap<String, Spec>();
    Path base = Optional.ofNullable(manifest.file().getParent()).orElse(Path.of(""));
    String inheriting = null;
    for (ProgramSpec program : manifest.programs()) {
      ManifestTable p = manifest.program(program);
      Optional<ManifestTable> wasi = p.table("wasi", "a table, like [program.NAME.wasi]");
      if (wasi.isEmpty()) {
        continue;
      }
      ManifestTable t = wasi.get();
      t.unknownKeys(List.of("dirs", "stdin", "stdout", "stderr"));
      List<GuestIo.Dir> dirs = dirs(t, base);
      boolean stdin = choice(t, "stdin", "none", "inherit");
      if (stdin && (program.role() != Role.MAIN || program.replicas() != 1)) {
        t.report(
            t.line("stdin"),
            t.name("stdin") + ": only a main program with one replica may read the host's stdin");
      } else if (stdin && inheriting != null) {
        t.report(
            t.line("stdin"),
            t.name("stdin")
                + ": program '"
                + inheriting
                + "' reads the host's stdin already; it has one reader");
      }
      if (stdin) {
        inheriting = program.name();
      }
      specs.put(
          program.name(),
          new Spec(
              dirs,
              stdin,
              choice(t, "stdout", "lines", "raw"),
              choice(t, "stderr", "lines", "raw")));
    }
    return specs.isEmpty() ? Optional.empty() : Optional.of(Map.copyOf(specs));
  }

  /** Whether {@code key} is {@code yes}; a value neither {@code no} nor {@code yes} is reported. */
  private static boolean choice(ManifestTable t, String key, String no, String yes) {
    String rule = "\"" + no + "\" (the default) or \"" + yes + "\"";
    return t.string(key, rule)
        .filter(v -> t.check(key, v.equals(no) || v.equals(yes), v, rule))
        .map(yes::equals)
        .orElse(false);
  }

  private static List<GuestIo.Dir> dirs(ManifestTable t, Path base) {
    var dirs = new ArrayList<GuestIo.Dir>();
    Optional<ManifestTable> table =
        t.table("dirs", "a table of guest paths to directories, like { \"/data\" = \"data\" }");
    if (table.isEmpty()) {
      return dirs;
    }
    ManifestTable d = table.get();
    for (String guest : d.keys()) {
      if (!GuestIo.Dir.validGuestPath(guest)) {
        d.report(
            d.line(guest),
            d.name(guest)
                + ": not a guest directory path; it must be absolute, like \"/data\", of"
                + " segments other than '.' and '..', without control characters");
        continue;
      }
      Optional<String> path;
      boolean readOnly = false;
      if (d.isTable(guest)) {
        ManifestTable entry = d.table(guest, DIR_RULE).orElseThrow();
        entry.unknownKeys(List.of("path", "mode"));
        path = entry.string("path", "a directory path");
        if (!entry.has("path")) {
          entry.report(entry.line(), d.name(guest) + ": path missing");
        }
        readOnly = choice(entry, "mode", "rw", "ro");
      } else {
        path = d.string(guest, DIR_RULE);
      }
      boolean ro = readOnly;
      path.flatMap(p -> directory(d, guest, base, p))
          .ifPresent(host -> dirs.add(new GuestIo.Dir(guest, host, ro)));
    }
    return dirs;
  }

  /** The host directory for {@code guest}, reported unless it exists and is a directory. */
  private static Optional<Path> directory(ManifestTable d, String guest, Path base, String text) {
    Path host;
    try {
      host = base.resolve(text).normalize();
    } catch (InvalidPathException e) {
      d.report(d.line(guest), d.name(guest) + ": not a path: " + e.getReason());
      return Optional.empty();
    }
    if (text.isEmpty() || !Files.isDirectory(host)) {
      d.report(
          d.line(guest),
          d.name(guest)
              + ": "
              + ManifestTable.quote(text)
              + " is not a directory (resolved as "
              + host
              + ")");
      return Optional.empty();
    }
    return Optional.of(host);
  }
}
