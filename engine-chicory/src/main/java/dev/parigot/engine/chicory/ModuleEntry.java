package dev.parigot.engine.chicory;

import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.runtime.Machine;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * What the module cache keeps of a compiled module: the classes the engine compiled it to, exactly
 * as {@link PreemptibleClasses} rewrote them, the module without the code those classes replace
 * ({@link StrippedModule}), and the methods over the JIT's size limit. Everything else is quick to
 * recompute from these.
 *
 * @param mainClass the binary name of the machine class, whose constructor takes the instance
 * @param classes class files by binary name
 * @param stripped the module's bytes with the bodies of compiled functions emptied
 * @param hugeMethods methods over {@link JitOptions#HUGE_METHOD_BYTES}, by method name
 */
record ModuleEntry(
    String mainClass,
    Map<String, byte[]> classes,
    byte[] stripped,
    Map<String, Integer> hugeMethods) {
  /** The version of this layout; part of the cache key, so a new layout never reads an old one. */
  static final int FORMAT = 1;

  /** The entry's bytes for {@link dev.parigot.engine.spi.ModuleCache#write}. */
  byte[] encode() {
    var bytes = new ByteArrayOutputStream(stripped.length + 64 * classes.size());
    try (var out = new DataOutputStream(bytes)) {
      out.writeUTF(mainClass);
      out.writeInt(classes.size());
      for (var c : classes.entrySet()) {
        out.writeUTF(c.getKey());
        out.writeInt(c.getValue().length);
        out.write(c.getValue());
      }
      out.writeInt(stripped.length);
      out.write(stripped);
      out.writeInt(hugeMethods.size());
      for (var m : hugeMethods.entrySet()) {
        out.writeUTF(m.getKey());
        out.writeInt(m.getValue());
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot happen in memory", e);
    }
    return bytes.toByteArray();
  }

  /**
   * The entry in {@code bytes}; empty if they do not hold one. The cache has checked their digest,
   * so this fails only for bytes an engine with the same cache key did not write.
   */
  static Optional<ModuleEntry> decode(byte[] bytes) {
    try (var in = new DataInputStream(new ByteArrayInputStream(bytes))) {
      String main = in.readUTF();
      int count = in.readInt();
      Map<String, byte[]> classes = new LinkedHashMap<>();
      for (int i = 0; i < count; i++) {
        classes.put(in.readUTF(), readBytes(in));
      }
      byte[] stripped = readBytes(in);
      int huge = in.readInt();
      Map<String, Integer> hugeMethods = new LinkedHashMap<>();
      for (int i = 0; i < huge; i++) {
        hugeMethods.put(in.readUTF(), in.readInt());
      }
      if (in.read() != -1 || !classes.containsKey(main)) {
        return Optional.empty();
      }
      return Optional.of(new ModuleEntry(main, classes, stripped, hugeMethods));
    } catch (IOException | NegativeArraySizeException e) {
      return Optional.empty();
    }
  }

  /**
   * Makes machines from these classes, defined in a class loader of their own as the JVM first asks
   * for each; the JVM verifies each class as it defines it, as when it was compiled.
   */
  Function<Instance, Machine> machines() {
    var loader = new Classes(classes);
    MethodHandle constructor;
    try {
      Class<?> machine = Class.forName(mainClass, true, loader);
      constructor =
          MethodHandles.publicLookup()
              .findConstructor(machine, MethodType.methodType(void.class, Instance.class))
              .asType(MethodType.methodType(Machine.class, Instance.class));
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("the cached machine class cannot be made", e);
    }
    return instance -> {
      try {
        return (Machine) constructor.invokeExact(instance);
      } catch (RuntimeException | Error e) {
        throw e;
      } catch (Throwable t) {
        throw new IllegalStateException(t);
      }
    };
  }

  private static byte[] readBytes(DataInputStream in) throws IOException {
    int length = in.readInt();
    if (length < 0 || length > in.available()) {
      throw new IOException("a length past the end: " + length);
    }
    return in.readNBytes(length);
  }

  /**
   * One module's classes; the parent sees the engine's runtime and the preemption poll. The bytes
   * of a class are dropped once it is defined. Called under the loader's lock.
   */
  private static final class Classes extends ClassLoader {
    private final Map<String, byte[]> classes;

    Classes(Map<String, byte[]> classes) {
      super(ModuleEntry.class.getClassLoader());
      this.classes = new HashMap<>(classes);
    }

    @Override
    protected Class<?> findClass(String name) throws ClassNotFoundException {
      byte[] bytes = classes.remove(name);
      if (bytes == null) {
        throw new ClassNotFoundException(name);
      }
      return defineClass(name, bytes, 0, bytes.length);
    }
  }
}
