/*
 * parigot_wire.c: the protobuf wire-format runtime (see parigot_wire.h).
 *
 * Every read checks the remaining length before touching a byte, and every
 * write checks the remaining capacity, so malformed input or a short buffer
 * is an error code, never an out-of-bounds access.
 */
#include "parigot_wire.h"

#include <string.h>

void pg_arena_init(pg_arena *a, void *mem, uint32_t cap) {
  a->mem = mem;
  a->cap = mem == NULL ? 0 : cap;
  a->used = 0;
}

void *pg_arena_alloc(pg_arena *a, uint32_t size, uint32_t align) {
  if (a == NULL || align == 0 || (align & (align - 1)) != 0) {
    return NULL;
  }
  /* Align the address, not the offset: mem itself may be unaligned. */
  uintptr_t base = (uintptr_t)a->mem;
  uint64_t start = ((uint64_t)base + a->used + (align - 1)) & ~(uint64_t)(align - 1);
  uint64_t offset = start - base;
  if (offset + size > a->cap) {
    return NULL;
  }
  a->used = (uint32_t)(offset + size);
  void *p = a->mem + offset;
  memset(p, 0, size);
  return p;
}

void *pg_arena_alloc_array(pg_arena *a, uint32_t count, uint32_t size, uint32_t align) {
  uint64_t total = (uint64_t)count * size;
  if (total > UINT32_MAX) {
    return NULL;
  }
  return pg_arena_alloc(a, (uint32_t)total, align);
}

void pg_arena_reset(pg_arena *a) { a->used = 0; }

static uint32_t remaining(const pg_reader *r) { return (uint32_t)(r->end - r->p); }

int32_t pg_read_varint(pg_reader *r, uint64_t *out) {
  uint64_t v = 0;
  for (uint32_t i = 0; i < 10; i++) {
    if (r->p >= r->end) {
      return PG_E_DECODE;
    }
    uint8_t b = *r->p++;
    v |= (uint64_t)(b & 0x7f) << (7 * i);
    if ((b & 0x80) == 0) {
      *out = v;
      return PG_OK;
    }
  }
  return PG_E_DECODE;
}

int32_t pg_read_fixed32(pg_reader *r, uint32_t *out) {
  if (remaining(r) < 4) {
    return PG_E_DECODE;
  }
  const uint8_t *p = r->p;
  *out = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
  r->p += 4;
  return PG_OK;
}

int32_t pg_read_fixed64(pg_reader *r, uint64_t *out) {
  uint32_t lo, hi;
  if (remaining(r) < 8) {
    return PG_E_DECODE;
  }
  pg_read_fixed32(r, &lo);
  pg_read_fixed32(r, &hi);
  *out = (uint64_t)hi << 32 | lo;
  return PG_OK;
}

int32_t pg_read_len(pg_reader *r, pg_bytes *out) {
  uint64_t len;
  if (pg_read_varint(r, &len) != PG_OK || len > remaining(r)) {
    return PG_E_DECODE;
  }
  out->data = r->p;
  out->len = (uint32_t)len;
  r->p += len;
  return PG_OK;
}

int32_t pg_read_tag(pg_reader *r, uint32_t *field, uint32_t *wire_type) {
  uint64_t tag;
  if (pg_read_varint(r, &tag) != PG_OK || tag > UINT32_MAX) {
    return PG_E_DECODE;
  }
  uint32_t wt = (uint32_t)tag & 7;
  *field = (uint32_t)(tag >> 3);
  *wire_type = wt;
  if (*field == 0 || !(wt == PG_WT_VARINT || wt == PG_WT_FIXED64 || wt == PG_WT_LEN ||
                       wt == PG_WT_FIXED32)) {
    return PG_E_DECODE;
  }
  return PG_OK;
}

int32_t pg_skip(pg_reader *r, uint32_t wire_type) {
  uint64_t v;
  uint32_t v32;
  pg_bytes b;
  switch (wire_type) {
    case PG_WT_VARINT:
      return pg_read_varint(r, &v);
    case PG_WT_FIXED64:
      return pg_read_fixed64(r, &v);
    case PG_WT_LEN:
      return pg_read_len(r, &b);
    case PG_WT_FIXED32:
      return pg_read_fixed32(r, &v32);
    default:
      return PG_E_DECODE;
  }
}

int32_t pg_read_varint_field(pg_reader *r, uint32_t wire_type, uint64_t *out) {
  return wire_type == PG_WT_VARINT ? pg_read_varint(r, out) : PG_E_DECODE;
}

int32_t pg_read_fixed32_field(pg_reader *r, uint32_t wire_type, uint32_t *out) {
  return wire_type == PG_WT_FIXED32 ? pg_read_fixed32(r, out) : PG_E_DECODE;
}

