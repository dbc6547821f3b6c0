package dev.parigot.cluster.store;

import dev.parigot.services.proto.StatusProto.Code;
import dev.parigot.services.store.KvStore;
import dev.parigot.services.store.QueueStore;
import dev.parigot.services.store.StoreException;
import io.nats.client.Connection;
import io.nats.client.JetStreamApiException;
import io.nats.client.JetStreamManagement;
import io.nats.client.KeyValue;
import io.nats.client.api.KeyValueConfiguration;
import io.nats.client.api.RetentionPolicy;
import io.nats.client.api.StorageType;
import io.nats.client.api.StreamConfiguration;
import java.io.IOException;
import java.time.Duration;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * An app's kv and queues on JetStream, for the kernels of a cluster: one KV bucket ({@code
 * parigot-kv-APP}) and one WorkQueue stream ({@code parigot-queue-APP}, subjects {@code
 * parigot.APP.queue.>}), both stored in files, made on first open and shared by every kernel of the
 * app. Give {@link #kv} and {@link #queue} to {@code KernelServices.Builder#stores}.
 *
 * <p>The server acknowledges a write before it reaches the disk (nats-server 2.9 has no
 * sync_interval setting), so a write survives a killed server, not a lost machine.
 */
public final class JetStreamStores implements AutoCloseable {
  static final int DEFAULT_ATTEMPTS = 5;
  static final String DEFAULT_DEAD_LETTER = "dead-letter";

  /** A manifest's app name: also a valid KV bucket name and subject token. */
  private static final Pattern APP = Pattern.compile("[a-z][a-z0-9-]{0,62}");

  private final JetStreamKv kv;
  private final JetStreamQueue queue;

  private JetStreamStores(JetStreamKv kv, JetStreamQueue queue) {
    this.kv = kv;
    this.queue = queue;
  }

  /** Opens the app's stores with the defaults: 64 changes kept per key, an ack wait of 30 s. */
  public static JetStreamStores open(Connection connection, String app) {
    return open(connection, app, 64, Duration.ofSeconds(30));
  }

  /**
   * Opens the app's stores, making its bucket and stream if they do not exist.
   *
   * @param history changes kept per key for watches, 1 to 64
   * @param ackWait how long the server waits for word of a delivery before it gives the message to
   *     another receiver: the longest a dead kernel's deliveries stay out
   * @throws IllegalArgumentException if {@code app} is not an app name or a bound is out of range
   * @throws StoreException UNAVAILABLE if JetStream cannot be reached or refuses the bucket or
   *     stream (one made before with other settings)
   */
  public static JetStreamStores open(
      Connection connection, String app, int history, Duration ackWait) {
    Objects.requireNonNull(connection, "connection");
    if (!APP.matcher(app).matches()) {
      throw new IllegalArgumentException("not an app name: '" + app + "'");
    }
    if (history < 1 || history > 64) {
      throw new IllegalArgumentException("history must be 1 to 64, not " + history);
    }
    if (ackWait.toMillis() < 100) {
      throw new IllegalArgumentException("ackWait must be at least 100 ms, not " + ackWait);
    }
    String bucket = "parigot-kv-" + app;
    String stream = "parigot-queue-" + app;
    try {
      JetStreamManagement jsm = connection.jetStreamManagement();
      if (!jsm.getStreamNames().contains("KV_" + bucket)) {
        connection
            .keyValueManagement()
            .create(
                KeyValueConfiguration.builder()
                    .name(bucket)
                    .maxHistoryPerKey(history)
                    .storageType(StorageType.File)
                    .build());
      }
      if (!jsm.getStreamNames().contains(stream)) {
        jsm.addStream(
            StreamConfiguration.builder()
                .name(stream)
                .subjects(queueSubjects(app))
                .retentionPolicy(RetentionPolicy.WorkQueue)
                .storageType(StorageType.File)
                .build());
      }
      KeyValue kv = connection.keyValue(bucket);
      return new JetStreamStores(
          new JetStreamKv(app, bucket, kv, connection.jetStream(), jsm),
          new JetStreamQueue(app, stream, connection, kv, ackWait, Duration.ofSeconds(1)));
    } catch (IOException | JetStreamApiException e) {
      throw new StoreException(
          Code.UNAVAILABLE,
          "cannot open the JetStream bucket and stream of app '" + app + "': " + e.getMessage(),
          e);
    }
  }

  /** The subjects of app {@code app}'s queue stream, whose publishers are its queues' senders. */
  public static String queueSubjects(String app) {
    return "parigot." + app + ".queue.>";
  }

  /** The app's kv. */
  public KvStore kv() {
    return kv;
  }

  /** The app's queues. */
  public QueueStore queue() {
    return queue;
  }

  /**
   * Stops keeping this kernel's deliveries alive: the server gives them to other receivers after
   * the ack wait. The connection stays open; it is the caller's.
   */
  @Override
  public void close() {
    queue.close();
  }
}
