package dev.parigot.services;

import java.util.List;
import java.util.Objects;

/**
 * An app's HTTP ingress, as its manifest's {@code [http]} table describes it: where to listen and
 * which guest service serves which path prefix. {@link HttpSection} checks the syntax of the
 * address and the prefixes, that prefixes are distinct and that each route's service is exported by
 * a program of the app; this record only refuses nulls and out-of-range numbers.
 *
 * @param host the host to bind to: a name or an IP literal (an IPv6 one without brackets)
 * @param port 0 to 65535; 0 binds an ephemeral port, which the ingress reports once bound
 * @param routes the routes in manifest order; a request goes to the longest matching prefix
 * @param maxHeaderBytes the largest request head (request line and headers) accepted; larger ones
 *     get 431
 * @param maxBodyBytes the largest request body accepted; larger ones get 413. Bodies larger than
 *     the inline size are streamed to the handler, so this may exceed max_message_bytes
 * @param timeoutMillis the deadline of each call to a handler, from the request to the end of the
 *     response; 0 for none
 * @param clients what one client, and all together, may hold of the ingress
 */
public record HttpSpec(
    String host,
    int port,
    List<Route> routes,
    int maxHeaderBytes,
    int maxBodyBytes,
    long timeoutMillis,
    Clients clients) {

  /** The default of {@code max_header_bytes}: 16 KiB. */
  public static final int DEFAULT_MAX_HEADER_BYTES = 16 * 1024;

  /** The default of {@code max_body_bytes}: 64 MiB; larger bodies are streamed to the handler. */
  public static final int DEFAULT_MAX_BODY_BYTES = 64 << 20;

  /** The default of {@code timeout_ms}: 30 s, as the default call deadline. */
  public static final long DEFAULT_TIMEOUT_MILLIS = 30_000;

  /**
   * Copies the routes and checks the numbers.
   *
   * @throws IllegalArgumentException if the port is not 0 to 65535, a size is not positive or the
   *     timeout is negative
   */
  public HttpSpec {
    Objects.requireNonNull(host, "host");
    Objects.requireNonNull(clients, "clients");
    routes = List.copyOf(routes);
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port must be 0 to 65535, not " + port);
    }
    if (maxHeaderBytes < 1 || maxBodyBytes < 0 || timeoutMillis < 0) {
      throw new IllegalArgumentException(
          "bad limits: max_header_bytes "
              + maxHeaderBytes
              + ", max_body_bytes "
              + maxBodyBytes
              + ", timeout_ms "
              + timeoutMillis);
    }
  }

  /** A spec whose client limits are the {@link Clients#DEFAULTS defaults}. */
  public HttpSpec(
      String host,
      int port,
      List<Route> routes,
      int maxHeaderBytes,
      int maxBodyBytes,
      long timeoutMillis) {
    this(host, port, routes, maxHeaderBytes, maxBodyBytes, timeoutMillis, Clients.DEFAULTS);
  }

  /** This spec listening on {@code host} and {@code port} instead ({@code --listen}). */
  public HttpSpec withAddress(String host, int port) {
    return new HttpSpec(host, port, routes, maxHeaderBytes, maxBodyBytes, timeoutMillis, clients);
  }

  /** This spec with other client limits. */
  public HttpSpec withClients(Clients limits) {
    return new HttpSpec(host, port, routes, maxHeaderBytes, maxBodyBytes, timeoutMillis, limits);
  }

  /**
   * What clients may hold of the ingress: how long it waits for them and how many connections it
   * keeps open for them. A client that sends too slowly gets 408 and loses its connection, one
   * connection too many gets 503 at once.
   *
   * @param maxHeaders the most header fields in a request; more get 431
   * @param headerTimeoutMillis how long a request's head (request line and headers) may take to
   *     arrive, from the connection's opening or the end of the previous response; an idle
   *     keep-alive connection is closed after it too
   * @param idleTimeoutMillis the longest the ingress waits for the next bytes of a body, or for the
   *     client to take the next bytes of a response (then the connection is dropped)
   * @param bodyTimeoutMillis the longest it waits for a body's bytes in all (time the handler takes
   *     between reads does not count)
   * @param maxConnections the most connections open at once, from all clients
   * @param maxConnectionsPerClient the most connections open at once from one IP address
   */
  public record Clients(
      int maxHeaders,
      long headerTimeoutMillis,
      long idleTimeoutMillis,
      long bodyTimeoutMillis,
      int maxConnections,
      int maxConnectionsPerClient) {
    /** The default of {@code max_headers}. */
    public static final int DEFAULT_MAX_HEADERS = 100;

    /** The default of {@code header_timeout_ms}: 10 s. */
    public static final long DEFAULT_HEADER_TIMEOUT_MILLIS = 10_000;

    /** The default of {@code idle_timeout_ms}: 10 s. */
    public static final long DEFAULT_IDLE_TIMEOUT_MILLIS = 10_000;

    /** The default of {@code body_timeout_ms}: 60 s, 64 MiB at about 1 MiB/s. */
    public static final long DEFAULT_BODY_TIMEOUT_MILLIS = 60_000;

    /** The default of {@code max_connections}. */
    public static final int DEFAULT_MAX_CONNECTIONS = 1024;

    /** The default of {@code max_connections_per_client}. */
    public static final int DEFAULT_MAX_CONNECTIONS_PER_CLIENT = 64;

    /** The limits an {@code [http]} table without these keys gets. */
    public static final Clients DEFAULTS =
        new Clients(
            DEFAULT_MAX_HEADERS,
            DEFAULT_HEADER_TIMEOUT_MILLIS,
            DEFAULT_IDLE_TIMEOUT_MILLIS,
            DEFAULT_BODY_TIMEOUT_MILLIS,
            DEFAULT_MAX_CONNECTIONS,
            DEFAULT_MAX_CONNECTIONS_PER_CLIENT);

    /**
     * Checks the numbers.
     *
     * @throws IllegalArgumentException if a count or a timeout is not positive
     */
    public Clients {
      if (maxHeaders < 1
          || headerTimeoutMillis < 1
          || idleTimeoutMillis < 1
          || bodyTimeoutMillis < 1
          || maxConnections < 1
          || maxConnectionsPerClient < 1) {
        throw new IllegalArgumentException("client limits must be positive: " + this);
      }
    }
  }

  /**
   * One {@code [[http.route]]}: requests whose path is {@code prefix} or continues it with a {@code
   * /} go to {@code service}.
   *
   * @param prefix {@code /}, or {@code /} and segments without a trailing {@code /}
   * @param service a name that implements {@code parigot.http.v1.Handler}
   */
  public record Route(String prefix, String service) {
    public Route {
      Objects.requireNonNull(prefix, "prefix");
      Objects.requireNonNull(service, "service");
    }

    /** Whether this route serves {@code path}: the path is the prefix or goes on below it. */
    public boolean matches(String path) {
      return prefix.equals("/")
          || path.startsWith(prefix)
              && (path.length() == prefix.length() || path.charAt(prefix.length()) == '/');
    }
  }
}
