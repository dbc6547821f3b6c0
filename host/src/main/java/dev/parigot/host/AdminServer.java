package dev.parigot.host;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.parigot.errors.ModuleRefusedException;
import dev.parigot.errors.ParigotException;
import dev.parigot.kernel.App;
import dev.parigot.kernel.Kernel;
import dev.parigot.kernel.Manifest;
import dev.parigot.kernel.ProcessInfo;
import dev.parigot.kernel.ProgramSpec;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A running app's admin endpoint: HTTP with JSON on a loopback address, every {@code /api/} route
 * and {@code /metrics} guarded by a bearer token; the dashboard's static files are open, as they
 * hold no data. See README.md, "Operating a running app", for the routes.
 */
final class AdminServer implements AutoCloseable {
  /** The largest request body taken; larger ones get 413 unread. */
  static final int MAX_BODY = 4096;

  /** How long a followed log stream waits for a line before it looks whether to stop. */
  private static final long FOLLOW_POLL_MILLIS = 500;

  private static final Map<String, String> STATIC =
      Map.of(
          "/", "index.html",
          "/index.html", "index.html",
          "/dashboard.js", "dashboard.js",
          "/dashboard.css", "dashboard.css");

  private final HttpServer server;
  private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
  private final byte[] token;
  private final Manifest manifest;
  private final Kernel kernel;
  private final App app;
  private final Telemetry telemetry;
  private final OutputLog log;
  private volatile boolean closed;

  private AdminServer(
      HttpServer server,
      String token,
      Manifest manifest,
      Kernel kernel,
      App app,
      Telemetry telemetry,
      OutputLog log) {
    this.server = server;
    this.token = token.getBytes(StandardCharsets.US_ASCII);
    this.manifest = manifest;
    this.kernel = kernel;
    this.app = app;
    this.telemetry = telemetry;
    this.log = log;
  }

