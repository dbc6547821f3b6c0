package dev.parigot.services;

import java.time.Duration;
import java.util.PriorityQueue;

/** Time that moves only when a test says so; due tasks run on the advancing thread. */
final class FakeTime implements Time {
  private record Task(long due, long seq, Runnable run) {}

  private final PriorityQueue<Task> tasks =
      new PriorityQueue<>(
          (a, b) -> a.due != b.due ? Long.compare(a.due, b.due) : Long.compare(a.seq, b.seq));
  private long now = 1_000_000_000L;
  private long wall = 1_800_000_000_000_000_000L;
  private long seq;

  @Override
  public synchronized long wallNanos() {
    return wall + now;
  }

  @Override
  public synchronized long nanos() {
    return now;
  }

  @Override
  public synchronized Scheduled schedule(long delayNanos, Runnable run) {
    var task = new Task(now + Math.max(0, delayNanos), seq++, run);
    tasks.add(task);
    return () -> {
      synchronized (FakeTime.this) {
        tasks.remove(task);
      }
    };
  }

  /** Moves time forward, running each task that falls due, in order. */
  void advance(Duration d) {
    long target;
    synchronized (this) {
      target = now + d.toNanos();
    }
    while (true) {
      Task next;
      synchronized (this) {
        next = tasks.peek();
        if (next == null || next.due > target) {
          now = target;
          return;
        }
        tasks.poll();
        now = next.due;
      }
      next.run.run();
    }
  }

  synchronized int pending() {
    return tasks.size();
  }
}
