package dev.parigot.cli;

import dev.parigot.engine.spi.CompiledModule;
import dev.parigot.engine.spi.Engine;
import dev.parigot.engine.spi.ModuleCache;
import dev.parigot.errors.ParigotException;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.Locale;
import java.util.ServiceLoader;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * An engine that shows a compile taking a while. On a terminal, once a module has compiled for
 * {@link #AFTER}, a line on stderr names it with its size and the time so far, and is cleared when
 * the compile ends. With {@code --verbose}, and only then when stderr is not a terminal, one line
 * says that the module is compiling; the engine's own log then says how long it took and whether it
 * came from the module cache.
 */
final class CompileProgress implements Engine {
  /** How long a compile runs before it is shown. */
  static final Duration AFTER = Duration.ofMillis(500);

  private static final long REDRAW_MILLIS = 100;
  // Carriage return, then erase to the end of the line (ANSI).
  private static final String CLEAR = "\r\033[K";

  /** How a compile is shown. */
  enum Mode {
    /** A line redrawn in place and cleared at the end. */
    TERMINAL,
    /** One line when the compile starts to take a while. */
    VERBOSE,
    /** Nothing. */
    QUIET
  }

  private final Engine engine;
  private final PrintWriter err;
  private final Mode mode;
  private final Duration after;

  CompileProgress(Engine engine, PrintWriter err, Mode mode, Duration after) {
    this.engine = engine;
    this.err = err;
    this.mode = mode;
    this.after = after;
  }

  /**
   * The engine the commands run modules with: the installed one, with the user's module cache
   * ({@link ModuleCache#standard}), showing long compiles on {@code err}.
   *
   * @throws ParigotException if no engine is installed, or the cache's settings are wrong
   */
  static Engine forCommand(boolean verbose, PrintWriter err) {
    Engine installed =
        ServiceLoader.load(Engine.class)
            .findFirst()
            .orElseThrow(() -> new ParigotException("no wasm engine is installed"));
    var console = System.console();
    Mode mode =
        verbose
            ? Mode.VERBOSE
            : console != null && console.isTerminal() ? Mode.TERMINAL : Mode.QUIET;
    return new CompileProgress(installed.withCache(ModuleCache.standard()), err, mode, AFTER);
  }

  @Override
  public String name() {
    return engine.name();
  }

  @Override
  public CompiledModule compile(String label, byte[] wasm) {
    if (mode == Mode.QUIET) {
      return engine.compile(label, wasm);
    }
    var done = new CountDownLatch(1);
    Thread shower = Thread.ofVirtual().start(() -> show(label, wasm.length, done));
    try {
      return engine.compile(label, wasm);
    } finally {
      done.countDown();
      // The line is cleared before anything else is written.
      joinUninterruptibly(shower);
    }
  }

  @Override
  public Engine withCache(ModuleCache cache) {
    return new CompileProgress(engine.withCache(cache), err, mode, after);
  }

  private void show(String label, int bytes, CountDownLatch done) {
    long start = System.nanoTime();
    try {
      if (done.await(after.toNanos(), TimeUnit.NANOSECONDS)) {
        return;
      }
      String what = "parigot: compiling " + label + " (" + size(bytes) + ")";
      if (mode == Mode.VERBOSE) {
        err.println(what + "...");
        err.flush();
        return;
      }
      do {
        double seconds = (System.nanoTime() - start) / 1e9;
        err.print(CLEAR + what + String.format(Locale.ROOT, ", %.1f s", seconds));
        err.flush();
      } while (!done.await(REDRAW_MILLIS, TimeUnit.MILLISECONDS));
      err.print(CLEAR);
      err.flush();
    } catch (InterruptedException e) {
      // Nothing interrupts it; it would end as the compile does.
      Thread.currentThread().interrupt();
    }
  }

  /** A size as people read it: 67 bytes, 44.5 KB, 21.3 MB. */
  static String size(long bytes) {
    if (bytes < 1024) {
      return bytes + " bytes";
    }
    if (bytes < 1024 * 1024) {
      return String.format(Locale.ROOT, "%.1f KB", bytes / 1024.0);
    }
    return String.format(Locale.ROOT, "%.1f MB", bytes / (1024.0 * 1024));
  }

  private static void joinUninterruptibly(Thread thread) {
    boolean interrupted = false;
    while (true) {
      try {
        thread.join();
        break;
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }
}
