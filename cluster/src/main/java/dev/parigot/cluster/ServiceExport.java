package dev.parigot.cluster;

import dev.parigot.abi.Errno;
import dev.parigot.kernel.Caller;
import dev.parigot.kernel.Provider;
import dev.parigot.kernel.ServiceRegistry;
import io.nats.client.Message;
import io.nats.client.impl.Headers;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;

/**
 * One service this node serves to the others: takes calls from its queue group and hands each to
 * whoever serves the name in this kernel, and routes the calls' control messages.
 */
final class ServiceExport {
  // A program's name, or a user of the node's own ("_http": the HTTP ingress, from Java).
  private static final Pattern CALLER = Pattern.compile("(_?[a-z][a-z0-9_-]{0,62})/([0-9]{1,18})");
  private static final Pattern MILLIS = Pattern.compile("[0-9]{1,12}");

  final NatsLink link;
  final String service;
  private final ServiceRegistry registry;
  private final AtomicLong ids = new AtomicLong();
  private final ConcurrentMap<String, ProviderCall> open = new ConcurrentHashMap<>();
  // The same calls by their reply subject, for cancels sent before the control subject was known.
  private final ConcurrentMap<String, ProviderCall> byInbox = new ConcurrentHashMap<>();

  ServiceExport(NatsLink link, String service, ServiceRegistry registry) {
    this.link = link;
    this.service = service;
    this.registry = registry;
  }

  /**
   * A call from another node, on the link's serving dispatcher. Its deadline here runs from now;
   * the caller's identity is the program whose inbox gets the answer, as only that program's NATS
   * user may subscribe there.
   */
  void request(Message m) {
    long arrived = System.nanoTime();
    String reply = m.getReplyTo();
    if (reply == null || reply.isEmpty()) {
      return; // nobody to answer: not a call
    }
    String id = Long.toString(ids.incrementAndGet(), 36);
    String control = Wire.controls(link.app, service, link.id).replace("*", id);
    long credit = Wire.number(m, Wire.CREDIT).orElse(0L);
    long bound = Wire.number(m, Wire.BOUND).orElse(0L);
    var call = new ProviderCall(this, id, reply, control, credit, bound);
    byInbox.put(reply, call);
    Optional<String> problem = Optional.empty();
    int method = -1;
    try {
      method = Integer.parseInt(Wire.last(m.getSubject()));
    } catch (NumberFormatException e) {
      problem = Optional.of("not a method number: " + Wire.last(m.getSubject()));
    }
    var caller = CALLER.matcher(String.valueOf(Wire.header(m, Wire.CALLER)));
    if (problem.isEmpty() && (!caller.matches() || credit <= 0 || bound <= 0)) {
      problem = Optional.of("a call without a valid caller, credit or bound");
    }
    String timeout = Wire.header(m, Wire.TIMEOUT);
    if (problem.isEmpty() && timeout != null) {
      long millis = MILLIS.matcher(timeout).matches() ? Long.parseLong(timeout) : -1;
      if (millis < 0 || millis > Wire.MAX_TIMEOUT.toMillis()) {
        problem =
            Optional.of("not a timeout of 0 to " + Wire.MAX_TIMEOUT.toMillis() + " ms: " + timeout);
      } else {
        call.deadline(arrived + TimeUnit.MILLISECONDS.toNanos(millis));
      }
    }
    if (problem.isPresent()) {
      byInbox.remove(reply, call);
      call.fail(Errno.BAD_ARGUMENT.negative(), problem.get().getBytes(StandardCharsets.UTF_8));
      return;
    }
    if (!reply.startsWith(NatsLink.inboxPrefix(caller.group(1)))) {
      byInbox.remove(reply, call);
      call.fail(
          Errno.NOT_PERMITTED.negative(),
          ("a call as program '"
                  + caller.group(1)
                  + "' must be answered in its inbox "
                  + NatsLink.inboxPrefix(caller.group(1))
                  + "*, not "
                  + reply)
              .getBytes(StandardCharsets.UTF_8));
      return;
    }
    Caller who = new Caller(link.app, caller.group(1), Long.parseLong(caller.group(2)));
    long chunks = Wire.number(m, Wire.CHUNKS).orElse(1L);
    open.put(id, call);
    byte[] data = m.getData() == null ? new byte[0] : m.getData();
    if (chunks <= 1) {
      call.open(who, method, data);
    } else {
      call.expectRest(who, method, data);
    }
  }

  /** A control message of one of this node's calls. */
  void control(Message m) {
    ProviderCall call = open.get(Wire.last(m.getSubject()));
    if (call != null) {
      call.control(m);
    }
  }

  /** A cancel sent to every node serving the name: stops the call if it is this node's. */
  void cancel(Message m) {
    String inbox = Wire.header(m, Wire.INBOX);
    ProviderCall call = inbox == null ? null : byInbox.get(inbox);
    if (call != null) {
      call.control(m);
    }
  }

  /** The provider in this kernel, when some program here still serves the name. */
  Optional<Provider> provider() {
    return registry.lookup(service);
  }

  void forget(String id) {
    ProviderCall call = open.remove(id);
    if (call != null) {
      byInbox.remove(call.replyTo(), call);
    }
  }

  Iterable<ProviderCall> openCalls() {
    return open.values();
  }

  void publish(String subject, Headers h, byte[] body) {
    link.publish(subject, null, h, body);
  }
}
