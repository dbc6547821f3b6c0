/**
 * What a wasm engine provides the Parigot kernel: an {@link dev.parigot.engine.spi.Engine} compiles
 * modules, a {@link dev.parigot.engine.spi.CompiledModule} makes one {@link
 * dev.parigot.engine.spi.Guest} per process, and the guest calls the kernel back through {@link
 * dev.parigot.engine.spi.AbiHost}. A second engine is one more module that provides {@code Engine}.
 */
module dev.parigot.engine.spi {
  requires transitive dev.parigot.abi;
  requires transitive dev.parigot.errors;

  exports dev.parigot.engine.spi;
}
