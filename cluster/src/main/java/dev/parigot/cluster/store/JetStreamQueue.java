package dev.parigot.cluster.store;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.parigot.services.proto.QueueProto.ConfigureRequest;
import dev.parigot.services.proto.StatusProto.Code;
import dev.parigot.services.store.QueueStore;
import dev.parigot.services.store.StoreException;
import io.nats.client.Connection;
import io.nats.client.JetStream;
import io.nats.client.JetStreamApiException;
import io.nats.client.JetStreamManagement;
import io.nats.client.JetStreamSubscription;
import io.nats.client.KeyValue;
import io.nats.client.Message;
import io.nats.client.PublishOptions;
import io.nats.client.PullSubscribeOptions;
import io.nats.client.api.AckPolicy;
import io.nats.client.api.ConsumerConfiguration;
import io.nats.client.api.KeyValueEntry;
import io.nats.client.api.StreamInfoOptions;
import io.nats.client.impl.Headers;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Queues in one JetStream WorkQueue stream per app: queue {@code Q} is subject {@code
 * parigot.APP.queue.Q} (Q {@link Tokens encoded}), read by one durable pull consumer of that
 * subject which every kernel of the app shares; a message's id is its stream sequence.
 *
 * <p>The kernel, not JetStream, owns what parigot promises. A consumer's AckWait is one for all
 * receives, so each receive's visibility timeout is the service's timer, which releases the
 * delivery (a nak) when it passes; meanwhile this store tells the server every third of AckWait
 * that the delivery is in progress, so the server redelivers only what a dead kernel held. An ack
 * more than AckWait after the last such word is refused: the server may have redelivered the
 * message, and the ack would remove it under its new receiver. Attempts are the server's delivery
 * count (it survives a kernel's death); MaxDeliver only raises an advisory, so a spent message is
 * copied to its dead-letter queue (its msg id makes a retried copy a duplicate the server drops)
 * and then acked here. A queue's settings are an entry of the app's kv bucket, under a bucket name
 * no program can use.
 */
final class JetStreamQueue implements QueueStore, AutoCloseable {
  private static final String SENT = "Parigot-Sent";
  private static final String MAX_ATTEMPTS = "Parigot-Max-Attempts";
  private static final String DEAD_FROM = "Parigot-Dead-From";
  private static final Duration ACK_TIMEOUT = Duration.ofSeconds(5);

  /** One delivery out: the message to ack or nak, and when the server last heard of it. */
  private static final class Out {
    final Message message;
    final String queue;
    final int attempt;
    final int maxAttempts;
    final String deadFrom;
    volatile long touchedNanos;

    Out(Message message, String queue, int attempt, int maxAttempts, String deadFrom) {
      this.message = message;
      this.queue = queue;
      this.attempt = attempt;
      this.maxAttempts = maxAttempts;
      this.deadFrom = deadFrom;
      this.touchedNanos = System.nanoTime();
    }
  }

  private final String app;
  private final String stream;
  private final Connection connection;
  private final JetStream js;
  private final JetStreamManagement jsm;
  private final KeyValue kv;
  private final Duration ackWait;
  private final Duration claimWait;
  private final Map<String, JetStreamSubscription> pullers = new ConcurrentHashMap<>();
  private final Map<Long, Out> out = new ConcurrentHashMap<>();
  private final ScheduledExecutorService ticker;

  JetStreamQueue(
      String app,
      String stream,
      Connection connection,
      KeyValue kv,
      Duration ackWait,
      Duration claimWait)
      throws IOException {
    this.app = app;
    this.stream = stream;
    this.connection = connection;
    this.js = connection.jetStream();
    this.jsm = connection.jetStreamManagement();
    this.kv = kv;
    this.ackWait = ackWait;
    this.claimWait = claimWait;
    this.ticker =
        Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().daemon().name("parigot-queue-" + app).factory());
    long every = Math.max(1, ackWait.toMillis() / 3);
    ticker.scheduleAtFixedRate(this::touch, every, every, TimeUnit.MILLISECONDS);
  }

  /** Tells the server the deliveries out are still being worked on. */
  private void touch() {
    if (connection.getStatus() != Connection.Status.CONNECTED) {
      return;
    }
    long now = System.nanoTime();
    for (Out o : out.values()) {
      try {
        o.message.inProgress();
        o.touchedNanos = now;
      } catch (RuntimeException e) {
        // Not heard: the delivery ages, and its ack is refused once the server may redeliver.
      }
    }
  }

  @Override
  public long send(
      String app, String program, String queue, byte[] body, long sentUnixNanos, int maxAttempts) {
    ownApp(app);
    int attempts = maxAttempts > 0 ? maxAttempts : config(queue).getMaxAttempts();
    var headers =
        new Headers()
            .put(SENT, Long.toString(sentUnixNanos))
            .put(MAX_ATTEMPTS, Integer.toString(attempts));
    try {
      return js.publish(subject(queue), headers, body).getSeqno();
    } catch (IOException | JetStreamApiException e) {
      throw JetStreamKv.unavailable("send", e);
    }
  }

  @Override
  public boolean sendsFromElsewhere() {
    return true;
  }

  @Override
  public Optional<Delivery> claim(String app, String queue) throws InterruptedException {
    ownApp(app);
    JetStreamSubscription puller = puller(queue);
    while (true) {
      List<Message> got;
      synchronized (puller) {
        got = puller.fetch(1, claimWait);
      }
      if (Thread.interrupted()) {
        // Cancelled while waiting: what came back goes back at once.
        got.forEach(Message::nak);
        throw new InterruptedException();
      }
      if (got.isEmpty()) {
        return Optional.empty();
      }
      Message m = got.getFirst();
      long id = m.metaData().streamSequence();
      int attempt = (int) Math.min(Integer.MAX_VALUE, m.metaData().deliveredCount());
      int max = intHeader(m, MAX_ATTEMPTS);
      String deadFrom = header(m, DEAD_FROM);
      var o = new Out(m, queue, attempt, max, deadFrom);
      // A kernel that died holding the message's last attempt could not dead-letter it.
      if (max > 0 && attempt > max) {
        deadLetter(id, o);
        continue;
      }
      out.put(id, o);
      return Optional.of(new Delivery(id, attempt, m.getData(), longHeader(m, SENT), deadFrom));
    }
  }

  @Override
  public void ack(String app, String queue, long id) {
    ownApp(app);
    Out o = out.remove(id);
    if (o == null) {
      throw new StoreException(
          Code.FAILED_PRECONDITION, "message " + id + " is not out for delivery here");
    }
    if (System.nanoTime() - o.touchedNanos > ackWait.toNanos()) {
      throw new StoreException(
          Code.FAILED_PRECONDITION,
          "message "
              + id
              + " was out of touch with JetStream for longer than its ack wait ("
              + ackWait.toSeconds()
              + " s), so it may be with another receiver now; it will be delivered again");
    }
    try {
      o.message.ackSync(ACK_TIMEOUT);
    } catch (TimeoutException e) {
      throw JetStreamKv.unavailable("ack (the message may be delivered again)", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StoreException(Code.ABORTED, "ack: interrupted; the message may come again");
    }
  }

  @Override
  public boolean release(String app, String queue, long id) {
    ownApp(app);
    Out o = out.remove(id);
    if (o == null) {
      return false;
    }
    if (o.maxAttempts > 0 && o.attempt >= o.maxAttempts && o.deadFrom.isEmpty()) {
      deadLetter(id, o);
      return true;
    }
    o.message.nak();
    return false;
  }

  /** Copies a spent message to its dead-letter queue, then removes it from its own. */
  private void deadLetter(long id, Out o) {
    String deadLetter = config(o.queue).getDeadLetterQueue();
    var headers =
        new Headers()
            .put(SENT, header(o.message, SENT))
            .put(MAX_ATTEMPTS, "0")
            .put(DEAD_FROM, o.queue);
    // The id makes a retry after a lost answer a duplicate, which the server drops.
    var options = PublishOptions.builder().messageId("dead-" + stream + "-" + id).build();
    try {
      js.publish(subject(deadLetter), headers, o.message.getData(), options);
      o.message.ackSync(ACK_TIMEOUT);
    } catch (IOException | JetStreamApiException | TimeoutException e) {
      throw JetStreamKv.unavailable("dead-letter", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StoreException(Code.ABORTED, "dead-letter: interrupted");
    }
  }

  @Override
  public Length length(String app, String queue) {
    ownApp(app);
    try {
      String subject = subject(queue);
      Long total =
          jsm.getStreamInfo(stream, StreamInfoOptions.filterSubjects(subject))
              .getStreamState()
              .getSubjectMap()
              .get(subject);
      long all = total == null ? 0 : total;
      long inFlight = puller(queue).getConsumerInfo().getNumAckPending();
      return new Length(Math.max(0, all - inFlight), inFlight);
    } catch (IOException | JetStreamApiException e) {
      throw JetStreamKv.unavailable("length", e);
    }
  }

  @Override
  public void configure(String app, String queue, int maxAttempts, String deadLetter) {
    ownApp(app);
    var config =
        ConfigureRequest.newBuilder()
            .setQueue(queue)
            .setMaxAttempts(maxAttempts)
            .setDeadLetterQueue(deadLetter)
            .build();
    try {
      kv.put(configKey(queue), config.toByteArray());
    } catch (IOException | JetStreamApiException e) {
      throw JetStreamKv.unavailable("configure", e);
    }
  }

  /** The queue's settings, with the defaults filled in. */
  private ConfigureRequest config(String queue) {
    try {
      KeyValueEntry e = kv.get(configKey(queue));
      var b = ConfigureRequest.newBuilder();
      if (e != null && e.getValue() != null) {
        b.mergeFrom(e.getValue());
      }
      if (b.getMaxAttempts() == 0) {
        b.setMaxAttempts(JetStreamStores.DEFAULT_ATTEMPTS);
      }
      if (b.getDeadLetterQueue().isEmpty()) {
        b.setDeadLetterQueue(JetStreamStores.DEFAULT_DEAD_LETTER);
      }
      return b.build();
    } catch (InvalidProtocolBufferException e) {
      throw new StoreException(Code.INTERNAL, "queue " + queue + ": unreadable settings", e);
    } catch (IOException | JetStreamApiException e) {
      throw JetStreamKv.unavailable("queue settings", e);
    }
  }

  /** Parigot bucket names start with a letter or digit: this one is no program's. */
  private static String configKey(String queue) {
    return "_queue." + Tokens.encode(queue.getBytes(StandardCharsets.UTF_8));
  }

  /** The queue's pull subscription, bound to its consumer, made now if it was not yet. */
  private JetStreamSubscription puller(String queue) {
    return pullers.computeIfAbsent(
        queue,
        q -> {
          String durable = "q-" + Tokens.encode(q.getBytes(StandardCharsets.UTF_8));
          try {
            jsm.addOrUpdateConsumer(
                stream,
                ConsumerConfiguration.builder()
                    .durable(durable)
                    .filterSubject(subject(q))
                    .ackPolicy(AckPolicy.Explicit)
                    .ackWait(ackWait)
                    .maxDeliver(-1)
                    .maxAckPending(100_000)
                    .build());
            return js.subscribe(null, PullSubscribeOptions.bind(stream, durable));
          } catch (IOException | JetStreamApiException e) {
            throw JetStreamKv.unavailable("receive", e);
          }
        });
  }

  private String subject(String queue) {
    return "parigot." + app + ".queue." + Tokens.encode(queue.getBytes(StandardCharsets.UTF_8));
  }

  private void ownApp(String caller) {
    if (!caller.equals(app)) {
      throw new StoreException(
          Code.PERMISSION_DENIED,
          "this kernel keeps the queues of app '" + app + "' only, not of '" + caller + "'");
    }
  }

  private static String header(Message m, String name) {
    String v = m.getHeaders() == null ? null : m.getHeaders().getFirst(name);
    return v == null ? "" : v;
  }

  private static int intHeader(Message m, String name) {
    return (int) longHeader(m, name);
  }

  private static long longHeader(Message m, String name) {
    String v = header(m, name);
    try {
      return v.isEmpty() ? 0 : Long.parseLong(v);
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  /** Stops telling the server about deliveries; they come back to others after AckWait. */
  @Override
  public void close() {
    ticker.shutdownNow();
  }
}
