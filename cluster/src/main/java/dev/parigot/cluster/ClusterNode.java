package dev.parigot.cluster;

import dev.parigot.engine.spi.Engine;
import dev.parigot.errors.ParigotException;
import dev.parigot.kernel.App;
import dev.parigot.kernel.Kernel;
import dev.parigot.kernel.Manifest;
import dev.parigot.kernel.ProgramSpec;
import dev.parigot.kernel.Provider;
import dev.parigot.services.HttpIngress;
import dev.parigot.services.HttpSection;
import dev.parigot.services.HttpSpec;
import dev.parigot.services.KernelServices;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * One node of an app whose manifest has a {@code [cluster]} table: what {@code parigot run APP.toml
 * --node NAME} runs. It starts a kernel with the kernel services, connects each program placed on
 * the node to NATS with the program's own user, launches those programs in the app's start order
 * and carries their calls to and from the other nodes. The node that {@code [http]} names serves
 * the app's HTTP ingress too, and the request bodies its handlers on other nodes read. Closing it
 * withdraws its services from the cluster and stops everything it started.
 */
public final class ClusterNode implements AutoCloseable {
  private final String name;
  private final Manifest manifest;
  private final KernelServices services;
  private final Optional<NodeStores> stores;
  private final Kernel kernel;
  private final Transport transport;
  private final List<NatsLink> links;
  private final Node node;
  private final CountDownLatch closed = new CountDownLatch(1);
  // The ingress, on the node [http] names, once it serves.
  private volatile Optional<HttpIngress> ingress = Optional.empty();

  private ClusterNode(
      String name,
      Manifest manifest,
      KernelServices services,
      Optional<NodeStores> stores,
      Kernel kernel,
      Transport transport,
      List<NatsLink> links,
      Node node) {
    this.name = name;
    this.manifest = manifest;
    this.services = services;
    this.stores = stores;
    this.kernel = kernel;
    this.transport = transport;
    this.links = links;
    this.node = node;
  }

  /**
   * Starts node {@code name} of {@code manifest}'s app and returns once its programs have started.
   *
   * @param output where the processes' output goes
   * @param engine the wasm engine; the kernel's default when empty
   * @throws ParigotException if the manifest has no {@code [cluster]}, does not name the node, a
   *     program's password cannot be read, NATS cannot be reached, or the programs cannot start (as
   *     {@link Kernel#launch})
   */
  public static ClusterNode start(
      Manifest manifest, String name, Kernel.Output output, Optional<Engine> engine) {
    return start(manifest, name, output, engine, Optional.empty());
  }

  /**
   * As {@link #start(Manifest, String, Kernel.Output, Optional)}; on the node {@code [http]} names,
   * the node also serves the app's HTTP ingress, on {@code listen} when present rather than {@code
   * [http]}'s listen. The address is bound first, so that one in use refuses the node before its
   * programs start.
   *
   * @throws dev.parigot.errors.InUseException if the ingress's address is in use
   * @throws ParigotException as the other {@code start}, and if {@code listen} is given to a node
   *     that does not serve {@code [http]}
   */
  public static ClusterNode start(
      Manifest manifest,
      String name,
      Kernel.Output output,
      Optional<Engine> engine,
      Optional<InetSocketAddress> listen) {
    return start(manifest, name, output, engine, listen, Map.of(), false);
  }

  static ClusterNode start(
      Manifest manifest,
      String name,
      Kernel.Output output,
      Optional<Engine> engine,
      Map<String, Provider> javaServices,
      boolean javaCalls) {
    return start(manifest, name, output, engine, Optional.empty(), javaServices, javaCalls);
  }

