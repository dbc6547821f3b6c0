package dev.parigot.engine.spi;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * What a guest is given besides its module: its WASI view of the world and its memory cap.
 *
 * @param args argv, the program's name first
 * @param env environment variables, in order
 * @param stdout receives each line the guest writes to standard output, without its line end
 * @param stderr receives each line the guest writes to standard error
 * @param maxMemoryPages the most 64 KiB pages its memory may grow to; below the module's own
 *     maximum, this one holds
 */
public record GuestConfig(
    List<String> args,
    Map<String, String> env,
    Consumer<String> stdout,
    Consumer<String> stderr,
    int maxMemoryPages) {
  /**
   * Copies the collections.
   *
   * @throws IllegalArgumentException if {@code maxMemoryPages} is negative
   */
  public GuestConfig {
    args = List.copyOf(args);
    env = Collections.unmodifiableSequencedMap(new LinkedHashMap<>(env));
    Objects.requireNonNull(stdout, "stdout");
    Objects.requireNonNull(stderr, "stderr");
    if (maxMemoryPages < 0) {
      throw new IllegalArgumentException("maxMemoryPages must not be negative: " + maxMemoryPages);
    }
  }
}
