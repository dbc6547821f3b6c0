package dev.parigot.cluster;

import dev.parigot.errors.ParigotException;
import io.nats.client.JetStreamApiException;
import io.nats.client.KeyValue;
import io.nats.client.api.KeyValueConfiguration;
import io.nats.client.api.KeyValueEntry;
import io.nats.client.api.KeyValueOperation;
import io.nats.client.api.KeyValueWatchOption;
import io.nats.client.api.KeyValueWatcher;
import io.nats.client.api.StorageType;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Which node serves which service, in a JetStream key-value bucket per app: a node puts {@code
 * svc.SERVICE.NODE} once every local replica of the program exporting SERVICE has exported it, and
 * deletes it when it stops. A node whose programs require SERVICE waits for such a key before it
 * starts them, as a kernel waits for a local provider.
 */
final class Readiness implements AutoCloseable {
  private final String app;
  private final String node;
  private final List<AutoCloseable> watches = new ArrayList<>();
  private final List<Runnable> withdrawals = new ArrayList<>();

  Readiness(String app, String node) {
    this.app = app;
    this.node = node;
  }

  static String bucket(String app) {
    return "parigot_ready_" + app;
  }

  private KeyValue bucketOf(NatsLink link) {
    try {
      try {
        link.connection
            .keyValueManagement()
            .create(
                KeyValueConfiguration.builder()
                    .name(bucket(app))
                    .storageType(StorageType.File)
                    .build());
      } catch (JetStreamApiException e) {
        // Another node made it first: that bucket will do.
        link.connection.keyValueManagement().getStatus(bucket(app));
      }
      return link.connection.keyValue(bucket(app));
    } catch (IOException | JetStreamApiException e) {
      throw new ParigotException(
          "program '" + link.program + "' cannot use JetStream bucket " + bucket(app) + ": " + e,
          e);
    }
  }

  /** Says that {@code service} is served on this node. */
  synchronized void serving(NatsLink link, String service) {
    KeyValue kv = bucketOf(link);
    String key = "svc." + service + "." + node;
    try {
      kv.put(key, node.getBytes(StandardCharsets.UTF_8));
    } catch (IOException | JetStreamApiException e) {
      throw new ParigotException("cannot record that " + service + " is served: " + e, e);
    }
    withdrawals.add(() -> {
      try {
        kv.delete(key);
      } catch (IOException | JetStreamApiException | RuntimeException e) {
        // The node stops anyway; a record left behind costs callers a "no responders".
      }
    });
  }

  /** Runs {@code ready} once, when some node says it serves {@code service}. */
  synchronized void onServed(NatsLink link, String service, Runnable ready) {
    KeyValue kv = bucketOf(link);
    var once = new AtomicBoolean();
    try {
      watches.add(
          kv.watch(
              "svc." + service + ".*",
              new KeyValueWatcher() {
                @Override
                public void watch(KeyValueEntry entry) {
                  if (entry.getOperation() == KeyValueOperation.PUT
                      && once.compareAndSet(false, true)) {
                    ready.run();
                  }
                }

                @Override
                public void endOfData() {}
              },
              KeyValueWatchOption.IGNORE_DELETE));
    } catch (IOException | JetStreamApiException e) {
      throw new ParigotException("cannot watch for " + service + ": " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ParigotException("interrupted while watching for " + service, e);
    }
  }

  @Override
  public synchronized void close() {
    for (AutoCloseable w : watches) {
      try {
        w.close();
      } catch (Exception e) {
        // Closing the connection ends it too.
      }
    }
    withdrawals.forEach(Runnable::run);
  }
}
