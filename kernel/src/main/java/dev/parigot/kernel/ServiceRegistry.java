package dev.parigot.kernel;

import dev.parigot.errors.DeniedException;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * The service names a {@link Kernel} routes, and who serves each: the programs of its apps, the
 * kernel's own services, and providers added and removed while it runs (another app's service, a
 * remote kernel's). Thread-safe.
 *
 * <p>A process reaches a name only if its manifest requires it, whoever serves it. A process that
 * located a name keeps its handle when the provider goes: each call is routed to whoever serves the
 * name when it is made, and a call made while nothing does fails at once with {@code
 * NO_SUCH_SERVICE}.
 */
public interface ServiceRegistry {
  /**
   * Serves {@code name} with {@code provider} until the registration is closed.
   *
   * @throws IllegalArgumentException if {@code name} is not a valid service name
   * @throws DeniedException if something serves {@code name} already
   */
  Registration register(String name, Provider provider);

  /** Who serves {@code name} now. */
  Optional<Provider> lookup(String name);

  /**
   * Completes once {@code name} is served: at once if it is now. It never completes exceptionally;
   * cancelling it stops only this watch.
   */
  CompletableFuture<Void> served(String name);

  /** The names served now. */
  Set<String> names();

  /** A provider's hold on a name. */
  interface Registration extends AutoCloseable {
    /** The name served. */
    String name();

    /**
     * Stops serving the name: calls made from now on fail at once with {@code NO_SUCH_SERVICE}
     * until the name is served again; calls already opened are the provider's to finish.
     * Idempotent.
     */
    @Override
    void close();
  }
}
