package dev.parigot.kernel.core;

import dev.parigot.engine.spi.HeapBudget;

/**
 * One process's linear memory and tables, charged to its program's account: the engine reserves
 * before it allocates and releases what it frees; what the guest still holds when it ends, the
 * process releases with {@link #releaseAll}.
 */
final class GuestHeap implements HeapBudget {
  private final MemoryLedger.Account account;
  // Written on the guest's thread only (the engine calls on it, and the process ends on it);
  // volatile for what Kernel.processes shows.
  private volatile long held;
  private String refusedBy = "";

  GuestHeap(MemoryLedger.Account account) {
    this.account = account;
  }

  @Override
  public boolean reserve(long bytes) {
    if (!account.reserve(bytes)) {
      refusedBy = account.refusal(bytes);
      return false;
    }
    held += bytes;
    return true;
  }

  @Override
  public void release(long bytes) {
    held -= bytes;
    account.release(bytes);
  }

  /** The bytes the guest's memory and tables hold now. Any thread. */
  long held() {
    return held;
  }

  /** The guest ended: what its memory and tables held goes back. */
  void releaseAll() {
    account.release(held);
    held = 0;
  }

  @Override
  public String toString() {
    return refusedBy.isEmpty() ? "the memory budget" : refusedBy;
  }
}
