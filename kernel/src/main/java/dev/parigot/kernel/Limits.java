package dev.parigot.kernel;

/**
 * What each process of a program may use. The kernel enforces every limit; none is advisory.
 *
 * <p>The compact constructor refuses values outside the ranges below, so a {@code Limits} always
 * holds limits the kernel can enforce.
 *
 * @param memoryPages most wasm pages (64 KiB each) of linear memory, 1 to 32752; {@code
 *     memory.grow} beyond it returns -1. In a manifest: {@code memory_mib}, 16 pages per MiB
 * @param cpuSliceMillis the CPU time of a turn on a carrier thread while others wait for one, 1 ms
 *     to 1 hour; past it, the process is preempted (it yields and runs again later), whether or not
 *     it enters the kernel meanwhile. {@code cpu_slice_ms}
 * @param maxInflight most open outgoing calls, 1 to 65536; {@code max_inflight}
 * @param maxMessageBytes largest request, reply or message, 1 byte to 64 MiB; {@code
 *     max_message_bytes}
 * @param maxWorkers most live workers per process, 0 to 1024; {@code max_workers}
 * @param callTimeoutMillis default call deadline, 0 (none) to 1 day; {@code call_timeout_ms}
 * @param cpuMillis the CPU time a process may use in all, counted only while it runs, 0 (no limit)
 *     to 30 days; past it the process is killed. {@code cpu_ms}
 * @param budgetMib the most memory the program's processes may hold in the kernel together (their
 *     linear memories, tables, unread events and a fixed cost per process), in MiB, 0 (no cap of
 *     its own) to 1048576; {@code budget_mib}. In the app's {@code [limits]} it is the app's total
 *     as well as each program's default
 * @param maxProcesses the most live processes of the program, replicas and workers at any depth
 *     together, 1 to 65536; {@code max_processes}. In the app's {@code [limits]} it is the app's
 *     total as well as each program's default
 */
public record Limits(
    int memoryPages,
    long cpuSliceMillis,
    int maxInflight,
    int maxMessageBytes,
    int maxWorkers,
    long callTimeoutMillis,
    long cpuMillis,
    int budgetMib,
    int maxProcesses) {

  /** Wasm pages are 64 KiB. */
  static final int PAGES_PER_MIB = 16;

  /**
   * 32752 pages: a process's memory is one Java array ({@code LinearMemory}), and Java arrays stop
   * short of 2 GiB.
   */
  static final int MAX_MEMORY_MIB = 2047;

  static final long MAX_CPU_SLICE_MILLIS = 3_600_000;
  static final int MAX_INFLIGHT = 65_536;

  /** The largest {@code max_message_bytes}: 64 MiB. */
  public static final int MAX_MESSAGE_BYTES = 64 << 20;

  static final int MAX_WORKERS = 1024;

  /** The longest {@code call_timeout_ms}: one day. */
  public static final long MAX_CALL_TIMEOUT_MILLIS = 86_400_000;

  static final long MAX_CPU_MILLIS = 30 * MAX_CALL_TIMEOUT_MILLIS;

  /** The largest {@code budget_mib}: 1 TiB. */
  static final int MAX_BUDGET_MIB = 1 << 20;

  static final int MAX_PROCESSES = 65_536;

  /**
   * The limits of a program whose manifest sets none: 64 MiB of memory, 1 s CPU slices, 1024 calls
   * in flight, 1 MiB messages, 16 workers, a 30 s call deadline, no CPU time limit, no memory
   * budget of its own (the kernel's applies) and 1024 processes.
   */
  public static final Limits DEFAULTS =
      new Limits(64 * PAGES_PER_MIB, 1000, 1024, 1 << 20, 16, 30_000, 0, 0, 1024);

  /**
   * Checks the ranges.
   *
   * @throws IllegalArgumentException if a limit is outside its range
   */
  public Limits {
    check("memoryPages", memoryPages, 1, MAX_MEMORY_MIB * PAGES_PER_MIB);
    check("cpuSliceMillis", cpuSliceMillis, 1, MAX_CPU_SLICE_MILLIS);
    check("maxInflight", maxInflight, 1, MAX_INFLIGHT);
    check("maxMessageBytes", maxMessageBytes, 1, MAX_MESSAGE_BYTES);
    check("maxWorkers", maxWorkers, 0, MAX_WORKERS);
    check("callTimeoutMillis", callTimeoutMillis, 0, MAX_CALL_TIMEOUT_MILLIS);
    check("cpuMillis", cpuMillis, 0, MAX_CPU_MILLIS);
    check("budgetMib", budgetMib, 0, MAX_BUDGET_MIB);
    check("maxProcesses", maxProcesses, 1, MAX_PROCESSES);
  }

  private static void check(String name, long value, long min, long max) {
    if (value < min || value > max) {
      throw new IllegalArgumentException(
          name + " must be from " + min + " to " + max + ", not " + value);
    }
  }
}
