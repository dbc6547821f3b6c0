package dev.parigot.kernel.core;

import dev.parigot.abi.Errno;
import dev.parigot.errors.DeniedException;
import dev.parigot.kernel.Caller;
import dev.parigot.kernel.Provider;
import dev.parigot.kernel.Replies;
import dev.parigot.kernel.ServiceRegistry;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.stream.Collectors;

/**
 * The kernel's names. Each name served or watched once has a {@link Route} for the kernel's
 * lifetime, so that a handle located while one provider served it reaches whoever serves it at each
 * call.
 */
final class Registry implements ServiceRegistry {
  private final ConcurrentMap<String, Route> routes = new ConcurrentHashMap<>();

  @Override
  public Registration register(String name, Provider provider) {
    if (!Names.valid(name.getBytes(StandardCharsets.UTF_8))) {
      throw new IllegalArgumentException("not a service name: '" + name + "'");
    }
    Route route = routeOf(name);
    route.serve(provider);
    return new Registration() {
      @Override
      public String name() {
        return name;
      }

      @Override
      public void close() {
        route.withdraw(provider);
      }
    };
  }

  @Override
  public Optional<Provider> lookup(String name) {
    return route(name).flatMap(Route::provider);
  }

  @Override
  public CompletableFuture<Void> served(String name) {
    return routeOf(name).served().copy();
  }

  @Override
  public Set<String> names() {
    return routes.values().stream()
        .filter(r -> r.provider().isPresent())
        .map(Route::name)
        .collect(Collectors.toUnmodifiableSet());
  }

  /**
   * The route of a name, served now or not: a call through it fails at once with NO_SUCH_SERVICE
   * while nothing serves the name.
   */
  Route routeOf(String name) {
    return routes.computeIfAbsent(name, Route::new);
  }

  /** The route of a name served now, for a process that locates it. */
  Optional<Route> route(String name) {
    Route route = routes.get(name);
    return route == null || route.provider().isEmpty() ? Optional.empty() : Optional.of(route);
  }

  /**
   * One name: routes each call to whoever serves the name when the call is made. Serving and
   * withdrawing are rare and take its lock; routing a call reads one volatile field.
   */
  static final class Route implements Provider {
    private final String name;
    private volatile Provider provider;
    // Guarded by this: completed while the name is served, replaced when it stops being served.
    private CompletableFuture<Void> served = new CompletableFuture<>();

    private Route(String name) {
      this.name = name;
    }

    String name() {
      return name;
    }

    Optional<Provider> provider() {
      return Optional.ofNullable(provider);
    }

    private synchronized CompletableFuture<Void> served() {
      return served;
    }

    private synchronized void serve(Provider p) {
      if (provider != null) {
        throw new DeniedException(name + " is already served here");
      }
      provider = p;
      served.complete(null);
    }

    private synchronized void withdraw(Provider p) {
      if (provider == p) {
        provider = null;
        served = new CompletableFuture<>();
      }
    }

    @Override
    public Cancellation open(Caller caller, int method, byte[] request, Replies replies) {
      Provider p = provider;
      if (p == null) {
        replies.fail(
            Errno.NO_SUCH_SERVICE.negative(),
            ("nothing serves " + name + " now").getBytes(StandardCharsets.UTF_8));
        return reason -> {};
      }
      return p.open(caller, method, request, replies);
    }
  }
}
