package dev.parigot.cluster;

import java.time.Duration;
import java.util.Arrays;

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
  /** The one header of every message: its kind and fields, as {@link Fields} reads them. */
  static final String HEADER = "Parigot";

  // Fields' tags.

  /** The number of a message from the provider to the caller, from 1, with no gap. */
  static final char SEQ = 's';

  /** An error's code: a negative errno or a positive application code. */
  static final char CODE = 'e';

  /** Bytes of credit: the caller's first window (on a call) or more of it (on a grant). */
  static final char CREDIT = 'c';

  /** What the caller may hold unread, in bytes: past it a provider's stream fails. */
  static final char BOUND = 'b';

  /** The call's control subject, on the provider's first message. */
  static final char CONTROL = 'r';

  /** A flag on every chunk of a message but its last. */
  static final char MORE = 'm';

  /** On a call cut into chunks: how many there are. */
  static final char CHUNKS = 'n';

  /** The calling program and process, as "program/pid". */
  static final char CALLER = 'p';

  /** On a cancel to {@link #cancels}: the reply subject of the call it cancels. */
  static final char INBOX = 'i';

  /**
   * How many milliseconds are left of the caller's deadline as it sends the call, rounded up: 0 to
   * {@link #MAX_TIMEOUT}, 0 for a deadline already passed; absent for no deadline.
   */
  static final char TIMEOUT = 't';

  /** The longest {@link #TIMEOUT}: a year, past which the kernel sets no deadline at all. */
  static final Duration MAX_TIMEOUT = Duration.ofDays(365);

  // Kinds. Caller to provider, on the service's subject.
  static final String CALL = "c";
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
    return service(app, service) + method;
  }

  /** What the subjects of {@code service}'s calls start with: all but the method's number. */
  static String service(String app, String service) {
    return "parigot." + app + ".svc." + service + ".";
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

  /**
   * The number {@code s} holds from {@code from} to {@code to}: 1 to {@code maxDigits} (at most 18)
   * decimal digits and nothing else; -1 if it is not one.
   */
  static long decimal(String s, int from, int to, int maxDigits) {
    if (to <= from || to - from > maxDigits) {
      return -1;
    }
    long n = 0;
    for (int i = from; i < to; i++) {
      char c = s.charAt(i);
      if (c < '0' || c > '9') {
        return -1;
      }
      n = n * 10 + (c - '0');
    }
    return n;
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
