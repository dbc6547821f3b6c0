package dev.parigot.kernel.testing;

/** Manifest text for tests: programs written the same way wherever manifests are checked. */
public final class ManifestToml {
  private ManifestToml() {}

  /** A manifest of app {@code a} with one program, its table starting on line 2. */
  public static String program(String name, String role, String... lines) {
    return "app = \"a\"\n" + table(name, role, lines);
  }

  /** A {@code [program.NAME]} table: header, wasm, role, then {@code lines}. */
  public static String table(String name, String role, String... lines) {
    var toml =
        new StringBuilder("[program.\"")
            .append(name)
            .append("\"]\nwasm = \"")
            .append(name)
            .append(".wasm\"\nrole = \"")
            .append(role)
            .append("\"\n");
    for (String line : lines) {
      toml.append(line).append('\n');
    }
    return toml.toString();
  }
}
