package dev.parigot.kernel.core;

import dev.parigot.abi.Errno;
import dev.parigot.kernel.App;
import dev.parigot.kernel.Caller;
import dev.parigot.kernel.Provider;
import dev.parigot.kernel.Replies;
import dev.parigot.kernel.spi.CallObserver;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/** Tracks the main programs of one launched manifest. */
final class AppImpl implements App {
  /** The app's code for a main killed by the kernel, as a shell reports one killed by SIGKILL. */
  static final int KILLED = 137;

  /** The app's code for a main whose own exit code is outside 0-255. */
  static final int OUT_OF_RANGE = 1;

  private final String name;
  private final Set<String> exports;
  // export -> the max_message_bytes of the program exporting it.
  private final Map<String, Integer> maxMessageBytes;
  private final KernelImpl kernel;
  private final List<CompletableFuture<Void>> mains = new ArrayList<>();
  // The first non-zero main exit code, in the order the mains ended; 0 while there is none.
  private final AtomicInteger firstFailure = new AtomicInteger();
  private final CompletableFuture<Void> kernelClosed = new CompletableFuture<>();
  // Completed by sealMains once the mains end, or by fail at once.
  private final CompletableFuture<Integer> done = new CompletableFuture<>();
  // Set by launch before any program starts.
  private Supervisor supervisor;
  private volatile String failure;

  AppImpl(String name, Map<String, Integer> maxMessageBytes, KernelImpl kernel) {
    this.name = name;
    this.exports = Set.copyOf(maxMessageBytes.keySet());
    this.maxMessageBytes = Map.copyOf(maxMessageBytes);
    this.kernel = kernel;
  }

  void addMain(Process p) {
    mains.add(
        p.exit()
            .thenAccept(exit -> {
              int code = appCode(exit);
              if (code != 0) {
                firstFailure.compareAndSet(0, code);
              }
            }));
  }

  /** The exit code for the app of a main that ended so: see {@link App#awaitMains()}. */
  static int appCode(Exit exit) {
    if (exit.wasKilled()) {
      return KILLED;
    }
    // Outside 0-255 a shell would see the code modulo 256: exit(256) would look like success.
    return exit.code() >= 0 && exit.code() <= 255 ? exit.code() : OUT_OF_RANGE;
  }

  /** Called once every main has been started. */
  void sealMains() {
    CompletableFuture<Void> all =
        mains.isEmpty()
            ? kernelClosed
            : CompletableFuture.allOf(mains.toArray(CompletableFuture[]::new));
    all.thenRun(() -> done.complete(firstFailure.get()));
  }

  void supervise(Supervisor supervisor) {
    this.supervisor = supervisor;
  }

  void kernelClosed() {
    supervisor.stop(Errno.SHUTTING_DOWN, "the kernel is stopping");
    kernelClosed.complete(null);
  }

  /** A supervised program gave up: the app stops, and its mains count as killed. */
  void fail(String message) {
    synchronized (this) {
      if (failure != null) {
        return;
      }
      failure = message;
    }
    supervisor.stop(Errno.PROVIDER_DIED, message);
    for (Process p : kernel.live()) {
      if (p.caller().app().equals(name)) {
        p.kill(message);
      }
    }
    done.complete(Exit.KILLED);
  }

  @Override
  public Optional<String> failure() {
    return Optional.ofNullable(failure);
  }

  @Override
  public void restart(String program) throws InterruptedException {
    supervisor.replace(Objects.requireNonNull(program, "program"), Optional.empty());
  }

  @Override
  public void upgrade(String program, Path wasm) throws InterruptedException {
    Objects.requireNonNull(wasm, "wasm");
    supervisor.replace(Objects.requireNonNull(program, "program"), Optional.of(wasm));
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public int awaitMains() throws InterruptedException {
    try {
      return done.get();
    } catch (ExecutionException e) {
      throw new IllegalStateException("exit tracking never fails", e);
    }
  }

  @Override
  public Optional<Integer> awaitMains(Duration timeout) throws InterruptedException {
    try {
      return Optional.of(done.get(timeout.toNanos(), TimeUnit.NANOSECONDS));
    } catch (TimeoutException e) {
      return Optional.empty();
    } catch (ExecutionException e) {
      throw new IllegalStateException("exit tracking never fails", e);
    }
  }

  @Override
  public int maxMessageBytes(String service) {
    Integer max = maxMessageBytes.get(service);
    if (max == null) {
      throw new IllegalArgumentException("no program of app '" + name + "' exports " + service);
    }
    return max;
  }

  @Override
  public Provider.Cancellation call(
      String program, String service, int method, byte[] request, Replies replies) {
    if (!exports.contains(service)) {
      throw new IllegalArgumentException("no program of app '" + name + "' exports " + service);
    }
    if (kernel.stopping()) {
      replies.fail(
          Errno.SHUTTING_DOWN.negative(),
          "the kernel is stopping".getBytes(StandardCharsets.UTF_8));
      return reason -> {};
    }
    // launch registered every export of the app before it returned the app; it may be gone.
    Provider route = kernel.exportRoute(service);
    Caller caller = new Caller(name, program, 0);
    CallObserver observer = kernel.observer();
    if (observer == CallObserver.NONE) {
      return route.open(caller, method, request, replies);
    }
    CallObserver.Call observed =
        observer.started(
            caller,
            service,
            method,
            CallObserver.TRACEPARENT.isBound()
                ? Optional.of(CallObserver.TRACEPARENT.get())
                : Optional.empty());
    var watched = new ObservedReplies(replies, observed);
    Optional<String> trace = observed.traceparent();
    return watched.cancellation(
        trace.isEmpty()
            ? route.open(caller, method, request, watched)
            : ScopedValue.where(CallObserver.TRACEPARENT, trace.get())
                .call(() -> route.open(caller, method, request, watched)));
  }
}
