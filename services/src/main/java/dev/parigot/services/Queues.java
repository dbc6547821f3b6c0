package dev.parigot.services;

import com.google.protobuf.ByteString;
import dev.parigot.services.proto.QueueProto;
import dev.parigot.services.proto.QueueProto.AckRequest;
import dev.parigot.services.proto.QueueProto.AckResponse;
import dev.parigot.services.proto.QueueProto.ConfigureRequest;
import dev.parigot.services.proto.QueueProto.ConfigureResponse;
import dev.parigot.services.proto.QueueProto.Delivery;
import dev.parigot.services.proto.QueueProto.LengthRequest;
import dev.parigot.services.proto.QueueProto.LengthResponse;
import dev.parigot.services.proto.QueueProto.NackRequest;
import dev.parigot.services.proto.QueueProto.NackResponse;
import dev.parigot.services.proto.QueueProto.ReceiveRequest;
import dev.parigot.services.proto.QueueProto.SendRequest;
import dev.parigot.services.proto.QueueProto.SendResponse;
import dev.parigot.services.store.QueueStore;
import java.lang.System.Logger.Level;
import java.sql.SQLException;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadFactory;

/**
 * parigot.queue.v1.Queue: durable queues per app, delivered at least once. See queue.proto for the
 * contract.
 *
 * <p>This checks the requests, speaks the protocol and owns the leases: which receive holds a
 * delivery, its visibility timeout, and which acks are stale. The messages live in a {@link
 * QueueStore}: in SQLite ({@link SqliteQueue}) unless the kernel was given another.
 */
final class Queues {
  private static final System.Logger LOG = System.getLogger("dev.parigot.services");

  static final int MAX_NAME = 128;
  static final int MAX_BODY = 512 * 1024;
  static final int MAX_ATTEMPTS = 1000;
  static final int DEFAULT_ATTEMPTS = 5;
  static final long MAX_VISIBILITY_MS = 12 * 3600 * 1000L;
  static final long DEFAULT_VISIBILITY_MS = 30_000;
  static final int MAX_IN_FLIGHT = 1000;
  static final String DEFAULT_DEAD_LETTER = "dead-letter";

  private record QueueId(String app, String queue) {}

  /** A message out for delivery: who holds it and when it comes back. */
  private static final class Lease {
    final long id;
    final int attempt;
    final QueueId queue;
    final Consumer owner;
    volatile Time.Scheduled expiry;

    Lease(long id, int attempt, QueueId queue, Consumer owner) {
      this.id = id;
      this.attempt = attempt;
      this.queue = queue;
      this.owner = owner;
    }
  }

  /** One Receive call. */
  private static final class Consumer {
    final Set<Lease> leases = ConcurrentHashMap.newKeySet();
    // Released when the consumer may find new work: a send, a message back, an ack of its own.
    final Semaphore wake = new Semaphore(0);
  }

  private final QueueStore store;
  private final Time time;
  private final ThreadFactory threads;
  private final Map<Long, Lease> leases = new ConcurrentHashMap<>();
  private final Map<QueueId, Set<Consumer>> consumers = new ConcurrentHashMap<>();

  Queues(QueueStore store, Time time, ThreadFactory threads) {
    this.store = store;
    this.time = time;
    this.threads = threads;
  }

  /** Queues in the SQLite store, as the kernel keeps them by default. */
  Queues(Store store, Time time, ThreadFactory threads, DiskQuotas quotas) throws SQLException {
    this(new SqliteQueue(store, quotas), time, threads);
  }

  Dispatcher dispatcher() {
    return Dispatcher.of(QueueProto.getDescriptor().findServiceByName("Queue"), threads)
        .on("Send", SendRequest.getDefaultInstance(), this::send)
        .on("Receive", ReceiveRequest.getDefaultInstance(), this::receive)
        .on("Ack", AckRequest.getDefaultInstance(), this::ack)
        .on("Nack", NackRequest.getDefaultInstance(), this::nack)
        .on("Length", LengthRequest.getDefaultInstance(), this::length)
        .on("Configure", ConfigureRequest.getDefaultInstance(), this::configure)
        .build();
  }

