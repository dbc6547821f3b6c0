package dev.parigot.services;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.parigot.abi.Errno;
import dev.parigot.errors.InUseException;
import dev.parigot.errors.ParigotException;
import dev.parigot.kernel.App;
import dev.parigot.kernel.Provider;
import dev.parigot.kernel.Replies;
import dev.parigot.kernel.spi.CallObserver;
import dev.parigot.services.proto.HttpProto.Header;
import dev.parigot.services.proto.HttpProto.HttpRequest;
import dev.parigot.services.proto.HttpProto.HttpResponse;
import java.io.IOException;
import java.io.InputStream;
import java.lang.System.Logger.Level;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAccumulator;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * An app's HTTP ingress: serves the address of its manifest's {@code [http]} table and hands each
 * request to the {@code parigot.http.v1.Handler} service of the route with the longest matching
 * prefix, through {@link App#call} (so the handler sees the caller program {@code http}). The
 * contract, including which status the kernel answers with when a call fails, is in the
 * repository's {@code proto/parigot/http/v1/http.proto}.
 *
 * <p>Each exchange runs on its own virtual thread, which waits for the handler's answers and writes
 * them. Nothing else waits for the client: the handler's {@link Replies} is not {@link
 * Replies#isReady ready} while {@link #BUFFERED_BYTES} or more of the response are queued
 * unwritten, and its onReady callback runs once the writer has taken the queue below that (a guest
 * handler, which cannot see readiness, is paced so by the kernel). A provider that sends regardless
 * loses the call once a partial would take the queue past {@link #BUFFERED_BYTES} plus the
 * handler's max_message_bytes: the call is cancelled with WOULD_EXCEED_LIMIT and the client gets
 * 502, or a cut-short body if the status was already sent.
 *
 * <p>A request body comes inline in the HttpRequest when it is at most {@link #INLINE_BYTES} and
 * fits the handler's max_message_bytes; a larger one stays on the connection, and the handler reads
 * it through {@link HttpBodies} (parigot.http.v1.Body) while the exchange lasts.
 *
 * <p>The server is the kernel's own ({@link Http1Server}): a slow or hostile client gets 408, 413,
 * 431 or 503 within the limits of {@link HttpSpec.Clients} and cannot hold the ingress.
 *
 * <p>Start it after {@link dev.parigot.kernel.Kernel#launch} returned the app; close it before the
 * kernel.
 */
public final class HttpIngress implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger("dev.parigot.services.http");

  /** The program name handlers see in their caller. */
  static final String CALLER = "http";

  /** Handler.Handle's method number: the first rpc of the service. */
  private static final int HANDLE = 1;

  /** Response bytes queued unwritten at which a handler is no longer ready to send more. */
  static final int BUFFERED_BYTES = 1 << 20;

  /**
   * The largest body sent inline: small enough that a request never costs a handler much of its
   * queue, large enough that most form posts and JSON documents need no second call.
   */
  static final int INLINE_BYTES = 64 * 1024;

  // Room left in the handler's max_message_bytes for the HttpRequest's other fields' framing.
  private static final int FRAMING_BYTES = 64;
  // The body frames itself: these response headers would contradict the kernel's framing.
  private static final Set<String> FRAMING =
      Set.of("content-length", "transfer-encoding", "connection", "keep-alive", "upgrade");

  private final HttpSpec spec;
  private final App app;
  private final List<HttpSpec.Route> routes;
  private Http1Server server;
  private final HttpBodies bodies;
  // The most response bytes one exchange has held unwritten: what flow control bounds.
  private final LongAccumulator peakQueued = new LongAccumulator(Math::max, 0);

  private HttpIngress(HttpSpec spec, App app, HttpBodies bodies) {
    this.spec = spec;
    this.app = app;
    this.bodies = bodies;
    // Longest first: the first match is the longest prefix.
    this.routes =
        spec.routes().stream()
            .sorted(Comparator.comparingInt((HttpSpec.Route r) -> r.prefix().length()).reversed())
            .toList();
  }

  /**
   * Binds the spec's address and starts serving {@code app}'s routes.
   *
   * @param spec the app's {@code [http]} table (its routes name services of {@code app})
   * @param app the launched app
   * @param services the kernel services of the app's kernel, whose parigot.http.v1.Body serves the
   *     bodies too large to send inline
   * @return the running ingress
   * @throws ParigotException if the address cannot be bound
   */
  public static HttpIngress start(HttpSpec spec, App app, KernelServices services) {
    return bind(spec, app.name()).start(app, services);
  }

  /**
   * Binds the spec's address without serving it yet, so that an address in use refuses an app at
   * once, before its programs start; {@link Bound#start} then serves the launched app.
   *
   * @param app the app's name, for the message
   * @throws InUseException if another socket has the address
   * @throws ParigotException if the address cannot be bound otherwise
   */
  public static Bound bind(HttpSpec spec, String app) {
    String where = "app '" + app + "': cannot listen on " + spec.host() + ":" + spec.port() + ": ";
    try {
      return new Bound(spec, Http1Server.bind(new InetSocketAddress(spec.host(), spec.port())));
    } catch (BindException e) {
      throw new InUseException(
          where + "the address is in use; stop what has it, or move the app with --listen", e);
    } catch (IOException e) {
      throw new ParigotException(where + e.getMessage(), e);
    }
  }

  /** An ingress's address, bound and not yet served: connections wait in the backlog. */
  public static final class Bound implements AutoCloseable {
    private final HttpSpec spec;
    private final ServerSocket listener;

    private Bound(HttpSpec spec, ServerSocket listener) {
      this.spec = spec;
      this.listener = listener;
    }

    /** The bound address: with port 0 in the manifest, the port the system chose. */
    public InetSocketAddress address() {
      return (InetSocketAddress) listener.getLocalSocketAddress();
    }

    /**
     * Serves {@code app}'s routes on the address; closing the ingress unbinds it.
     *
     * @param app the launched app (its routes name services of it)
     * @param services the kernel services of the app's kernel, whose parigot.http.v1.Body serves
     *     the bodies too large to send inline
     */
    public HttpIngress start(App app, KernelServices services) {
      var ingress = new HttpIngress(spec, app, services.bodies());
      ingress.server = Http1Server.start(listener, spec, ingress::serve);
      return ingress;
    }

    /** Unbinds the address, if it was not served. */
    @Override
    public void close() {
      try {
        listener.close();
      } catch (IOException e) {
        LOG.log(Level.DEBUG, "closing an unserved listener: {0}", e.getMessage());
      }
    }
  }

  /** The bound address: with port 0 in the manifest, the port the system chose. */
  public InetSocketAddress address() {
    return server.address();
  }

  /** The most response bytes one exchange has held unwritten since the ingress started. */
  long peakQueuedBytes() {
    return peakQueued.get();
  }

  /** Stops listening, ends open exchanges and their calls. Idempotent. */
  @Override
  public void close() {
    server.close();
  }

  /**
   * Serves one exchange. Closes it when the response is complete; on an exception it leaves it
   * open, so that the server drops the connection rather than end a cut-short chunked body as if it
   * were whole.
   */
  private void serve(Http1Exchange ex) throws IOException {
    respond(ex);
    ex.close();
  }

  private void respond(Http1Exchange ex) throws IOException {
    String path = ex.path();
    if (!path.startsWith("/") || dotSegment(path)) {
      plain(ex, 400, "the path must be absolute, without \".\" or \"..\" segments");
      return;
    }
    HttpSpec.Route route = route(path);
    if (route == null) {
      plain(ex, 404, "no route for " + path);
      return;
    }
    var request =
        HttpRequest.newBuilder()
            .setMethod(ex.method())
            .setPath(path)
            .setQuery(ex.query())
            .setRoute(route.prefix())
            .setRemote(remote(ex.remote()));
    for (Http1Exchange.Field f : ex.fields()) {
      request.addHeaders(
          Header.newBuilder().setName(f.name().toLowerCase(Locale.ROOT)).setValue(f.value()));
    }
    long declared = ex.declaredLength();
    if (declared > spec.maxBodyBytes()) {
      tooLarge(ex); // refused before reading a byte of it
      return;
    }
    // What the handler's max_message_bytes leaves for the body once the rest is encoded.
    long room =
        (long) app.maxMessageBytes(route.service())
            - request.build().getSerializedSize()
            - FRAMING_BYTES;
    int inline = (int) Math.max(0, Math.min(Math.min(INLINE_BYTES, room), spec.maxBodyBytes()));
    InputStream in = ex.body();
    byte[] head;
    try {
      head = in.readNBytes(inline + 1);
    } catch (Http1Exception e) {
      // Too slow or malformed: answered if the client still listens; the connection then closes.
      plain(ex, e.status(), e.getMessage());
      return;
    }
    HttpBodies.Body streamed = null;
    if (head.length <= inline) {
      request.setBody(ByteString.copyFrom(head));
    } else if (inline == spec.maxBodyBytes()) {
      tooLarge(ex); // a chunked body: its length shows only now
      return;
    } else {
      streamed = bodies.register(app.name(), head, in, spec.maxBodyBytes());
      request.setBodyId(streamed.id()).setBodyLength(declared);
    }
    try {
      new Exchange(ex, route).run(request.build().toByteArray());
    } finally {
      if (streamed != null) {
        // Response sent, client gone or deadline passed: the body is no longer to be read.
        streamed.expire();
      }
    }
  }

  private void tooLarge(Http1Exchange ex) throws IOException {
    plain(ex, 413, "the request's body is larger than " + spec.maxBodyBytes() + " bytes");
  }

  private HttpSpec.Route route(String path) {
    for (HttpSpec.Route r : routes) {
      if (r.matches(path)) {
        return r;
      }
    }
    return null;
  }

  private static boolean dotSegment(String path) {
    for (String segment : path.split("/", -1)) {
      if (segment.equals(".") || segment.equals("..")) {
        return true;
      }
    }
    return false;
  }

  private static String remote(InetSocketAddress a) {
    String host = a.getAddress() == null ? a.getHostString() : a.getAddress().getHostAddress();
    return (host.contains(":") ? "[" + host + "]" : host) + ":" + a.getPort();
  }

  private static void plain(Http1Exchange ex, int status, String message) throws IOException {
    byte[] text = (message + "\n").getBytes(StandardCharsets.UTF_8);
    ex.setHeader("Content-Type", "text/plain; charset=utf-8");
    if (ex.method().equals("HEAD")) {
      ex.sendHeaders(status, -1);
      return;
    }
    ex.sendHeaders(status, text.length);
    ex.responseBody().write(text);
  }

  /** One kind of answer from the handler. */
  private enum Kind {
    PARTIAL,
    END,
    FAIL,
    /** The handler sent past the bound: the exchange ends the call. */
    OVERFLOW
  }

  private record Answer(Kind kind, int code, byte[] data) {}

  /**
   * One request's call to its handler: the kernel-side {@link Replies} queue answers and never
   * wait; the exchange's thread takes and writes them, and tells the handler when it may send more.
   */
  private final class Exchange implements Replies {
    private final Http1Exchange ex;
    private final HttpSpec.Route route;
    // What the queue may hold: a handler that is ready may send one message of its largest size.
    private final long limit;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    // Guarded by lock.
    private final ArrayDeque<Answer> answers = new ArrayDeque<>();
    private long queuedBytes;
    private boolean finished;
    private boolean abandoned;
    private Runnable readyCallback;
    // How to cancel the call, once app.call has returned it.
    private volatile Provider.Cancellation call;
    // When the request's timeout_ms passes, in System.nanoTime terms; none when it is 0.
    private final long deadline;

    Exchange(Http1Exchange ex, HttpSpec.Route route) {
      this.ex = ex;
      this.route = route;
      this.limit = (long) BUFFERED_BYTES + app.maxMessageBytes(route.service());
      this.deadline =
          spec.timeoutMillis() == 0
              ? Long.MAX_VALUE
              : System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(spec.timeoutMillis());
    }

    /**
     * {@inheritDoc}
     *
     * <p>Here: what is left of the request's {@code timeout_ms}, so a handler on another node gets
     * it with the call.
     */
    @Override
    public Optional<Duration> timeLeft() {
      return deadline == Long.MAX_VALUE
          ? Optional.empty()
          : Optional.of(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
    }

    void run(byte[] request) throws IOException {
      // The client's trace context, if it sent one, is the parent of the handler's call.
      Optional<String> trace = TraceParent.of(ex.fields());
      Provider.Cancellation call =
          trace.isEmpty()
              ? app.call(CALLER, route.service(), HANDLE, request, this)
              : ScopedValue.where(CallObserver.TRACEPARENT, trace.get())
                  .call(() -> app.call(CALLER, route.service(), HANDLE, request, this));
      this.call = call;
      boolean headersSent = false;
      try {
        while (true) {
          Answer a = take(deadline);
          if (a == null) {
            abandon(call, Errno.TIMED_OUT);
            if (headersSent) {
              throw cutShort("the handler did not finish within " + spec.timeoutMillis() + " ms");
            }
            plain(
                ex,
                504,
                route.service() + " did not answer within " + spec.timeoutMillis() + " ms");
            return;
          }
          if (a.kind() == Kind.OVERFLOW) {
            // Cancelled already unless the flood came before app.call returned; cancel is
            // idempotent.
            call.cancel(Errno.WOULD_EXCEED_LIMIT);
            String why =
                "the handler sent more than "
                    + limit
                    + " bytes the client had not taken; a"
                    + " provider sends while isReady() is true";
            if (headersSent) {
              throw cutShort(why);
            }
            LOG.log(Level.WARNING, "{0}: {1}", route.service(), why);
            plain(ex, 502, route.service() + ": " + why);
            return;
          }
          if (a.kind() == Kind.FAIL) {
            if (headersSent) {
              throw cutShort("the handler failed: " + text(a.data()));
            }
            failed(a.code(), text(a.data()));
            return;
          }
          HttpResponse r;
          try {
            r = HttpResponse.parseFrom(a.data());
          } catch (InvalidProtocolBufferException e) {
            r = null;
          }
          if (!headersSent) {
            String bad = malformed(r);
            if (bad != null) {
              abandon(call, Errno.CANCELLED);
              LOG.log(Level.WARNING, "{0}: malformed response: {1}", route.service(), bad);
              plain(ex, 502, route.service() + " answered with a malformed response: " + bad);
              return;
            }
            head(r, a.kind() == Kind.END);
            headersSent = true;
          } else if (r == null || r.getStatus() != 0 || r.getHeadersCount() != 0) {
            abandon(call, Errno.CANCELLED);
            throw cutShort("a later part of the response is not body only");
          }
          if (!ex.method().equals("HEAD")) {
            r.getBody().writeTo(ex.responseBody());
          }
          if (a.kind() == Kind.END) {
            return;
          }
          if (queuedEmpty()) {
            // Let the client see what the handler sent so far while it produces the rest.
            ex.responseBody().flush();
          }
        }
      } catch (IOException | RuntimeException e) {
        // The client went away (or the response was cut short): the handler need not go on.
        abandon(call, Errno.CANCELLED);
        throw e;
      } catch (InterruptedException e) {
        abandon(call, Errno.SHUTTING_DOWN);
        Thread.currentThread().interrupt();
        throw new IOException("the ingress is stopping", e);
      }
    }

    /** Why a first response message cannot be sent, or null. */
    private static String malformed(HttpResponse r) {
      if (r == null) {
        return "not an HttpResponse";
      }
      if (r.getStatus() < 100 || r.getStatus() > 599) {
        return "status " + r.getStatus() + " is not 100 to 599";
      }
      for (Header h : r.getHeadersList()) {
        if (!Http1Exchange.validField(h.getName(), h.getValue())) {
          return "header " + h.getName().strip() + " is not a valid HTTP field";
        }
      }
      return null;
    }

    private void head(HttpResponse r, boolean whole) throws IOException {
      for (Header h : r.getHeadersList()) {
        if (!FRAMING.contains(h.getName().toLowerCase(Locale.ROOT))) {
          ex.addHeader(h.getName(), h.getValue());
        }
      }
      boolean noBody =
          ex.method().equals("HEAD")
              || r.getStatus() == 204
              || r.getStatus() == 304
              || whole && r.getBody().isEmpty();
      ex.sendHeaders(r.getStatus(), noBody ? -1 : whole ? r.getBody().size() : 0);
    }

    private void failed(int code, String message) throws IOException {
      if (code > 0) {
        plain(ex, 500, message);
        return;
      }
      String why = route.service() + ": " + errno(code) + (message.isEmpty() ? "" : ": " + message);
      int status =
          code == Errno.PROVIDER_DIED.negative()
              ? 502
              : code == Errno.TIMED_OUT.negative()
                  ? 504
                  : code == Errno.MESSAGE_TOO_BIG.negative() ? 413 : 503;
      plain(ex, status, why);
    }

    private static String errno(int code) {
      for (Errno e : Errno.values()) {
        if (e.negative() == code) {
          return e.name().toLowerCase(Locale.ROOT).replace('_', ' ');
        }
      }
      return "kernel error " + code;
    }

    private static String text(byte[] b) {
      return new String(b, StandardCharsets.UTF_8);
    }

    /** An exception that makes the server drop the connection: a cut-short response. */
    private IOException cutShort(String why) {
      LOG.log(Level.WARNING, "{0}: response cut short: {1}", route.service(), why);
      return new IOException(why);
    }

    /** Drops what is queued, runs a pending onReady callback and cancels the call. */
    private void abandon(Provider.Cancellation call, Errno reason) {
      boolean cancel;
      Runnable ready;
      lock.lock();
      try {
        cancel = !finished;
        abandoned = true;
        answers.clear();
        queuedBytes = 0;
        ready = takeCallback();
      } finally {
        lock.unlock();
      }
      runCallback(ready);
      if (cancel) {
        call.cancel(reason);
      }
    }

    private Answer take(long deadline) throws InterruptedException {
      Answer a;
      Runnable ready;
      lock.lock();
      try {
        while (answers.isEmpty()) {
          long left = deadline - System.nanoTime();
          if (left <= 0) {
            return null;
          }
          changed.awaitNanos(left);
        }
        a = answers.poll();
        queuedBytes -= a.data().length;
        ready = ready() ? takeCallback() : null;
      } finally {
        lock.unlock();
      }
      runCallback(ready);
      return a;
    }

    private boolean queuedEmpty() {
      lock.lock();
      try {
        return answers.isEmpty();
      } finally {
        lock.unlock();
      }
    }

    @Override
    public boolean isReady() {
      lock.lock();
      try {
        return ready();
      } finally {
        lock.unlock();
      }
    }

    /**
     * {@inheritDoc}
     *
     * <p>Here a later callback runs on the exchange's thread, once it has written enough.
     */
    @Override
    public void onReady(Runnable callback) {
      Objects.requireNonNull(callback, "callback");
      lock.lock();
      try {
        if (readyCallback != null) {
          throw new IllegalStateException("an onReady callback of this call has not run yet");
        }
        if (!ready()) {
          readyCallback = callback;
          return;
        }
      } finally {
        lock.unlock();
      }
      callback.run();
    }

    /** Lock held. */
    private boolean ready() {
      return finished || abandoned || queuedBytes < BUFFERED_BYTES;
    }

    /** Lock held: the pending callback, now no longer pending. */
    private Runnable takeCallback() {
      Runnable r = readyCallback;
      readyCallback = null;
      return r;
    }

    /** Runs a callback taken under the lock, after the lock is released. */
    private static void runCallback(Runnable r) {
      if (r != null) {
        r.run();
      }
    }

    @Override
    public boolean partial(byte[] data) {
      Runnable ready;
      lock.lock();
      try {
        if (finished || abandoned || queuedBytes + data.length <= limit) {
          return offer(Kind.PARTIAL, 0, data, false);
        }
        // Sent regardless of isReady: refused and the call cancelled at once; the writer ends the
        // response when it gets there (it may be stuck writing to a client that does not read).
        answers.clear();
        queuedBytes = 0;
        offer(Kind.OVERFLOW, 0, new byte[0], true);
        ready = takeCallback();
      } finally {
        lock.unlock();
      }
      runCallback(ready);
      Provider.Cancellation c = call;
      if (c != null) {
        c.cancel(Errno.WOULD_EXCEED_LIMIT);
      }
      return false;
    }

    @Override
    public boolean end(byte[] data) {
      return last(Kind.END, 0, data);
    }

    @Override
    public boolean fail(int code, byte[] message) {
      return last(Kind.FAIL, code, message);
    }

    private boolean last(Kind kind, int code, byte[] data) {
      boolean taken;
      Runnable ready;
      lock.lock();
      try {
        taken = offer(kind, code, data, true);
        ready = takeCallback();
      } finally {
        lock.unlock();
      }
      runCallback(ready);
      return taken;
    }

    /** Queues an answer; lock held. */
    private boolean offer(Kind kind, int code, byte[] data, boolean last) {
      if (finished || abandoned) {
        return false;
      }
      finished = last;
      answers.add(new Answer(kind, code, data));
      queuedBytes += data.length;
      peakQueued.accumulate(queuedBytes);
      changed.signalAll();
      return true;
    }
  }
}
