package dev.parigot.services;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import dev.parigot.abi.Errno;
import dev.parigot.kernel.App;
import dev.parigot.kernel.Caller;
import dev.parigot.kernel.Provider;
import dev.parigot.kernel.Replies;
import dev.parigot.kernel.conformance.ThreadDump;
import dev.parigot.services.proto.HttpProto.HttpResponse;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Java handlers behind the HTTP ingress, through real sockets: one that streams a large response at
 * a slow client's pace through isReady/onReady, and one that ignores readiness. The ingress takes
 * any {@link App}; this one's only service is served by a Java provider (guest handlers, which the
 * kernel paces, are in HttpIngressTest).
 */
class HttpFlowTest {
  private static final String SERVICE = "flow.v1.Front";
  private static final int MAX_MESSAGE = 128 * 1024;
  private static final int CHUNK = 64 * 1024;
  private static final int TOTAL = 32 << 20;

  @TempDir Path dir;
  private KernelServices services;
  private HttpIngress ingress;
  private final HttpClient client =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
  private volatile Provider handler;

  @BeforeEach
  void start() {
    services = KernelServices.builder().dataDir(dir.resolve("data")).build();
    var spec =
        new HttpSpec(
            "127.0.0.1", 0, List.of(new HttpSpec.Route("/", SERVICE)), 4096, 1024, 120_000);
    ingress = HttpIngress.start(spec, new JavaApp(), services);
  }

  @AfterEach
  void stop() {
    ingress.close();
    services.close();
    client.close();
  }

  /** An app whose one service is {@link #handler}. */
  private final class JavaApp implements App {
    @Override
    public String name() {
      return "flow";
    }

    @Override
    public int awaitMains() {
      return 0;
    }

    @Override
    public Optional<Integer> awaitMains(Duration timeout) {
      return Optional.of(0);
    }

    @Override
    public int maxMessageBytes(String service) {
      return MAX_MESSAGE;
    }

    @Override
    public Provider.Cancellation call(
        String program, String service, int method, byte[] request, Replies replies) {
      return handler.open(new Caller(name(), program, 0), method, request, replies);
    }
  }

  /** Chunk {@code i} of the response body: every byte is {@code 'a' + i % 26}. */
  private static byte[] chunk(int i) {
    byte[] b = new byte[CHUNK];
    java.util.Arrays.fill(b, (byte) ('a' + i % 26));
    return b;
  }

  /** The i-th partial: the first carries the status. */
  private static byte[] part(int i) {
    var r = HttpResponse.newBuilder().setBody(ByteString.copyFrom(chunk(i)));
    if (i == 0) {
      r.setStatus(200);
    }
    return r.build().toByteArray();
  }

  /**
   * Sends {@link #TOTAL} bytes, a partial only while the ingress is ready; when it is not, it
   * registers a callback that goes on on a new virtual thread, and returns.
   */
  private static final class Paced {
    private final Replies replies;
    final AtomicInteger waits = new AtomicInteger();
    final AtomicInteger starts = new AtomicInteger();
    volatile boolean pending;
    volatile Thread current;
    // Touched by one step at a time: each thread starts after the one before registered.
    private int sent;

    Paced(Replies replies) {
      this.replies = replies;
    }

    void start() {
      starts.incrementAndGet();
      pending = false;
      Thread t = Thread.ofVirtual().name("paced").unstarted(this::run);
      current = t;
      t.start();
    }

    private void run() {
      while (sent < TOTAL / CHUNK) {
        if (!replies.isReady()) {
          waits.incrementAndGet();
          pending = true;
          replies.onReady(this::start);
          return;
        }
        if (!replies.partial(part(sent))) {
          return;
        }
        sent++;
      }
      replies.end(new byte[0]);
    }

    /** Whether it waits for a callback and none of its threads runs. */
    boolean idle() {
      return pending && !current.isAlive();
    }
  }

