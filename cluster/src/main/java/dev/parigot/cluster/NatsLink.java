package dev.parigot.cluster;

import dev.parigot.abi.Errno;
import dev.parigot.errors.ParigotException;
import io.nats.client.Connection;
import io.nats.client.Dispatcher;
import io.nats.client.ErrorListener;
import io.nats.client.Message;
import io.nats.client.NUID;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.nats.client.impl.Headers;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One program's connection to NATS, with its own user: the calls the program's processes make go
 * out through it, and the services the program exports are served through it. The server, which
 * knows the user's permissions, thus refuses what the program's manifest did not grant, whatever
 * this node's copy of the manifest says.
 */
final class NatsLink implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger("dev.parigot.cluster");
  private static final String VIOLATION = "Permissions Violation for Publish to \"";

  final String app;
  final String program;
  final Connection connection;

  /** Unique to this connection: names its inbox and its control subjects. */
  final String id = NUID.nextGlobalSequence().toLowerCase(java.util.Locale.ROOT);

  private final Transport transport;
  private final String inbox;
  private final Dispatcher replies;
  private final Dispatcher serving;
  private final AtomicLong calls = new AtomicLong();
  private final ConcurrentMap<String, CallerCall> open = new ConcurrentHashMap<>();
  private final int room;

  private NatsLink(
      String app, String program, Connection connection, Transport transport, String prefix) {
    this.app = app;
    this.program = program;
    this.connection = connection;
    this.transport = transport;
    this.inbox = prefix + id + ".";
    this.room = (int) Math.max(1024, connection.getServerInfo().getMaxPayload() - Wire.HEADER_ROOM);
    this.replies = connection.createDispatcher(this::reply);
    replies.subscribe(inbox + "*");
    this.serving = connection.createDispatcher(m -> {});
  }

  /**
   * Connects as {@code program} of {@code app}: with its user and password when {@code password} is
   * present, else without a user.
   *
   * @throws ParigotException if no server of {@code servers} takes the connection
   */
  static NatsLink connect(
      List<String> servers,
      String app,
      String program,
      Optional<String> password,
      Transport transport) {
    var holder = new NatsLink[1];
    Options.Builder options =
        options(servers, app, program, password)
            // Credits bound what a call holds; this only stops a burst from throwing.
            .maxMessagesInOutgoingQueue(65_536)
            .errorListener(
                new ErrorListener() {
                  @Override
                  public void errorOccurred(Connection conn, String error) {
                    NatsLink link = holder[0];
                    if (link != null) {
                      link.serverError(error);
                    }
                  }
                });
    try {
      Connection c = Nats.connect(options.build());
      holder[0] = new NatsLink(app, program, c, transport, inboxPrefix(program));
      transport.add(holder[0]);
      return holder[0];
    } catch (IOException e) {
      throw new ParigotException(
          "program '" + program + "' cannot connect to NATS at " + servers + ": " + e.getMessage(),
          e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ParigotException("interrupted while connecting to NATS", e);
    }
  }

  /**
   * How a node connects as user {@code user} of {@code app} (a program, or the kernel services): to
   * the first of {@code servers} that answers, again and again after a loss, with that user's inbox
   * and, when {@code password} is present, its password.
   */
  static Options.Builder options(
      List<String> servers, String app, String user, Optional<String> password) {
    Options.Builder options =
        Options.builder()
            .servers(servers.toArray(String[]::new))
            .connectionName(app + "/" + user)
            .inboxPrefix(inboxPrefix(user))
            .maxReconnects(-1)
            .reconnectWait(Duration.ofMillis(250))
            .connectionTimeout(Duration.ofSeconds(5))
            // Dispatchers and the writer hand messages to and from processes' virtual threads:
            // on their scheduler; the reader blocks in the socket, on a thread of its own
            // (RATIONALE.md, "Why do a node's NATS dispatchers run on virtual threads?").
            .executor(Executors.newVirtualThreadPerTaskExecutor())
            .readerExecutor(Executors.newCachedThreadPool(Thread.ofPlatform().daemon().factory()));
    password.ifPresent(p -> options.userInfo(user(app, user), p));
    return options;
  }

  /** The NATS user of a program, as {@code parigot cluster config} names it. */
  static String user(String app, String program) {
    return app + "." + program;
  }

  /** Where a program's replies come: its users may subscribe there and nowhere else but exports. */
  static String inboxPrefix(String program) {
    return "_INBOX_" + program + ".";
  }

  Transport transport() {
    return transport;
  }

  /** The largest payload of one message. */
  int room() {
    return room;
  }

  /** A new call's id and reply subject. */
  String newCall(CallerCall call) {
    String callId = Long.toString(calls.incrementAndGet(), 36);
    open.put(callId, call);
    return callId;
  }

  String replySubject(String callId) {
    return inbox + callId;
  }

  void forget(String callId) {
    open.remove(callId);
  }

  Iterable<CallerCall> openCalls() {
    return open.values();
  }

  /** Serves {@code service} on this connection: its calls and its calls' control messages. */
  ServiceExport export(String service, dev.parigot.kernel.ServiceRegistry registry) {
    var export = new ServiceExport(this, service, registry);
    serving.subscribe(Wire.calls(app, service), service, export::request);
    serving.subscribe(Wire.controls(app, service, id), export::control);
    serving.subscribe(Wire.cancels(app, service), export::cancel);
    transport.add(export);
    return export;
  }

  /** Waits until the server has seen everything sent so far, so subscriptions are in place. */
  void flush() {
    try {
      connection.flush(Duration.ofSeconds(5));
    } catch (java.util.concurrent.TimeoutException e) {
      throw new ParigotException("the NATS server did not answer within 5 s", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ParigotException("interrupted while waiting for NATS", e);
    }
  }

  void publish(String subject, String replyTo, Headers headers, byte[] body) {
    connection.publish(subject, replyTo, headers, body);
  }

  private void reply(Message m) {
    CallerCall call = open.get(Wire.last(m.getSubject()));
    if (call != null) {
      call.received(m);
    }
  }

  /**
   * The server refused a publish: it says so only on the connection, later. Each call to that
   * subject that has heard nothing yet fails with NOT_PERMITTED rather than waiting for its
   * deadline.
   */
  private void serverError(String error) {
    LOG.log(System.Logger.Level.WARNING, "{0}/{1}: NATS: {2}", app, program, error);
    if (!error.startsWith(VIOLATION)) {
      return;
    }
    String subject = error.substring(VIOLATION.length(), error.lastIndexOf('"'));
    byte[] why =
        ("the NATS server does not let program '"
                + program
                + "' publish to "
                + subject
                + "; its manifest in the cluster does not grant that name")
            .getBytes(StandardCharsets.UTF_8);
    for (CallerCall call : open.values()) {
      if (call.refused(subject)) {
        call.fail(Errno.NOT_PERMITTED.negative(), why);
      }
    }
  }

  @Override
  public void close() {
    try {
      connection.close();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
