package dev.parigot.kernel.core;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The kernel's memory budget: every allocation a guest causes (its linear memory and tables, the
 * events queued for it, the process itself) is admitted here before it is made and released when it
 * is freed. Accounts form a tree, kernel, then app, then program; an admission must fit every
 * account from the program's up to the kernel's, or it charges none of them. Thread-safe and
 * lock-free. See RATIONALE.md, "How is the kernel's memory budgeted?".
 */
final class MemoryLedger {
  /** What one queued event costs besides its payload: the event, its queue node and its record. */
  static final long EVENT_BYTES = 128;

  /**
   * What one process costs besides its memory, tables and events: its instance, thread and kernel
   * state, which measured about 13 KB for an idle process (docs/benchmarks.md). A deep stack is not
   * counted: the kernel's reserve is for what the ledger does not count.
   */
  static final long PROCESS_BYTES = 16 << 10;

  /** A cap that never refuses. */
  static final long UNLIMITED = Long.MAX_VALUE;

  private final Account kernel;

  /**
   * A ledger whose kernel account holds at most {@code budgetBytes}, in any number of processes.
   */
  MemoryLedger(long budgetBytes) {
    if (budgetBytes <= 0) {
      throw new IllegalArgumentException("the memory budget must be positive: " + budgetBytes);
    }
    kernel = new Account(null, "the kernel", budgetBytes, Integer.MAX_VALUE);
  }

  /** The kernel-wide account, the root of every other. */
  Account kernel() {
    return kernel;
  }

  /**
   * Bytes and processes charged to one app or program, and to each account above it.
   *
   * <p>A refusal charges nothing; concurrent admissions never overshoot a cap.
   */
  static final class Account {
    private final Account parent;
    private final String name;
    private final long capBytes;
    private final int maxProcesses;
    private final AtomicLong used = new AtomicLong();
    private final AtomicInteger processes = new AtomicInteger();

    private Account(Account parent, String name, long capBytes, int maxProcesses) {
      if (capBytes <= 0 || maxProcesses <= 0) {
        throw new IllegalArgumentException(name + ": caps must be positive");
      }
      this.parent = parent;
      this.name = name;
      this.capBytes = capBytes;
      this.maxProcesses = maxProcesses;
    }

    /**
     * A new account under this one.
     *
     * @param name how refusals name it, e.g. "program 'x' of app 'y'"
     * @param capBytes the most it may hold, {@link #UNLIMITED} for no cap of its own
     * @param maxProcesses the most live processes it may have
     */
    Account child(String name, long capBytes, int maxProcesses) {
      return new Account(this, name, capBytes, maxProcesses);
    }

    /** Charges {@code bytes} to this account and every one above it, if they all have room. */
    boolean reserve(long bytes) {
      if (bytes <= 0) {
        if (bytes < 0) {
          throw new IllegalArgumentException("negative reservation: " + bytes);
        }
        return true;
      }
      for (Account a = this; a != null; a = a.parent) {
        if (!a.add(bytes)) {
          for (Account b = this; b != a; b = b.parent) {
            b.subtract(bytes);
          }
          return false;
        }
      }
      return true;
    }

    /** Gives back {@code bytes} that {@link #reserve} charged. */
    void release(long bytes) {
      if (bytes <= 0) {
        if (bytes < 0) {
          throw new IllegalArgumentException("negative release: " + bytes);
        }
        return;
      }
      for (Account a = this; a != null; a = a.parent) {
        a.subtract(bytes);
      }
    }

    /**
     * Admits one more process that costs {@code bytes}: both must fit every account up to the
     * kernel's. {@link #endProcess} gives both back.
     */
    boolean startProcess(long bytes) {
      for (Account a = this; a != null; a = a.parent) {
        if (a.processes.incrementAndGet() > a.maxProcesses) {
          for (Account b = this; b != a.parent; b = b.parent) {
            b.processes.decrementAndGet();
          }
          return false;
        }
      }
      if (!reserve(bytes)) {
        for (Account a = this; a != null; a = a.parent) {
          a.processes.decrementAndGet();
        }
        return false;
      }
      return true;
    }

    /** A process admitted by {@link #startProcess} with {@code bytes} ended. */
    void endProcess(long bytes) {
      release(bytes);
      for (Account a = this; a != null; a = a.parent) {
        a.processes.decrementAndGet();
      }
    }

    // An account without a cap of its own counts no bytes: the call path then touches one shared
    // counter, the kernel's, rather than three.
    private boolean add(long bytes) {
      if (capBytes == UNLIMITED) {
        return true;
      }
      while (true) {
        long now = used.get();
        if (bytes > capBytes - now) {
          return false;
        }
        if (used.compareAndSet(now, now + bytes)) {
          return true;
        }
      }
    }

    private void subtract(long bytes) {
      if (capBytes != UNLIMITED && used.addAndGet(-bytes) < 0) {
        throw new IllegalStateException(name + " memory budget released more than it held");
      }
    }

    /** What this account and those under it hold now; 0 for an account without a byte cap. */
    long used() {
      return used.get();
    }

    /** The live processes of this account and those under it. */
    int processes() {
      return processes.get();
    }

    /**
     * Names the account that would refuse {@code bytes} now, for messages: "the memory budget of
     * program 'x' of app 'y' (16 MiB)". Other admissions may change the answer at once.
     */
    String refusal(long bytes) {
      for (Account a = this; a != null; a = a.parent) {
        if (bytes > a.capBytes - a.used.get()) {
          return a.describe();
        }
      }
      return describe();
    }

    /** Names the account that refuses one more process now, for messages. */
    String processRefusal() {
      for (Account a = this; a != null; a = a.parent) {
        if (a.processes.get() >= a.maxProcesses) {
          return "the " + a.maxProcesses + " processes (max_processes) of " + a.name;
        }
      }
      return refusal(PROCESS_BYTES);
    }

    private String describe() {
      return "the memory budget of " + name + " (" + size(capBytes) + ")";
    }

    @Override
    public String toString() {
      return name + " account: " + used.get() + " bytes, " + processes.get() + " processes";
    }
  }

  private static String size(long bytes) {
    if (bytes == UNLIMITED) {
      return "no cap";
    }
    return bytes % (1 << 20) == 0 ? (bytes >> 20) + " MiB" : bytes + " bytes";
  }
}
