/**
 * The Parigot kernel: runs wasm programs as isolated processes and carries their calls. Its public
 * API is {@code dev.parigot.kernel}; {@code dev.parigot.kernel.spi} is what plugs into it (a
 * clock); the ABI's semantics live in a core package that does no IO and knows no engine. The
 * engine is found with {@link java.util.ServiceLoader}.
 */
module dev.parigot.kernel {
  requires transitive dev.parigot.abi;
  requires transitive dev.parigot.errors;
  requires transitive dev.parigot.engine.spi;
  requires org.tomlj;

  exports dev.parigot.kernel;
  exports dev.parigot.kernel.spi;

  uses dev.parigot.engine.spi.Engine;
  uses dev.parigot.kernel.spi.ManifestSection;

  // The programs' restart and drain keys, and their [program.NAME.wasi] tables.
  provides dev.parigot.kernel.spi.ManifestSection with
      dev.parigot.kernel.core.SupervisionSection,
      dev.parigot.kernel.WasiSection;
}
