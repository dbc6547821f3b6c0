package dev.parigot.kernel;

import java.util.Locale;
import java.util.Optional;

/** What a program is for in its app; the manifest's {@code role} key. */
public enum Role {
  /** Runs to completion; the app ends when every main program has exited. */
  MAIN,
  /** Serves the names it exports for as long as the app runs. */
  SERVICE,
  /** Checks the app; {@code parigot run} does not start it. */
  TEST;

  /**
   * Returns the spelling of this role in a manifest.
   *
   * @return {@code main}, {@code service} or {@code test}
   */
  public String toml() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The role spelled {@code toml} in a manifest, if any; the spelling is case-sensitive. */
  static Optional<Role> ofToml(String toml) {
    for (Role role : values()) {
      if (role.toml().equals(toml)) {
        return Optional.of(role);
      }
    }
    return Optional.empty();
  }
}
