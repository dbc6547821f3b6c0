package dev.parigot.engine.spi;

import java.util.Set;

/** A validated, compiled module, shared by every process that runs it. Thread-safe. */
public interface CompiledModule {
  /** Where the bytes came from, for messages. */
  String label();

  /** The SHA-256 of the module's bytes, in lower-case hex. */
  String digest();

  /** The exported functions of type {@code () -> ()}: what can run as a program or a worker. */
  Set<String> entries();

  /** The linear memory the module asks for at start, in 64 KiB pages; 0 without a memory. */
  int initialPages();

  /**
   * A guest of this module for one process. Nothing is allocated until {@link Guest#run}: the
   * instance is made on the thread that runs it.
   *
   * @param config the process's arguments, environment, output and memory cap
   * @param host what the guest's ABI and WASI imports call
   */
  Guest guest(GuestConfig config, AbiHost host);
}
