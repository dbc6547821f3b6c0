package dev.parigot.services.store;

import java.util.Optional;

/**
 * Where parigot.queue.v1.Queue keeps its messages: the storage under the service, which checks
 * names and sizes, speaks the protocol (queue.proto) and owns the leases: which receive holds a
 * delivery, its visibility timeout, and the refusal of acks of deliveries that are no longer
 * outstanding. Names arrive checked.
 *
 * <p>A delivery is out from {@link #claim} until {@link #ack} or {@link #release}; the store counts
 * a message's deliveries (its attempts) and moves a message that has used up its attempts to its
 * queue's dead-letter queue when it is released. A store that outlives the kernel that claimed a
 * message makes it visible again on its own. Every method may throw {@link StoreException}.
 */
public interface QueueStore {
  /** One delivery of a message. */
  record Delivery(long id, int attempt, byte[] body, long sentUnixNanos, String deadFrom) {}

  /** How many messages of a queue are waiting, and how many are out for delivery. */
  record Length(long visible, long inFlight) {}

  /**
   * Appends a message once it is durable and returns its id, positive and increasing in send order.
   *
   * @param maxAttempts deliveries before it is dead-lettered; 0: the queue's setting
   */
  long send(
      String app, String program, String queue, byte[] body, long sentUnixNanos, int maxAttempts)
      throws Exception;

  /**
   * The oldest visible message of the queue, now out for delivery with its attempt counted, or
   * empty if there is none. A store whose senders may be elsewhere waits a little for one first.
   */
  Optional<Delivery> claim(String app, String queue) throws Exception;

  /**
   * Whether {@link #claim} is all a receiver needs to poll: false if the store sees every send
   * (they all go through this kernel), so that a receiver may sleep until the service wakes it.
   */
  boolean sendsFromElsewhere();

  /**
   * Removes a delivered message for good.
   *
   * @throws StoreException FAILED_PRECONDITION if the store may already have given the message to
   *     another receiver
   */
  void ack(String app, String queue, long id) throws Exception;

  /**
   * Ends a delivery without an ack: the message is visible again, or moves to its dead-letter queue
   * if it has used up its attempts (and is not itself in one).
   *
   * @return whether it was dead-lettered
   */
  boolean release(String app, String queue, long id) throws Exception;

  /** The queue's counts. */
  Length length(String app, String queue) throws Exception;

  /** Sets the queue's default attempts (1 to 1000) and its dead-letter queue. */
  void configure(String app, String queue, int maxAttempts, String deadLetter) throws Exception;
}
