package dev.parigot.bench;

import dev.parigot.services.store.KvStore;
import dev.parigot.services.store.QueueStore;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A nats-server with JetStream on 127.0.0.1, its files under a directory, and an app's kv and queue
 * stores on it, for the services section's JetStream rows.
 *
 * <p>The stores are opened by name: the cluster module has no module descriptor yet, so this named
 * module cannot require it; the runner puts it (and jnats) on the class path.
 */
final class JetStream implements AutoCloseable {
  private final Process server;
  private final AutoCloseable connection;
  private final AutoCloseable stores;
  private final KvStore kv;
  private final QueueStore queue;

  private JetStream(
      Process server,
      AutoCloseable connection,
      AutoCloseable stores,
      KvStore kv,
      QueueStore queue) {
    this.server = server;
    this.connection = connection;
    this.stores = stores;
    this.kv = kv;
    this.queue = queue;
  }

  /** Starts the server (Debian's nats-server on PATH) and opens app {@code app}'s stores. */
  static JetStream start(Path dir, String app) throws Exception {
    Files.createDirectories(dir);
    int port;
    try (var s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    Process server =
        new ProcessBuilder(
                List.of(
                    "nats-server",
                    "-a",
                    "127.0.0.1",
                    "-p",
                    Integer.toString(port),
                    "-js",
                    "-sd",
                    dir.toAbsolutePath().toString()))
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("nats-server.log").toFile())
            .start();
    try {
      awaitListening(server, port);
      ClassLoader loader = JetStream.class.getClassLoader();
      Class<?> nats = Class.forName("io.nats.client.Nats", true, loader);
      Class<?> connectionType = Class.forName("io.nats.client.Connection", true, loader);
      Object connection =
          nats.getMethod("connect", String.class).invoke(null, "nats://127.0.0.1:" + port);
      Class<?> factory = Class.forName("dev.parigot.cluster.store.JetStreamStores", true, loader);
      Object stores =
          factory.getMethod("open", connectionType, String.class).invoke(null, connection, app);
      return new JetStream(
          server,
          (AutoCloseable) connection,
          (AutoCloseable) stores,
          (KvStore) factory.getMethod("kv").invoke(stores),
          (QueueStore) factory.getMethod("queue").invoke(stores));
    } catch (Exception | Error e) {
      server.destroyForcibly();
      throw e;
    }
  }

  KvStore kv() {
    return kv;
  }

  QueueStore queue() {
    return queue;
  }

  private static void awaitListening(Process server, int port)
      throws IOException, InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (System.nanoTime() < deadline) {
      if (!server.isAlive()) {
        throw new IOException("nats-server exited with " + server.exitValue());
      }
      try (var socket = new Socket()) {
        socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
        return;
      } catch (IOException notYet) {
        Thread.sleep(20);
      }
    }
    throw new IOException("nats-server did not listen on port " + port + " within 20 s");
  }

  @Override
  public void close() throws Exception {
    try {
      stores.close();
      connection.close();
    } finally {
      server.destroy();
      server.waitFor(10, TimeUnit.SECONDS);
    }
  }
}
