package dev.parigot.engine.chicory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.dylibso.chicory.compiler.internal.Compiler;
import com.dylibso.chicory.compiler.internal.Shaded;
import com.dylibso.chicory.runtime.Memory;
import com.dylibso.chicory.runtime.WasmRuntimeException;
import com.dylibso.chicory.wasm.Parser;
import com.dylibso.chicory.wasm.types.MemoryLimits;
import java.lang.classfile.Attributes;
import java.lang.classfile.ClassFile;
import java.lang.classfile.instruction.InvokeInstruction;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.objectweb.asm.Type;

/**
 * The guest's loads and stores, checked once: the engine's result wherever the access is inside the
 * memory, a trap naming the address everywhere else.
 */
class GuestAccessTest {
  private static final int PAGE = Memory.PAGE_SIZE;

  @Test
  void everyLoadAndStoreHelperOfTheEngineIsReplaced() {
    Map<String, String> engine =
        Arrays.stream(Shaded.class.getDeclaredMethods())
            .filter(m -> Modifier.isStatic(m.getModifiers()))
            .filter(
                m -> m.getName().matches("memory(Read|Write)(Byte|Short|Int|Long|Float|Double)"))
            .collect(Collectors.toMap(m -> m.getName(), Type::getMethodDescriptor));

    assertThat(new TreeMap<>(GuestAccess.HELPERS)).isEqualTo(new TreeMap<>(engine)).hasSize(12);
  }

  @Test
  void theRewrittenHelpersCallGuestAccessAndNothingElse() {
    var module = Parser.parse(Corpus.module("iso-trap"));
    List<String> calls = new ArrayList<>();
    for (byte[] bytes : Compiler.builder(module).build().compile().classBytes().values()) {
      ClassFile.of().parse(PreemptibleClasses.rewrite(bytes)).methods().stream()
          .filter(m -> GuestAccess.HELPERS.containsKey(m.methodName().stringValue()))
          .flatMap(m -> m.findAttribute(Attributes.code()).stream())
          .forEach(code -> {
            for (var element : code) {
              if (element instanceof InvokeInstruction call) {
                calls.add(call.owner().asInternalName() + "." + call.name().stringValue());
              }
            }
          });
    }
    assertThat(calls)
        .isNotEmpty()
        .allMatch(call -> call.startsWith("dev/parigot/engine/chicory/GuestAccess.memory"));
  }

  @Test
  void anAccessInsideTheMemoryIsTheEnginesAndOneOutsideTraps() {
    var random = new SplittableRandom(17);
    List<int[]> pairs = new ArrayList<>();
    int[] edges = {
      0,
      1,
      7,
      8,
      PAGE - 9,
      PAGE - 8,
      PAGE - 4,
      PAGE - 1,
      PAGE,
      PAGE + 1,
      Integer.MAX_VALUE - 1,
      -8,
      -1,
      Integer.MIN_VALUE
    };
    int[] offsets = {0, 1, 4, 8, PAGE - 8, PAGE - 1, PAGE, Integer.MAX_VALUE - 1};
    for (int base : edges) {
      for (int offset : offsets) {
        pairs.add(new int[] {base, offset});
      }
    }
    for (int i = 0; i < 5_000; i++) {
      pairs.add(new int[] {random.nextInt(-16, PAGE + 16), random.nextInt(0, 64)});
    }
    var ours = new LinearMemory(new MemoryLimits(1, 1));
    var engines = new LinearMemory(new MemoryLimits(1, 1));
    int inside = 0;
    for (int[] pair : pairs) {
      int base = pair[0];
      int offset = pair[1];
      for (int width : new int[] {1, 2, 4, 8}) {
        long end = Integer.toUnsignedLong(base) + offset + width;
        long value = random.nextLong();
        if (end <= PAGE) {
          store(ours, base, offset, width, value);
          store(engines, Shaded.getAddr(base, offset), 0, width, value);
          assertThat(load(ours, base, offset, width))
              .isEqualTo(load(engines, Shaded.getAddr(base, offset), 0, width));
          inside++;
        } else {
          for (boolean storing : new boolean[] {false, true}) {
            assertThatThrownBy(
                    () -> {
                      if (storing) {
                        store(ours, base, offset, width, value);
                      } else {
                        load(ours, base, offset, width);
                      }
                    })
                .as("base %s offset %s width %s", Integer.toUnsignedString(base), offset, width)
                .isInstanceOf(WasmRuntimeException.class)
                .hasMessage(
                    "out of bounds memory access: attempted to access address: "
                        + (Integer.toUnsignedLong(base) + offset)
                        + " but limit is: 65536 and size: "
                        + width);
          }
        }
      }
    }
    assertThat(inside).as("accesses inside the page").isGreaterThan(10_000);
    assertThat(ours.readBytes(0, PAGE)).isEqualTo(engines.readBytes(0, PAGE));
  }

  @Test
  void floatsAndDoublesKeepTheirBits() {
    var memory = new LinearMemory(new MemoryLimits(1, 1));
    float nan = Float.intBitsToFloat(0x7fa00001); // a signalling NaN with a payload
    GuestAccess.memoryWriteFloat(100, nan, 4, memory);
    GuestAccess.memoryWriteDouble(200, -2.25, 8, memory);

    assertThat(Float.floatToRawIntBits(GuestAccess.memoryReadFloat(104, 0, memory)))
        .isEqualTo(0x7fa00001);
    assertThat(memory.readInt(104)).isEqualTo(0x7fa00001);
    assertThat(GuestAccess.memoryReadDouble(0, 208, memory)).isEqualTo(-2.25);
  }

  /** A load through {@link GuestAccess}, widened to a long. */
  private static long load(Memory memory, int base, int offset, int width) {
    return switch (width) {
      case 1 -> GuestAccess.memoryReadByte(base, offset, memory);
      case 2 -> GuestAccess.memoryReadShort(base, offset, memory);
      case 4 -> GuestAccess.memoryReadInt(base, offset, memory);
      default -> GuestAccess.memoryReadLong(base, offset, memory);
    };
  }

  private static void store(Memory memory, int base, int offset, int width, long value) {
    switch (width) {
      case 1 -> GuestAccess.memoryWriteByte(base, (byte) value, offset, memory);
      case 2 -> GuestAccess.memoryWriteShort(base, (short) value, offset, memory);
      case 4 -> GuestAccess.memoryWriteInt(base, (int) value, offset, memory);
      default -> GuestAccess.memoryWriteLong(base, value, offset, memory);
    }
  }
}
