package dev.parigot.cluster;

import dev.parigot.abi.Errno;
import dev.parigot.kernel.App;
import dev.parigot.kernel.Caller;
import dev.parigot.kernel.Manifest;
import dev.parigot.kernel.ProgramSpec;
import dev.parigot.kernel.Provider;
import dev.parigot.kernel.Replies;
import dev.parigot.kernel.ServiceRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * The whole app as the HTTP ingress of its {@code [http]} node sees it: a route's service placed on
 * this node is called in this kernel, one placed elsewhere over NATS through the ingress's own
 * connection ({@link ClusterConfig#HTTP_INGRESS}), whose user may call the routes' services only.
 */
final class IngressApp implements App {
  private final Manifest manifest;
  private final ClusterSpec spec;
  private final String node;
  private final ServiceRegistry registry;
  private final NatsLink link;
  private final ClusterNode running;

  IngressApp(ClusterNode running, Manifest manifest, ServiceRegistry registry, NatsLink link) {
    this.running = running;
    this.manifest = manifest;
    this.spec = manifest.section(ClusterSection.KEY).orElseThrow();
    this.node = running.name();
    this.registry = registry;
    this.link = link;
  }

  @Override
  public String name() {
    return manifest.app();
  }

  @Override
  public int awaitMains() throws InterruptedException {
    return running.awaitMains();
  }

  @Override
  public Optional<Integer> awaitMains(Duration timeout) throws InterruptedException {
    return running.awaitMains(timeout);
  }

  @Override
  public int maxMessageBytes(String service) {
    return exporter(service).limits().maxMessageBytes();
  }

  @Override
  public Provider.Cancellation call(
      String program, String service, int method, byte[] request, Replies replies) {
    ProgramSpec exporter = exporter(service);
    var caller = new Caller(manifest.app(), program, 0);
    if (!spec.runs(node, exporter.name())) {
      // The queue of a Java caller is the ingress's: sized by the handler's messages.
      var remote =
          new RemoteService(
              manifest.app(),
              service,
              Map.of(),
              Map.of(program, exporter.limits().maxMessageBytes()),
              Optional.of(link));
      return remote.open(caller, method, request, replies);
    }
    Optional<Provider> local = registry.lookup(service);
    if (local.isEmpty()) {
      replies.fail(
          Errno.NO_SUCH_SERVICE.negative(),
          ("no process of this node serves " + service + " now").getBytes(StandardCharsets.UTF_8));
      return reason -> {};
    }
    return local.get().open(caller, method, request, replies);
  }

  private ProgramSpec exporter(String service) {
    return manifest
        .exporterOf(service)
        .orElseThrow(() ->
            new IllegalArgumentException(
                "no program of app '" + manifest.app() + "' exports " + service));
  }
}
