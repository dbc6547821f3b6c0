package dev.parigot.engine.chicory;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.Set;

/**
 * A module with the body of each compiled function replaced by {@code unreachable}: what an
 * instance still needs once its code is in classes (the types, imports, memory, data, tables,
 * exports and names, and the bodies of the functions the engine interprets), parsed in a fraction
 * of the time the whole module takes. Chicory's own build-time compiler keeps modules the same way.
 */
final class StrippedModule {
  private static final int CODE_SECTION = 10;
  // No local declarations, unreachable, end.
  private static final byte[] EMPTY_BODY = {0x00, 0x00, 0x0b};

  private StrippedModule() {}

  /**
   * The stripped bytes of {@code wasm}, a module the engine has parsed and compiled.
   *
   * @param importedFunctions how many functions the module imports: function indices count them
   * @param interpreted the indices of the functions the engine interprets, whose bodies stay
   */
  static byte[] of(byte[] wasm, int importedFunctions, Set<Integer> interpreted) {
    var in = ByteBuffer.wrap(wasm);
    var out = new ByteArrayOutputStream(wasm.length / 4);
    out.write(wasm, 0, 8); // magic and version
    in.position(8);
    while (in.hasRemaining()) {
      int id = in.get() & 0xff;
      int size = readU32(in);
      int start = in.position();
      if (id == CODE_SECTION) {
        writeSection(out, id, code(in.slice(start, size), importedFunctions, interpreted));
      } else {
        out.write(id);
        writeU32(out, size);
        out.write(wasm, start, size);
      }
      in.position(start + size);
    }
    return out.toByteArray();
  }

  private static byte[] code(ByteBuffer in, int importedFunctions, Set<Integer> interpreted) {
    var out = new ByteArrayOutputStream();
    int count = readU32(in);
    writeU32(out, count);
    for (int i = 0; i < count; i++) {
      int size = readU32(in);
      if (interpreted.contains(importedFunctions + i)) {
        writeU32(out, size);
        out.write(in.array(), in.arrayOffset() + in.position(), size);
      } else {
        writeU32(out, EMPTY_BODY.length);
        out.writeBytes(EMPTY_BODY);
      }
      in.position(in.position() + size);
    }
    return out.toByteArray();
  }

  private static void writeSection(ByteArrayOutputStream out, int id, byte[] contents) {
    out.write(id);
    writeU32(out, contents.length);
    out.writeBytes(contents);
  }

  private static int readU32(ByteBuffer in) {
    int value = 0;
    for (int shift = 0; ; shift += 7) {
      byte b = in.get();
      value |= (b & 0x7f) << shift;
      if ((b & 0x80) == 0) {
        return value;
      }
    }
  }

  private static void writeU32(ByteArrayOutputStream out, int value) {
    int v = value;
    while ((v & ~0x7f) != 0) {
      out.write((v & 0x7f) | 0x80);
      v >>>= 7;
    }
    out.write(v);
  }
}