  /**
   * Listens on 127.0.0.1:{@code port} (0: a free port).
   *
   * @throws ParigotException if the port cannot be bound
   */
  static AdminServer start(
      int port,
      String token,
      Manifest manifest,
      Kernel kernel,
      App app,
      Telemetry telemetry,
      OutputLog log) {
    HttpServer http;
    try {
      http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 0);
    } catch (IOException e) {
      throw new ParigotException(
          "cannot listen for the admin endpoint on 127.0.0.1:" + port + ": " + e.getMessage(), e);
    }
    var admin = new AdminServer(http, token, manifest, kernel, app, telemetry, log);
    http.setExecutor(admin.threads);
    http.createContext("/", admin::serve);
    http.start();
    return admin;
  }

  InetSocketAddress address() {
    return server.getAddress();
  }

  /** A request's failure: its status and the message of its JSON error body. */
  private static final class Refused extends Exception {
    final int status;

    Refused(int status, String message) {
      super(message);
      this.status = status;
    }
  }

  private void serve(HttpExchange ex) throws IOException {
    try (ex) {
      String path = ex.getRequestURI().getRawPath();
      try {
        String file = STATIC.get(path);
        if (file != null) {
          method(ex, "GET");
          staticFile(ex, file);
          return;
        }
        if (!path.startsWith("/api/") && !path.equals("/metrics")) {
          throw new Refused(404, "no such route: " + path);
        }
        authorize(ex);
        route(ex, path);
      } catch (Refused r) {
        json(ex, r.status, "{\"error\":" + Json.quote(r.getMessage()) + "}");
      }
    }
  }

  private void route(HttpExchange ex, String path) throws IOException, Refused {
    switch (path) {
      case "/api/app" -> {
        method(ex, "GET");
        json(ex, 200, appJson());
      }
      case "/api/processes" -> {
        method(ex, "GET");
        json(ex, 200, processesJson());
      }
      case "/api/calls" -> {
        method(ex, "GET");
        json(ex, 200, callsJson());
      }
      case "/api/recent" -> {
        method(ex, "GET");
        json(ex, 200, recentJson());
      }
      case "/api/kill" -> {
        method(ex, "POST");
        json(ex, 200, kill(body(ex)));
      }
      case "/api/restart" -> {
        method(ex, "POST");
        json(ex, 200, replace(body(ex), false));
      }
      case "/api/upgrade" -> {
        method(ex, "POST");
        json(ex, 200, replace(body(ex), true));
      }
      case "/api/logs" -> {
        method(ex, "GET");
        logs(ex, query(ex.getRequestURI()));
      }
      case "/metrics" -> {
        method(ex, "GET");
        send(
            ex,
            200,
            "text/plain; version=0.0.4; charset=utf-8",
            telemetry.prometheus(manifest.app(), kernel.processes()));
      }
      default -> throw new Refused(404, "no such route: " + path);
    }
  }

  private void authorize(HttpExchange ex) throws Refused {
    String header = ex.getRequestHeaders().getFirst("Authorization");
    if (header == null || !header.startsWith("Bearer ")) {
      ex.getResponseHeaders().set("WWW-Authenticate", "Bearer");
      throw new Refused(401, "missing token: send Authorization: Bearer <admin.token>");
    }
    byte[] given = header.substring("Bearer ".length()).trim().getBytes(StandardCharsets.UTF_8);
    if (!MessageDigest.isEqual(given, token)) {
      ex.getResponseHeaders().set("WWW-Authenticate", "Bearer");
      throw new Refused(401, "wrong token");
    }
  }

  private static void method(HttpExchange ex, String allowed) throws Refused {
    if (!ex.getRequestMethod().equals(allowed)) {
      ex.getResponseHeaders().set("Allow", allowed);
      throw new Refused(405, ex.getRequestMethod() + " not allowed here; use " + allowed);
    }
  }

  private static String body(HttpExchange ex) throws IOException, Refused {
    String length = ex.getRequestHeaders().getFirst("Content-Length");
    if (length != null) {
      long n;
      try {
        n = Long.parseLong(length.trim());
      } catch (NumberFormatException e) {
        throw new Refused(400, "bad Content-Length: " + length);
      }
      if (n > MAX_BODY) {
        throw new Refused(413, "body of " + n + " bytes; at most " + MAX_BODY + " are taken");
      }
    }
    InputStream in = ex.getRequestBody();
    byte[] body = in.readNBytes(MAX_BODY + 1);
    if (body.length > MAX_BODY) {
      throw new Refused(413, "body over " + MAX_BODY + " bytes");
    }
    return new String(body, StandardCharsets.UTF_8);
  }

  private static Map<String, String> query(URI uri) throws Refused {
    var out = new HashMap<String, String>();
    String q = uri.getRawQuery();
    if (q == null || q.isEmpty()) {
      return out;
    }
    for (String part : q.split("&")) {
      int eq = part.indexOf('=');
      String name =
          URLDecoder.decode(eq < 0 ? part : part.substring(0, eq), StandardCharsets.UTF_8);
      String value =
          eq < 0 ? "" : URLDecoder.decode(part.substring(eq + 1), StandardCharsets.UTF_8);
      if (out.put(name, value) != null) {
        throw new Refused(400, "query parameter '" + name + "' given twice");
      }
    }
    return out;
  }

  private String appJson() {
    return "{\"app\":"
        + Json.quote(manifest.app())
        + ",\"programs\":["
        + String.join(
            ",",
            manifest.programs().stream()
                .map(p ->
                    "{\"name\":"
                        + Json.quote(p.name())
                        + ",\"role\":"
                        + Json.quote(p.role().name().toLowerCase(Locale.ROOT))
                        + ",\"exports\":"
                        + strings(p.exports())
                        + ",\"requires\":"
                        + strings(p.requires())
                        + "}")
                .toList())
        + "],\"uptime_s\":"
        + String.format(Locale.ROOT, "%.1f", telemetry.uptimeSeconds())
        + "}";
  }

  /** The role of program {@code name}, as the manifest says: main, service or test. */
  private String role(String name) {
    return manifest.programs().stream()
        .filter(p -> p.name().equals(name))
        .findFirst()
        .map(p -> p.role().name().toLowerCase(Locale.ROOT))
        .orElse("unknown");
  }

  private static String strings(java.util.Collection<String> items) {
    return "[" + String.join(",", items.stream().map(Json::quote).toList()) + "]";
  }

  private String processesJson() {
    List<ProcessInfo> list = new ArrayList<>(kernel.processes());
    list.sort(Comparator.comparingLong(ProcessInfo::pid));
    var out = new StringBuilder("{\"app\":").append(Json.quote(manifest.app()));
    out.append(",\"processes\":[");
    for (int i = 0; i < list.size(); i++) {
      ProcessInfo p = list.get(i);
      out.append(i == 0 ? "" : ",")
          .append("{\"pid\":")
          .append(p.pid())
          .append(",\"program\":")
          .append(Json.quote(p.program()))
          .append(",\"name\":")
          .append(Json.quote(p.name()))
          .append(",\"role\":")
          .append(Json.quote(role(p.program())))
          .append(",\"worker\":")
          .append(p.worker())
          .append(",\"state\":")
          .append(Json.quote(p.state()))
          .append(",\"memory_bytes\":")
          .append(p.memoryBytes())
          .append(",\"cpu_ms\":")
          .append(p.cpuNanos() / 1_000_000)
          .append(",\"calls_in_flight\":")
          .append(p.callsInFlight())
          .append(",\"queued_bytes\":")
          .append(p.queuedBytes())
          .append(",\"calls_served\":")
          .append(p.callsServed())
          .append(",\"errors\":")
          .append(p.errors())
          .append(",\"denials\":")
          .append(p.denials())
          .append(",\"restarts\":")
          .append(p.restarts())
          .append('}');
    }
    return out.append("]}").toString();
  }

  /** The call graph: who called which service of which program, how often, how it went. */
  private String callsJson() {
    double uptime = Math.max(telemetry.uptimeSeconds(), 1e-3);
    var rows = new ArrayList<String>();
    for (Telemetry.Totals t : telemetry.totals()) {
      String callee =
          manifest.exporterOf(t.key().service()).map(ProgramSpec::name).orElse(t.key().service());
      long p50 = quantileMicros(t, 0.5);
      rows.add(
          "{\"caller\":"
              + Json.quote(t.key().caller())
              + ",\"callee\":"
              + Json.quote(callee)
              + ",\"service\":"
              + Json.quote(t.key().service())
              + ",\"method\":"
              + t.key().method()
              + ",\"calls\":"
              + t.calls()
              + ",\"errors\":"
              + t.errors()
              + ",\"per_s\":"
              + String.format(Locale.ROOT, "%.2f", t.calls() / uptime)
              + ",\"p50_le_us\":"
              + p50
              + "}");
    }
    return "{\"calls\":[" + String.join(",", rows) + "]}";
  }

  /** The upper bound of the histogram bucket holding quantile {@code q}, in microseconds. */
  private static long quantileMicros(Telemetry.Totals t, double q) {
    long rank = (long) Math.ceil(t.calls() * q);
    long seen = 0;
    for (int i = 0; i < Telemetry.BOUNDS.length; i++) {
      seen += t.buckets()[i];
      if (seen >= rank && rank > 0) {
        return Math.round(Telemetry.BOUNDS[i] * 1e6);
      }
    }
    return -1;
  }

  private String recentJson() {
    var rows = new ArrayList<String>();
    for (Telemetry.Recent r : telemetry.recent()) {
      rows.add(
          "{\"ended_ms\":"
              + r.endedMillis()
              + ",\"caller\":"
              + Json.quote(r.caller())
              + ",\"service\":"
              + Json.quote(r.service())
              + ",\"method\":"
              + r.method()
              + ",\"us\":"
              + r.nanos() / 1000
              + ",\"code\":"
              + r.code()
              + ",\"traceparent\":"
              + r.traceparent().map(Json::quote).orElse("null")
              + ",\"parent\":"
              + r.parent().map(Json::quote).orElse("null")
              + "}");
    }
    return "{\"recent\":[" + String.join(",", rows) + "]}";
  }

  /** The JSON object of a POST's body; 400 if it is not one. */
  private static Map<String, Object> request(String body) throws Refused {
    try {
      return Json.object(body);
    } catch (Json.Malformed e) {
      throw new Refused(400, e.getMessage());
    }
  }

  private String kill(String body) throws Refused {
    Map<String, Object> request = request(body);
    if (request.size() != 1
        || !(request.get("program") instanceof String || request.get("pid") instanceof Long)) {
      throw new Refused(
          400, "expected {\"program\": \"NAME\"} or {\"pid\": N}, got members " + request.keySet());
    }
    List<ProcessInfo> targets;
    if (request.get("program") instanceof String program) {
      if (manifest.programs().stream().noneMatch(p -> p.name().equals(program))) {
        throw new Refused(404, "app '" + manifest.app() + "' has no program '" + program + "'");
      }
      targets = kernel.processes().stream().filter(p -> p.program().equals(program)).toList();
    } else {
      long pid = (Long) request.get("pid");
      targets = kernel.processes().stream().filter(p -> p.pid() == pid).toList();
      if (targets.isEmpty()) {
        throw new Refused(404, "no live process has pid " + pid);
      }
    }
    var killed = new ArrayList<String>();
    for (ProcessInfo p : targets) {
      if (kernel.kill(p.pid(), "killed through the admin endpoint")) {
        killed.add(Long.toString(p.pid()));
      }
    }
    return "{\"killed\":[" + String.join(",", killed) + "]}";
  }

  /**
   * Restarts a program, {@code {"program": NAME}}, or upgrades it, {@code {"program": NAME, "wasm":
   * ABSOLUTE_PATH}}; answers once the old processes have drained (App#restart, App#upgrade).
   */
  private String replace(String body, boolean upgrade) throws Refused {
    Map<String, Object> request = request(body);
    var expected = upgrade ? List.of("program", "wasm") : List.of("program");
    if (!request.keySet().equals(Set.copyOf(expected))
        || !expected.stream().allMatch(k -> request.get(k) instanceof String)) {
      throw new Refused(
          400,
          "expected "
              + (upgrade
                  ? "{\"program\": \"NAME\", \"wasm\": \"PATH\"}"
                  : "{\"program\": \"NAME\"}")
              + ", got members "
              + request.keySet());
    }
    String program = (String) request.get("program");
    if (manifest.programs().stream().noneMatch(p -> p.name().equals(program))) {
      throw new Refused(404, "app '" + manifest.app() + "' has no program '" + program + "'");
    }
    try {
      if (upgrade) {
        Path wasm = Path.of((String) request.get("wasm"));
        if (!wasm.isAbsolute()) {
          throw new Refused(400, "wasm must be an absolute path, not '" + wasm + "'");
        }
        app.upgrade(program, wasm);
      } else {
        app.restart(program);
      }
    } catch (IllegalArgumentException e) {
      // A path the JVM cannot take, or a program that is not a running service.
      throw new Refused(400, e.getMessage());
    } catch (ModuleRefusedException e) {
      throw new Refused(422, e.getMessage());
    } catch (IllegalStateException e) {
      throw new Refused(409, e.getMessage());
    } catch (ParigotException e) {
      throw new Refused(500, e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new Refused(503, "the endpoint is closing");
    }
    return "{\"" + (upgrade ? "upgraded" : "restarted") + "\":" + Json.quote(program) + "}";
  }

  private void logs(HttpExchange ex, Map<String, String> q) throws IOException, Refused {
    long after = 0;
    if (q.containsKey("after")) {
      try {
        after = Long.parseLong(q.get("after"));
      } catch (NumberFormatException e) {
        after = -1;
      }
      if (after < 0) {
        throw new Refused(400, "after must be a line number >= 0, not '" + q.get("after") + "'");
      }
    }
    String follow = q.getOrDefault("follow", "false");
    if (!follow.equals("true") && !follow.equals("false")) {
      throw new Refused(400, "follow must be true or false, not '" + follow + "'");
    }
    for (String name : q.keySet()) {
      if (!name.equals("after") && !name.equals("follow")) {
        throw new Refused(400, "unknown query parameter '" + name + "'; after and follow exist");
      }
    }
    ex.getResponseHeaders().set("Content-Type", "application/x-ndjson; charset=utf-8");
    ex.sendResponseHeaders(200, 0);
    OutputStream out = ex.getResponseBody();
    try {
      do {
        for (OutputLog.Line l : log.after(after, follow.equals("true") ? FOLLOW_POLL_MILLIS : 0)) {
          String line =
              "{\"seq\":"
                  + l.seq()
                  + ",\"at\":"
                  + Json.quote(l.at().toString())
                  + ",\"process\":"
                  + Json.quote(l.process())
                  + ",\"stderr\":"
                  + l.stderr()
                  + ",\"text\":"
                  + Json.quote(l.text())
                  + "}\n";
          out.write(line.getBytes(StandardCharsets.UTF_8));
          after = l.seq();
        }
        out.flush();
      } while (follow.equals("true") && !closed);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void staticFile(HttpExchange ex, String file) throws IOException, Refused {
    try (InputStream in = AdminServer.class.getResourceAsStream("dashboard/" + file)) {
      if (in == null) {
        throw new Refused(404, "no such file: " + file);
      }
      String type =
          file.endsWith(".html")
              ? "text/html; charset=utf-8"
              : file.endsWith(".js") ? "text/javascript; charset=utf-8" : "text/css; charset=utf-8";
      ex.getResponseHeaders().set("Content-Security-Policy", "default-src 'self'");
      send(ex, 200, type, new String(in.readAllBytes(), StandardCharsets.UTF_8));
    }
  }

  private static void json(HttpExchange ex, int status, String body) throws IOException {
    send(ex, status, "application/json; charset=utf-8", body);
  }

  private static void send(HttpExchange ex, int status, String type, String body)
      throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", type);
    ex.getResponseHeaders().set("Cache-Control", "no-store");
    ex.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
    if (bytes.length > 0) {
      ex.getResponseBody().write(bytes);
    }
  }

  /** Stops listening; a followed log stream ends within half a second. */
  @Override
  public void close() {
    closed = true;
    server.stop(0);
    threads.shutdownNow();
  }
}
