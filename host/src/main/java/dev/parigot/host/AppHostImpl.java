package dev.parigot.host;

import dev.parigot.engine.spi.Engine;
import dev.parigot.kernel.App;
import dev.parigot.kernel.Kernel;
import dev.parigot.kernel.Manifest;
import dev.parigot.kernel.spi.CallObserver;
import dev.parigot.services.HttpIngress;
import dev.parigot.services.HttpSection;
import dev.parigot.services.KernelServices;
import dev.parigot.services.TestRun;
import java.net.InetSocketAddress;
import java.util.Optional;

/** The one wiring of kernel, kernel services, HTTP ingress and output. */
final class AppHostImpl implements AppHost {
  private final Manifest manifest;
  private final Kernel.Output output;
  private final Optional<Runnable> onShutdown;
  private final Optional<Engine> engine;
  private final Optional<InetSocketAddress> listen;
  private final Optional<Integer> adminPort;
  private final Optional<CallObserver> tracer;

  AppHostImpl(
      Manifest manifest,
      Kernel.Output output,
      Optional<Runnable> onShutdown,
      Optional<Engine> engine,
      Optional<InetSocketAddress> listen,
      Optional<Integer> adminPort,
      Optional<CallObserver> tracer) {
    this.manifest = manifest;
    this.listen = listen;
    this.output = output;
    this.onShutdown = onShutdown;
    this.engine = engine;
    this.adminPort = adminPort;
    this.tracer = tracer;
  }

  @Override
  public Manifest manifest() {
    return manifest;
  }

  @Override
  public RunningApp start() {
    // Bound first: an address in use refuses the app before anything starts.
    Optional<HttpIngress.Bound> http =
        manifest
            .section(HttpSection.KEY)
            .map(spec ->
                listen.map(a -> spec.withAddress(a.getHostString(), a.getPort())).orElse(spec))
            .map(spec -> HttpIngress.bind(spec, manifest.app()));
    // With the admin endpoint, the output is kept for it to stream and calls are counted.
    Optional<OutputLog> log = adminPort.map(port -> new OutputLog(output));
    Kernel.Output out = log.<Kernel.Output>map(l -> l).orElse(output);
    Optional<Telemetry> telemetry = adminPort.map(port -> new Telemetry(tracer));
    CallObserver observer =
        telemetry.<CallObserver>map(t -> t).or(() -> tracer).orElse(CallObserver.NONE);
    KernelServices services;
    Kernel kernel;
    try {
      services = services(out);
      kernel = kernel(services, out, engine, observer);
    } catch (RuntimeException e) {
      http.ifPresent(HttpIngress.Bound::close);
      throw e;
    }
    // The hook is registered before the launch: a Ctrl-C while providers start stops them too.
    var running = new RunningAppImpl(manifest.app(), services, kernel, onShutdown);
    try {
      App app = kernel.launch(manifest);
      running.launched(app);
      http.ifPresent(bound -> running.serving(bound.start(app, services)));
      if (adminPort.isPresent()) {
        String token = AdminFiles.newToken();
        running.administered(
            AdminServer.start(
                adminPort.get(), token, manifest, kernel, app, telemetry.get(), log.get()),
            manifest.dataDir(),
            token);
      }
      return running;
    } catch (RuntimeException e) {
      http.ifPresent(HttpIngress.Bound::close);
      running.close();
      throw e;
    }
  }

  @Override
  public RunningTests startTests() {
    KernelServices services = services(output);
    TestRun run = services.tests();
    // Only the kernel's output is recorded for the report; the log service's lines are shown.
    Kernel kernel = kernel(services, run.output(output), engine, tracer.orElse(CallObserver.NONE));
    var tests = new RunningTestsImpl(manifest, services, kernel, run);
    try {
      tests.launched(kernel.launchTests(manifest));
      return tests;
    } catch (RuntimeException e) {
      tests.close();
      throw e;
    }
  }

  /** A kernel serving {@code services}; closes them if it cannot be built. */
  private static Kernel kernel(
      KernelServices services,
      Kernel.Output output,
      Optional<Engine> engine,
      CallObserver observer) {
    try {
      var builder = Kernel.builder().output(output).observer(observer);
      engine.ifPresent(builder::engine);
      return services.install(builder).build();
    } catch (RuntimeException e) {
      services.close();
      throw e;
    }
  }

  /** The kernel services, honouring the programs' grants (files, http_allow). */
  private KernelServices services(Kernel.Output output) {
    return KernelServices.builder()
        .dataDir(manifest.dataDir())
        .grants(manifest)
        .output(output)
        .build();
  }
}
