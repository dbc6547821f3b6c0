package dev.parigot.host;

import dev.parigot.errors.ParigotException;
import dev.parigot.kernel.ProcessInfo;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * A client of a running app's admin endpoint, found through the files the endpoint writes to the
 * app's data directory (see {@link AppHost.Builder#admin}): what {@code parigot ps} and {@code
 * parigot top} read. Thread-safe.
 */
public final class AdminClient {
  private static final Pattern ADDRESS = Pattern.compile("127\\.0\\.0\\.1:\\d{1,5}");
  private static final Duration TIMEOUT = Duration.ofSeconds(10);

  private final URI base;
  private final String token;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(TIMEOUT).version(HttpClient.Version.HTTP_1_1).build();

  private AdminClient(URI base, String token) {
    this.base = base;
    this.token = token;
  }

  /**
   * The endpoint of the app whose data directory is {@code dataDir}.
   *
   * @throws ParigotException if the directory has no admin files (the app is not running, or runs
   *     without its admin endpoint) or they are malformed or unreadable
   */
  public static AdminClient of(Path dataDir) {
    try {
      String address = Files.readString(dataDir.resolve(AdminFiles.ADDRESS)).trim();
      String token = Files.readString(dataDir.resolve(AdminFiles.TOKEN)).trim();
      if (!ADDRESS.matcher(address).matches() || !token.matches("[0-9a-f]{64}")) {
        throw new ParigotException(
            "the admin files in " + dataDir + " are malformed; restart the app");
      }
      return new AdminClient(URI.create("http://" + address), token);
    } catch (NoSuchFileException e) {
      throw new ParigotException(
          "no admin endpoint in "
              + dataDir
              + ": the app is not running, or runs without --admin PORT");
    } catch (IOException e) {
      throw new ParigotException("cannot read the admin files in " + dataDir + ": " + e, e);
    }
  }

  /** The endpoint's address, {@code http://127.0.0.1:PORT}. */
  public URI address() {
    return base;
  }

  /** One caller's calls to one method of a service, as the admin endpoint counted them. */
  public record Calls(
      String caller,
      String callee,
      String service,
      int method,
      long calls,
      long errors,
      double perSecond) {}

  /**
   * The app's live processes, by pid.
   *
   * @throws ParigotException if the endpoint cannot be reached or answers with an error
   */
  public List<ProcessInfo> processes() {
    Map<String, Object> body = get("/api/processes");
    String app = (String) body.get("app");
    var out = new ArrayList<ProcessInfo>();
    for (Object o : (List<?>) body.get("processes")) {
      var p = (Map<?, ?>) o;
      out.add(
          new ProcessInfo(
              number(p, "pid"),
              app,
              (String) p.get("program"),
              (String) p.get("name"),
              (Boolean) p.get("worker"),
              (int) number(p, "calls_in_flight"),
              (int) number(p, "denials"),
              number(p, "queued_bytes"),
              (String) p.get("state"),
              number(p, "memory_bytes"),
              number(p, "cpu_ms") * 1_000_000,
              number(p, "calls_served"),
              number(p, "errors"),
              (int) number(p, "restarts")));
    }
    return out;
  }

  /** The calls seen since the app started, by caller, service and method. */
  public List<Calls> calls() {
    var out = new ArrayList<Calls>();
    for (Object o : (List<?>) get("/api/calls").get("calls")) {
      var c = (Map<?, ?>) o;
      Object rate = c.get("per_s");
      out.add(
          new Calls(
              (String) c.get("caller"),
              (String) c.get("callee"),
              (String) c.get("service"),
              (int) number(c, "method"),
              number(c, "calls"),
              number(c, "errors"),
              rate instanceof Long l ? l : (Double) rate));
    }
    return out;
  }

  private static long number(Map<?, ?> m, String key) {
    if (!(m.get(key) instanceof Long l)) {
      throw new ParigotException("the admin endpoint sent no number for '" + key + "'");
    }
    return l;
  }

  /**
   * Replaces program {@code program}'s processes with new ones of the same module, and returns once
   * the old ones have finished their calls ({@link RunningApp#restart}).
   *
   * @throws ParigotException if the endpoint cannot be reached or refuses (an unknown program, not
   *     a service, a replacement already under way, new processes that failed to start)
   */
  public void restart(String program) {
    post("/api/restart", "{\"program\":" + Json.quote(program) + "}");
  }

  /**
   * Replaces program {@code program}'s module with {@code wasm}, a file the app's kernel can read,
   * and returns once the old processes have finished their calls ({@link RunningApp#upgrade}).
   *
   * @throws ParigotException if the endpoint cannot be reached or refuses (as {@link #restart}, and
   *     a module that is refused: the old version then serves on)
   */
  public void upgrade(String program, Path wasm) {
    post(
        "/api/upgrade",
        "{\"program\":"
            + Json.quote(program)
            + ",\"wasm\":"
            + Json.quote(wasm.toAbsolutePath().normalize().toString())
            + "}");
  }

  private Map<String, Object> get(String path) {
    return send(HttpRequest.newBuilder(base.resolve(path)).timeout(TIMEOUT));
  }

  // No timeout: the endpoint answers when the old processes have drained, which their
  // drain_timeout_ms bounds.
  private Map<String, Object> post(String path, String json) {
    return send(
        HttpRequest.newBuilder(base.resolve(path))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(json, StandardCharsets.UTF_8)));
  }

  private Map<String, Object> send(HttpRequest.Builder request) {
    HttpResponse<String> response;
    try {
      response =
          http.send(
              request.header("Authorization", "Bearer " + token).build(),
              HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    } catch (ConnectException e) {
      throw new ParigotException(
          "nothing answers at " + base + ": the app is not running (its admin files are stale)");
    } catch (IOException e) {
      throw new ParigotException("cannot reach the admin endpoint at " + base + ": " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ParigotException("interrupted", e);
    }
    try {
      Map<String, Object> body = Json.object(response.body());
      if (response.statusCode() != 200) {
        throw new ParigotException(
            "the admin endpoint at "
                + base
                + " answered "
                + response.statusCode()
                + ": "
                + body.getOrDefault("error", response.body()));
      }
      return body;
    } catch (Json.Malformed | ClassCastException e) {
      throw new ParigotException(
          "the admin endpoint at " + base + " sent what it should not: " + e.getMessage(), e);
    }
  }
}
