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

/**
 * One service this node serves to the others: takes calls from its queue group and hands each to
 * whoever serves the name in this kernel, and routes the calls' control messages.
 */
final class ServiceExport {

  final NatsLink link;
  final String service;
  private final ServiceRegistry registry;
  private final AtomicLong ids = new AtomicLong();
  private final ConcurrentMap<String, ProviderCall> open = new ConcurrentHashMap<>();
  // The same calls by their reply subject, for cancels sent before the control subject was known.
  private final ConcurrentMap<String, ProviderCall> byInbox = new ConcurrentHashMap<>();
  // This node's control subjects of the service's calls, but for the call's id.
  private final String controls;

  ServiceExport(NatsLink link, String service, ServiceRegistry registry) {
    this.link = link;
    this.service = service;
    this.registry = registry;
    this.controls = Wire.controls(link.app, service, link.id).replace("*", "");
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
    Fields f = Fields.of(m);
    String id = Long.toString(ids.incrementAndGet(), 36);
    long credit = f.number(Wire.CREDIT, 0);
    long bound = f.number(Wire.BOUND, 0);
    var call = new ProviderCall(this, id, reply, controls + id, credit, bound, arrived);
    byInbox.put(reply, call);
    String problem = null;
    String token = Wire.last(m.getSubject());
    int method = (int) Wire.decimal(token, 0, token.length(), 9);
    // "program/pid": a program's name, or a user of the node's own ("_http", the HTTP ingress).
    String caller = f.text(Wire.CALLER);
    int slash = caller == null ? -1 : caller.indexOf('/');
    long pid = slash < 0 ? -1 : Wire.decimal(caller, slash + 1, caller.length(), 18);
    if (method < 0) {
      problem = "not a method number: " + token;
    } else if (!f.kind().equals(Wire.CALL)
        || pid < 0
        || !isProgram(caller, slash)
        || credit <= 0
        || bound <= 0) {
      problem = "a call without a valid kind, caller, credit or bound: " + f;
    } else if (f.has(Wire.TIMEOUT)) {
      long millis = f.number(Wire.TIMEOUT, -1);
      if (millis < 0 || millis > Wire.MAX_TIMEOUT.toMillis()) {
        problem =
            "not a timeout of 0 to " + Wire.MAX_TIMEOUT.toMillis() + " ms: " + f.text(Wire.TIMEOUT);
      } else {
        call.deadline(arrived + TimeUnit.MILLISECONDS.toNanos(millis));
      }
    }
    if (problem != null) {
      byInbox.remove(reply, call);
      call.fail(Errno.BAD_ARGUMENT.negative(), problem.getBytes(StandardCharsets.UTF_8));
      return;
    }
    String program = caller.substring(0, slash);
    String inbox = NatsLink.inboxPrefix(program);
    if (!reply.startsWith(inbox)) {
      byInbox.remove(reply, call);
      call.fail(
          Errno.NOT_PERMITTED.negative(),
          ("a call as program '"
                  + program
                  + "' must be answered in its inbox "
                  + inbox
                  + "*, not "
                  + reply)
              .getBytes(StandardCharsets.UTF_8));
      return;
    }
    Caller who = new Caller(link.app, program, pid);
    open.put(id, call);
    byte[] data = m.getData() == null ? new byte[0] : m.getData();
    if (f.number(Wire.CHUNKS, 1) <= 1) {
      call.open(who, method, data);
    } else {
      call.expectRest(who, method, data);
    }
  }

  /**
   * Whether {@code s} up to {@code end} is a program's name, or a user of the node's own: '_' and a
   * name ("_http": the HTTP ingress, from Java).
   */
  private static boolean isProgram(String s, int end) {
    int i = s.startsWith("_") ? 1 : 0;
    if (end - i < 1 || end - i > 63 || s.charAt(i) < 'a' || s.charAt(i) > 'z') {
      return false;
    }
    for (i++; i < end; i++) {
      char c = s.charAt(i);
      if (!(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_' || c == '-')) {
        return false;
      }
    }
    return true;
  }

  /** A control message of one of this node's calls. */
  void control(Message m) {
    ProviderCall call = open.get(Wire.last(m.getSubject()));
    if (call != null) {
      call.control(m, Fields.of(m));
    }
  }

  /** A cancel sent to every node serving the name: stops the call if it is this node's. */
  void cancel(Message m) {
    Fields f = Fields.of(m);
    String inbox = f.text(Wire.INBOX);
    ProviderCall call = inbox == null ? null : byInbox.get(inbox);
    if (call != null) {
      call.control(m, f);
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
