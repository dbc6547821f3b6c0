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

  /** The headers of a well-formed call as {@code caller} ("program/pid"), before a test's edits. */
  static Map<String, String> headers(String caller) {
    return Map.of(Wire.CALLER, caller, Wire.CREDIT, "65536", Wire.BOUND, "1048576");
  }

  /** Calls {@code method} of {@code service} with {@code headers}, answered in this inbox. */
  void call(String app, String service, int method, Map<String, String> headers) {
    call(app, service, method, headers, inbox + ++calls);
  }

  /** Calls with the reply subject {@code replyTo}, maybe another program's inbox. */
  void call(String app, String service, int method, Map<String, String> headers, String replyTo) {
    var h = new Headers();
    headers.forEach(h::put);
    connection.publish(Wire.call(app, service, method), replyTo, h, new byte[] {1, 2, 3});
  }

  /** Sends {@code body} with {@code headers} to a call's control subject. */
  void control(String subject, Map<String, String> headers, byte[] body) {
    var h = new Headers();
    headers.forEach(h::put);
    connection.publish(subject, h, body);
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
      if (!Wire.HEARTBEAT.equals(Wire.header(m, Wire.KIND))) {
        return m;
      }
    }
  }

  @Override
  public void close() throws InterruptedException {
    connection.close();
  }
}
