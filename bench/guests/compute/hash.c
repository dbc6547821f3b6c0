/* hash: FNV-1a (64-bit) over a 256 KiB buffer, 64 times: byte loads, a
 * multiply and a xor per byte, one long dependency chain. */
#include "compute.h"

#define SIZE (256 * 1024)
#define ROUNDS 64

static uint8_t data[SIZE];

static uint64_t work(void) {
  uint64_t h = 1469598103934665603u;
  for (int r = 0; r < ROUNDS; r++) {
    for (int i = 0; i < SIZE; i++) {
      h ^= data[i];
      h *= 1099511628211u;
    }
  }
  return h;
}

int main(void) {
  uint32_t s = 1;
  for (int i = 0; i < SIZE; i++) {
    data[i] = (uint8_t)(bench_lcg(&s) >> 24);
  }
  return bench_main("hash", work);
}
