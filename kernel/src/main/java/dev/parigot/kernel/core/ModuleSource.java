package dev.parigot.kernel.core;

import dev.parigot.errors.ModuleRefusedException;
import dev.parigot.kernel.ProgramSpec;

/** Where a program's module bytes come from: the kernel reads no file itself. */
@FunctionalInterface
public interface ModuleSource {
  /**
   * The bytes of {@code program}'s module.
   *
   * @throws ModuleRefusedException if they cannot be read, naming the program and the module
   */
  byte[] read(ProgramSpec program);
}
