package dev.parigot.host;

import dev.parigot.kernel.App;
import dev.parigot.kernel.Kernel;
import dev.parigot.kernel.Manifest;
import dev.parigot.services.KernelServices;
import dev.parigot.services.TestReport;
import dev.parigot.services.TestRun;
import java.time.Duration;

/** Running test programs, the record of what they report, and what they run on. */
final class RunningTestsImpl implements RunningTests {
  private final Manifest manifest;
  private final KernelServices services;
  private final Kernel kernel;
  private final TestRun run;
  // Set by launched, before the tests are handed out.
  private App app;
  private boolean closed;

  RunningTestsImpl(Manifest manifest, KernelServices services, Kernel kernel, TestRun run) {
    this.manifest = manifest;
    this.services = services;
    this.kernel = kernel;
    this.run = run;
  }

  synchronized void launched(App app) {
    this.app = app;
  }

  @Override
  public boolean awaitTests(Duration timeout) throws InterruptedException {
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("the timeout must be positive: " + timeout);
    }
    App tests;
    synchronized (this) {
      tests = app;
    }
    return tests.awaitMains(timeout).isPresent();
  }

  @Override
  public TestReport report() {
    // Closing kills what still runs (services, late tests), so every ending is in.
    kernel.close();
    return run.report(manifest);
  }

  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    kernel.close();
    services.close();
  }
}
