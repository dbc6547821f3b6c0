package dev.parigot.kernel.core;

import dev.parigot.abi.Errno;
import dev.parigot.kernel.Caller;
import dev.parigot.kernel.Provider;
import dev.parigot.kernel.Replies;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A service name served by processes in this kernel (the replicas of one program). Each call goes
 * to the live replica with the fewest calls in progress; ties rotate so idle replicas share work.
 *
 * <p>While a {@link Supervisor} restarts the program, a call that finds no live replica waits here
 * for the next one, within its deadline and up to a bound of bytes, instead of failing at once.
 */
final class LocalService implements Provider {
  private static final Export[] NONE = new Export[0];

  private final String name;
  private final AtomicInteger rotation = new AtomicInteger();
  // Copy-on-write: open() reads it without locking.
  private volatile Export[] servers = NONE;
  // Guarded by this: the supervisor's state, processes that start and do not serve yet, their
  // exports, and calls that wait for a replica.
  private boolean supervised;
  private long maxWaitingBytes;
  private final Set<Process> standby = new HashSet<>();
  private final List<Export> held = new ArrayList<>();
  private final ArrayDeque<Waiting> waiting = new ArrayDeque<>();
  private long waitingBytes;

  LocalService(String name) {
    this.name = name;
  }

  String name() {
    return name;
  }

  void add(Export export) {
    List<Waiting> ready;
    synchronized (this) {
      if (standby.contains(export.server())) {
        held.add(export);
        return;
      }
      Export[] s = Arrays.copyOf(servers, servers.length + 1);
      s[s.length - 1] = export;
      servers = s;
      ready = takeWaiting();
    }
    ready.forEach(Waiting::dispatch);
  }

  synchronized void remove(Process server) {
    servers = Arrays.stream(servers).filter(e -> e.server() != server).toArray(Export[]::new);
    standby.remove(server);
    held.removeIf(e -> e.server() == server);
  }

  /** Keeps {@code server}'s export of this name out of use until {@link #activate}. */
  synchronized void hold(Process server) {
    standby.add(server);
  }

  /** Puts a held server's export in use. */
  void activate(Process server) {
    List<Export> exports;
    synchronized (this) {
      standby.remove(server);
      exports = held.stream().filter(e -> e.server() == server).toList();
      held.removeAll(exports);
    }
    exports.forEach(this::add);
  }

  /**
   * From now on a call that finds no live replica waits for one, as long as the calls waiting hold
   * at most {@code maxBytes} of requests in all.
   */
  synchronized void supervise(long maxBytes) {
    supervised = true;
    maxWaitingBytes = maxBytes;
  }

  /** Calls no longer wait for a replica; those waiting fail with {@code reason}. */
  void unsupervise(Errno reason, String message) {
    List<Waiting> failed;
    synchronized (this) {
      supervised = false;
      failed = takeWaiting();
    }
    byte[] text = message.getBytes(StandardCharsets.UTF_8);
    failed.forEach(w -> w.replies.fail(reason.negative(), text));
  }

  private List<Waiting> takeWaiting() {
    List<Waiting> all = List.copyOf(waiting);
    waiting.clear();
    waitingBytes = 0;
    return all;
  }

  @Override
  public Cancellation open(Caller caller, int method, byte[] request, Replies replies) {
    return dispatch(method, request, replies);
  }

  /** Routes a call; the caller does not matter to a guest server. */
  Cancellation dispatch(int method, byte[] request, Replies replies) {
    Export export = pick();
    if (export == null) {
      Waiting w;
      synchronized (this) {
        if (servers.length > 0) {
          w = null;
        } else if (!supervised) {
          return died(replies);
        } else if (waitingBytes + request.length > maxWaitingBytes) {
          replies.fail(
              Errno.WOULD_EXCEED_LIMIT.negative(),
              ("too many calls wait for " + name + " to restart").getBytes(StandardCharsets.UTF_8));
          return reason -> {};
        } else {
          w = new Waiting(method, request, replies);
          waiting.add(w);
          waitingBytes += request.length;
        }
      }
      return w != null ? w : dispatch(method, request, replies);
    }
    return export.server().accept(export, method, request, replies);
  }

  private Cancellation died(Replies replies) {
    replies.fail(
        Errno.PROVIDER_DIED.negative(),
        ("no live process serves " + name).getBytes(StandardCharsets.UTF_8));
    return reason -> {};
  }

  private Export pick() {
    Export[] s = servers;
    if (s.length <= 1) {
      return s.length == 0 ? null : s[0];
    }
    int start = Math.floorMod(rotation.getAndIncrement(), s.length);
    Export best = null;
    int bestLoad = Integer.MAX_VALUE;
    for (int i = 0; i < s.length; i++) {
      Export e = s[(start + i) % s.length];
      int load = e.server().load();
      if (load < bestLoad) {
        best = e;
        bestLoad = load;
      }
    }
    return best;
  }

  /** A call waiting for a replica: sent on when one serves, unless its caller gave up first. */
  private final class Waiting implements Cancellation {
    private final int method;
    private final byte[] request;
    private final Replies replies;
    // Guarded by this: where the call went, once it went, and whether it was cancelled.
    private Cancellation sent;
    private Errno cancelled;

    Waiting(int method, byte[] request, Replies replies) {
      this.method = method;
      this.request = request;
      this.replies = replies;
    }

    void dispatch() {
      synchronized (this) {
        if (cancelled != null) {
          return;
        }
      }
      Cancellation c = LocalService.this.dispatch(method, request, replies);
      Errno reason;
      synchronized (this) {
        sent = c;
        reason = cancelled;
      }
      if (reason != null) {
        c.cancel(reason);
      }
    }

    @Override
    public void cancel(Errno reason) {
      Cancellation c;
      synchronized (this) {
        if (cancelled != null) {
          return;
        }
        cancelled = reason;
        c = sent;
      }
      if (c != null) {
        c.cancel(reason);
        return;
      }
      synchronized (LocalService.this) {
        if (waiting.remove(this)) {
          waitingBytes -= request.length;
        }
      }
    }
  }
}