  @Test
  void aSlowClientGetsAWholeStreamedResponseWhileTheHandlerWaitsOnACallbackOnly() throws Exception {
    var paced = new CompletableFuture<Paced>();
    handler =
        (caller, method, request, replies) -> {
          var p = new Paced(replies);
          paced.complete(p);
          p.start();
          return reason -> {};
        };
    var response =
        client.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + ingress.address().getPort()))
                .build(),
            BodyHandlers.ofInputStream());
    assertThat(response.statusCode()).isEqualTo(200);
    try (InputStream in = response.body()) {
      assertThat(in.readNBytes(1000)).hasSize(1000);

      // The client stops reading: the socket's buffers and then the ingress's queue fill, and the
      // handler is told it is not ready. It ends up waiting for its callback with no thread.
      // A dump taken while it waits, the same wait from before the dump to after it.
      Paced p = paced.get(30, TimeUnit.SECONDS);
      ThreadDump dump = null;
      for (int i = 0; i < 1000 && dump == null; i++) {
        int starts = p.starts.get();
        boolean idle = p.idle();
        ThreadDump d = ThreadDump.take(dir);
        if (idle && p.idle() && p.starts.get() == starts) {
          dump = d;
        }
      }
      assertThat(dump).as("a dump while the handler waits for a callback").isNotNull();
      assertThat(dump.in("Paced", "run")).isEmpty();
      for (String method : List.of("partial", "end", "fail", "isReady", "onReady")) {
        assertThat(dump.in("Exchange", method)).as("threads in Exchange.%s", method).isEmpty();
      }
      assertThat(p.waits.get()).isPositive();
      assertThat(ingress.peakQueuedBytes())
          .isLessThanOrEqualTo((long) HttpIngress.BUFFERED_BYTES + MAX_MESSAGE);

      // Reading on, the client gets the whole response.
      long total = 1000;
      byte[] buffer = new byte[CHUNK];
      for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
        assertThat(buffer[0]).as("byte %d", total).isEqualTo((byte) ('a' + (total / CHUNK) % 26));
        total += n;
      }
      assertThat(total).isEqualTo(TOTAL);
    }
    assertThat(ingress.peakQueuedBytes())
        .isLessThanOrEqualTo((long) HttpIngress.BUFFERED_BYTES + MAX_MESSAGE);
  }

  @Test
  void aHandlerSeesWhatIsLeftOfTheRequestsTimeoutAndNoDeadlineWhenTheTimeoutIsZero()
      throws Exception {
    var seen = new java.util.concurrent.LinkedBlockingQueue<Optional<Duration>>();
    handler =
        (caller, method, request, replies) -> {
          seen.add(replies.timeLeft());
          replies.end(HttpResponse.newBuilder().setStatus(204).build().toByteArray());
          return reason -> {};
        };
    var spec =
        new HttpSpec("127.0.0.1", 0, List.of(new HttpSpec.Route("/", SERVICE)), 4096, 1024, 0);
    HttpIngress untimed = HttpIngress.start(spec, new JavaApp(), services);
    try {
      for (HttpIngress i : List.of(ingress, untimed)) {
        var response =
            client.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + i.address().getPort()))
                    .build(),
                BodyHandlers.discarding());
        assertThat(response.statusCode()).isEqualTo(204);
      }
    } finally {
      untimed.close();
    }
    assertThat(seen.poll(10, TimeUnit.SECONDS))
        .as("timeout_ms = 120000")
        .hasValueSatisfying(
            left -> assertThat(left).isPositive().isLessThanOrEqualTo(Duration.ofMinutes(2)));
    assertThat(seen.poll(10, TimeUnit.SECONDS)).as("timeout_ms = 0").isEmpty();
  }

  @Test
  void aHandlerThatIgnoresReadinessLosesTheCallAndTheClientNeverGetsAWholeLookingResponse()
      throws Exception {
    var refusedAfter = new CompletableFuture<Integer>();
    var cancelled = new CompletableFuture<Errno>();
    handler =
        (caller, method, request, replies) -> {
          Thread.ofVirtual()
              .start(() -> {
                int i = 0;
                while (i < TOTAL / CHUNK && replies.partial(part(i))) {
                  i++;
                }
                refusedAfter.complete(i);
                replies.end(new byte[0]);
              });
          return cancelled::complete;
        };
    var response =
        client.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + ingress.address().getPort()))
                .build(),
            BodyHandlers.ofInputStream());
    assertThat(refusedAfter.get(30, TimeUnit.SECONDS)).isLessThan(TOTAL / CHUNK);
    assertThat(cancelled.get(30, TimeUnit.SECONDS)).isEqualTo(Errno.WOULD_EXCEED_LIMIT);
    assertThat(ingress.peakQueuedBytes())
        .isLessThanOrEqualTo((long) HttpIngress.BUFFERED_BYTES + MAX_MESSAGE);
    if (response.statusCode() == 502) {
      // The flood came before the status was written.
      try (InputStream in = response.body()) {
        assertThat(new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8))
            .contains("sent more than");
      }
      return;
    }
    // Otherwise the body is cut short: the connection drops before its end.
    long got = 0;
    try (InputStream in = response.body()) {
      byte[] buffer = new byte[CHUNK];
      for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
        got += n;
      }
    } catch (IOException expected) {
      // The dropped connection.
    }
    assertThat(got).isLessThan(TOTAL);
  }
}
