package dev.parigot.cluster;

import dev.parigot.errors.ParigotException;
import dev.parigot.kernel.App;
import dev.parigot.kernel.Caller;
import dev.parigot.kernel.Kernel;
import dev.parigot.kernel.Manifest;
import dev.parigot.kernel.ProcessInfo;
import dev.parigot.kernel.ProgramSpec;
import dev.parigot.kernel.Provider;
import dev.parigot.kernel.Replies;
import dev.parigot.kernel.ServiceRegistry;
import dev.parigot.kernel.conformance.ConformanceFixture;
import dev.parigot.kernel.spi.Clock;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * The conformance suite's fixture for NATS: each app it launches is split over two kernels in this
 * JVM, joined by a real nats-server. The programs that export a name run in kernel B, the others in
 * kernel A, so that every call between programs crosses NATS; the suite's Java services are served
 * in both. The kernel the suite sees is A's view: its registry, where B's names are remote, and
 * both kernels' processes, B's pids offset by {@link #B_PIDS}.
 */
public final class TwoKernels implements ConformanceFixture {
  /** Added to the pids of kernel B's processes, so the suite can tell them apart. */
  static final long B_PIDS = 1L << 40;

  private static final Duration HEARTBEAT = Duration.ofMillis(500);

  /** One server for the whole run: started on first use, stopped when the JVM ends. */
  private static final class Shared {
    static final NatsServer SERVER = start();

    private static NatsServer start() {
      try {
        var server = NatsServer.start(Files.createTempDirectory("parigot-conf-nats"));
        Runtime.getRuntime().addShutdownHook(new Thread(server::close));
        return server;
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  /** Made by the suite, through the system property. */
  public TwoKernels() {}

  @Override
  public Kernel start(Kernel.Output output, Map<String, Provider> services, Clock clock) {
    return new Split(output, services, clock, Shared.SERVER.url());
  }

  /** Two kernels as one. */
  static final class Split implements Kernel {
    private final Kernel a;
    private final Kernel b;
    private final String url;
    private final Transport transport = new Transport(HEARTBEAT);
    private final List<NatsLink> links = new ArrayList<>();
    private final List<Node> nodes = new ArrayList<>();

    Split(Kernel.Output output, Map<String, Provider> services, Clock clock, String url) {
      this.url = url;
      this.a = kernel(output, services, clock);
      this.b = kernel(output, services, clock);
    }

    private static Kernel kernel(Kernel.Output output, Map<String, Provider> services, Clock c) {
      var builder = Kernel.builder().output(output).clock(c);
      services.forEach(builder::service);
      return builder.build();
    }

    @Override
    public App launch(Manifest manifest) {
      Predicate<ProgramSpec> exporting = p -> !p.exports().isEmpty();
      Node nodeB = node(b, manifest, "b", exporting, false);
      Node nodeA = node(a, manifest, "a", exporting.negate(), true);
      // Each node waits for the other's names as it needs them, so both start at once.
      // Threads of their own: the common pool may have one thread, and a launch blocks.
      var launches =
          Stream.of(nodeB, nodeA)
              .map(n -> {
                var done = new CompletableFuture<Void>();
                Thread.ofVirtual()
                    .start(() -> {
                      try {
                        n.launch();
                        done.complete(null);
                      } catch (RuntimeException | Error e) {
                        done.completeExceptionally(e);
                      }
                    });
                return done;
              })
              .toList();
      try {
        launches.forEach(CompletableFuture::join);
      } catch (CompletionException e) {
        if (e.getCause() instanceof RuntimeException r) {
          throw r;
        }
        throw e;
      }
      return new SplitApp(manifest, a, nodeA, nodeB);
    }

    private synchronized Node node(
        Kernel kernel,
        Manifest manifest,
        String name,
        Predicate<ProgramSpec> here,
        boolean javaCalls) {
      var byProgram = new LinkedHashMap<String, NatsLink>();
      for (ProgramSpec p : manifest.programs()) {
        if (here.test(p)) {
          NatsLink link =
              NatsLink.connect(List.of(url), manifest.app(), p.name(), Optional.empty(), transport);
          links.add(link);
          byProgram.put(p.name(), link);
        }
      }
      Optional<NatsLink> java = Optional.empty();
      if (javaCalls) {
        NatsLink link =
            NatsLink.connect(List.of(url), manifest.app(), "java", Optional.empty(), transport);
        links.add(link);
        java = Optional.of(link);
      }
      Node node = new Node(kernel, manifest, name, here, byProgram, java, Duration.ofSeconds(10));
      nodes.add(node);
      return node;
    }

    @Override
    public App launchTests(Manifest manifest) {
      throw new ParigotException("the conformance suite over NATS launches no tests");
    }

    @Override
    public void verify(Manifest manifest) {
      a.verify(manifest);
    }

    @Override
    public void verify(Manifest manifest, Predicate<ProgramSpec> which) {
      a.verify(manifest, which);
    }

    @Override
    public ServiceRegistry services() {
      return a.services();
    }

    @Override
    public List<ProcessInfo> processes() {
      var all = new ArrayList<>(a.processes());
      for (ProcessInfo p : b.processes()) {
        all.add(
            new ProcessInfo(
                p.pid() + B_PIDS,
                p.app(),
                p.program(),
                p.name(),
                p.worker(),
                p.callsInFlight(),
                p.denials(),
                p.queuedBytes(),
                p.state(),
                p.memoryBytes(),
                p.cpuNanos(),
                p.callsServed(),
                p.errors(),
                p.restarts()));
      }
      return all;
    }

    @Override
    public boolean kill(long pid, String reason) {
      return pid >= B_PIDS ? b.kill(pid - B_PIDS, reason) : a.kill(pid, reason);
    }

    @Override
    public synchronized void close() {
      nodes.forEach(Node::close);
      a.close();
      b.close();
      links.forEach(NatsLink::close);
      transport.close();
    }
  }

  /** The app as a whole: its mains are A's (B runs the exporters); calls go through A. */
  private record SplitApp(Manifest manifest, Kernel a, Node nodeA, Node nodeB) implements App {
    @Override
    public String name() {
      return manifest.app();
    }

    @Override
    public int awaitMains() throws InterruptedException {
      int code = 0;
      for (App app : mains()) {
        int c = app.awaitMains();
        code = code == 0 ? c : code;
      }
      return code;
    }

    @Override
    public Optional<Integer> awaitMains(Duration timeout) throws InterruptedException {
      long deadline = System.nanoTime() + timeout.toNanos();
      int code = 0;
      for (App app : mains()) {
        Optional<Integer> c =
            app.awaitMains(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
        if (c.isEmpty()) {
          return c;
        }
        code = code == 0 ? c.get() : code;
      }
      return Optional.of(code);
    }

    private List<App> mains() {
      var all = new ArrayList<>(nodeA.mains());
      all.addAll(nodeB.mains());
      return all;
    }

    @Override
    public int maxMessageBytes(String service) {
      return manifest
          .exporterOf(service)
          .orElseThrow(() -> new IllegalArgumentException("no program exports " + service))
          .limits()
          .maxMessageBytes();
    }

    @Override
    public Provider.Cancellation call(
        String program, String service, int method, byte[] request, Replies replies) {
      maxMessageBytes(service);
      return a.services()
          .lookup(service)
          .orElseThrow(() -> new IllegalArgumentException(service + " is not served"))
          .open(new Caller(manifest.app(), program, 0), method, request, replies);
    }
  }
}
