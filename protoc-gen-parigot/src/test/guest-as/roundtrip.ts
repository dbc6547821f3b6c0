// roundtrip: the test guest for the generated AssemblyScript (the Java tests in
// dev.parigot.protoc drive it through its exports; its initializer runs when it is instantiated).
//
//   alloc(n)                   n bytes for the input, freed by roundtrip
//   roundtrip(kind, ptr, len)  decodes the input as message `kind`, re-encodes it and returns
//                              the encoding's length (its bytes at outPtr()), or E_DECODE, or
//                              RT_E_SIZE when the encoding's length is not size(), or RT_E_ARG
//   outPtr()                   where the last encoding is
import { E_DECODE } from "parigot/wire";
import { GreetRequest } from "pg/hello/v1/greeter";
import { Point } from "pg/test/v1/common";
import { Empty, Everything, Node, Scalars } from "pg/test/v1/everything";

const RT_E_ARG: i32 = -2000;
const RT_E_SIZE: i32 = -2001;

let last: Uint8Array | null = null;

export function alloc(n: i32): usize {
  return heap.alloc(<usize>n);
}

export function outPtr(): usize {
  const b = last;
  return b == null ? 0 : b.dataStart;
}

function check(encoded: Uint8Array, size: i32): i32 {
  last = encoded;
  return encoded.length == size ? encoded.length : RT_E_SIZE;
}

export function roundtrip(kind: i32, ptr: usize, len: i32): i32 {
  const input = new Uint8Array(len);
  memory.copy(input.dataStart, ptr, <usize>len);
  heap.free(ptr);
  // Each kind decodes into a message whose fields are not at their defaults first, so a decode
  // that failed to reset them shows in the re-encoding.
  if (kind == 1) {
    const m = new Scalars();
    m.decode(input);
    // A second decode into the same message must give the same result.
    const rc = m.decode(input);
    return rc != 0 ? rc : check(m.encode(), m.size());
  } else if (kind == 2) {
    const m = new Everything();
    const rc = m.decode(input);
    return rc != 0 ? rc : check(m.encode(), m.size());
  } else if (kind == 3) {
    const m = new Node();
    const rc = m.decode(input);
    return rc != 0 ? rc : check(m.encode(), m.size());
  } else if (kind == 4) {
    const m = new Empty();
    const rc = m.decode(input);
    return rc != 0 ? rc : check(m.encode(), m.size());
  } else if (kind == 5) {
    const m = new Point();
    const rc = m.decode(input);
    return rc != 0 ? rc : check(m.encode(), m.size());
  } else if (kind == 6) {
    const m = new GreetRequest();
    m.name = "not reset";
    const rc = m.decode(input);
    return rc != 0 ? rc : check(m.encode(), m.size());
  }
  return kind == 0 ? E_DECODE : RT_E_ARG;
}
