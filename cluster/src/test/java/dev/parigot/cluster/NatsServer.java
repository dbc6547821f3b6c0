package dev.parigot.cluster;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real nats-server for tests: Debian's {@code nats-server} listening on 127.0.0.1 on a free port,
 * with JetStream storing its files under a test's directory. {@link #kill} ends it with SIGKILL, as
 * a crash would, and {@link #restart} starts it again on the same port with the same store, so a
 * test can check what survives.
 *
 * <p>The server's own output goes to {@code nats-server.log} in the directory, for a failed test's
 * post-mortem.
 */
final class NatsServer implements AutoCloseable {
  private static final Duration READY_TIMEOUT = Duration.ofSeconds(20);

  private final Path config;
  private final Path log;
  private final int port;
  private Process process;

  private NatsServer(Path config, Path log, int port) {
    this.config = config;
    this.log = log;
    this.port = port;
  }

  /** Starts a server with JetStream whose files live under {@code dir}. */
  static NatsServer start(Path dir) {
    return start(dir, "");
  }

  /**
   * Starts a server with JetStream whose files live under {@code dir}; {@code extraConfig} is
   * appended to its configuration (accounts and users, limits such as {@code max_payload}).
   */
  static NatsServer start(Path dir, String extraConfig) {
    try {
      Files.createDirectories(dir);
      int port = freePort();
      Path config = dir.resolve("nats-server.conf");
      String store = dir.resolve("jetstream").toAbsolutePath().toString();
      Files.writeString(
          config,
          "listen: \"127.0.0.1:%d\"\njetstream {\n  store_dir: \"%s\"\n}\n%s\n"
              .formatted(port, store, extraConfig));
      NatsServer server = new NatsServer(config, dir.resolve("nats-server.log"), port);
      server.launch();
      return server;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The URL clients connect to. */
  String url() {
    return "nats://127.0.0.1:" + port;
  }

  int port() {
    return port;
  }

  /** Ends the server at once with SIGKILL: no flush, no goodbye to clients. */
  void kill() {
    process.destroyForcibly();
    awaitExit();
  }

  /** Starts the server again, after {@link #kill} or {@link #close}, on the same port and store. */
  void restart() {
    if (process.isAlive()) {
      throw new IllegalStateException("nats-server is still running");
    }
    launch();
  }

  /** Stops the server with SIGTERM and waits for it to end. */
  @Override
  public void close() {
    if (process != null && process.isAlive()) {
      process.destroy();
      awaitExit();
    }
  }

  private void launch() {
    ProcessBuilder builder =
        new ProcessBuilder(List.of(executable(), "-c", config.toString()))
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    try {
      process = builder.start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start nats-server", e);
    }
    awaitReady();
  }

  private void awaitReady() {
    long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException(
            "nats-server exited with " + process.exitValue() + "; see " + log);
      }
      try (Socket socket = new Socket()) {
        socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
        return;
      } catch (IOException notYet) {
        try {
          Thread.sleep(20);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException("interrupted while nats-server starts", e);
        }
      }
    }
    process.destroyForcibly();
    throw new IllegalStateException(
        "nats-server did not listen on port " + port + " within " + READY_TIMEOUT + "; see " + log);
  }

  private void awaitExit() {
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        throw new IllegalStateException("nats-server did not exit within 10 s");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while nats-server exits", e);
    }
  }

  private static String executable() {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
      Path candidate = Path.of(dir.isEmpty() ? "." : dir, "nats-server");
      if (Files.isExecutable(candidate)) {
        return candidate.toString();
      }
    }
    throw new IllegalStateException(
        "nats-server is not on PATH; .ci/run installs it (apt-get install nats-server)");
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }
}
