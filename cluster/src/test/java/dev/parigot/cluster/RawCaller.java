package dev.parigot.cluster;

import io.nats.client.Connection;
import io.nats.client.Message;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.nats.client.Subscription;
import io.nats.client.impl.Headers;
import java.time.Duration;
import java.util.Map;

/**
 * A caller that is no kernel: a plain jnats connection that publishes calls with whatever headers a
 * test writes, forged or broken, and reads what comes back to its inbox, as a misbehaving or
 * hostile node would.
 */
final class RawCaller implements AutoCloseable {
  private final Connection connection;
  private final Subscription replies;
  private final String inbox;
  private int calls;

  /** Connects with the inbox of {@code program}, as that program's node would. */
  RawCaller(String url, String program) throws Exception {
    connection = Nats.connect(Options.builder().server(url).build());
    inbox = NatsLink.inboxPrefix(program) + "raw.";
    replies = connection.subscribe(inbox + "*");
    connection.flush(Duration.ofSeconds(5));
  }

  /** The fields of a well-formed call as {@code caller} ("program/pid"), before a test's edits. */
  static Map<Character, String> fields(String caller) {
    return Map.of(Wire.CALLER, caller, Wire.CREDIT, "65536", Wire.BOUND, "1048576");
  }

  /** Calls {@code method} of {@code service} with {@code fields}, answered in this inbox. */
  void call(String app, String service, int method, Map<Character, String> fields) {
    call(app, service, method, header(Wire.CALL, fields));
  }

  /** Calls with {@code header} as the call's whole {@link Wire#HEADER}, however garbled. */
  void call(String app, String service, int method, String header) {
    var h = new Headers().put(Wire.HEADER, header);
    connection.publish(Wire.call(app, service, method), inbox + ++calls, h, new byte[] {1, 2, 3});
  }

  /** Sends {@code body} to a call's control subject, as a message of {@code kind}. */
  void control(String subject, String kind, byte[] body) {
    connection.publish(subject, new Headers().put(Wire.HEADER, kind), body);
  }

  private static String header(String kind, Map<Character, String> fields) {
    var h = new Fields.Writer(kind);
    fields.forEach(h::add);
    return h.toString();
  }

  /** The next message to this inbox but heartbeats, waiting up to 30 s; fails the test if none. */
  Message next() throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (true) {
      long left = deadline - System.nanoTime();
      Message m = left > 0 ? replies.nextMessage(Duration.ofNanos(left)) : null;
      if (m == null) {
        throw new AssertionError("no message to " + inbox + "* within 30 s");
      }
      if (!Fields.of(m).kind().equals(Wire.HEARTBEAT)) {
        return m;
      }
    }
  }

  @Override
  public void close() throws InterruptedException {
    connection.close();
  }
}
