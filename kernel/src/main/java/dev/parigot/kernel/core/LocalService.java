package dev.parigot.kernel.core;

import dev.parigot.abi.Errno;
import dev.parigot.kernel.Caller;
import dev.parigot.kernel.Provider;
import dev.parigot.kernel.Replies;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A service name served by processes in this kernel (the replicas of one program). Each call goes
 * to the live replica with the fewest calls in progress; ties rotate so idle replicas share work.
 */
final class LocalService implements Provider {
  private static final Export[] NONE = new Export[0];

  private final String name;
  private final AtomicInteger rotation = new AtomicInteger();
  // Copy-on-write: open() reads it without locking.
  private volatile Export[] servers = NONE;

  LocalService(String name) {
    this.name = name;
  }

  String name() {
    return name;
  }

  synchronized void add(Export export) {
    Export[] s = Arrays.copyOf(servers, servers.length + 1);
    s[s.length - 1] = export;
    servers = s;
  }

  synchronized void remove(Process server) {
    servers = Arrays.stream(servers).filter(e -> e.server() != server).toArray(Export[]::new);
  }

  @Override
  public Cancellation open(Caller caller, int method, byte[] request, Replies replies) {
    Export export = pick();
    if (export == null) {
      replies.fail(
          Errno.PROVIDER_DIED.negative(),
          ("no live process serves " + name).getBytes(StandardCharsets.UTF_8));
      return reason -> {};
    }
    return export.server().accept(export, method, request, replies);
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
}
