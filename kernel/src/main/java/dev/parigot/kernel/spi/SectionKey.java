package dev.parigot.kernel.spi;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The typed name of a {@link ManifestSection}'s value: {@code manifest.section(KEY)} returns what
 * the section whose {@link ManifestSection#key} is {@code KEY} read. Keys are equal only to
 * themselves, so a value can be fetched only with the key of the section that made it.
 *
 * @param <T> the type of the section's value
 */
public final class SectionKey<T> {
  private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9_]{0,62}");

  private final String name;

  private SectionKey(String name) {
    this.name = name;
  }

  /**
   * Makes a key. Keep it in a constant: each call makes a key distinct from every other.
   *
   * @param name the section's name, which orders sections and names them in errors: a lower-case
   *     letter, then lower-case letters, digits or '_'; by custom its main key, e.g. "http"
   * @param <T> the type of the section's value
   * @return a new key
   * @throws IllegalArgumentException if the name is not of that form
   */
  public static <T> SectionKey<T> of(String name) {
    Objects.requireNonNull(name, "name");
    if (!NAME.matcher(name).matches()) {
      throw new IllegalArgumentException("not a section name: \"" + name + "\"");
    }
    return new SectionKey<>(name);
  }

  /**
   * Returns the section's name.
   *
   * @return the name given to {@link #of}
   */
  public String name() {
    return name;
  }

  @Override
  public String toString() {
    return "SectionKey[" + name + "]";
  }
}
