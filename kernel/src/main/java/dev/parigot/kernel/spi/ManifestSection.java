package dev.parigot.kernel.spi;

import java.util.List;
import java.util.Optional;

/**
 * A part of the manifest that a module other than the kernel defines: top-level tables and keys of
 * programs that the kernel does not know, such as the services module's {@code [http]} table and
 * its programs' {@code files} and {@code http_allow}.
 *
 * <p>The kernel finds sections with {@link java.util.ServiceLoader}: a module provides them in its
 * {@code module-info} ({@code provides dev.parigot.kernel.spi.ManifestSection with ...}) and, for
 * the class path, in {@code META-INF/services/dev.parigot.kernel.spi.ManifestSection}. Without a
 * section that claims it, a table or a program key is an unknown key, an error that names it.
 *
 * <p>The kernel reads its own keys first, then asks each section, in the order of their names, to
 * {@link #read} its own, even when it has found problems: one check reports them all. A section
 * reports problems through the {@link ManifestTable}s and the {@link SectionContext} it is given,
 * which name the file, the line, the program and the key as the kernel's own problems do; the
 * manifest is refused if any were reported. Claims are checked when sections are loaded: two
 * sections may not claim one key, nor a section a key of the kernel's.
 *
 * <p>Implementations are stateless and safe to share between threads; their values immutable.
 *
 * @param <T> the type of the section's value
 */
public interface ManifestSection<T> {
  /**
   * Returns the key under which the manifest holds this section's value.
   *
   * @return the same key on every call, normally a constant
   */
  SectionKey<T> key();

  /**
   * Returns the top-level keys this section defines (a table such as {@code http}, or a plain
   * value).
   *
   * @return key names, in the order the kernel lists them in an unknown-key problem; by default
   *     none
   */
  default List<String> tables() {
    return List.of();
  }

  /**
   * Returns the keys of a {@code [program.NAME]} table this section defines.
   *
   * @return key names, in the order the kernel lists them in an unknown-key problem; by default
   *     none
   */
  default List<String> programKeys() {
    return List.of();
  }

  /**
   * Returns top-level keys of other sections that this section reads without claiming them, to
   * check what it says against them (the cluster section checks {@code [http]}'s {@code node}
   * against its nodes). Their owner checks their syntax and unknown keys.
   *
   * @return key names; by default none
   */
  default List<String> reads() {
    return List.of();
  }

  /**
   * Reads and checks this section's keys. The context's tables let the section read only the keys
   * it claims.
   *
   * @param manifest the kernel's reading of the manifest, and the section's keys in it
   * @return the section's value, or empty if the manifest does not use the section (or what it says
   *     is too broken to describe: then a problem has been reported)
   */
  Optional<T> read(SectionContext manifest);
}
