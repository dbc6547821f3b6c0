package dev.parigot.bench;

import dev.parigot.cluster.ClusterNode;
import dev.parigot.kernel.Kernel;
import dev.parigot.kernel.Manifest;
import io.nats.client.Connection;
import io.nats.client.Dispatcher;
import io.nats.client.Message;
import io.nats.client.Nats;
import io.nats.client.Options;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;

/**
 * The cluster section: the benchmark guests (caller.wasm, echo.wasm) on kernels joined by a real
 * nats-server on 127.0.0.1, beside raw jnats doing the same exchange, in one run. All kernels run
 * in this JVM, each with its own NATS connections, as separate nodes on one machine would.
 */
final class ClusterBench implements AutoCloseable {
  private static final String SERVICE = "bench.v1.Echo";
  private static final Kernel.Output NONE = (process, stderr, line) -> {};

  private final Path guests;
  private final Path work;
  private final NatsServerProcess server;
  private final String url;

  ClusterBench(Path guests, Path work) throws IOException, InterruptedException {
    this.guests = guests;
    this.work = work;
    this.server = NatsServerProcess.start(work);
    this.url = server.url();
  }

  /**
   * The callers' round trips, their calls per second while all of them called ({@link
   * #whileAllCall}), and over the whole span from the first start to the last end.
   */
  record Calls(Histogram histogram, double perSecond, double overSpan) {}

  /**
   * {@code callers} caller processes on node "a" each make {@code warmup} then {@code n} timed
   * sequential 64 B calls to echo replicas, one per node of {@code serverNodes}.
   */
  Calls calls(int callers, int warmup, int n, List<String> serverNodes) throws Exception {
    String app = app("calls", callers, serverNodes, "calls", warmup, n, -1);
    return run(app, serverNodes, (long) callers * n);
  }

  /** {@code reps} timed Stream calls of {@code count} partials of {@code size} bytes. */
  Histogram stream(int warmup, int reps, int count, int size) throws Exception {
    String app = app("stream", 1, List.of("b"), "stream", warmup, reps, count, size);
    return run(app, List.of("b"), reps).histogram();
  }

  /**
   * As {@link #stream}, to a caller that reads one result per wait and checksums each {@code work}
   * times over: slower than its provider, so only the credits keep its queue within its bound.
   */
  Histogram slowStream(int warmup, int reps, int count, int size, int work) throws Exception {
    String app = app("slowstream", 1, List.of("b"), "slowstream", warmup, reps, count, size, work);
    return run(app, List.of("b"), reps).histogram();
  }

  private Calls run(String toml, List<String> serverNodes, long expected) throws Exception {
    Path file = work.resolve("app.toml");
    Files.writeString(file, toml);
    Manifest manifest = Manifest.load(file);
    var lines = new CopyOnWriteArrayList<String>();
    Kernel.Output output = (process, stderr, line) -> lines.add(process + " " + line);
    var nodes = new ArrayList<ClusterNode>();
    try {
      for (String node : serverNodes) {
        nodes.add(ClusterNode.start(manifest, node, NONE, Optional.empty()));
      }
      ClusterNode a = ClusterNode.start(manifest, "a", output, Optional.empty());
      nodes.add(a);
      Optional<Integer> code = a.awaitMains(Duration.ofMinutes(5));
      if (code.isEmpty() || code.get() != 0) {
        throw new IllegalStateException("the cluster bench's callers ended with " + code + lines);
      }
    } finally {
      nodes.forEach(ClusterNode::close);
    }
    var h = new Histogram(3);
    // Each caller's span and its round trips in order, by process.
    var spans = new HashMap<String, long[]>();
    var samples = new HashMap<String, List<Long>>();
    for (String l : lines) {
      String process = l.substring(0, l.indexOf(' '));
      String line = l.substring(l.indexOf(' ') + 1);
      if (line.startsWith("samples ")) {
        for (String v : line.substring(8).trim().split(" ")) {
          h.recordValue(Long.parseLong(v));
          samples.computeIfAbsent(process, k -> new ArrayList<>()).add(Long.parseLong(v));
        }
      } else if (line.startsWith("span ")) {
        String[] f = line.split(" ");
        spans.put(process, new long[] {Long.parseLong(f[1]), Long.parseLong(f[2])});
      }
    }
    if (h.getTotalCount() != expected) {
      throw new IllegalStateException("expected " + expected + " samples, got " + lines);
    }
    long first = spans.values().stream().mapToLong(span -> span[0]).min().orElse(0);
    long last = spans.values().stream().mapToLong(span -> span[1]).max().orElse(0);
    double overSpan = last > first ? h.getTotalCount() * 1e9 / (last - first) : Double.NaN;
    return new Calls(h, whileAllCall(spans, samples), overSpan);
  }

