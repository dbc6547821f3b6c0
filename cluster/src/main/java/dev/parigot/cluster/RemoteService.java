package dev.parigot.cluster;

import dev.parigot.abi.Errno;
import dev.parigot.kernel.Caller;
import dev.parigot.kernel.Provider;
import dev.parigot.kernel.Replies;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;

/**
 * A service served on other nodes, as this kernel's registry sees it: each call goes out through
 * the NATS connection of the calling program, to the queue group of the service's replicas.
 */
final class RemoteService implements Provider {
  /**
   * Of the caller's queue bound (docs/abi.md, "Queue bound": 16 x its max_message_bytes), the share
   * one stream may have in flight: a quarter, so that the credits in flight of a few streams
   * together stay within the bound while the caller is ready.
   */
  static final int WINDOW_MESSAGES = 4;

  static final int BOUND_MESSAGES = 16;

  // program -> its link and its max_message_bytes.
  private final Map<String, NatsLink> links;
  private final Map<String, Integer> maxMessageBytes;
  private final Optional<NatsLink> java;
  // The subject of the service's calls but for the method's number, and where cancels go.
  private final String calls;
  private final String cancels;

  /**
   * @param links the connection of each program of this node
   * @param java the connection of calls made from Java (pid 0) by no program of this node
   */
  RemoteService(
      String app,
      String name,
      Map<String, NatsLink> links,
      Map<String, Integer> maxMessageBytes,
      Optional<NatsLink> java) {
    this.links = Map.copyOf(links);
    this.maxMessageBytes = Map.copyOf(maxMessageBytes);
    this.java = java;
    this.calls = Wire.service(app, name);
    this.cancels = Wire.cancels(app, name);
  }

  @Override
  public Cancellation open(Caller caller, int method, byte[] request, Replies replies) {
    NatsLink link = links.get(caller.program());
    if (link == null && caller.pid() == 0) {
      link = java.orElse(null);
    }
    if (link == null) {
      replies.fail(
          Errno.NOT_PERMITTED.negative(),
          ("program '" + caller.program() + "' has no NATS connection on this node")
              .getBytes(StandardCharsets.UTF_8));
      return reason -> {};
    }
    long max = maxMessageBytes.getOrDefault(caller.program(), 1 << 16);
    var call =
        new CallerCall(
            link, calls + method, cancels, replies, WINDOW_MESSAGES * max, BOUND_MESSAGES * max);
    call.start(caller, request, replies.timeLeft());
    return call;
  }
}
