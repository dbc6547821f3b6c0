package dev.parigot.host;

import dev.parigot.kernel.Kernel;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The last {@link #KEPT} lines of a running app's output (its processes' stdout and stderr, the log
 * service's lines and process endings), numbered from 1, for the admin endpoint to stream. Passes
 * every line on to the output it wraps.
 */
final class OutputLog implements Kernel.Output {
  static final int KEPT = 1000;

  /** One line: its number, when it came, which process wrote it, and the text. */
  record Line(long seq, Instant at, String process, boolean stderr, String text) {}

  private final Kernel.Output next;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition added = lock.newCondition();
  // Guarded by lock: a ring of the last KEPT lines; seq is the number of the last one.
  private final Line[] ring = new Line[KEPT];
  private long seq;

  OutputLog(Kernel.Output next) {
    this.next = next;
  }

  @Override
  public void line(String process, boolean stderr, String line) {
    add(process, stderr, line);
    next.line(process, stderr, line);
  }

  @Override
  public void ended(String process, int code, Optional<String> killReason) {
    add(process, true, "ended with code " + code + killReason.map(r -> ": " + r).orElse(""));
    next.ended(process, code, killReason);
  }

  private void add(String process, boolean stderr, String text) {
    lock.lock();
    try {
      seq++;
      ring[(int) (seq % KEPT)] = new Line(seq, Instant.now(), process, stderr, text);
      added.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /**
   * The kept lines numbered above {@code after}, oldest first; if there are none, waits up to
   * {@code waitMillis} for one.
   */
  List<Line> after(long after, long waitMillis) throws InterruptedException {
    lock.lock();
    try {
      long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(waitMillis);
      while (seq <= after) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return List.of();
        }
        added.awaitNanos(left);
      }
      var out = new ArrayList<Line>();
      for (long s = Math.max(after + 1, seq - KEPT + 1); s <= seq; s++) {
        out.add(ring[(int) (s % KEPT)]);
      }
      return out;
    } finally {
      lock.unlock();
    }
  }
}
