package dev.parigot.cluster;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * What one node's links share: the heartbeat interval and the one thread that, every quarter of it,
 * sends heartbeats for long calls and fails the calls whose provider fell silent.
 */
final class Transport implements AutoCloseable {
  private final long interval;
  private final List<NatsLink> links = new CopyOnWriteArrayList<>();
  private final List<ServiceExport> exports = new CopyOnWriteArrayList<>();
  private final ScheduledExecutorService ticker;

  Transport(Duration heartbeat) {
    this.interval = heartbeat.toNanos();
    this.ticker =
        Executors.newSingleThreadScheduledExecutor(
            r -> Thread.ofPlatform().daemon().name("parigot-heartbeat").unstarted(r));
    long quarter = Math.max(1, interval / 4);
    ticker.scheduleAtFixedRate(this::tick, quarter, quarter, TimeUnit.NANOSECONDS);
  }

  void add(NatsLink link) {
    links.add(link);
  }

  void add(ServiceExport export) {
    exports.add(export);
  }

  private void tick() {
    long now = System.nanoTime();
    try {
      for (NatsLink link : links) {
        for (CallerCall call : link.openCalls()) {
          call.tick(now, interval);
        }
      }
      for (ServiceExport export : exports) {
        for (ProviderCall call : export.openCalls()) {
          call.tick(now, interval);
        }
      }
    } catch (RuntimeException e) {
      // A publish on a closed connection: the next tick finds the calls failed or gone.
      System.getLogger("dev.parigot.cluster").log(System.Logger.Level.DEBUG, "heartbeat: " + e, e);
    }
  }

  @Override
  public void close() {
    ticker.shutdownNow();
  }
}
