package dev.parigot.cli;

import java.io.Writer;
import java.time.Duration;

/** What a command wrote, which a test can wait on: a writer whose readers wait for a line. */
final class Transcript extends Writer {
  private final StringBuilder text = new StringBuilder();

  @Override
  public synchronized void write(char[] buf, int off, int len) {
    text.append(buf, off, len);
    notifyAll();
  }

  @Override
  public void flush() {}

  @Override
  public void close() {}

  /** The count of times {@code part} occurs so far. */
  synchronized int count(String part) {
    int n = 0;
    for (int i = text.indexOf(part); i >= 0; i = text.indexOf(part, i + part.length())) {
      n++;
    }
    return n;
  }

  /**
   * Waits until {@code part} has occurred {@code times} times, for at most {@code limit} (a bound
   * against hanging, not a timing assertion).
   *
   * @return whether it did
   */
  synchronized boolean await(String part, int times, Duration limit) throws InterruptedException {
    long end = System.nanoTime() + limit.toNanos();
    while (count(part) < times) {
      long left = end - System.nanoTime();
      if (left <= 0) {
        return false;
      }
      wait(Math.max(1, left / 1_000_000));
    }
    return true;
  }

  @Override
  public synchronized String toString() {
    return text.toString();
  }
}
