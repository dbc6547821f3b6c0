package dev.parigot.kernel;

import dev.parigot.kernel.spi.ManifestSection;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.stream.Stream;

/**
 * The manifest sections installed, and which keys each claims beside the kernel's own.
 *
 * @param sections in the order of their names, which is the order they read in
 * @param topKeys the kernel's top-level keys, then the sections'
 * @param programKeys the kernel's program keys, then the sections'
 */
record Sections(List<ManifestSection<?>> sections, List<String> topKeys, List<String> programKeys) {
  static final List<String> KERNEL_TOP_KEYS = List.of("app", "data_dir", "limits", "program");
  static final List<String> KERNEL_PROGRAM_KEYS =
      List.of(
          "wasm", "role", "exports", "requires", "imports", "args", "env", "replicas", "limits");

  /** Loaded once: a ServiceLoader scan per manifest would cost more than the parse. */
  private static final class Installed {
    static final Sections SECTIONS = load();

    private static Sections load() {
      var found = new ArrayList<ManifestSection<?>>();
      ServiceLoader.load(ManifestSection.class, Manifest.class.getClassLoader())
          .forEach(found::add);
      return of(found);
    }
  }

  /**
   * Returns the sections that {@link ServiceLoader} finds for the kernel's class loader.
   *
   * @throws java.util.ServiceConfigurationError if a provider cannot be loaded
   * @throws IllegalStateException if sections' claims conflict
   */
  static Sections installed() {
    return Installed.SECTIONS;
  }

  /**
   * Orders {@code sections} by name and checks their claims.
   *
   * @throws IllegalStateException if two sections have one name, a section claims no key, or a key
   *     is claimed twice (by two sections, or by a section and the kernel)
   */
  static Sections of(List<ManifestSection<?>> sections) {
    var sorted = new ArrayList<>(sections);
    sorted.sort(Comparator.comparing(s -> s.key().name()));
    var names = new HashMap<String, ManifestSection<?>>();
    var top = new ArrayList<>(KERNEL_TOP_KEYS);
    var program = new ArrayList<>(KERNEL_PROGRAM_KEYS);
    Map<String, String> owners = new HashMap<>();
    KERNEL_TOP_KEYS.forEach(k -> owners.put(k, "the kernel"));
    KERNEL_PROGRAM_KEYS.forEach(k -> owners.put("program." + k, "the kernel"));
    for (ManifestSection<?> section : sorted) {
      String name = section.key().name();
      ManifestSection<?> other = names.putIfAbsent(name, section);
      if (other != null) {
        throw new IllegalStateException(
            "manifest sections "
                + other.getClass().getName()
                + " and "
                + section.getClass().getName()
                + " are both named '"
                + name
                + "'");
      }
      if (section.tables().isEmpty() && section.programKeys().isEmpty()) {
        throw new IllegalStateException("manifest section '" + name + "' claims no key");
      }
      Stream.concat(
              section.tables().stream(), section.programKeys().stream().map(k -> "program." + k))
          .forEach(key -> {
            String owner = owners.putIfAbsent(key, "manifest section '" + name + "'");
            if (owner != null) {
              throw new IllegalStateException(
                  "manifest section '" + name + "' claims key " + key + " of " + owner);
            }
          });
      top.addAll(section.tables());
      program.addAll(section.programKeys());
    }
    return new Sections(List.copyOf(sorted), List.copyOf(top), List.copyOf(program));
  }
}
