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
import java.lang.System.Logger.Level;
import java.sql.Connection;
import java.sql.ResultSet;
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
 * <p>Messages live in the store; whether one is out for delivery (leased) is a column, so Length
 * can count it, but the lease itself (who holds it, its timer) lives in memory. When the store is
 * opened, the process that held the leases is gone, so every lease is returned at once: that is
 * what makes a kill of the kernel redeliver rather than lose.
 *
 * <p>A message is charged to the {@link DiskQuotas disk quota} of the program that sent it (column
 * {@code program}) until it is acked; dead-lettering keeps it, and its charge.
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

  static final String[] SCHEMA = {
    // AUTOINCREMENT: ids are never reused, so an old id can never ack a newer message.
    """
    CREATE TABLE IF NOT EXISTS queue_messages (
      id INTEGER PRIMARY KEY AUTOINCREMENT, app TEXT NOT NULL, queue TEXT NOT NULL,
      body BLOB NOT NULL, sent_nanos INTEGER NOT NULL, attempts INTEGER NOT NULL,
      max_attempts INTEGER NOT NULL, leased INTEGER NOT NULL, dead_from TEXT NOT NULL)\
    """,
    "CREATE INDEX IF NOT EXISTS queue_ready ON queue_messages (app, queue, leased, id)",
    """
    CREATE TABLE IF NOT EXISTS queue_config (
      app TEXT NOT NULL, queue TEXT NOT NULL, max_attempts INTEGER NOT NULL,
      dead_letter TEXT NOT NULL, PRIMARY KEY (app, queue)) WITHOUT ROWID\
    """,
  };

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

  private final Store store;
  private final Time time;
  private final ThreadFactory threads;
  private final DiskQuotas quotas;
  private final Map<Long, Lease> leases = new ConcurrentHashMap<>();
  private final Map<QueueId, Set<Consumer>> consumers = new ConcurrentHashMap<>();

  Queues(Store store, Time time, ThreadFactory threads, DiskQuotas quotas) throws SQLException {
    this.store = store;
    this.time = time;
    this.threads = threads;
    this.quotas = quotas;
    store.execute(SCHEMA);
    store.tx(c -> {
      DiskQuotas.addProgramColumn(c, "queue_messages");
      return null;
    });
    int returned =
        store.tx(c -> {
          deadLetterSpent(c, "leased = 1");
          try (var s =
              c.prepareStatement("UPDATE queue_messages SET leased = 0 WHERE leased = 1")) {
            return s.executeUpdate();
          }
        });
    if (returned > 0) {
      LOG.log(
          Level.INFO,
          "queue: {0} messages that were out for delivery when the store was"
              + " last closed are visible again",
          returned);
    }
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

  private SendResponse send(Call call, SendRequest r) throws SQLException {
    var q = new QueueId(call.caller().app(), name("queue", r.getQueue()));
    Check.size("body", r.getBody().size(), MAX_BODY);
    int maxAttempts = (int) Check.range("max_attempts", r.getMaxAttempts(), 0, MAX_ATTEMPTS);
    long sent = time.wallNanos();
    String program = call.caller().program();
    long id =
        quotas.tx(
            store,
            (c, charge) -> {
              int attempts = maxAttempts > 0 ? maxAttempts : config(c, q).maxAttempts();
              charge.reserve(q.app(), program, r.getBody().size() + DiskQuotas.ROW);
              try (var s =
                  c.prepareStatement(
                      "INSERT INTO queue_messages (app, queue, body, sent_nanos, attempts,"
                          + " max_attempts, leased, dead_from, program)"
                          + " VALUES (?, ?, ?, ?, 0, ?, 0, '', ?) RETURNING id")) {
                s.setString(1, q.app());
                s.setString(2, q.queue());
                s.setBytes(3, r.getBody().toByteArray());
                s.setLong(4, sent);
                s.setInt(5, attempts);
                s.setString(6, program);
                try (ResultSet rs = s.executeQuery()) {
                  rs.next();
                  return rs.getLong(1);
                }
              }
            },
            sentId -> {});
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
            consumer.wake.acquire();
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
  private Claimed claim(QueueId q, Consumer consumer, long visibility) throws SQLException {
    return store.tx(c -> {
      Delivery d;
      try (var s =
          c.prepareStatement(
              "UPDATE queue_messages SET leased = 1, attempts = attempts + 1 WHERE id ="
                  + " (SELECT id FROM queue_messages WHERE app = ? AND queue = ? AND leased = 0"
                  + " ORDER BY id LIMIT 1)"
                  + " RETURNING id, attempts, body, sent_nanos, dead_from")) {
        s.setString(1, q.app());
        s.setString(2, q.queue());
        try (ResultSet rs = s.executeQuery()) {
          if (!rs.next()) {
            return null;
          }
          d =
              Delivery.newBuilder()
                  .setId(rs.getLong(1))
                  .setAttempt(rs.getInt(2))
                  .setBody(ByteString.copyFrom(rs.getBytes(3)))
                  .setSentUnixNanos(rs.getLong(4))
                  .setDeadFrom(rs.getString(5))
                  .build();
        }
      }
      var lease = new Lease(d.getId(), d.getAttempt(), q, consumer);
      // Armed before anything else can see the lease, so every lease has its timer.
      lease.expiry =
          time.schedule(visibility, () -> threads.newThread(() -> expire(lease)).start());
      leases.put(lease.id, lease);
      consumer.leases.add(lease);
      return new Claimed(lease, d);
    });
  }

  private AckResponse ack(Call call, AckRequest r) throws SQLException {
    Lease lease = outstanding(call, r.getQueue(), r.getId(), r.getAttempt());
    quotas.tx(
        store,
        (c, charge) -> {
          // Under the store's lock, so an expiry cannot give it back in between.
          if (!leases.remove(lease.id, lease)) {
            throw notOutstanding(r.getQueue(), r.getId(), r.getAttempt());
          }
          try (var s =
              c.prepareStatement(
                  "DELETE FROM queue_messages WHERE id = ? RETURNING program, length(body)")) {
            s.setLong(1, lease.id);
            try (ResultSet rs = s.executeQuery()) {
              if (rs.next()) {
                charge.free(lease.queue.app(), rs.getString(1), rs.getLong(2) + DiskQuotas.ROW);
              }
            }
          }
          return null;
        },
        none -> {});
    forget(lease);
    return AckResponse.getDefaultInstance();
  }

  private NackResponse nack(Call call, NackRequest r) throws SQLException {
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
    try {
      Boolean dead =
          store.tx(c -> {
            if (!leases.remove(lease.id, lease)) {
              return null;
            }
            if (deadLetterSpent(c, "id = " + lease.id) > 0) {
              return true;
            }
            try (var s = c.prepareStatement("UPDATE queue_messages SET leased = 0 WHERE id = ?")) {
              s.setLong(1, lease.id);
              s.executeUpdate();
            }
            return false;
          });
      if (dead != null) {
        forget(lease);
        if (dead) {
          wakeAll(lease.queue.app());
        } else {
          wake(lease.queue);
        }
      }
      return dead;
    } catch (SQLException | RuntimeException e) {
      if (rethrow) {
        throw e instanceof RuntimeException r ? r : new IllegalStateException(e);
      }
      // From a timer or a cancellation: nobody to answer. The message stays leased until the
      // store is next opened, which returns it.
      LOG.log(Level.ERROR, "queue: cannot return message " + lease.id, e);
      return null;
    }
  }

  /**
   * Moves the leased messages matching {@code where} that have used up their attempts to their
   * queue's dead-letter queue; returns how many moved.
   */
  private static int deadLetterSpent(Connection c, String where) throws SQLException {
    try (var s =
        c.prepareStatement(
            "UPDATE queue_messages SET"
                + " dead_from = queue,"
                + " queue = COALESCE((SELECT dead_letter FROM queue_config q"
                + "   WHERE q.app = queue_messages.app AND q.queue = queue_messages.queue), '"
                + DEFAULT_DEAD_LETTER
                + "'),"
                // Dead messages wait for a person or a program to look at them: never again.
                + " attempts = 0, max_attempts = 0, leased = 0"
                + " WHERE leased = 1 AND max_attempts > 0 AND attempts >= max_attempts AND "
                + where)) {
      return s.executeUpdate();
    }
  }

  private void forget(Lease lease) {
    lease.expiry.cancel();
    lease.owner.leases.remove(lease);
    lease.owner.wake.release();
  }

  private LengthResponse length(Call call, LengthRequest r) throws SQLException {
    var q = new QueueId(call.caller().app(), name("queue", r.getQueue()));
    return store.tx(c -> {
      try (var s =
          c.prepareStatement(
              "SELECT leased, COUNT(*) FROM queue_messages WHERE app = ? AND queue = ?"
                  + " GROUP BY leased")) {
        s.setString(1, q.app());
        s.setString(2, q.queue());
        var b = LengthResponse.newBuilder();
        try (ResultSet rs = s.executeQuery()) {
          while (rs.next()) {
            if (rs.getInt(1) == 0) {
              b.setVisible(rs.getLong(2));
            } else {
              b.setInFlight(rs.getLong(2));
            }
          }
        }
        return b.build();
      }
    });
  }

  private ConfigureResponse configure(Call call, ConfigureRequest r) throws SQLException {
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
    store.tx(c -> {
      try (var s =
          c.prepareStatement(
              "INSERT INTO queue_config (app, queue, max_attempts, dead_letter) VALUES (?, ?, ?, ?)"
                  + " ON CONFLICT (app, queue) DO UPDATE SET max_attempts = excluded.max_attempts,"
                  + " dead_letter = excluded.dead_letter")) {
        s.setString(1, q.app());
        s.setString(2, q.queue());
        s.setInt(3, maxAttempts == 0 ? DEFAULT_ATTEMPTS : maxAttempts);
        s.setString(4, deadLetter);
        s.executeUpdate();
      }
      return null;
    });
    return ConfigureResponse.getDefaultInstance();
  }

  private record Config(int maxAttempts) {}

  private static Config config(Connection c, QueueId q) throws SQLException {
    try (var s =
        c.prepareStatement("SELECT max_attempts FROM queue_config WHERE app = ? AND queue = ?")) {
      s.setString(1, q.app());
      s.setString(2, q.queue());
      try (ResultSet rs = s.executeQuery()) {
        return new Config(rs.next() ? rs.getInt(1) : DEFAULT_ATTEMPTS);
      }
    }
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
