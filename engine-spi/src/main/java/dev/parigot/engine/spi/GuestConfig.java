package dev.parigot.engine.spi;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * What a guest is given besides its module: its WASI view of the world, its memory cap and the
 * budget its memory and tables are charged to.
 *
 * @param args argv, the program's name first
 * @param env environment variables, in order
 * @param stdout receives each line the guest writes to standard output, without its line end
 *     (unless {@code io} sends it elsewhere raw); a last line without one too, when the guest ends
 * @param stderr receives each line the guest writes to standard error
 * @param maxMemoryPages the most 64 KiB pages its memory may grow to; below the module's own
 *     maximum, this one holds
 * @param heap what its memory and tables are charged to before the engine allocates them
 * @param io its directories and how its standard streams are connected
 */
public record GuestConfig(
    List<String> args,
    Map<String, String> env,
    Consumer<String> stdout,
    Consumer<String> stderr,
    int maxMemoryPages,
    HeapBudget heap,
    GuestIo io) {
  /**
   * A guest whose memory and tables are not charged to any budget, with no directories, stdin at
   * end of file and its output in lines.
   */
  public GuestConfig(
      List<String> args,
      Map<String, String> env,
      Consumer<String> stdout,
      Consumer<String> stderr,
      int maxMemoryPages) {
    this(args, env, stdout, stderr, maxMemoryPages, HeapBudget.UNLIMITED, GuestIo.NONE);
  }

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
    Objects.requireNonNull(heap, "heap");
    Objects.requireNonNull(io, "io");
    if (maxMemoryPages < 0) {
      throw new IllegalArgumentException("maxMemoryPages must not be negative: " + maxMemoryPages);
    }
  }
}
