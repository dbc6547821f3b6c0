package dev.parigot.engine.chicory;

import com.dylibso.chicory.runtime.Memory;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.Arrays;
import java.util.Map;
import java.util.stream.Collectors;
import org.objectweb.asm.Type;

/**
 * The guest's loads and stores, each checked once. Public only because the compiled classes live in
 * their own class loader and call these; it is not for applications.
 *
 * <p>The engine copies a helper per load and store into each module's classes ({@code
 * memoryReadInt(base, offset, memory)} and so on) that computes the address with {@code getAddr}
 * ({@link EffectiveAddress}) and calls the {@link Memory} interface: two bounds checks and an
 * interface call per access, all inlined into the guest's function. {@link PreemptibleClasses}
 * replaces each such helper's body with a call to the method here of the same name and descriptor,
 * which checks {@code base + offset} against the memory once ({@link LinearMemory}); with {@link
 * HeapAccess}'s direct access, an access costs the JIT far fewer nodes, and a large guest function
 * fits its inlining budget (RATIONALE.md, "Why does the kernel read guest memory with Unsafe?").
 *
 * <p>Every process's memory is a {@link LinearMemory} ({@link ChicoryGuest}'s memory factory).
 */
public final class GuestAccess {
  /** The helpers this class replaces: each public method's name and descriptor. */
  static final Map<String, String> HELPERS =
      Arrays.stream(GuestAccess.class.getDeclaredMethods())
          .filter(m -> Modifier.isPublic(m.getModifiers()))
          .collect(Collectors.toUnmodifiableMap(Method::getName, Type::getMethodDescriptor));

  private GuestAccess() {}

  public static byte memoryReadByte(int base, int offset, Memory memory) {
    return ((LinearMemory) memory).load8(base, offset);
  }

  public static short memoryReadShort(int base, int offset, Memory memory) {
    return ((LinearMemory) memory).load16(base, offset);
  }

  public static int memoryReadInt(int base, int offset, Memory memory) {
    return ((LinearMemory) memory).load32(base, offset);
  }

  public static long memoryReadLong(int base, int offset, Memory memory) {
    return ((LinearMemory) memory).load64(base, offset);
  }

  public static float memoryReadFloat(int base, int offset, Memory memory) {
    return ((LinearMemory) memory).loadF32(base, offset);
  }

  public static double memoryReadDouble(int base, int offset, Memory memory) {
    return ((LinearMemory) memory).loadF64(base, offset);
  }

  public static void memoryWriteByte(int base, byte value, int offset, Memory memory) {
    ((LinearMemory) memory).store8(base, offset, value);
  }

  public static void memoryWriteShort(int base, short value, int offset, Memory memory) {
    ((LinearMemory) memory).store16(base, offset, value);
  }

  public static void memoryWriteInt(int base, int value, int offset, Memory memory) {
    ((LinearMemory) memory).store32(base, offset, value);
  }

  public static void memoryWriteLong(int base, long value, int offset, Memory memory) {
    ((LinearMemory) memory).store64(base, offset, value);
  }

  public static void memoryWriteFloat(int base, float value, int offset, Memory memory) {
    ((LinearMemory) memory).storeF32(base, offset, value);
  }

  public static void memoryWriteDouble(int base, double value, int offset, Memory memory) {
    ((LinearMemory) memory).storeF64(base, offset, value);
  }
}
