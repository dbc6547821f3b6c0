package dev.parigot.kernel.spi;

import dev.parigot.kernel.ProgramSpec;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * What a {@link ManifestSection} is given to read: the kernel's reading of the manifest, for checks
 * across it (a route's service must be exported by a program of the app), and the section's own
 * keys.
 *
 * <p>Valid only during {@link ManifestSection#read}; not safe for use by several threads.
 */
public interface SectionContext {
  /**
   * Returns the manifest's file, as given to the kernel.
   *
   * @return the file problems are reported against
   */
  Path file();

  /**
   * Returns the app's name.
   *
   * @return the name, or "" if the manifest's is missing or invalid (a problem already reported)
   */
  String app();

  /**
   * Returns the app's data directory, resolved as {@link dev.parigot.kernel.Manifest#dataDir}.
   *
   * @return a normalized path
   */
  Path dataDir();

  /**
   * Returns the programs the kernel could read, in manifest order, including those with problems.
   *
   * @return the programs; empty if there are none
   */
  List<ProgramSpec> programs();

  /**
   * Returns the program of this app that exports {@code serviceName}.
   *
   * @param serviceName a service name
   * @return the first program exporting it, or empty if none does
   */
  Optional<ProgramSpec> exporterOf(String serviceName);

  /**
   * Returns the manifest's top level, where the section may read the keys of its {@link
   * ManifestSection#tables}.
   *
   * @return the top-level table; its {@link ManifestTable#line()} is 0
   */
  ManifestTable root();

  /**
   * Returns the table of {@code program}, where the section may read the keys of its {@link
   * ManifestSection#programKeys}; its problems are named {@code program 'NAME': key}.
   *
   * @param program one of {@link #programs}
   * @return the program's table; its {@link ManifestTable#line()} is the line of its header
   * @throws IllegalArgumentException if {@code program} is not one of {@link #programs}
   */
  ManifestTable program(ProgramSpec program);
}
