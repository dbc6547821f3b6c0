package dev.parigot.services;

import dev.parigot.kernel.Limits;
import dev.parigot.kernel.spi.ManifestSection;
import dev.parigot.kernel.spi.ManifestTable;
import dev.parigot.kernel.spi.SectionContext;
import dev.parigot.kernel.spi.SectionKey;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The manifest's {@code [http]} table: the app's HTTP ingress, which {@link HttpIngress} serves.
 * Its value, {@code manifest.section(HttpSection.KEY)}, is empty for an app that serves no HTTP.
 * The README's section "The manifest" describes the keys.
 */
public final class HttpSection implements ManifestSection<HttpSpec> {
  /** The key of the app's {@link HttpSpec}. */
  public static final SectionKey<HttpSpec> KEY = SectionKey.of("http");

  private static final List<String> KEYS =
      List.of(
          "listen",
          "route",
          "max_header_bytes",
          "max_body_bytes",
          "timeout_ms",
          "max_headers",
          "header_timeout_ms",
          "idle_timeout_ms",
          "body_timeout_ms",
          "max_connections",
          "max_connections_per_client",
          // The node that serves the ingress in a cluster; the cluster section checks it.
          "node");
  private static final List<String> ROUTE_KEYS = List.of("prefix", "service");
  // Path characters of RFC 3986 (unreserved, sub-delims, ':', '@', '%'), segments without "/".
  private static final Pattern SEGMENT = Pattern.compile("[A-Za-z0-9._~!$&'()*+,;=:@%-]+");

  /** Made by {@link java.util.ServiceLoader}. */
  public HttpSection() {}

  @Override
  public SectionKey<HttpSpec> key() {
    return KEY;
  }

  @Override
  public List<String> tables() {
    return List.of("http");
  }

  /** Reads {@code [http]}; empty if there is none (or it is too broken to describe). */
  @Override
  public Optional<HttpSpec> read(SectionContext manifest) {
    Optional<ManifestTable> table =
        manifest.root().table("http", "a table, like [http] listen = \"127.0.0.1:8080\"");
    if (table.isEmpty()) {
      return Optional.empty();
    }
    ManifestTable http = table.get();
    http.unknownKeys(KEYS);
    Optional<HostPort> listen = Optional.empty();
    if (!http.has("listen")) {
      http.report(http.line(), http.name("listen") + ": missing; e.g. listen = \"127.0.0.1:8080\"");
    } else {
      listen =
          http.string("listen", "\"HOST:PORT\"")
              .flatMap(a -> HostPort.parse(http, "listen", a, false));
    }
    List<HttpSpec.Route> routes = routes(http, manifest);
    int maxHeader =
        http.integer("max_header_bytes", 1024, 1 << 20, "")
            .map(Long::intValue)
            .orElse(HttpSpec.DEFAULT_MAX_HEADER_BYTES);
    int maxBody =
        http.integer("max_body_bytes", 0, Limits.MAX_MESSAGE_BYTES, " (64 MiB)")
            .map(Long::intValue)
            .orElse(HttpSpec.DEFAULT_MAX_BODY_BYTES);
    long timeout =
        http.integer(
                "timeout_ms",
                0,
                Limits.MAX_CALL_TIMEOUT_MILLIS,
                " (milliseconds, up to one day; 0 is no deadline)")
            .orElse(HttpSpec.DEFAULT_TIMEOUT_MILLIS);
    HttpSpec.Clients clients = clients(http);
    return listen.map(
        l -> new HttpSpec(l.host(), l.port(), routes, maxHeader, maxBody, timeout, clients));
  }

  private static HttpSpec.Clients clients(ManifestTable http) {
    String ms = " (milliseconds, up to one day)";
    return new HttpSpec.Clients(
        (int) count(http, "max_headers", 10_000, HttpSpec.Clients.DEFAULT_MAX_HEADERS),
        millis(http, "header_timeout_ms", HttpSpec.Clients.DEFAULT_HEADER_TIMEOUT_MILLIS, ms),
        millis(http, "idle_timeout_ms", HttpSpec.Clients.DEFAULT_IDLE_TIMEOUT_MILLIS, ms),
        millis(http, "body_timeout_ms", HttpSpec.Clients.DEFAULT_BODY_TIMEOUT_MILLIS, ms),
        (int) count(http, "max_connections", 1_000_000, HttpSpec.Clients.DEFAULT_MAX_CONNECTIONS),
        (int)
            count(
                http,
                "max_connections_per_client",
                1_000_000,
                HttpSpec.Clients.DEFAULT_MAX_CONNECTIONS_PER_CLIENT));
  }

  private static long count(ManifestTable http, String key, long max, long otherwise) {
    return http.integer(key, 1, max, "").orElse(otherwise);
  }

  private static long millis(ManifestTable http, String key, long otherwise, String note) {
    return http.integer(key, 1, Limits.MAX_CALL_TIMEOUT_MILLIS, note).orElse(otherwise);
  }

  private static List<HttpSpec.Route> routes(ManifestTable http, SectionContext manifest) {
    var routes = new ArrayList<HttpSpec.Route>();
    if (!http.has("route")) {
      http.report(
          http.line("listen"),
          http.name("route") + ": missing; add a [[http.route]] with a prefix and a service");
      return routes;
    }
    var seen = new LinkedHashMap<String, Integer>();
    for (ManifestTable route :
        http.tables(
            "route",
            "an array of tables, like [[http.route]]",
            "a table with a prefix and a service")) {
      route.unknownKeys(ROUTE_KEYS);
      Optional<String> prefix = required(route, "prefix", "a path like \"/api\"");
      Optional<String> service = required(route, "service", "a service name a program exports");
      prefix = prefix.filter(p -> prefix(route, p));
      service = service.filter(name -> handler(route, name, manifest));
      prefix.ifPresent(p -> {
        Integer first = seen.putIfAbsent(p, seen.size());
        if (first != null) {
          route.report(
              route.line("prefix"),
              route.name("prefix")
                  + ": "
                  + ManifestTable.quote(p)
                  + " is already the prefix of http.route["
                  + first
                  + "]; each prefix has one route");
        }
      });
      if (prefix.isPresent() && service.isPresent()) {
        routes.add(new HttpSpec.Route(prefix.get(), service.get()));
      }
    }
    return routes;
  }

  private static Optional<String> required(ManifestTable t, String key, String rule) {
    if (!t.has(key)) {
      t.report(t.line(), t.name(key) + ": missing; " + rule);
      return Optional.empty();
    }
    return t.string(key, rule);
  }

  /** Whether {@code p} is "/" or "/" and segments, with no trailing "/", "." or "..". */
  private static boolean prefix(ManifestTable route, String p) {
    String rule =
        "\"/\" or a path like \"/api/v1\": segments of URL path characters, no trailing"
            + " \"/\", \".\" or \"..\"";
    boolean ok = p.equals("/");
    if (!ok && p.startsWith("/")) {
      ok = true;
      for (String segment : p.substring(1).split("/", -1)) {
        ok &= SEGMENT.matcher(segment).matches() && !segment.equals(".") && !segment.equals("..");
      }
    }
    return route.check("prefix", ok, p, rule);
  }

  private static boolean handler(ManifestTable route, String name, SectionContext manifest) {
    if (!route.checkServiceName("service", name)) {
      return false;
    }
    if (manifest.exporterOf(name).isEmpty()) {
      route.report(
          route.line("service"),
          route.name("service")
              + ": no program exports "
              + ManifestTable.quote(name)
              + "; a route goes to a service of this app");
      return false;
    }
    return true;
  }
}
