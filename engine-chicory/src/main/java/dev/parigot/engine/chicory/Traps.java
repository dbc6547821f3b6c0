package dev.parigot.engine.chicory;

import com.dylibso.chicory.runtime.TrapException;
import com.dylibso.chicory.wasm.ChicoryException;
import com.dylibso.chicory.wasm.types.NameCustomSection;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Turns whatever a guest threw into a kill reason, with the wasm stack when it can be read. */
final class Traps {
  // Chicory's compiled code runs each wasm function as a Java method named after its index.
  private static final Pattern FUNCTION = Pattern.compile("func_(\\d+)");
  private static final int MAX_FRAMES = 16;

  private Traps() {}

  static String describe(Throwable t, LoadedModule module) {
    String what =
        switch (t) {
          case StackOverflowError e -> "trap: call stack exhausted";
          case OutOfMemoryError e -> "out of memory: " + e.getMessage();
          case TrapException e -> "trap: " + e.getMessage();
          case ChicoryException e -> "trap: " + e.getMessage();
          default -> "kernel error while running the guest: " + t;
        };
    List<String> frames = wasmFrames(t, module);
    return frames.isEmpty() ? what : what + "\n  wasm stack: " + String.join(" <- ", frames);
  }

  /**
   * The wasm functions on the stack where the guest failed. The engine may rethrow a failure (a
   * stack overflow, say) from outside the guest's frames, so the causes are looked at too.
   */
  private static List<String> wasmFrames(Throwable t, LoadedModule module) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      List<String> frames = wasmFrames(c.getStackTrace(), module);
      if (!frames.isEmpty()) {
        return frames;
      }
    }
    return List.of();
  }

  private static List<String> wasmFrames(StackTraceElement[] stack, LoadedModule module) {
    List<String> frames = new ArrayList<>();
    NameCustomSection names = module.module().nameSection();
    for (StackTraceElement e : stack) {
      Matcher m = FUNCTION.matcher(e.getMethodName());
      if (m.matches() && frames.size() < MAX_FRAMES) {
        int index = Integer.parseInt(m.group(1));
        String name = names == null ? null : names.nameOfFunction(index);
        frames.add(name == null ? "func[" + index + "]" : name);
      }
    }
    return frames;
  }
}
