package dev.parigot.cluster;

import dev.parigot.abi.Errno;
import dev.parigot.kernel.Caller;
import dev.parigot.kernel.Kernel;
import dev.parigot.kernel.Provider;
import dev.parigot.kernel.Replies;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A node played by a test: a kernel whose Java provider of {@link #NAME} is served to the other
 * nodes over NATS as a program's export is (a {@link ServiceExport} on the connection of program
 * {@link #PROGRAM}, and its readiness record), so the test sees each call as the provider does: the
 * caller, the {@link Replies} with its deadline, and whether and why the call was cancelled. The
 * provider answers nothing by itself.
 */
final class JavaProviderNode implements AutoCloseable {
  static final String NAME = "test.v1.Hold";
  static final String PROGRAM = "holder";

  /** One call as the provider saw it. */
  record Call(
      Caller caller,
      int method,
      byte[] request,
      Replies replies,
      CompletableFuture<Errno> cancelled) {
    /** Why the call was cancelled, waiting up to 30 s for it. */
    Errno cancellation() throws Exception {
      try {
        return cancelled.get(30, TimeUnit.SECONDS);
      } catch (TimeoutException e) {
        throw new AssertionError("the call was not cancelled within 30 s", e);
      }
    }
  }

  private final BlockingQueue<Call> calls = new LinkedBlockingQueue<>();
  private final Kernel kernel;
  private final Transport transport;
  private final NatsLink link;
  private final Readiness readiness;

  private JavaProviderNode(String url, String app, String node, Duration heartbeat) {
    Provider hold =
        (caller, method, request, replies) -> {
          var call = new Call(caller, method, request, replies, new CompletableFuture<>());
          calls.add(call);
          return call.cancelled::complete;
        };
    kernel = Kernel.builder().output(Apps.QUIET).service(NAME, hold).build();
    transport = new Transport(heartbeat);
    link = NatsLink.connect(List.of(url), app, PROGRAM, Optional.empty(), transport);
    link.export(NAME, kernel.services());
    link.flush();
    readiness = new Readiness(app, node);
    readiness.serving(link, NAME);
  }

  /**
   * Serves {@link #NAME} as node {@code node} of {@code app}, heartbeats every {@code heartbeat}.
   */
  static JavaProviderNode start(String url, String app, String node, Duration heartbeat) {
    return new JavaProviderNode(url, app, node, heartbeat);
  }

  /** The next call the provider was opened for, waiting up to 30 s; fails the test if none. */
  Call next() throws InterruptedException {
    Call c = calls.poll(30, TimeUnit.SECONDS);
    if (c == null) {
      throw new AssertionError("no call reached " + NAME + " within 30 s");
    }
    return c;
  }

  @Override
  public void close() {
    readiness.close();
    link.close();
    transport.close();
    kernel.close();
  }
}