  /**
   * As the public {@link #start}; the kernel also serves {@code javaServices}, and with {@code
   * javaCalls} calls made from Java reach every name of the app (for tests).
   */
  static ClusterNode start(
      Manifest manifest,
      String name,
      Kernel.Output output,
      Optional<Engine> engine,
      Optional<InetSocketAddress> listen,
      Map<String, Provider> javaServices,
      boolean javaCalls) {
    Objects.requireNonNull(name, "name");
    ClusterSpec spec =
        manifest
            .section(ClusterSection.KEY)
            .orElseThrow(() ->
                new ParigotException(
                    manifest.file() + ": has no [cluster]; run it without --node"));
    if (!spec.nodes().contains(name)) {
      throw new ParigotException(
          manifest.file() + ": node '" + name + "' is not one of [cluster] nodes " + spec.nodes());
    }
    Optional<HttpSpec> http = manifest.section(HttpSection.KEY);
    boolean front = spec.httpNode().filter(name::equals).isPresent();
    if (listen.isPresent() && !front) {
      throw new ParigotException(
          "--listen: node '"
              + name
              + "' does not serve the app's HTTP"
              + spec.httpNode().map(n -> "; node '" + n + "' does ([http] node)").orElse(""));
    }
    // Bound first: an address in use refuses the node before anything starts.
    Optional<HttpIngress.Bound> bound =
        http.filter(h -> front)
            .map(h -> listen.map(a -> h.withAddress(a.getHostString(), a.getPort())).orElse(h))
            .map(h -> HttpIngress.bind(h, manifest.app()));
    List<ProgramSpec> here =
        manifest.programs().stream().filter(p -> spec.runs(name, p.name())).toList();
    Optional<NodeStores> stores = Optional.empty();
    KernelServices services;
    try {
      stores =
          NodeStores.needed(here)
              ? Optional.of(
                  NodeStores.open(
                      spec, manifest.app(), password(spec, ClusterConfig.KERNEL_SERVICES)))
              : Optional.empty();
      // kv and queue are the app's, in JetStream; the rest of a node's data (log, files) its own.
      KernelServices.Builder servicesBuilder =
          KernelServices.builder()
              .dataDir(manifest.dataDir().resolve("nodes").resolve(name))
              .grants(manifest)
              .output(output);
      stores.ifPresent(s -> s.install(servicesBuilder));
      services = servicesBuilder.build();
    } catch (RuntimeException e) {
      bound.ifPresent(HttpIngress.Bound::close);
      stores.ifPresent(NodeStores::close);
      throw e;
    }
    var transport = new Transport(spec.heartbeat());
    var links = new ArrayList<NatsLink>();
    Kernel kernel = null;
    Node node = null;
    try {
      var byProgram = new LinkedHashMap<String, NatsLink>();
      for (ProgramSpec p : here) {
        NatsLink link =
            NatsLink.connect(
                spec.servers(), manifest.app(), p.name(), password(spec, p.name()), transport);
        links.add(link);
        byProgram.put(p.name(), link);
      }
      Optional<NatsLink> java = Optional.empty();
      if (javaCalls) {
        java =
            Optional.of(
                NatsLink.connect(
                    spec.servers(), manifest.app(), "java", Optional.empty(), transport));
        links.add(java.get());
      }
      Optional<NatsLink> ingressLink = Optional.empty();
      if (bound.isPresent()) {
        ingressLink =
            Optional.of(
                NatsLink.connect(
                    spec.servers(),
                    manifest.app(),
                    ClusterConfig.HTTP_INGRESS,
                    password(spec, ClusterConfig.HTTP_INGRESS),
                    transport));
        links.add(ingressLink.get());
      }
      var builder = Kernel.builder().output(output);
      engine.ifPresent(builder::engine);
      javaServices.forEach(builder::service);
      for (String service : services.names()) {
        if (service.equals(ClusterConfig.BODY) && http.isPresent() && !front) {
          // The bodies are the ingress's: a handler here reads them from its node.
          var limits = new HashMap<String, Integer>();
          here.forEach(p -> limits.put(p.name(), p.limits().maxMessageBytes()));
          builder.service(
              service, new RemoteService(manifest.app(), service, byProgram, limits, java));
        } else {
          builder.service(service, services.provider(service).orElseThrow());
        }
      }
      kernel = builder.build();
      Kernel k = kernel;
      node =
          new Node(
              k,
              manifest,
              name,
              p -> spec.runs(name, p.name()),
              byProgram,
              java,
              Duration.ofSeconds(10));
      var started =
          new ClusterNode(name, manifest, services, stores, kernel, transport, links, node);
      node.launch();
      if (bound.isPresent()) {
        NatsLink link = ingressLink.orElseThrow();
        link.export(ClusterConfig.BODY, kernel.services());
        link.flush();
        started.ingress =
            Optional.of(
                bound.get().start(new IngressApp(started, manifest, k.services(), link), services));
      }
      return started;
    } catch (RuntimeException e) {
      bound.ifPresent(HttpIngress.Bound::close);
      if (node != null) {
        node.close();
      }
      links.forEach(NatsLink::close);
      transport.close();
      if (kernel != null) {
        kernel.close();
      }
      services.close();
      stores.ifPresent(NodeStores::close);
      throw e;
    }
  }

  /** A program's password, from the directory {@code parigot cluster config} wrote. */
  private static Optional<String> password(ClusterSpec spec, String program) {
    if (spec.credentials().isEmpty()) {
      return Optional.empty();
    }
    Path file = spec.credentials().get().resolve(ClusterConfig.passwordFile(program));
    try {
      return Optional.of(Files.readString(file, StandardCharsets.UTF_8).strip());
    } catch (IOException e) {
      throw new ParigotException(
          "program '"
              + program
              + "': cannot read its NATS password "
              + file
              + " (written by parigot cluster config): "
              + e.getMessage(),
          e);
    }
  }

  /** The node's name. */
  public String name() {
    return name;
  }

  /** The app's name. */
  public String app() {
    return manifest.app();
  }

  /** The address of the app's HTTP ingress, on the node that serves {@code [http]}. */
  public Optional<InetSocketAddress> httpAddress() {
    return ingress.map(HttpIngress::address);
  }

  /** The kernel this node runs its programs in. */
  public Kernel kernel() {
    return kernel;
  }

  /**
   * Waits until every main program of this node has ended, or, on a node without one, until the
   * node is closed.
   *
   * @return the first non-zero exit code among them, or 0
   */
  public int awaitMains() throws InterruptedException {
    List<App> mains = node.mains();
    if (mains.isEmpty()) {
      closed.await();
      return 0;
    }
    int code = 0;
    for (App app : mains) {
      int c = app.awaitMains();
      code = code == 0 ? c : code;
    }
    return code;
  }

  /** As {@link #awaitMains()}, for at most {@code timeout}; empty if mains still run. */
  public Optional<Integer> awaitMains(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    List<App> mains = node.mains();
    if (mains.isEmpty()) {
      return closed.await(timeout.toNanos(), TimeUnit.NANOSECONDS)
          ? Optional.of(0)
          : Optional.empty();
    }
    int code = 0;
    for (App app : mains) {
      Optional<Integer> c =
          app.awaitMains(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
      if (c.isEmpty()) {
        return Optional.empty();
      }
      code = code == 0 ? c.get() : code;
    }
    return Optional.of(code);
  }

  /** Withdraws this node's services, stops its processes and closes its connections. */
  @Override
  public synchronized void close() {
    if (closed.getCount() == 0) {
      return;
    }
    ingress.ifPresent(HttpIngress::close);
    node.close();
    kernel.close();
    links.forEach(NatsLink::close);
    transport.close();
    services.close();
    stores.ifPresent(NodeStores::close);
    closed.countDown();
  }
}
