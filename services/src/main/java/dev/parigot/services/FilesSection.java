package dev.parigot.services;

import dev.parigot.kernel.ProgramSpec;
import dev.parigot.kernel.spi.ManifestSection;
import dev.parigot.kernel.spi.ManifestTable;
import dev.parigot.kernel.spi.SectionContext;
import dev.parigot.kernel.spi.SectionKey;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The programs' {@code files} key: the directory each may use through parigot.file.v1.File, a
 * relative path resolved against {@code <data_dir>/files}. No two programs' directories overlap
 * (none is inside another's).
 *
 * <p>Its value, {@code manifest.section(FilesSection.KEY)}, maps each program with a grant to its
 * directory (normalized; it need not exist); it is empty if no program has one.
 */
public final class FilesSection implements ManifestSection<Map<String, Path>> {
  /** The key of the programs' directories, by program name. */
  public static final SectionKey<Map<String, Path>> KEY = SectionKey.of("files");

  /** The folder of the data directory under which programs' directories are. */
  static final String FILES_DIR = "files";

  /** A segment of a files directory: no leading '.', so never "." or ".." or hidden. */
  private static final Pattern SEGMENT = Pattern.compile("[A-Za-z0-9_-][A-Za-z0-9._-]{0,63}");

  private static final int MAX_PATH = 255;

  /** Made by {@link java.util.ServiceLoader}. */
  public FilesSection() {}

  @Override
  public SectionKey<Map<String, Path>> key() {
    return KEY;
  }

  @Override
  public List<String> programKeys() {
    return List.of("files");
  }

  @Override
  public Optional<Map<String, Path>> read(SectionContext manifest) {
    var dirs = new LinkedHashMap<String, Path>();
    for (ProgramSpec program : manifest.programs()) {
      ManifestTable table = manifest.program(program);
      dir(table, manifest.dataDir())
          .ifPresent(dir -> {
            reportOverlap(table, program.name(), dir, dirs);
            dirs.put(program.name(), dir);
          });
    }
    return dirs.isEmpty() ? Optional.empty() : Optional.of(Map.copyOf(dirs));
  }

  /**
   * The program's directory: a relative path of plain segments, so that it stays under {@code
   * <data_dir>/files} whatever it says, apart from the kernel's databases.
   */
  private static Optional<Path> dir(ManifestTable program, Path dataDir) {
    String rule =
        "a relative directory path under <data_dir>/files: segments of letters, digits, '.',"
            + " '_' or '-' not starting with '.', separated by '/', at most "
            + MAX_PATH
            + " bytes";
    return program
        .string("files", rule)
        .filter(dir ->
            program.check(
                "files",
                !dir.isEmpty()
                    && dir.length() <= MAX_PATH
                    && Arrays.stream(dir.split("/", -1))
                        .allMatch(segment -> SEGMENT.matcher(segment).matches()),
                dir,
                rule))
        .map(dir -> dataDir.resolve(FILES_DIR).resolve(dir).normalize());
  }

  /** Each program's files are its own: no directory may be another's or inside another's. */
  private static void reportOverlap(
      ManifestTable program, String name, Path dir, Map<String, Path> earlier) {
    for (var other : earlier.entrySet()) {
      if (dir.startsWith(other.getValue()) || other.getValue().startsWith(dir)) {
        program.report(
            program.line(),
            program.name("files")
                + ": its directory overlaps program '"
                + other.getKey()
                + "''s ("
                + dir
                + " and "
                + other.getValue()
                + "); each program gets a directory of its own");
        return;
      }
    }
  }
}
