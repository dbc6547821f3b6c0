/**
 * The Chicory wasm engine for the Parigot kernel: {@link dev.parigot.engine.chicory.ChicoryEngine}.
 * Exports only the package the compiled guest code calls its preemption poll in.
 */
module dev.parigot.engine.chicory {
  requires transitive dev.parigot.engine.spi;
  requires com.dylibso.chicory.runtime;
  requires com.dylibso.chicory.wasm;
  requires com.dylibso.chicory.wasi;
  requires com.dylibso.chicory.compiler;
  requires org.objectweb.asm;
  requires org.objectweb.asm.tree;
  requires jdk.management;

  exports dev.parigot.engine.chicory;

  provides dev.parigot.engine.spi.Engine with
      dev.parigot.engine.chicory.ChicoryEngine;
}
