package dev.parigot.host;

import dev.parigot.kernel.App;
import dev.parigot.kernel.Kernel;
import dev.parigot.services.HttpIngress;
import dev.parigot.services.KernelServices;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/** A running app and, in closing order, what it runs on. */
final class RunningAppImpl implements RunningApp {
  private final String name;
  private final KernelServices services;
  private final Kernel kernel;
  private final Optional<Thread> hook;
  // Set by launched, before the app is handed out.
  private App app;
  private Optional<HttpIngress> ingress = Optional.empty();
  private Optional<AdminServer> admin = Optional.empty();
  private Optional<Path> adminFiles = Optional.empty();
  private boolean closed;

  RunningAppImpl(
      String name, KernelServices services, Kernel kernel, Optional<Runnable> onShutdown) {
    this.name = name;
    this.services = services;
    this.kernel = kernel;
    this.hook =
        onShutdown.map(notice ->
            new Thread(
                () -> {
                  notice.run();
                  close();
                },
                "parigot-shutdown"));
    hook.ifPresent(Runtime.getRuntime()::addShutdownHook);
  }

  synchronized void launched(App app) {
    this.app = app;
  }

  /** Takes the app's ingress; closes it at once if the app was closed meanwhile (Ctrl-C). */
  synchronized void serving(HttpIngress started) {
    if (closed) {
      started.close();
    } else {
      ingress = Optional.of(started);
    }
  }

  /**
   * Takes the app's admin endpoint and writes its files to {@code dataDir}; closes it at once if
   * the app was closed meanwhile.
   */
  synchronized void administered(AdminServer started, Path dataDir, String token) {
    if (closed) {
      started.close();
      return;
    }
    admin = Optional.of(started);
    AdminFiles.write(dataDir, started.address(), token);
    adminFiles = Optional.of(dataDir);
  }

  @Override
  public synchronized Optional<InetSocketAddress> adminAddress() {
    return admin.map(AdminServer::address);
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public synchronized Optional<InetSocketAddress> httpAddress() {
    return ingress.map(HttpIngress::address);
  }

  @Override
  public int awaitMains() throws InterruptedException {
    return app().awaitMains();
  }

  @Override
  public Optional<Integer> awaitMains(Duration timeout) throws InterruptedException {
    return app().awaitMains(timeout);
  }

  @Override
  public void restart(String program) throws InterruptedException {
    app().restart(program);
  }

  @Override
  public void upgrade(String program, Path wasm) throws InterruptedException {
    app().upgrade(program, wasm);
  }

  @Override
  public Optional<String> failure() {
    return app().failure();
  }

  private synchronized App app() {
    return app;
  }

  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    hook.ifPresent(h -> {
      try {
        Runtime.getRuntime().removeShutdownHook(h);
      } catch (IllegalStateException e) {
        // The JVM is shutting down: the hook is what is closing the app.
      }
    });
    // The ingress stops taking requests before the kernel stops the handlers, and the kernel
    // stops its processes before the services they call close.
    adminFiles.ifPresent(AdminFiles::delete);
    admin.ifPresent(AdminServer::close);
    ingress.ifPresent(HttpIngress::close);
    kernel.close();
    services.close();
  }
}