int32_t pg_read_fixed64_field(pg_reader *r, uint32_t wire_type, uint64_t *out) {
  return wire_type == PG_WT_FIXED64 ? pg_read_fixed64(r, out) : PG_E_DECODE;
}

int32_t pg_read_len_field(pg_reader *r, uint32_t wire_type, pg_bytes *out) {
  return wire_type == PG_WT_LEN ? pg_read_len(r, out) : PG_E_DECODE;
}

int32_t pg_read_string_field(pg_reader *r, uint32_t wire_type, pg_bytes *out) {
  int32_t rc = pg_read_len_field(r, wire_type, out);
  if (rc == PG_OK && !pg_utf8_valid(*out)) {
    return PG_E_DECODE;
  }
  return rc;
}

void *pg_grow(pg_arena *a, const void *items, uint32_t len, uint32_t extra, uint32_t size,
              uint32_t align) {
  if (extra > UINT32_MAX - len) {
    return NULL;
  }
  uint8_t *grown = pg_arena_alloc_array(a, len + extra, size, align);
  if (grown != NULL && len > 0) {
    memcpy(grown, items, (size_t)len * size);
  }
  return grown;
}

uint32_t pg_count_varints(pg_bytes packed) {
  uint32_t n = 0;
  for (uint32_t i = 0; i < packed.len; i++) {
    n += (packed.data[i] & 0x80) == 0;
  }
  return n;
}

bool pg_utf8_valid(pg_bytes b) {
  const uint8_t *p = b.data;
  uint32_t i = 0, n = b.len;
  while (i < n) {
    uint8_t c = p[i];
    if (c < 0x80) {
      i++;
      continue;
    }
    uint32_t need;
    uint8_t lo = 0x80, hi = 0xbf; /* the range of the second byte */
    if (c >= 0xc2 && c <= 0xdf) {
      need = 1;
    } else if (c >= 0xe0 && c <= 0xef) {
      need = 2;
      if (c == 0xe0) lo = 0xa0;      /* overlong */
      else if (c == 0xed) hi = 0x9f; /* surrogates */
    } else if (c >= 0xf0 && c <= 0xf4) {
      need = 3;
      if (c == 0xf0) lo = 0x90;      /* overlong */
      else if (c == 0xf4) hi = 0x8f; /* above U+10FFFF */
    } else {
      return false;
    }
    if (n - i - 1 < need || p[i + 1] < lo || p[i + 1] > hi) {
      return false;
    }
    for (uint32_t k = 2; k <= need; k++) {
      if ((p[i + k] & 0xc0) != 0x80) {
        return false;
      }
    }
    i += need + 1;
  }
  return true;
}

static bool reserve(pg_writer *w, uint32_t n) {
  if (w->err != PG_OK) {
    return false;
  }
  if (w->cap - w->pos < n) {
    w->err = PG_E_BUFFER;
    return false;
  }
  return true;
}

void pg_write_varint(pg_writer *w, uint64_t v) {
  if (!reserve(w, pg_varint_size(v))) {
    return;
  }
  while (v >= 0x80) {
    w->buf[w->pos++] = (uint8_t)(v | 0x80);
    v >>= 7;
  }
  w->buf[w->pos++] = (uint8_t)v;
}

void pg_write_fixed32(pg_writer *w, uint32_t v) {
  if (!reserve(w, 4)) {
    return;
  }
  for (int i = 0; i < 4; i++) {
    w->buf[w->pos++] = (uint8_t)(v >> (8 * i));
  }
}

void pg_write_fixed64(pg_writer *w, uint64_t v) {
  if (!reserve(w, 8)) {
    return;
  }
  for (int i = 0; i < 8; i++) {
    w->buf[w->pos++] = (uint8_t)(v >> (8 * i));
  }
}

void pg_write_tag(pg_writer *w, uint32_t field, uint32_t wire_type) {
  pg_write_varint(w, (uint64_t)field << 3 | wire_type);
}

void pg_write_len(pg_writer *w, pg_bytes b) {
  pg_write_varint(w, b.len);
  if (!reserve(w, b.len)) {
    return;
  }
  if (b.len > 0) {
    memcpy(w->buf + w->pos, b.data, b.len);
    w->pos += b.len;
  }
}

uint32_t pg_varint_size(uint64_t v) {
  uint32_t n = 1;
  while (v >= 0x80) {
    v >>= 7;
    n++;
  }
  return n;
}

uint32_t pg_float_bits(float f) {
  uint32_t bits;
  memcpy(&bits, &f, sizeof bits);
  return bits;
}

float pg_bits_float(uint32_t bits) {
  float f;
  memcpy(&f, &bits, sizeof f);
  return f;
}

uint64_t pg_double_bits(double d) {
  uint64_t bits;
  memcpy(&bits, &d, sizeof bits);
  return bits;
}

double pg_bits_double(uint64_t bits) {
  double d;
  memcpy(&d, &bits, sizeof d);
  return d;
}