  /**
   * Calls per second while every caller was in its timed calls: from the last caller's start to the
   * first caller's end. Callers that finish early leave fewer calls in flight, and counting that
   * tail (a fifth of the span with 64 callers of 1,000 calls each) would measure fewer than the
   * callers the row is about. A call's end is its caller's start plus the round trips up to it,
   * stretched evenly over the caller's span (the caller's own time between calls).
   */
  static double whileAllCall(Map<String, long[]> spans, Map<String, List<Long>> samples) {
    long from = Long.MIN_VALUE;
    long to = Long.MAX_VALUE;
    for (long[] span : spans.values()) {
      from = Math.max(from, span[0]);
      to = Math.min(to, span[1]);
    }
    if (spans.isEmpty() || to <= from) {
      return Double.NaN;
    }
    long calls = 0;
    for (var e : spans.entrySet()) {
      long[] span = e.getValue();
      List<Long> trips = samples.getOrDefault(e.getKey(), List.of());
      double sum = trips.stream().mapToLong(Long::longValue).sum();
      double stretch = sum > 0 ? (span[1] - span[0]) / sum : 1;
      double at = span[0];
      for (long trip : trips) {
        at += trip * stretch;
        if (at > from && at <= to) {
          calls++;
        }
      }
    }
    return calls * 1e9 / (to - from);
  }

  private String app(String name, int callers, List<String> serverNodes, Object... args) {
    var quoted = new StringBuilder();
    for (Object arg : args) {
      quoted.append(quoted.isEmpty() ? "" : ", ").append('"').append(arg).append('"');
    }
    var nodes = new StringBuilder("\"a\"");
    serverNodes.forEach(n -> nodes.append(", \"").append(n).append('"'));
    var on = new StringBuilder();
    serverNodes.forEach(n -> on.append(on.isEmpty() ? "" : ", ").append('"').append(n).append('"'));
    return """
    app = "bench-cluster-%s"
    [cluster]
    servers = ["%s"]
    nodes = [%s]
    [program.echo]
    wasm = "%s"
    role = "service"
    nodes = [%s]
    exports = ["%s"]
    [program.caller]
    wasm = "%s"
    role = "main"
    node = "a"
    requires = ["%s"]
    args = [%s]
    replicas = %d
    """
        .formatted(
            name,
            url,
            nodes,
            guests.resolve("echo.wasm").toAbsolutePath(),
            on,
            SERVICE,
            guests.resolve("caller.wasm").toAbsolutePath(),
            SERVICE,
            quoted,
            callers);
  }

  // ---- raw jnats, the anchors ----

  private Connection connect() throws IOException, InterruptedException {
    return Nats.connect(
        new Options.Builder().server(url).maxMessagesInOutgoingQueue(65_536).build());
  }

  /** Sequential 64 B request/reply round trips, in ns. */
  Histogram rawRequestReply(int warmup, int n) throws Exception {
    try (Connection responder = connect();
        Connection requester = connect()) {
      Dispatcher d =
          responder.createDispatcher(m -> responder.publish(m.getReplyTo(), m.getData()));
      d.subscribe("raw.echo");
      responder.flush(Duration.ofSeconds(5));
      byte[] body = new byte[64];
      var h = new Histogram(3);
      for (int i = 0; i < warmup + n; i++) {
        long t0 = System.nanoTime();
        Message reply = requester.request("raw.echo", body, Duration.ofSeconds(10));
        long t = System.nanoTime() - t0;
        if (reply == null) {
          throw new IllegalStateException("raw request timed out");
        }
        if (i >= warmup) {
          h.recordValue(t);
        }
      }
      return h;
    }
  }

  /** 64 B requests with {@code inFlight} outstanding, to responders in one queue group: per s. */
  double rawQueueGroup(int responders, int inFlight, int n) throws Exception {
    List<Connection> servers = new ArrayList<>();
    try (Connection requester = connect()) {
      for (int i = 0; i < responders; i++) {
        Connection c = connect();
        servers.add(c);
        c.createDispatcher(m -> c.publish(m.getReplyTo(), m.getData())).subscribe("raw.q", "q");
        c.flush(Duration.ofSeconds(5));
      }
      byte[] body = new byte[64];
      var window = new Semaphore(inFlight);
      var done = new CountDownLatch(n);
      long t0 = System.nanoTime();
      for (int i = 0; i < n; i++) {
        window.acquire();
        CompletableFuture<Message> f = requester.request("raw.q", body);
        f.whenComplete((m, e) -> {
          window.release();
          done.countDown();
        });
      }
      if (!done.await(5, TimeUnit.MINUTES)) {
        throw new IllegalStateException("raw queue group: requests did not finish");
      }
      return n * 1e9 / (System.nanoTime() - t0);
    } finally {
      for (Connection c : servers) {
        c.close();
      }
    }
  }

  /** {@code count} messages of {@code size} bytes published to a subscriber's inbox: per s. */
  double rawStream(int count, int size) throws Exception {
    try (Connection sub = connect();
        Connection pub = connect()) {
      var got = new AtomicLong();
      var all = new CountDownLatch(1);
      String inbox = sub.createInbox();
      sub.createDispatcher(
              m -> {
                if (got.incrementAndGet() == count) {
                  all.countDown();
                }
              })
          .subscribe(inbox);
      sub.flush(Duration.ofSeconds(5));
      byte[] body = new byte[size];
      long t0 = System.nanoTime();
      for (int i = 0; i < count; i++) {
        pub.publish(inbox, body);
      }
      pub.flush(Duration.ofSeconds(30));
      if (!all.await(1, TimeUnit.MINUTES)) {
        throw new IllegalStateException(
            "raw stream: " + got.get() + " of " + count + " arrived (core NATS drops, no credit)");
      }
      return count * 1e9 / (System.nanoTime() - t0);
    }
  }

  @Override
  public void close() {
    try {
      server.close();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