  private SendResponse send(Call call, SendRequest r) throws Exception {
    var q = new QueueId(call.caller().app(), name("queue", r.getQueue()));
    Check.size("body", r.getBody().size(), MAX_BODY);
    int maxAttempts = (int) Check.range("max_attempts", r.getMaxAttempts(), 0, MAX_ATTEMPTS);
    long id =
        store.send(
            q.app(),
            call.caller().program(),
            q.queue(),
            r.getBody().toByteArray(),
            time.wallNanos(),
            maxAttempts);
    wake(q);
    return SendResponse.newBuilder().setId(id).build();
  }

  private Delivery receive(Call call, ReceiveRequest r) {
    var q = new QueueId(call.caller().app(), name("queue", r.getQueue()));
    long visibilityMs =
        Check.range("visibility_timeout_ms", r.getVisibilityTimeoutMs(), 0, MAX_VISIBILITY_MS);
    long visibility = (visibilityMs == 0 ? DEFAULT_VISIBILITY_MS : visibilityMs) * 1_000_000L;
    int maxInFlight = (int) Check.range("max_in_flight", r.getMaxInFlight(), 0, MAX_IN_FLIGHT);
    int inFlight = maxInFlight == 0 ? 1 : maxInFlight;
    int limit = (int) Check.range("limit", r.getLimit(), 0, Integer.MAX_VALUE);
    var consumer = new Consumer();
    consumers.computeIfAbsent(q, k -> ConcurrentHashMap.newKeySet()).add(consumer);
    Runnable leave =
        () ->
            consumers.computeIfPresent(
                q,
                (k, set) -> {
                  set.remove(consumer);
                  return set.isEmpty() ? null : set;
                });
    // A cancelled receive (or a dead receiver) gives its messages back at once.
    call.onCancel(() -> {
      leave.run();
      consumer.leases.forEach(l -> giveBack(l, false));
    });
    // Steps run one at a time, each on a thread started after the last step ran.
    int[] sent = {0};
    call.stream(() -> {
      try {
        if (limit != 0 && sent[0] >= limit) {
          leave.run();
          call.end(Delivery.getDefaultInstance());
          return false;
        }
        // Waiting here is for a message or a free lease, never for the caller: steps run when
        // it is ready.
        while (true) {
          consumer.wake.drainPermits();
          if (consumer.leases.size() >= inFlight) {
            consumer.wake.acquire();
            continue;
          }
          Claimed claimed = claim(q, consumer, visibility);
          if (claimed == null) {
            // A store fed from elsewhere waited for a message in claim already: ask it again.
            if (!store.sendsFromElsewhere()) {
              consumer.wake.acquire();
            }
            continue;
          }
          if (!call.partial(claimed.delivery())) {
            giveBack(claimed.lease(), false);
            return false;
          }
          sent[0]++;
          return true;
        }
      } catch (Exception e) {
        leave.run();
        throw e;
      }
    });
    return null;
  }

  private record Claimed(Lease lease, Delivery delivery) {}

  /** Leases the oldest visible message of the queue, or returns null if there is none. */
  private Claimed claim(QueueId q, Consumer consumer, long visibility) throws Exception {
    QueueStore.Delivery claimed = store.claim(q.app(), q.queue()).orElse(null);
    if (claimed == null) {
      return null;
    }
    var d =
        Delivery.newBuilder()
            .setId(claimed.id())
            .setAttempt(claimed.attempt())
            .setBody(ByteString.copyFrom(claimed.body()))
            .setSentUnixNanos(claimed.sentUnixNanos())
            .setDeadFrom(claimed.deadFrom())
            .build();
    var lease = new Lease(d.getId(), d.getAttempt(), q, consumer);
    // Armed before anything else can see the lease, so every lease has its timer.
    lease.expiry = time.schedule(visibility, () -> threads.newThread(() -> expire(lease)).start());
    leases.put(lease.id, lease);
    consumer.leases.add(lease);
    return new Claimed(lease, d);
  }

  private AckResponse ack(Call call, AckRequest r) throws Exception {
    Lease lease = outstanding(call, r.getQueue(), r.getId(), r.getAttempt());
    // Whoever removes the lease first, this ack or its expiry, decides what becomes of it.
    if (!leases.remove(lease.id, lease)) {
      throw notOutstanding(r.getQueue(), r.getId(), r.getAttempt());
    }
    try {
      store.ack(lease.queue.app(), lease.queue.queue(), lease.id);
    } finally {
      forget(lease);
    }
    return AckResponse.getDefaultInstance();
  }

