package dev.parigot.bench;

import dev.parigot.cluster.store.JetStreamStores;
import dev.parigot.services.store.KvStore;
import dev.parigot.services.store.QueueStore;
import io.nats.client.Connection;
import io.nats.client.Nats;
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
 */
final class JetStream implements AutoCloseable {
  private final Process server;
  private final Connection connection;
  private final JetStreamStores stores;

  private JetStream(Process server, Connection connection, JetStreamStores stores) {
    this.server = server;
    this.connection = connection;
    this.stores = stores;
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
      Connection connection = Nats.connect("nats://127.0.0.1:" + port);
      return new JetStream(server, connection, JetStreamStores.open(connection, app));
    } catch (Exception | Error e) {
      server.destroyForcibly();
      throw e;
    }
  }

  KvStore kv() {
    return stores.kv();
  }

  QueueStore queue() {
    return stores.queue();
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
