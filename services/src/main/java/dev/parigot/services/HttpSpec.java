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
 */
public record HttpSpec(
    String host,
    int port,
    List<Route> routes,
    int maxHeaderBytes,
    int maxBodyBytes,
    long timeoutMillis) {

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
