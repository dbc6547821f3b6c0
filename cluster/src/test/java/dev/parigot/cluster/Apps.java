package dev.parigot.cluster;

import dev.parigot.kernel.Kernel;
import dev.parigot.kernel.Manifest;
import dev.parigot.kernel.Replies;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** What the cluster's tests share: guests, manifests, nodes and a caller from Java. */
final class Apps {
  /** Quiet output: the tests read what they need from replies, not from guests' lines. */
  static final Kernel.Output QUIET = (process, stderr, line) -> {};

  private Apps() {}

  /** Copies guest {@code name} (test.v1.Echo is "echo") from the kernel's test jar into dir. */
  static void guest(Path dir, String name) throws IOException {
    try (InputStream in = Apps.class.getResourceAsStream("/wat/" + name + ".wasm")) {
      if (in == null) {
        throw new IllegalStateException("no /wat/" + name + ".wasm on the class path");
      }
      Files.write(dir.resolve(name + ".wasm"), in.readAllBytes());
    }
  }

  /** Writes {@code toml} as dir/app.toml and loads it. */
  static Manifest manifest(Path dir, String toml) throws IOException {
    Path file = dir.resolve("app.toml");
    Files.writeString(file, toml);
    return Manifest.load(file);
  }

  /** A node with a link for calls from Java. */
  static ClusterNode node(Manifest manifest, String name) {
    return ClusterNode.start(manifest, name, QUIET, Optional.empty(), Map.of(), true);
  }

  /** Calls {@code service} from Java on {@code node}'s kernel. */
  static Call call(ClusterNode node, String service, int method, byte[] request) {
    var call = new Call();
    node.kernel()
        .services()
        .lookup(service)
        .orElseThrow(() -> new AssertionError(service + " is not served on " + node.name()))
        .open(new dev.parigot.kernel.Caller(node.app(), "java", 0), method, request, call);
    return call;
  }

  static byte[] bytes(int len, int first) {
    byte[] b = new byte[len];
    for (int i = 0; i < len; i++) {
      b[i] = (byte) ('a' + i % 26);
    }
    if (len > 0) {
      b[0] = (byte) first;
    }
    return b;
  }

  /**
   * A call's results, from Java. Reading is up to the test: with {@link #slow} the caller holds at
   * most a few partials unread and says it is not ready past them.
   */
  static final class Call implements Replies {
    final CompletableFuture<Outcome> outcome = new CompletableFuture<>();
    private final List<byte[]> partials = new ArrayList<>();
    private int unreadLimit = Integer.MAX_VALUE;
    private int unread;
    private Runnable onReady;

    /** The ending: END with its data, or ERROR with its code and message. */
    record Outcome(boolean ended, int code, byte[] data) {
      String text() {
        return new String(data, StandardCharsets.UTF_8);
      }
    }

    /** Holds at most {@code n} partials unread; {@link #read} takes them. */
    synchronized Call slow(int n) {
      unreadLimit = n;
      return this;
    }

    /** Reads one partial, as a slow guest would; whether there was one. */
    boolean read() {
      Runnable ready = null;
      synchronized (this) {
        if (unread == 0) {
          return false;
        }
        unread--;
        if (unread < unreadLimit && onReady != null) {
          ready = onReady;
          onReady = null;
        }
      }
      if (ready != null) {
        ready.run();
      }
      return true;
    }

    /** Waits for a partial to read or the ending; false at the ending with nothing unread. */
    synchronized boolean awaitPartial() throws InterruptedException {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (unread == 0 && !outcome.isDone()) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new AssertionError("no partial result nor ending within 60 s");
        }
        TimeUnit.NANOSECONDS.timedWait(this, left);
      }
      return unread > 0;
    }

    synchronized List<byte[]> partials() {
      return List.copyOf(partials);
    }

    @Override
    public synchronized boolean partial(byte[] data) {
      if (outcome.isDone()) {
        return false;
      }
      partials.add(data);
      unread++;
      notifyAll();
      return true;
    }

    @Override
    public synchronized boolean isReady() {
      return outcome.isDone() || unread < unreadLimit;
    }

    @Override
    public void onReady(Runnable callback) {
      synchronized (this) {
        if (!isReady()) {
          onReady = callback;
          return;
        }
      }
      callback.run();
    }

    @Override
    public synchronized boolean end(byte[] data) {
      notifyAll();
      return outcome.complete(new Outcome(true, 0, data));
    }

    @Override
    public synchronized boolean fail(int code, byte[] message) {
      notifyAll();
      return outcome.complete(new Outcome(false, code, message));
    }

    Outcome await() throws Exception {
      return outcome.get(60, TimeUnit.SECONDS);
    }
  }
}
