package dev.parigot.kernel;

import java.util.Objects;

/**
 * Who makes a call, as a {@link Provider} sees it: kernel services use it to scope their data to a
 * program and to tag what they record. It names a process rather than pointing at one, so it can
 * travel to a provider in another kernel.
 *
 * @param app the manifest's app name
 * @param program the program's name in that manifest
 * @param pid the calling process, unique within its kernel; 0 for calls made from Java
 */
public record Caller(String app, String program, long pid) {
  public Caller {
    Objects.requireNonNull(app, "app");
    Objects.requireNonNull(program, "program");
    if (pid < 0) {
      throw new IllegalArgumentException("pid must not be negative: " + pid);
    }
  }

  /** The process as the kernel's output names it, e.g. {@code main[2]}. */
  public String process() {
    return program + "[" + pid + "]";
  }
}
