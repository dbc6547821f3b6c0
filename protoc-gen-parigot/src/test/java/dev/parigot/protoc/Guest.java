package dev.parigot.protoc;

import com.dylibso.chicory.runtime.ExportFunction;
import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.wasm.Parser;
import com.dylibso.chicory.wasm.WasmModule;
import java.nio.file.Path;

/**
 * The round-trip test guest (src/test/guest/roundtrip.c, built from the golden generated C by
 * scripts/build-guests) in Chicory's interpreter. A trap escapes as an exception and fails the
 * test: the generated code must never trap.
 */
final class Guest {
  static final Path WASM = Path.of("src/test/guest/roundtrip.wasm");
  private static final WasmModule MODULE = Parser.parse(WASM);

  /** Message kinds: the guest's KINDS table. */
  static final int SCALARS = 1, EVERYTHING = 2, NODE = 3, EMPTY = 4, POINT = 5, GREET_REQUEST = 6;

  static final int PG_E_DECODE = -1001, PG_E_NOMEM = -1002, PG_E_BUFFER = -1003;
  static final int PG_E_NOT_DONE = -1004;

  /** The guest's own checks: a bad test argument, a size mismatch, a write out of bounds. */
  static final int RT_E_ARG = -2000, RT_E_SIZE = -2001, RT_E_CANARY = -2002;

  static final int BIG = 1 << 20;
  static final int BIG_ARENA = 4 << 20;

  private final Instance instance;
  private final ExportFunction roundtrip;
  private final int in;
  private final int out;

  Guest() {
    instance = Instance.builder(MODULE).build();
    instance.export("_initialize").apply();
    roundtrip = instance.export("roundtrip");
    in = (int) instance.export("in_ptr").apply()[0];
    out = (int) instance.export("out_ptr").apply()[0];
  }

  /**
   * Decodes {@code input} as {@code kind} with an arena of {@code arenaCap} bytes and re-encodes it
   * into {@code outCap} bytes: the encoding's length, or a negative error code.
   */
  int roundtrip(int kind, byte[] input, int outCap, int arenaCap) {
    instance.memory().write(in, input);
    return (int) roundtrip.apply(kind, input.length, outCap, arenaCap)[0];
  }

  /** The re-encoding of {@code input}, asserting success. */
  byte[] roundtrip(int kind, byte[] input) {
    int n = roundtrip(kind, input, BIG, BIG_ARENA);
    if (n < 0) {
      throw new AssertionError("roundtrip(kind " + kind + ") failed with " + n);
    }
    return output(n);
  }

  byte[] output(int len) {
    return instance.memory().readBytes(out, len);
  }

  /** serve flags: the guest's SERVE_ constants. */
  static final int WITHOUT_COUNT = 1, NESTED = 2;

  /** Dispatches one call of hello.v1.Greeter; returns the fake runtime's answer log. */
  byte[] serve(int method, byte[] request, int flags) {
    instance.memory().write(in, request);
    int n = (int) instance.export("serve").apply(method, request.length, flags)[0];
    if (n < 0) {
      throw new AssertionError("serve failed with " + n);
    }
    return output(n);
  }

  /**
   * Exports hello.v1.Greeter with the generated serve_as under five names, each with a salutation
   * of its own as ctx; returns how many names it took, or the last call's error.
   */
  int serveAsNames() {
    return (int) instance.export("serve_as_names").apply()[0];
  }

  /** Dispatches one Greet call to the name of index {@code name}; the answer log, or null. */
  byte[] serveTo(int name, byte[] request) {
    instance.memory().write(in, request);
    int n = (int) instance.export("serve_to").apply(name, request.length)[0];
    return n < 0 ? null : output(n);
  }

  /**
   * Calls Greet through the generated client; the fake completes it with {@code status}. The reply
   * is decoded into the future's memory if {@code inFuture}, else into an arena of the guest's.
   */
  int clientGreet(int status, boolean inFuture) {
    return (int) instance.export("client_greet").apply(status, inFuture ? 1 : 0)[0];
  }
}
