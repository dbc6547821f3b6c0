// Generated from abi/abi.toml by scripts/regen-abi. Do not edit.
package dev.parigot.abi;

/** The wasm value type of a syscall parameter or result. */
public enum ValueType {
  /** A 32-bit integer: also how pointers into guest memory are passed. */
  I32,
  /** A 64-bit integer. */
  I64
}
