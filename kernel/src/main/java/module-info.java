/**
 * The Parigot kernel: loads wasm modules, runs them as isolated processes and carries their calls.
 */
module dev.parigot.kernel {
  requires transitive dev.parigot.abi;
  requires com.dylibso.chicory.runtime;
  requires com.dylibso.chicory.wasm;
  requires com.dylibso.chicory.wasi;
  requires com.dylibso.chicory.compiler;
  requires org.tomlj;
  requires org.objectweb.asm;
  requires org.objectweb.asm.tree;
  requires jdk.management;

  exports dev.parigot.kernel;
  exports dev.parigot.kernel.spi;

  uses dev.parigot.kernel.spi.ManifestSection;
}
