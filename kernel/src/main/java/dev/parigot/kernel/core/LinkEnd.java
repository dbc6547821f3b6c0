package dev.parigot.kernel.core;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One end of the message link between a process and a worker it spawned. Each end belongs to one
 * process and has a handle there; messages sent on one end arrive at its peer.
 */
final class LinkEnd {
  private final Process owner;
  // On the parent's end: whether the worker still counts against the parent's max_workers.
  private final AtomicBoolean holdsSlot = new AtomicBoolean(true);
  private LinkEnd peer;
  private int handle;
  // Owner thread only.
  private boolean released;
  // On the parent's end: whether the kernel killed the worker; set before its EXIT is posted.
  private boolean workerKilled;

  private LinkEnd(Process owner) {
    this.owner = owner;
  }

  /** Makes two connected ends. */
  static LinkEnd[] pair(Process parent, Process worker) {
    var a = new LinkEnd(parent);
    var b = new LinkEnd(worker);
    a.peer = b;
    b.peer = a;
    return new LinkEnd[] {a, b};
  }

  Process owner() {
    return owner;
  }

  LinkEnd peer() {
    return peer;
  }

  int handle() {
    return handle;
  }

  void bind(int handle) {
    this.handle = handle;
  }

  boolean released() {
    return released;
  }

  void release() {
    released = true;
  }

  void workerKilled(boolean killed) {
    workerKilled = killed;
  }

  /** Whether the worker was killed rather than ended itself; read with its EXIT event. */
  boolean workerKilled() {
    return workerKilled;
  }

  /**
   * True the first time only: the parent's cancel and the worker's death both free the worker's
   * slot, and whichever comes first does. Any thread.
   */
  boolean takeSlot() {
    return holdsSlot.getAndSet(false);
  }
}
