package dev.parigot.kernel;

import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One program of an app, as its manifest's {@code [program.NAME]} table describes it.
 *
 * <p>Immutable: the constructor copies the lists and the map. {@link Manifest} checks the syntax of
 * names and the relations between programs; this record only refuses nulls and a replica count
 * outside 1 to 64.
 *
 * @param name the program's name; its processes are called after it
 * @param wasm the program's module, already resolved against the manifest's directory
 * @param role what the program is for
 * @param exports the service names the program may serve
 * @param requires the service names the program may call
 * @param imports the required names that are served outside the app (by another app of the kernel,
 *     or another node); the kernel waits for them before it starts the program
 * @param args argv after argv[0], which is the program's name
 * @param env environment variables, in manifest order
 * @param replicas how many processes serve the same names, 1 to 64
 * @param limits what each of its processes may use
 */
public record ProgramSpec(
    String name,
    Path wasm,
    Role role,
    List<String> exports,
    List<String> requires,
    List<String> imports,
    List<String> args,
    Map<String, String> env,
    int replicas,
    Limits limits) {

  static final int MAX_REPLICAS = 64;

  /**
   * Copies the collections and checks the arguments.
   *
   * @throws NullPointerException if any argument, element, key or value is null
   * @throws IllegalArgumentException if {@code replicas} is outside 1 to 64
   */
  public ProgramSpec {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(wasm, "wasm");
    Objects.requireNonNull(role, "role");
    exports = List.copyOf(exports);
    requires = List.copyOf(requires);
    imports = List.copyOf(imports);
    args = List.copyOf(args);
    var envCopy = new LinkedHashMap<String, String>();
    env.forEach((key, value) ->
        envCopy.put(
            Objects.requireNonNull(key, "env key"), Objects.requireNonNull(value, "env value")));
    // A LinkedHashMap rather than Map.copyOf: the environment keeps the manifest's order.
    env = Collections.unmodifiableSequencedMap(envCopy);
    Objects.requireNonNull(limits, "limits");
    if (replicas < 1 || replicas > MAX_REPLICAS) {
      throw new IllegalArgumentException(
          "replicas must be from 1 to " + MAX_REPLICAS + ", not " + replicas);
    }
  }

  /**
   * A hash of the name and the module, which equal specs share. Written out because the record's
   * own hashCode is linked on its first call through {@code java.lang.runtime.ObjectMethods}, which
   * spins method handles for every component: milliseconds of each {@code parigot run}, where the
   * kernel keys its maps by spec (docs/benchmarks.md, "Cold start, second pass").
   */
  @Override
  public int hashCode() {
    return 31 * name.hashCode() + wasm.hashCode();
  }
}
