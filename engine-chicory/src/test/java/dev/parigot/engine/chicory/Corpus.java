package dev.parigot.engine.chicory;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/** The kernel's guest corpus (kernel/src/test/resources/wat), on this module's test class path. */
final class Corpus {
  private Corpus() {}

  static byte[] module(String name) {
    try (InputStream in = Corpus.class.getResourceAsStream("/wat/" + name + ".wasm")) {
      if (in == null) {
        throw new IllegalArgumentException(
            "no corpus module " + name + ".wasm; run scripts/build-guests");
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
