/* sort: a hand-written quicksort (median of three, insertion sort below 16)
 * of 200,000 pseudo-random u32: compares, branches and swaps in memory. */
#include "compute.h"

#define COUNT 200000

static uint32_t input[COUNT], v[COUNT];

static void insertion(uint32_t *x, int n) {
  for (int i = 1; i < n; i++) {
    uint32_t key = x[i];
    int j = i - 1;
    while (j >= 0 && x[j] > key) {
      x[j + 1] = x[j];
      j--;
    }
    x[j + 1] = key;
  }
}

static void swap(uint32_t *x, int i, int j) {
  uint32_t t = x[i];
  x[i] = x[j];
  x[j] = t;
}

static void quicksort(uint32_t *x, int n) {
  while (n > 16) {
    int m = n / 2;
    if (x[m] < x[0]) swap(x, m, 0);
    if (x[n - 1] < x[0]) swap(x, n - 1, 0);
    if (x[n - 1] < x[m]) swap(x, n - 1, m);
    uint32_t pivot = x[m];
    int i = 0, j = n - 1;
    for (;;) {
      while (x[i] < pivot) i++;
      while (x[j] > pivot) j--;
      if (i >= j) break;
      swap(x, i, j);
      i++;
      j--;
    }
    /* Recurse into the smaller side, loop on the larger: the stack stays shallow. */
    if (j + 1 < n - j - 1) {
      quicksort(x, j + 1);
      x += j + 1;
      n -= j + 1;
    } else {
      quicksort(x + j + 1, n - j - 1);
      n = j + 1;
    }
  }
  insertion(x, n);
}

static uint64_t work(void) {
  for (int i = 0; i < COUNT; i++) {
    v[i] = input[i];
  }
  quicksort(v, COUNT);
  uint64_t h = 0;
  for (int i = 0; i < COUNT; i += 97) {
    h = h * 31 + v[i];
  }
  return h;
}

int main(void) {
  uint32_t s = 3;
  for (int i = 0; i < COUNT; i++) {
    input[i] = bench_lcg(&s);
  }
  return bench_main("sort", work);
}
