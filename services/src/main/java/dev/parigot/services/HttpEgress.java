package dev.parigot.services;

import com.google.protobuf.ByteString;
import dev.parigot.kernel.Caller;
import dev.parigot.kernel.Manifest;
import dev.parigot.services.proto.HttpProto;
import dev.parigot.services.proto.HttpProto.FetchRequest;
import dev.parigot.services.proto.HttpProto.FetchResponse;
import dev.parigot.services.proto.HttpProto.Header;
import dev.parigot.services.proto.StatusProto.Code;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.regex.Pattern;

/**
 * parigot.http.v1.Client: HTTP requests from guests, to the hosts their program's {@code
 * http_allow} lists. See http.proto for the contract.
 *
 * <p>The allow-lists come from the manifests {@link #admit}ted; a program of an app never admitted
 * may reach nothing. Redirects are never followed, so the only host a request reaches is the one
 * its URL names and the allow-list was checked against.
 */
final class HttpEgress implements AutoCloseable {
  static final int DEFAULT_CHUNK = 64 * 1024;
  static final int MAX_CHUNK = 1 << 20;
  static final long DEFAULT_TIMEOUT_MS = 30_000;
  static final long MAX_TIMEOUT_MS = 600_000;
  private static final Pattern TOKEN = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]{1,32}");

  // app -> program -> its http_allow entries (a program without any is absent).
  private final Map<String, Map<String, List<String>>> allowed = new ConcurrentHashMap<>();
  private final ExecutorService executor;
  // Made with the dispatcher: building a client loads and sets up TLS, about a second of a short
  // run's start, which an app that fetches nothing should not pay.
  private volatile HttpClient client;

  HttpEgress(ThreadFactory threads) {
    executor = Executors.newThreadPerTaskExecutor(threads);
  }

  /** Takes the http_allow lists of a manifest's programs, replacing any earlier ones of its app. */
  void admit(Manifest manifest) {
    allowed.put(
        manifest.app(), Map.copyOf(manifest.section(HttpAllowSection.KEY).orElse(Map.of())));
  }

  Dispatcher dispatcher(ThreadFactory threads) {
    client =
        HttpClient.newBuilder()
            .followRedirects(HttpClient.Redirect.NEVER)
            .connectTimeout(Duration.ofSeconds(10))
            .executor(executor)
            .build();
    return Dispatcher.of(HttpProto.getDescriptor().findServiceByName("Client"), threads)
        .on("Fetch", FetchRequest.getDefaultInstance(), this::fetch)
        .build();
  }

  @Override
  public void close() {
    HttpClient c = client;
    if (c != null) {
      c.shutdownNow();
    }
    executor.shutdownNow();
  }

  private FetchResponse fetch(Call call, FetchRequest r) throws IOException, InterruptedException {
    String method = r.getMethod().isEmpty() ? "GET" : r.getMethod();
    if (!TOKEN.matcher(method).matches()) {
      throw Failure.invalid("method: '" + Check.printable(method) + "' is not an HTTP method");
    }
    URI uri = uri(r.getUrl());
    permit(call.caller(), uri);
    long timeout =
        r.getTimeoutMs() == 0
            ? DEFAULT_TIMEOUT_MS
            : Check.range("timeout_ms", r.getTimeoutMs(), 1, MAX_TIMEOUT_MS);
    int chunk =
        r.getChunkBytes() == 0
            ? DEFAULT_CHUNK
            : (int) Check.range("chunk_bytes", r.getChunkBytes(), 1, MAX_CHUNK);
    HttpRequest.Builder request =
        HttpRequest.newBuilder(uri)
            .timeout(Duration.ofMillis(timeout))
            .method(
                method,
                r.getBody().isEmpty()
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofByteArray(r.getBody().toByteArray()));
    for (Header h : r.getHeadersList()) {
      try {
        request.header(h.getName(), h.getValue());
      } catch (IllegalArgumentException e) {
        throw Failure.invalid(
            "headers: '" + Check.printable(h.getName()) + "' cannot be sent: " + e.getMessage());
      }
    }
    HttpResponse<InputStream> response;
    try {
      response = client.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
    } catch (HttpTimeoutException e) {
      throw new Failure(Code.DEADLINE_EXCEEDED, uri + ": no response within " + timeout + " ms");
    } catch (IOException e) {
      throw new Failure(Code.UNAVAILABLE, uri + ": " + describe(e));
    }
    InputStream body = response.body();
    // Closing the body stops a read the cancelled caller no longer waits for.
    call.onCancel(() -> close(body));
    var first = FetchResponse.newBuilder().setStatus(response.statusCode());
    response
        .headers()
        .map()
        .forEach((name, values) ->
            values.forEach(v ->
                first.addHeaders(
                    Header.newBuilder().setName(name.toLowerCase(Locale.ROOT)).setValue(v))));
    // Steps run one at a time, each on a thread started after the last step ran.
    FetchResponse.Builder[] next = {first};
    call.stream(() -> {
      byte[] bytes;
      try {
        bytes = body.readNBytes(chunk);
      } catch (IOException e) {
        close(body);
        if (call.cancelled()) {
          return false;
        }
        throw new Failure(Code.UNAVAILABLE, uri + ": reading the body: " + describe(e));
      }
      next[0].setBody(ByteString.copyFrom(bytes));
      if (bytes.length < chunk) {
        close(body);
        call.end(next[0].build());
        return false;
      }
      if (!call.partial(next[0].build())) {
        close(body); // the caller is gone
        return false;
      }
      next[0] = FetchResponse.newBuilder();
      return true;
    });
    return null;
  }

  private static void close(InputStream body) {
    try {
      body.close();
    } catch (IOException ignored) {
      // The call is over either way.
    }
  }

  private static URI uri(String url) {
    URI uri;
    try {
      uri = new URI(url);
    } catch (URISyntaxException e) {
      throw Failure.invalid("url: " + e.getMessage());
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("http") && !scheme.equals("https") || uri.getHost() == null) {
      throw Failure.invalid(
          "url: '" + Check.printable(url) + "' is not an absolute http:// or https:// URL");
    }
    if (uri.getRawUserInfo() != null) {
      throw Failure.invalid("url: user information in a URL is not sent; use a header");
    }
    return uri;
  }

  /** Refuses a URL whose host and port the calling program's http_allow does not list. */
  private void permit(Caller caller, URI uri) {
    String host = uri.getHost().toLowerCase(Locale.ROOT);
    int port =
        uri.getPort() >= 0 ? uri.getPort() : uri.getScheme().equalsIgnoreCase("https") ? 443 : 80;
    List<String> entries =
        allowed.getOrDefault(caller.app(), Map.of()).getOrDefault(caller.program(), List.of());
    for (String entry : entries) {
      int colon = entry.lastIndexOf(':');
      String h = entry.substring(0, colon);
      String p = entry.substring(colon + 1);
      if (h.equals(host) && (p.equals("*") || p.equals(Integer.toString(port)))) {
        return;
      }
    }
    throw new Failure(
        Code.PERMISSION_DENIED,
        host
            + ":"
            + port
            + " is not in the http_allow of program '"
            + caller.program()
            + "' of app '"
            + caller.app()
            + "'");
  }

  private static String describe(IOException e) {
    return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
  }
}
