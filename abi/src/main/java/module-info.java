// Generated from abi/abi.toml by scripts/regen-abi. Do not edit.
/**
 * The Parigot guest ABI as Java constants: syscall names and signatures, errnos, event kinds and
 * the event record layout. Generated from abi/abi.toml, which docs/abi.md explains.
 */
module dev.parigot.abi {
  exports dev.parigot.abi;
}
