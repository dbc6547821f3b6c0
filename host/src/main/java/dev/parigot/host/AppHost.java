package dev.parigot.host;

import dev.parigot.engine.spi.Engine;
import dev.parigot.errors.ParigotException;
import dev.parigot.kernel.Kernel;
import dev.parigot.kernel.Manifest;
import dev.parigot.kernel.spi.CallObserver;
import dev.parigot.services.HttpSection;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.util.Objects;
import java.util.Optional;

/**
 * Turns an app's manifest into a running app: a kernel with the kernel services installed, the
 * app's programs, its HTTP ingress if the manifest has an {@code [http]} table, and their output.
 * It is what {@code parigot run} and {@code parigot test} run, and what tests use to run a whole
 * app as those commands do.
 *
 * <p>An {@code AppHost} is a configuration: each {@link #start} or {@link #startTests} opens the
 * kernel services on the manifest's {@link Manifest#dataDir data directory}, builds a kernel and
 * launches the app anew, and the returned handle closes them all. One data directory belongs to one
 * running app at a time, so run one handle of an app at a time. Thread-safe.
 *
 * <pre>{@code
 * try (RunningApp app = AppHost.builder(Manifest.load(file)).build().start()) {
 *   int code = app.awaitMains();
 * }
 * }</pre>
 */
public interface AppHost {
  /**
   * A builder for the app of {@code manifest}.
   *
   * @param manifest the app, as loaded by {@link Manifest#load}
   */
  static Builder builder(Manifest manifest) {
    return new Builder(manifest);
  }

  /** The app this host runs. */
  Manifest manifest();

  /**
   * Runs the app as {@code parigot run} does: opens the kernel services with the grants of the
   * manifest, builds a kernel that serves them, launches every program but the tests (providers
   * first) and, if the manifest has an {@code [http]} table, starts the HTTP ingress on its
   * address. If it fails, whatever it had opened is closed before it throws.
   *
   * @return the running app; close it to stop everything
   * @throws dev.parigot.kernel.ModuleRefusedException if a module is refused
   * @throws dev.parigot.errors.InUseException if the HTTP address is bound by another socket, or
   *     the data directory is locked by another kernel; nothing was started then
   * @throws dev.parigot.errors.StartFailedException if a program ended while starting; its
   *     dependents were not started, and what had started is stopped
   * @throws ParigotException if the app cannot start otherwise: the data directory cannot be
   *     opened, a program requires a {@code parigot.} name the kernel does not serve, or the HTTP
   *     address cannot be bound
   */
  RunningApp start();

  /**
   * Runs the app's test programs as {@code parigot test} does: opens the kernel services, builds a
   * kernel whose output {@link dev.parigot.services.TestRun records} what the tests report, and
   * launches the test programs with the programs they require (no {@code main}, no HTTP ingress).
   * If it fails, whatever it had opened is closed before it throws.
   *
   * @return the running tests; close them to stop everything
   * @throws dev.parigot.kernel.ModuleRefusedException if a module is refused
   * @throws ParigotException if the manifest has no test program, or the tests cannot start
   *     otherwise (as for {@link #start})
   */
  RunningTests startTests();

  /** Configures an {@link AppHost}. */
  final class Builder {
    private final Manifest manifest;
    private Kernel.Output output =
        (process, stderr, line) ->
            (stderr ? System.err : System.out).println(process + ": " + line);
    private Optional<Runnable> onShutdown = Optional.empty();
    private Optional<Engine> engine = Optional.empty();
    private Optional<InetSocketAddress> listen = Optional.empty();
    private Optional<Integer> adminPort = Optional.empty();
    private Optional<CallObserver> tracer = Optional.empty();

    private Builder(Manifest manifest) {
      this.manifest = Objects.requireNonNull(manifest, "manifest");
    }

    /**
     * Where the processes' output lines go, and the lines the log service shows (INFO and above, as
     * lines of the process that logged them). By default each line goes to the JVM's stdout or
     * stderr as {@code process: line}.
     */
    public Builder output(Kernel.Output output) {
      this.output = Objects.requireNonNull(output, "output");
      return this;
    }

    /**
     * Shows output lines as {@code parigot run} does: {@code process: line}, on {@code out} for a
     * process's stdout and on {@code err} for its stderr, flushed line by line.
     */
    public Builder output(PrintWriter out, PrintWriter err) {
      Objects.requireNonNull(out, "out");
      Objects.requireNonNull(err, "err");
      return output((process, stderr, line) -> {
        PrintWriter to = stderr ? err : out;
        to.println(process + ": " + line);
        to.flush();
      });
    }

    /**
     * Makes {@link AppHost#start} close the app if the JVM shuts down (Ctrl-C, SIGTERM) while it
     * runs: a shutdown hook, registered before the app is launched and removed when it is closed,
     * runs {@code notice} (to tell the user) and then closes the app as {@link RunningApp#close}
     * does. Without it no hook is registered.
     */
    public Builder closeOnShutdown(Runnable notice) {
      this.onShutdown = Optional.of(Objects.requireNonNull(notice, "notice"));
      return this;
    }

    /**
     * The wasm engine the kernel compiles and runs the modules with; by default the kernel's
     * ({@link Kernel.Builder#engine}), which keeps compiled modules in memory only. The {@code
     * parigot} command gives one with the user's {@link dev.parigot.engine.spi.ModuleCache}.
     */
    public Builder engine(Engine engine) {
      this.engine = Optional.of(Objects.requireNonNull(engine, "engine"));
      return this;
    }

    /**
     * Makes {@link AppHost#start} serve HTTP on {@code address} (host and port, unresolved; port 0
     * for any free one) rather than on the {@code [http]} table's {@code listen}.
     *
     * @throws IllegalArgumentException if the manifest has no {@code [http]} table
     */
    public Builder listen(InetSocketAddress address) {
      Objects.requireNonNull(address, "address");
      if (manifest.section(HttpSection.KEY).isEmpty()) {
        throw new IllegalArgumentException(
            manifest.file() + ": app '" + manifest.app() + "' has no [http] table to move");
      }
      this.listen = Optional.of(address);
      return this;
    }

    /**
     * Makes {@link AppHost#start} serve the app's admin endpoint on 127.0.0.1:{@code port} (0: a
     * free port): processes, kills, logs, metrics and the dashboard (README.md, "Operating a
     * running app"). Its address and a fresh token go to {@code admin.address} and {@code
     * admin.token} (mode 0600) in the data directory, where {@code parigot ps} finds them; closing
     * the app deletes them. Off by default.
     *
     * @throws IllegalArgumentException if {@code port} is not 0 to 65535
     */
    public Builder admin(int port) {
      if (port < 0 || port > 65535) {
        throw new IllegalArgumentException("admin port must be 0 to 65535, not " + port);
      }
      this.adminPort = Optional.of(port);
      return this;
    }

    /**
     * What traces the app's calls: it sees every call first and gives it its trace context
     * (dev.parigot.tracing.Tracing builds one on the OpenTelemetry SDK). None by default. The
     * caller closes it, after the app.
     */
    public Builder tracer(CallObserver tracer) {
      this.tracer = Optional.of(Objects.requireNonNull(tracer, "tracer"));
      return this;
    }

    /** The host. Nothing is opened until it starts. */
    public AppHost build() {
      return new AppHostImpl(manifest, output, onShutdown, engine, listen, adminPort, tracer);
    }
  }
}
