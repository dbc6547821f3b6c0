// The protobuf wire format for AssemblyScript guests: what generated message classes call.
//
// AssemblyScript has no exceptions a program can catch, so nothing here throws on bad input:
// a Reader keeps the first error in `err` (E_DECODE) and every later read returns zero.

/** The SDK's own statuses, the same numbers as the C SDK's PG_E_ ones. */
export const OK: i32 = 0;
/** Malformed input: a bad tag, a truncated field, invalid UTF-8, nesting too deep. */
export const E_DECODE: i32 = -1001;
/** A future's result was asked for before it was done. */
export const E_NOT_DONE: i32 = -1004;

/** Messages nested deeper than this fail to decode with E_DECODE, as in the C SDK. */
export const MAX_DEPTH: i32 = 64;

export const WT_VARINT: u32 = 0;
export const WT_FIXED64: u32 = 1;
export const WT_LEN: u32 = 2;
export const WT_FIXED32: u32 = 5;

export function zigzag32(x: i32): u32 {
  return <u32>((x << 1) ^ (x >> 31));
}

export function unzigzag32(v: u32): i32 {
  return <i32>(v >>> 1) ^ -<i32>(v & 1);
}

export function zigzag64(x: i64): u64 {
  return <u64>((x << 1) ^ (x >> 63));
}

export function unzigzag64(v: u64): i64 {
  return <i64>(v >>> 1) ^ -<i64>(v & 1);
}

/** The encoded size of a varint. */
export function varintSize(v: u64): i32 {
  let n = 1;
  while (v >= 0x80) {
    v >>>= 7;
    n++;
  }
  return n;
}

/** The encoded size of a length-delimited value of n bytes, its length included. */
export function lenSize(n: i32): i32 {
  return varintSize(<u64>n) + n;
}

/** The UTF-8 size of a string. */
export function stringSize(s: string): i32 {
  return lenSize(String.UTF8.byteLength(s));
}

/** Writes into a buffer of a size known in advance (generated size() methods compute it). */
export class Writer {
  buf: Uint8Array;
  pos: i32 = 0;

  constructor(size: i32) {
    this.buf = new Uint8Array(size);
  }

  tag(field: i32, wt: u32): void {
    this.varint(((<u64>field) << 3) | wt);
  }

  varint(v: u64): void {
    while (v >= 0x80) {
      this.buf[this.pos++] = <u8>(v | 0x80);
      v >>>= 7;
    }
    this.buf[this.pos++] = <u8>v;
  }

  fixed32(v: u32): void {
    store<u32>(this.buf.dataStart + <usize>this.pos, v);
    this.pos += 4;
  }

  fixed64(v: u64): void {
    store<u64>(this.buf.dataStart + <usize>this.pos, v);
    this.pos += 8;
  }

  bytes(b: Uint8Array): void {
    this.varint(<u64>b.length);
    memory.copy(this.buf.dataStart + <usize>this.pos, b.dataStart, <usize>b.length);
    this.pos += b.length;
  }

  string(s: string): void {
    const n = String.UTF8.byteLength(s);
    this.varint(<u64>n);
    String.UTF8.encodeUnsafe(
      changetype<usize>(s),
      s.length,
      this.buf.dataStart + <usize>this.pos,
    );
    this.pos += n;
  }
}

/** Reads a message's bytes; every read checks bounds. */
export class Reader {
  buf: Uint8Array;
  pos: i32 = 0;
  end: i32;
  /** OK, or E_DECODE after the first malformed read. */
  err: i32 = OK;

  constructor(buf: Uint8Array) {
    this.buf = buf;
    this.end = buf.length;
  }

  /** True at the end of the current message, or after an error. */
  done(): bool {
    return this.err != OK || this.pos >= this.end;
  }

  fail(): void {
    if (this.err == OK) this.err = E_DECODE;
    this.pos = this.end;
  }

  varint(): u64 {
    let v: u64 = 0;
    for (let shift: u64 = 0; shift < 70; shift += 7) {
      if (this.pos >= this.end) {
        this.fail();
        return 0;
      }
      const b = <u64>this.buf[this.pos++];
      v |= (b & 0x7f) << shift;
      if (b < 0x80) return v;
    }
    this.fail(); // more than 10 bytes
    return 0;
  }