  private NackResponse nack(Call call, NackRequest r) throws Exception {
    Lease lease = outstanding(call, r.getQueue(), r.getId(), r.getAttempt());
    Boolean dead = giveBack(lease, true);
    if (dead == null) {
      throw notOutstanding(r.getQueue(), r.getId(), r.getAttempt());
    }
    return NackResponse.newBuilder().setDeadLettered(dead).build();
  }

  private Lease outstanding(Call call, String queue, long id, int attempt) {
    var q = new QueueId(call.caller().app(), name("queue", queue));
    Check.range("id", id, 1, Long.MAX_VALUE);
    Check.range("attempt", attempt, 1, Integer.MAX_VALUE);
    Lease lease = leases.get(id);
    if (lease == null || !lease.queue.equals(q) || lease.attempt != attempt) {
      throw notOutstanding(queue, id, attempt);
    }
    return lease;
  }

  private static Failure notOutstanding(String queue, long id, int attempt) {
    return Failure.precondition(
        "delivery "
            + attempt
            + " of message "
            + id
            + " from queue "
            + queue
            + " is not outstanding: it was acked or nacked, its visibility timeout passed, or its"
            + " receive ended; the message is (or will be) delivered again unless acked");
  }

  /** The lease's visibility timeout passed. */
  private void expire(Lease lease) {
    giveBack(lease, false);
  }

  /**
   * Ends a lease without an ack: the message is visible again, or dead-lettered once it has had its
   * attempts. Returns whether it was dead-lettered, or null if the lease had already ended.
   */
  private Boolean giveBack(Lease lease, boolean rethrow) {
    if (!leases.remove(lease.id, lease)) {
      return null;
    }
    try {
      boolean dead;
      try {
        dead = store.release(lease.queue.app(), lease.queue.queue(), lease.id);
      } finally {
        forget(lease);
      }
      if (dead) {
        wakeAll(lease.queue.app());
      } else {
        wake(lease.queue);
      }
      return dead;
    } catch (Exception e) {
      if (rethrow) {
        throw e instanceof RuntimeException r ? r : new IllegalStateException(e);
      }
      // From a timer or a cancellation: nobody to answer. The store gives the message back when
      // it is next opened (SQLite) or when its own lease runs out (JetStream).
      LOG.log(Level.ERROR, "queue: cannot return message " + lease.id, e);
      return null;
    }
  }

  private void forget(Lease lease) {
    lease.expiry.cancel();
    lease.owner.leases.remove(lease);
    lease.owner.wake.release();
  }

  private LengthResponse length(Call call, LengthRequest r) throws Exception {
    var q = new QueueId(call.caller().app(), name("queue", r.getQueue()));
    QueueStore.Length length = store.length(q.app(), q.queue());
    return LengthResponse.newBuilder()
        .setVisible(length.visible())
        .setInFlight(length.inFlight())
        .build();
  }

  private ConfigureResponse configure(Call call, ConfigureRequest r) throws Exception {
    var q = new QueueId(call.caller().app(), name("queue", r.getQueue()));
    int maxAttempts = (int) Check.range("max_attempts", r.getMaxAttempts(), 0, MAX_ATTEMPTS);
    String deadLetter =
        r.getDeadLetterQueue().isEmpty()
            ? DEFAULT_DEAD_LETTER
            : name("dead_letter_queue", r.getDeadLetterQueue());
    if (deadLetter.equals(q.queue())) {
      throw Failure.invalid(
          "dead_letter_queue: "
              + deadLetter
              + " is the queue itself; its dead messages would"
              + " come straight back");
    }
    store.configure(
        q.app(), q.queue(), maxAttempts == 0 ? DEFAULT_ATTEMPTS : maxAttempts, deadLetter);
    return ConfigureResponse.getDefaultInstance();
  }

  /** Tells the consumers of a queue that a message may be waiting. */
  private void wake(QueueId q) {
    Set<Consumer> set = consumers.get(q);
    if (set != null) {
      set.forEach(c -> c.wake.release());
    }
  }

  /** A message moved to a dead-letter queue: wake the app's consumers, one of which reads it. */
  private void wakeAll(String app) {
    consumers.forEach((q, set) -> {
      if (q.app().equals(app)) {
        set.forEach(c -> c.wake.release());
      }
    });
  }

  private static String name(String field, String name) {
    return Check.name(field, name, MAX_NAME);
  }
}
