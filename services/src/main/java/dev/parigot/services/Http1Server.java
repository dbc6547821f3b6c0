package dev.parigot.services;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;

/**
 * The ingress's HTTP/1.1 server: one virtual thread per connection, blocking sockets, and every
 * wait on a client bounded by {@link HttpSpec.Clients}. It admits a connection only while the
 * client and all clients together hold fewer than their limits (an excess one gets 503 and is
 * closed at once, never queued), reads the head within the header timeout and at most
 * max_header_bytes and max_headers of it (431 past those), and reads bodies within the body
 * timeouts. Why the kernel has its own: RATIONALE.md, "Why does the kernel serve HTTP with its own
 * server?".
 */
final class Http1Server implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger("dev.parigot.services.http");
  private static final byte[] BUSY =
      ("HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain; charset=utf-8\r\n"
              + "Content-Length: 21\r\nConnection: close\r\n\r\ntoo many connections\n")
          .getBytes(StandardCharsets.US_ASCII);

  /** What serves each request. */
  interface Handler {
    /**
     * Serves {@code exchange}; it must {@link Http1Exchange#close close} it once the response is
     * complete. An exception drops the connection, so that a cut-short body never looks whole.
     */
    void handle(Http1Exchange exchange) throws IOException;
  }

  final HttpSpec spec;
  final Handler handler;
  private final ServerSocket listener;
  private final ThreadFactory threads = Thread.ofVirtual().name("parigot-http-", 1).factory();
  private final ScheduledExecutorService timer;
  // The open connections and their threads, to end them on close.
  private final Map<Http1Connection, Thread> open = new ConcurrentHashMap<>();
  // Guarded by this.
  private final Map<InetAddress, Integer> perClient = new HashMap<>();
  private int connections;
  private volatile boolean closed;
  private Thread acceptor;

  private Http1Server(HttpSpec spec, Handler handler, ServerSocket listener) {
    this.spec = spec;
    this.handler = handler;
    this.listener = listener;
    var t =
        new ScheduledThreadPoolExecutor(
            1, Thread.ofPlatform().daemon().name("parigot-http-timer").factory());
    t.setRemoveOnCancelPolicy(true);
    this.timer = t;
  }

  /**
   * Binds {@code address} and starts accepting.
   *
   * @throws IOException if the address cannot be bound
   */
  static Http1Server start(InetSocketAddress address, HttpSpec spec, Handler handler)
      throws IOException {
    return start(bind(address), spec, handler);
  }

  /** A listening socket on {@code address}, for {@link #start(ServerSocket, HttpSpec, Handler)}. */
  static ServerSocket bind(InetSocketAddress address) throws IOException {
    var listener = new ServerSocket();
    try {
      listener.bind(address, 128);
    } catch (IOException e) {
      listener.close();
      throw e;
    }
    return listener;
  }

  /** Starts accepting on {@code listener}, bound by {@link #bind}; closing the server closes it. */
  static Http1Server start(ServerSocket listener, HttpSpec spec, Handler handler) {
    var server = new Http1Server(spec, handler, listener);
    server.acceptor =
        Thread.ofPlatform().daemon().name("parigot-http-accept").start(server::accept);
    return server;
  }

  InetSocketAddress address() {
    return (InetSocketAddress) listener.getLocalSocketAddress();
  }

  private void accept() {
    while (!closed) {
      Socket socket;
      try {
        socket = listener.accept();
      } catch (IOException e) {
        if (closed) {
          return;
        }
        // Out of file descriptors, say: wait a little rather than spin.
        LOG.log(Level.WARNING, "http: accept failed: {0}", e.getMessage());
        try {
          Thread.sleep(10);
        } catch (InterruptedException stop) {
          return;
        }
        continue;
      }
      InetAddress client = socket.getInetAddress();
      if (!admit(client)) {
        refuse(socket);
        continue;
      }
      var connection = new Http1Connection(this, socket);
      Thread thread = threads.newThread(connection);
      open.put(connection, thread);
      thread.start();
      if (closed) {
        connection.abort();
      }
    }
  }

  private synchronized boolean admit(InetAddress client) {
    int mine = perClient.getOrDefault(client, 0);
    if (connections >= spec.clients().maxConnections()
        || mine >= spec.clients().maxConnectionsPerClient()) {
      return false;
    }
    connections++;
    perClient.put(client, mine + 1);
    return true;
  }

  /** A connection's end: its slot is free again. */
  void closed(Http1Connection connection, InetAddress client) {
    open.remove(connection);
    synchronized (this) {
      connections--;
      perClient.computeIfPresent(client, (k, n) -> n == 1 ? null : n - 1);
    }
  }

  /** Answers 503 on a fresh connection, whose empty send buffer takes it without blocking. */
  private static void refuse(Socket socket) {
    try (socket) {
      socket.getOutputStream().write(BUSY);
      socket.shutdownOutput();
    } catch (IOException e) {
      LOG.log(Level.DEBUG, "http: refusing a connection: {0}", e.getMessage());
    }
  }

  /** Drops {@code connection} unless cancelled within the idle timeout. */
  ScheduledFuture<?> watch(Http1Connection connection) {
    return timer.schedule(
        () -> {
          LOG.log(Level.DEBUG, "http: a client that takes no response bytes is dropped");
          connection.abort();
        },
        spec.clients().idleTimeoutMillis(),
        TimeUnit.MILLISECONDS);
  }

  /** Stops listening and ends every connection and its exchange. Idempotent. */
  @Override
  public void close() {
    closed = true;
    try {
      listener.close();
      // The socket listens until the thread blocked in accept has left it.
      acceptor.join();
    } catch (IOException e) {
      LOG.log(Level.DEBUG, "http: closing the listener: {0}", e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    open.forEach((connection, thread) -> {
      thread.interrupt();
      connection.abort();
    });
    timer.shutdownNow();
  }
}