  /** A tag: field number >= 1 and a known wire type, else E_DECODE (and 0). */
  tag(): u32 {
    const t = this.varint();
    const wt = <u32>(t & 7);
    if (this.err != OK || t >>> 3 == 0 || t >>> 3 > 0x1fffffff || (wt != 0 && wt != 1 && wt != 2 && wt != 5)) {
      this.fail();
      return 0;
    }
    return <u32>t;
  }

  fixed32(): u32 {
    if (this.end - this.pos < 4) {
      this.fail();
      return 0;
    }
    const v = load<u32>(this.buf.dataStart + <usize>this.pos);
    this.pos += 4;
    return v;
  }

  fixed64(): u64 {
    if (this.end - this.pos < 8) {
      this.fail();
      return 0;
    }
    const v = load<u64>(this.buf.dataStart + <usize>this.pos);
    this.pos += 8;
    return v;
  }

  /** Reads a length and checks it fits; returns it (-1 after an error). */
  len(): i32 {
    const n = this.varint();
    if (this.err != OK || n > <u64>(this.end - this.pos)) {
      this.fail();
      return -1;
    }
    return <i32>n;
  }

  /** A length-delimited value as a copy. */
  bytes(): Uint8Array {
    const n = this.len();
    if (n < 0) return new Uint8Array(0);
    const out = this.buf.slice(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  /** A string; with validate, invalid UTF-8 is E_DECODE (proto3 requires valid UTF-8). */
  string(validate: bool): string {
    const n = this.len();
    if (n < 0) return "";
    const p = this.buf.dataStart + <usize>this.pos;
    if (validate && !validUtf8(p, n)) {
      this.fail();
      return "";
    }
    this.pos += n;
    return String.UTF8.decodeUnsafe(p, <usize>n);
  }

  /** Enters a length-delimited sub-message; returns the end to restore with leave(). */
  enter(): i32 {
    const n = this.len();
    const saved = this.end;
    if (n >= 0) this.end = this.pos + n;
    return saved;
  }

  leave(saved: i32): void {
    if (this.err == OK) this.pos = this.end;
    this.end = saved;
    if (this.err != OK) this.pos = saved;
  }

  /** Checks a field's wire type; a mismatch is E_DECODE. */
  expect(wt: u32, want: u32): bool {
    if (wt != want) {
      this.fail();
      return false;
    }
    return true;
  }

  /** Skips a field of wire type wt. */
  skip(wt: u32): void {
    if (wt == WT_VARINT) {
      this.varint();
    } else if (wt == WT_FIXED64) {
      this.fixed64();
    } else if (wt == WT_FIXED32) {
      this.fixed32();
    } else if (wt == WT_LEN) {
      const n = this.len();
      if (n >= 0) this.pos += n;
    } else {
      this.fail();
    }
  }
}

/** Well-formed UTF-8: no overlong forms, no surrogates, nothing above U+10FFFF. */
export function validUtf8(p: usize, n: i32): bool {
  let i = 0;
  while (i < n) {
    const b0 = <u32>load<u8>(p + <usize>i);
    if (b0 < 0x80) {
      i++;
      continue;
    }
    let need = 0;
    let min: u32 = 0;
    let cp: u32 = 0;
    if ((b0 & 0xe0) == 0xc0) {
      need = 1;
      min = 0x80;
      cp = b0 & 0x1f;
    } else if ((b0 & 0xf0) == 0xe0) {
      need = 2;
      min = 0x800;
      cp = b0 & 0x0f;
    } else if ((b0 & 0xf8) == 0xf0) {
      need = 3;
      min = 0x10000;
      cp = b0 & 0x07;
    } else {
      return false;
    }
    for (let k = 1; k <= need; k++) {
      if (i + k >= n) return false;
      const b = <u32>load<u8>(p + <usize>(i + k));
      if ((b & 0xc0) != 0x80) return false;
      cp = (cp << 6) | (b & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return false;
    i += need + 1;
  }
  return true;
}
