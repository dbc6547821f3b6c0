package dev.parigot.cluster;

import io.nats.client.Message;
import io.nats.client.impl.Headers;
import java.time.Duration;
import java.util.Arrays;
import java.util.Optional;

/**
 * The wire format of calls between nodes (RATIONALE.md, "Why these subjects and headers?").
 *
 * <p>A call is a request on {@code parigot.APP.svc.SERVICE.METHOD}, in the queue group SERVICE,
 * with a reply inbox of the caller. Everything the provider sends comes to that inbox, numbered
 * from 1 by {@link #SEQ}; the first message names the call's control subject {@code
 * parigot.APP.svc.SERVICE.$c.NODE.ID} ({@link #CONTROL}), where the caller sends credits, cancels
 * and the rest of a request cut into chunks. '$' never appears in a service name, so control
 * subjects cannot be mistaken for a service's calls.
 */
final class Wire {
  /** The kind of a message, one letter: see the constants below. */
  static final String KIND = "P-K";

  /** The number of a message from the provider to the caller, from 1, with no gap. */
  static final String SEQ = "P-S";

  /** An error's code: a negative errno or a positive application code. */
  static final String CODE = "P-E";

  /** Bytes of credit: the caller's first window (on a request) or more of it (on a grant). */
  static final String CREDIT = "P-C";

  /** What the caller may hold unread, in bytes: past it a provider's stream fails. */
  static final String BOUND = "P-B";

  /** The call's control subject, on the provider's first message. */
  static final String CONTROL = "P-R";

  /** Present on every chunk of a message but its last. */
  static final String MORE = "P-M";

  /** On a request cut into chunks: how many there are. */
  static final String CHUNKS = "P-N";

  /** The calling program and process, as "program/pid". */
  static final String CALLER = "P-P";

  /** On a cancel to {@link #cancels}: the reply subject of the call it cancels. */
  static final String INBOX = "P-I";

  /**
   * How many milliseconds are left of the caller's deadline as it sends the call, rounded up: 0 to
   * {@link #MAX_TIMEOUT}, 0 for a deadline already passed; absent for no deadline.
   */
  static final String TIMEOUT = "P-T";

  /** The longest {@link #TIMEOUT}: a year, past which the kernel sets no deadline at all. */
  static final Duration MAX_TIMEOUT = Duration.ofDays(365);

  // Provider to caller.
  static final String ACCEPT = "a";
  static final String PARTIAL = "p";
  static final String END = "e";
  static final String FAIL = "f";
  static final String HEARTBEAT = "h";
  // Caller to provider, on the control subject.
  static final String GRANT = "g";
  static final String CANCEL = "x";
  static final String REST = "r";

  /** What a message's header costs at most, kept out of a chunk's room under max_payload. */
  static final int HEADER_ROOM = 512;

  /** What an event record costs in the caller's queue beside its payload (docs/abi.md). */
  static final int RECORD_BYTES = 32;

  private Wire() {}

  /** The subject of calls to {@code service}'s method {@code method}. */
  static String call(String app, String service, int method) {
    return "parigot." + app + ".svc." + service + "." + method;
  }

  /** The subject a provider's replicas subscribe to, in one queue group. */
  static String calls(String app, String service) {
    return "parigot." + app + ".svc." + service + ".*";
  }

  /** The control subjects of one node's calls of {@code service}. */
  static String controls(String app, String service, String nodeId) {
    return "parigot." + app + ".svc." + service + ".$c." + nodeId + ".*";
  }

  /** Every control subject of {@code service}'s calls, on any node: what its callers may use. */
  static String allControls(String app, String service) {
    return "parigot." + app + ".svc." + service + ".$c.>";
  }

  /**
   * Where a caller cancels a call whose provider has not named its control subject yet: every node
   * serving the service hears it, and the one holding the call (by {@link #INBOX}) stops it.
   */
  static String cancels(String app, String service) {
    return "parigot." + app + ".svc." + service + ".$c.all";
  }

  /**
   * {@code left} in whole milliseconds, rounded up: a deadline is never sent earlier than it is.
   */
  static long millisUp(Duration left) {
    return Math.ceilDiv(left.toNanos(), 1_000_000L);
  }

  /** The last token of a subject. */
  static String last(String subject) {
    return subject.substring(subject.lastIndexOf('.') + 1);
  }

  static String header(Message m, String name) {
    Headers h = m.getHeaders();
    return h == null ? null : h.getFirst(name);
  }

  static Optional<Long> number(Message m, String name) {
    String v = header(m, name);
    if (v == null) {
      return Optional.empty();
    }
    try {
      return Optional.of(Long.parseLong(v));
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }

  /** {@code data} cut into pieces of at most {@code room} bytes; one, maybe empty, at least. */
  static byte[][] chunks(byte[] data, int room) {
    if (data.length <= room) {
      return new byte[][] {data};
    }
    int n = (data.length + room - 1) / room;
    byte[][] out = new byte[n][];
    for (int i = 0; i < n; i++) {
      out[i] = Arrays.copyOfRange(data, i * room, Math.min(data.length, (i + 1) * room));
    }
    return out;
  }
}
