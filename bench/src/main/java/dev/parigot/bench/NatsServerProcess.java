package dev.parigot.bench;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Debian's nats-server (on PATH) with JetStream, on 127.0.0.1 and a free port, its files and log
 * under a directory: the peer of the cluster and services sections' NATS rows.
 */
final class NatsServerProcess implements AutoCloseable {
  private final Process process;
  private final int port;

  private NatsServerProcess(Process process, int port) {
    this.process = process;
    this.port = port;
  }

  /** Starts a server and returns once it listens. */
  static NatsServerProcess start(Path dir) throws IOException, InterruptedException {
    Files.createDirectories(dir);
    int port;
    try (var s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    Process process =
        new ProcessBuilder(
                "nats-server",
                "-a",
                "127.0.0.1",
                "-p",
                Integer.toString(port),
                "-js",
                "-sd",
                dir.resolve("js").toString())
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("nats-server.log").toFile())
            .start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (true) {
      try (var socket = new Socket()) {
        socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
        return new NatsServerProcess(process, port);
      } catch (IOException notYet) {
        if (System.nanoTime() > deadline || !process.isAlive()) {
          process.destroyForcibly();
          throw new IOException("nats-server did not start; see " + dir, notYet);
        }
        Thread.sleep(20);
      }
    }
  }

  String url() {
    return "nats://127.0.0.1:" + port;
  }

  /** Stops the server and waits for it, at most 10 s. */
  @Override
  public void close() throws InterruptedException {
    process.destroy();
    process.waitFor(10, TimeUnit.SECONDS);
  }
}
